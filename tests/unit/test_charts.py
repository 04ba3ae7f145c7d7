"""The inline SVG charts: valid XML, escaped labels, gaps for missing values, scaled points."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from sociograph.charts import Series, bar_chart, line_chart, sparkline

SVG = "{http://www.w3.org/2000/svg}"


def parsed(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314  # our own output


def polylines(root: ET.Element) -> list[list[tuple[float, float]]]:
    return [
        [tuple(map(float, point.split(","))) for point in line.attrib["points"].split()]  # type: ignore[misc]
        for line in root.iter(f"{SVG}polyline")
    ]


def test_labels_are_escaped() -> None:
    root = parsed(line_chart(["<b>&"], [Series("<script>", [50.0])], title="a < b"))
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert "a < b" in texts
    assert "<b>&" in texts
    assert "<script> 50" in texts


def test_a_missing_value_breaks_the_line() -> None:
    root = parsed(
        line_chart(["1", "2", "3", "4"], [Series("x", [10.0, 20.0, None, 40.0])], title="t")
    )
    lines = polylines(root)
    assert [len(line) for line in lines] == [2, 1]


def test_values_map_onto_the_plot_area_top_to_bottom() -> None:
    root = parsed(line_chart(["a", "b"], [Series("x", [0.0, 100.0])], title="t", height=240))
    (line,) = polylines(root)
    (x0, y_low), (x1, y_high) = line
    assert x0 < x1
    # 0 sits on the bottom grid line, 100 on the top one (top margin 28, bottom margin 36).
    assert y_low == 240 - 36
    assert y_high == 28


def test_values_outside_the_range_are_clamped() -> None:
    root = parsed(line_chart(["a", "b"], [Series("x", [-50.0, 150.0])], title="t", height=240))
    (line,) = polylines(root)
    assert [y for _, y in line] == [240 - 36, 28]


def test_bar_lengths_are_proportional() -> None:
    root = parsed(bar_chart([("silo", 2.0), ("broker", 4.0)], title="Findings"))
    widths = [float(rect.attrib["width"]) for rect in root.iter(f"{SVG}rect")]
    assert widths[1] == 2 * widths[0]


def test_an_empty_bar_chart_says_so() -> None:
    root = parsed(bar_chart([], title="Findings"))
    assert "nothing to show" in [element.text for element in root.iter(f"{SVG}text")]


def test_sparkline_spans_its_own_range_and_skips_withheld_values() -> None:
    root = parsed(sparkline([0.2, None, 0.4, 0.3], width=80, height=18))
    lines = polylines(root)
    assert [len(line) for line in lines] == [1, 2]
    ys = [y for line in lines for _, y in line]
    assert min(ys) == 2
    assert max(ys) == 16


def test_a_sparkline_with_no_values_is_empty() -> None:
    assert sparkline([None, None]) == ""
