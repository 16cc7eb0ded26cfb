"""Injected mistake: boltons/tbutils.py was renamed to boltons/tracebackutils.py
(git mv, plus its own docstring updated), but the tests that import it were left behind."""

import os

old, new = "boltons/tbutils.py", "boltons/tracebackutils.py"
if not os.path.exists(old) or os.path.exists(new):
    raise SystemExit(f"inject: expected {old} and no {new}")
text = open(old, encoding="utf-8").read()
needle = "The ``tbutils`` module provides"
if needle not in text:
    raise SystemExit(f"inject: {needle!r} not found in {old}")
text = text.replace(needle, "The ``tracebackutils`` module provides")
with open(new, "w", encoding="utf-8") as f:
    f.write(text)
os.remove(old)
