"""Every API error is JSON with a status code that says what went wrong; bad input is never a
500. Field errors keep DRF's shape (`{"field": ["message"]}`); other errors are
`{"detail": "...", "code": "..."}`. `ApiSchema` documents these errors on every operation of the
OpenAPI contract."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ComponentRegistry, ResolvedComponent
from rest_framework import status
from rest_framework.exceptions import APIException, MethodNotAllowed, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This conflicts with data already stored."
    default_code = "conflict"


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


class MethodCheckedFirst(APIView):
    """A method the endpoint does not have is a 405 (with `Allow`) for everyone. DRF decides that
    after authentication and permissions, so the role policy, which knows no such action, would
    answer an HR admin's `PUT` with 403 "Your role may not do this"."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        method = (request.method or "").lower()
        if method not in self.http_method_names or not hasattr(self, method):
            raise MethodNotAllowed(request.method or "")
        super().initial(request, *args, **kwargs)


def _translated(error: Exception) -> Exception:
    if isinstance(error, IntegrityError):
        return Conflict()
    if isinstance(error, RequestDataTooBig):
        return PayloadTooLarge()
    if isinstance(error, DjangoValidationError):
        return ValidationError(
            error.message_dict
            if hasattr(error, "error_dict")
            else {"detail": " ".join(error.messages)}
        )
    return error


def _as_field_errors(data: Any) -> Any:
    """A 400's body in the documented shape: each field's messages as a list (a bare message
    raised for one field becomes a list of one), a list of messages not about one field under
    `non_field_errors`."""
    if isinstance(data, list):
        return {"non_field_errors": data}
    if isinstance(data, dict):
        return {
            key: [value] if isinstance(value, str) and key not in ("detail", "code") else value
            for key, value in data.items()
        }
    return data


def exception_handler(error: Exception, context: dict[str, Any]) -> Response | None:
    translated = _translated(error)
    response = drf_exception_handler(translated, context)
    if response is not None and isinstance(translated, ValidationError):
        response.data = _as_field_errors(response.data)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        detail = response.data["detail"]
        response.data["code"] = getattr(detail, "code", None) or "error"
    return response


# --- The errors in the OpenAPI contract ---------------------------------------------------------

ERROR = "Error"
VALIDATION_ERROR = "ValidationError"
FIELD_MESSAGES = "FieldMessages"
COMPONENTS: dict[str, dict[str, Any]] = {
    ERROR: {
        "type": "object",
        "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
        "required": ["detail", "code"],
    },
    VALIDATION_ERROR: {
        "type": "object",
        "description": "Each invalid field (or `non_field_errors`) with its messages; the items "
        "of a list field are keyed by their index. A request that is wrong as a whole (e.g. "
        "malformed JSON) gets `detail` and `code` instead.",
        "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
        "additionalProperties": {"$ref": f"#/components/schemas/{FIELD_MESSAGES}"},
    },
    FIELD_MESSAGES: {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {
                "type": "object",
                "additionalProperties": {"$ref": f"#/components/schemas/{FIELD_MESSAGES}"},
            },
        ]
    },
}
VALIDATION_ERROR_REF = {"$ref": f"#/components/schemas/{VALIDATION_ERROR}"}
PAGING_PARAMETERS = frozenset({"limit", "offset"})
WRITES = frozenset({"POST", "PUT", "PATCH"})


def _error(description: str, schema: str = ERROR, **headers: str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }
    if headers:
        response["headers"] = {
            name: {"schema": {"type": "string"}, "description": text}
            for name, text in headers.items()
        }
    return response


class ApiSchema(AutoSchema):
    """drf-spectacular's schema plus the errors each operation may answer (docs/api.md,
    "Errors"), so that every status code the API sends is in the contract."""

    def get_operation(
        self,
        path: str,
        path_regex: str,
        path_prefix: str,
        method: str,
        registry: ComponentRegistry,
    ) -> dict[str, Any] | None:
        operation: dict[str, Any] | None = super().get_operation(
            path, path_regex, path_prefix, method, registry
        )
        if operation is None:
            return None
        for name, schema in COMPONENTS.items():
            component = ResolvedComponent(  # type: ignore[no-untyped-call]
                name, ResolvedComponent.SCHEMA, schema=schema, object=name
            )
            registry.register_on_missing(component)
        responses: dict[str, Any] = operation["responses"]
        for code, response in self._errors(operation).items():
            responses.setdefault(code, response)
        return operation

    def _errors(self, operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
        parameters = operation.get("parameters", [])
        has_body = self.method in WRITES
        filtered = any(
            p["in"] == "query" and p["name"] not in PAGING_PARAMETERS for p in parameters
        )
        errors: dict[str, dict[str, Any]] = {}
        if has_body or filtered:
            errors["400"] = _error(
                "Invalid body or filter: each field with its reasons", VALIDATION_ERROR
            )
        if operation.get("security"):
            errors["401"] = _error("No token, or an unknown one", **{"WWW-Authenticate": "`Token`"})
            errors["403"] = _error("The caller's role may not do this")
        if any(p["in"] == "path" for p in parameters):
            errors["404"] = _error("No such record, or not one the caller may see")
        if has_body:
            errors["409"] = _error("Conflicts with data already stored (a duplicate)")
            errors["413"] = _error("The request body is too large")
            errors["415"] = _error("The request body is not JSON")
        if operation.get("security"):
            errors["429"] = _error(
                "Over the token's request rate", **{"Retry-After": "Seconds to wait"}
            )
        return errors
