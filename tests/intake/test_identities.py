"""HR's answers to intake: an unresolved identifier mapped in the admin, and two records of one
person merged (in SQL and, through the outbox, in Neo4j)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.test import Client
from django.urls import reverse

from intake.models import UnresolvedIdentity
from intake.pipeline import IntakeReport, run_intake
from intake.records import InteractionRecord, PersonRef
from people.models import Context, Membership, Person, PersonIdentity
from recognition.models import Follow, Interaction, Recognition
from sociograph.accounts.roles import Role
from sociograph.graph import gateway, relay
from sociograph.graph.cypher import probe
from tests.support.commands import assert_no_drift, run, run_failing
from tests.support.users import client_of, user_with_role

AT = datetime(2026, 10, 1, 9, tzinfo=UTC)


def person(key: str, **fields: object) -> Person:
    return Person.objects.create(
        external_id=key, name=key.title(), email=f"{key}@example.org", **fields
    )


def chat(event_id: str, source: str, target: str) -> InteractionRecord:
    return InteractionRecord(
        event_id,
        PersonRef("slack", source),
        PersonRef("slack", target),
        AT,
        "chat",
        f"message {event_id}",
    )


@pytest.mark.django_db
def test_hr_maps_an_unresolved_identifier_and_the_re_import_brings_its_records() -> None:
    ana, ben = person("ana"), person("ben")
    PersonIdentity.objects.create(person=ben, source="slack", identifier="U2")
    records = [chat("1", "U1", "U2"), chat("2", "U2", "U1")]
    first = run_intake(records, "slack", IntakeReport())
    assert (first.accepted, first.rejected_count) == (0, 2)
    unresolved = UnresolvedIdentity.objects.get()
    hr: Client = client_of(user_with_role(Role.HR_ADMIN, "hr"))
    change = reverse("admin:intake_unresolvedidentity_change", args=[unresolved.pk])
    refused = hr.post(change, {"person": "nobody"})
    assert refused.status_code == 200
    assert "no person has the external id" in refused.content.decode()
    assert hr.post(change, {"person": "ana"}).status_code == 302
    assert not UnresolvedIdentity.objects.exists()
    assert PersonIdentity.objects.get(source="slack", identifier="U1").person == ana
    again = run_intake(records, "slack", IntakeReport())
    assert (again.accepted, again.rejected_count) == (2, 0)


@pytest.mark.django_db
def test_hr_sees_unresolved_identities_and_cannot_add_them() -> None:
    UnresolvedIdentity.objects.create(source="teams", identifier="aad-1", occurrences=3)
    hr = client_of(user_with_role(Role.HR_ADMIN, "hr"))
    listing = hr.get(reverse("admin:intake_unresolvedidentity_changelist"))
    assert "aad-1" in listing.content.decode()
    assert hr.get(reverse("admin:intake_unresolvedidentity_add")).status_code == 403


@pytest.fixture
def duplicate() -> dict[str, Person]:
    """Ana twice (ana, ana2), with Ben her report, Cy and Dee; events and periods on both."""
    people = {key: person(key) for key in ("ana", "ana2", "ben", "cy", "dee")}
    Person.objects.filter(pk=people["ben"].pk).update(manager=people["ana2"])
    team = Context.objects.create(kind="team", name="Platform")
    guild = Context.objects.create(kind="community", name="Guild")
    Membership.objects.create(person=people["ana"], context=team, since=date(2026, 1, 1))
    Membership.objects.create(person=people["ana2"], context=team, since=date(2026, 3, 1))
    Membership.objects.create(person=people["ana2"], context=guild, since=date(2026, 2, 1))
    PersonIdentity.objects.create(person=people["ana2"], source="slack", identifier="U9")
    for n, (a, b) in enumerate([("ana2", "cy"), ("dee", "ana2"), ("ana", "ana2")]):
        Interaction.objects.create(
            source=people[a], target=people[b], at=AT, channel="chat", event_key=f"k{n}"
        )
    Recognition.objects.create(giver=people["cy"], receiver=people["ana2"], at=AT, event_key="r")
    Follow.objects.create(
        follower=people["ben"], leader=people["ana2"], context=team, since=AT, event_key="f"
    )
    return people


def pairs(
    model: type[Interaction | Recognition | Follow], first: str, second: str
) -> set[tuple[str, str]]:
    rows = model.objects.values_list(f"{first}__external_id", f"{second}__external_id")
    return set(rows)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_merge_moves_everything_to_the_person_who_stays(
    duplicate: dict[str, Person], graph: None
) -> None:
    run("graph_rebuild")  # the fixture wrote its rows directly: project them all
    output = run("merge_people", "ana", "ana2")
    assert "events moved: recognition 1, follow 1, interaction 2" in output
    assert not Person.objects.filter(external_id="ana2").exists()
    assert pairs(Interaction, "source", "target") == {("ana", "cy"), ("dee", "ana")}
    assert pairs(Recognition, "giver", "receiver") == {("cy", "ana")}
    assert pairs(Follow, "follower", "leader") == {("ben", "ana")}
    assert Person.objects.get(external_id="ben").manager == duplicate["ana"]
    ana_identities = set(
        PersonIdentity.objects.filter(person=duplicate["ana"]).values_list("source", "identifier")
    )
    assert ana_identities == {("slack", "U9"), ("email", "ana2@example.org")}
    periods = set(
        Membership.objects.filter(person=duplicate["ana"]).values_list("context__name", "since")
    )
    # the overlapping Platform period of the duplicate went; the Guild one moved
    assert periods == {("Platform", date(2026, 1, 1)), ("Guild", date(2026, 2, 1))}
    relay.relay(wait_seconds=60)
    assert_no_drift()
    assert gateway.read(probe.PEOPLE_WITH_EXTERNAL_ID, external_id="ana2") == [{"people": 0}]


@pytest.mark.django_db
def test_a_person_cannot_be_merged_into_themselves_or_an_unknown_one() -> None:
    person("ana")
    assert "merged into themselves" in run_failing("merge_people", "ana", "ana")[1]
    assert "no person has the external id 'zed'" in run_failing("merge_people", "ana", "zed")[1]
