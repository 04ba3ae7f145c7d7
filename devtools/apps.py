from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Synthetic organizations, the SocioPatterns loader and the demo commands."""

    name = "devtools"
    label = "devtools"
