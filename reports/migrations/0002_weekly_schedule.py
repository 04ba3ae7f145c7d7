"""The weekly mining run and org-health report: a django-celery-beat PeriodicTask on a crontab in
settings.TIME_ZONE (settings.SOCIOGRAPH_REPORT_CRON, Monday 06:00), created only if absent so an
admin's edits survive. Edit or disable it in the admin (Periodic tasks)."""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

WEEKLY_NAME = "Weekly mining run and org-health report"
WEEKLY_TASK = "sociograph.reports.tasks.weekly_mining_and_report"


def create_weekly_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    if PeriodicTask.objects.filter(task=WEEKLY_TASK).exists():
        return
    cron = {"day_of_month": "*", "month_of_year": "*", **settings.SOCIOGRAPH_REPORT_CRON}
    crontab, _ = CrontabSchedule.objects.get_or_create(timezone=settings.TIME_ZONE, **cron)
    PeriodicTask.objects.get_or_create(
        name=WEEKLY_NAME,
        defaults={
            "task": WEEKLY_TASK,
            "crontab": crontab,
            "enabled": True,
            "description": "Mine the last 90 days, then build the org-health report and "
            "e-mail it to the HR admins (docs/reports.md).",
        },
    )
    # Historical models skip PeriodicTask.save(), which tells a running beat to reload.
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_weekly_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name=WEEKLY_NAME, task=WEEKLY_TASK
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_report"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_weekly_schedule, remove_weekly_schedule)]
