"""Which address a browser connected from, when a reverse proxy may stand in between.

A client can write any `X-Forwarded-For` header it likes; only what a proxy we trust appended is
true. So the header is read only when the connection itself comes from a trusted proxy, and then
from its end: each trusted proxy appends the address it was reached from, and the first address
from the right that is not a trusted proxy is the browser. Without trusted proxies the header is
ignored and the connecting address counts.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from facilitator.base.errors import InvalidInput

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_HOPS = 20  # a longer chain is not a real one: read no further than this from the right


def parse_trusted(values: Iterable[str]) -> tuple[Network, ...]:
    """`--trusted-proxy` values (addresses or CIDR ranges) as networks; a clear message for a bad one."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise InvalidInput(f"--trusted-proxy {value!r} is not an address or a range such as 10.0.0.0/8.") from None
    return tuple(networks)


def _address(text: str) -> Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def is_trusted(address: Address | None, trusted: tuple[Network, ...]) -> bool:
    return address is not None and any(address.version == net.version and address in net for net in trusted)


def client_address(remote: str | None, forwarded_for: Iterable[str], trusted: tuple[Network, ...]) -> str:
    """The browser's address. REMOTE is the connecting peer; FORWARDED_FOR the X-Forwarded-For headers."""
    current = _address(remote or "")
    if current is None:
        return (remote or "unknown")[:100]
    if not trusted:
        return str(current)
    hops = [hop for header in forwarded_for for hop in header.split(",")][-MAX_HOPS:]
    while is_trusted(current, trusted) and hops:
        previous = _address(hops.pop())
        if previous is None:
            break  # not an address: a proxy passed on what the client wrote; keep the last true hop
        current = previous
    return str(current)
