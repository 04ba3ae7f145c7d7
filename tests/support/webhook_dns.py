"""The tests' stub DNS for webhook hosts (SOCIOGRAPH_WEBHOOK_RESOLVER in the test settings, so
the session's Celery worker uses it too): the names of `NAMES` resolve as listed, any other name
through the system's resolver. No test needs a network DNS."""

from __future__ import annotations

import socket
from typing import Any

PUBLIC = "93.184.215.14"  # a global unicast address; tests never connect to it

NAMES: dict[str, list[str]] = {
    # The tests' receivers (on 127.0.0.1): allow-listed by the test settings.
    "receiver.sociograph.test": ["127.0.0.1"],
    # Internal addresses behind names that are not allow-listed.
    "loopback.sociograph.test": ["127.0.0.1"],
    "metadata.sociograph.test": ["169.254.169.254"],
    "private.sociograph.test": ["10.1.2.3"],
    "ipv6-loopback.sociograph.test": ["::1"],
    "mapped.sociograph.test": ["::ffff:127.0.0.1"],
    "half-public.sociograph.test": [PUBLIC, "192.168.1.10"],  # refused: one address is private
    # Public receivers: accepted, never contacted.
    "hooks.example.org": [PUBLIC],
    "public.sociograph.test": [PUBLIC, "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
}


def resolve(
    host: str,
    port: int | str | None,
    family: int = 0,
    type: int = 0,
    proto: int = 0,
    flags: int = 0,
) -> list[tuple[Any, ...]]:
    """socket.getaddrinfo, with the names of NAMES answered from the table."""
    if host not in NAMES:
        return socket.getaddrinfo(host, port, family, type, proto, flags)
    return [_answer(address, int(port or 0)) for address in NAMES[host]]


def _answer(address: str, port: int) -> tuple[Any, ...]:
    if ":" in address:
        return (socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port, 0, 0))
    return (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))
