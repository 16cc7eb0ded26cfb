"""``pytest --autofix-explain CODE``: what an issue code means, how it is fixed, an example.

The way ``ruff rule CODE`` explains a rule. The content is :data:`pytest_autofix.codes.INFO`
and :data:`~pytest_autofix.codes.FIXERS`; which built-in fixers take a code is the registry's
table (:data:`pytest_autofix.fixers.registry.CODES`), and fixers of plugins and conftest.py files
are asked through the ``pytest_autofix_fixers`` hook. Loaded only when the option is given.

``python -m pytest_autofix.report.explain --write docs/codes.md`` rewrites the explanations in
docs/codes.md between its two marker comments; ``--check`` exits 1 when they are stale.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_autofix import codes

if TYPE_CHECKING:
    import pytest

    from pytest_autofix.model import Fixer

__all__ = [
    "builtin_fixers",
    "example_titles",
    "explain",
    "fixers_of",
    "kind_listing",
    "main",
    "markdown",
    "plugin_fixers",
    "unknown",
]

START = "<!-- explain:start (python -m pytest_autofix.report.explain --write docs/codes.md) -->"
END = "<!-- explain:end -->"
_WIDTH = 96
_POLICY = (
    "A fix is applied when its confidence reaches --autofix-min-confidence (default 0.8) and it "
    "is safe (or --autofix-unsafe is given); a rerun of the affected tests must prove it, or it "
    "is rolled back. The others are shown as suggested."
)


def fixers_of(code: str) -> list[str]:
    """The built-in fixers routed ``code``, in registration order."""
    from pytest_autofix.fixers import registry

    return [
        name
        for _, name, _ in registry.BUILTIN
        if any(codes.matches(code, p) for p in registry.CODES.get(name, ()))
    ]


def builtin_fixers() -> list[Fixer]:
    """The built-in fixers themselves (their families loaded), in registration order."""
    from pytest_autofix.fixers import environment, fixtures, imports
    from pytest_autofix.fixers.environment.missing_package import MissingPackage

    return [*imports.fixers(), MissingPackage(), *fixtures.fixers(), *environment.fixers()]


def example_titles() -> dict[str, list[str]]:
    """Built-in fixer name -> the titles of the examples it carries (its ``examples``,
    :class:`pytest_autofix.testing.Example`, each run by tests/test_fixer_examples.py)."""
    return {f.name: [str(e.title) for e in getattr(f, "examples", ())] for f in builtin_fixers()}


def plugin_fixers(config: pytest.Config, code: str) -> list[str]:
    """The fixers of plugins and conftest.py files (``pytest_autofix_fixers``) routed ``code``;
    a plugin whose hook fails is left out (this only explains)."""
    from pytest_autofix.fixers import registry

    builtin = {name for _, name, _ in registry.BUILTIN}
    kind = code.partition(".")[0]
    try:
        results = config.hook.pytest_autofix_fixers(config=config)
    except Exception:
        return []
    names: list[str] = []
    for fixer in (f for result in results for f in result or ()):
        name = str(getattr(fixer, "name", type(fixer).__name__))
        declared: Iterable[str] | None = getattr(fixer, "codes", None)
        if (
            name not in builtin
            and kind in getattr(fixer, "kinds", ())
            and (declared is None or any(codes.matches(code, p) for p in declared))
        ):
            names.append(name)
    return names


def _wrap(text: str, indent: str = "", first: str | None = None) -> list[str]:
    lines = textwrap.wrap(
        text,
        _WIDTH,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return lines or [""]


def _diff(example: codes.Example) -> list[str]:
    """The example's fix as a unified diff (``a/``, ``b/`` paths; a new file from /dev/null)."""
    out: list[str] = []
    for path, new in example.after.items():
        old = example.before.get(path)
        if old is None and not new:
            out += [f"new file {path} (empty)"]
            continue
        out += difflib.unified_diff(
            (old or "").splitlines(),
            new.splitlines(),
            "/dev/null" if old is None else f"a/{path}",
            f"b/{path}",
            lineterm="",
        )
    return out


def _files(files: dict[str, str]) -> list[str]:
    out: list[str] = []
    for path, text in files.items():
        out.append(f"{path}:" if text else f"{path} (empty)")
        out += [f"    {line}" if line else "" for line in text.splitlines()]
    return out


def explain(
    code: str,
    plugin_fixers: Sequence[str] = (),
    titles: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """The explanation of ``code`` (a known code) as text, ``ruff rule`` style: with the
    fixers of plugins routed it (``plugin_fixers``) and the titles of the examples each
    built-in fixer carries (``titles``, :func:`example_titles` when None)."""
    titles = example_titles() if titles is None else titles
    info = codes.INFO[code]
    kind = code.partition(".")[0]
    lines = [f"# {code}", "", *_wrap(f"{info.summary[0].upper()}{info.summary[1:]}.")]
    lines += ["", "## What it means", "", *_wrap(info.means)]
    lines += ["", "## What pytest shows", "", *_wrap(info.shows, "    ")]
    lines += ["", "## How autofix fixes it", ""]
    builtin = fixers_of(code)
    for name in builtin:
        lines += _wrap(f"- {name}: {codes.FIXERS[name]}.", "  ", first="")
        if titles.get(name):
            own = "Its own example" + ("s" if len(titles[name]) > 1 else "")
            lines += _wrap(f"{own}: {'; '.join(titles[name])}.", "  ")
    for name in plugin_fixers:
        lines += _wrap(f"- {name} (a plugin's or conftest.py's fixer)", "  ", first="")
    if not builtin and not plugin_fixers:
        lines += _wrap(
            "No built-in fixer takes it: it is reported as unfixable. A fixer of your own can "
            "take it (the pytest_autofix_fixers hook)."
        )
    else:
        lines += ["", *_wrap(_POLICY)]
    lines += ["", "## Example", "", *_files(info.example.before), ""]
    example = info.example
    if example.after:
        confidence = f", confidence {example.confidence:.2f}" if example.confidence else ""
        lines += [f"Fixed by {example.fixer}{confidence}:", "", *_diff(example)]
    elif example.fixer:
        lines += [f"Suggested by {example.fixer}, never applied: a person acts on it."]
    else:
        lines += ["Unfixable with the built-in fixers."]
    lines += [
        "",
        *_wrap(
            f"Act on it alone: --autofix-select={code}; leave it alone: --autofix-ignore={code} "
            f"(or the whole kind: {kind})."
        ),
    ]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def kind_listing(kind: str) -> str:
    """Every code of ``kind`` with its summary."""
    rows = [(c, s) for c, s in codes.CODES.items() if codes.matches(c, kind)]
    width = max(len(c) for c, _ in rows)
    lines = [f"# {kind}", ""]
    lines += [f"{c:<{width}}  {s}" for c, s in rows]
    lines += ["", "pytest --autofix-explain CODE says more about one."]
    return "\n".join(lines) + "\n"


def unknown(code: str) -> str:
    """The usage error for a code that does not exist: every code, with its summary."""
    width = max(len(c) for c in codes.CODES)
    lines = [f"--autofix-explain={code}: unknown issue code {code!r}{codes.did_you_mean(code)}"]
    lines.append(f"  kinds: {', '.join(codes.KINDS)}; codes:")
    lines += [f"  {c:<{width}}  {s}" for c, s in codes.CODES.items()]
    return "\n".join(lines)


def markdown() -> str:
    """The explanations of every code, as docs/codes.md holds them between its markers."""
    out = [START, ""]
    titles = example_titles()
    for code in codes.INFO:
        body = explain(code, titles=titles).split("\n", 2)[2]  # without the "# code" title
        out += [f"### `{code}`", "", "```text", body.rstrip("\n"), "```", ""]
    out.append(END)
    return "\n".join(out) + "\n"


def _replace(doc: str) -> str:
    head, sep, rest = doc.partition(START)
    if not sep or END not in rest:
        raise SystemExit(f"the markers {START!r} and {END!r} are missing")
    return head + markdown() + rest.split(END, 1)[1].removeprefix("\n")


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pytest_autofix.report.explain")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", metavar="DOC", help="rewrite the explanations in DOC")
    action.add_argument("--check", metavar="DOC", help="exit 1 when DOC's are stale")
    args = parser.parse_args(list(argv) if argv is not None else None)
    path = Path(args.write or args.check)
    doc = path.read_text(encoding="utf-8")
    new = _replace(doc)
    if args.write:
        path.write_text(new, encoding="utf-8")
        return 0
    if new != doc:
        print(f"{path}: the explanations are stale; run {START.split('(')[1].rstrip(') ->')}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
