"""Injected mistake: a misspelled name in a multi-name from-import of toolz/recipes.py
(`frequences` for `frequencies`); `import toolz` then fails, and every test module with it."""
path = "toolz/recipes.py"
text = open(path, encoding="utf-8").read()
needle = "from .itertoolz import frequencies, pluck, getter\n"
if needle not in text:
    raise SystemExit(f"inject: {needle!r} not found in {path}")
text = text.replace(needle, "from .itertoolz import frequences, pluck, getter\n")
with open(path, "w", encoding="utf-8") as f:
    f.write(text)
