"""What every SCIM endpoint shares: `application/scim+json` in and out, bearer tokens of the scim
role only, SCIM errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from sociograph.accounts.authentication import BearerTokenAuthentication
from sociograph.accounts.roles import Role, role_of
from web.api.parsers import DepthLimitedJSONParser
from web.scim import errors

SCIM_MEDIA_TYPE = "application/scim+json"


class ScimParser(DepthLimitedJSONParser):
    media_type = SCIM_MEDIA_TYPE


class ScimRenderer(JSONRenderer):
    media_type = SCIM_MEDIA_TYPE
    format = "scim"


class ScimRoleOnly(BasePermission):
    message = "Only the scim role may use SCIM provisioning."

    def has_permission(self, request: Request, view: Any) -> bool:
        return role_of(request.user) is Role.SCIM


class ScimView(APIView):
    authentication_classes = (BearerTokenAuthentication,)
    permission_classes = (ScimRoleOnly,)
    parser_classes = (ScimParser, DepthLimitedJSONParser)
    renderer_classes = (ScimRenderer, JSONRenderer)
    # SCIM publishes its own schema (/scim/v2/Schemas); it is not part of the REST API's OpenAPI.
    schema = None

    def get_exception_handler(self) -> Callable[..., Any]:
        return errors.exception_handler


def json_object(request: Request) -> dict[str, Any]:
    """The request body, which must be a JSON object."""
    data = request.data
    if not isinstance(data, dict):
        raise errors.ScimError(400, "The body must be a JSON object.", "invalidSyntax")
    return data
