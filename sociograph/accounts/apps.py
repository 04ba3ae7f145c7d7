from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """API tokens (stored hashed, expiring) and login throttling."""

    name = "sociograph.accounts"
    label = "accounts"

    def ready(self) -> None:
        import sociograph.accounts.schema  # noqa: F401  (registers the OpenAPI security scheme)
        from sociograph.accounts import signals

        signals.connect()
        from django.db.models.signals import post_migrate

        from sociograph.accounts.roles import grant_hr_admin_permissions

        # Runs after every app's migrate; permissions of new models exist by the last one.
        post_migrate.connect(grant_hr_admin_permissions, dispatch_uid="hr-admin-permissions")
