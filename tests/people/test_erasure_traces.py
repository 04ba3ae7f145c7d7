"""Erasure leaves no trace behind: not in the admin's history ("Recent actions"), and on SQLite
not in the database file or its write-ahead log either (PRAGMA secure_delete)."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.management import call_command
from django.db import connection
from django.test import Client

from people.models import Membership, Person
from people.services import erase_person
from sociograph.settings.base import database_from_url
from tests.support.users import user_with_role

pytestmark = [pytest.mark.integration]

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL needs VACUUM (docs/deployment.md)"
)


def log_change(user_id: int, obj: object) -> None:
    """What the admin records when someone saves a change to `obj`."""
    queryset = type(obj)._default_manager.filter(pk=obj.pk)  # type: ignore[attr-defined]
    LogEntry.objects.log_actions(user_id, queryset, CHANGE, change_message="[]")


@pytest.mark.django_db
def test_after_erasure_no_admin_log_entry_names_the_person(small_org: Path) -> None:
    call_command("import_org", str(small_org), stdout=io.StringIO())
    root = user_with_role(None, "root", password="root-password", superuser=True)
    cai, dee = Person.objects.get(external_id="E3"), Person.objects.get(external_id="E4")
    log_change(root.pk, cai)
    log_change(root.pk, Membership.objects.filter(person=cai).first())
    log_change(root.pk, dee)
    client = Client()
    client.force_login(root)
    assert "Cai Moor (E3)" in client.get("/admin/").text  # in "Recent actions"

    erased = client.post(f"/admin/people/person/{cai.pk}/delete/", {"post": "yes"})

    assert erased.status_code == 302
    assert not Person.objects.filter(external_id="E3").exists()
    reprs = list(LogEntry.objects.values_list("object_repr", flat=True))
    assert not [text for text in reprs if "Cai" in text or "E3" in text], reprs
    assert not LogEntry.objects.filter(object_id=str(cai.pk), content_type__model="person")
    assert not LogEntry.objects.filter(content_type__model="membership").exists()
    assert "Dee Nox (E4)" in reprs  # other people's history stays
    another_admin = Client()  # without the one-off "was deleted" message of the eraser's page
    another_admin.force_login(root)
    recent = another_admin.get("/admin/").text
    assert "Cai Moor" not in recent
    assert "Dee Nox (E4)" in recent


def test_every_sqlite_connection_asks_for_secure_delete() -> None:
    """Debian's SQLite has SECURE_DELETE compiled in (so the tests below pass there anyway);
    other builds (macOS, python.org) do not: the connection must ask for it."""
    options = database_from_url("")["OPTIONS"]
    assert "PRAGMA secure_delete=ON" in options["init_command"]


@sqlite_only
@pytest.mark.django_db
def test_sqlite_runs_with_secure_delete() -> None:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        assert cursor.fetchone()[0] == 1


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_an_erased_email_leaves_the_sqlite_file_and_its_wal() -> None:
    email = f"erase-me-{uuid.uuid4().hex}@example.org"
    person = Person.objects.create(external_id="X1", name="Erin Gone", email=email)
    erase_person(person)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    database = Path(connection.settings_dict["NAME"])
    for path in (database, database.with_name(database.name + "-wal")):
        if path.exists():
            assert email.encode() not in path.read_bytes(), path
