"""Mining benchmark: a full mining run per size, against a networkx baseline in one process.

    .venv/bin/python bench/mining.py [--sizes 1000,10000,100000] [--quick] [--record] [--keep]
                                     [--baseline-timeout 1800]

For each size: generate an organization (about 100 events per person), import it into a fresh
SQLite file and project it into an emptied Neo4j graph; then time `manage.py mine --sync
--window-days 90` and `bench/mining_networkx.py` (the same metrics with networkx, reading the same
SQLite file in one process), per pattern family and in total: wall seconds and peak RSS.

Everything runs on resources of its own: a Neo4j instance `minebench` on port 7692 (started
here, stopped at the end), a fresh SQLite file per size and Redis database 9, all state under
var/minebench/ (deleted at the end unless --keep). Each command is a subprocess with an explicit
environment (bench/harness.py's bench_env); wall time includes process start-up, CPU time and
peak memory are the child's rusage from os.wait4.

At sizes up to 1,000 people the baseline's results are compared with the run's
(`export_metrics --include-small-groups`, `export_findings`); mismatches are printed, not fatal.
Benchmarks are not tests: this prints figures and fails only when a command fails.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness import (
    NEO4J_HEAP,
    NEO4J_PAGECACHE,
    PY,
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
    count_lines,
    default_end,
    flush_redis,
    generate_org,
    head_commit,
    load_average,
    machine,
    manage,
    mib,
    neo4j,
    neo4j_pid,
    prepare_stores,
    probe,
    relayed,
    remove_database,
    run,
    source_changed,
    source_stamp,
    tagged_line,
    usage_of,
)

SIZES = (1_000, 10_000, 100_000)
QUICK_PEOPLE = 300
EVENTS_PER_PERSON = 100
WINDOW_DAYS = 90
INSTANCE = "minebench"
FAMILIES = ("communication", "recognition", "leadership", "contexts", "contagion", "health")
TARGET_PEOPLE, TARGET_SECONDS = 10_000, 60.0
CHECK_MAX_PEOPLE = 1_000  # the cross-check runs at this size and below
TOLERANCE = 1e-6
NETWORKX = ROOT / "bench" / "mining_networkx.py"
# The code a mining run executes: a change there during a run is reported with the figures.
SOURCE_FOLDERS = ("analytics", "sociograph", "people", "recognition")
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Settings:
    sizes: tuple[int, ...]
    events_per_person: int
    seed: int
    end: str
    workdir: Path
    bolt_port: int
    redis_url: str
    baseline_timeout: float
    record: bool
    keep: bool

    @property
    def resources(self) -> Resources:
        """What this benchmark runs on (the Neo4j instance `minebench`), for the harness."""
        return Resources(self.workdir, self.redis_url, self.bolt_port, INSTANCE)

    @property
    def database_file(self) -> Path:
        return self.resources.database_file


@dataclass
class Baseline:
    run: Run | None = None
    finished: bool = False
    families: dict[str, tuple[float, int]] = field(default_factory=dict)  # seconds, peak KiB
    max_rss_kib: int = 0


@dataclass
class Check:
    compared: int = 0
    mismatches: list[str] = field(default_factory=list)
    only_run: list[str] = field(default_factory=list)
    only_baseline: list[str] = field(default_factory=list)
    patterns: int = 0
    finding_mismatches: list[str] = field(default_factory=list)

    @property
    def matched(self) -> bool:
        return not (
            self.mismatches or self.only_run or self.only_baseline or self.finding_mismatches
        )


@dataclass
class SizeFigures:
    people: int
    events: int = 0
    prepare: dict[str, Run] = field(default_factory=dict)
    window_events: dict[str, int] = field(default_factory=dict)
    mine: Run | None = None
    mine_max_rss_kib: int = 0
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    step_peaks: dict[str, int] = field(default_factory=dict)
    graph_size: dict[str, int] = field(default_factory=dict)
    window: tuple[int, int] = (0, 0)
    params: dict[str, Any] = field(default_factory=dict)
    neo4j_cpu: float | None = None
    baseline: Baseline = field(default_factory=Baseline)
    check: Check | None = None
    load: tuple[str, str] = ("", "")


@dataclass
class Figures:
    sizes: list[SizeFigures] = field(default_factory=list)
    neo4j_version: str = "?"
    load_before: str = ""
    load_after: str = ""
    commits: tuple[str, str] = ("", "")
    source_changed: str = ""
    failed: str = ""  # a size that failed: the sizes before it are still reported


# --- Environment and services --------------------------------------------------------------------


def neo4j_usage(settings: Settings) -> Usage | None:
    pid = neo4j_pid(settings.resources)
    return usage_of(pid) if pid else None


# --- One size ------------------------------------------------------------------------------------


def prepare(settings: Settings, env: Mapping[str, str], figures: SizeFigures) -> None:
    """Generate, import into a fresh SQLite file and project into an emptied graph."""
    data = settings.workdir / f"data-{figures.people}"
    figures.prepare["generate"] = generate_org(
        env, figures.people, settings.events_per_person, settings.seed, settings.end, data
    )
    figures.events = count_lines(data / "events.csv") - 1
    remove_database(settings.resources)
    # On an empty SQL database a rebuild empties the graph and re-applies the schema.
    prepare_stores(env, wipe_graph=True)
    flush_redis(settings.resources)
    figures.prepare["import_org"] = run(
        "import_org", manage("import_org", str(data / "org.csv")), env
    )
    accepted(figures.prepare["import_org"].output, "import_org")
    figures.prepare["import_events"] = run(
        "import_events", manage("import_events", str(data / "events.csv")), env
    )
    accepted(figures.prepare["import_events"].output, "import_events")
    flush_redis(settings.resources)  # nudges nobody consumed
    figures.prepare["graph_sync"] = run("graph_sync", manage("graph_sync"), env)
    relayed(figures.prepare["graph_sync"].output)  # fails unless the outbox is empty
    if not settings.keep:
        shutil.rmtree(data, ignore_errors=True)


def mine(settings: Settings, env: Mapping[str, str], figures: SizeFigures) -> None:
    before = neo4j_usage(settings)
    figures.mine = run(
        f"mine --sync --window-days {WINDOW_DAYS} (step peaks probed)",
        probe("mine", "--window-days", str(WINDOW_DAYS)),
        env,
    )
    after = neo4j_usage(settings)
    if before and after and after.cpu_seconds:
        figures.neo4j_cpu = after.cpu_seconds - before.cpu_seconds
    peaks = json.loads(tagged_line(figures.mine.output, "PEAKS"))
    figures.step_peaks = {name: int(kib) for name, kib in peaks["steps"].items()}
    figures.mine_max_rss_kib = max(figures.mine.max_rss_kib, int(peaks["overall"]))
    info = json.loads(tagged_line(run("mining run", probe("run-info"), env).output, "RUN"))
    if info["status"] != "succeeded":
        raise BenchError(f"mining run {info['id']} {info['status']}: {info['error']}")
    figures.steps = info["steps"]
    figures.graph_size = info["graph_size"]
    figures.window = (int(info["start"]), int(info["end"]))
    figures.params = info["params"]
    figures.window_events = window_events(settings.database_file, *figures.window)
    print(f"[bench] mining run {info['id']}: steps " + ", ".join(
        f"{name} {step.get('seconds', '?')} s" for name, step in figures.steps.items()
    ))  # fmt: skip


def window_events(database: Path, start: int, end: int) -> dict[str, int]:
    """Events in the run's window (for the workload line; not timed)."""
    bounds = tuple(
        datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M:%S") for t in (start, end)
    )
    counts = {}
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        for name in ("interaction", "recognition"):
            table = f"recognition_{name}"
            query = f"SELECT count(*) FROM {table} WHERE at >= ? AND at < ?"  # noqa: S608
            counts[name] = int(db.execute(query, bounds).fetchone()[0])
    return counts


def baseline(
    settings: Settings, env: Mapping[str, str], figures: SizeFigures, out: Path | None
) -> None:
    """The networkx script, stopped (and reported unfinished) after --baseline-timeout."""
    log = settings.workdir / "log" / f"networkx-{figures.people}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    start, end = figures.window
    command = [
        str(PY),
        str(NETWORKX),
        str(settings.database_file),
        *("--start", str(start), "--end", str(end)),
        *("--params", json.dumps(figures.params)),
        *(("--out", str(out)) if out else ()),
    ]
    print(f"[bench] networkx baseline: {' '.join(command[1:])} (log {log})")
    result = figures.baseline
    started = time.perf_counter()
    with log.open("w") as handle:
        process = subprocess.Popen(  # noqa: S603 - fixed command built here
            command, cwd=ROOT, env=dict(env), stdin=subprocess.DEVNULL, stdout=handle,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    deadline = started + settings.baseline_timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            result.finished = True
            break
        if time.perf_counter() > deadline:
            process.kill()  # the process started just above, by its pid
            _, status, usage = os.wait4(process.pid, 0)
            break
        time.sleep(POLL_SECONDS)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    output = log.read_text()
    cpu = usage.ru_utime + usage.ru_stime
    result.run = Run(seconds, cpu, usage.ru_maxrss, output)
    for line in output.splitlines():
        if line.startswith("FAMILY "):
            _, name, family_seconds, peak = line.split()
            result.families[name] = (float(family_seconds), int(peak))
    result.max_rss_kib = usage.ru_maxrss
    if result.finished:
        if process.returncode != 0:
            tail = "\n".join(output.splitlines()[-30:])
            raise BenchError(f"networkx baseline failed (exit {process.returncode}):\n{tail}")
        result.max_rss_kib = max(usage.ru_maxrss, int(tagged_line(output, "DONE")))
        print(f"[bench] networkx baseline: {seconds:.1f} s (CPU {cpu:.1f} s), peak RSS "
              f"{mib(result.max_rss_kib)}")  # fmt: skip
    else:
        print(f"[bench] networkx baseline: not finished in {settings.baseline_timeout:.0f} s; "
              f"stopped (families done: {', '.join(result.families) or 'none'})")  # fmt: skip


# --- Cross-check ---------------------------------------------------------------------------------


def export_tolerance(value: float) -> float:
    """1e-6, plus what `export_metrics` rounds away: it prints 6 significant digits."""
    if value == 0 or not math.isfinite(value):
        return TOLERANCE
    return TOLERANCE + 0.5 * 10.0 ** (math.floor(math.log10(abs(value))) - 5)


def cross_check(env: Mapping[str, str], results: Path) -> Check:
    baseline_results = json.loads(results.read_text())
    ours = {(s, subject, m): float(v) for s, subject, m, v in baseline_results["metrics"]}
    exported = run(
        "export_metrics",
        manage("export_metrics", "--run", "latest", "--include-small-groups"),
        env,
    )
    theirs: dict[tuple[str, str, str], float] = {}
    for row in csv.reader(exported.output.splitlines()):
        if len(row) == 4 and row[0] in ("person", "context", "org"):
            theirs[row[0], row[1], row[2]] = float(row[3])
    check = Check()
    for key in sorted(theirs.keys() | ours.keys()):
        name = ":".join(key)
        if key not in ours:
            check.only_run.append(name)
        elif key not in theirs:
            check.only_baseline.append(name)
        else:
            check.compared += 1
            if abs(ours[key] - theirs[key]) > export_tolerance(theirs[key]):
                check.mismatches.append(f"{name}: run {theirs[key]:.6g}, networkx {ours[key]!r}")
    found = run(
        "export_findings", manage("export_findings", "--run", "latest", "--include-withheld"), env
    )
    run_counts: Counter[str] = Counter()
    rows = csv.reader(found.output.splitlines())
    for row in rows:
        if len(row) == 5 and row[0] != "pattern":
            run_counts[row[0]] += 1
    baseline_counts = Counter(baseline_results["findings"])
    for pattern in sorted(run_counts.keys() | baseline_counts.keys()):
        check.patterns += 1
        if run_counts[pattern] != baseline_counts[pattern]:
            check.finding_mismatches.append(
                f"{pattern}: run {run_counts[pattern]}, networkx {baseline_counts[pattern]}"
            )
    print(f"[bench] cross-check: {check_text(check)}")
    for line in (check.mismatches + check.only_run + check.only_baseline)[:20]:
        print(f"[bench]   {line}")
    for line in check.finding_mismatches:
        print(f"[bench]   findings {line}")
    return check


def check_text(check: Check) -> str:
    return (
        f"{check.compared:,} metric values compared with `export_metrics --include-small-groups`"
        f" (tolerance {TOLERANCE:g} plus the export's rounding to 6 significant digits): "
        f"{len(check.mismatches)} outside it, {len(check.only_run)} only in the run's export, "
        f"{len(check.only_baseline)} only in the baseline; finding counts of "
        f"{check.patterns} patterns compared with `export_findings`: "
        f"{len(check.finding_mismatches)} differ"
    )


# --- The benchmark -------------------------------------------------------------------------------


def benchmark(settings: Settings) -> Figures:
    check_workdir(settings.workdir)
    env = bench_env(settings.resources)
    figures = Figures(load_before=load_average())
    stamp, commit = source_stamp(SOURCE_FOLDERS), head_commit()
    run("redis start", [REDIS, "start"], env)
    neo4j("stop", env)  # a previous run killed before its clean-up
    shutil.rmtree(settings.workdir, ignore_errors=True)
    settings.workdir.mkdir(parents=True)
    flush_redis(settings.resources)
    try:
        neo4j("start", env)
        version = run("neo4j version", probe("server-info"), env)
        figures.neo4j_version = version.output.strip().splitlines()[-1]
        for people in settings.sizes:
            size = SizeFigures(people=people, load=(load_average(), ""))
            print(f"[bench] --- {people:,} people ---")
            try:
                prepare(settings, env, size)
                mine(settings, env, size)
                check = people <= CHECK_MAX_PEOPLE
                results = settings.workdir / f"networkx-{people}.json" if check else None
                baseline(settings, env, size, results)
                if results and size.baseline.finished:
                    size.check = cross_check(env, results)
            except BenchError as error:
                figures.failed = f"{people:,} people: {error}"
                print(f"[bench] FAILED at {people:,} people: {error}", file=sys.stderr)
                break
            size.load = (size.load[0], load_average())
            figures.sizes.append(size)
        figures.load_after = load_average()
        figures.commits = (commit, head_commit())
        figures.source_changed = source_changed(stamp, SOURCE_FOLDERS, "the mining path")
    finally:
        with suppress(BenchError):
            neo4j("stop", env)
        with suppress(subprocess.CalledProcessError):
            flush_redis(settings.resources)
        if not settings.keep:
            shutil.rmtree(settings.workdir, ignore_errors=True)
    return figures


# --- Reporting -----------------------------------------------------------------------------------


def seconds_text(value: float) -> str:
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}" if value >= 1 else f"{value:.3f}"


def ratio_text(baseline_seconds: float, ours: float) -> str:
    if ours <= 0:
        return "-"
    ratio = baseline_seconds / ours
    return f"{ratio:.1f}" if ratio >= 10 else f"{ratio:.2f}" if ratio >= 0.1 else f"{ratio:.3f}"


def size_table(settings: Settings, size: SizeFigures) -> list[str]:
    base = size.baseline
    unfinished = f"not finished in {settings.baseline_timeout:.0f} s"
    lines = [
        "| family | Sociograph s | Sociograph peak RSS | networkx s | networkx peak RSS | "
        "ratio (networkx s / Sociograph s) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    in_progress = True
    for name in FAMILIES:
        ours = float(size.steps.get(name, {}).get("seconds", 0.0))
        peak = mib(size.step_peaks.get(name, 0))
        if name in base.families:
            theirs, their_peak = base.families[name]
            cells = [seconds_text(theirs), mib(their_peak), ratio_text(theirs, ours)]
        elif in_progress and not base.finished:
            cells, in_progress = [unfinished, "-", "-"], False
        else:
            cells = ["not run", "-", "-"]
        lines.append(f"| {name} | {seconds_text(ours)} | {peak} | {' | '.join(cells)} |")
    step_sum = sum(float(step.get("seconds", 0.0)) for step in size.steps.values())
    if base.finished:
        family_sum = sum(seconds for seconds, _ in base.families.values())
        lines.append(
            f"| sum of the steps | {seconds_text(step_sum)} | - | {seconds_text(family_sum)} | - |"
            f" {ratio_text(family_sum, step_sum)} |"
        )
    else:
        lines.append(f"| sum of the steps | {seconds_text(step_sum)} | - | {unfinished} | - | - |")
    mine_run, base_run = size.mine, base.run
    assert mine_run is not None
    assert base_run is not None
    if base.finished:
        theirs_total = (
            f"**{seconds_text(base_run.seconds)}** (CPU {base_run.cpu_seconds:.1f}) | "
            f"{mib(base.max_rss_kib)} | **{ratio_text(base_run.seconds, mine_run.seconds)}**"
        )
    else:
        theirs_total = f"**{unfinished}** | - | -"
    lines.append(
        f"| **whole process** (wall, incl. start-up) | **{seconds_text(mine_run.seconds)}** "
        f"(CPU {mine_run.cpu_seconds:.1f}) | {mib(size.mine_max_rss_kib)} | {theirs_total} |"
    )
    return lines


def size_text(settings: Settings, size: SizeFigures) -> str:
    prepare_text = ", ".join(
        f"`{name}` {result.seconds:.1f} s" for name, result in size.prepare.items()
    )
    start, end = (datetime.fromtimestamp(t, UTC) for t in size.window)
    graph = ", ".join(f"{name} {count:,}" for name, count in sorted(size.graph_size.items()))
    in_window = ", ".join(f"{name} {count:,}" for name, count in size.window_events.items())
    parts = [
        f"#### {size.people:,} people",
        f"Workload: `generate_org --people {size.people} --events-per-person "
        f"{settings.events_per_person} --seed {settings.seed} --end {settings.end}`: "
        f"{size.events:,} events; prepared with {prepare_text}. Run window "
        f"{start:%Y-%m-%d %H:%M} .. {end:%Y-%m-%d %H:%M} UTC ({WINDOW_DAYS} days): "
        f"{in_window} events; G: {graph}. Load average {size.load[0]} before, {size.load[1]} "
        "after.",
        "\n".join(size_table(settings, size)),
    ]
    notes = []
    if size.neo4j_cpu is not None:
        notes.append(
            f"Neo4j's server used {size.neo4j_cpu:.1f} CPU s during the mining run (not in "
            "Sociograph's CPU s or peak RSS above; its heap is fixed at "
            f"{NEO4J_HEAP})."
        )
    if size.check is not None:
        verdict = "matched" if size.check.matched else "**did not match**"
        notes.append(f"Cross-check {verdict}: {check_text(size.check)}.")
        shown = size.check.mismatches + size.check.only_run + size.check.only_baseline
        if shown:
            notes.append("First differences: " + "; ".join(shown[:5]) + ".")
        if size.check.finding_mismatches:
            notes.append("Findings: " + "; ".join(size.check.finding_mismatches) + ".")
    if notes:
        parts.append(" ".join(notes))
    return "\n\n".join(parts)


def targets_text(settings: Settings, figures: Figures) -> list[str]:
    by_size = {size.people: size for size in figures.sizes}
    lines = []
    target = by_size.get(TARGET_PEOPLE)
    if target is None or target.mine is None:
        lines.append(
            f"Target {TARGET_PEOPLE:,} people in under {TARGET_SECONDS:.0f} s: not measured."
        )
    else:
        met = "met" if target.mine.seconds < TARGET_SECONDS else "**not met**"
        lines.append(
            f"Target {TARGET_PEOPLE:,} people in under {TARGET_SECONDS:.0f} s (whole `mine` "
            f"process): {met} ({target.mine.seconds:.1f} s)."
        )
    verdicts = []
    for people in SIZES:
        size = by_size.get(people)
        if size is None or size.mine is None or size.baseline.run is None:
            verdicts.append(f"{people:,}: not measured")
            continue
        ours = size.mine.seconds
        if size.baseline.finished:
            theirs = size.baseline.run.seconds
            met = "met" if ours < theirs else "**not met**"
            verdicts.append(f"{people:,}: {met} ({ours:.1f} s against {theirs:.1f} s)")
        else:
            budget = settings.baseline_timeout
            met = "met" if ours < budget else "not known"
            verdicts.append(
                f"{people:,}: {met} ({ours:.1f} s; the baseline did not finish in {budget:.0f} s)"
            )
    lines.append(
        "Target faster than the networkx baseline at every size: " + "; ".join(verdicts) + "."
    )
    slower = []
    for size in figures.sizes:
        names = [
            name
            for name in FAMILIES
            if name in size.baseline.families
            and size.baseline.families[name][0] < float(size.steps.get(name, {}).get("seconds", 0))
        ]
        if names:
            slower.append(f"{size.people:,} people: {', '.join(names)}")
    if slower:
        lines.append(
            "Families in which the baseline took less time than the run's step (the target is "
            "about the whole run): " + "; ".join(slower) + "."
        )
    return lines


def summary(settings: Settings, figures: Figures) -> str:
    parts = [
        f"Machine: {machine()}; Neo4j {figures.neo4j_version} (heap {NEO4J_HEAP}, page cache "
        f"{NEO4J_PAGECACHE}); networkx {package_version('networkx')}, igraph "
        f"{package_version('igraph')}. Commit {commit_text(figures.commits)}. Load average "
        f"(1, 5, 15 min) {figures.load_before} before the run, {figures.load_after} after it.",
    ]
    parts += [size_text(settings, size) for size in figures.sizes]
    if figures.failed:
        parts.append(f"**Failed** at {figures.failed.splitlines()[0]}")
    parts += targets_text(settings, figures)
    if figures.source_changed:
        parts.append(f"**Warning**: {figures.source_changed}")
    return "\n\n".join(parts)


def package_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    for candidate in (name, f"python-{name}"):
        with suppress(PackageNotFoundError):
            return version(candidate)
    return "?"


def record(text: str, when: datetime, command: str) -> None:
    method = (
        f"Measured with `{command}` (`make bench` and `make bench-mining` run `bench/mining.py "
        "--record`). Per size: `generate_org` (about 100 events per person), `import_org` and "
        "`import_events` into a fresh SQLite file, "
        "`graph_sync` into an emptied graph (Neo4j instance of its own, port 7692; Redis "
        "database 9; `sociograph.settings.local` with `DJANGO_DEBUG=false`). Sociograph: "
        f"`manage.py mine --sync --window-days {WINDOW_DAYS}` in a subprocess (through "
        "`call_command`, in a process that records each step's peak RSS); family seconds are "
        "the step times the run stores (`MiningRun.steps`: compute and storing the results), "
        "peak RSS per family is VmHWM reset before the step. networkx: "
        "`bench/mining_networkx.py` reads the same SQLite file and window in one process and "
        "computes the same metrics and findings (networkx where it has a function, plain "
        "Python or numpy elsewhere; nothing written back), timed the same way. Whole process: "
        "wall time from spawn to exit (start-up included), CPU s and peak RSS from `os.wait4`. "
        "The machine is shared: see the load average."
    )
    append_section(f"Mining benchmark, {when:%Y-%m-%d %H:%M} UTC", method, text)


# --- Command line --------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> Settings:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--sizes",
        default=",".join(str(size) for size in SIZES),
        help="people per organization, comma-separated (default 1000,10000,100000)",
    )
    parser.add_argument("--events-per-person", type=int, default=EVENTS_PER_PERSON)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--end", help="end of the generated events (default: today 00:00 UTC)")
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK_PEOPLE} people only, to check the script"
    )
    parser.add_argument(
        "--baseline-timeout",
        type=float,
        default=1800.0,
        help="stop the networkx baseline of a size after this many seconds (default 1800)",
    )
    parser.add_argument(
        "--record", action="store_true", help="append the figures to docs/performance.md"
    )
    parser.add_argument("--keep", action="store_true", help="keep var/minebench (data, logs)")
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "minebench")
    parser.add_argument("--bolt-port", type=int, default=7692)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    args = parser.parse_args(argv)
    try:
        sizes = tuple(int(size) for size in args.sizes.split(",") if size.strip())
    except ValueError:
        parser.error(f"--sizes must be comma-separated numbers, not {args.sizes!r}")
    if args.quick:
        sizes = (QUICK_PEOPLE,)
    if not sizes or min(sizes) < 2:
        parser.error("every size needs at least 2 people")
    if args.bolt_port in range(7687, 7692):
        parser.error("ports 7687-7691 belong to the dev, test, bench, chaos and helper instances")
    if args.redis_url.rstrip("/").endswith(("/0", "/13", "/15")):
        parser.error("Redis databases 0, 13 and 15 belong to the demo, ingest bench and tests")
    return Settings(
        sizes=sizes,
        events_per_person=args.events_per_person,
        seed=args.seed,
        end=args.end or default_end(datetime.now(UTC)),
        workdir=args.workdir.resolve(),
        bolt_port=args.bolt_port,
        redis_url=args.redis_url,
        baseline_timeout=args.baseline_timeout,
        record=args.record,
        keep=args.keep,
    )


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    settings = parse_args(arguments)
    started = datetime.now(UTC)
    try:
        figures = benchmark(settings)
    except BenchError as error:
        print(f"[bench] FAILED: {error}", file=sys.stderr)
        return 1
    if not figures.sizes:
        return 1
    text = summary(settings, figures)
    print(f"\n{text}")
    if settings.record:
        record(text, started, " ".join(["bench/mining.py", *arguments]))
    return 1 if figures.failed else 0


if __name__ == "__main__":
    sys.exit(main())
