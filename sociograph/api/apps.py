from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "sociograph.api"
    label = "api"
    verbose_name = "REST API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate, post_save

        from analytics.models import MiningRun
        from sociograph.api.roles import grant_hr_admin_permissions
        from sociograph.api.signals import run_saved

        post_save.connect(run_saved, sender=MiningRun, dispatch_uid="webhooks-on-run-finished")
        # Runs after every app's migrate; permissions of new models exist by the last one.
        post_migrate.connect(grant_hr_admin_permissions, dispatch_uid="hr-admin-permissions")
