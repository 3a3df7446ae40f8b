"""Behind a proxy (issue 13, item 4): X-Forwarded-For counts only when a trusted proxy wrote it, so a
client rotating that header is still one address to the caps and the wrong-code limits."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from abuse_support import HERE, environment_of, free_port, page, processes_with, refused, running  # noqa: E402

from facilitator.base.errors import InvalidInput  # noqa: E402
from facilitator.remote.proxies import client_address, parse_trusted  # noqa: E402
from facilitator.remote.ratelimit import MAX_PER_ADDRESS  # noqa: E402


def test_forwarded_for_is_ignored_without_a_trusted_proxy():
    assert client_address("127.0.0.9", ["6.6.6.6"], ()) == "127.0.0.9"
    assert client_address("127.0.0.9", ["6.6.6.6"], parse_trusted(["10.0.0.1"])) == "127.0.0.9"


def test_the_browser_is_the_last_hop_no_trusted_proxy_added():
    trusted = parse_trusted(["127.0.0.10", "10.0.0.0/8"])
    assert client_address("127.0.0.10", ["6.6.6.6, 10.1.2.3"], trusted) == "6.6.6.6"
    assert (
        client_address("127.0.0.10", ["6.6.6.6, 192.0.2.7"], trusted) == "192.0.2.7"
    )  # what the client wrote: ignored
    assert client_address("127.0.0.10", ["6.6.6.6", "192.0.2.7"], trusted) == "192.0.2.7"  # two headers, one list
    assert client_address("127.0.0.10", ["not-an-address"], trusted) == "127.0.0.10"
    assert client_address("127.0.0.10", [], trusted) == "127.0.0.10"
    assert client_address("::ffff:127.0.0.10", ["[2001:db8::5]:443"], trusted) == "2001:db8::5"
    assert client_address("127.0.0.10", ["10.0.0.2, 10.0.0.3"], trusted) == "10.0.0.2"  # all trusted: the leftmost


def test_a_bad_trusted_proxy_is_one_clear_message(cli):
    with pytest.raises(InvalidInput, match="not an address"):
        parse_trusted(["10.0.0.300"])
    result = cli("serve", "any", "--trusted-proxy", "proxy.example")
    assert result.returncode == 1 and "--trusted-proxy 'proxy.example'" in result.stderr


async def test_rotating_forwarded_for_gets_no_more_pages_without_a_trusted_proxy(tmp_path):
    marker = f"proxy-{uuid.uuid4().hex}"
    port = free_port()
    app = " ".join([sys.executable, str(HERE / "stubborn_app.py"), "sleep", marker])
    args = [str(HERE / "serve_command.py"), str(port), app, "--public-url", "https://meet.example.org"]
    with running(args, port, tmp_path) as server:
        held = []
        try:
            for n in range(MAX_PER_ADDRESS):
                opened = page(port, "127.0.0.12", headers={"X-Forwarded-For": f"198.51.100.{n}"})
                held.append(opened)
                assert not await refused(await opened.__aenter__(), timeout=0.3)
            async with page(port, "127.0.0.12", headers={"X-Forwarded-For": "198.51.100.99"}) as websocket:
                assert await refused(websocket), "a rotated X-Forwarded-For opened a 7th page"
            apps = [
                pid
                for pid in processes_with(marker, server.pid)
                if "stubborn_app" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")
            ]
            assert {environment_of(pid)["FACILITATOR_PEER"] for pid in apps} == {"127.0.0.12"}
        finally:
            for opened in held:
                await opened.__aexit__(None, None, None)


async def test_a_trusted_proxy_names_the_browser(tmp_path):
    marker = f"proxy-{uuid.uuid4().hex}"
    port = free_port()
    app = " ".join([sys.executable, str(HERE / "stubborn_app.py"), "sleep", marker])
    args = [
        str(HERE / "serve_command.py"),
        str(port),
        app,
        "--public-url",
        "https://meet.example.org",
        "--trusted-proxy",
        "127.0.0.13",
    ]
    with running(args, port, tmp_path) as server:
        async with page(port, "127.0.0.13", headers={"X-Forwarded-For": "6.6.6.6, 198.51.100.7"}) as websocket:
            assert not await refused(websocket, timeout=1)
            apps = [
                pid
                for pid in processes_with(marker, server.pid)
                if "stubborn_app" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")
            ]
            assert [environment_of(pid)["FACILITATOR_PEER"] for pid in apps] == ["198.51.100.7"]
