"""The organization's own mail domains: an address elsewhere is external (mail, calendars)."""

from __future__ import annotations

from collections.abc import Iterable

from intake.identities import normalized_email


def domain_set(entries: Iterable[str]) -> frozenset[str]:
    """Lower-case addresses or domains; a domain may be written with its @ ("@example.org")."""
    return frozenset(normalized_email(entry).lstrip("@") for entry in entries if entry.strip())


def in_domains(address: str, domains: frozenset[str]) -> bool:
    """Whether the address's domain, or a domain it is a subdomain of, is listed."""
    domain = address.rpartition("@")[2]
    while domain:
        if domain in domains:
            return True
        domain = domain.partition(".")[2]
    return False


def is_external(address: str, internal_domains: frozenset[str]) -> bool:
    """Outside the internal domains; with none given, no address is external."""
    return bool(internal_domains) and not in_domains(address, internal_domains)
