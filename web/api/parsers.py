"""The API's JSON parser: DRF's, plus a nesting limit, so a body of thousands of `[` is a 400.

Python's json module recurses once per level and raises RecursionError (a 500 in DRF) near a
thousand levels; no API body needs more than four (a bulk request's `values` lists). A body
nested deeper than MAX_JSON_DEPTH levels is refused with a ParseError, whichever of the two
checks sees it first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 32
TOO_DEEP = f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels"


def nesting_depth_exceeds(data: Any, limit: int) -> bool:
    """Whether arrays and objects are nested more than `limit` levels deep (iteratively)."""
    stack: list[tuple[Any, int]] = [(data, 1)] if isinstance(data, dict | list) else []
    while stack:
        value, depth = stack.pop()
        children = value.values() if isinstance(value, dict) else value
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class DepthLimitedJSONParser(JSONParser):
    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        if nesting_depth_exceeds(data, MAX_JSON_DEPTH):
            raise ParseError(TOO_DEEP)
        return data
