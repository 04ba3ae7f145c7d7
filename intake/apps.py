from django.apps import AppConfig


class IntakeConfig(AppConfig):
    """Data from the systems an organization already has: Slack, Teams, mail, calendars,
    recognition tools (docs/intake.md). Sources are parsers; one pipeline resolves identities and
    stores what they yield."""

    name = "intake"
    label = "intake"
    verbose_name = "Intake"
    default_auto_field = "django.db.models.BigAutoField"
