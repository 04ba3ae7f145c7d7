"""Org-health reports (HR admins only): the history, and each report's PDF or HTML file."""

from __future__ import annotations

from typing import ClassVar

from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.reverse import reverse

from reports import selectors
from reports.files import FORMATS, report_file
from reports.models import Report
from sociograph.accounts.roles import Role
from web.api.errors import ApiSchema, MethodCheckedFirst
from web.api.filters import choice_param
from web.api.permissions import Policy

HR = frozenset({Role.HR_ADMIN})


class ReportSerializer(serializers.ModelSerializer[Report]):
    html = serializers.SerializerMethodField(help_text="URL of the HTML file")
    pdf = serializers.SerializerMethodField(help_text="URL of the PDF file")

    class Meta:
        model = Report
        fields = ("id", "run", "created_at", "emailed_at", "recipients", "error", "html", "pdf")
        read_only_fields = fields

    def _download(self, report: Report, fmt: str) -> str:
        url = reverse(
            "api:report-download", kwargs={"pk": report.pk}, request=self.context.get("request")
        )
        return f"{url}?fmt={fmt}"

    def get_html(self, report: Report) -> str:
        return self._download(report, "html")

    def get_pdf(self, report: Report) -> str:
        return self._download(report, "pdf")


class ReportViewSet(
    MethodCheckedFirst,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Report],
):
    """Reports built from mining runs, newest first; `download` returns the file."""

    schema = ApiSchema()
    serializer_class = ReportSerializer
    policy: ClassVar[Policy] = dict.fromkeys(("list", "retrieve", "download"), HR)

    def get_queryset(self) -> QuerySet[Report]:
        return selectors.reports()

    @extend_schema(
        parameters=[OpenApiParameter("fmt", str, enum=list(FORMATS), description="default pdf")],
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "text/html"): OpenApiTypes.BINARY,
        },
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        """The report's PDF (or its self-contained HTML with `?fmt=html`) as a download."""
        fmt = choice_param(request.query_params, "fmt", FORMATS) or "pdf"
        return report_file(self.get_object(), fmt)
