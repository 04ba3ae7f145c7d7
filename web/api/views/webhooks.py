"""Webhook subscriptions and their delivery records (HR admins only)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sociograph.accounts.roles import Role
from web.api.errors import ApiSchema, MethodCheckedFirst
from web.api.permissions import Policy
from web.api.serializers import WebhookDeliverySerializer, WebhookSerializer
from web.api.views.paging import paginated_response
from webhooks.models import Webhook

HR = frozenset({Role.HR_ADMIN})
PATTERNS = (
    "attention_blindness",
    "single_point_leader",
    "unrecognized_formal_leader",
    "informal_leader",
    "isolation",
    "invisible_contributor",
    "recognition_ring",
    "silo",
    "broker",
    "narrow_pattern",
    "negative_contagion",
)


class WebhookViewSet(MethodCheckedFirst, viewsets.ModelViewSet[Webhook]):
    schema = ApiSchema()
    serializer_class = WebhookSerializer
    http_method_names = ("get", "post", "patch", "delete", "head", "options")
    policy: ClassVar[Policy] = dict.fromkeys(
        ("list", "retrieve", "create", "partial_update", "destroy", "deliveries"), HR
    )

    def get_queryset(self) -> QuerySet[Webhook]:
        return Webhook.objects.order_by("id")

    def perform_create(self, serializer: serializers.BaseSerializer[Webhook]) -> None:
        _check(serializer.validated_data)
        serializer.save(created_by=self.request.user)

    def perform_update(self, serializer: serializers.BaseSerializer[Webhook]) -> None:
        _check(serializer.validated_data)
        serializer.save()

    @extend_schema(responses=WebhookDeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str | None = None) -> Response:
        deliveries = self.get_object().deliveries.order_by("-id")
        return paginated_response(self, deliveries, WebhookDeliverySerializer)


def _check(data: dict[str, Any]) -> None:
    # The URL is checked by its model field's validator (webhooks.destinations).
    patterns = data.get("patterns")
    if patterns is None:
        return
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise serializers.ValidationError({"patterns": ["a list of pattern names"]})
    unknown = sorted(set(patterns) - set(PATTERNS))
    if unknown:
        raise serializers.ValidationError(
            {"patterns": [f"unknown: {', '.join(unknown)} (known: {', '.join(PATTERNS)})"]}
        )
