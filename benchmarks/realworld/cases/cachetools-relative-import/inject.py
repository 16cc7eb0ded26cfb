"""Injected mistake: the wrapper implementations src/cachetools/_cached.py and _cachedmethod.py
were moved (git mv) into a new private subpackage src/cachetools/_wrappers/ and the lazy imports
in cachetools/__init__.py were updated, but the moved modules' own relative imports of the
helpers that stayed at the top level (`from ._decorator import ...`,
`from ._descriptor import ...`) were not: they now resolve inside _wrappers."""
import os

pkg = "src/cachetools"
init = os.path.join(pkg, "__init__.py")
text = open(init, encoding="utf-8").read()
for name in ("_cached", "_cachedmethod"):
    old = f"    from .{name} import _wrapper\n"
    if old not in text or not os.path.exists(os.path.join(pkg, name + ".py")):
        raise SystemExit(f"inject: {old!r} or {name}.py not found")
    text = text.replace(old, f"    from ._wrappers.{name} import _wrapper\n", 1)
if "from ._decorator import (" not in open(os.path.join(pkg, "_cached.py"), encoding="utf-8").read():
    raise SystemExit("inject: _cached.py does not import from ._decorator")
os.makedirs(os.path.join(pkg, "_wrappers"))
with open(os.path.join(pkg, "_wrappers", "__init__.py"), "w", encoding="utf-8") as f:
    f.write('"""Wrapper implementations behind cachetools.cached() and cachetools.cachedmethod()."""\n')
for name in ("_cached", "_cachedmethod"):
    os.rename(os.path.join(pkg, name + ".py"), os.path.join(pkg, "_wrappers", name + ".py"))
with open(init, "w", encoding="utf-8") as f:
    f.write(text)
