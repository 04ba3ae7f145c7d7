"""The CSV layer of the importers: header checks, line numbers, encodings, oversized fields,
control characters."""

import pytest

from sociograph.ingest.importing import (
    FileFormatError,
    ImportReport,
    SourceRow,
    read_rows,
    rows_from_dicts,
)

COLUMNS = ("a", "b")


def rows(*lines: bytes) -> list[SourceRow]:
    return list(read_rows(list(lines), COLUMNS))


def test_rows_carry_their_line_numbers() -> None:
    result = rows(b"a,b\n", b"1,2\n", b"\n", b"3,4\n")
    assert [(row.line, row.values) for row in result] == [
        (2, {"a": "1", "b": "2"}),
        (4, {"a": "3", "b": "4"}),
    ]


def test_a_quoted_field_over_two_lines_starts_at_its_first_line() -> None:
    # only a message may hold line breaks (sociograph.ingest.formats.MULTILINE_COLUMNS)
    lines = [b"message,b\n", b'"multi\n', b'line",x\n', b"5,6\n"]
    result = read_rows(lines, ("message", "b"))
    assert [(row.line, row.values) for row in result] == [
        (2, {"message": "multi\nline", "b": "x"}),
        (4, {"message": "5", "b": "6"}),
    ]


def test_bad_lines_are_reported_and_good_lines_kept() -> None:
    huge = b'"' + b"y" * 200_000 + b'",1\n'
    result = rows(b"a,b\n", b"1,2\n", huge, b"\xff\xfe,3\n", b"4,5,6\n", b"7,8\n")
    assert [(row.line, row.error) for row in result] == [
        (2, None),
        (3, "unreadable CSV: field larger than field limit (131072)"),
        (4, "a: not valid UTF-8"),
        (5, "expected 2 fields, found 3"),
        (6, None),
    ]


def test_fields_over_our_own_limit_are_refused() -> None:
    result = rows(b"a,b\n", b"x" * 10_001 + b",1\n")
    assert result[0].error == "a: longer than 10000 characters"


def test_a_utf8_byte_order_mark_is_ignored() -> None:
    assert rows(b"\xef\xbb\xbfa,b\n", b"1,2\n")[0].values == {"a": "1", "b": "2"}


def test_cells_are_trimmed() -> None:
    assert rows(b" a , b \n", b" 1 , 2 \n")[0].values == {"a": "1", "b": "2"}


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (b"a\n", "line 1: missing column(s): b (expected a,b)"),
        (b"a,b,c\n", "line 1: unknown column(s): c (expected a,b)"),
        (b"a,b,a\n", "line 1: repeated column(s): a (expected a,b)"),
    ],
)
def test_header_problems_name_the_columns(header: bytes, message: str) -> None:
    with pytest.raises(FileFormatError) as error:
        rows(header, b"1,2\n")
    assert str(error.value) == message


def test_an_empty_file_is_a_file_error() -> None:
    with pytest.raises(FileFormatError, match="empty"):
        rows()


def test_optional_columns_are_accepted() -> None:
    result = list(read_rows([b"a,b,c\n", b"1,2,3\n"], COLUMNS, ("c",)))
    assert result[0].values == {"a": "1", "b": "2", "c": "3"}


def test_report_counts_every_rejection_and_calls_back() -> None:
    seen: list[tuple[int, str]] = []
    report = ImportReport(on_reject=lambda line, reason: seen.append((line, reason)))
    report.reject(3, "bad")
    report.reject(9, "worse")
    assert report.rejected_count == 2
    assert report.rejections == seen == [(3, "bad"), (9, "worse")]
    assert report.summary == "accepted: 0  already present: 0  rejected: 2"


def test_a_control_character_in_a_cell_rejects_its_line_and_names_the_column() -> None:
    result = read_rows(
        [
            b"kind,message,b\n",
            b"1,fine,2\n",
            b"3,ok,a\x00b\n",
            b"4,bell\x07,x\n",
            b'5,"two\n',
            b'lines\tand a tab\r",y\n',
            b"6,x,one\xc2\x85next line\n",  # U+0085, a C1 control character
            b"7,x,z\n",
        ],
        ("kind", "message", "b"),
    )
    assert [(row.line, row.error) for row in result] == [
        (2, None),
        (3, "b: contains a control character (U+0000)"),
        (4, "message: contains a control character (U+0007)"),
        (5, None),  # tab and line breaks are allowed in a message (sociograph.ingest.formats)
        (7, "b: contains a control character (U+0085)"),
        (8, None),
    ]


def test_rows_made_by_code_are_checked_too() -> None:
    result = list(rows_from_dicts([{"a": "1", "b": "x\x00"}, {"a": "2", "b": "\ty\tz"}]))
    assert [(row.line, row.error) for row in result] == [
        (2, "b: contains a control character (U+0000)"),
        (3, "b: contains a control character (U+0009)"),
    ]
