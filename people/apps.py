from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from people.projection import SPECS
        from sociograph.graph.projection import register

        register(*SPECS)
