from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "recognition"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from recognition.projection import SPECS
        from sociograph.graph.projection import register

        register(*SPECS)
