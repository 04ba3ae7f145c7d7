"""Outcomes: departures, survey answers and team results (docs/outcomes.md).

Writes (HR admins and integrations) are validated by the importer's own code and stored by
outcomes.services. Per-person outcomes are HR's; everyone else reads their own (`me/outcomes/`)
and, managers, the released aggregates of survey answers of the contexts in their scope.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from outcomes.importers import (
    OUTCOME_COLUMNS,
    Directory,
    RowError,
    import_outcomes,
    parse_outcome_row,
)
from outcomes.models import PULSE_KINDS, Outcome, OutcomeKind
from outcomes.pulse_release import pulse_aggregates
from outcomes.selectors import PulseAggregate, month_bounds, outcomes_of
from outcomes.services import record_outcomes
from people.models import parse_context_key
from people.periods import parse_day
from people.selectors import person_of
from sociograph.accounts.roles import Role, role_of
from sociograph.ingest.importing import ImportReport, SourceRow, checked_row
from web.api.errors import VALIDATION_ERROR_REF, ApiSchema, MethodCheckedFirst, PayloadTooLarge
from web.api.filters import choice_param, context_filter, text_param
from web.api.permissions import Policy
from web.api.scope import aggregate_context_ids
from web.api.serializers import (
    BulkOutcomesRequestSerializer,
    BulkReportSerializer,
    OutcomeInputSerializer,
    OutcomeSerializer,
    PulseAggregateSerializer,
)
from web.api.views.paging import paginated_response

HR = frozenset({Role.HR_ADMIN})
WRITERS = frozenset({Role.HR_ADMIN, Role.INTEGRATION})
AGGREGATE_READERS = frozenset({Role.HR_ADMIN, Role.MANAGER})
OWN_READERS = frozenset({Role.HR_ADMIN, Role.MANAGER, Role.EMPLOYEE})
PULSE = sorted(PULSE_KINDS)

OUTCOME_FILTERS = [
    OpenApiParameter("kind", str, enum=list(OutcomeKind.values)),
    OpenApiParameter("person", str, description="external_id"),
    OpenApiParameter("context", str, description="kind:name"),
    OpenApiParameter("metric", str, description="a team result's KPI"),
    OpenApiParameter("since", str, description="YYYY-MM-DD; outcomes on or after"),
    OpenApiParameter("until", str, description="YYYY-MM-DD; outcomes before"),
]
AGGREGATE_FILTERS = [
    OpenApiParameter("kind", str, enum=PULSE, required=True),
    OpenApiParameter("month", str, required=True, description="YYYY-MM", pattern=r"^\d{4}-\d{2}$"),
    OpenApiParameter("context", str, description="kind:name, or org; all in scope when absent"),
]


def as_import_row(data: dict[str, Any]) -> dict[str, str]:
    """An API object as the importer's row of text cells."""
    unknown = sorted(set(data) - set(OUTCOME_COLUMNS))
    if unknown:
        raise RowError(f"unknown field(s): {', '.join(unknown)}")
    row = dict.fromkeys(OUTCOME_COLUMNS, "")
    for column, value in data.items():
        if isinstance(value, bool) or not isinstance(value, str | int | float | None):
            raise RowError(f"{column}: {value!r} is not a text or a number")
        row[column] = "" if value is None else str(value).strip()
    return row


def _field_error(error: RowError) -> ValidationError:
    field, separator, reason = str(error).partition(": ")
    if separator and field in OUTCOME_COLUMNS:
        return ValidationError({field: [reason]})
    return ValidationError({"detail": str(error)})


def _day_param(request: Request, name: str) -> Any:
    try:
        return parse_day(name, text_param(request.query_params, name))
    except ValueError as error:
        raise ValidationError({name: str(error).partition(": ")[2]}) from None


@extend_schema_view(list=extend_schema(parameters=OUTCOME_FILTERS))
class OutcomeViewSet(
    MethodCheckedFirst,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Outcome],
):
    """Outcomes, one per person and day (or context, KPI and period). HR admins only read them
    one by one; HR admins and integrations write them."""

    schema = ApiSchema()
    serializer_class = OutcomeSerializer
    throttle_scope = "api"  # `bulk` has the bulk rate
    policy: ClassVar[Policy] = {
        "list": HR,
        "retrieve": HR,
        "destroy": HR,
        "create": WRITERS,
        "bulk": WRITERS,
        "aggregates": AGGREGATE_READERS,
    }

    def get_queryset(self) -> QuerySet[Outcome]:
        outcomes = Outcome.objects.select_related("person", "context")
        params = self.request.query_params
        if kind := choice_param(params, "kind", OutcomeKind.values):
            outcomes = outcomes.filter(kind=kind)
        if person := text_param(params, "person"):
            outcomes = outcomes.filter(person__external_id=person)
        if context := text_param(params, "context"):
            outcomes = outcomes.filter(**context_filter("context", context))
        if metric := text_param(params, "metric"):
            outcomes = outcomes.filter(metric=metric)
        if (since := _day_param(self.request, "since")) is not None:
            outcomes = outcomes.filter(at__gte=since)
        if (until := _day_param(self.request, "until")) is not None:
            outcomes = outcomes.filter(at__lt=until)
        return outcomes.order_by("-at", "id")

    @extend_schema(
        request=OutcomeInputSerializer,
        responses={201: OutcomeSerializer, 200: OutcomeSerializer},
        description="Record one outcome, a row of `import_outcomes`. 201 when new; 200 with the "
        "stored outcome when the same one (kind, subject, day, context) is already stored, "
        "its value corrected when it differs.",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = OutcomeInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            row = as_import_row(dict(incoming.initial_data))
            directory = Directory()
            directory.prefetch([row])
            data = parse_outcome_row(row, directory)
        except RowError as error:
            raise _field_error(error) from None
        recorded = record_outcomes([data])
        stored = Outcome.objects.select_related("person", "context").get(outcome_key=data.key)
        code = status.HTTP_201_CREATED if recorded.created else status.HTTP_200_OK
        return Response(self.get_serializer(stored).data, status=code)

    @extend_schema(
        request=BulkOutcomesRequestSerializer,
        responses={
            200: BulkReportSerializer,
            400: OpenApiResponse(
                {"oneOf": [{"$ref": "#/components/schemas/BulkReport"}, VALIDATION_ERROR_REF]},
                description="With `atomic`: the report, nothing stored. Or an invalid body.",
            ),
        },
        description="Each outcome is an object with the CSV import's columns (kind, subject, at, "
        "value, scale, context). Rejected outcomes are listed by index with the reason; the "
        "others are stored (all or nothing with `atomic`). At most "
        f"{settings.SOCIOGRAPH_API_MAX_BULK_EVENTS} outcomes per request (413 beyond).",
    )
    @action(detail=False, methods=["post"], throttle_scope="bulk")
    def bulk(self, request: Request) -> Response:
        incoming = BulkOutcomesRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        outcomes = incoming.validated_data["outcomes"]
        limit = settings.SOCIOGRAPH_API_MAX_BULK_EVENTS
        if len(outcomes) > limit:
            raise PayloadTooLarge(f"{len(outcomes)} outcomes; at most {limit} per request")
        atomic = incoming.validated_data["atomic"]
        report = import_outcomes(_source_rows(outcomes), ImportReport(), atomic)
        failed = report.rejected_count and atomic
        return Response(
            _report_body(report),
            status=status.HTTP_400_BAD_REQUEST if failed else status.HTTP_200_OK,
        )

    @extend_schema(parameters=AGGREGATE_FILTERS, responses=PulseAggregateSerializer(many=True))
    @action(detail=False, methods=["get"])
    def aggregates(self, request: Request) -> Response:
        """Survey answers of one kind in one month, per group (the org, each context): people,
        answers, mean, as released when the month was first read after it ended (answers
        imported later change nothing until HR re-releases the month). Groups the release rule
        withholds come back `withheld` without figures (HR admins get the figures too).
        Managers: the org and the contexts in their scope."""
        params = request.query_params
        kind = choice_param(params, "kind", PULSE)
        month = text_param(params, "month")
        if not kind:
            raise ValidationError({"kind": "required: one of " + ", ".join(PULSE)})
        try:
            month_bounds(month)
        except ValueError as error:
            raise ValidationError({"month": str(error)}) from None
        wanted = _subject_param(text_param(params, "context"))
        rows = [
            _aggregate_row(group, kind, month, figures=role_of(request.user) == Role.HR_ADMIN)
            for group in _in_scope(request.user, pulse_aggregates(kind, month))
            if wanted in ("", group.label)
        ]
        return paginated_response(self, rows, PulseAggregateSerializer)


def _subject_param(text: str) -> str:
    if not text or text == "org":
        return text
    try:
        kind, name = parse_context_key(text)
    except ValueError as error:
        raise ValidationError({"context": str(error)}) from None
    return f"{kind}:{name}"


def _in_scope(user: Any, groups: list[PulseAggregate]) -> list[PulseAggregate]:
    if role_of(user) == Role.HR_ADMIN:
        return groups
    allowed = {str(pk) for pk in aggregate_context_ids(user)}
    return [group for group in groups if group.label == "org" or group.key in allowed]


def _aggregate_row(group: PulseAggregate, kind: str, month: str, figures: bool) -> dict[str, Any]:
    shown = figures or not group.withheld
    scale = group.scale
    return {
        "subject": group.label,
        "kind": kind,
        "month": month,
        "people": group.people if shown else None,
        "answers": group.answers if shown else None,
        "mean": group.mean if shown else None,
        "scale": f"{scale[0]:g}-{scale[1]:g}" if shown and scale else None,
        "mean_normalized": group.mean_normalized if shown else None,
        "withheld": bool(group.withheld),
        "reason": group.withheld,
    }


def _report_body(report: ImportReport) -> dict[str, Any]:
    return {
        "accepted": report.accepted,
        "already_present": report.already_present,
        "rejected": report.rejected_count,
        "rejections": [{"index": index, "reason": reason} for index, reason in report.rejections],
    }


def _source_rows(outcomes: list[dict[str, Any]]) -> Iterator[SourceRow]:
    for index, outcome in enumerate(outcomes):
        try:
            row = as_import_row(outcome)
        except RowError as error:
            yield SourceRow(index, None, str(error))
            continue
        yield checked_row(index, row)


class MyOutcomesView(MethodCheckedFirst, GenericAPIView[Outcome]):
    """The caller's own outcomes: their departure and their survey answers."""

    schema = ApiSchema()
    serializer_class = OutcomeSerializer
    policy: ClassVar[Policy] = {"get": OWN_READERS}

    def get_queryset(self) -> QuerySet[Outcome]:
        person = person_of(self.request.user)
        if person is None:
            raise PermissionDenied("your user is not linked to a person")
        return outcomes_of(person).order_by("-at", "id")

    @extend_schema(responses=OutcomeSerializer(many=True))
    def get(self, request: Request) -> Response:
        return paginated_response(self, self.get_queryset(), OutcomeSerializer)
