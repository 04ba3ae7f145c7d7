from typing import Any

from django.http import HttpRequest

from sociograph.portal.access import is_hr


def portal(request: HttpRequest) -> dict[str, Any]:
    return {"portal_is_hr": is_hr(request.user)}
