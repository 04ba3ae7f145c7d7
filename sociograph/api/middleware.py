"""413 for API request bodies over SOCIOGRAPH_API_MAX_BODY_BYTES, before anything reads them."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class BodySizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.SOCIOGRAPH_API_MAX_BODY_BYTES
        if request.path.startswith("/api/") and _declared_length(request) > limit:
            body = {
                "detail": f"The request body is larger than {limit} bytes.",
                "code": "too_large",
            }
            return HttpResponse(json.dumps(body), status=413, content_type="application/json")
        return self.get_response(request)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
