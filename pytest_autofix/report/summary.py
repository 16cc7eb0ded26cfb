"""Reporting: the terminal summary (rich, inside pytest's terminal reporter), the JSON report,
the patch file and CI annotations."""

from __future__ import annotations

import io
import os
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from rich.console import Console
from rich.text import Text

import pytest_autofix.report.annotations as workflow
from pytest_autofix.config import Settings
from pytest_autofix.report.schema import FixReport, IssueReport, Report, RerunReport, Summary

if TYPE_CHECKING:
    from pytest_autofix.engine.rounds import Outcome

_STATUS_STYLE = {
    "fixed": "bold green",
    "proposed": "bold cyan",
    "suggested": "yellow",
    "rolled-back": "bold magenta",
    "unfixable": "red",
}


def build(outcome: Outcome) -> Report:
    """The JSON report of DESIGN.md (``"version": 1``)."""
    issues: list[IssueReport] = []
    for record in outcome.records:
        issue = record.issue
        fixes = [
            FixReport(
                fixer=p.fixer,
                description=p.fix.description,
                confidence=p.fix.confidence,
                safe=p.fix.safe,
                files=p.files or sorted({str(e.path) for e in p.fix.edits}),
                diff=p.diff,
                applied=p.applied,
                verified=p.verified,
                reason=p.reason,
            )
            for p in record.proposals
        ]
        status = record.status
        issues.append(
            IssueReport(
                id=issue.id,
                kind=issue.kind,
                code=issue.code,
                message=issue.message
                if record.reason is None or fixes
                else f"{issue.message} ({record.reason})",
                tests=list(issue.tests),
                path=issue.path,
                line=issue.line,
                status=status,  # type: ignore[arg-type]
                fixes=fixes,
            )
        )
    counts = Counter(i.status for i in issues)
    summary = Summary(
        failures=outcome.failures,
        issues=len(issues),
        fixed=counts["fixed"],
        proposed=counts["proposed"],
        suggested=counts["suggested"],
        rolled_back=counts["rolled-back"],
        unfixable=counts["unfixable"],
    )
    rerun = None
    if outcome.reruns:
        latest: dict[str, str] = {}
        for r in outcome.reruns:
            latest.update(r.outcomes)
        rerun = RerunReport(
            tests=list(dict.fromkeys(t for r in outcome.reruns for t in r.tests)),
            passed=sum(1 for o in latest.values() if o == "passed"),
            failed=sum(1 for o in latest.values() if o == "failed"),
            seconds=round(sum(r.seconds for r in outcome.reruns), 3),
        )
    return Report(
        mode=outcome.mode,  # type: ignore[arg-type]
        exit_status=outcome.exit_status,
        summary=summary,
        issues=issues,
        rerun=rerun,
    )


def write_files(outcome: Outcome, settings: Settings) -> None:
    """The JSON report and the patch, where the user asked for them, and the GitHub step
    summary when ``$GITHUB_STEP_SUMMARY`` names a file (outside the transaction: these are
    outputs, not project sources)."""
    if settings.report is not None:
        _atomic_write(settings.report, build(outcome).model_dump_json(indent=2) + "\n")
    if settings.patch is not None:
        _atomic_write(settings.patch, outcome.patch)
    target = workflow.step_summary_path(settings.output_format)
    if target is not None:  # under GitHub Actions: the run on the job's page
        rep = build(outcome)
        text = workflow.step_summary(rep, closing_line(rep, outcome).plain, outcome.patch)
        workflow.append_step_summary(target, text)


def _atomic_write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.autofix-tmp")
    tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    os.replace(tmp, path)


def _location(path: str | None, line: int | None) -> str:
    if path is None:
        return ""
    return f"{path}:{line}" if line else path


def render(tr: pytest.TerminalReporter, outcome: Outcome, settings: Settings) -> None:
    """The summary inside pytest's terminal reporter; colour as pytest decided it.

    Verbosity as pytest's: by default (and with ``-v``) every diff that was applied (or would
    be) and one line per issue with the fixes not taken under it; ``-q`` one line per issue,
    no diffs; ``-qq`` the closing line alone. A note on what the run could not do as asked is
    a warning: shown at every verbosity."""
    tw = tr.config.get_terminal_writer()
    verbosity = tr.config.get_verbosity()
    console = Console(
        file=io.StringIO(),
        force_terminal=tw.hasmarkup,
        no_color=not tw.hasmarkup,
        color_system="standard" if tw.hasmarkup else None,
        width=max(tw.fullwidth, 40),
        highlight=False,
        soft_wrap=True,
        emoji=False,
    )
    rep = build(outcome)
    if verbosity > -2:
        tr.write_sep("=", f"autofix ({'dry run' if outcome.mode == 'dry-run' else 'fix'})")
    for issue in rep.issues if verbosity >= 0 else ():
        for fix in issue.fixes:
            if fix.diff and (fix.verified or (issue.status == "proposed" and fix.reason is None)):
                _print_fix(console, issue, fix)
    for issue in rep.issues if verbosity > -2 else ():
        _print_issue(console, issue, reasons=verbosity >= 0)
    if outcome.note:
        console.print(Text(outcome.note, style="bold red"))
    console.print(closing_line(rep, outcome))
    tw.write(console.file.getvalue())  # type: ignore[attr-defined]
    if workflow.enabled(settings.output_format):
        for line in workflow.proposed(rep):  # after the summary, each on a line of its own
            tw.line(line)


def _print_fix(console: Console, issue: IssueReport, fix: FixReport) -> None:
    """A fix that was verified (or, in a dry run, would be applied): header and coloured diff."""
    console.print(
        Text.assemble(
            (fix.fixer, "bold"),
            f" · confidence {fix.confidence:.2f} · {'safe' if fix.safe else 'unsafe'}"
            f" · {issue.code}: {fix.description}",
        )
    )
    diff = Text()  # one Text for the whole diff: one print, not one per line
    for i, line in enumerate(fix.diff.splitlines()):
        if i:
            diff.append("\n")
        style = ""
        if line.startswith(("+++", "---", "diff --git", "new file")):
            style = "bold"
        elif line.startswith("+"):
            style = "green"
        elif line.startswith("-"):
            style = "red"
        elif line.startswith("@@"):
            style = "cyan"
        diff.append(line, style=style)
    console.print(diff)


def _print_issue(console: Console, issue: IssueReport, *, reasons: bool = True) -> None:
    """One line per issue; under it (unless ``reasons`` is false), every fix that was not
    taken, with why."""
    n = len(issue.tests)
    row = Text.assemble(
        (f"{issue.status:<11}", _STATUS_STYLE[issue.status]),
        " ",
        (issue.code, "bold"),
        f"  {issue.message}  ({n} test{'s' if n != 1 else ''})",
    )
    loc = _location(issue.path, issue.line)
    if loc:
        row.append(f"  {loc}", style="dim")
    console.print(row)
    for fix in issue.fixes if reasons else ():
        if fix.reason is None:
            continue
        console.print(
            Text(
                f"            {fix.fixer} ({fix.confidence:.2f}): {fix.description} — {fix.reason}",
                style="dim",
            )
        )


def closing_line(rep: Report, outcome: Outcome) -> Text:
    s = rep.summary
    parts = [
        f"{getattr(s, name)} {label}"
        for name, label in (
            ("fixed", "fixed"),
            ("proposed", "proposed"),
            ("suggested", "suggested"),
            ("rolled_back", "rolled back"),
            ("unfixable", "unfixable"),
        )
        if getattr(s, name)
    ]
    plural = "issue" if s.issues == 1 else "issues"
    text = f"Found {s.issues} {plural} in {s.failures} failure{'s' if s.failures != 1 else ''}"
    if parts:
        text += f" ({', '.join(parts)})"
    if outcome.mode == "dry-run":
        text += "; nothing was written (dry run)"
    else:
        left = len(outcome.still_failing)
        if left:
            text += f"; {left} test{'s' if left != 1 else ''} still failing"
        if outcome.changed:
            text += f"; changed {len(outcome.changed)} file(s); undo with pytest --autofix-undo"
        else:
            text += "; no file was changed"
    return Text(text, style="bold")
