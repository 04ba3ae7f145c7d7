from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    """What happened to people and teams (departures, pulse answers, team results), and
    backtests of whether the mined patterns forecast it here (docs/outcomes.md)."""

    name = "outcomes"
    label = "outcomes"
    verbose_name = "Outcomes and backtests"
    default_auto_field = "django.db.models.BigAutoField"
