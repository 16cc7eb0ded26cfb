"""Injected mistake: a misspelled module name in a plain import of
tests/test_syntax/extensions/test_fenced_code.py: `import markdown.extensions.codehighlite`
(the extension module is `codehilite`); the uses below still spell it right."""

from injecting import replace

replace(
    "tests/test_syntax/extensions/test_fenced_code.py",
    "\nimport markdown.extensions.codehilite\n",
    "\nimport markdown.extensions.codehighlite\n",
)
