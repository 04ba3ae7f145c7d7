"""The SCIM endpoints: thin, they parse, call people.provisioning or people.services, and shape
the answer. Decisions (docs/intake.md): DELETE of a User deprovisions (never erases); a group not
on the allow-list is acknowledged and never stored; DELETE of a Group ends its memberships and
keeps the context."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from rest_framework.request import Request
from rest_framework.response import Response

from people.models import Context, Person
from people.provisioning import (
    ProvisioningConflict,
    ProvisioningRefused,
    deprovision_person,
    provision_person,
)
from people.selectors import (
    context_with_uuid,
    members_in_force,
    people_with_user_name,
    person_with_uuid,
)
from people.services import save_context, set_context_members, today
from web.scim import groups, schemas
from web.scim.errors import ScimError, invalid_value, not_found
from web.scim.http import ScimView, json_object
from web.scim.patch import apply_patch
from web.scim.query import list_response, parse_filter
from web.scim.users import provisioned_person, user_resource


@contextmanager
def provisioning_errors() -> Iterator[None]:
    try:
        yield
    except ProvisioningConflict as error:
        raise ScimError(409, str(error), "uniqueness") from None
    except ProvisioningRefused as error:
        raise invalid_value(str(error)) from None


def _person(identifier: str) -> Person:
    person = person_with_uuid(identifier)
    if person is None:
        raise not_found(f"No User {identifier}.")
    return person


def _created(resource: dict[str, Any]) -> Response:
    return Response(resource, status=201, headers={"Location": resource["meta"]["location"]})


class UsersView(ScimView):
    def get(self, request: Request) -> Response:
        people = Person.objects.select_related("manager", "pending_manager").order_by("pk")
        equality = parse_filter(request.query_params.get("filter", ""), ["userName", "externalId"])
        if equality is not None and equality.attribute == "userName":
            people = people.filter(pk__in=people_with_user_name(equality.value).values("pk"))
        elif equality is not None:
            people = people.filter(external_id=equality.value)
        return Response(list_response(request, people, lambda p: user_resource(request, p)))

    def post(self, request: Request) -> Response:
        data = provisioned_person(json_object(request))
        with provisioning_errors():
            person = provision_person(data)
        return _created(user_resource(request, person))


class UserView(ScimView):
    def get(self, request: Request, identifier: str) -> Response:
        return Response(user_resource(request, _person(identifier)))

    def put(self, request: Request, identifier: str) -> Response:
        person = _person(identifier)
        data = provisioned_person(json_object(request))
        with provisioning_errors():
            provision_person(data, person)
        return Response(user_resource(request, _person(identifier)))

    def patch(self, request: Request, identifier: str) -> Response:
        person = _person(identifier)
        patched = apply_patch(user_resource(request, person), json_object(request))
        resource = patched.resource
        if "name" in {t.partition(".")[0] for t in patched.touched} and (
            "displayName" not in patched.touched
        ):
            resource.pop("displayName", None)  # the new name, not the old display name
            if patched.touched & {"name.givenName", "name.familyName"} and (
                "name.formatted" not in patched.touched
            ):
                resource["name"].pop("formatted", None)
        with provisioning_errors():
            provision_person(provisioned_person(resource), person)
        return Response(user_resource(request, _person(identifier)))

    def delete(self, request: Request, identifier: str) -> Response:
        deprovision_person(_person(identifier))
        return Response(status=204)


class GroupsView(ScimView):
    def get(self, request: Request) -> Response:
        equality = parse_filter(request.query_params.get("filter", ""), ["displayName"])
        names = groups.allow_list()
        if equality is not None:
            names = {k: v for k, v in names.items() if k == equality.value}
        by_key = {key: name for name, key in reversed(names.items())}
        contexts = [c for c in Context.objects.order_by("pk") if (c.kind, c.name) in by_key]
        with_members = "members" not in request.query_params.get("excludedAttributes", "")
        return Response(
            list_response(
                request,
                contexts,
                lambda c: groups.group_resource(request, c, by_key[(c.kind, c.name)], with_members),
            )
        )

    @transaction.atomic
    def post(self, request: Request) -> Response:
        data = json_object(request)
        display_name = groups.display_name_in(data)
        key = groups.context_key_of(display_name)
        if key is None:
            return _created(groups.ignored_group_resource(request, display_name))
        if Context.objects.filter(kind=key[0], name=key[1]).exists():
            raise ScimError(409, f"Group {display_name!r} is already provisioned.", "uniqueness")
        context = save_context(Context(kind=key[0], name=key[1]))
        _set_members(context, groups.member_ids_in(data))
        return _created(groups.group_resource(request, context, display_name))


def _people_pks(identifiers: list[str]) -> set[int]:
    pks = set()
    for identifier in identifiers:
        person = person_with_uuid(identifier)
        if person is None:
            raise invalid_value(f"member {identifier!r} is not a provisioned User.")
        pks.add(person.pk)
    return pks


def _set_members(context: Context, identifiers: list[str]) -> None:
    wanted = _people_pks(identifiers)
    present = set(members_in_force(context, today()).values_list("pk", flat=True))
    set_context_members(context, wanted - present, present - wanted, today())


class GroupView(ScimView):
    def _context(self, identifier: str) -> tuple[Context | None, str]:
        context = context_with_uuid(identifier)
        name = groups.group_name_of(context) if context else None
        return (context, name) if context and name else (None, "")

    def get(self, request: Request, identifier: str) -> Response:
        context, name = self._context(identifier)
        if context is None:
            raise not_found(f"No Group {identifier}.")
        with_members = "members" not in request.query_params.get("excludedAttributes", "")
        return Response(groups.group_resource(request, context, name, with_members))

    @transaction.atomic
    def put(self, request: Request, identifier: str) -> Response:
        data = json_object(request)
        display_name = groups.display_name_in(data)
        context, name = self._context(identifier)
        if context is None:
            if groups.ignored_group_id(display_name) != identifier:
                raise not_found(f"No Group {identifier}.")
            return Response(groups.ignored_group_resource(request, display_name))
        self._check_rename(context, display_name)
        _set_members(context, groups.member_ids_in(data))
        return Response(groups.group_resource(request, context, name))

    @transaction.atomic
    def patch(self, request: Request, identifier: str) -> Response:
        context, name = self._context(identifier)
        if context is None:  # a group not on the allow-list (or unknown): nothing to store
            return Response(status=204)
        patched = apply_patch(groups.group_resource(request, context, name), json_object(request))
        if "displayName" in patched.touched:
            self._check_rename(context, groups.display_name_in(patched.resource))
        _set_members(context, groups.member_ids_in(patched.resource))
        return Response(status=204)

    @transaction.atomic
    def delete(self, request: Request, identifier: str) -> Response:
        context, _ = self._context(identifier)
        if context is not None:  # the members leave; the context and its history stay
            present = set(members_in_force(context, today()).values_list("pk", flat=True))
            set_context_members(context, set(), present, today())
        return Response(status=204)

    def _check_rename(self, context: Context, display_name: str) -> None:
        if groups.context_key_of(display_name) != (context.kind, context.name):
            raise ScimError(
                400,
                f"{display_name!r} is not the allow-listed name of {context.key}: a group's "
                "name decides its context, so it cannot be renamed here.",
                "mutability",
            )


def _base(request: Request) -> str:
    return request.build_absolute_uri("/scim/v2/")


class ServiceProviderConfigView(ScimView):
    def get(self, request: Request) -> Response:
        location = f"{_base(request)}ServiceProviderConfig"
        return Response(schemas.service_provider_config(location))


class ResourceTypesView(ScimView):
    def get(self, request: Request, identifier: str = "") -> Response:
        return _listed_or_one(request, schemas.resource_types(_base(request)), identifier)


class SchemasView(ScimView):
    def get(self, request: Request, identifier: str = "") -> Response:
        return _listed_or_one(request, schemas.schemas(_base(request)), identifier)


def _listed_or_one(request: Request, documents: list[dict[str, Any]], identifier: str) -> Response:
    if not identifier:
        return Response(list_response(request, documents, lambda document: document))
    found = next((d for d in documents if d["id"] == identifier), None)
    if found is None:
        raise not_found(f"No {identifier}.")
    return Response(found)


class NotFoundView(ScimView):
    """Any other path under /scim/v2/: a SCIM 404, not Django's HTML page."""

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise not_found("No such endpoint.")

    post = put = patch = delete = get
