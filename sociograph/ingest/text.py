"""Rules for text that comes in, shared by the CSV importers, the API and the admin.

Control characters (Unicode category Cc: C0, DEL and C1) are refused in every text field: no
field needs them, PostgreSQL refuses NUL, and a spreadsheet reads a leading tab or carriage
return as a formula's start. Multi-line fields (a recognition's message) keep tab, line feed and
carriage return. External ids (the HRIS id of a person) are restricted to a safe character set
that cannot start a spreadsheet formula.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

# Category Cc: U+0000-U+001F, U+007F-U+009F.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINE_BREAKS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

EXTERNAL_ID_MAX_CHARS = 100
# ASCII letters and digits, then also . _ - : @ / +; the first character a letter, digit or _.
_EXTERNAL_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:@/+\-]*")
EXTERNAL_ID_RULE = (
    "use ASCII letters, digits and . _ - : @ / + only, starting with a letter, a digit or _"
)


def has_control_character(text: str) -> bool:
    return _CONTROL.search(text) is not None


def control_character_problem(text: str, multiline: bool = False) -> str | None:
    """Why `text` cannot be stored (a control character), or None. `multiline` allows tab, line
    feed and carriage return."""
    pattern = _CONTROL_BUT_LINE_BREAKS if multiline else _CONTROL
    found = pattern.search(text)
    if found is None:
        return None
    return f"contains a control character (U+{ord(found.group()):04X})"


def external_id_problem(text: str) -> str | None:
    """Why `text` is not an acceptable external id, or None (empty is the caller's concern)."""
    if len(text) > EXTERNAL_ID_MAX_CHARS:
        return f"longer than {EXTERNAL_ID_MAX_CHARS} characters"
    if text and _EXTERNAL_ID.fullmatch(text) is None:
        return f"{text[:50]!r} is not a valid external id ({EXTERNAL_ID_RULE})"
    return None


def validate_single_line(text: str) -> None:
    """A Django/DRF validator: no control character at all."""
    problem = control_character_problem(text)
    if problem:
        raise ValidationError(problem, code="control_character")


def validate_multiline(text: str) -> None:
    """A Django/DRF validator: no control character but tab, line feed and carriage return."""
    problem = control_character_problem(text, multiline=True)
    if problem:
        raise ValidationError(problem, code="control_character")


def validate_external_id(text: str) -> None:
    problem = external_id_problem(text)
    if problem:
        raise ValidationError(problem, code="invalid_external_id")
