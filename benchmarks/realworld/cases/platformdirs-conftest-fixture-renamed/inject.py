"""Rename the runtime_temp_dir fixture in tests/conftest.py to runtime_tmp_dir; its users in
tests/test_main.py and tests/test_unix.py (arguments and a usefixtures mark) are left behind."""

from pathlib import Path

path = Path("tests/conftest.py")
text = path.read_text()
old = "def runtime_temp_dir("
if text.count(old) != 1:
    raise SystemExit(f"inject: expected one {old!r} in {path}")
path.write_text(text.replace(old, "def runtime_tmp_dir("))
