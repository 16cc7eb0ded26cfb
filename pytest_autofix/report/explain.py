"""``pytest --autofix-explain CODE``: what an issue code means, how it is fixed, an example.

The way ``ruff rule CODE`` explains a rule. What the code means is
:data:`pytest_autofix.codes.INFO`, what each fixer does :data:`~pytest_autofix.codes.FIXERS`;
which built-in fixers take a code is the registry's table
(:data:`pytest_autofix.fixers.registry.CODES`), and fixers of plugins and conftest.py files are
asked through the ``pytest_autofix_fixers`` hook. The examples are the built-in fixers' own
(their ``examples``, each run for real by tests/test_fixer_examples.py): under a code, every
example whose issue has that code (its ``code``, else its fixer's only code), its diff as the
report shows a fix's. Loaded only when the option is given: it imports the fixers.

``python -m pytest_autofix.report.explain --write docs/codes.md`` rewrites the explanations in
docs/codes.md between its two marker comments; ``--check`` exits 1 when they are stale.
"""

from __future__ import annotations

import argparse
import functools
import sys
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_autofix import codes

if TYPE_CHECKING:
    import pytest

    from pytest_autofix.model import Example, Fixer

__all__ = [
    "builtin_fixers",
    "diff",
    "example_code",
    "examples_of",
    "explain",
    "fixers_of",
    "kind_listing",
    "main",
    "markdown",
    "plugin_fixers",
    "project_files",
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


@functools.cache
def builtin_fixers() -> tuple[Fixer, ...]:
    """The built-in fixers themselves (their families loaded), in registration order."""
    from pytest_autofix.fixers import environment, fixtures, imports
    from pytest_autofix.fixers.environment.missing_package import MissingPackage

    return (*imports.fixers(), MissingPackage(), *fixtures.fixers(), *environment.fixers())


def example_code(fixer: Fixer, example: Example) -> str | None:
    """The code of the issue ``example`` gives: its ``code``, else the fixer's only code (None
    when the fixer takes several and the example does not say)."""
    if example.code is not None:
        return example.code
    declared: frozenset[str] = getattr(fixer, "codes", frozenset())
    return next(iter(declared)) if len(declared) == 1 else None


def examples_of(code: str) -> list[tuple[str, Example]]:
    """``(fixer name, example)`` of every built-in fixer's example whose issue has ``code``,
    in registration order: the examples ``--autofix-explain`` shows."""
    routed = fixers_of(code)
    return [
        (fixer.name, example)
        for fixer in builtin_fixers()
        if fixer.name in routed
        for example in getattr(fixer, "examples", ())
        if example_code(fixer, example) == code
    ]


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


def project_files(files: Mapping[str, str | bytes] | str | None) -> dict[str, bytes]:
    """An example's files as :func:`pytest_autofix.testing.check_example` writes them: by
    path (a single text is the test module ``test_snippet.py``), texts dedented."""
    from pytest_autofix import testing

    return {} if files is None else testing.project_files(files)


def diff(example: Example) -> str:
    """The diff of ``example``'s fix as the report shows a fix's (the engine's
    :func:`~pytest_autofix.engine.plan.unified_diff`, file by file in path order); empty for a
    suggestion."""
    from pytest_autofix.engine.plan import unified_diff

    before, after = project_files(example.before), project_files(example.after)
    return "".join(unified_diff(path, before.get(path), after[path]) for path in sorted(after))


def _files(files: dict[str, bytes]) -> list[str]:
    out: list[str] = []
    for path, data in files.items():
        text = data.decode("utf-8", "replace")
        out.append(f"{path}:" if text else f"{path} (empty)")
        out += [f"    {line}" if line else "" for line in text.splitlines()]
    return out


def _outcome(fixer: str, example: Example) -> str:
    """Who fixes the example and whether a run applies it by default."""
    said = fixer if example.confidence is None else f"{fixer}, confidence {example.confidence:.2f}"
    if example.after is None:
        return f"Suggested by {said}, never applied: a person acts on it."
    if example.confidence is None:
        return f"Fixed by {fixer}:"
    if example.safe is False:
        return f"Proposed by {said}, unsafe: applied only with --autofix-unsafe:"
    if example.confidence < 0.8:
        return f"Proposed by {said}: below the default --autofix-min-confidence, suggested:"
    return f"Fixed by {said}:"


def _example(fixer: str, example: Example) -> list[str]:
    lines = [f"### {example.title}", "", *_files(project_files(example.before)), ""]
    lines += _wrap(_outcome(fixer, example))
    if example.after is not None:
        lines += ["", *diff(example).splitlines()]
    return lines


def _examples(code: str, examples: Sequence[tuple[str, Example]]) -> list[str]:
    if examples:
        lines = ["", "## Examples" if len(examples) > 1 else "## Example"]
        for fixer, example in examples:
            lines += ["", *_example(fixer, example)]
        return lines
    unfixable = codes.INFO[code].example
    if unfixable is None:
        return []
    return [
        "",
        "## Example",
        "",
        *_files(project_files(unfixable)),
        "",
        "Unfixable with the built-in fixers.",
    ]


def explain(
    code: str,
    plugin_fixers: Sequence[str] = (),
    examples: Sequence[tuple[str, Example]] | None = None,
) -> str:
    """The explanation of ``code`` (a known code) as text, ``ruff rule`` style: with the
    fixers of plugins routed it (``plugin_fixers``) and the built-in fixers' examples of it
    (``examples``, :func:`examples_of` when None)."""
    examples = examples_of(code) if examples is None else examples
    info = codes.INFO[code]
    kind = code.partition(".")[0]
    lines = [f"# {code}", "", *_wrap(f"{info.summary[0].upper()}{info.summary[1:]}.")]
    lines += ["", "## What it means", "", *_wrap(info.means)]
    lines += ["", "## What pytest shows", "", *_wrap(info.shows, "    ")]
    lines += ["", "## How autofix fixes it", ""]
    builtin = fixers_of(code)
    for name in builtin:
        lines += _wrap(f"- {name}: {codes.FIXERS[name]}.", "  ", first="")
    for name in plugin_fixers:
        lines += _wrap(f"- {name} (a plugin's or conftest.py's fixer)", "  ", first="")
    if not builtin and not plugin_fixers:
        lines += _wrap(
            "No built-in fixer takes it: it is reported as unfixable. A fixer of your own can "
            "take it (the pytest_autofix_fixers hook)."
        )
    else:
        lines += ["", *_wrap(_POLICY)]
    lines += _examples(code, examples)
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
    for code in codes.INFO:
        body = explain(code).split("\n", 2)[2]  # without the "# code" title
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
