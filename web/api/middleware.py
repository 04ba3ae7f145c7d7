"""413 for request bodies over their path's limit, before anything reads them (CSRF and the login
form parse a POST before any view runs); and JSON for the API's errors that Django answers itself
(an API URL that matches no route).

Limits by path: the API SOCIOGRAPH_API_MAX_BODY_BYTES; the portal's CSV import
SOCIOGRAPH_PORTAL_IMPORT_MAX_BODY_BYTES (above the file limit its form explains); every other
page SOCIOGRAPH_WEB_MAX_BODY_BYTES."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

API_PREFIX = "/api/"


class BodySizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self._web_request(request)
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

    def _web_request(self, request: HttpRequest) -> HttpResponse:
        limit = _web_limit(request)
        if _declared_length(request) > limit:
            text = f"The request body is larger than {limit:,} bytes."
            return HttpResponse(text, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _web_limit(request: HttpRequest) -> int:
    if request.path in (reverse("portal:import"), reverse("portal:import-source")):
        return int(settings.SOCIOGRAPH_PORTAL_IMPORT_MAX_BODY_BYTES)
    return int(settings.SOCIOGRAPH_WEB_MAX_BODY_BYTES)


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
