from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from people.signals import person_erased

        person_erased.connect(_forget_findings_of_erased, dispatch_uid="analytics-erasure")


def _forget_findings_of_erased(**_: object) -> None:
    from analytics.services import forget_orphan_findings

    forget_orphan_findings()
