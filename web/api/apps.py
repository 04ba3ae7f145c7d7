from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API. No models of its own: its migrations are those of the webhook tables, which
    the webhooks app took over (webhooks/migrations/0001) and which keep their names."""

    name = "web.api"
    label = "api"
    verbose_name = "REST API"
    default_auto_field = "django.db.models.BigAutoField"
