"""The issue-code catalogue: every code the classifier emits, with what it means.

Plain data and the standard library only: ``plugin.py`` validates ``--autofix-select`` against
it before any heavy module is imported. ``docs/codes.md`` documents the same table.
"""

from __future__ import annotations

KINDS: tuple[str, ...] = ("import", "fixture", "environment", "other")

CODES: dict[str, str] = {
    "import.module-not-found": "a project module (or a misspelled module) cannot be found",
    "import.name-not-found": "a name cannot be imported from a module that exists",
    "import.name-undefined": "a NameError that looks like a missing import",
    "import.file-mismatch": "two test modules share a basename and collide on import",
    "fixture.not-found": "a test or fixture requests a fixture that is not visible there",
    "fixture.scope-mismatch": "a wider-scoped fixture requests a narrower-scoped one",
    "fixture.called-directly": "a fixture function is called instead of requested",
    "fixture.removed-api": "a pytest API removed since pytest 4.0 or deprecated in 9 is used",
    "environment.removed-api": "an attribute or module removed by a newer Python or library",
    "environment.missing-package": "a third-party distribution is not installed",
    "environment.dead-package": "a test-era tool that no longer works (nose): migrate its uses",
    "environment.file-not-found": "a relative path that only works from one working directory",
    "environment.missing-env-var": "an environment variable the code reads is not set",
    "environment.service-unavailable": "a network service refused the connection",
    "other.assertion": "an assertion failed",
    "other.syntax-error": "a module does not parse",
    "other.exception": "any other exception",
}


def did_you_mean(pattern: str) -> str:
    """`` (did you mean 'import'?)`` for a pattern close to a kind or code, else ``""``."""
    import difflib

    near = difflib.get_close_matches(pattern, [*KINDS, *CODES], n=2, cutoff=0.75)
    if not near:
        return ""
    return f" (did you mean {' or '.join(repr(n) for n in near)}?)"


def unknown_codes(patterns: list[str]) -> list[str]:
    """The patterns that match no known code, by exact code or dotted prefix."""
    return [p for p in patterns if not any(matches(code, p) for code in CODES)]


def matches(code: str, pattern: str) -> bool:
    """``pattern`` is a code or a dotted prefix of one: ``import`` matches ``import.x``."""
    return code == pattern or code.startswith(pattern + ".")


def split_codes(value: str | list[str] | None) -> list[str]:
    """Comma- or line-separated code patterns, stripped, empties dropped."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        out.extend(part.strip() for part in item.replace("\n", ",").split(","))
    return [p for p in out if p]
