"""Injected mistake: slugify/_legacy.py was renamed to slugify/legacy.py (git mv) and the
package's own import (`from ._legacy import ...` in slugify/slugify.py) was updated, but the tests
load the module by its dotted name in a string, `importlib.import_module('slugify._legacy')`,
which a search for import statements does not find."""

from injecting import move, replace

move("slugify/_legacy.py", "slugify/legacy.py")
replace(
    "slugify/slugify.py",
    "from ._legacy import slugify as _legacy_slugify, smart_truncate\n",
    "from .legacy import slugify as _legacy_slugify, smart_truncate\n",
)
replace(
    "slugify/slugify.py",
    "    slugify._legacy, which must never change.",
    "    slugify.legacy, which must never change.",
)
