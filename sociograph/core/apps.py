from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sociograph.core"
    label = "core"
