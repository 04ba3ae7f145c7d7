"""People, contexts and memberships. Writes go through people.services (outbox included)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar, TypeVar

from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied

from people.models import Context, ContextKind, Membership, Person
from people.services import (
    PersonInput,
    add_membership,
    delete_contexts,
    delete_memberships,
    ensure_contexts,
    erase_person,
    set_analytics_opt_out,
    update_context,
    update_membership,
    update_person,
    upsert_people,
)
from sociograph.accounts.roles import ALL_ROLES, Role, role_of
from web.api import selectors
from web.api.errors import ApiSchema, Conflict, MethodCheckedFirst
from web.api.filters import bool_param, choice_param, context_filter, text_param
from web.api.permissions import Policy
from web.api.serializers import (
    ContextSerializer,
    ContextUpdateSerializer,
    MembershipSerializer,
    MembershipUpdateSerializer,
    PersonSerializer,
    PersonUpdateSerializer,
)

HR = frozenset({Role.HR_ADMIN})
WRITERS = frozenset({Role.HR_ADMIN, Role.INTEGRATION})
READERS = frozenset({Role.HR_ADMIN, Role.INTEGRATION, Role.MANAGER, Role.EMPLOYEE})

OPT_OUT_REFUSED = (
    "Only the person changes analytics_opt_out (PATCH /api/v1/me/); an HR admin may change it "
    "on their written request, with opt_out_reason. Integrations never change it."
)

T = TypeVar("T")


class UpdateMixin:
    """PATCH only: every field of these records is optional, so PUT would add nothing."""

    http_method_names: Sequence[str] = ("get", "post", "patch", "delete", "head", "options")


def _apply(save: Callable[[], T]) -> T:
    """Run a service call; its ValueError ("field: why") becomes a 400 naming the field."""
    try:
        return save()
    except ValueError as error:
        field, _, message = str(error).partition(": ")
        raise serializers.ValidationError(
            {field if message else "detail": message or field}
        ) from None


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("external_id", str, description="Exact external id"),
            OpenApiParameter("context", str, description="Members of this context (kind:name)"),
            OpenApiParameter("search", str, description="Part of the name"),
            OpenApiParameter("is_active", bool),
        ]
    ),
    destroy=extend_schema(
        description="Erasure (right to be forgotten): the person, every edge they are part of and "
        "every finding about them, in SQL and in Neo4j. HR admins only."
    ),
)
class PersonViewSet(MethodCheckedFirst, UpdateMixin, viewsets.ModelViewSet[Person]):
    schema = ApiSchema()
    lookup_field = "uuid"
    policy: ClassVar[Policy] = {
        "list": READERS,
        "retrieve": READERS,
        "create": WRITERS,
        "partial_update": WRITERS,
        "destroy": HR,
    }

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Person]]:
        return PersonUpdateSerializer if self.action == "partial_update" else PersonSerializer

    def get_queryset(self) -> QuerySet[Person]:
        people = selectors.people_for(self.request.user)
        params = self.request.query_params
        if value := text_param(params, "external_id"):
            people = people.filter(external_id=value)
        if value := text_param(params, "search"):
            people = people.filter(name__icontains=value)
        if (active := bool_param(params, "is_active")) is not None:
            people = people.filter(is_active=active)
        if value := text_param(params, "context"):
            people = people.filter(**context_filter("memberships__context", value)).distinct()
        return people.order_by("external_id")

    def perform_create(self, serializer: serializers.BaseSerializer[Person]) -> None:
        data = serializer.validated_data
        if Person.objects.filter(external_id=data["external_id"]).exists():
            raise Conflict(f"a person with external_id {data['external_id']!r} exists")
        with transaction.atomic():
            outcome = upsert_people(
                [
                    PersonInput(
                        external_id=data["external_id"],
                        name=data["name"],
                        email=data.get("email", ""),
                        title=data.get("title", ""),
                        contexts=tuple(data.get("contexts", ())),
                        joined_on=data.get("joined_on"),
                        left_on=data.get("left_on"),
                    )
                ]
            )
            person = outcome.by_external_id[data["external_id"]]
            extra = {k: data[k] for k in ("manager", "is_active") if k in data}
            if extra:
                _apply(lambda: update_person(person, extra))
            self._set_opt_out(person, data)
        serializer.instance = person

    def perform_update(self, serializer: serializers.BaseSerializer[Person]) -> None:
        assert serializer.instance is not None
        changes = dict(serializer.validated_data)
        changes.pop("contexts", None)
        instance = serializer.instance
        with transaction.atomic():
            self._set_opt_out(instance, changes)
            changes.pop("analytics_opt_out", None)
            changes.pop("opt_out_reason", None)
            serializer.instance = _apply(lambda: update_person(instance, changes))

    def _set_opt_out(self, person: Person, data: dict[str, Any]) -> None:
        """Only the person, or an HR admin with `opt_out_reason`, changes the opt-out (audited);
        integrations never."""
        if "analytics_opt_out" not in data:
            return
        if role_of(self.request.user) is not Role.HR_ADMIN:
            raise PermissionDenied(OPT_OUT_REFUSED)
        reason = data.get("opt_out_reason", "")
        value = data["analytics_opt_out"]
        _apply(lambda: set_analytics_opt_out(person, value, self.request.user, reason))

    def perform_destroy(self, instance: Person) -> None:
        erase_person(instance)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=ContextKind.values),
            OpenApiParameter("name", str, description="Exact name"),
        ]
    )
)
class ContextViewSet(MethodCheckedFirst, UpdateMixin, viewsets.ModelViewSet[Context]):
    schema = ApiSchema()
    lookup_field = "uuid"
    policy: ClassVar[Policy] = {
        "list": ALL_ROLES,
        "retrieve": ALL_ROLES,
        "create": WRITERS,
        "partial_update": WRITERS,
        "destroy": HR,
    }

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Context]]:
        return ContextUpdateSerializer if self.action == "partial_update" else ContextSerializer

    def get_queryset(self) -> QuerySet[Context]:
        contexts = selectors.contexts_for(self.request.user)
        params = self.request.query_params
        if value := choice_param(params, "kind", ContextKind.values):
            contexts = contexts.filter(kind=value)
        if value := text_param(params, "name"):
            contexts = contexts.filter(name=value)
        return contexts.order_by("kind", "name")

    def perform_create(self, serializer: serializers.BaseSerializer[Context]) -> None:
        data = serializer.validated_data
        key = (data["kind"], data["name"])
        if Context.objects.filter(kind=key[0], name=key[1]).exists():
            raise Conflict(f"context {key[0]}:{key[1]} exists")
        with transaction.atomic():
            context = ensure_contexts([key])[key]
            if data.get("parent") is not None:
                _apply(lambda: update_context(context, {"parent": data["parent"]}))
        serializer.instance = context

    def perform_update(self, serializer: serializers.BaseSerializer[Context]) -> None:
        assert serializer.instance is not None
        changes = dict(serializer.validated_data)
        instance = serializer.instance
        serializer.instance = _apply(lambda: update_context(instance, changes))

    def perform_destroy(self, instance: Context) -> None:
        delete_contexts(instance)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("person", str, description="external_id"),
            OpenApiParameter("context", str, description="kind:name"),
        ]
    )
)
class MembershipViewSet(MethodCheckedFirst, UpdateMixin, viewsets.ModelViewSet[Membership]):
    schema = ApiSchema()
    lookup_field = "uuid"
    policy: ClassVar[Policy] = {
        "list": READERS,
        "retrieve": READERS,
        "create": WRITERS,
        "partial_update": WRITERS,
        "destroy": WRITERS,
    }

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Membership]]:
        if self.action == "partial_update":
            return MembershipUpdateSerializer
        return MembershipSerializer

    def get_queryset(self) -> QuerySet[Membership]:
        memberships = selectors.memberships_for(self.request.user)
        params = self.request.query_params
        if value := text_param(params, "person"):
            memberships = memberships.filter(person__external_id=value)
        if value := text_param(params, "context"):
            memberships = memberships.filter(**context_filter("context", value))
        return memberships.order_by("id")

    def perform_create(self, serializer: serializers.BaseSerializer[Membership]) -> None:
        data = dict(serializer.validated_data)
        person, context = data.pop("person"), data.pop("context")
        # several periods in a context are fine; one overlapping another is a 400 on `since`
        serializer.instance = _apply(lambda: add_membership(person, context, **data))

    def perform_update(self, serializer: serializers.BaseSerializer[Membership]) -> None:
        assert serializer.instance is not None
        changes = dict(serializer.validated_data)
        instance = serializer.instance
        serializer.instance = _apply(lambda: update_membership(instance, changes))

    def perform_destroy(self, instance: Membership) -> None:
        delete_memberships(instance)
