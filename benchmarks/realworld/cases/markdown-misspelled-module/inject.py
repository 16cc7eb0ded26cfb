"""Injected mistake: a misspelled module name in a plain import of
tests/test_syntax/extensions/test_fenced_code.py: `import markdown.extensions.codehighlite`
(the extension module is `codehilite`); the uses below still spell it right."""
path = "tests/test_syntax/extensions/test_fenced_code.py"
text = open(path, encoding="utf-8").read()
needle = "\nimport markdown.extensions.codehilite\n"
if needle not in text:
    raise SystemExit(f"inject: {needle!r} not found in {path}")
text = text.replace(needle, "\nimport markdown.extensions.codehighlite\n", 1)
with open(path, "w", encoding="utf-8") as f:
    f.write(text)
