"""Split tests/test_funcs.py: its TestAsTuple class moves to a new module tests/test_astuple.py
(with a copy of the imports and constants), but the session fixture ``C`` that the moved tests
use stays behind in test_funcs.py, where the new module cannot see it."""

from pathlib import Path

path = Path("tests/test_funcs.py")
text = path.read_text()
start = text.index("class TestAsTuple:\n")
end = text.index("class TestHas:\n")
header_end = text.index('@pytest.fixture(scope="session", name="C")\n')
header = text[:header_end]
old_doc = '"""\nTests for `attr._funcs`.\n"""\n'
if text.count("class TestAsTuple:\n") != 1 or header.count(old_doc) != 1:
    raise SystemExit("inject: tests/test_funcs.py does not look as expected")
new_header = header.replace(old_doc, '"""\nTests for `attr.astuple`.\n"""\n')
Path("tests/test_astuple.py").write_text(new_header + text[start:end].rstrip("\n") + "\n")
path.write_text(text[:start] + text[end:])
