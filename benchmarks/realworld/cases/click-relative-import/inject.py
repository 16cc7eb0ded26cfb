"""Injected mistake: the module src/click/shell_completion.py became a package (git mv to
src/click/shell_completion/__init__.py, the first step of splitting the per-shell classes
into submodules), but its relative imports (`from .core import ...`, `from .utils import echo`)
were not given the extra dot: they now resolve inside click.shell_completion."""
import os
import re

old, new = "src/click/shell_completion.py", "src/click/shell_completion/__init__.py"
if not os.path.exists(old) or os.path.exists(os.path.dirname(new)):
    raise SystemExit(f"inject: expected {old} and no {os.path.dirname(new)}")
text = open(old, encoding="utf-8").read()
if not re.search(r"^from \.core import Argument$", text, re.M) or "from .utils import echo\n" not in text:
    raise SystemExit(f"inject: the relative imports were not found in {old}")
os.makedirs(os.path.dirname(new))
os.rename(old, new)
