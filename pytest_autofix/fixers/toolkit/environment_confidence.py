"""The confidence levels the environment fixers share, documented in docs/fixers.md."""

from __future__ import annotations

__all__ = ["GUARDED", "PERSON", "SAFE", "UNSAFE", "UNSURE"]

SAFE = 0.95  # a safe catalogue entry, every use migrated
GUARDED = 0.9  # a guarded entry whose checks passed
UNSAFE = 0.85  # an unsafe entry: applied only with --autofix-unsafe
PERSON = 0.9  # a suggestion for a person (certain about what is needed, not editable)
UNSURE = 0.5  # a suggestion with a doubt
