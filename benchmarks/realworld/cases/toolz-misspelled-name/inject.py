"""Injected mistake: a misspelled name in a multi-name from-import of toolz/recipes.py
(`frequences` for `frequencies`); `import toolz` then fails, and every test module with it."""

from injecting import replace

replace(
    "toolz/recipes.py",
    "from .itertoolz import frequencies, pluck, getter\n",
    "from .itertoolz import frequences, pluck, getter\n",
)
