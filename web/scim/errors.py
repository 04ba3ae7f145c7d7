"""Every SCIM error in SCIM's own error schema (RFC 7644 section 3.12): `status` as a string,
`scimType` for the 400s and 409s that have one."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


class ScimError(exceptions.APIException):
    def __init__(self, status: int, detail: str, scim_type: str = "") -> None:
        super().__init__(detail)
        self.status_code = status
        self.scim_type = scim_type


def invalid_value(detail: str) -> ScimError:
    return ScimError(400, detail, "invalidValue")


def not_found(detail: str = "No such resource.") -> ScimError:
    return ScimError(404, detail)


def error_body(status: int, detail: str, scim_type: str = "") -> dict[str, Any]:
    body: dict[str, Any] = {"schemas": [ERROR_SCHEMA], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    return body


def _scim_type(error: Exception) -> str:
    if isinstance(error, ScimError):
        return error.scim_type
    if isinstance(error, exceptions.ParseError):
        return "invalidSyntax"
    return ""


def exception_handler(error: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's answer (its status and headers: WWW-Authenticate, Retry-After, Allow) with a SCIM
    error body."""
    response = drf_exception_handler(error, context)
    if response is None:
        return None
    detail = error.detail if isinstance(error, exceptions.APIException) else str(error)
    response.data = error_body(response.status_code, str(detail), _scim_type(error))
    return response
