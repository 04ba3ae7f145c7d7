"""Time-aware org history: employment dates and membership periods, imported, validated,
projected into Neo4j and reconciled."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from people.models import Membership, Person
from people.services import add_membership, deactivate_departed, update_membership, update_person
from people.tasks import DEACTIVATE_DEPARTED, deactivate_departed_people
from sociograph.graph import gateway, relay
from sociograph.graph.cypher.projection import MEMBERSHIPS_STATE, PEOPLE_STATE
from sociograph.graph.models import OutboxEntry
from tests.support.commands import assert_no_drift, run, run_failing
from tests.support.csv_files import ORG_HEADER, write_csv

pytestmark = [pytest.mark.integration, pytest.mark.django_db, pytest.mark.usefixtures("graph")]

DATED_HEADER = ORG_HEADER + ",joined_on,left_on"
MEMBERSHIP_HEADER = "person,context,role,since,until"
AS_OF = "2026-06-01"


def periods(external_id: str, context: str) -> list[tuple[date | None, date | None]]:
    kind, name = context.split(":")
    rows = Membership.objects.filter(
        person__external_id=external_id, context__kind=kind, context__name=name
    )
    return sorted(rows.values_list("since", "until"), key=lambda p: p[0] or date.min)


def org_file(tmp_path: Path, lines: list[str], name: str = "org.csv") -> str:
    return str(write_csv(tmp_path, name, DATED_HEADER, lines))


@pytest.fixture
def dated_org(tmp_path: Path) -> str:
    path = org_file(
        tmp_path,
        [
            "E1,Ada Kerr,,CEO,,team:Leadership,2020-01-06,",
            "E2,Bea Lind,,Manager,E1,team:Platform;project:Atlas,2021-03-01,",
            "E3,Cai Moor,,Engineer,E2,team:Platform,2022-05-02,2026-03-01",
        ],
    )
    assert "accepted: 3  already present: 0  rejected: 0" in run(
        "import_org", path, "--as-of", AS_OF
    )
    return path


def test_import_org_stores_dates_and_derives_is_active(dated_org: str) -> None:
    e2, e3 = Person.objects.get(external_id="E2"), Person.objects.get(external_id="E3")
    assert (e2.joined_on, e2.left_on, e2.is_active) == (date(2021, 3, 1), None, True)
    assert (e3.left_on, e3.is_active) == (date(2026, 3, 1), False)
    assert periods("E2", "team:Platform") == [(None, None)]  # a first membership has no start
    assert "accepted: 0  already present: 3  rejected: 0" in run(
        "import_org", dated_org, "--as-of", AS_OF
    )
    assert Membership.objects.count() == 4


def test_bad_dates_are_rejected_by_line_and_good_rows_kept(tmp_path: Path) -> None:
    path = org_file(
        tmp_path,
        [
            "E1,Ada Kerr,,CEO,,,2020-01-06,",
            "E2,Bea Lind,,Manager,,,2021-13-01,",
            "E3,Cai Moor,,Engineer,,,2022-05-02,2022-05-02",
            "E4,Dee Nox,,Engineer,,,,1.2.2024",
        ],
    )
    out, error = run_failing("import_org", path)
    assert "line 3: joined_on: '2021-13-01' is not a date (YYYY-MM-DD)" in out
    assert "line 4: left_on: 2022-05-02 is not after joined_on 2022-05-02" in out
    assert "line 5: left_on: '1.2.2024' is not a date (YYYY-MM-DD)" in out
    assert "accepted: 1  already present: 0  rejected: 3" in out
    assert "3 row(s) rejected" in error
    assert list(Person.objects.values_list("external_id", flat=True)) == ["E1"]


def test_a_left_on_before_the_stored_joined_on_is_rejected(dated_org: str, tmp_path: Path) -> None:
    path = org_file(tmp_path, ["E2,Bea Lind,,Manager,E1,team:Platform,,2021-01-01"], "late.csv")
    out, _ = run_failing("import_org", path)
    assert "line 2: left_on: 2021-01-01 is not after joined_on 2021-03-01" in out
    assert Person.objects.get(external_id="E2").left_on is None


def test_end_missing_ends_unlisted_periods_and_a_relisted_context_starts_a_new_one(
    dated_org: str, tmp_path: Path
) -> None:
    moved = org_file(tmp_path, ["E2,Bea Lind,,Manager,E1,team:Platform,,"], "moved.csv")
    run("import_org", moved, "--as-of", AS_OF)
    assert periods("E2", "project:Atlas") == [(None, None)]  # without the flag nothing ends
    out = run("import_org", moved, "--as-of", AS_OF, "--end-missing")
    assert "accepted: 1  already present: 0  rejected: 0" in out
    assert periods("E2", "project:Atlas") == [(None, date(2026, 5, 31))]
    assert "already present: 1" in run("import_org", moved, "--as-of", AS_OF, "--end-missing")
    back = org_file(tmp_path, ["E2,Bea Lind,,Manager,E1,team:Platform;project:Atlas,,"], "b.csv")
    run("import_org", back, "--as-of", "2026-09-01", "--end-missing")
    assert periods("E2", "project:Atlas") == [(None, date(2026, 5, 31)), (date(2026, 9, 1), None)]
    assert "already present: 1" in run("import_org", back, "--as-of", "2026-09-01")
    assert periods("E2", "team:Platform") == [(None, None)]


def test_leave_missing_sets_left_on_of_absent_people_only(dated_org: str, tmp_path: Path) -> None:
    only_e1 = org_file(tmp_path, ["E1,Ada Kerr,,CEO,,team:Leadership,,"], "e1.csv")
    run("import_org", only_e1, "--as-of", AS_OF)
    assert Person.objects.get(external_id="E2").left_on is None  # without the flag
    out = run("import_org", only_e1, "--as-of", AS_OF, "--leave-missing")
    assert "--leave-missing: 1 people absent from the file leave on 2026-06-01" in out
    e2, e3 = Person.objects.get(external_id="E2"), Person.objects.get(external_id="E3")
    assert (e2.left_on, e2.is_active) == (date(2026, 6, 1), False)
    assert e3.left_on == date(2026, 3, 1)  # already set: kept
    assert "leave on" in run("import_org", only_e1, "--as-of", AS_OF, "--leave-missing")
    assert Person.objects.get(external_id="E1").left_on is None


def test_a_future_left_on_keeps_a_person_active_until_it_comes(tmp_path: Path) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    path = org_file(tmp_path, [f"E1,Ada Kerr,,CEO,,,,{tomorrow.isoformat()}"])
    run("import_org", path)
    person = Person.objects.get(external_id="E1")
    assert person.is_active
    assert deactivate_departed() == 0
    recorded = OutboxEntry.objects.count()
    assert deactivate_departed(on=tomorrow) == 1
    person.refresh_from_db()
    assert not person.is_active
    assert OutboxEntry.objects.latest("id").uuids == [str(person.uuid)]
    assert OutboxEntry.objects.count() == recorded + 1


def test_the_beat_task_deactivates_people_whose_left_on_has_come(dated_org: str) -> None:
    e2 = Person.objects.get(external_id="E2")
    Person.objects.filter(pk=e2.pk).update(left_on=timezone.localdate())  # as if by an old write
    assert deactivate_departed_people.name == DEACTIVATE_DEPARTED
    assert deactivate_departed_people() == {"deactivated": 1}
    assert "deactivated: 0" in run("deactivate_departed")
    e2.refresh_from_db()
    assert not e2.is_active


def test_update_person_derives_is_active_and_keeps_it_when_left_on_is_cleared(
    dated_org: str,
) -> None:
    e2 = Person.objects.get(external_id="E2")
    update_person(e2, {"left_on": date(2026, 1, 1)})
    assert not e2.is_active
    update_person(e2, {"left_on": None})
    assert not e2.is_active  # a departure without a date stays possible
    update_person(e2, {"left_on": timezone.localdate() + timedelta(days=30)})
    assert e2.is_active
    with pytest.raises(ValueError, match="left_on: 2020-01-01 is not after joined_on"):
        update_person(e2, {"left_on": date(2020, 1, 1)})


def test_services_refuse_overlapping_periods_naming_the_conflict(dated_org: str) -> None:
    e2 = Person.objects.get(external_id="E2")
    platform = Membership.objects.get(person=e2, context__name="Platform")
    update_membership(platform, {"until": date(2025, 12, 31)})
    with pytest.raises(ValidationError) as error:
        add_membership(e2, platform.context, since=date(2025, 6, 1))
    assert error.value.message_dict["since"] == [
        "the period since 2025-06-01 with no end overlaps the period with no start until "
        "2025-12-31 of E2 in team:Platform"
    ]
    second = add_membership(e2, platform.context, since=date(2026, 1, 1), role="lead")
    with pytest.raises(ValidationError):
        update_membership(platform, {"until": None})
    assert periods("E2", "team:Platform") == [(None, date(2025, 12, 31)), (date(2026, 1, 1), None)]
    assert second.role == "lead"


def memberships_file(tmp_path: Path, lines: list[str], name: str = "members.csv") -> str:
    return str(write_csv(tmp_path, name, MEMBERSHIP_HEADER, lines))


def test_import_memberships_reports_every_error_kind_and_keeps_good_lines(
    dated_org: str, tmp_path: Path
) -> None:
    path = memberships_file(
        tmp_path,
        [
            "E2,team:Platform,,,2024-12-31",  # updates the open period (same since: none)
            "E2,team:Platform,lead,2025-01-01,",
            "E9,team:Platform,,,",
            "E2,squad:Nope,,,",
            "E2,team:Data,,2025-02-30,",
            "E2,team:Data,,2025-03-01,2025-02-01",
            "E2,team:Platform,,2025-06-01,",
            "E2,team:Platform,,2024-06-01,2024-07-01",
            "E3,project:Atlas,,2024-01-01,2024-12-31",
            "E3,project:Atlas,,2024-01-01,2024-12-31",
        ],
    )
    out, error = run_failing("import_memberships", path)
    assert "line 4: person: 'E9' is not a known person" in out
    assert "line 5: context: context kind 'squad' is not one of" in out
    assert "line 6: since: '2025-02-30' is not a date (YYYY-MM-DD)" in out
    assert "line 7: until: 2025-02-01 is before since 2025-03-01" in out
    assert (
        "line 8: since: the period since 2025-06-01 with no end overlaps the period since "
        "2025-01-01 with no end (line 3)" in out
    )
    assert (
        "line 9: since: the period since 2024-06-01 until 2024-07-01 overlaps the period with "
        "no start until 2024-12-31 (line 2)" in out
    )
    assert "line 11: duplicate of line 10 (same person, context and since)" in out
    assert "accepted: 3  already present: 0  rejected: 7" in out
    assert "7 row(s) rejected; accepted rows were kept" in error
    assert periods("E2", "team:Platform") == [(None, date(2024, 12, 31)), (date(2025, 1, 1), None)]
    assert periods("E3", "project:Atlas") == [(date(2024, 1, 1), date(2024, 12, 31))]
    assert not Membership.objects.filter(context__name__in=["Nope", "Data"]).exists()


def test_import_memberships_is_idempotent_and_updates_by_since(
    dated_org: str, tmp_path: Path
) -> None:
    lines = ["E3,project:Atlas,,2024-01-01,2024-12-31", "E3,team:Data,analyst,2025-01-01,"]
    path = memberships_file(tmp_path, lines)
    assert "accepted: 2  already present: 0  rejected: 0" in run("import_memberships", path)
    assert "accepted: 0  already present: 2  rejected: 0" in run("import_memberships", path)
    changed = memberships_file(tmp_path, ["E3,team:Data,lead,2025-01-01,2025-06-30"], "c.csv")
    assert "accepted: 1  already present: 0" in run("import_memberships", changed)
    data = Membership.objects.get(person__external_id="E3", context__name="Data")
    assert (data.role, data.until) == ("lead", date(2025, 6, 30))
    assert Membership.objects.filter(person__external_id="E3").count() == 3


def test_import_memberships_atomic_keeps_nothing_on_a_rejected_line(
    dated_org: str, tmp_path: Path
) -> None:
    path = memberships_file(tmp_path, ["E3,team:Data,,2025-01-01,", "E9,team:Data,,,"])
    out, error = run_failing("import_memberships", path, "--atomic")
    assert "line 3: person: 'E9' is not a known person" in out
    assert "nothing was kept (--atomic)" in error
    assert not Membership.objects.filter(context__name="Data").exists()


def test_periods_and_dates_reach_neo4j_and_reconcile_finds_no_drift(
    dated_org: str, tmp_path: Path
) -> None:
    path = memberships_file(
        tmp_path, ["E2,team:Platform,,,2024-12-31", "E2,team:Platform,lead,2025-01-01,"]
    )
    run("import_memberships", path)
    relay.relay(wait_seconds=30)
    e2 = Person.objects.get(external_id="E2")
    platform = Membership.objects.filter(person=e2, context__name="Platform").first()
    assert platform is not None
    members = [
        (row["role"], row["since"], row["until"])
        for row in gateway.read(MEMBERSHIPS_STATE)
        if row["person"] == str(e2.uuid) and row["context"] == str(platform.context.uuid)
    ]
    assert sorted(members, key=str) == sorted(
        [("", None, "2024-12-31"), ("lead", "2025-01-01", None)], key=str
    )
    people = {row["external_id"]: row for row in gateway.read(PEOPLE_STATE)}
    assert (people["E3"]["joined_on"], people["E3"]["left_on"]) == ("2022-05-02", "2026-03-01")
    assert people["E3"]["active"] is False
    assert_no_drift()
    assert "no drift" in run("graph_reconcile").lower()
