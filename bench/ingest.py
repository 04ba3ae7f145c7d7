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
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"
CELERY = ROOT / ".venv" / "bin" / "celery"
MANAGE = str(ROOT / "manage.py")
NEO4J = str(ROOT / "platform" / "bin" / "neo4j")
REDIS = str(ROOT / "platform" / "bin" / "redis")
PERFORMANCE_DOC = ROOT / "docs" / "performance.md"
# The code on the ingest path: a change there during a run is reported with the figures.
SOURCE_FOLDERS = ("sociograph", "people", "recognition")

NEO4J_HEAP, NEO4J_PAGECACHE = "2g", "1g"  # the launcher's defaults, stated
TARGET_EVENTS_PER_SECOND = 20_000
EVENT_ENTITIES = ("recognition", "follow", "interaction")
POLL_SECONDS = 0.5
# The outbox unchanged this long while no relay holds the lock: a lost wake-up, which the beat
# sweep (not running here) would catch; the poller then nudges once and counts it.
STALL_SECONDS = 3.0
GIVE_UP_SECONDS = 600.0  # no progress at all: the worker is broken
WORKER_READY_SECONDS = 60.0
WORKER_STOP_SECONDS = 30.0

# Runs in a subprocess with the bench environment: waits for a line on stdin, then polls the
# outbox until it is empty and prints how many stalls it had to nudge.
POLLER = f"""
import sys, time
import django
django.setup()
from sociograph.graph import relay
from sociograph.graph.models import OutboxEntry
from sociograph.graph.tasks import relay_outbox
print("waiting", flush=True)
sys.stdin.readline()
redis, last, nudges = relay._redis(), -1, 0
progress = nudged = time.monotonic()
while True:
    pending = OutboxEntry.objects.count()
    if pending == 0:
        break
    now = time.monotonic()
    if pending != last:
        last, progress = pending, now
    elif now - progress > {GIVE_UP_SECONDS}:
        print(f"stuck pending={{pending}}", flush=True)
        sys.exit(1)
    elif now - max(progress, nudged) > {STALL_SECONDS} and not redis.exists(relay.LOCK_NAME):
        relay_outbox.apply_async()
        nudges, nudged = nudges + 1, now
    time.sleep({POLL_SECONDS})
print(f"empty nudges={{nudges}}", flush=True)
"""

SERVER_INFO = (
    "from sociograph.graph.services import server_info; "
    "info = server_info(); print(info['version'], info['edition'])"
)


class BenchError(RuntimeError):
    pass


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
    def database_file(self) -> Path:
        return self.workdir / "bench.sqlite3"

    @property
    def data_dir(self) -> Path:
        return self.workdir / "data"


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu_seconds: float  # user + system of the child
    max_rss_kib: int
    output: str


@dataclass(frozen=True)
class Usage:
    """What a live process used so far, from /proc."""

    max_rss_kib: int
    cpu_seconds: float


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


def bench_env(settings: Settings) -> dict[str, str]:
    """The caller's environment minus anything that could point elsewhere, plus the bench's."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "NEO4J_", "REDIS_", "CELERY_", "SOCIOGRAPH_"))
        and key != "DATABASE_URL"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="sociograph.settings.local",
        # Local settings turn DEBUG on, which makes Django keep the text of every SQL query.
        DJANGO_DEBUG="false",
        DATABASE_URL=f"sqlite:///{settings.database_file}",
        NEO4J_INSTANCE="bench",
        NEO4J_BOLT_PORT=str(settings.bolt_port),
        NEO4J_URI=f"bolt://127.0.0.1:{settings.bolt_port}",
        NEO4J_USER="neo4j",
        NEO4J_PASSWORD="sociograph-local",  # noqa: S106 - a throw-away local instance
        NEO4J_DATABASE="neo4j",
        NEO4J_HEAP=NEO4J_HEAP,
        NEO4J_PAGECACHE=NEO4J_PAGECACHE,
        REDIS_URL=settings.redis_url,
        CELERY_BROKER_URL=settings.redis_url,
        CELERY_RESULT_BACKEND=settings.redis_url,
        SOCIOGRAPH_VAR_DIR=str(settings.workdir),
        PYTHONUNBUFFERED="1",
    )
    return env


def run(label: str, command: list[str], env: Mapping[str, str], check: bool = True) -> Run:
    """Run to completion; wall time from spawn to exit and the child's peak RSS (os.wait4)."""
    print(f"[bench] {label}: {' '.join(command[1:] if command[0] == str(PY) else command)}")
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - fixed commands built here
        command,
        cwd=ROOT,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stdout.close()
    if check and process.returncode != 0:
        tail = "\n".join(output.splitlines()[-30:])
        raise BenchError(f"{label} failed (exit {process.returncode}):\n{tail}")
    cpu = usage.ru_utime + usage.ru_stime
    print(f"[bench] {label}: {seconds:.1f} s (CPU {cpu:.1f} s), peak RSS {mib(usage.ru_maxrss)}")
    return Run(seconds, cpu, usage.ru_maxrss, output)


def manage(*args: str) -> list[str]:
    return [str(PY), MANAGE, *args]


def usage_of(pid: int) -> Usage:
    """Peak resident set size (VmHWM) and CPU time of a live process; zeros when it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return Usage(0, 0.0)
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    # After the parenthesized command name: field 3 is the state, 14 and 15 utime and stime.
    fields = stat.rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    return Usage(int(match.group(1)) if match else 0, ticks / os.sysconf("SC_CLK_TCK"))


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces; the parent pid follows it.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def stop_process(process: subprocess.Popen[str], label: str) -> None:
    """TERM (Celery's warm shutdown), then KILL the process group it leads (started here)."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(WORKER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        print(f"[bench] {label} did not stop in {WORKER_STOP_SECONDS:.0f} s; killing it")
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# --- Services ------------------------------------------------------------------------------------


def neo4j(command: str, env: Mapping[str, str]) -> Run:
    return run(f"neo4j (bench) {command}", [NEO4J, command], env)


def neo4j_pid(settings: Settings) -> int | None:
    pidfile = settings.workdir / "run" / "neo4j-bench.pid"
    try:
        return int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None


def flush_redis(settings: Settings) -> None:
    subprocess.run(  # noqa: S603 - fixed command
        ["redis-cli", "-u", settings.redis_url, "flushdb"],  # noqa: S607 - Debian's redis-cli
        check=True,
        stdout=subprocess.DEVNULL,
    )


def remove_database(settings: Settings) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{settings.database_file}{suffix}").unlink(missing_ok=True)


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


def accepted(output: str, label: str) -> int:
    match = re.search(r"accepted: (\d+)\s+already present: (\d+)\s+rejected: (\d+)", output)
    if match is None:
        raise BenchError(f"{label}: no import summary in its output")
    if int(match.group(3)):
        raise BenchError(f"{label}: {match.group(3)} rows rejected")
    return int(match.group(1))


def relayed(output: str) -> dict[str, int]:
    match = re.search(r"relayed \d+ outbox entries \(([^)]*)\); (\d+) pending", output)
    if match is None:
        raise BenchError("graph_sync: no relay summary in its output")
    if int(match.group(2)):
        raise BenchError(f"graph_sync: {match.group(2)} entries still pending")
    counts = {}
    for part in match.group(1).split(", "):
        name, _, count = part.rpartition(" ")
        if count.isdigit():
            counts[name] = int(count)
    return counts


def check_no_drift(result: Run) -> None:
    if "no drift" not in result.output:
        raise BenchError(f"graph_reconcile found drift:\n{result.output}")


def count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def tagged_line(output: str, tag: str) -> str:
    """The rest of the last line of `output` that starts with `tag` and a space."""
    for line in reversed(output.splitlines()):
        if line.startswith(f"{tag} "):
            return line.removeprefix(f"{tag} ")
    raise BenchError(f"no {tag} line in the output:\n{output[-2000:]}")


# --- The phases ----------------------------------------------------------------------------------


def generate_org(
    env: Mapping[str, str], people: int, events_per_person: int, seed: int, end: str, out: Path
) -> Run:
    """`manage.py generate_org` into `out` (org.csv, events.csv): every benchmark's workload."""
    return run(
        "generate_org",
        manage(
            "generate_org",
            *("--people", str(people), "--seed", str(seed)),
            *("--events-per-person", str(events_per_person)),
            *("--end", end, "--out", str(out)),
        ),
        env,
    )


def prepare_stores(env: Mapping[str, str], wipe_graph: bool) -> None:
    run("migrate", manage("migrate", "--noinput"), env)
    if wipe_graph:
        # On an empty SQL database a rebuild empties the graph and re-applies the schema.
        run("graph_rebuild (empties Neo4j)", manage("graph_rebuild"), env)
    else:
        run("graph_schema", manage("graph_schema"), env)


def sql_ingest(settings: Settings, env: Mapping[str, str], figures: Figures) -> None:
    org, events = settings.data_dir / "org.csv", settings.data_dir / "events.csv"
    figures.import_org = run("import_org", manage("import_org", str(org)), env)
    figures.people = accepted(figures.import_org.output, "import_org")
    figures.import_events = run("import_events", manage("import_events", str(events)), env)
    figures.events_imported = accepted(figures.import_events.output, "import_events")
    # Nothing consumed the nudges; they must not reach the end-to-end phase's worker.
    flush_redis(settings)


def projection(env: Mapping[str, str], figures: Figures) -> None:
    figures.graph_sync = run("graph_sync", manage("graph_sync"), env)
    figures.projected = relayed(figures.graph_sync.output)
    figures.reconcile = run(
        "graph_reconcile", manage("graph_reconcile", "--no-repair"), env, check=False
    )
    check_no_drift(figures.reconcile)


def end_to_end(settings: Settings, env: Mapping[str, str], figures: Figures) -> None:
    remove_database(settings)
    prepare_stores(env, wipe_graph=True)
    flush_redis(settings)
    org, events = settings.data_dir / "org.csv", settings.data_dir / "events.csv"
    with worker(settings, env) as celery:
        poller = subprocess.Popen(  # noqa: S603 - fixed command
            [str(PY), "-c", POLLER],
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


def check_workdir(workdir: Path) -> None:
    """Every benchmark deletes its folder: never the checkout, var/ or a folder above them."""
    if workdir in (ROOT, ROOT / "var") or workdir in ROOT.parents:
        raise BenchError(f"{workdir} would be wiped: pick a folder of its own")


def benchmark(settings: Settings) -> Figures:
    check_workdir(settings.workdir)
    env = bench_env(settings)
    figures = Figures(load_before=load_average())
    stamp, commit = source_stamp(), head_commit()
    run("redis start", [REDIS, "start"], env)
    neo4j("stop", env)  # a previous run killed before its clean-up
    shutil.rmtree(settings.workdir, ignore_errors=True)
    settings.workdir.mkdir(parents=True)
    flush_redis(settings)
    try:
        neo4j("start", env)
        version = run("neo4j version", manage("shell", "-c", SERVER_INFO), env)
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
        pid = neo4j_pid(settings)
        figures.neo4j = usage_of(pid) if pid else None
        figures.load_after = load_average()
        figures.commits = (commit, head_commit())
        figures.source_changed = source_changed(stamp, SOURCE_FOLDERS, "the ingest path")
    finally:
        with suppress(BenchError):
            neo4j("stop", env)
        with suppress(subprocess.CalledProcessError):
            flush_redis(settings)
        if not settings.keep:
            shutil.rmtree(settings.workdir, ignore_errors=True)
    return figures


# --- Reporting -----------------------------------------------------------------------------------


def mib(kib: int) -> str:
    return f"{kib / 1024:,.0f} MiB"


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}" if seconds > 0 else "-"


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine() -> str:
    import sqlite3  # the standard library's, which Django uses

    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    meminfo = Path("/proc/meminfo").read_text()
    total = re.search(r"^MemTotal:\s+(\d+) kB", meminfo, re.MULTILINE)
    debian = Path("/etc/debian_version")
    return ", ".join(
        [
            f"{os.cpu_count()} CPUs ({model.group(1).strip() if model else 'unknown model'})",
            f"{int(total.group(1)) / 1024**2:.0f} GiB RAM" if total else "RAM unknown",
            f"Debian {debian.read_text().strip()}" if debian.exists() else os.uname().sysname,
            f"Python {sys.version.split()[0]}",
            f"SQLite {sqlite3.sqlite_version}",
        ]
    )


def head_commit() -> str:
    """The checked-out commit, read from .git (uncommitted changes are not visible here)."""
    git = ROOT / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head[:12]
        ref = head.removeprefix("ref: ")
        if (git / ref).exists():
            return (git / ref).read_text().strip()[:12]
        for line in (git / "packed-refs").read_text().splitlines():
            if line.endswith(f" {ref}"):
                return line.split()[0][:12]
    except OSError:
        pass
    return "unknown"


def source_stamp(folders: tuple[str, ...] = SOURCE_FOLDERS) -> tuple[float, str]:
    """The newest Python source under `folders` (by default the ingest path's): to tell when the
    code changed during a run. The other benchmarks pass their own folders."""
    newest, name = 0.0, ""
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            with suppress(OSError):
                mtime = path.stat().st_mtime
                if mtime > newest:
                    newest, name = mtime, str(path.relative_to(ROOT))
    return newest, name


def source_changed(stamp: tuple[float, str], folders: tuple[str, ...], code: str) -> str:
    """A warning when a source under `folders` is newer than `stamp` (taken at the start)."""
    newest = source_stamp(folders)
    if newest == stamp:
        return ""
    return (
        f"{code}'s Python sources changed during the run (newest: {newest[1]} at "
        f"{datetime.fromtimestamp(newest[0], UTC):%H:%M:%S} UTC); the figures may mix "
        "two versions of the code"
    )


def commit_text(commits: tuple[str, str]) -> str:
    """The commit checked out, or both when it changed during the run."""
    before, after = commits
    return before if before == after else f"{before} (at the start; {after} at the end)"


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


def append_section(title: str, method: str, text: str) -> None:
    """Append a section to docs/performance.md (shared by the benchmarks): its paragraphs
    wrapped at 100 columns, tables and headings kept as they are."""
    paragraphs = [
        part if part.startswith(("|", "#")) else textwrap.fill(part, width=100)
        for part in text.split("\n\n")
    ]
    body = "\n\n".join(paragraphs)
    with PERFORMANCE_DOC.open("a") as handle:
        handle.write(f"\n### {title}\n\n{textwrap.fill(method, width=100)}\n\n{body}\n")
    print(f"[bench] recorded in {PERFORMANCE_DOC.relative_to(ROOT)}")


# --- Command line --------------------------------------------------------------------------------


def default_end(now: datetime) -> str:
    """The start of the current UTC day: before now, and the same all day (same files)."""
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0).isoformat()


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
    if args.bolt_port in (7687, 7688) or args.redis_url.rstrip("/").endswith(("/0", "/15")):
        parser.error("the dev and test Neo4j instances and Redis databases are not for benchmarks")
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
    started = datetime.now(UTC)
    try:
        figures = benchmark(settings)
    except BenchError as error:
        print(f"[bench] FAILED: {error}", file=sys.stderr)
        return 1
    text = summary(settings, figures)
    print(f"\n{text}")
    if settings.record:
        record(text, started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
