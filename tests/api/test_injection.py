"""SQL- and Cypher-like text through every text field and every text filter of API v1.

Whatever a client writes into a text field is data: it is stored and answered back verbatim. A
text filter matches its value literally: `%` and `_` are not wildcards, `' OR 1=1 --` matches
nothing, and no filter changes a table. None of it is ever a 5xx.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db.models import Model
from rest_framework.test import APIClient

from analytics.models import (
    ContextMetric,
    Finding,
    MiningRun,
    OrgMetric,
    PersonMetric,
    RunStatus,
    Severity,
)
from people.models import Context, Membership, Person
from recognition.models import Follow, Interaction, Recognition
from sociograph.accounts.models import ApiToken
from sociograph.graph.models import OutboxEntry
from web.api.filters import MAX_PARAM_CHARS
from webhooks.models import Webhook, WebhookDelivery

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_throttling")]

Client = Callable[[str | None], APIClient]

SQL_LIKE = (
    "' OR 1=1 --",
    "' OR '1'='1",
    '"; DROP TABLE people_person; --',
    "Robert'); DROP TABLE people_person;--",
    "1 UNION SELECT username, password FROM auth_user",
    "x' AND 1=(SELECT COUNT(*) FROM auth_user) AND 'x'='x",
    "%",
    "_",
    "%_%",
    "100% a_b",
    "\\",
    "\\%",
    "'",
    '"',
    "/* */ --",
)
CYPHER_LIKE = (
    "MATCH (n) DETACH DELETE n",  # hostile input, not a query
    "}) RETURN 1 //",
    "'}) MATCH (n) DETACH DELETE n //",  # hostile input, not a query
    '"}) MATCH (n) SET n.name = "x" //',  # hostile input, not a query
    "` MATCH (n) RETURN n //",  # hostile input, not a query
    "$uuid {name: 'x'} :Person",
    "\\u0027}) CALL db.labels() //",
)
OTHER = (
    "Zoë Ünïcödé 中文 עברית 😀",
    "<script>alert(1)</script>",
    "${jndi:ldap://example.org/a}",
    "{{7*7}} #{7*7}",
)
PAYLOADS = SQL_LIKE + CYPHER_LIKE + OTHER
EMAILS = (
    "o'connor@example.org",
    "x'or'1'='1@example.org",
    "a%b_c@example.org",
    "match.n.detach.delete.n@example.org",
    "{return}|1//@example.org",
    "drop-table-people_person--@example.org",
    '"match(n)detach"@example.org',
)
WEBHOOK_URLS = (
    "https://hooks.example.org/'OR'1'='1--",
    "https://hooks.example.org/%27%20OR%201=1%20--",
    "https://hooks.example.org/MATCH(n)DETACH_DELETE_n",  # hostile input, not a query
    "https://hooks.example.org/})RETURN_1//",
    "https://hooks.example.org/a%25_b?q=';DROP+TABLE+people_person;--",
    "https://hooks.example.org/$x{y}`z`/ü/中",
)
LONG_UNIT = "' OR 1=1 -- MATCH (n) DETACH DELETE n "  # hostile input, not a query
AT = "2026-10-05T10:00:00Z"
EVERY_TABLE: tuple[type[Model], ...] = (
    Person,
    Context,
    Membership,
    Recognition,
    Follow,
    Interaction,
    MiningRun,
    PersonMetric,
    ContextMetric,
    OrgMetric,
    Finding,
    Webhook,
    WebhookDelivery,
    User,
    ApiToken,
    OutboxEntry,
)


def row_counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in EVERY_TABLE}


def created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


def listed(client: APIClient, url: str, **params: str) -> list[dict[str, Any]]:
    """Every row the filter lets through (one page of up to 1,000)."""
    response = client.get(url, {**params, "limit": "1000"})
    assert response.status_code == 200, (url, params, response.content)
    page = response.json()
    assert page["count"] == len(page["results"]), (url, params)
    return list(page["results"])


def uuids(rows: list[dict[str, Any]]) -> set[str]:
    return {row["uuid"] for row in rows}


@pytest.fixture
def injected_people(hr: APIClient) -> list[dict[str, Any]]:
    """One person per payload: name and title are the payload, the email a valid but hostile
    address; each also belongs to a context whose name is the payload (created with them)."""
    people = []
    for index, payload in enumerate(PAYLOADS):
        body = {
            "external_id": f"INJ-{index}",
            "name": payload,
            "title": payload,
            "email": EMAILS[index % len(EMAILS)],
            "contexts": [f"project:{payload}"],
        }
        people.append(created(hr.post("/api/v1/people/", body)))
    return people


# --- Stored and returned verbatim ---------------------------------------------------------------


def test_people_text_is_stored_and_returned_verbatim(
    hr: APIClient, injected_people: list[dict[str, Any]]
) -> None:
    for index, (payload, person) in enumerate(zip(PAYLOADS, injected_people, strict=True)):
        email = EMAILS[index % len(EMAILS)]
        assert (person["name"], person["title"], person["email"]) == (payload, payload, email)
        stored = Person.objects.get(uuid=person["uuid"])
        assert (stored.name, stored.title, stored.email) == (payload, payload, email)
        assert stored.memberships.get().context.key == f"project:{payload}"
        url = f"/api/v1/people/{person['uuid']}/"
        fetched = hr.get(url).json()
        assert (fetched["name"], fetched["title"]) == (payload, payload)
        renamed = hr.patch(url, {"title": f"{payload} (2)", "name": payload[::-1]})
        assert renamed.status_code == 200, renamed.content
        assert (renamed.json()["title"], renamed.json()["name"]) == (
            f"{payload} (2)",
            payload[::-1],
        )


# External ids are restricted to a safe character set (sociograph.ingest.text): the payloads
# outside it are a 400 naming the field and write nothing; those inside it are just ids.
ID_LIKE = ("_", "x@a.b", "a:b/c", "1+1", "_x-1", "E1.match.n.detach.delete.n")


def test_an_injected_external_id_is_refused_or_just_an_id(hr: APIClient) -> None:
    before = row_counts()
    for payload in (payload for payload in PAYLOADS if payload not in ID_LIKE):
        refused = hr.post("/api/v1/people/", {"external_id": payload, "name": "P"})
        assert refused.status_code == 400, (payload, refused.content)
        assert "is not a valid external id" in refused.json()["external_id"][0], payload
    assert row_counts() == before
    for index, payload in enumerate(ID_LIKE):
        person = created(hr.post("/api/v1/people/", {"external_id": payload, "name": f"P{index}"}))
        assert person["external_id"] == payload
        assert str(Person.objects.get(external_id=payload).uuid) == person["uuid"]
    assert hr.post("/api/v1/people/", {"external_id": "1+1", "name": "again"}).status_code == 409


def test_a_reference_to_an_injected_external_id_matches_nobody(hr: APIClient) -> None:
    e1 = Person.objects.get(external_id="E1")
    for payload in PAYLOADS:
        manager = hr.patch(f"/api/v1/people/{e1.uuid}/", {"manager": payload})
        assert manager.status_code == 400, (payload, manager.content)
        assert "manager" in manager.json()
        membership = {"person": payload, "context": "team:Platform"}
        assert hr.post("/api/v1/memberships/", membership).status_code == 400
    e1.refresh_from_db()
    assert e1.manager is None


def test_contexts_and_memberships_text_is_stored_and_returned_verbatim(hr: APIClient) -> None:
    for payload in PAYLOADS:
        context = created(hr.post("/api/v1/contexts/", {"kind": "topic", "name": payload}))
        assert (context["name"], context["key"]) == (payload, f"topic:{payload}")
        assert Context.objects.get(uuid=context["uuid"]).name == payload
        body = {"person": "E1", "context": f"topic:{payload}", "role": payload}
        membership = created(hr.post("/api/v1/memberships/", body))
        assert (membership["role"], membership["context"]) == (payload, f"topic:{payload}")
        assert Membership.objects.get(uuid=membership["uuid"]).role == payload
        child = {"kind": "team", "name": f"under {payload}", "parent": f"topic:{payload}"}
        assert created(hr.post("/api/v1/contexts/", child))["parent"] == f"topic:{payload}"
        url = f"/api/v1/contexts/{context['uuid']}/"
        renamed = hr.patch(url, {"name": payload[::-1]})
        assert renamed.status_code == 200, renamed.content
        assert renamed.json()["key"] == f"topic:{payload[::-1]}"


def test_recognition_text_is_stored_and_returned_verbatim(hr: APIClient) -> None:
    for index, payload in enumerate(PAYLOADS):
        body: dict[str, Any] = {
            "source": "E1",
            "target": "E2",
            "at": AT,
            "message": payload,
            "event_id": payload,
        }
        if ";" not in payload:  # `;` separates values, as in the CSV import
            body["values"] = [payload, f"v{index}"]
        recognition = created(hr.post("/api/v1/recognitions/", body))
        assert recognition["message"] == payload
        assert recognition["values"] == body.get("values", [])
        stored = Recognition.objects.get(uuid=recognition["uuid"])
        assert (stored.message, stored.values) == (payload, body.get("values", []))
        fetched = hr.get(f"/api/v1/recognitions/{recognition['uuid']}/").json()
        assert (fetched["message"], fetched["values"]) == (payload, body.get("values", []))
        # the event_id identifies the event literally: the same one again is a duplicate
        again = hr.post("/api/v1/recognitions/", body)
        assert again.status_code == 409, (payload, again.content)
    assert Recognition.objects.filter(giver__external_id="E1").count() == len(PAYLOADS)


def test_a_value_with_a_separator_is_refused_not_split(hr: APIClient) -> None:
    for payload in (p for p in PAYLOADS if ";" in p):
        body = {"source": "E1", "target": "E2", "at": AT, "values": [payload]}
        refused = hr.post("/api/v1/recognitions/", body)
        assert refused.status_code == 400, refused.content
        assert "values" in refused.json()


def test_follows_interactions_and_bulk_events_carry_injected_text(hr: APIClient) -> None:
    for index, payload in enumerate(PAYLOADS):
        created(hr.post("/api/v1/contexts/", {"kind": "community", "name": payload}))
        follow = {"source": "E4", "target": "E1", "context": f"community:{payload}", "at": AT}
        assert created(hr.post("/api/v1/follows/", follow))["context"] == (f"community:{payload}")
        interaction = {"source": "E4", "target": "E1", "at": AT, "event_id": payload}
        created(hr.post("/api/v1/interactions/", interaction))
        bulk = {
            "events": [
                {
                    "kind": "recognition",
                    "source": "E5",
                    "target": "E1",
                    "at": AT,
                    "message": payload,
                    "event_id": f"bulk {payload}",
                },
                {"kind": payload, "source": "E5", "target": "E1", "at": AT},
                {"kind": "recognition", "source": payload, "target": "E1", "at": AT},
            ]
        }
        report = hr.post("/api/v1/events/bulk/", bulk)
        assert report.status_code == 200, report.content
        assert (report.json()["accepted"], report.json()["rejected"]) == (1, 2), index
    messages = Recognition.objects.filter(giver__external_id="E5").values_list("message", flat=True)
    assert set(PAYLOADS) <= set(messages)
    assert Interaction.objects.filter(source__external_id="E4").count() == len(PAYLOADS) + 1


def test_webhook_urls_are_stored_verbatim_and_patterns_are_checked(hr: APIClient) -> None:
    for url in WEBHOOK_URLS:
        webhook = created(hr.post("/api/v1/webhooks/", {"url": url, "patterns": ["silo"]}))
        assert webhook["url"] == url
        assert Webhook.objects.get(pk=webhook["id"]).url == url
        moved = hr.patch(f"/api/v1/webhooks/{webhook['id']}/", {"url": f"{url}x"})
        assert moved.json()["url"] == f"{url}x"
    for payload in PAYLOADS:
        body = {"url": "https://hooks.example.org/x", "patterns": [payload]}
        refused = hr.post("/api/v1/webhooks/", body)
        assert refused.status_code == 400, refused.content
        assert "patterns" in refused.json()


# --- Filters match literally and change nothing -------------------------------------------------


def test_people_filters_match_injected_text_literally(
    hr: APIClient, injected_people: list[dict[str, Any]]
) -> None:
    everyone = listed(hr, "/api/v1/people/")
    memberships = listed(hr, "/api/v1/memberships/")
    before = row_counts()
    for payload in PAYLOADS:
        assert listed(hr, "/api/v1/people/", external_id=payload) == [], payload
        assert listed(hr, "/api/v1/memberships/", person=payload) == [], payload
        found = listed(hr, "/api/v1/people/", search=payload)
        assert uuids(found) == {p["uuid"] for p in everyone if payload.lower() in p["name"].lower()}
        assert len(found) < len(everyone), payload
        members = {m["person"] for m in memberships if m["context"] == f"project:{payload}"}
        in_context = listed(hr, "/api/v1/people/", context=f"project:{payload}")
        assert {p["external_id"] for p in in_context} == members, payload
        assert len(members) == 1
        for kind in ("team", "project"):
            by_context = listed(hr, "/api/v1/memberships/", context=f"{kind}:{payload}")
            assert {m["person"] for m in by_context} == (members if kind == "project" else set())
    # `%` and `_` are characters, not wildcards
    assert {p["name"] for p in listed(hr, "/api/v1/people/", search="%")} == {
        payload for payload in PAYLOADS if "%" in payload
    }
    assert {p["name"] for p in listed(hr, "/api/v1/people/", search="_")} == {
        payload for payload in PAYLOADS if "_" in payload
    }
    assert row_counts() == before


def test_context_filters_match_injected_text_literally(hr: APIClient) -> None:
    for payload in PAYLOADS:
        created(hr.post("/api/v1/contexts/", {"kind": "topic", "name": payload}))
    before = row_counts()
    for payload in PAYLOADS:
        named = listed(hr, "/api/v1/contexts/", name=payload)
        assert [c["key"] for c in named] == [f"topic:{payload}"], payload
        refused = hr.get("/api/v1/contexts/", {"kind": payload})
        assert refused.status_code == 400, refused.content
        assert "kind" in refused.json()
    assert row_counts() == before


def test_event_filters_match_injected_text_literally(hr: APIClient) -> None:
    for payload in PAYLOADS:
        created(hr.post("/api/v1/contexts/", {"kind": "topic", "name": payload}))
        body = {"source": "E1", "target": "E2", "at": AT, "context": f"topic:{payload}"}
        created(hr.post("/api/v1/recognitions/", body))
    before = row_counts()
    for url in ("/api/v1/recognitions/", "/api/v1/follows/", "/api/v1/interactions/"):
        everything = listed(hr, url)
        for payload in PAYLOADS:
            for name in ("person", "source", "target"):
                assert listed(hr, url, **{name: payload}) == [], (url, name, payload)
            in_context = listed(hr, url, context=f"topic:{payload}")
            assert uuids(in_context) == {
                event["uuid"] for event in everything if event["context"] == f"topic:{payload}"
            }
            if url == "/api/v1/recognitions/":
                assert len(in_context) == 1, payload
            team = listed(hr, url, context=f"team:{payload}")
            assert team == [], (url, payload)
    assert row_counts() == before


def seed_run(payloads: tuple[str, ...]) -> MiningRun:
    """A finished run with one metric and one finding named after each payload."""
    now = datetime.now(UTC)
    run = MiningRun.objects.create(
        status=RunStatus.SUCCEEDED,
        window_start=now - timedelta(days=90),
        window_end=now,
        finished_at=now,
    )
    person = Person.objects.get(external_id="E1")
    context = Context.objects.get(kind="team", name="Platform")
    for index, payload in enumerate(payloads):
        PersonMetric.objects.create(run=run, person=person, metric=payload[:50], value=index)
        ContextMetric.objects.create(run=run, context=context, metric=payload[:50], value=index)
        OrgMetric.objects.create(run=run, metric=payload[:50], value=index)
        Finding.objects.create(
            run=run, pattern=payload[:50], severity=Severity.INFO, context=context
        )
    ContextMetric.objects.create(run=run, context=context, metric="size", value=3)
    return run


def test_analytics_filters_match_injected_text_literally(hr: APIClient) -> None:
    run = seed_run(PAYLOADS)
    base = f"/api/v1/runs/{run.pk}"
    before = row_counts()
    for payload in PAYLOADS:
        metric = payload[:50]
        rows = listed(hr, f"{base}/metrics/", metric=metric)
        assert {row["metric"] for row in rows} == {metric}, payload
        assert sorted(row["scope"] for row in rows) == ["context", "org", "person"]
        assert listed(hr, f"{base}/metrics/", subject=payload) == [], payload
        assert listed(hr, f"{base}/metrics/", subject=f"team:{payload}") == [], payload
        findings = listed(hr, f"{base}/findings/", pattern=metric)
        assert [finding["pattern"] for finding in findings] == [metric], payload
        assert listed(hr, "/api/v1/runs/latest/metrics/", metric=metric) == rows
    assert row_counts() == before


# --- Limits: long text and NUL ------------------------------------------------------------------


def test_long_text_up_to_the_limits_is_kept_and_beyond_them_is_a_400(hr: APIClient) -> None:
    longest = (LONG_UNIT * 10)[:200]
    person = created(
        hr.post("/api/v1/people/", {"external_id": "LONG", "name": longest, "title": longest})
    )
    assert (person["name"], person["title"]) == (longest, longest)
    too_long = hr.post("/api/v1/people/", {"external_id": "LONGER", "name": longest + "x"})
    assert too_long.status_code == 400
    assert "name" in too_long.json()
    message = ("%_' OR 1=1 -- " * 200)[:2000].strip()
    body = {"source": "E1", "target": "E2", "at": AT, "message": message}
    assert created(hr.post("/api/v1/recognitions/", body))["message"] == message
    body["message"] = message + "x" * (2001 - len(message))
    assert hr.post("/api/v1/recognitions/", body).status_code == 400
    before = row_counts()
    at_limit = ("%' OR 1=1 --" * 100)[:MAX_PARAM_CHARS]
    assert listed(hr, "/api/v1/people/", search=at_limit) == []
    assert listed(hr, "/api/v1/people/", external_id=at_limit) == []
    over = hr.get("/api/v1/people/", {"search": at_limit + "x"})
    assert over.status_code == 400
    assert over.json() == {"search": [f"longer than {MAX_PARAM_CHARS} characters"]}
    assert row_counts() == before


TEXT_FILTERS = {
    "/api/v1/people/": ("external_id", "search", "context"),
    "/api/v1/memberships/": ("person", "context"),
    "/api/v1/recognitions/": ("person", "source", "target", "context"),
    "/api/v1/follows/": ("person", "source", "target", "context"),
    "/api/v1/interactions/": ("person", "source", "target", "context"),
    "/api/v1/contexts/": ("name",),
}


def test_nul_characters_are_a_400_never_a_500(hr: APIClient) -> None:
    for url, names in TEXT_FILTERS.items():
        for name in names:
            response = hr.get(url, {name: "team:E1\x00' OR 1=1 --"})
            assert response.status_code == 400, (url, name, response.content)
            assert response.json() == {name: ["contains a NUL character"]}
    run = seed_run(("betweenness",))
    for url, name in (("metrics", "metric"), ("metrics", "subject"), ("findings", "pattern")):
        response = hr.get(f"/api/v1/runs/{run.pk}/{url}/", {name: "a\x00b"})
        assert response.status_code == 400, (url, name, response.content)
    nul_name = hr.post("/api/v1/people/", {"external_id": "NUL", "name": "a\x00b"})
    assert nul_name.status_code == 400
    assert "name" in nul_name.json()
    body = {"source": "E1", "target": "E2", "at": AT, "message": "a\x00b"}
    nul_message = hr.post("/api/v1/recognitions/", body)
    assert nul_message.status_code == 400, nul_message.content
