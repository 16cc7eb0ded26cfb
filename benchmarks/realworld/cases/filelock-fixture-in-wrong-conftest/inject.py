"""Put the stale_lock fixture (a lock file left by a dead holder) into the sibling
tests/identity/conftest.py instead of tests/filesystem/conftest.py, where its users are:
the tests in tests/filesystem no longer see it."""

from pathlib import Path

FIXTURE = '''@pytest.fixture
def stale_lock(tmp_path: Path) -> Path:
    path: Final[Path] = tmp_path / "test.lock"
    path.write_text(DEAD_HOLDER, encoding="utf-8")
    return path


'''
IMPORT = "from tests.conftest import DEAD_HOLDER\n"


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    if text.count(old) != 1:
        raise SystemExit(f"inject: expected one {old!r} in {path}")
    path.write_text(text.replace(old, new))


fs = Path("tests/filesystem/conftest.py")
replace_once(fs, FIXTURE, "")
replace_once(fs, "\n" + IMPORT, "")

ident = Path("tests/identity/conftest.py")
replace_once(ident, "from filelock._identity import process_alive\n",
             "from filelock._identity import process_alive\n" + IMPORT)
ident.write_text(ident.read_text().rstrip("\n") + "\n\n\n" + FIXTURE.rstrip("\n") + "\n")
