"""Query-string filters: each bad value is a 400 naming the parameter, never a 500."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from django.http import QueryDict
from rest_framework.exceptions import ValidationError

from people.models import parse_context_key

MAX_PARAM_CHARS = 500


def text_param(params: QueryDict, name: str) -> str:
    value = params.get(name, "").strip()
    if len(value) > MAX_PARAM_CHARS:
        raise ValidationError({name: f"longer than {MAX_PARAM_CHARS} characters"})
    if "\x00" in value:
        raise ValidationError({name: "contains a NUL character"})
    return value


def choice_param(params: QueryDict, name: str, choices: Iterable[str]) -> str:
    """One of `choices`, or "" when not given; anything else is a 400 (not an empty result)."""
    value = text_param(params, name)
    allowed = list(choices)
    if value and value not in allowed:
        raise ValidationError({name: f"{value[:50]!r} is not one of {', '.join(allowed)}"})
    return value


TRUE_TEXTS = frozenset({"true", "1"})
FALSE_TEXTS = frozenset({"false", "0"})


def bool_param(params: QueryDict, name: str) -> bool | None:
    """true/1 or false/0 (any case), None when not given; anything else is a 400."""
    value = text_param(params, name).lower()
    if not value:
        return None
    if value not in TRUE_TEXTS | FALSE_TEXTS:
        raise ValidationError({name: f"{value[:50]!r} is not true or false"})
    return value in TRUE_TEXTS


def context_filter(prefix: str, text: str) -> dict[str, str]:
    """Lookups matching the context `kind:name` through `prefix` (e.g. `memberships__context`)."""
    try:
        kind, name = parse_context_key(text)
    except ValueError as error:
        raise ValidationError({"context": str(error)}) from None
    return {f"{prefix}__kind": kind, f"{prefix}__name": name}


def moment_param(params: QueryDict, name: str) -> datetime | None:
    text = text_param(params, name)
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError({name: f"{text!r} is not an ISO-8601 date-time"}) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
