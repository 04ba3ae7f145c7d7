"""Webhooks end to end: registered through the API, fed by a mining run that finishes, delivered
by the session's real Celery worker to an HTTP receiver on 127.0.0.1, signed, retried with
back-off and recorded; internal addresses refused when registered and when delivered (SSRF); a
sweep sends what a lost task left pending. No mocks: the receiver is a `ThreadingHTTPServer` in a
thread that records each request and answers a scripted sequence, reached by the name
`receiver.sociograph.test` of the tests' stub DNS (tests/support/webhook_dns.py), which only the
test settings allow-list."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from analytics.models import Finding, MiningRun, RunStatus
from people.models import Context, Person
from sociograph.celery import app as celery_app
from sociograph.graph import relay
from tests.support import webhook_dns
from tests.support.api import Org, issue_token
from tests.support.csv_files import EVENT_HEADER, ORG_HEADER, write_csv
from tests.support.orgs import LEADERSHIP_ORG
from webhooks import delivery as webhooks
from webhooks.delivery import BACKOFF_SECONDS, MAX_RETRIES, retry_policy, signature
from webhooks.models import Webhook, WebhookDelivery
from webhooks.tasks import deliver_webhook, sweep_deliveries

DOCUMENTED_FIELDS = {
    "event",
    "run",
    "finding",
    "pattern",
    "severity",
    "subjects",
    "context",
    "detail",
    "sensitive",
}
SECRET = "a secret the receiver shares with Sociograph"
RECEIVER_HOST = "receiver.sociograph.test"  # 127.0.0.1 in the stub DNS, allow-listed
DELIVERY_TIMEOUT_SECONDS = 20.0


# --- The receiver ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]  # names in lower case: HTTP header names are case-insensitive
    body: bytes
    at: float

    def json(self) -> dict[str, Any]:
        data = json.loads(self.body)
        assert isinstance(data, dict)
        return data


class Receiver:
    """An HTTP server on 127.0.0.1 answering each request with the next of `script`: a status
    code, "redirect" (302 to /elsewhere) or "garbage" (no HTTP at all); 200 once it runs out."""

    def __init__(self, script: list[int | str] | None = None, port: int = 0) -> None:
        self.script: list[int | str] = list(script or [])
        self.requests: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver.answer(self)

            def do_GET(self) -> None:
                receiver.answer(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = int(self.server.server_address[1])
        self.url = f"http://{RECEIVER_HOST}:{self.port}/hook"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        headers = {name.lower(): value for name, value in handler.headers.items()}
        with self._lock:
            self.requests.append(
                Received(handler.command, handler.path, headers, body, time.monotonic())
            )
            answer = self.script.pop(0) if self.script else 200
        if answer == "garbage":
            handler.wfile.write(b"NOT HTTP AT ALL\r\n\r\n")
            return
        handler.send_response(302 if answer == "redirect" else int(answer))
        if answer == "redirect":
            handler.send_header("Location", f"http://127.0.0.1:{self.port}/elsewhere")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def received(self) -> list[Received]:
        with self._lock:
            return list(self.requests)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver()
    yield started
    started.stop()


def free_port() -> int:
    """A port nothing listens on (yet): connections to it are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- Helpers --------------------------------------------------------------------------------------


def wait_until_idle(worker: str, timeout: float = 60) -> None:
    """tests.conftest.wait_for_idle_workers for the session's one worker, faster: each inspection
    returns on its reply instead of waiting out those of other workers. Idle twice in a row, so
    that a message taken off a queue between the two looks cannot pass unseen."""
    broker = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    inspector = celery_app.control.inspect(destination=[worker], timeout=2, limit=1)
    deadline, idle = time.monotonic() + timeout, 0
    while idle < 2:
        if time.monotonic() > deadline:
            pytest.fail(f"the worker {worker} did not become idle within {timeout:.0f} s")
        replies = [inspector.active(), inspector.reserved(), inspector.scheduled()]
        busy = any(tasks for reply in replies for tasks in (reply or {}).values())
        queued = sum(
            broker.llen(queue) for queue in ("celery", "graph_sync", "analytics", "webhooks")
        )
        idle = 0 if busy or queued else idle + 1
        time.sleep(0.1)


@pytest.fixture
def idle_workers(celery_worker: str) -> Iterator[str]:
    """The session's worker, idle before and after the test: no delivery or retry of one test
    acts on another's data."""
    wait_until_idle(celery_worker)
    yield celery_worker
    wait_until_idle(celery_worker)


def hr_client() -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token('hooks-hr', 'hr_admin')}")
    return client


def register(hr: APIClient, url: str, patterns: list[str], secret: str | None = SECRET) -> int:
    data: dict[str, Any] = {"url": url, "patterns": patterns}
    if secret is not None:
        data["secret"] = secret
    response = hr.post("/api/v1/webhooks/", data, format="json")
    assert response.status_code == 201, response.content
    assert "secret" not in response.json()  # never returned
    return int(response.json()["id"])


def deliveries(hr: APIClient, webhook: int) -> list[dict[str, Any]]:
    response = hr.get(f"/api/v1/webhooks/{webhook}/deliveries/")
    assert response.status_code == 200, response.content
    return list(response.json()["results"])


def wait_for(
    condition: Callable[[], bool], what: str, timeout: float = DELIVERY_TIMEOUT_SECONDS
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.1)


def settled(hr: APIClient, webhook: int, count: int) -> Callable[[], bool]:
    """`count` deliveries, none of them pending any more."""

    def check() -> bool:
        rows = deliveries(hr, webhook)
        return len(rows) == count and all(row["status"] != "pending" for row in rows)

    return check


def verified(request: Received, secret: str) -> dict[str, Any]:
    """The body, after checking the signature the way a receiver does (independently of
    webhooks.delivery)."""
    expected = "sha256=" + hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, request.headers["x-sociograph-signature"])
    assert request.method == "POST"
    assert request.path == "/hook"
    assert request.headers["content-type"] == "application/json"
    return request.json()


def finish_run(findings: list[tuple[str, list[str], str | None]]) -> MiningRun:
    """A run with these findings (pattern, subjects' external ids, context key), then saved as
    succeeded the way execute_run does, which queues the deliveries."""
    now = timezone.now()
    run = MiningRun.objects.create(
        status=RunStatus.RUNNING,
        window_start=now - timedelta(days=90),
        window_end=now,
        started_at=now,
    )
    for pattern, subjects, context in findings:
        kind, _, name = (context or "::").partition(":")
        finding = Finding.objects.create(
            run=run,
            pattern=pattern,
            severity="warning",
            context=Context.objects.get(kind=kind, name=name) if context else None,
            detail={"planted": pattern},
            sensitive=bool(subjects),
        )
        finding.subjects.set(Person.objects.filter(external_id__in=subjects))
    run.status, run.finished_at = RunStatus.SUCCEEDED, timezone.now()
    run.save(update_fields=["status", "finished_at"])
    return run


def uuid_of(external_id: str) -> str:
    return str(Person.objects.get(external_id=external_id).uuid)


# --- A real mining run ----------------------------------------------------------------------------

# LEADERSHIP_ORG (tests/support/orgs.py): E1 CEO; E2 manages E3, E4; E5 manages E6,
# E7, E8 (community Guild), none of whom follows E5.
PLANTED_FOLLOWS = [
    ("E6", "E3", "community:Guild"),
    ("E7", "E3", "community:Guild"),
    ("E7", "E1", "team:Leadership"),
    ("E8", "E3", "community:Guild"),
    ("E8", "E4", "community:Guild"),
    ("E5", "E4", "community:Guild"),
    ("E3", "E2", "team:Platform"),
    ("E4", "E1", "team:Leadership"),
    ("E5", "E1", "team:Leadership"),
    ("E2", "E1", "team:Leadership"),
]


@pytest.fixture
def planted_org(tmp_path: Path, graph: None, idle_workers: str) -> None:
    at = (timezone.now() - timedelta(days=20)).isoformat()
    events = [f"follow,{s},{t},{c},{at},,,,,," for s, t, c in PLANTED_FOLLOWS]
    write_csv(tmp_path, "org.csv", ORG_HEADER, LEADERSHIP_ORG)
    write_csv(tmp_path, "events.csv", EVENT_HEADER, events)
    call_command("import_org", str(tmp_path / "org.csv"), stdout=io.StringIO())
    call_command("import_events", str(tmp_path / "events.csv"), stdout=io.StringIO())
    relay.relay(wait_seconds=30)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_finished_mining_run_posts_each_subscribed_finding_once_signed(
    planted_org: None, idle_workers: str, receiver: Receiver
) -> None:
    hr = hr_client()
    subscribed = ["informal_leader", "attention_blindness"]
    hook = register(hr, receiver.url, subscribed)
    other = register(hr, receiver.url, ["unrecognized_formal_leader"], secret=None)
    other_secret = Webhook.objects.get(pk=other).secret
    assert len(other_secret) == 64  # generated
    assert other_secret != SECRET

    out = io.StringIO()
    call_command("mine", "--sync", "--window-days=90", stdout=out)
    assert out.getvalue().splitlines()[-1].endswith("succeeded")
    run = MiningRun.objects.get()
    findings = {f.pk: f for f in Finding.objects.filter(run=run).prefetch_related("subjects")}
    mine = {pk for pk, f in findings.items() if f.pattern in subscribed}
    others = {pk for pk, f in findings.items() if f.pattern == "unrecognized_formal_leader"}
    assert {findings[pk].pattern for pk in mine} == set(subscribed)  # both patterns were found
    assert others
    assert {f.pattern for f in findings.values()} - {*subscribed, "unrecognized_formal_leader"}

    wait_for(settled(hr, hook, len(mine)), "the subscribed findings delivered")
    wait_for(settled(hr, other, len(others)), "the other webhook's findings delivered")
    wait_until_idle(idle_workers)  # nothing left to send: any duplicate would have arrived by now

    by_hook: dict[str, list[dict[str, Any]]] = {"hook": [], "other": []}
    for request in receiver.received():
        own = int(request.headers["x-sociograph-delivery"]) in {
            d["id"] for d in deliveries(hr, hook)
        }
        by_hook["hook" if own else "other"].append(
            verified(request, SECRET if own else other_secret)
        )
    sent = Counter(body["finding"] for body in by_hook["hook"])
    assert sent == Counter(mine)  # each subscribed finding exactly once, nothing else
    assert Counter(body["finding"] for body in by_hook["other"]) == Counter(others)
    for body in by_hook["hook"]:
        finding = findings[body["finding"]]
        assert set(body) == DOCUMENTED_FIELDS
        assert body == {
            "event": "finding",
            "run": run.pk,
            "finding": finding.pk,
            "pattern": finding.pattern,
            "severity": finding.severity,
            "subjects": sorted(p.external_id for p in finding.subjects.all()),
            "context": finding.context.key if finding.context else None,
            "detail": finding.detail,
            "sensitive": finding.sensitive,
        }
    informal = next(body for body in by_hook["hook"] if body["pattern"] == "informal_leader")
    assert informal["subjects"] == ["E3"]

    rows = deliveries(hr, hook)
    assert {row["finding"] for row in rows} == mine
    assert {(row["status"], row["attempts"], row["response_status"]) for row in rows} == {
        ("delivered", 1, 200)
    }
    headers = {int(r.headers["x-sociograph-delivery"]) for r in receiver.received()}
    assert {row["id"] for row in rows} <= headers


# --- Retries --------------------------------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_500_is_retried_with_back_off_and_then_delivered(
    org: Org, idle_workers: str, receiver: Receiver
) -> None:
    hr = hr_client()
    receiver.script = [500]
    hook = register(hr, receiver.url, ["silo"])
    finish_run([("silo", [], "team:Platform")])

    wait_for(settled(hr, hook, 1), "the delivery settled")
    [row] = deliveries(hr, hook)
    assert row["status"] == "delivered"
    assert row["attempts"] == 2
    assert row["response_status"] == 200
    assert row["last_error"] == ""
    assert row["delivered_at"] is not None
    first, second = receiver.received()
    assert verified(first, SECRET) == verified(second, SECRET)  # the same body, signed again
    assert first.headers["x-sociograph-delivery"] == second.headers["x-sociograph-delivery"]
    assert first.headers["x-sociograph-delivery"] == str(row["id"])
    assert second.at - first.at >= BACKOFF_SECONDS * 0.9  # the first retry waits 2 s


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_receiver_that_never_says_2xx_fails_the_delivery_after_the_last_retry(
    org: Org, idle_workers: str, receiver: Receiver, settings: Settings
) -> None:
    settings.SOCIOGRAPH_WEBHOOK_MAX_RETRIES = 2  # queued with each delivery
    settings.SOCIOGRAPH_WEBHOOK_BACKOFF_SECONDS = 0.5
    hr = hr_client()
    receiver.script = [503, 503, 503]  # then 200, which a 4th attempt would get
    hook = register(hr, receiver.url, ["silo"])
    finish_run([("silo", [], "team:Platform")])

    wait_for(settled(hr, hook, 1), "the delivery settled")
    wait_until_idle(idle_workers)
    [row] = deliveries(hr, hook)
    assert row["status"] == "failed"
    assert row["attempts"] == 3  # the first and two retries
    assert row["response_status"] == 503
    assert row["last_error"] == "HTTP 503"
    assert row["delivered_at"] is None
    times = [request.at for request in receiver.received()]
    assert len(times) == 3
    assert times[1] - times[0] >= 0.45
    assert times[2] - times[1] >= 0.9  # exponential: 0.5 s, then 1 s


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_redirects_and_unreadable_answers_are_retried_not_followed(
    org: Org, idle_workers: str, receiver: Receiver, settings: Settings
) -> None:
    settings.SOCIOGRAPH_WEBHOOK_BACKOFF_SECONDS = 0.5
    hr = hr_client()
    receiver.script = ["redirect", "garbage"]  # then 200
    hook = register(hr, receiver.url, ["silo"])
    finish_run([("silo", [], "team:Platform")])

    wait_for(settled(hr, hook, 1), "the delivery settled")
    [row] = deliveries(hr, hook)
    assert (row["status"], row["attempts"], row["response_status"]) == ("delivered", 3, 200)
    requests = receiver.received()
    assert [(r.method, r.path) for r in requests] == [("POST", "/hook")] * 3  # never GET /elsewhere
    for request in requests:
        verified(request, SECRET)


def test_the_retry_policy_defaults_to_the_documented_one(settings: Settings) -> None:
    del settings.SOCIOGRAPH_WEBHOOK_MAX_RETRIES
    del settings.SOCIOGRAPH_WEBHOOK_BACKOFF_SECONDS
    assert retry_policy() == {"max_retries": MAX_RETRIES, "backoff": BACKOFF_SECONDS}
    countdowns = [BACKOFF_SECONDS * 2**retries for retries in range(MAX_RETRIES)]
    assert countdowns == [2, 4, 8, 16, 32, 64]  # 7 attempts in all, as docs/api.md says


# --- What is sent once ----------------------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_each_finding_of_each_run_is_sent_once_per_webhook(
    org: Org, idle_workers: str, receiver: Receiver
) -> None:
    """A finding is a row of one run: the same finding found again by a later run is a new
    finding and is sent (with the new run and finding ids); saving a run as succeeded again
    does not send its findings twice."""
    hr = hr_client()
    hook = register(hr, receiver.url, ["silo"])
    first = finish_run([("silo", [], "team:Platform")])
    wait_for(settled(hr, hook, 1), "the first run's delivery")

    first.save(update_fields=["status", "finished_at"])  # succeeded again: nothing new
    wait_until_idle(idle_workers)
    assert len(deliveries(hr, hook)) == 1
    assert len(receiver.received()) == 1

    second = finish_run([("silo", [], "team:Platform")])
    wait_for(settled(hr, hook, 2), "the second run's delivery")
    wait_until_idle(idle_workers)
    bodies = [verified(request, SECRET) for request in receiver.received()]
    assert [body["run"] for body in bodies] == [first.pk, second.pk]
    assert bodies[0]["finding"] != bodies[1]["finding"]
    assert {k: v for k, v in bodies[0].items() if k not in ("run", "finding")} == {
        k: v for k, v in bodies[1].items() if k not in ("run", "finding")
    }


# --- Opted-out and erased people ------------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_findings_about_people_who_opted_out_are_never_queued(
    org: Org, idle_workers: str, receiver: Receiver
) -> None:
    hr = hr_client()
    response = hr.patch(
        f"/api/v1/people/{uuid_of('E3')}/",
        {"analytics_opt_out": True, "opt_out_reason": "E3's written request"},
        format="json",
    )
    assert response.status_code == 200, response.content
    hook = register(hr, receiver.url, ["informal_leader", "isolation", "silo", "recognition_ring"])
    run = finish_run(
        [
            ("informal_leader", ["E3"], None),
            ("recognition_ring", ["E3", "E5"], None),
            ("isolation", ["E4"], None),
            ("silo", [], "team:Platform"),
        ]
    )
    wait_for(settled(hr, hook, 2), "the two deliveries")
    wait_until_idle(idle_workers)
    sent = sorted(
        (body["pattern"], tuple(body["subjects"]))
        for body in (verified(r, SECRET) for r in receiver.received())
    )
    assert sent == [("isolation", ("E4",)), ("silo", ())]
    about_e3 = Finding.objects.filter(run=run, subjects__external_id="E3")
    assert {row["finding"] for row in deliveries(hr, hook)}.isdisjoint(
        about_e3.values_list("pk", flat=True)
    )


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_queued_deliveries_of_people_who_opt_out_or_are_erased_are_not_sent(
    org: Org, idle_workers: str
) -> None:
    """The receiver is down at first (connection refused); meanwhile E3 opts out and E4 is
    erased. Once it is up, the retries send only the finding about no one."""
    hr = hr_client()
    port = free_port()
    hook = register(hr, f"http://{RECEIVER_HOST}:{port}/hook", ["isolation", "silo"])
    run = finish_run(
        [("isolation", ["E3"], None), ("isolation", ["E4"], None), ("silo", [], "team:Platform")]
    )
    about = {
        person: Finding.objects.get(run=run, subjects__external_id=person).pk
        for person in ("E3", "E4")
    }

    def all_tried() -> bool:
        rows = deliveries(hr, hook)
        return len(rows) == 3 and all(row["attempts"] >= 1 for row in rows)

    wait_for(all_tried, "a first, refused attempt of each delivery")
    assert {row["status"] for row in deliveries(hr, hook)} == {"pending"}
    response = hr.patch(
        f"/api/v1/people/{uuid_of('E3')}/",
        {"analytics_opt_out": True, "opt_out_reason": "E3's written request"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert hr.delete(f"/api/v1/people/{uuid_of('E4')}/").status_code == 204
    assert not Finding.objects.filter(pk=about["E4"]).exists()

    receiver = Receiver(port=port)
    try:
        wait_for(settled(hr, hook, 3), "the retries")
        wait_until_idle(idle_workers)
        [request] = receiver.received()
    finally:
        receiver.stop()
    assert verified(request, SECRET)["pattern"] == "silo"
    rows = {row["id"]: row for row in deliveries(hr, hook)}
    silo = rows[int(request.headers["x-sociograph-delivery"])]
    assert (silo["status"], silo["response_status"]) == ("delivered", 200)
    opted = next(row for row in rows.values() if row["finding"] == about["E3"])
    assert (opted["status"], opted["last_error"]) == ("failed", "a subject opted out of analytics")
    erased = [row for row in rows.values() if row["finding"] is None]
    assert [(row["status"], row["last_error"]) for row in erased] == [
        ("failed", "the finding was erased")
    ]


# --- The signature --------------------------------------------------------------------------------


def test_the_signature_is_hmac_sha256_of_the_exact_body() -> None:
    body = b"Hello, World!"
    # The well-known vector of GitHub's webhook documentation, and hmac computed here.
    known = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert signature("It's a Secret to Everybody", body) == known
    expected = hmac.new(SECRET.encode(), b'{"a": 1}', hashlib.sha256).hexdigest()
    assert signature(SECRET, b'{"a": 1}') == f"sha256={expected}"
    assert signature(SECRET, b'{"a":1}') != f"sha256={expected}"  # the exact bytes count


# --- Server-side request forgery ------------------------------------------------------------------

# The issue's URLs, then other spellings of internal addresses: every one refused, although the
# test settings allow http (production does not) and allow-list only the receivers' name.
INTERNAL_URLS = [
    "http://127.0.0.1:6379/",
    "http://169.254.169.254/latest/meta-data/",
    "http://localhost:7474/db/neo4j/tx",
    "http://[::1]:8000/admin/",
    "http://loopback.sociograph.test/hook",  # a DNS name resolving to 127.0.0.1
    "http://metadata.sociograph.test/latest/meta-data/",
    "http://private.sociograph.test/",
    "http://half-public.sociograph.test/",  # one public, one private address
    "http://mapped.sociograph.test/",  # ::ffff:127.0.0.1
    "http://2130706433/",  # decimal 127.0.0.1
    "http://0177.0.0.1/",  # octal
    "http://0x7f.0.0.1/",  # hex
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:a9fe:a9fe]/",  # 169.254.169.254, IPv4-mapped
    "http://[fd00::1]/",
    "http://[fe80::1]/",
    "http://0.0.0.0:8000/",
    "http://224.0.0.1/",
    "http://100.64.0.1/",  # shared address space (carrier NAT)
    "http://240.0.0.1/",  # reserved
]


def refused_registration(hr: APIClient, url: str) -> list[str]:
    response = hr.post("/api/v1/webhooks/", {"url": url, "patterns": ["silo"]}, format="json")
    assert response.status_code == 400, (url, response.content)
    return list(response.json()["url"])


@pytest.mark.django_db
@pytest.mark.parametrize("url", [*INTERNAL_URLS, "ftp://hooks.example.org/x"])
def test_internal_and_non_http_urls_are_refused_at_registration(url: str) -> None:
    messages = refused_registration(hr_client(), url)
    assert any("allow" in message for message in messages), messages  # (and maybe "invalid")
    assert not Webhook.objects.exists()


@pytest.mark.django_db
def test_a_webhook_cannot_be_moved_to_an_internal_url() -> None:
    hr = hr_client()
    hook = register(hr, "https://hooks.example.org/hook", ["silo"])
    moved = hr.patch(f"/api/v1/webhooks/{hook}/", {"url": "http://127.0.0.1:6379/"}, format="json")
    assert moved.status_code == 400, moved.content
    assert "url" in moved.json()
    assert Webhook.objects.get(pk=hook).url == "https://hooks.example.org/hook"


@pytest.mark.django_db
def test_production_defaults_allow_https_to_public_hosts_only(settings: Settings) -> None:
    from sociograph.settings import base

    assert base.SOCIOGRAPH_WEBHOOK_ALLOW_HTTP is False
    assert base.SOCIOGRAPH_WEBHOOK_ALLOWED_HOSTS == []
    settings.SOCIOGRAPH_WEBHOOK_ALLOW_HTTP = base.SOCIOGRAPH_WEBHOOK_ALLOW_HTTP
    settings.SOCIOGRAPH_WEBHOOK_ALLOWED_HOSTS = base.SOCIOGRAPH_WEBHOOK_ALLOWED_HOSTS
    hr = hr_client()
    assert refused_registration(hr, "http://hooks.example.org/hook") == [
        "Only https URLs are allowed."
    ]
    refused_registration(hr, f"http://{RECEIVER_HOST}:8000/hook")  # not allow-listed here
    register(hr, "https://hooks.example.org/hook", ["silo"])
    register(hr, "https://public.sociograph.test/hook", ["silo"])  # IPv4 and IPv6, both public


@pytest.mark.django_db
def test_the_allow_list_lets_named_hosts_and_networks_through(settings: Settings) -> None:
    settings.SOCIOGRAPH_WEBHOOK_ALLOWED_HOSTS = ["loopback.sociograph.test", "10.1.0.0/16"]
    hr = hr_client()
    register(hr, "http://loopback.sociograph.test:8000/hook", ["silo"])
    register(hr, "http://private.sociograph.test/hook", ["silo"])  # 10.1.2.3
    register(hr, "http://10.1.200.1/hook", ["silo"])
    refused_registration(hr, "http://10.2.0.1/hook")
    refused_registration(hr, "http://localhost:8000/hook")  # 127.0.0.1, but not by that name


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["ftp://hooks.example.org/x", "http://127.0.0.1:6379/", "http://loopback.sociograph.test/"],
)
def test_the_admin_form_refuses_the_same_urls(admin_client: Client, url: str) -> None:
    form = {"url": url, "patterns": '["silo"]', "is_active": "on"}
    response = admin_client.post(reverse("admin:webhooks_webhook_add"), form)
    assert response.status_code == 200  # the form again, with its error
    assert response.context["adminform"].form.errors["url"]
    assert not Webhook.objects.exists()
    form["url"] = "https://hooks.example.org/hook"
    assert admin_client.post(reverse("admin:webhooks_webhook_add"), form).status_code == 302
    assert Webhook.objects.get().url == "https://hooks.example.org/hook"


def stored_webhook(url: str) -> Webhook:
    """Saved without validation, as by a version before the rules or a direct database write."""
    return Webhook.objects.create(url=url, patterns=["silo"], secret=SECRET)


def one_delivery(url: str) -> WebhookDelivery:
    """A pending delivery of a new finding to a webhook at `url`, its first attempt claimed.
    (The run's own queueing waits for a commit that these non-transactional tests never make.)"""
    webhook = stored_webhook(url)
    run = finish_run([("silo", [], None)])
    finding = Finding.objects.get(run=run)
    pk = WebhookDelivery.objects.create(webhook=webhook, finding=finding).pk
    delivery = webhooks.claim(pk, 0)
    assert delivery is not None
    return delivery


@pytest.mark.django_db
def test_a_delivery_connects_to_the_vetted_address_and_names_the_host(receiver: Receiver) -> None:
    """The system's DNS does not know receiver.sociograph.test: the delivery reaches the receiver
    only by connecting to the address the stub DNS gave when the URL was vetted."""
    delivery = one_delivery(receiver.url)
    webhooks.attempt(delivery)
    [request] = receiver.received()
    assert request.headers["host"] == f"{RECEIVER_HOST}:{receiver.port}"
    assert verified(request, SECRET)["finding"] == delivery.finding_id
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 1, 200)


@pytest.mark.django_db
def test_a_host_that_resolves_internally_by_delivery_time_is_not_contacted(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: public when registered, 127.0.0.1 (the receiver) when delivered."""
    monkeypatch.setitem(webhook_dns.NAMES, "rebind.sociograph.test", [webhook_dns.PUBLIC])
    url = f"http://rebind.sociograph.test:{receiver.port}/hook"
    register(hr_client(), url, ["silo"])
    monkeypatch.setitem(webhook_dns.NAMES, "rebind.sociograph.test", ["127.0.0.1"])
    Webhook.objects.update(secret=SECRET)
    run = finish_run([("silo", [], None)])
    pk = WebhookDelivery.objects.create(
        webhook=Webhook.objects.get(), finding=Finding.objects.get(run=run)
    ).pk
    delivery = webhooks.claim(pk, 0)
    assert delivery is not None
    webhooks.attempt(delivery)  # not retried: the URL is refused
    assert receiver.received() == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error) == ("failed", webhooks.REFUSED)


@pytest.mark.django_db
def test_a_stored_delivery_error_does_not_tell_which_ports_answer(receiver: Receiver) -> None:
    closed = one_delivery(f"http://{RECEIVER_HOST}:{free_port()}/hook")
    with pytest.raises(webhooks.DeliveryFailed):
        webhooks.attempt(closed)
    receiver.script = ["garbage"]
    garbage = one_delivery(receiver.url)
    with pytest.raises(webhooks.DeliveryFailed):
        webhooks.attempt(garbage)
    closed.refresh_from_db()
    garbage.refresh_from_db()
    assert (closed.status, closed.last_error) == ("pending", "connection failed")
    assert (garbage.status, garbage.last_error) == ("pending", "invalid HTTP response")
    rows = deliveries(hr_client(), closed.webhook_id)
    assert [row["last_error"] for row in rows] == ["connection failed"]


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_webhooks_stored_with_internal_urls_are_not_contacted_at_delivery(
    org: Org, idle_workers: str, receiver: Receiver
) -> None:
    """Rows written past the validator, pointing at a live receiver by internal names: the
    worker fails each delivery with one generic reason and never connects; the allow-listed
    name of the same receiver is delivered."""
    port = receiver.port
    internal = [
        f"http://127.0.0.1:{port}/hook",
        f"http://localhost:{port}/hook",
        f"http://loopback.sociograph.test:{port}/hook",
        f"http://2130706433:{port}/hook",
        f"http://0177.0.0.1:{port}/hook",
        f"http://[::ffff:127.0.0.1]:{port}/hook",
        f"https://127.0.0.1:{port}/hook",
    ]
    refused = [stored_webhook(url).pk for url in internal]
    allowed = stored_webhook(receiver.url).pk
    finish_run([("silo", [], "team:Platform")])

    hr = hr_client()
    for hook in [*refused, allowed]:
        wait_for(settled(hr, hook, 1), f"the delivery of webhook {hook}")
    wait_until_idle(idle_workers)
    [request] = receiver.received()
    assert request.headers["host"] == f"{RECEIVER_HOST}:{port}"
    [delivered] = deliveries(hr, allowed)
    assert delivered["status"] == "delivered"
    for hook in refused:
        [row] = deliveries(hr, hook)
        assert (row["status"], row["attempts"], row["last_error"]) == (
            "failed",
            1,
            webhooks.REFUSED,
        )


# --- The webhooks queue and the sweep -------------------------------------------------------------


def test_webhook_tasks_have_their_own_queue_and_the_sweep_is_scheduled() -> None:
    for task in (deliver_webhook, sweep_deliveries):
        assert celery_app.amqp.router.route({}, task.name)["queue"].name == "webhooks"
    schedule = django_settings.CELERY_BEAT_SCHEDULE["webhooks-sweep"]
    assert schedule["task"] == sweep_deliveries.name


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_the_sweep_sends_a_delivery_left_pending_exactly_once(
    org: Org, idle_workers: str, receiver: Receiver
) -> None:
    """The broker was down when the run finished: the delivery is pending and no task is on its
    way. Two sweeps, then the lost task turning up after all: one request."""
    run = finish_run([("silo", [], "team:Platform"), ("silo", [], "team:Insights")])
    webhook = stored_webhook(receiver.url)
    lost, in_flight = (
        WebhookDelivery.objects.create(
            webhook=webhook, finding=finding, next_attempt_at=timezone.now() + offset
        )
        for finding, offset in zip(
            Finding.objects.filter(run=run).order_by("id"),
            (timedelta(seconds=-1), timedelta(minutes=5)),
            strict=True,
        )
    )
    assert webhooks.sweep() == [lost.pk]  # not the one whose task may still come
    assert webhooks.sweep() == []
    webhooks.send_task(lost.pk, claim=0)  # the lost task, late
    hr = hr_client()

    def lost_settled() -> bool:
        return any(
            row["id"] == lost.pk and row["status"] != "pending"
            for row in deliveries(hr, webhook.pk)
        )

    wait_for(lost_settled, "the swept delivery")
    wait_until_idle(idle_workers)
    [request] = receiver.received()
    assert request.headers["x-sociograph-delivery"] == str(lost.pk)
    lost.refresh_from_db()
    in_flight.refresh_from_db()
    assert (lost.status, lost.attempts) == ("delivered", 1)
    assert (in_flight.status, in_flight.attempts) == ("pending", 0)
