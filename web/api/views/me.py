"""Who the caller is: their role and the person they act as; that person opts in or out of
analytics here."""

from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from people.selectors import person_of
from people.services import set_analytics_opt_out
from sociograph.accounts.roles import ALL_ROLES, Role, role_of
from web.api.errors import ApiSchema, MethodCheckedFirst
from web.api.permissions import Policy

ME = inline_serializer(
    "Me",
    {
        "username": serializers.CharField(),
        "role": serializers.CharField(),
        "person": serializers.CharField(allow_null=True, help_text="external_id"),
        "analytics_opt_out": serializers.BooleanField(
            allow_null=True, help_text="Whether your person is left out of analytics"
        ),
    },
)


class OptOutSerializer(serializers.Serializer[dict[str, Any]]):
    analytics_opt_out = serializers.BooleanField(
        help_text="true: leave me out of every analytics result; false: count me in again"
    )


class MeView(MethodCheckedFirst, APIView):
    schema = ApiSchema()
    # Opting in or out needs a linked person (any role but integration: checked in `patch`).
    policy: ClassVar[Policy] = {"get": ALL_ROLES, "patch": ALL_ROLES}

    @extend_schema(responses=ME)
    def get(self, request: Request) -> Response:
        return Response(_me(request))

    @extend_schema(
        request=OptOutSerializer,
        responses=ME,
        description="Opt your own person out of analytics, or back in. Recorded.",
    )
    def patch(self, request: Request) -> Response:
        person = person_of(request.user)
        if role_of(request.user) is Role.INTEGRATION:
            raise PermissionDenied("integrations never change analytics_opt_out")
        if person is None:
            raise PermissionDenied("your user is not linked to a person")
        body = OptOutSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        set_analytics_opt_out(person, body.validated_data["analytics_opt_out"], request.user)
        return Response(_me(request))


def _me(request: Request) -> dict[str, Any]:
    person = person_of(request.user)
    return {
        "username": request.user.get_username(),
        "role": role_of(request.user),
        "person": person.external_id if person else None,
        "analytics_opt_out": person.analytics_opt_out if person else None,
    }
