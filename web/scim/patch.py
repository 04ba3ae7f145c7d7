"""PATCH operations (RFC 7644 section 3.5.2) applied to a resource's SCIM JSON: `add`,
`replace` and `remove`, with a path or without one (the value then holds attribute -> value).
Both dialects in use are understood: Okta's `{"op": "replace", "value": {"active": false}}`,
Entra's capitalized ops, string booleans (`"False"`), extension paths
(`urn:...:enterprise:2.0:User:manager`) and `members` value arrays to add or remove.

Attribute names are matched case-insensitively; attributes we do not know are set on the JSON
and later ignored (identity providers send many we never store)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from web.scim.errors import ScimError, invalid_value
from web.scim.schemas import ENTERPRISE_USER, GROUP, USER

PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
OPS = frozenset({"add", "replace", "remove"})
MULTI_VALUED = frozenset({"emails", "members"})
KNOWN = {
    name.lower(): name
    for name in (
        "userName",
        "externalId",
        "displayName",
        "name",
        "givenName",
        "familyName",
        "formatted",
        "emails",
        "title",
        "active",
        "members",
        "manager",
        "value",
        "type",
        "primary",
        "display",
        ENTERPRISE_USER,
    )
}
VALUE_FILTER = re.compile(r'^(\w+)\[\s*(\w+)\s+eq\s+"([^"]*)"\s*\](?:\.(\w+))?$', re.IGNORECASE)


def canonical(name: str) -> str:
    return KNOWN.get(name.lower(), name)


@dataclass
class Patched:
    """The resource after the operations, and which attributes they touched (by top-level
    name, plus `name.<sub>` for the parts of a name)."""

    resource: dict[str, Any]
    touched: set[str] = field(default_factory=set)


def operations_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    operations = body.get("Operations", body.get("operations"))
    if not isinstance(operations, list) or not operations:
        raise ScimError(400, "A PATCH body holds a non-empty `Operations` list.", "invalidSyntax")
    if not all(isinstance(operation, dict) for operation in operations):
        raise ScimError(400, "Each operation is a JSON object.", "invalidSyntax")
    return operations


def apply_patch(resource: dict[str, Any], body: dict[str, Any]) -> Patched:
    patched = Patched(resource)
    for operation in operations_of(body):
        op = str(operation.get("op", "")).lower()
        if op not in OPS:
            raise invalid_value(f"op {operation.get('op')!r} is not add, replace or remove.")
        path = str(operation.get("path") or "").strip()
        value = operation.get("value")
        if path:
            _at_path(patched, op, path, value)
        elif op == "remove":
            raise ScimError(400, "remove needs a path.", "noTarget")
        elif isinstance(value, dict):
            for key, item in value.items():
                _at_path(patched, op, str(key), item)
        else:
            raise invalid_value("Without a path, the value is an object of attributes.")
    return patched


def _without_schema(path: str) -> tuple[str, str]:
    """(`urn:...enterprise...` or "", the path inside it)."""
    for urn in (ENTERPRISE_USER, USER, GROUP):
        if path.lower() == urn.lower():
            return (urn if urn == ENTERPRISE_USER else ""), ""
        if path.lower().startswith(urn.lower() + ":"):
            return (urn if urn == ENTERPRISE_USER else ""), path[len(urn) + 1 :]
    return "", path


def _at_path(patched: Patched, op: str, path: str, value: Any) -> None:
    extension, inner = _without_schema(path)
    target = patched.resource
    if extension:
        patched.touched.add(extension)
        target = target.setdefault(extension, {})
        if not inner:
            _merge_object(target, op, value)
            return
    filtered = VALUE_FILTER.match(inner)
    if filtered:
        _at_filtered(patched, target, op, filtered, value)
        return
    attribute, _, sub = inner.partition(".")
    attribute, sub = canonical(attribute), canonical(sub) if sub else ""
    patched.touched.add(f"{attribute}.{sub}" if sub and attribute == "name" else attribute)
    if sub:
        container = target.setdefault(attribute, {})
        if not isinstance(container, dict):
            raise ScimError(400, f"{attribute} has no sub-attributes.", "invalidPath")
        _set(container, op, sub, value)
    elif op == "remove" and attribute in MULTI_VALUED and isinstance(value, list):
        _remove_items(target, attribute, value)
    else:
        _set(target, op, attribute, value)


def _merge_object(target: dict[str, Any], op: str, value: Any) -> None:
    if op == "remove":
        target.clear()
    elif isinstance(value, dict):
        for key, item in value.items():
            _set(target, op, canonical(str(key)), item)
    else:
        raise invalid_value("An extension's value is an object of attributes.")


def _set(target: dict[str, Any], op: str, attribute: str, value: Any) -> None:
    if op == "remove":
        target.pop(attribute, None)
    elif op == "add" and attribute in MULTI_VALUED:
        items = value if isinstance(value, list) else [value]
        present = target.get(attribute) or []
        target[attribute] = [*present, *items]
    else:
        target[attribute] = value


def _remove_items(target: dict[str, Any], attribute: str, value: list[Any]) -> None:
    """Entra's `{"op": "remove", "path": "members", "value": [{"value": id}, ...]}`."""
    gone = {str(item.get("value")) for item in value if isinstance(item, dict)}
    items = target.get(attribute) or []
    target[attribute] = [item for item in items if str(item.get("value")) not in gone]


def _at_filtered(
    patched: Patched, target: dict[str, Any], op: str, match: re.Match[str], value: Any
) -> None:
    """`emails[type eq "work"].value`, `members[value eq "id"]`."""
    attribute, key, wanted, sub = canonical(match[1]), canonical(match[2]), match[3], match[4]
    patched.touched.add(attribute)
    items = [item for item in target.get(attribute) or [] if isinstance(item, dict)]
    chosen = [item for item in items if str(item.get(key, "")).lower() == wanted.lower()]
    if op == "remove" and not sub:
        target[attribute] = [item for item in items if item not in chosen]
        return
    if not chosen:
        if op == "remove":
            return
        chosen = [{key: wanted}]
        items.append(chosen[0])
    for item in chosen:
        if sub:
            _set(item, op, canonical(sub), value)
        elif isinstance(value, dict):
            item.update(value)
    target[attribute] = items
