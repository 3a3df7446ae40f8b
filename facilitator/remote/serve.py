"""`facilitator serve ID`: serve the participant view of a session to browsers with textual-serve.

textual-serve runs one participant app process per browser connection. We add to its `Server` (see
web.py): the browser's address passed to that process (for the wrong-code rate limit; read from
X-Forwarded-For only when the connection comes from a `--trusted-proxy`), caps on live processes,
processes that always end, and our own start-up lines (URL and join code).
"""

from __future__ import annotations

import ipaddress
import json
import os
import shlex
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from facilitator.base.errors import FacilitatorError, InvalidInput
from facilitator.base.terminal_text import shown
from facilitator.remote.ratelimit import MAX_PER_ADDRESS
from facilitator.remote.room import open_round_for
from facilitator.storage.atomic import PRIVATE_FILE, atomic_write_bytes
from facilitator.storage.layout import SERVING_FILE, ballots_dir

if TYPE_CHECKING:
    from facilitator.storage.store import SessionStore


def participant_command(data_dir: Path, session_id: str) -> str:
    """The shell command textual-serve runs for each browser (it uses create_subprocess_shell)."""
    return " ".join(
        shlex.quote(part)
        for part in (sys.executable, "-m", "facilitator.participant", "--data-dir", str(data_dir), session_id)
    )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cmd_serve(
    store: SessionStore,
    session_id: str,
    host: str,
    port: int,
    public_url: str | None,
    trusted_proxies: Iterable[str] = (),
) -> int:
    from facilitator.remote.proxies import parse_trusted

    if not 0 < port < 65536:
        raise InvalidInput(f"Port {port} is not a port number (1-65535).")
    trusted = parse_trusted(trusted_proxies)
    session_id = store.resolve(session_id)
    session = store.load(session_id)
    _check_port_free(host, port)
    folder = ballots_dir(store.data_dir, session_id)
    try:
        state, started = open_round_for(folder, session)
    except OSError as error:
        raise FacilitatorError(f"Cannot write the round file in {folder}: {error.strerror or error}.") from None
    url = public_url or f"http://{_url_host(host)}:{port}"

    print(shown(f"Remote scoring for {session.alliance} ({session.kind} {session.date})"))
    print(shown(f"  Participants open:  {url}"))
    print(f"  Join code:          {state.code}   (round {state.round}{'' if started else ', already open'})")
    if not is_loopback(host):
        print(
            f"\nWarning: listening on {host}, not only on this computer. Anyone who can reach it on port "
            f"{port} can open the page; only the join code keeps them out. Share the link and the code "
            "with the meeting's participants only, and close the round when scoring is done.",
            file=sys.stderr,
        )
    elif public_url is None:
        print("  (This computer only. To let other devices join, pass --host with this computer's address.)")
    if public_url is not None and not trusted:
        print(
            "\nNote: behind a proxy, every participant seems to come from the proxy's address, and one address "
            f"may hold only {MAX_PER_ADDRESS} pages. Pass --trusted-proxy with the proxy's address so that "
            "each browser counts by its own address (read from X-Forwarded-For, which is otherwise ignored).",
            file=sys.stderr,
        )
    print("\nThe facilitator's screen shows who has joined and scored; a new round there changes the code.")

    # aiohttp and textual-serve: only now that they are needed. Imported before "Press Ctrl+C" is
    # printed: a Ctrl+C pressed during their import (a second or more on a busy machine) could be
    # swallowed by a library's import and leave the server running.
    from facilitator.remote.web import ParticipantServer

    server = ParticipantServer(
        participant_command(store.data_dir, session_id),
        host=host,
        port=port,
        title=f"{session.alliance}: partnership health check",
        public_url=url,
        behind_proxy=public_url is not None,
        trusted_proxies=trusted,
    )
    _write_serving(folder, url, host, port)
    print("Press Ctrl+C to stop serving.", flush=True)
    try:
        server.serve()
    except OSError as error:
        raise FacilitatorError(
            f"Cannot listen on {host}:{port}: {error.strerror or error}. "
            f"Is another server using that port? Try --port {port + 1}."
        ) from None
    finally:
        _clear_serving(folder)
    return 0


def _url_host(host: str) -> str:
    """The host part of the address to give participants."""
    if host in ("0.0.0.0", "::", ""):
        host = lan_address()  # every interface: name the one other devices are most likely to reach
    return f"[{host}]" if ":" in host else host


def lan_address() -> str:
    """This computer's address on its network (no packet is sent: a UDP socket only picks a route)."""
    import socket

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere real
            address: str = probe.getsockname()[0]  # (host, port) for an AF_INET socket
            return address
    except OSError:
        return socket.gethostname()


def _check_port_free(host: str, port: int) -> None:
    """Fail before printing a code and URL that would not work (aiohttp reports this late)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise InvalidInput(f"Cannot listen on {host}: {error.strerror or error}.") from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            raise FacilitatorError(
                f"Cannot listen on {host}:{port}: {error.strerror or error}. "
                f"Is another server using that port? Try --port {port + 1}."
            ) from None


def _write_serving(folder: Path, url: str, host: str, port: int) -> None:
    """Tell the facilitator's app where participants connect (it shows the address on screen)."""
    data = {"url": url, "host": host, "port": port, "pid": os.getpid()}
    try:
        atomic_write_bytes(folder / SERVING_FILE, json.dumps(data).encode("utf-8"), mode=PRIVATE_FILE)
    except OSError:
        pass


def _clear_serving(folder: Path) -> None:
    try:
        os.unlink(folder / SERVING_FILE)
    except OSError:
        pass


def read_serving(folder: Path) -> dict[str, object] | None:
    """Where `serve` listens for this session, if a serving process is alive."""
    from facilitator.remote.files import UnreadableFile, loads_json, read_regular_file
    from facilitator.storage.atomic import pid_alive

    try:
        data = loads_json(read_regular_file(Path(folder) / SERVING_FILE, 10_000))
    except (OSError, UnreadableFile):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("pid"), int) or not pid_alive(data["pid"]):
        return None
    return data if isinstance(data.get("url"), str) else None
