"""A participant "app" that never quits: `python stubborn_app.py MODE MARKER`.

It announces itself to textual-serve as a Textual app (the `__GANGLION__` line), starts a child in
its process group, then ignores its input. MODE `sleep` then only sleeps; `flood` writes screen-sized
output packets without pause, as an app drawn on a huge screen does, so that it blocks as soon as
nobody reads it. Both it and its child end by themselves after LIFETIME seconds, so a failed test
cannot leave them running for ever. MARKER is on both command lines, for the test to find them.
"""

from __future__ import annotations

import subprocess
import sys
import time

LIFETIME = 90
PACKET = b"D" + (256 * 1024).to_bytes(4, "big") + b"x" * (256 * 1024)


def main(mode: str, marker: str) -> None:
    subprocess.Popen([sys.executable, "-c", f"import time; time.sleep({LIFETIME})", marker])
    out = sys.stdout.buffer
    out.write(b"__GANGLION__\n")
    out.flush()
    deadline = time.monotonic() + LIFETIME
    while time.monotonic() < deadline:
        if mode == "flood":
            out.write(PACKET)
            out.flush()
        else:
            time.sleep(1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
