"""Injected mistake: sqlparse/keywords.py was moved into the engine subpackage
(sqlparse/engine/keywords.py) and the lexer's import was updated, but tests/test_parse.py
still imports keywords from the top-level package."""
import os

old, new = "sqlparse/keywords.py", "sqlparse/engine/keywords.py"
if not os.path.exists(old) or os.path.exists(new):
    raise SystemExit(f"inject: expected {old} and no {new}")
os.rename(old, new)

path = "sqlparse/lexer.py"
text = open(path, encoding="utf-8").read()
needle = "from sqlparse import keywords, tokens\n"
if needle not in text:
    raise SystemExit(f"inject: {needle!r} not found in {path}")
text = text.replace(needle, "from sqlparse import tokens\nfrom sqlparse.engine import keywords\n")
with open(path, "w", encoding="utf-8") as f:
    f.write(text)
