"""Injected mistake: the time-based exceptions BadTimeSignature and SignatureExpired were
moved from itsdangerous/exc.py into itsdangerous/timed.py (the only module raising them) and
the package's re-exports were updated, but tests/test_itsdangerous/test_timed.py still imports
them from itsdangerous.exc."""
import re

exc_path, timed_path, init_path = (
    "src/itsdangerous/exc.py", "src/itsdangerous/timed.py", "src/itsdangerous/__init__.py")

exc = open(exc_path, encoding="utf-8").read()
m = re.search(r"\nclass BadTimeSignature\(BadSignature\):.*?\n\nclass SignatureExpired\(BadTimeSignature\):.*?\"\"\"\n\n\n", exc, re.S)
if not m or "from datetime import datetime\n" not in exc:
    raise SystemExit(f"inject: the exception classes were not found in {exc_path}")
block = m.group(0).strip("\n")
exc = exc[:m.start()] + "\n" + exc[m.end():]
exc = exc.replace("from datetime import datetime\n", "", 1)
with open(exc_path, "w", encoding="utf-8") as f:
    f.write(exc)

timed = open(timed_path, encoding="utf-8").read()
old = "from .exc import BadTimeSignature\nfrom .exc import SignatureExpired\n"
anchor = "\n\nclass TimestampSigner(Signer):"
if old not in timed or anchor not in timed:
    raise SystemExit(f"inject: expected imports not found in {timed_path}")
timed = timed.replace(old, "", 1)
timed = timed.replace(anchor, "\n\n" + block + "\n" + anchor, 1)
with open(timed_path, "w", encoding="utf-8") as f:
    f.write(timed)

init = open(init_path, encoding="utf-8").read()
for name in ("BadTimeSignature", "SignatureExpired"):
    line = f"from .exc import {name} as {name}\n"
    if line not in init:
        raise SystemExit(f"inject: {line!r} not found in {init_path}")
    init = init.replace(line, "", 1)
old = "from .timed import TimedSerializer as TimedSerializer\n"
if old not in init:
    raise SystemExit(f"inject: {old!r} not found in {init_path}")
init = init.replace(old, "from .timed import BadTimeSignature as BadTimeSignature\n"
                    "from .timed import SignatureExpired as SignatureExpired\n" + old, 1)
with open(init_path, "w", encoding="utf-8") as f:
    f.write(init)
