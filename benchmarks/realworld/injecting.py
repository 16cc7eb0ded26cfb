"""What the cases' ``inject.py`` scripts share: edits of the extracted sdist that fail loudly
when the tree does not look as the case expects (a new release, a wrong version).

``run.py`` runs a case's ``inject.py`` with the sdist's top directory as the working directory
and this directory on ``PYTHONPATH``, so a script does ``from injecting import move, replace``.
Paths are relative to the sdist's top directory.
"""

from __future__ import annotations

from pathlib import Path


class InjectError(SystemExit):
    """The tree is not what the injection expects: the case cannot be prepared."""

    def __init__(self, message: str) -> None:
        super().__init__(f"inject: {message}")


def read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InjectError(f"{path} does not exist") from None


def write(path: str, text: str) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def expect(path: str, *needles: str) -> str:
    """The text of ``path``, after checking that it holds every needle."""
    text = read(path)
    for needle in needles:
        if needle not in text:
            raise InjectError(f"{needle!r} not found in {path}")
    return text


def replace(path: str, old: str, new: str, count: int = 1) -> None:
    """Replace ``old`` by ``new`` in ``path``; ``old`` must occur exactly ``count`` times."""
    text = read(path)
    found = text.count(old)
    if found != count:
        raise InjectError(f"expected {count} of {old!r} in {path}, found {found}")
    write(path, text.replace(old, new))


def move(old: str, new: str) -> None:
    """Move a file (``git mv``): ``old`` must exist and ``new`` must not."""
    source, target = Path(old), Path(new)
    if not source.is_file() or target.exists():
        raise InjectError(f"expected {old} and no {new}")
    target.parent.mkdir(parents=True, exist_ok=True)
    source.rename(target)
