"""Injected mistake: the wrapper implementations src/cachetools/_cached.py and _cachedmethod.py
were moved (git mv) into a new private subpackage src/cachetools/_wrappers/ and the lazy imports
in cachetools/__init__.py were updated, but the moved modules' own relative imports of the
helpers that stayed at the top level (`from ._decorator import ...`,
`from ._descriptor import ...`) were not: they now resolve inside _wrappers."""

from injecting import expect, move, replace, write

PKG = "src/cachetools"
expect(f"{PKG}/_cached.py", "from ._decorator import (")
write(
    f"{PKG}/_wrappers/__init__.py",
    '"""Wrapper implementations behind cachetools.cached() and cachetools.cachedmethod()."""\n',
)
for name in ("_cached", "_cachedmethod"):
    replace(
        f"{PKG}/__init__.py",
        f"    from .{name} import _wrapper\n",
        f"    from ._wrappers.{name} import _wrapper\n",
    )
    move(f"{PKG}/{name}.py", f"{PKG}/_wrappers/{name}.py")
