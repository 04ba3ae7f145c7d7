from django.contrib import admin
from django.urls import include, path

from sociograph.accounts.login_throttle import throttled_login
from web.health import health_view

urlpatterns = [
    path("health/", health_view, name="health"),
    # The admin's own login view, behind the failed-login lock (the portal's is in portal/urls.py).
    path("admin/login/", throttled_login(admin.site.login)),
    path("admin/", admin.site.urls),
    path("portal/reports/", include("web.portal.reports_urls")),
    path("portal/", include("web.portal.urls")),
    path("api/v1/", include("web.api.urls")),
    path("scim/v2/", include("web.scim.urls")),
]
