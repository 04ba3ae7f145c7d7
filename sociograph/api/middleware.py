"""413 for API request bodies over SOCIOGRAPH_API_MAX_BODY_BYTES, before anything reads them; and
JSON for the API's errors that Django answers itself (an API URL that matches no route)."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

API_PREFIX = "/api/"


class BodySizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        limit = settings.SOCIOGRAPH_API_MAX_BODY_BYTES
        if _declared_length(request) > limit:
            return _json_error(413, f"The request body is larger than {limit} bytes.", "too_large")
        response = self.get_response(request)
        if response.status_code >= 400 and not _is_json(response):
            # e.g. `/api/v1/people/a.b/` or `/api/v1/people/a%2Fb/` match no route: Django's
            # HTML 404 page, where the API promises JSON always
            return _json_error(
                response.status_code,
                response.reason_phrase,
                "not_found" if response.status_code == 404 else "error",
            )
        return response


def _json_error(status: int, detail: str, code: str) -> HttpResponse:
    body = json.dumps({"detail": detail, "code": code})
    return HttpResponse(body, status=status, content_type="application/json")


def _is_json(response: HttpResponse) -> bool:
    return str(response.get("Content-Type", "")).startswith("application/json")


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
