"""The streaming JSON reader every JSON source uses: the same records whatever the chunk size,
each with its line, the members around the records, JSON Lines, and what stops reading."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from intake.records import SourceFormatError
from intake.sources.json_stream import (
    JsonItem,
    JsonStreamError,
    OuterField,
    Unreadable,
    Wrapper,
    json_items,
)

BONUSLY = Path(__file__).parent / "fixtures" / "bonusly"
ANSWER = Wrapper("result", first_keys=frozenset({"success", "message"}))
PAGE = Wrapper("value", first_keys=frozenset({"@odata.context", "@odata.nextLink"}))
CHUNKS = [1, 7, 100, 1 << 20]


def read(path: Path, wrapper: Wrapper = PAGE, chunk_chars: int = 8, **options: Any) -> list[Any]:
    return list(json_items(path, wrapper, chunk_chars=chunk_chars, **options))


def written(tmp_path: Path, text: str, name: str = "export.json") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("chunk_chars", CHUNKS)
def test_every_element_is_read_whatever_the_chunk(chunk_chars: int) -> None:
    answer = BONUSLY / "bonuses.json"
    expected = json.loads(answer.read_text())["result"]
    records = [part for part in read(answer, ANSWER, chunk_chars) if isinstance(part, JsonItem)]
    assert [(r.position, r.value) for r in records] == [
        (f"item {n}", bonus) for n, bonus in enumerate(expected, start=1)
    ]
    array = read(BONUSLY / "array.json", ANSWER, chunk_chars)
    assert [part.value for part in array] == json.loads((BONUSLY / "array.json").read_text())


@pytest.mark.parametrize("chunk_chars", CHUNKS)
def test_pages_stream_across_chunks_with_their_lines(tmp_path: Path, chunk_chars: int) -> None:
    text = '{"@odata.context": "x",\n "value": [\n  {"id": "1"},\n  {"id": 22}, 3333\n ],\n'
    text += ' "@odata.nextLink": "y"}\n[{"id": "4"}]'
    assert read(written(tmp_path, text), chunk_chars=chunk_chars) == [
        OuterField("@odata.context", "x", 1),
        JsonItem({"id": "1"}, 3, 1),
        JsonItem({"id": 22}, 4, 2),
        JsonItem(3333, 4, 3),
        OuterField("@odata.nextLink", "y", 6),
        JsonItem({"id": "4"}, 7, 4),
    ]


def test_an_object_that_is_no_wrapper_or_holds_no_records_is_one_record(tmp_path: Path) -> None:
    assert read(written(tmp_path, '{"id": "x",\n "value": 1}')) == [
        JsonItem({"id": "x", "value": 1}, 1, 1)
    ]
    assert read(written(tmp_path, '{"value": [], "@odata.nextLink": 1}')) == [
        OuterField("@odata.nextLink", 1, 1)
    ]
    assert read(written(tmp_path, '{"@odata.context": "u", "id": "x"}')) == [
        OuterField("@odata.context", "u", 1),
        OuterField("id", "x", 1),
        JsonItem({"@odata.context": "u", "id": "x"}, 1, 1),
    ]


@pytest.mark.parametrize("forced", [False, True])
def test_json_lines_report_a_broken_line_and_read_on(tmp_path: Path, forced: bool) -> None:
    path = written(tmp_path, '{"id": 1}\n\n{"id": \n{"id": 3}\r\n', "export.jsonl")
    assert read(path, json_lines=forced) == [
        JsonItem({"id": 1}, 1),
        Unreadable("not JSON: Expecting value at column 8", 3),
        JsonItem({"id": 3}, 4),
    ]


def test_a_broken_document_keeps_what_was_read(tmp_path: Path) -> None:
    parts = json_items(written(tmp_path, '[{"id": 1},\n {"id": 2} {"id": 3}]'), PAGE)
    assert next(parts) == JsonItem({"id": 1}, 1, 1)
    assert next(parts) == JsonItem({"id": 2}, 2, 2)
    with pytest.raises(JsonStreamError, match="expected , or ] after an element") as error:
        next(parts)
    assert error.value.line == 2


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("", "the file is empty"),
        ("  \n", "the file is empty"),
        ('{"success": true, "result": [{"id": "1"}, {"id": ', "not valid JSON"),
        ('{"success": true, "result": [{"id": "1"} {"id": "2"}]}', "expected , or ]"),
        ('{"success": true, "result": [{"id": "1"}', "expected , or ]"),
        ("id,created_at\n1,2026-01-01", "neither a JSON array"),
    ],
)
def test_what_cannot_be_read_is_a_source_format_error(
    tmp_path: Path, content: str, problem: str
) -> None:
    with pytest.raises(SourceFormatError, match=problem):
        read(written(tmp_path, content), ANSWER)


def test_text_that_is_not_utf_8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_bytes(b'[{"id": "\xff"}]')
    with pytest.raises(JsonStreamError, match="not UTF-8 text"):
        read(path)
