"""Injected mistake: a typing clean-up in tomlkit/_types.py (the module has
`from __future__ import annotations`) moved `from typing import TypeVar` under
`if TYPE_CHECKING:`, but `WT = TypeVar(...)` still runs at import time."""

from injecting import expect, replace

PATH = "tomlkit/_types.py"
expect(PATH, 'WT = TypeVar("WT"')
replace(
    PATH,
    "from typing import TYPE_CHECKING\nfrom typing import Any\nfrom typing import TypeVar\n",
    "from typing import TYPE_CHECKING\nfrom typing import Any\n",
)
replace(
    PATH,
    "    from typing import Protocol\n",
    "    from typing import Protocol\n    from typing import TypeVar\n",
)
