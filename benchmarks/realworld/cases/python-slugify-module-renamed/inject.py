"""Injected mistake: slugify/_legacy.py was renamed to slugify/legacy.py (git mv) and the
package's own import (`from ._legacy import ...` in slugify/slugify.py) was updated, but the tests
load the module by its dotted name in a string, `importlib.import_module('slugify._legacy')`,
which a search for import statements does not find."""
import os

old, new = "slugify/_legacy.py", "slugify/legacy.py"
if not os.path.exists(old) or os.path.exists(new):
    raise SystemExit(f"inject: expected {old} and no {new}")
os.rename(old, new)

path = "slugify/slugify.py"
text = open(path, encoding="utf-8").read()
for a, b in (("from ._legacy import slugify as _legacy_slugify, smart_truncate\n",
              "from .legacy import slugify as _legacy_slugify, smart_truncate\n"),
             ("    slugify._legacy, which must never change.", "    slugify.legacy, which must never change.")):
    if a not in text:
        raise SystemExit(f"inject: {a!r} not found in {path}")
    text = text.replace(a, b, 1)
with open(path, "w", encoding="utf-8") as f:
    f.write(text)
