"""Reading what the admin said back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.messages import get_messages

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


def messages_of(response: TestResponse) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]
