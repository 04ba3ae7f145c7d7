"""The report's content, from runs planted in SQL: sections, charts, explanations, withheld
small groups, the most important changes, a self-contained page."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest

from analytics import overview
from analytics.models import ContextMetric, MiningRun, OrgMetric, RunStatus
from people.models import Context
from reports.builder import METRIC_LABELS, ReportError, render_html
from reports.explanations import EXPLANATIONS, SINGLE_LEADER_MEANING
from tests.support.reports import FINISHED, PlantedRuns, planted_run
from web.api.views.webhooks import PATTERNS

pytestmark = [pytest.mark.django_db]


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_every_pattern_has_a_plain_language_explanation_with_a_source() -> None:
    assert set(EXPLANATIONS) == set(PATTERNS)
    for explanation in EXPLANATIONS.values():
        assert explanation.title
        assert explanation.source
        assert len(explanation.meaning) > 80
        assert len(explanation.action) > 40
        # The portal shows the first sentence of the meaning as its one-line meaning.
        assert explanation.meaning.startswith(explanation.summary)
        assert explanation.summary.endswith(".")
        assert ". " not in explanation.summary


def test_the_report_has_its_sections_charts_and_the_explanations_of_the_patterns_found(
    planted_runs: PlantedRuns,
) -> None:
    html = render_html(planted_runs.latest)
    text = text_of(html)
    for section in (
        "Health index",
        "Most important changes since the previous report",
        "Findings by pattern",
        "What the findings mean",
        "Contexts",
    ):
        assert f">{section}</h2>" in html
    assert re.search(r"<svg[^>]*line-chart.*?Health index over the last runs", html)
    assert html.count('class="series"') == 3  # viability, agility, well-being
    bars = re.search(r"<svg[^>]*bar-chart.*?</svg>", html)
    assert bars is not None
    assert "Findings per pattern in this run" in bars.group(0)
    bar = r"<text[^>]*>([^<]+)</text><rect[^>]*/><text[^>]*>([^<]+)</text>"
    assert re.findall(bar, bars.group(0)) == [("Isolated people", "2"), ("Silos", "1")]
    for pattern, count in (("silo", 1), ("isolation", 2)):
        explanation = EXPLANATIONS[pattern]
        assert f"{explanation.title} ({count})" in text
        assert explanation.meaning in text
        assert explanation.action in text
        assert explanation.source in text
    assert EXPLANATIONS["broker"].title not in text  # not found in this run


def test_the_three_most_important_changes_are_ranked_by_their_share_of_the_range(
    planted_runs: PlantedRuns,
) -> None:
    html = render_html(planted_runs.latest)
    rows = re.findall(r'<tr><td>([^<]+)</td><td class="text">([^<]+)</td>', html)
    assert rows[:3] == [
        ("team:Platform", "exploration"),  # 0.30 -> 0.05: a quarter of its range
        ("whole organization", "reciprocity"),  # 0.4 -> 0.2
        ("whole organization", "viability (health index)"),  # 61 -> 55 of 100
    ]


def test_contexts_under_five_members_are_listed_as_withheld_without_any_figure(
    planted_runs: PlantedRuns,
) -> None:
    html = render_html(planted_runs.latest)
    tiny = re.search(r'<tr class="withheld"><td>project:Tiny</td>(.*?)</tr>', html)
    assert tiny is not None
    assert re.findall(r"<td>([^<]*)</td>", tiny.group(1)) == ["withheld"] * 7
    for figure in ("9.88", "9.9", "0.12", "3</td>"):  # its energy, exploration, size
        assert figure not in tiny.group(1)
    assert "9.88" not in html
    assert "0.12" not in html
    platform = re.search(r"<tr><td>team:Platform</td><td>8</td><td>4.00</td>", html)
    assert platform is not None


def test_an_organization_under_five_people_shows_no_figure_at_all() -> None:
    planted_run(FINISHED, {"people": 4, "viability": 77.7, "agility": 33.3, "wellbeing": 44.4})
    html = render_html(MiningRun.objects.get())
    for figure in ("77.7", "33.3", "44.4"):
        assert figure not in html
    assert "line-chart" not in html
    assert "withheld: the organization has fewer than 5 active people" in html


def test_the_page_is_self_contained(planted_runs: PlantedRuns) -> None:
    html = render_html(planted_runs.latest)
    for external in ("<link", "<script", "src=", "url(", "@import", "<img", "<iframe"):
        assert external not in html
    addresses = set(re.findall(r"https?://[^\s\"'<>]+", html))
    assert addresses == {"http://www.w3.org/2000/svg"}  # the SVG namespace, never fetched
    assert "<style>" in html


def test_only_a_succeeded_run_gets_a_report(planted_runs: PlantedRuns) -> None:
    run = planted_runs.latest
    run.status = RunStatus.FAILED
    run.save()
    with pytest.raises(ReportError, match=f"run {run.pk} is failed"):
        render_html(run)


def test_people_count_comes_from_the_run_not_from_another(planted_runs: PlantedRuns) -> None:
    OrgMetric.objects.filter(run=planted_runs.latest, metric="people").update(value=3)
    assert "withheld: the organization" in render_html(planted_runs.latest)
    assert "withheld: the organization" not in render_html(planted_runs.before)


def test_every_metric_the_report_can_show_has_a_label() -> None:
    for metric in (*overview.CONTEXT_COLUMNS, *overview.METRIC_SPAN):
        assert METRIC_LABELS.get(metric), metric


def test_a_context_metric_without_a_label_yet_is_shown_by_its_name(
    planted_runs: PlantedRuns, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(overview, "CONTEXT_COLUMNS", (*overview.CONTEXT_COLUMNS, "new_measure"))
    platform = Context.objects.get(kind="team", name="Platform")
    ContextMetric.objects.create(
        run=planted_runs.latest, context=platform, metric="new_measure", value=0.75
    )
    html = render_html(planted_runs.latest)
    assert "<th>new_measure</th>" in html
    assert re.search(r"<tr><td>team:Platform</td>.*<td>0.75</td></tr>", html)


def test_runs_of_fewer_than_five_people_are_gaps_in_the_health_history_and_not_compared() -> None:
    tiny = {"size": 8, "exploration": 0.91}
    planted_run(FINISHED - timedelta(days=14), {"people": 40, "viability": 60.0, "agility": 50.0})
    planted_run(
        FINISHED - timedelta(days=7),
        {"people": 4, "viability": 12.3, "agility": 23.4, "wellbeing": 34.5, "reciprocity": 0.9},
        team__Platform=tiny,
    )
    latest = planted_run(
        FINISHED,
        {"people": 40, "viability": 61.0, "agility": 52.0, "wellbeing": 70.0, "reciprocity": 0.2},
        team__Platform={"size": 8, "exploration": 0.05},
    )
    html = render_html(latest)
    chart = re.search(r"<svg[^>]*line-chart.*?</svg>", html)
    assert chart is not None
    assert chart.group(0).count("<circle") == 2 + 3  # none at the run of 4 people
    assert "No earlier run to compare with, or nothing changed." in html
    for figure in ("12.3", "23.4", "34.5", "0.90", "0.91"):
        assert figure not in html


def test_the_report_shows_the_share_of_people_following_a_single_leader_with_its_meaning() -> None:
    run = planted_run(FINISHED, {"people": 40, "single_leader_share": 0.4, "viability": 50.0})
    text = text_of(render_html(run))
    assert "Following a single leader 40 % of people follow a single leader." in text
    assert SINGLE_LEADER_MEANING in text


def test_the_single_leader_share_is_withheld_under_five_people_and_absent_when_unmeasured() -> None:
    small = planted_run(FINISHED, {"people": 4, "single_leader_share": 0.75})
    text = text_of(render_html(small))
    assert "75 %" not in text
    assert "Following a single leader withheld" in text
    unmeasured = planted_run(FINISHED + timedelta(days=7), {"people": 40})
    assert "Following a single leader Not measured in this run." in text_of(render_html(unmeasured))
