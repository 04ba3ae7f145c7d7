"""Paged lists for extra actions (kept out of `pagination`, which DRF imports while loading)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer


def paginated_response(
    view: GenericAPIView[Any],
    rows: QuerySet[Any] | Sequence[Any],
    serializer_class: type[BaseSerializer[Any]],
) -> Response:
    """`rows` serialized as a page when the view paginates, else all of them. For extra actions
    listing something other than the view's own model (hence `GenericAPIView[Any]`)."""
    page = view.paginate_queryset(rows)
    data = serializer_class(page if page is not None else rows, many=True).data
    return view.get_paginated_response(data) if page is not None else Response(data)
