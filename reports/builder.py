"""Build an org-health report from a finished mining run: self-contained HTML, printed to PDF.

The report holds aggregates only (org metrics, counts of findings per pattern, metrics of
contexts) that the release rule releases (analytics.release): no person's name or id, so erasing
a person can leave nothing of them in a stored report.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from analytics import overview
from analytics.models import MiningRun, RunStatus
from analytics.release import MIN_GROUP_SIZE
from outcomes.readings import CAVEATS, BacktestReading, read_backtest
from outcomes.selectors import latest_backtests
from reports.explanations import (
    BACKTEST_SECTION_INTRO,
    NO_BACKTEST_YET,
    Explanation,
    explanation_of,
    single_leader_share,
)
from reports.selectors import compared_run
from sociograph.charts import Series, bar_chart, line_chart

HEALTH_CHART_TITLE = "Health index over the last runs"
FINDINGS_CHART_TITLE = "Findings per pattern in this run"
STDERR_TAIL_CHARS = 2000
METRIC_LABELS = {
    "viability": "viability (health index)",
    "agility": "agility (health index)",
    "wellbeing": "well-being (health index)",
    "reciprocity": "reciprocity",
    "ei_index": "E-I index (openness to other groups)",
    "recognition_gini": "inequality of recognition (Gini)",
    "never_recognized_share": "share never recognized",
    "modularity_of_teams": "modularity of teams",
    "energy": "energy",
    "engagement": "engagement",
    "exploration": "exploration",
    "leadership_centralization": "leadership centralization",
}


OrgValues = dict[int, dict[str, float]]  # overview.org_values: run id -> org metric -> value


class ReportError(Exception):
    """The report could not be built (no succeeded run, or Chromium failed)."""


@dataclass(frozen=True)
class ContextLine:
    key: str
    size: str
    cells: list[str]
    withheld: bool


@dataclass(frozen=True)
class ChangeLine:
    subject: str
    metric: str
    before: str
    now: str
    change: str


@dataclass(frozen=True)
class ReportFiles:
    html: Path
    pdf: Path


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"


def label_of(metric: str) -> str:
    """A metric's name in the report (its code name when it has no label yet)."""
    return METRIC_LABELS.get(metric, metric)


def _context_lines(run: MiningRun) -> list[ContextLine]:
    return [
        ContextLine(
            key=row.key,
            size="withheld" if row.withheld else str(row.size),
            cells=[
                "withheld" if row.withheld else _number(row.values[column])
                for column in overview.CONTEXT_COLUMNS
            ],
            withheld=row.withheld,
        )
        for row in overview.context_table(run, with_history=False)  # no history: no sparklines here
    ]


def _change_lines(run: MiningRun, before: MiningRun | None, org: OrgValues) -> list[ChangeLine]:
    """The most important changes since the compared run; none when that run had too few people
    (its org figures are withheld, so no change may reveal them)."""
    if before is None or overview.org_withheld(before):
        return []
    return [
        ChangeLine(
            subject="whole organization" if change.subject == "org" else change.subject,
            metric=label_of(change.metric),
            before=_number(change.before),
            now=_number(change.now),
            change=f"{'+' if change.delta > 0 else ''}{_number(change.delta)}",
        )
        for change in overview.important_changes(run, before=before)
    ]


def _health_chart(history: list[MiningRun], org: OrgValues) -> SafeString:
    """The health index over the runs; a gap at each run whose org figures are withheld."""
    shown = overview.health_trend(history, org, withhold=True)
    return line_chart(
        [overview.run_label(past) for past in history],
        [Series(label_of(name).split(" (")[0], values) for name, values in shown.items()],
        title=HEALTH_CHART_TITLE,
    )


def report_context(run: MiningRun) -> dict[str, Any]:
    """Everything the report template shows, computed from SQL."""
    if run.status != RunStatus.SUCCEEDED:
        raise ReportError(f"run {run.pk} is {run.status}: reports are built from succeeded runs")
    history = overview.succeeded_runs(until=run)
    before = compared_run(run)
    # The org metrics of every run the report reads, read once.
    org = overview.org_values([*history, run, *([before] if before is not None else [])])
    org_withheld = overview.org_withheld(run)
    counts = overview.finding_counts(run)
    explanations: list[Explanation] = [explanation_of(pattern) for pattern, _ in counts]
    return {
        "run": run,
        "run_label": overview.run_label(run),
        "built_at": timezone.localtime(),
        "time_zone": settings.TIME_ZONE,
        "min_group_size": MIN_GROUP_SIZE,
        "org_withheld": org_withheld,
        "health_chart": None if org_withheld else _health_chart(history, org),
        "single_leader": single_leader_share(org[run.pk], org_withheld),
        "changes": [] if org_withheld else _change_lines(run, before, org),
        "findings_chart": bar_chart(
            [(explanation_of(pattern).title, count) for pattern, count in counts],
            title=FINDINGS_CHART_TITLE,
        ),
        "finding_counts": list(zip(explanations, (count for _, count in counts), strict=True)),
        "explanations": explanations,
        "context_columns": [label_of(column) for column in overview.CONTEXT_COLUMNS],
        "contexts": _context_lines(run),
        **_backtest_section(),
    }


def _backtest_section() -> dict[str, Any]:
    """What predicts what here: the latest backtest of each outcome, aggregates only (scores of
    models, never a person's forecast)."""
    readings: list[BacktestReading] = [read_backtest(result) for result in latest_backtests()]
    return {
        "backtests": readings,
        "backtest_intro": BACKTEST_SECTION_INTRO,
        "no_backtest_yet": NO_BACKTEST_YET,
        "backtest_caveats": CAVEATS,
    }


def render_html(run: MiningRun) -> str:
    return render_to_string("reports/report.html", report_context(run))


def _stderr_tail(stderr: bytes | str | None) -> str:
    text = stderr.decode(errors="replace") if isinstance(stderr, bytes) else stderr or ""
    return text.strip()[-STDERR_TAIL_CHARS:] or "(nothing on stderr)"


def print_pdf(html: Path, pdf: Path) -> None:
    """Print `html` to `pdf` with headless Chromium (settings.SOCIOGRAPH_CHROMIUM)."""
    binary = settings.SOCIOGRAPH_CHROMIUM
    timeout = settings.SOCIOGRAPH_PDF_TIMEOUT_SECONDS
    pdf.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="sociograph-chromium-") as profile:
        command = [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--user-data-dir={profile}",
            f"--print-to-pdf={pdf}",
            html.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)  # noqa: S603
        except FileNotFoundError as error:
            raise ReportError(f"cannot print the PDF: {binary!r} not found ({error})") from error
        except subprocess.TimeoutExpired as error:
            raise ReportError(
                f"cannot print the PDF: {binary} took over {timeout} s; stderr: "
                f"{_stderr_tail(error.stderr)}"
            ) from error
    if done.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        raise ReportError(
            f"cannot print the PDF: {binary} exited with {done.returncode}"
            f"{'' if pdf.is_file() else ' and wrote no file'}; stderr: {_stderr_tail(done.stderr)}"
        )


def write_report(run: MiningRun, folder: Path) -> ReportFiles:
    """Write folder/report.html and folder/report.pdf for a succeeded run."""
    folder.mkdir(parents=True, exist_ok=True)
    files = ReportFiles(folder / "report.html", folder / "report.pdf")
    files.html.write_text(render_html(run), encoding="utf-8")
    print_pdf(files.html, files.pdf)
    return files
