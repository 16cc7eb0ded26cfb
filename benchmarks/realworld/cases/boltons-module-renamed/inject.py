"""Injected mistake: boltons/tbutils.py was renamed to boltons/tracebackutils.py
(git mv, plus its own docstring updated), but the tests that import it were left behind."""

from injecting import move, replace

move("boltons/tbutils.py", "boltons/tracebackutils.py")
replace(
    "boltons/tracebackutils.py",
    "The ``tbutils`` module provides",
    "The ``tracebackutils`` module provides",
)
