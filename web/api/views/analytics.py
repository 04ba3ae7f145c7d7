"""Mining runs and their results, read from SQL with each role's privacy rules applied."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from analytics.models import MiningRun, RunStatus
from analytics.services import RunAlreadyActive, start_run
from sociograph.accounts.roles import Role
from web.api import selectors
from web.api.errors import ApiSchema, Conflict, MethodCheckedFirst
from web.api.filters import choice_param, text_param
from web.api.permissions import Policy
from web.api.serializers import (
    FindingSerializer,
    MetricSerializer,
    RunRequestSerializer,
    RunSerializer,
)
from web.api.views.paging import paginated_response

HR = frozenset({Role.HR_ADMIN})
READERS = frozenset({Role.HR_ADMIN, Role.MANAGER, Role.EMPLOYEE})
SCOPES = ("person", "context", "org")
RUN_ID = OpenApiParameter(
    "id",
    str,
    OpenApiParameter.PATH,
    pattern=r"^(\d+|latest)$",
    description="The run's id, or `latest`: the newest succeeded run",
)


@extend_schema_view(retrieve=extend_schema(parameters=[RUN_ID]))
class RunViewSet(
    MethodCheckedFirst,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[MiningRun],
):
    """Runs: `{id}` may also be `latest` (the newest succeeded run)."""

    schema = ApiSchema()
    serializer_class = RunSerializer
    policy: ClassVar[Policy] = {
        "list": READERS,
        "retrieve": READERS,
        "create": HR,
        "metrics": READERS,
        "findings": frozenset({Role.HR_ADMIN, Role.MANAGER}),
    }

    def get_queryset(self) -> QuerySet[MiningRun]:
        return MiningRun.objects.order_by("-created_at", "-id")

    def get_object(self) -> MiningRun:
        reference = str(self.kwargs["pk"])
        if reference == "latest":
            runs = self.get_queryset().filter(status=RunStatus.SUCCEEDED)
            return get_object_or_404(runs.order_by("-finished_at")[:1])
        # isdigit() alone accepts digits int() refuses, such as "¹" (found by the schema fuzzer).
        if not (reference.isascii() and reference.isdigit()):
            return get_object_or_404(MiningRun.objects.none())
        return get_object_or_404(self.get_queryset(), pk=int(reference))

    @extend_schema(request=RunRequestSerializer, responses={202: RunSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Start a mining run in a worker; 202 with the run, its URL in Location. 409 while another
        run is queued or running."""
        incoming = RunRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            run = start_run(incoming.validated_data["window_days"])
        except RunAlreadyActive as refused:
            raise Conflict(str(refused)) from None
        url = reverse("api:run-detail", kwargs={"pk": run.pk}, request=request)
        return Response(
            self.get_serializer(run).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": url},
        )

    @extend_schema(
        parameters=[
            RUN_ID,
            OpenApiParameter("scope", str, enum=list(SCOPES)),
            OpenApiParameter("metric", str, description="e.g. betweenness, energy, viability"),
            OpenApiParameter("subject", str, description="external_id, kind:name or org"),
        ],
        responses=MetricSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def metrics(self, request: Request, pk: str | None = None) -> Response:
        """Metrics of the run the caller may see; small groups come back as withheld."""
        run = self.get_object()
        params = request.query_params
        scope = choice_param(params, "scope", SCOPES)
        rows = selectors.metrics_for(
            request.user,
            run,
            scope=scope,
            metric=text_param(params, "metric"),
            subject=text_param(params, "subject"),
        )
        return paginated_response(self, rows, MetricSerializer)

    @extend_schema(
        parameters=[
            RUN_ID,
            OpenApiParameter("pattern", str, description="e.g. silo, isolation"),
        ],
        responses=FindingSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def findings(self, request: Request, pk: str | None = None) -> Response:
        """HR admins: every finding. Managers: non-sensitive findings of their contexts (5+)."""
        run = self.get_object()
        findings = selectors.findings_for(request.user, run)
        if pattern := text_param(request.query_params, "pattern"):
            findings = findings.filter(pattern=pattern)
        return paginated_response(self, findings, FindingSerializer)
