"""The weekly schedule created by the reports app's data migration."""

from __future__ import annotations

import importlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.conf import settings
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from reports.tasks import WEEKLY_TASK, weekly_mining_and_report

pytestmark = [pytest.mark.django_db]

migration = importlib.import_module("reports.migrations.0002_weekly_schedule")


def test_the_migration_schedules_mining_and_a_report_every_monday_at_six() -> None:
    task = PeriodicTask.objects.get(task=WEEKLY_TASK)
    assert task.enabled
    assert task.name == "Weekly mining run and org-health report"
    assert weekly_mining_and_report.name == task.task
    crontab = task.crontab
    assert crontab is not None
    cron = (crontab.minute, crontab.hour, crontab.day_of_week)
    assert cron == ("0", "6", "1")
    assert (crontab.day_of_month, crontab.month_of_year) == ("*", "*")
    assert str(crontab.timezone) == settings.TIME_ZONE
    zone = ZoneInfo(settings.TIME_ZONE)
    start, delta, _ = crontab.schedule.remaining_delta(datetime(2026, 11, 29, 12, 0, tzinfo=zone))
    assert start + delta == datetime(2026, 11, 30, 6, 0, tzinfo=zone)  # the next Monday, 06:00


def test_the_migration_keeps_an_edited_schedule() -> None:
    task = PeriodicTask.objects.get(task=WEEKLY_TASK)
    task.crontab = CrontabSchedule.objects.create(minute="30", hour="7", day_of_week="2")
    task.save()
    migration.create_weekly_schedule(apps, None)
    assert PeriodicTask.objects.filter(task=WEEKLY_TASK).count() == 1
    crontab = PeriodicTask.objects.get(task=WEEKLY_TASK).crontab
    assert crontab is not None
    assert crontab.hour == "7"


def test_the_migration_creates_the_schedule_when_absent() -> None:
    PeriodicTask.objects.filter(task=WEEKLY_TASK).delete()
    migration.create_weekly_schedule(apps, None)
    assert PeriodicTask.objects.get(task=WEEKLY_TASK).crontab.hour == "6"
