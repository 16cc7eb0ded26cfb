"""Injected mistake: src/humanize/number.py was renamed to src/humanize/numbers.py (git mv) and
the package __init__ updated, but two importers were left behind: `from .number import intcomma`
in src/humanize/time.py and `from humanize import number` in tests/test_number.py."""
import os

old, new = "src/humanize/number.py", "src/humanize/numbers.py"
if not os.path.exists(old) or os.path.exists(new):
    raise SystemExit(f"inject: expected {old} and no {new}")
os.rename(old, new)

path = "src/humanize/__init__.py"
text = open(path, encoding="utf-8").read()
for a, b in (('    "humanize.number",\n', '    "humanize.numbers",\n'),
             ("from humanize.number import (\n", "from humanize.numbers import (\n")):
    if a not in text:
        raise SystemExit(f"inject: {a!r} not found in {path}")
    text = text.replace(a, b, 1)
with open(path, "w", encoding="utf-8") as f:
    f.write(text)
