"""`python -m facilitator.participant --data-dir DIR SESSION`: run by textual-serve per browser."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="facilitator-participant")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("session")
    args = parser.parse_args(argv)
    from facilitator.participant.app import ParticipantApp

    app = ParticipantApp(Path(args.data_dir), args.session, peer=os.environ.get("FACILITATOR_PEER", "local"))
    app.run()
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
