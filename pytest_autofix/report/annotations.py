"""GitHub Actions workflow annotations for the fixes a dry run proposes.

One ``::notice`` workflow command per proposed fix, at the first line it changes, so a pull
request shows the fix inline (one line; wrapped here)::

    ::notice file=shop/orders.py,line=3,title=autofix import.module-not-found::import the
    module shop.prices instead of the missing shop.pricing (confidence 0.95)

Escaping follows GitHub's workflow command rules: in the message ``%``, CR and LF become ``%25``,
``%0D``, ``%0A``; in property values also ``:`` and ``,`` become ``%3A`` and ``%2C``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from pytest_autofix.report.schema import FixReport, IssueReport, Report

_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")


def enabled(output_format: str, environ: Mapping[str, str] | None = None) -> bool:
    """``github`` always, ``plain`` never, ``auto`` when running under GitHub Actions."""
    if output_format == "github":
        return True
    if output_format == "plain":
        return False
    env = os.environ if environ is None else environ
    return env.get("GITHUB_ACTIONS", "").lower() == "true"


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def first_change(diff: str) -> tuple[str, int] | None:
    """The file and the first line (in the file as it is now) a unified diff changes."""
    path: str | None = None
    old: int | None = None  # the current line in the old file, inside a hunk
    for line in diff.splitlines():
        if line.startswith(("--- ", "+++ ")) and old is None:
            name = line[4:].strip()
            if name != "/dev/null":
                path = name[2:] if name.startswith(("a/", "b/")) else name
            continue
        match = _HUNK.match(line)
        if match:
            old = int(match.group(1))
            continue
        if old is None or path is None:
            continue
        if line.startswith(("-", "+")):
            return path, max(old, 1)
        if line.startswith(" "):
            old += 1
        elif line.startswith("diff "):
            old = None  # the next file's header
    return None


def annotation(issue: IssueReport, fix: FixReport) -> str | None:
    """The workflow command for one fix, or None when it has no location."""
    where = first_change(fix.diff)
    if where is None:
        if issue.path is None:
            return None
        where = (issue.path, issue.line or 1)
    path, line = where
    title = escape_property(f"autofix {issue.code}")
    props = f"file={escape_property(path)},line={line},title={title}"
    message = escape_data(f"{fix.description} (confidence {fix.confidence:.2f})")
    return f"::notice {props}::{message}"


def proposed(report: Report) -> list[str]:
    """One annotation per fix a dry run would apply."""
    if report.mode != "dry-run":
        return []
    out: list[str] = []
    for issue in report.issues:
        if issue.status != "proposed":
            continue
        for fix in issue.fixes:
            if fix.reason is None and fix.diff:
                line = annotation(issue, fix)
                if line is not None:
                    out.append(line)
    return out
