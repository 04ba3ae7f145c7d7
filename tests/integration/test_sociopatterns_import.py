"""The real SocioPatterns InVS13 deployment imports completely, idempotently, and projects."""

import io

import pytest
from django.core.management import call_command

from people.models import Context, Person
from recognition.models import Interaction
from sociograph.graph import reconcile, relay

pytestmark = [pytest.mark.integration, pytest.mark.django_db, pytest.mark.usefixtures("graph")]


def import_invs13() -> str:
    out = io.StringIO()
    call_command(
        "import_sociopatterns", "--dataset=InVS13", "--start=2026-10-05T00:00:00+00:00", stdout=out
    )
    return out.getvalue()


def test_invs13_imports_with_the_published_figures() -> None:
    output = import_invs13()
    assert "InVS13 people: accepted: 92  already present: 0  rejected: 0" in output
    assert "InVS13 contacts: accepted: 9827  already present: 0  rejected: 0" in output
    assert Person.objects.count() == 92
    assert Context.objects.filter(kind="team").count() == 5
    assert Interaction.objects.filter(channel="in_person").count() == 9827
    within = Interaction.objects.filter(context__isnull=False).count()
    assert round(within / 9827, 2) == 0.82
    relay.relay(wait_seconds=60)
    assert [d.describe() for d in reconcile.compare_all() if d.drifted] == []


def test_reimporting_invs13_changes_nothing() -> None:
    import_invs13()
    output = import_invs13()
    assert "contacts: accepted: 0  already present: 9827  rejected: 0" in output
    assert Interaction.objects.count() == 9827
