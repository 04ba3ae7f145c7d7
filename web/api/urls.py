from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from web.api.views.analytics import RunViewSet
from web.api.views.directory import ContextViewSet, MembershipViewSet, PersonViewSet
from web.api.views.events import (
    BulkEventsView,
    FollowViewSet,
    InteractionViewSet,
    RecognitionViewSet,
)
from web.api.views.me import MeView
from web.api.views.outcomes import MyOutcomesView, OutcomeViewSet
from web.api.views.reports import ReportViewSet
from web.api.views.webhooks import WebhookViewSet

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("people", PersonViewSet, basename="person")
router.register("contexts", ContextViewSet, basename="context")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("recognitions", RecognitionViewSet, basename="recognition")
router.register("follows", FollowViewSet, basename="follow")
router.register("interactions", InteractionViewSet, basename="interaction")
router.register("runs", RunViewSet, basename="run")
router.register("webhooks", WebhookViewSet, basename="webhook")
router.register("reports", ReportViewSet, basename="report")
router.register("outcomes", OutcomeViewSet, basename="outcome")

urlpatterns = [
    path("events/bulk/", BulkEventsView.as_view(), name="events-bulk"),
    path("me/", MeView.as_view(), name="me"),
    path("me/outcomes/", MyOutcomesView.as_view(), name="me-outcomes"),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[]), name="schema"),
    path(
        "docs/",
        # The split view serves its script as a file (no inline script: CSP script-src 'self').
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", permission_classes=[]),
        name="docs",
    ),
    path("", include(router.urls)),
]
