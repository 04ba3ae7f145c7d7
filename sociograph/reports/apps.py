from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "sociograph.reports"
    label = "reports"
    verbose_name = "Org-health reports"
