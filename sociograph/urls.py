from django.contrib import admin
from django.urls import include, path

from sociograph.health import health_view

urlpatterns = [
    path("health/", health_view, name="health"),
    path("admin/", admin.site.urls),
    path("portal/reports/", include("sociograph.reports.urls")),
    path("portal/", include("sociograph.portal.urls")),
    path("api/v1/", include("sociograph.api.urls")),
]
