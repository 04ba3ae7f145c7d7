from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "web.portal"
    label = "portal"
    verbose_name = "HR portal"

    def ready(self) -> None:
        from django.contrib import admin

        admin.site.site_header = "Sociograph administration"
        admin.site.site_title = "Sociograph"
        admin.site.site_url = "/portal/"  # the admin's "View site" link opens the portal
