"""Misspell the mock_interpreter_name fixture in one test's arguments
(tests/test_tags.py, TestSysTags.test_interpreter_name); the body keeps the right name."""

from pathlib import Path

path = Path("tests/test_tags.py")
text = path.read_text()
old = "        self, name: str, expected: str, mock_interpreter_name: Callable[[str], bool]\n"
if text.count(old) != 1:
    raise SystemExit(f"inject: expected one {old!r} in {path}")
path.write_text(text.replace(old, old.replace("mock_interpreter_name", "mock_interpeter_name")))
