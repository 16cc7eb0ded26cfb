"""Injected mistake: sqlparse/keywords.py was moved into the engine subpackage
(sqlparse/engine/keywords.py) and the lexer's import was updated, but tests/test_parse.py
still imports keywords from the top-level package."""

from injecting import move, replace

move("sqlparse/keywords.py", "sqlparse/engine/keywords.py")
replace(
    "sqlparse/lexer.py",
    "from sqlparse import keywords, tokens\n",
    "from sqlparse import tokens\nfrom sqlparse.engine import keywords\n",
)
