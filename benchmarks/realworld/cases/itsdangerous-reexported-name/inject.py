"""Injected mistake: the time-based exceptions BadTimeSignature and SignatureExpired were
moved from itsdangerous/exc.py into itsdangerous/timed.py (the only module raising them) and
the package's re-exports were updated, but tests/test_itsdangerous/test_timed.py still imports
them from itsdangerous.exc."""

import re

from injecting import InjectError, expect, replace, write

EXC, TIMED, INIT = (
    "src/itsdangerous/exc.py",
    "src/itsdangerous/timed.py",
    "src/itsdangerous/__init__.py",
)

exc = expect(EXC, "from datetime import datetime\n")
m = re.search(
    r"\nclass BadTimeSignature\(BadSignature\):.*?\n\nclass SignatureExpired\(BadTimeSignature\):"
    r".*?\"\"\"\n\n\n",
    exc,
    re.S,
)
if not m:
    raise InjectError(f"the exception classes were not found in {EXC}")
block = m.group(0).strip("\n")
write(
    EXC,
    (exc[: m.start()] + "\n" + exc[m.end() :]).replace("from datetime import datetime\n", "", 1),
)

replace(TIMED, "from .exc import BadTimeSignature\nfrom .exc import SignatureExpired\n", "")
anchor = "\n\nclass TimestampSigner(Signer):"
replace(TIMED, anchor, "\n\n" + block + "\n" + anchor)

for name in ("BadTimeSignature", "SignatureExpired"):
    replace(INIT, f"from .exc import {name} as {name}\n", "")
old = "from .timed import TimedSerializer as TimedSerializer\n"
replace(
    INIT,
    old,
    "from .timed import BadTimeSignature as BadTimeSignature\n"
    "from .timed import SignatureExpired as SignatureExpired\n" + old,
)
