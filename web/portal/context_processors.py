from typing import Any

from django.http import HttpRequest

from web.portal.access import is_hr


def portal(request: HttpRequest) -> dict[str, Any]:
    # A callable: templates call it only where they use it (the portal's base), so other pages
    # rendered with a request (the whole admin) do not pay for the role lookup.
    return {"portal_is_hr": lambda: is_hr(request.user)}
