"""Helper process for the crash tests: write the first file inside a Transaction, then hang.

Usage: python _crash_writer.py ROOTDIR STATE_DIR PATH NEW_TEXT [PATH NEW_TEXT ...]

Writes the first PATH, reads the others (so they are known but untouched), prints "WROTE",
flushes, and sleeps until it is killed. A test kills it with SIGKILL to simulate a crash.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from pytest_autofix.transaction import Transaction


def main(argv: list[str]) -> None:
    rootdir, state_dir, *pairs = argv
    paths, texts = pairs[0::2], pairs[1::2]
    with Transaction(Path(rootdir), Path(state_dir)) as tx:
        for path in paths:
            tx.read(path)
        tx.write(paths[0], texts[0].encode())
        print("WROTE", flush=True)
        time.sleep(600)


if __name__ == "__main__":
    main(sys.argv[1:])
