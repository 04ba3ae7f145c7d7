"""Who the caller is: their role and the person they act as."""

from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sociograph.api.errors import ApiSchema, MethodCheckedFirst
from sociograph.api.permissions import Policy
from sociograph.api.roles import ALL_ROLES, person_of, role_of


class MeView(MethodCheckedFirst, APIView):
    schema = ApiSchema()
    policy: ClassVar[Policy] = {"get": ALL_ROLES}

    @extend_schema(
        responses=inline_serializer(
            "Me",
            {
                "username": serializers.CharField(),
                "role": serializers.CharField(),
                "person": serializers.CharField(allow_null=True, help_text="external_id"),
            },
        )
    )
    def get(self, request: Request) -> Response:
        person = person_of(request.user)
        body: dict[str, Any] = {
            "username": request.user.get_username(),
            "role": role_of(request.user),
            "person": person.external_id if person else None,
        }
        return Response(body)
