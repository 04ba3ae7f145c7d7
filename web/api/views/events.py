"""Recognitions, follows and interactions: reads narrowed by role; writes validated exactly like
the CSV importer (recognition.importers) and stored by recognition.services with their outbox
entries."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from people.selectors import person_of
from recognition.importers import Directory, RowError, import_events, parse_event_row
from recognition.models import Follow, Interaction, Recognition
from recognition.services import delete_events, end_follow, record_events
from sociograph.accounts.roles import PEOPLE_ROLES, Role, role_of
from sociograph.ingest.formats import EVENT_COLUMNS, OPTIONAL_EVENT_COLUMNS
from sociograph.ingest.importing import ImportReport, SourceRow, checked_row
from web.api import selectors
from web.api.errors import (
    VALIDATION_ERROR_REF,
    ApiSchema,
    Conflict,
    MethodCheckedFirst,
    PayloadTooLarge,
)
from web.api.filters import context_filter, moment_param, text_param
from web.api.permissions import Policy
from web.api.serializers import (
    BulkReportSerializer,
    BulkRequestSerializer,
    EventInputSerializer,
    FollowSerializer,
    InteractionSerializer,
    RecognitionSerializer,
)

HR = frozenset({Role.HR_ADMIN})
PEOPLE = frozenset({Role.HR_ADMIN, Role.MANAGER, Role.EMPLOYEE})
ANYONE_GIVING = frozenset({Role.HR_ADMIN, Role.INTEGRATION, Role.MANAGER, Role.EMPLOYEE})
WRITERS = frozenset({Role.HR_ADMIN, Role.INTEGRATION})
ROW_COLUMNS = (*EVENT_COLUMNS, *OPTIONAL_EVENT_COLUMNS)

EVENT_FILTERS = [
    OpenApiParameter("person", str, description="external_id at either end"),
    OpenApiParameter("source", str, description="external_id of the giver/follower/source"),
    OpenApiParameter("target", str, description="external_id of the receiver/leader/target"),
    OpenApiParameter("context", str, description="kind:name"),
    OpenApiParameter("since", str, description="ISO-8601; events at or after"),
    OpenApiParameter("until", str, description="ISO-8601; events before"),
]


def _cell(value: Any) -> str:
    """An API value as the importer's text cell."""
    if value is None:
        return ""
    if isinstance(value, list):
        if any(not isinstance(item, str) or ";" in item for item in value):
            raise RowError("values: a list of texts without ';'")
        return ";".join(value)
    if isinstance(value, bool | dict):
        raise RowError(f"{value!r} is not a text or a number")
    return str(value)


def as_import_row(kind: str, data: dict[str, Any]) -> dict[str, str]:
    unknown = sorted(set(data) - set(ROW_COLUMNS))
    if unknown:
        raise RowError(f"unknown field(s): {', '.join(unknown)}")
    row = dict.fromkeys(ROW_COLUMNS, "")
    for column, value in data.items():
        row[column] = _cell(value).strip()
    row["kind"] = kind
    return row


def _field_error(error: RowError) -> ValidationError:
    field, separator, reason = str(error).partition(": ")
    if separator and field.isidentifier():
        return ValidationError({field: [reason]})
    return ValidationError({"detail": str(error)})


class EventViewSet(MethodCheckedFirst, viewsets.ModelViewSet[Any]):
    schema = ApiSchema()
    lookup_field = "uuid"
    kind = ""
    model: type[selectors.EventModel] = Recognition
    http_method_names: Sequence[str] = ("get", "post", "delete", "head", "options")

    def get_queryset(self) -> QuerySet[Any]:
        events = selectors.events_for(self.model, self.request.user)
        start, end = selectors.EVENT_ENDS[self.model]
        params = self.request.query_params
        if value := text_param(params, "person"):
            events = events.filter(
                Q(**{f"{start}__external_id": value}) | Q(**{f"{end}__external_id": value})
            )
        if value := text_param(params, "source"):
            events = events.filter(**{f"{start}__external_id": value})
        if value := text_param(params, "target"):
            events = events.filter(**{f"{end}__external_id": value})
        if value := text_param(params, "context"):
            events = events.filter(**context_filter("context", value))
        moment = "since" if self.model is Follow else "at"
        if (since := moment_param(params, "since")) is not None:
            events = events.filter(**{f"{moment}__gte": since})
        if (until := moment_param(params, "until")) is not None:
            events = events.filter(**{f"{moment}__lt": until})
        return events.order_by(f"-{moment}", "id")

    @extend_schema(request=EventInputSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = EventInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)  # the body is an object: it can be unpacked
        fields = {**incoming.initial_data, **self._source(incoming.validated_data)}
        try:
            row = as_import_row(self.kind, fields)
            row["at"] = row["at"] or timezone.now().isoformat()
            directory = Directory()
            directory.prefetch([row])
            event = parse_event_row(row, directory, timezone.now())
        except RowError as error:
            raise _field_error(error) from None
        outcome = record_events([event])
        if outcome.already_present:
            raise Conflict("this event is already stored (same event_id, or same content)")
        created = self.get_queryset().model.objects.get(uuid=outcome.uuids[0])
        return Response(self.get_serializer(created).data, status=status.HTTP_201_CREATED)

    def _source(self, data: dict[str, Any]) -> dict[str, str]:
        """Managers and employees give, follow and interact as themselves only."""
        if role_of(self.request.user) not in PEOPLE_ROLES:
            if not data.get("source"):
                raise ValidationError({"source": ["This field is required."]})
            return {"source": data["source"]}
        person = person_of(self.request.user)
        if person is None:
            raise PermissionDenied("your user is not linked to a person")
        if data.get("source") not in (None, "", person.external_id):
            raise PermissionDenied(f"you can only create {self.kind}s as yourself")
        return {"source": person.external_id}

    def perform_destroy(self, instance: Any) -> None:
        delete_events(instance)


@extend_schema_view(list=extend_schema(parameters=EVENT_FILTERS))
class RecognitionViewSet(EventViewSet):
    kind, model = "recognition", Recognition
    serializer_class = RecognitionSerializer
    policy: ClassVar[Policy] = {
        "list": PEOPLE,
        "retrieve": PEOPLE,
        "create": ANYONE_GIVING,
        "destroy": HR,
    }


@extend_schema_view(list=extend_schema(parameters=EVENT_FILTERS))
class FollowViewSet(EventViewSet):
    kind, model = "follow", Follow
    serializer_class = FollowSerializer
    http_method_names = ("get", "post", "patch", "delete", "head", "options")
    policy: ClassVar[Policy] = {
        "list": PEOPLE,
        "retrieve": PEOPLE,
        "create": ANYONE_GIVING,
        "partial_update": PEOPLE,
        "destroy": HR,
    }

    @extend_schema(
        description="End a follow: set `until`. HR admins, or the follower themselves.",
        request=FollowSerializer,
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        follow: Follow = self.get_object()
        if role_of(request.user) != Role.HR_ADMIN and follow.follower != person_of(request.user):
            raise PermissionDenied("only the follower ends a follow")
        return super().partial_update(request, *args, **kwargs)

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        assert serializer.instance is not None
        until = serializer.validated_data.get("until")
        try:
            serializer.instance = end_follow(serializer.instance, until)
        except ValueError as error:
            raise ValidationError({"until": [str(error)]}) from None


@extend_schema_view(list=extend_schema(parameters=EVENT_FILTERS))
class InteractionViewSet(EventViewSet):
    kind, model = "interaction", Interaction
    serializer_class = InteractionSerializer
    policy: ClassVar[Policy] = {"list": HR, "retrieve": HR, "create": WRITERS, "destroy": HR}


class BulkEventsView(MethodCheckedFirst, APIView):
    """POST thousands of events at once, validated and reported like `import_events`."""

    schema = ApiSchema()
    policy: ClassVar[Policy] = {"post": WRITERS}
    throttle_scope = "bulk"

    @extend_schema(
        request=BulkRequestSerializer,
        responses={
            200: BulkReportSerializer,
            # the report of an `atomic` request with a rejected event, or an invalid body
            400: OpenApiResponse(
                {"oneOf": [{"$ref": "#/components/schemas/BulkReport"}, VALIDATION_ERROR_REF]},
                description="With `atomic`: the report, nothing stored. Or an invalid body.",
            ),
        },
        description="Each event is an object with `kind` (recognition, follow, interaction) and "
        "the CSV import's columns (source, target, context, at, affect, weight, message, values, "
        "channel, until, event_id). Rejected events are listed by index with the reason; the "
        "others are stored (all or nothing with `atomic`). At most "
        f"{settings.SOCIOGRAPH_API_MAX_BULK_EVENTS} events per request (413 beyond).",
    )
    def post(self, request: Request) -> Response:
        incoming = BulkRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        events = incoming.validated_data["events"]
        if len(events) > settings.SOCIOGRAPH_API_MAX_BULK_EVENTS:
            raise PayloadTooLarge(
                f"{len(events)} events; at most {settings.SOCIOGRAPH_API_MAX_BULK_EVENTS} "
                "per request"
            )
        report = import_events(
            _source_rows(events), ImportReport(), incoming.validated_data["atomic"]
        )
        body = {
            "accepted": report.accepted,
            "already_present": report.already_present,
            "rejected": report.rejected_count,
            "rejections": [
                {"index": index, "reason": reason} for index, reason in report.rejections
            ],
        }
        failed = report.rejected_count and incoming.validated_data["atomic"]
        return Response(body, status=status.HTTP_400_BAD_REQUEST if failed else status.HTTP_200_OK)


def _source_rows(events: list[dict[str, Any]]) -> Iterator[SourceRow]:
    for index, event in enumerate(events):
        kind = event.get("kind")
        if not isinstance(kind, str):
            yield SourceRow(index, None, "kind: required")
            continue
        try:
            row = as_import_row(kind, {k: v for k, v in event.items() if k != "kind"})
        except RowError as error:
            yield SourceRow(index, None, str(error))
            continue
        yield checked_row(index, row)
