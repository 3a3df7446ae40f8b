"""Serve echo_app.py to browsers with textual-serve: `python serve_echo.py PORT OUT_DIR`.

Each browser connection runs `<this python> echo_app.py OUT_DIR` as a new process (textual-serve
uses create_subprocess_shell, hence the quoting). Stop with SIGINT (textual-serve exits gracefully).
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from textual_serve.server import Server

ECHO_APP = Path(__file__).resolve().with_name("echo_app.py")


def main(argv: list[str]) -> None:
    if len(argv) != 3:
        sys.exit("usage: serve_echo.py PORT OUT_DIR")
    port, out_dir = int(argv[1]), argv[2]
    command = " ".join(shlex.quote(part) for part in (sys.executable, str(ECHO_APP), out_dir))
    Server(command, host="127.0.0.1", port=port, title="echo").serve()


if __name__ == "__main__":
    main(sys.argv)
