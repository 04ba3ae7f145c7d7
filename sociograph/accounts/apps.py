from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """API tokens (stored hashed, expiring) and login throttling."""

    name = "sociograph.accounts"
    label = "accounts"

    def ready(self) -> None:
        import sociograph.accounts.schema  # noqa: F401  (registers the OpenAPI security scheme)
        from sociograph.accounts import signals

        signals.connect()
