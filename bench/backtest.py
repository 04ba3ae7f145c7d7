"""Backtest benchmark: three backtests of a generated organization with outcomes (issue 15).

    .venv/bin/python bench/backtest.py [--people 10000] [--events-per-person 100] [--days 440]
                                       [--seed 7] [--quick] [--record] [--keep]

Everything runs on resources of its own, so the dev, test and other benchmarks' instances are
never touched: a Neo4j instance `benchbacktest` on port 7714 (started here, stopped at the end),
a fresh SQLite file and Redis database 4, all state under var/backtestbench/ (deleted at the end
unless --keep). Each phase is a subprocess with an explicit environment; its wall time includes
process start-up, and its CPU time and peak memory are the child's rusage (os.wait4).

Phases:
  1. prepare   generate_org --outcomes over --days days ending at --end (outcomes run 90 days
               longer); migrate, graph_rebuild (empties the graph), import_org, import_events,
               import_outcomes, graph_sync; mine_series --dry-run lists the snapshots the
               backtests need, all missing (context, not the target)
  2. timed     backtest --outcome departure (mines the missing snapshots first), wellbeing,
               team_result --metric delivery, each --until the last outcome day; per backtest:
               mining the snapshots, building the rows (SQL), the engine (fits, bootstrap), with
               each part's wall seconds and peak RSS (bench/probes.py backtest)
Target (issue 15): the timed phase, snapshots included, under 10 minutes on the 2-core machine.
Benchmarks are not tests: this prints figures and fails only when a phase fails or a row is
rejected.
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from harness import (
    NEO4J_HEAP,
    NEO4J_PAGECACHE,
    REDIS,
    ROOT,
    BenchError,
    Resources,
    Run,
    Usage,
    accepted,
    append_section,
    bench_env,
    check_workdir,
    commit_text,
    flush_redis,
    head_commit,
    load_average,
    machine,
    manage,
    mib,
    neo4j,
    neo4j_pid,
    prepare_stores,
    probe,
    refuse_shared_stores,
    relayed,
    run,
    run_and_report,
    source_changed,
    source_stamp,
    tagged_line,
    usage_of,
)

# The code on the backtest path: a change there during a run is reported with the figures.
SOURCE_FOLDERS = ("outcomes", "analytics", "sociograph", "people", "recognition")
INSTANCE = "benchbacktest"
TARGET_SECONDS = 600.0
# The backtest command's defaults (docs/outcomes.md), which the benchmark keeps.
HORIZON_DAYS, GAP_DAYS = 90, 28
BACKTESTS = (("departure", ""), ("wellbeing", ""), ("team_result", "delivery"))
PHASES = ("snapshots", "rows", "engine")


@dataclass(frozen=True)
class Settings:
    people: int
    events_per_person: int
    days: int
    seed: int
    end: str
    workdir: Path
    bolt_port: int
    redis_url: str
    record: bool
    keep: bool
    quick: bool

    @property
    def resources(self) -> Resources:
        return Resources(self.workdir, self.redis_url, self.bolt_port, INSTANCE)

    @property
    def data(self) -> Path:
        return self.workdir / "data"


@dataclass(frozen=True)
class Backtest:
    """One backtest process: its run, the probe's phases and sizes, and its JSON result."""

    outcome: str
    metric: str
    run: Run
    figures: dict[str, Any]
    result: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.outcome} ({self.metric})" if self.metric else self.outcome


@dataclass
class Figures:
    prepare: dict[str, Run] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    until: date | None = None
    planned_snapshots: int = 0
    backtests: list[Backtest] = field(default_factory=list)
    neo4j_version: str = "?"
    neo4j_before: Usage | None = None
    neo4j_after: Usage | None = None
    load_before: str = ""
    load_timed_start: str = ""
    load_after: str = ""
    source_changed: str = ""
    commits: tuple[str, str] = ("", "")

    @property
    def timed_seconds(self) -> float:
        return sum(done.run.seconds for done in self.backtests)


# --- The phases ----------------------------------------------------------------------------------


def generate(settings: Settings, env: Mapping[str, str]) -> Run:
    command = manage(
        "generate_org",
        *("--people", str(settings.people), "--seed", str(settings.seed), "--outcomes"),
        *("--days", str(settings.days), "--events-per-person", str(settings.events_per_person)),
        *("--end", settings.end, "--out", str(settings.data)),
    )
    return run("generate_org --outcomes", command, env)


def last_outcome_day(outcomes_csv: Path) -> date:
    with outcomes_csv.open(newline="") as handle:
        return max(date.fromisoformat(row["at"][:10]) for row in csv.DictReader(handle))


def imported(env: Mapping[str, str], command: str, path: Path, figures: Figures) -> None:
    result = run(command, manage(command, str(path)), env)
    figures.prepare[command] = result
    figures.counts[command] = accepted(result.output, command)


def prepare(settings: Settings, env: Mapping[str, str], figures: Figures) -> None:
    """The organization generated, imported into SQL and projected into Neo4j."""
    figures.prepare["generate_org"] = generate(settings, env)
    prepare_stores(env, wipe_graph=True)
    imported(env, "import_org", settings.data / "org.csv", figures)
    imported(env, "import_events", settings.data / "events.csv", figures)
    imported(env, "import_outcomes", settings.data / "outcomes.csv", figures)
    flush_redis(settings.resources)  # the imports' nudges: graph_sync relays the outbox
    sync = run("graph_sync", manage("graph_sync"), env)
    figures.prepare["graph_sync"] = sync
    figures.counts["graph_sync"] = sum(relayed(sync.output).values())
    figures.until = last_outcome_day(settings.data / "outcomes.csv")


def planned_snapshots(env: Mapping[str, str], until: date) -> int:
    """The snapshot days the backtests need, as mine_series lists them: its series anchored on
    the newest feature day (until - horizon - gap) is the backtest's (forecast_dates)."""
    newest = until - timedelta(days=HORIZON_DAYS + GAP_DAYS)
    listed = run(
        "mine_series --dry-run", manage("mine_series", "--dry-run", "--until", str(newest)), env
    )
    missing = sum(line.endswith(": missing") for line in listed.output.splitlines())
    if missing == 0:
        raise BenchError(f"no snapshot day to mine:\n{listed.output}")
    return missing


def backtest(
    settings: Settings, env: Mapping[str, str], outcome: str, metric: str, until: date
) -> Backtest:
    args = ["--until", str(until), "--seed", str(settings.seed)]
    if metric:
        args += ["--metric", metric]
    label = f"backtest {outcome}{f' --metric {metric}' if metric else ''}"
    result = run(label, probe("backtest", outcome, *args), env)
    figures = json.loads(tagged_line(result.output, "BACKTEST"))
    found = Backtest(
        outcome, metric, result, figures, json.loads(tagged_line(result.output, "RESULT"))
    )
    print(f"[bench] {label}: {sizes_text(found)}; {phases_text(found)}")
    if settings.keep:
        (settings.workdir / f"{outcome}.json").write_text(json.dumps(found.result, indent=1))
    return found


def start(settings: Settings, env: Mapping[str, str]) -> None:
    run("redis start", [REDIS, "start"], env)
    neo4j("stop", env)  # a previous run killed before its clean-up
    shutil.rmtree(settings.workdir, ignore_errors=True)
    settings.workdir.mkdir(parents=True)
    flush_redis(settings.resources)


def clean_up(settings: Settings, env: Mapping[str, str]) -> None:
    with suppress(BenchError):
        neo4j("stop", env)
    with suppress(subprocess.CalledProcessError):
        flush_redis(settings.resources)
    if not settings.keep:
        shutil.rmtree(settings.workdir, ignore_errors=True)


def neo4j_usage(settings: Settings) -> Usage | None:
    pid = neo4j_pid(settings.resources)
    return usage_of(pid) if pid else None


def benchmark(settings: Settings) -> Figures:
    check_workdir(settings.workdir)
    env = bench_env(settings.resources)
    figures = Figures(load_before=load_average())
    stamp, commit = source_stamp(SOURCE_FOLDERS), head_commit()
    start(settings, env)
    try:
        neo4j("start", env)
        version = run("neo4j version", probe("server-info"), env)
        figures.neo4j_version = version.output.strip().splitlines()[-1]
        prepare(settings, env, figures)
        assert figures.until is not None
        figures.planned_snapshots = planned_snapshots(env, figures.until)
        figures.load_timed_start = load_average()
        figures.neo4j_before = neo4j_usage(settings)
        for outcome, metric in BACKTESTS:
            figures.backtests.append(backtest(settings, env, outcome, metric, figures.until))
        figures.neo4j_after = neo4j_usage(settings)
        figures.load_after = load_average()
        figures.commits = (commit, head_commit())
        figures.source_changed = source_changed(stamp, SOURCE_FOLDERS, "the backtest path")
    finally:
        clean_up(settings, env)
    return figures


# --- Reporting -----------------------------------------------------------------------------------


def sizes_text(done: Backtest) -> str:
    figures = done.figures
    design = figures["design"]
    subjects = "teams" if done.outcome == "team_result" else "people"
    events = "departures" if done.outcome == "departure" else "rows with an outcome"
    return (
        f"{figures['snapshots']} snapshots ({figures['mined']} mined), {design['rows']:,} rows x "
        f"{design['columns']} columns, {figures['tested_rows']:,} rows forecast, "
        f"{figures['n_people']:,} {subjects}, {figures['n_events']:,} {events}, "
        f"{figures['models']} models, {figures['folds']} folds"
    )


def phases_text(done: Backtest) -> str:
    figures = done.figures
    return ", ".join(
        f"{name} {figures['seconds'][name]:.1f} s ({mib(figures['peak_kib'][name])})"
        for name in PHASES
        if name in figures["seconds"]
    )


def setup_rows(figures: Figures) -> list[str]:
    rows = []
    for name, result in figures.prepare.items():
        count = figures.counts.get(name)
        counted = f"{count:,}" if count is not None else "-"
        rows.append(
            f"| `{name}` | {counted} | {result.seconds:.1f} | {result.cpu_seconds:.1f} | "
            f"{mib(result.max_rss_kib)} |"
        )
    return rows


def phase_row(label: str, seconds: float, peak_kib: int, note: str = "") -> str:
    return f"| {label} | {seconds:.1f} | {mib(peak_kib) if peak_kib else '-'} | {note} |"


def timed_rows(figures: Figures) -> list[str]:
    rows = []
    for done in figures.backtests:
        seconds, peaks = done.figures["seconds"], done.figures["peak_kib"]
        if done.figures["mined"]:
            rows.append(
                phase_row(
                    f"mining {done.figures['mined']} snapshots (in `backtest {done.label}`)",
                    seconds["snapshots"],
                    peaks["snapshots"],
                )
            )
        rows.append(
            phase_row(f"`backtest {done.label}`: rows (SQL reads)", seconds["rows"], peaks["rows"])
        )
        rows.append(
            phase_row(
                f"`backtest {done.label}`: engine (fits, bootstrap)",
                seconds["engine"],
                peaks["engine"],
            )
        )
        whole = (
            f"CPU {done.run.cpu_seconds:.1f} s; start-up, snapshot look-ups and storing: "
            f"{done.run.seconds - sum(seconds.values()):.1f} s"
        )
        rows.append(
            phase_row(f"**`backtest {done.label}`, whole process**", done.run.seconds,
                      done.figures["overall_kib"], whole)
        )  # fmt: skip
    total_peak = max(done.figures["overall_kib"] for done in figures.backtests)
    rows.append(
        phase_row(
            "**timed total** (three processes, one after the other)",
            figures.timed_seconds,
            total_peak,
            "peak: the largest of the three",
        )
    )
    return rows


def neo4j_text(figures: Figures) -> str:
    before, after = figures.neo4j_before, figures.neo4j_after
    if before is None or after is None:
        return "Neo4j's usage was not read."
    return (
        f"Neo4j (heap {NEO4J_HEAP}, page cache {NEO4J_PAGECACHE}) used "
        f"{after.cpu_seconds - before.cpu_seconds:.0f} CPU s during the timed phase (mining reads "
        f"the graph), peak RSS {mib(after.max_rss_kib)} over the whole run; not in the figures "
        "above."
    )


def verdict(figures: Figures) -> str:
    seconds = figures.timed_seconds
    met = "met" if seconds < TARGET_SECONDS else "**not met**"
    minutes = TARGET_SECONDS / 60
    return (
        f"Target (issue 15): the three backtests, snapshots included, under {minutes:.0f} "
        f"minutes: {met} ({seconds:.1f} s = {seconds / 60:.1f} min)."
    )


def summary(settings: Settings, figures: Figures) -> str:
    lines = [
        f"Machine: {machine()}; Neo4j {figures.neo4j_version} (heap {NEO4J_HEAP}, page cache "
        f"{NEO4J_PAGECACHE}). Commit {commit_text(figures.commits)}. Load average (1, 5, 15 min) "
        f"{figures.load_before} at the start, {figures.load_timed_start} when the timed phase "
        f"started, {figures.load_after} at the end (the machine is shared).",
        "",
        f"Workload: `generate_org --people {settings.people} --seed {settings.seed} --outcomes "
        f"--days {settings.days} --events-per-person {settings.events_per_person} --end "
        f"{settings.end}`; outcomes up to {figures.until}, the backtests' `--until`; "
        f"{figures.planned_snapshots} snapshots to mine (`mine_series --dry-run`), window 90 "
        f"days every 28, horizon {HORIZON_DAYS} days, gap {GAP_DAYS} days, 500 bootstrap "
        "resamples.",
        "",
        "Prepare (context, not the target):",
        "",
        "| command | rows | wall s | CPU s | peak RSS |",
        "| --- | ---: | ---: | ---: | ---: |",
        *setup_rows(figures),
        "",
        "Timed phase:",
        "",
        "| phase | wall s | peak RSS | note |",
        "| --- | ---: | ---: | --- |",
        *timed_rows(figures),
        "",
        "Sizes: "
        + "; ".join(f"`{done.label}`: {sizes_text(done)}" for done in figures.backtests)
        + ".",
        "",
        neo4j_text(figures),
        "",
        verdict(figures),
    ]
    if figures.source_changed:
        lines += ["", f"**Warning**: {figures.source_changed}"]
    return "\n".join(lines)


def record(settings: Settings, text: str, when: datetime) -> None:
    method = textwrap.fill(
        "Measured with `make bench-backtest` (`bench/backtest.py --record`): each command is a "
        "subprocess timed by wall clock from spawn to exit (Python and Django start-up "
        "included); CPU s and peak RSS of a whole process are the child's `ru_utime + ru_stime` "
        "and `ru_maxrss` from `os.wait4`. Within a backtest (`bench/probes.py backtest`, "
        "`manage.py backtest` through `call_command`), a part's wall seconds are timed around "
        "its function (`ensure_snapshots`, `person_rows`/`team_rows`, the engine's `backtest`) "
        "and its peak RSS is VmHWM reset before it. A SQLite file, Redis database and Neo4j "
        f"instance (`{INSTANCE}`, port {settings.bolt_port}) of its own; "
        "`sociograph.settings.local` with `DJANGO_DEBUG=false`.",
        width=100,
    )
    title = f"Backtest (issue 15), {when:%Y-%m-%d %H:%M} UTC"
    title += " (--quick)" if settings.quick else ""
    append_section(title, method, text)


# --- Command line --------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> Settings:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--events-per-person", type=int, default=100)
    parser.add_argument(
        "--days",
        type=int,
        default=440,
        help="days of events; 440 gives 12 snapshots (window 90, every 28, horizon 90, gap 28)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--end", default="2025-12-29T00:00:00", help="end of the events (outcomes: 90 days more)"
    )
    parser.add_argument("--quick", action="store_true", help="1,000 people: to check the script")
    parser.add_argument(
        "--record", action="store_true", help="append the figures to docs/performance.md"
    )
    parser.add_argument("--keep", action="store_true", help="keep the workdir (data, results)")
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "backtestbench")
    parser.add_argument("--bolt-port", type=int, default=7714)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/4")
    args = parser.parse_args(argv)
    if args.quick:
        args.people, args.record = 1_000, False
    refuse_shared_stores(parser, args.bolt_port, args.redis_url)
    return Settings(
        people=args.people,
        events_per_person=args.events_per_person,
        days=args.days,
        seed=args.seed,
        end=args.end,
        workdir=args.workdir.resolve(),
        bolt_port=args.bolt_port,
        redis_url=args.redis_url,
        record=args.record,
        keep=args.keep,
        quick=args.quick,
    )


def main(argv: list[str] | None = None) -> int:
    settings = parse_args(argv)
    figures = run_and_report(
        functools.partial(benchmark, settings),
        functools.partial(summary, settings),
        functools.partial(record, settings) if settings.record else None,
    )
    return 0 if figures is not None else 1


if __name__ == "__main__":
    sys.exit(main())
