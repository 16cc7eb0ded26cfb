"""GitHub Actions: workflow annotations for the fixes a dry run proposes, and the run's summary
for the job's page (``$GITHUB_STEP_SUMMARY``).

One ``::notice`` workflow command per proposed fix, at the first line it changes, so a pull
request shows the fix inline (one line; wrapped here)::

    ::notice file=shop/orders.py,line=3,title=autofix import.module-not-found::import the
    module shop.prices instead of the missing shop.pricing (confidence 0.95)

Escaping follows GitHub's workflow command rules: in the message ``%``, CR and LF become ``%25``,
``%0D``, ``%0A``; in property values also ``:`` and ``,`` become ``%3A`` and ``%2C``.

When ``GITHUB_STEP_SUMMARY`` names a file (GitHub sets it in every step), a Markdown summary of
the run is appended to it (:func:`step_summary`): the closing line, one table row per issue
with its status and fix, and the files the patch changes. GitHub shows it on the run's page.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

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


# -- the step summary -------------------------------------------------------------------------

_DIFF_GIT = re.compile(rb"^diff --git a/(.+?) b/", re.M)


def step_summary_path(output_format: str, environ: Mapping[str, str] | None = None) -> Path | None:
    """The step summary file: ``$GITHUB_STEP_SUMMARY`` unless ``--autofix-format=plain``."""
    env = os.environ if environ is None else environ
    raw = env.get("GITHUB_STEP_SUMMARY", "").strip()
    if output_format == "plain" or not raw:
        return None
    return Path(raw)


def _cell(text: str) -> str:
    """Text for a Markdown table cell: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def _code(text: str) -> str:
    return f"`{text}`" if "`" not in text else _cell(text)


def _fix_cell(issue: IssueReport) -> str:
    """What was done or proposed for the issue: the fix taken, else the best suggestion and why
    it was not taken."""
    taken = next((f for f in issue.fixes if f.reason is None), None)
    if taken is not None:
        return _cell(f"{taken.description} ({taken.fixer}, {taken.confidence:.2f})")
    if issue.fixes:
        best = issue.fixes[0]
        return _cell(f"{best.description} ({best.fixer}, {best.confidence:.2f}): {best.reason}")
    return ""


def step_summary(report: Report, closing: str, patch: bytes) -> str:
    """The Markdown summary of a run: ``closing`` (the terminal's last line), the issues, the
    files of ``patch``."""
    mode = "dry run" if report.mode == "dry-run" else "fix"
    lines = [f"## pytest-autofix ({mode})", "", closing, ""]
    if report.issues:
        lines += ["| status | code | issue | tests | where | fix |", "|---|---|---|---|---|---|"]
        for issue in report.issues:
            where = f"{issue.path}:{issue.line}" if issue.path and issue.line else issue.path
            lines.append(
                f"| {issue.status} | {_code(issue.code)} | {_cell(issue.message)} "
                f"| {len(issue.tests)} | {_code(where) if where else ''} | {_fix_cell(issue)} |"
            )
        lines.append("")
    files = list(dict.fromkeys(m.decode("utf-8", "replace") for m in _DIFF_GIT.findall(patch)))
    if files:
        what = "would change" if report.mode == "dry-run" else "changed"
        lines.append(f"The patch {what} {len(files)} file{'s' if len(files) != 1 else ''}:")
        lines += ["", *(f"- {_code(f)}" for f in files), ""]
    return "\n".join(lines) + "\n"


def append_step_summary(path: Path, text: str) -> None:
    """Append ``text`` to the step summary (other steps' summaries stay); a file that cannot be
    written costs the summary, not the run."""
    try:
        with open(path, "a", encoding="utf-8") as out:
            out.write(("\n" if out.tell() else "") + text)  # a blank line after another's
    except OSError:
        pass
