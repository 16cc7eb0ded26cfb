"""Injected mistake: the module src/click/shell_completion.py became a package (git mv to
src/click/shell_completion/__init__.py, the first step of splitting the per-shell classes
into submodules), but its relative imports (`from .core import ...`, `from .utils import echo`)
were not given the extra dot: they now resolve inside click.shell_completion."""

from injecting import expect, move

expect(
    "src/click/shell_completion.py", "\nfrom .core import Argument\n", "from .utils import echo\n"
)
move("src/click/shell_completion.py", "src/click/shell_completion/__init__.py")
