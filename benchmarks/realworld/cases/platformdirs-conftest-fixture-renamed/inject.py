"""Rename the runtime_temp_dir fixture in tests/conftest.py to runtime_tmp_dir; its users in
tests/test_main.py and tests/test_unix.py (arguments and a usefixtures mark) are left behind."""

from injecting import replace

replace("tests/conftest.py", "def runtime_temp_dir(", "def runtime_tmp_dir(")
