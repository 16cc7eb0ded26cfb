"""Injected mistake: a typing clean-up in tomlkit/_types.py (the module has
`from __future__ import annotations`) moved `from typing import TypeVar` under
`if TYPE_CHECKING:`, but `WT = TypeVar(...)` still runs at import time."""
path = "tomlkit/_types.py"
text = open(path, encoding="utf-8").read()
old_top = "from typing import TYPE_CHECKING\nfrom typing import Any\nfrom typing import TypeVar\n"
old_block = "    from typing import Protocol\n"
if old_top not in text or old_block not in text or 'WT = TypeVar("WT"' not in text:
    raise SystemExit(f"inject: expected text not found in {path}")
text = text.replace(old_top, "from typing import TYPE_CHECKING\nfrom typing import Any\n", 1)
text = text.replace(old_block, "    from typing import Protocol\n    from typing import TypeVar\n", 1)
with open(path, "w", encoding="utf-8") as f:
    f.write(text)
