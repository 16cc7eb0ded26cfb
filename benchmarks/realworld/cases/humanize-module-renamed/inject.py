"""Injected mistake: src/humanize/number.py was renamed to src/humanize/numbers.py (git mv) and
the package __init__ updated, but two importers were left behind: `from .number import intcomma`
in src/humanize/time.py and `from humanize import number` in tests/test_number.py."""

from injecting import move, replace

move("src/humanize/number.py", "src/humanize/numbers.py")
replace("src/humanize/__init__.py", '    "humanize.number",\n', '    "humanize.numbers",\n')
replace(
    "src/humanize/__init__.py",
    "from humanize.number import (\n",
    "from humanize.numbers import (\n",
)
