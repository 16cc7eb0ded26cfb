"""Misspell the mock_interpreter_name fixture in one test's arguments
(tests/test_tags.py, TestSysTags.test_interpreter_name); the body keeps the right name."""

from injecting import replace

OLD = "        self, name: str, expected: str, mock_interpreter_name: Callable[[str], bool]\n"
replace("tests/test_tags.py", OLD, OLD.replace("mock_interpreter_name", "mock_interpeter_name"))
