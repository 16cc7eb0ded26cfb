"""Put the stale_lock fixture (a lock file left by a dead holder) into the sibling
tests/identity/conftest.py instead of tests/filesystem/conftest.py, where its users are:
the tests in tests/filesystem no longer see it."""

from injecting import read, replace, write

FIXTURE = """@pytest.fixture
def stale_lock(tmp_path: Path) -> Path:
    path: Final[Path] = tmp_path / "test.lock"
    path.write_text(DEAD_HOLDER, encoding="utf-8")
    return path


"""
IMPORT = "from tests.conftest import DEAD_HOLDER\n"
FS, IDENT = "tests/filesystem/conftest.py", "tests/identity/conftest.py"

replace(FS, FIXTURE, "")
replace(FS, "\n" + IMPORT, "")
replace(
    IDENT,
    "from filelock._identity import process_alive\n",
    "from filelock._identity import process_alive\n" + IMPORT,
)
write(IDENT, read(IDENT).rstrip("\n") + "\n\n\n" + FIXTURE.rstrip("\n") + "\n")
