"""Where webhooks may be sent (no server-side request forgery).

A webhook URL is https (http too with `SOCIOGRAPH_WEBHOOK_ALLOW_HTTP`, for receivers on premise)
and its host resolves to public addresses only: none loopback, private, link-local, multicast,
reserved or unspecified, IPv4 and IPv6 alike (IPv4-mapped and 6to4 IPv6 addresses are judged by
the IPv4 address inside; decimal, octal and hex spellings of IPv4 are resolved like any other
name). `SOCIOGRAPH_WEBHOOK_ALLOWED_HOSTS` lets chosen internal receivers through: host names,
matched exactly, and addresses or networks in CIDR notation.

`validate_webhook_url` is the model field's validator (the API and the admin both use it);
`vet` checks again before each delivery and returns the checked addresses, which the delivery
connects to (a name that resolves elsewhere by then is not followed: no DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[..., Sequence[tuple[Any, ...]]]

DEFAULT_PORTS = {"http": 80, "https": 443}


class RefusedUrl(ValueError):
    """The URL may not be contacted; the message says why, without anything learnt by trying."""


class Unresolvable(RefusedUrl):
    """The host has no address (now: at delivery, it may have one later)."""


@dataclass(frozen=True)
class Target:
    """A vetted webhook URL: connect to `addresses` (in order), naming `host` in the Host header
    and, over https, in SNI and the certificate check."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def validate_webhook_url(url: str) -> None:
    try:
        vet(url)
    except RefusedUrl as refused:
        raise ValidationError(str(refused), code="refused_url") from refused


def vet(url: str) -> Target:
    """The URL's target, or RefusedUrl."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in allowed_schemes():
        raise RefusedUrl(f"Only {' or '.join(sorted(allowed_schemes()))} URLs are allowed.")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise RefusedUrl("The URL has no host.")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:
        raise RefusedUrl("The URL's port is not a number from 0 to 65535.") from None
    addresses = resolve(host, port)
    if not host_is_allowed(host) and not all(map(address_is_allowed, addresses)):
        raise RefusedUrl(
            "The host resolves to a loopback, private, link-local, multicast or reserved "
            "address; internal receivers must be allow-listed (SOCIOGRAPH_WEBHOOK_ALLOWED_HOSTS)."
        )
    path = parts.path or "/"
    path += f"?{parts.query}" if parts.query else ""
    return Target(scheme, host, port, path, tuple(str(address) for address in addresses))


def allowed_schemes() -> set[str]:
    return {"https", "http"} if settings.SOCIOGRAPH_WEBHOOK_ALLOW_HTTP else {"https"}


def resolve(host: str, port: int) -> list[IPAddress]:
    """The host's addresses, each once, in the resolver's order."""
    try:
        answers = resolver()(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise Unresolvable("The URL's host does not resolve.") from None
    addresses: list[IPAddress] = []
    for *_, sockaddr in answers:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])  # no IPv6 scope id
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise Unresolvable("The URL's host does not resolve.")
    return addresses


def resolver() -> Resolver:
    """socket.getaddrinfo, unless SOCIOGRAPH_WEBHOOK_RESOLVER names another (tests' stub DNS)."""
    dotted = getattr(settings, "SOCIOGRAPH_WEBHOOK_RESOLVER", "")
    return import_string(dotted) if dotted else socket.getaddrinfo


def is_public(address: IPAddress) -> bool:
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return is_public(embedded)
    internal = (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )
    return address.is_global and not internal


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    if isinstance(address, ipaddress.IPv4Address):
        return None
    return address.ipv4_mapped or address.sixtofour


def address_is_allowed(address: IPAddress) -> bool:
    return is_public(address) or any(address in network for network in allowed_networks())


def host_is_allowed(host: str) -> bool:
    return host in allowed_names()


def allowed_networks() -> list[IPNetwork]:
    networks = []
    for entry in settings.SOCIOGRAPH_WEBHOOK_ALLOWED_HOSTS:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            continue  # a host name
    return networks


def allowed_names() -> set[str]:
    return {
        entry.rstrip(".").lower()
        for entry in settings.SOCIOGRAPH_WEBHOOK_ALLOWED_HOSTS
        if not _is_network(entry)
    }


def _is_network(entry: str) -> bool:
    try:
        ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return False
    return True
