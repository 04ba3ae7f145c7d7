"""Ingest benchmark: generate, import and project a synthetic organization's events.

    .venv/bin/python bench/ingest.py [--people 10000] [--events-per-person 100] [--seed 7]
                                     [--quick] [--record] [--keep]

Everything runs on resources of its own, so the dev and test instances are never touched: a Neo4j
instance `bench` on port 7689 (started here, stopped at the end), a fresh SQLite file and Redis
database 13, all state under var/bench/ (deleted at the end unless --keep). Each phase is a
subprocess with an explicit environment; its wall time includes process start-up, and its CPU
time and peak memory are the child's rusage as returned by os.wait4.

Phases:
  1. generate   manage.py generate_org (org.csv + events.csv)
  2. prepare    migrate + graph_schema (not timed as ingest)
  3. SQL        import_org, then import_events with no worker: rows/s into SQL
  4. Neo4j      graph_sync drains the whole outbox: events/s into Neo4j; graph_reconcile
                --no-repair must report no drift
  5. end to end fresh SQL and an empty graph, a real Celery worker (concurrency 1) relaying the
                nudges; from the start of import_org until the outbox is empty: events/s
Benchmarks are not tests: this prints figures and fails only when a phase fails or drift is found.
"""

from __future__ import annotations

import argparse
import functools
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from harness import (
    CELERY,
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
    children_of,
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
    refuse_shared_stores,
    relayed,
    remove_database,
    run,
    run_and_report,
    source_changed,
    source_stamp,
    stop_process,
    usage_of,
)

# The code on the ingest path: a change there during a run is reported with the figures.
SOURCE_FOLDERS = ("sociograph", "people", "recognition")

TARGET_EVENTS_PER_SECOND = 20_000
EVENT_ENTITIES = ("recognition", "follow", "interaction")
POLL_SECONDS = 0.5
# The outbox unchanged this long while no relay holds the lock: a lost wake-up, which the beat
# sweep (not running here) would catch; the poller then nudges once and counts it.
STALL_SECONDS = 3.0
GIVE_UP_SECONDS = 600.0  # no progress at all: the worker is broken
WORKER_READY_SECONDS = 60.0


@dataclass(frozen=True)
class Settings:
    people: int
    events_per_person: int
    seed: int
    end: str
    workdir: Path
    bolt_port: int
    redis_url: str
    record: bool
    keep: bool

    @property
    def data_dir(self) -> Path:
        return self.workdir / "data"

    @property
    def resources(self) -> Resources:
        return Resources(self.workdir, self.redis_url, self.bolt_port, "bench")


@dataclass
class Figures:
    events_generated: int = 0
    generate: Run | None = None
    people: int = 0
    import_org: Run | None = None
    events_imported: int = 0
    import_events: Run | None = None
    projected: dict[str, int] = field(default_factory=dict)
    graph_sync: Run | None = None
    reconcile: Run | None = None
    e2e_seconds: float = 0.0
    e2e_events: int = 0
    e2e_importer: list[Run] = field(default_factory=list)
    e2e_worker: dict[str, Usage] = field(default_factory=dict)
    e2e_nudges: int = 0
    e2e_reconcile: Run | None = None
    neo4j_version: str = "?"
    neo4j: Usage | None = None
    load_before: str = ""
    load_after: str = ""
    source_changed: str = ""
    commits: tuple[str, str] = ("", "")  # checked out before and after the run


# --- Processes -----------------------------------------------------------------------------------


# --- Services ------------------------------------------------------------------------------------


@contextmanager
def worker(settings: Settings, env: Mapping[str, str]) -> Iterator[subprocess.Popen[str]]:
    """A real Celery worker on the bench broker, consuming the relay's queue, one process."""
    log = settings.workdir / "log" / "worker.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [
        str(CELERY),
        "-A",
        "sociograph",
        "worker",
        "-Q",
        "graph_sync,celery",
        "--concurrency",
        "1",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--hostname",
        "bench@%h",
        "--loglevel",
        "INFO",
    ]
    print(f"[bench] worker: {' '.join(command[1:])} (log {log})")
    with log.open("w") as handle:
        process = subprocess.Popen(  # noqa: S603 - fixed command
            command,
            cwd=ROOT,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + WORKER_READY_SECONDS
        while " ready." not in log.read_text():
            if process.poll() is not None:
                raise BenchError(f"the worker exited (code {process.returncode}); see {log}")
            if time.monotonic() > deadline:
                raise BenchError(f"the worker was not ready in {WORKER_READY_SECONDS:.0f} s")
            time.sleep(0.2)
        yield process
    finally:
        stop_process(process, "worker")


# --- Parsing what the commands print -------------------------------------------------------------


def check_no_drift(result: Run) -> None:
    if "no drift" not in result.output:
        raise BenchError(f"graph_reconcile found drift:\n{result.output}")


# --- The phases ----------------------------------------------------------------------------------


def sql_ingest(settings: Settings, env: Mapping[str, str], figures: Figures) -> None:
    org, events = settings.data_dir / "org.csv", settings.data_dir / "events.csv"
    figures.import_org = run("import_org", manage("import_org", str(org)), env)
    figures.people = accepted(figures.import_org.output, "import_org")
    figures.import_events = run("import_events", manage("import_events", str(events)), env)
    figures.events_imported = accepted(figures.import_events.output, "import_events")
    # Nothing consumed the nudges; they must not reach the end-to-end phase's worker.
    flush_redis(settings.resources)


def projection(env: Mapping[str, str], figures: Figures) -> None:
    figures.graph_sync = run("graph_sync", manage("graph_sync"), env)
    figures.projected = relayed(figures.graph_sync.output)
    figures.reconcile = run(
        "graph_reconcile", manage("graph_reconcile", "--no-repair"), env, check=False
    )
    check_no_drift(figures.reconcile)


def end_to_end(settings: Settings, env: Mapping[str, str], figures: Figures) -> None:
    remove_database(settings.resources)
    prepare_stores(env, wipe_graph=True)
    flush_redis(settings.resources)
    org, events = settings.data_dir / "org.csv", settings.data_dir / "events.csv"
    with worker(settings, env) as celery:
        poller = subprocess.Popen(  # noqa: S603 - fixed command
            probe(
                "poll-outbox",
                *("--give-up", str(GIVE_UP_SECONDS), "--stall", str(STALL_SECONDS)),
                *("--poll", str(POLL_SECONDS)),
            ),
            cwd=ROOT,
            env=dict(env),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert poller.stdin is not None
        assert poller.stdout is not None
        try:
            if poller.stdout.readline().strip() != "waiting":
                raise BenchError("the outbox poller did not start")
            started = time.perf_counter()
            org_run = run("e2e import_org", manage("import_org", str(org)), env)
            events_run = run("e2e import_events", manage("import_events", str(events)), env)
            poller.stdin.write("go\n")
            poller.stdin.flush()
            print("[bench] e2e: waiting for the worker to empty the outbox")
            done = poller.stdout.readline().strip()
            figures.e2e_seconds = time.perf_counter() - started
            if not done.startswith("empty"):
                raise BenchError(f"the outbox poller failed: {done!r}")
            figures.e2e_nudges = int(done.rpartition("=")[2])
        finally:
            poller.stdin.close()
            try:
                poller.wait(10)
            except subprocess.TimeoutExpired:  # still polling: an import failed
                poller.kill()
                poller.wait()
        figures.e2e_events = accepted(events_run.output, "e2e import_events")
        figures.e2e_importer = [org_run, events_run]
        figures.e2e_worker = {"main": usage_of(celery.pid)}
        for number, child in enumerate(children_of(celery.pid), start=1):
            figures.e2e_worker[f"child {number}"] = usage_of(child)
        print(f"[bench] e2e: {figures.e2e_events} events in {figures.e2e_seconds:.1f} s")
    figures.e2e_reconcile = run(
        "e2e graph_reconcile", manage("graph_reconcile", "--no-repair"), env, check=False
    )
    check_no_drift(figures.e2e_reconcile)


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
        figures.generate = generate_org(
            env,
            settings.people,
            settings.events_per_person,
            settings.seed,
            settings.end,
            settings.data_dir,
        )
        figures.events_generated = count_lines(settings.data_dir / "events.csv") - 1
        prepare_stores(env, wipe_graph=False)
        sql_ingest(settings, env, figures)
        projection(env, figures)
        end_to_end(settings, env, figures)
        pid = neo4j_pid(settings.resources)
        figures.neo4j = usage_of(pid) if pid else None
        figures.load_after = load_average()
        figures.commits = (commit, head_commit())
        figures.source_changed = source_changed(stamp, SOURCE_FOLDERS, "the ingest path")
    finally:
        with suppress(BenchError):
            neo4j("stop", env)
        with suppress(subprocess.CalledProcessError):
            flush_redis(settings.resources)
        if not settings.keep:
            shutil.rmtree(settings.workdir, ignore_errors=True)
    return figures


# --- Reporting -----------------------------------------------------------------------------------


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}" if seconds > 0 else "-"


def summary(settings: Settings, figures: Figures) -> str:
    generate, import_org = figures.generate, figures.import_org
    import_events, graph_sync = figures.import_events, figures.graph_sync
    reconcile, e2e_reconcile = figures.reconcile, figures.e2e_reconcile
    assert generate is not None
    assert import_org is not None
    assert import_events is not None
    assert graph_sync is not None
    assert reconcile is not None
    assert e2e_reconcile is not None
    projected_events = sum(figures.projected.get(name, 0) for name in EVENT_ENTITIES)
    others = {k: v for k, v in sorted(figures.projected.items()) if k not in EVENT_ENTITIES}
    e2e_rate = figures.e2e_events / figures.e2e_seconds if figures.e2e_seconds else 0.0
    e2e_cpu = sum(run.cpu_seconds for run in figures.e2e_importer) + sum(
        usage.cpu_seconds for usage in figures.e2e_worker.values()
    )
    importer_rss = max((run.max_rss_kib for run in figures.e2e_importer), default=0)
    worker_rss = ", ".join(f"{k} {mib(v.max_rss_kib)}" for k, v in figures.e2e_worker.items())
    worker_cpu = sum(usage.cpu_seconds for usage in figures.e2e_worker.values())
    commit = commit_text(figures.commits)
    met = "met" if e2e_rate >= TARGET_EVENTS_PER_SECOND else "**not met**"
    rows: list[tuple[str, int | None, str, Run]] = [
        ("generate (`generate_org`)", figures.events_generated, "events", generate),
        ("SQL: `import_org`", figures.people, "people", import_org),
        ("SQL: `import_events` (rows/s into SQL)", figures.events_imported, "events",
         import_events),
        ("Neo4j: `graph_sync` (events/s into Neo4j)", projected_events, "events", graph_sync),
        ("check: `graph_reconcile --no-repair`: no drift", None, "", reconcile),
    ]  # fmt: skip
    lines = [
        f"Machine: {machine()}; Neo4j {figures.neo4j_version} (heap {NEO4J_HEAP}, page cache "
        f"{NEO4J_PAGECACHE}). Commit {commit}. Load average (1, 5, 15 min) "
        f"{figures.load_before} before the run, {figures.load_after} after it.",
        "",
        f"Workload: `--people {settings.people} --events-per-person {settings.events_per_person} "
        f"--seed {settings.seed} --end {settings.end}`: {settings.people:,} people, "
        f"{figures.events_generated:,} events.",
        "",
        "| phase | items | wall s | CPU s | items/s | peak RSS |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, count, unit, result in rows:
        items = "-" if count is None else f"{count:,} {unit}"
        per_second = "-" if count is None else rate(count, result.seconds)
        lines.append(
            f"| {label} | {items} | {result.seconds:.1f} | {result.cpu_seconds:.1f} | "
            f"{per_second} | {mib(result.max_rss_kib)} |"
        )
    lines += [
        f"| **end to end**: `import_org` + `import_events`, worker relaying, until the outbox "
        f"is empty | {figures.e2e_events:,} events | {figures.e2e_seconds:.1f} | {e2e_cpu:.1f} | "
        f"**{e2e_rate:,.0f}** | importer {mib(importer_rss)}; worker {worker_rss} |",
        f"| check: `graph_reconcile --no-repair` after end to end: no drift | - | "
        f"{e2e_reconcile.seconds:.1f} | {e2e_reconcile.cpu_seconds:.1f} | - | "
        f"{mib(e2e_reconcile.max_rss_kib)} |",
        "",
        f"`graph_sync` also projected {', '.join(f'{k} {v:,}' for k, v in others.items())}. "
        f"End to end, CPU s counts the importer ({e2e_cpu - worker_cpu:.1f} s) and the worker "
        f"({worker_cpu:.1f} s), not Neo4j"
        + (
            f"; Neo4j used {figures.neo4j.cpu_seconds:.0f} CPU s over the whole run, peak RSS "
            f"{mib(figures.neo4j.max_rss_kib)}"
            if figures.neo4j
            else ""
        )
        + "."
        + (
            f" The poller nudged a stalled relay {figures.e2e_nudges} time(s)."
            if figures.e2e_nudges
            else ""
        ),
        "",
        f"Target {TARGET_EVENTS_PER_SECOND:,} events/s end to end: {met} ({e2e_rate:,.0f}).",
    ]
    if figures.source_changed:
        lines += ["", f"**Warning**: {figures.source_changed}"]
    return "\n".join(lines)


def record(text: str, when: datetime) -> None:
    method = textwrap.fill(
        "Measured with `make bench` (`bench/ingest.py --record`): each phase is a subprocess "
        "timed by wall clock from spawn to exit (Python and Django start-up included); CPU s "
        "and peak RSS are the child's `ru_utime + ru_stime` and `ru_maxrss` from `os.wait4` "
        "(the worker's: `/proc` figures of its processes). A SQLite file, Neo4j instance (port "
        "7689) and Redis database of its own; `sociograph.settings.local` with "
        "`DJANGO_DEBUG=false`. The machine is shared: see the load average.",
        width=100,
    )
    append_section(f"Ingest benchmark, {when:%Y-%m-%d %H:%M} UTC", method, text)


# --- Command line --------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> Settings:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--events-per-person", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--end", help="end of the event window (default: today 00:00 UTC)")
    parser.add_argument(
        "--quick", action="store_true", help="1,000 people x 20 events, to check the script"
    )
    parser.add_argument(
        "--record", action="store_true", help="append the figures to docs/performance.md"
    )
    parser.add_argument("--keep", action="store_true", help="keep var/bench (data, logs)")
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--bolt-port", type=int, default=7689)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    args = parser.parse_args(argv)
    if args.quick:
        args.people, args.events_per_person = 1_000, 20
    refuse_shared_stores(parser, args.bolt_port, args.redis_url)
    return Settings(
        people=args.people,
        events_per_person=args.events_per_person,
        seed=args.seed,
        end=args.end or default_end(datetime.now(UTC)),
        workdir=args.workdir.resolve(),
        bolt_port=args.bolt_port,
        redis_url=args.redis_url,
        record=args.record,
        keep=args.keep,
    )


def main(argv: list[str] | None = None) -> int:
    settings = parse_args(argv)
    figures = run_and_report(
        functools.partial(benchmark, settings),
        functools.partial(summary, settings),
        record if settings.record else None,
    )
    return 0 if figures is not None else 1


if __name__ == "__main__":
    sys.exit(main())
