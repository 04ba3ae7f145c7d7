from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Where to POST new findings, and the record of each delivery (docs/api.md)."""

    name = "webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from analytics.models import MiningRun
        from webhooks.signals import run_saved

        post_save.connect(run_saved, sender=MiningRun, dispatch_uid="webhooks-on-run-finished")
