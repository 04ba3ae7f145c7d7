"""The query parameters of a SCIM list: `filter` (only `attribute eq "value"`), `startIndex` and
`count` (RFC 7644 section 3.4.2)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from rest_framework.request import Request

from web.scim.errors import ScimError

LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
EQUALS = re.compile(r'^\s*([A-Za-z][\w.:-]*)\s+eq\s+("(?:[^"\\]|\\.)*")\s*$', re.IGNORECASE)


@dataclass(frozen=True)
class Equality:
    attribute: str  # as the filterable attribute is spelled here, e.g. "userName"
    value: str


def parse_filter(text: str, attributes: Sequence[str]) -> Equality | None:
    """`attr eq "value"` for one of `attributes` (matched case-insensitively, as SCIM attribute
    names are); None without a filter; an `invalidFilter` ScimError for anything else."""
    if not text.strip():
        return None
    match = EQUALS.match(text)
    known = {name.lower(): name for name in attributes}
    if match is None or match[1].lower() not in known:
        allowed = ", ".join(attributes)
        raise ScimError(400, f'Only `attribute eq "value"` filters on {allowed}.', "invalidFilter")
    try:
        value = json.loads(match[2])
    except json.JSONDecodeError:
        raise ScimError(400, "The filter's value is not a valid string.", "invalidFilter") from None
    return Equality(known[match[1].lower()], value)


def _integer(request: Request, name: str, default: int) -> int:
    text = request.query_params.get(name, "")
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise ScimError(400, f"{name} must be an integer.", "invalidValue") from None


def list_response(
    request: Request, items: Sequence[Any] | QuerySet[Any], shape: Callable[[Any], dict[str, Any]]
) -> dict[str, Any]:
    """One page of `items` (a list or a queryset): `startIndex` is 1-based (below 1 means 1),
    `count` at most SOCIOGRAPH_SCIM_MAX_PAGE (below 0 means 0)."""
    start = max(_integer(request, "startIndex", 1), 1)
    limit = settings.SOCIOGRAPH_SCIM_MAX_PAGE
    count = min(max(_integer(request, "count", limit), 0), limit)
    page = list(items[start - 1 : start - 1 + count])
    return {
        "schemas": [LIST_SCHEMA],
        "totalResults": items.count() if isinstance(items, QuerySet) else len(items),
        "itemsPerPage": len(page),
        "startIndex": start,
        "Resources": [shape(item) for item in page],
    }
