"""`python serve_command.py PORT COMMAND [--heartbeat S] [--send-timeout S]
[--public-url URL] [--trusted-proxy ADDR ...]`: the facilitator's
ParticipantServer on 127.0.0.1:PORT around any COMMAND (a stubborn app, a flooding app).

The abuse tests use it to make a participant process misbehave in ways the real app does only under
load, with short timeouts so that they run in seconds. Stop it with SIGINT.
"""

from __future__ import annotations

import argparse
import sys

from facilitator.remote import app_process
from facilitator.remote.proxies import parse_trusted
from facilitator.remote.web import ParticipantServer


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("command")
    parser.add_argument("--heartbeat", type=float)
    parser.add_argument("--send-timeout", type=float)
    parser.add_argument("--public-url")
    parser.add_argument("--trusted-proxy", action="append", default=[])
    args = parser.parse_args(argv)
    if args.send_timeout:
        app_process.SEND_TIMEOUT = args.send_timeout
    server = ParticipantServer(
        args.command,
        host="127.0.0.1",
        port=args.port,
        title="abuse test",
        public_url=args.public_url,
        behind_proxy=args.public_url is not None,
        trusted_proxies=parse_trusted(args.trusted_proxy),
    )
    if args.heartbeat:
        server.heartbeat = args.heartbeat
    server.serve()


if __name__ == "__main__":
    main(sys.argv[1:])
