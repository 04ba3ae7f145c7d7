"""API benchmark: latency and throughput of REST API v1 reads and bulk writes under load.

    .venv/bin/python bench/api.py [--people 10000] [--clients 32] [--duration 20] [--quick]
                                  [--record] [--keep]

Prepares a generated organization (`generate_org --people N --events-per-person 20`) in a fresh
SQLite file, adds the results of one mining run directly through the ORM (synthetic values; no
Neo4j), serves the API with gunicorn on a free loopback port and loads it from a second process
(bench/api_load.py: standard library, one thread and connection per client). Per scenario: a
warm-up (3 s, not recorded), then `--duration` seconds of requests back to back; p50/p95/p99
latency, requests/s (events/s for bulk creation), errors (any non-2xx), and the CPU time the
gunicorn workers and the load generator used.

Everything runs on resources of its own: a SQLite file and state under var/apibench/ (deleted at
the end unless --keep) and Redis database 8 (flushed before and after). No Neo4j: the outbox
entries the imports and bulk writes leave are never relayed, their nudges wait in Redis database
8 for a worker that does not exist, and NEO4J_URI points at a closed port so nothing can reach an
instance by mistake. Each command is a subprocess with an explicit environment (bench/harness.py's).
Benchmarks are not tests: this prints figures and fails only when a command fails or a request
does (any non-2xx answer, reported with the server's log).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness import (
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
    children_of,
    commit_text,
    default_end,
    flush_redis,
    generate_org,
    head_commit,
    load_average,
    machine,
    manage,
    mib,
    probe,
    run,
    source_changed,
    source_stamp,
    stop_process,
    tagged_line,
    usage_of,
)
from probes import PERSON_METRICS

GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
LOAD = ROOT / "bench" / "api_load.py"
WORKERS = 2
EVENTS_PER_PERSON = 20
QUICK_PEOPLE, QUICK_SECONDS = 1_000, 5.0
# The paced detail scenario: 32 clients x 4 requests/s = 128 requests/s offered, a busy HR
# system's integration traffic; the back-to-back scenario measures the most the server can do.
PACED_RATE = 4.0
WARMUP_SECONDS = 3.0
BULK_CLIENTS = 4
WINDOW_DAYS = 90
# High enough that throttling never refuses a request (it still counts them in Redis).
RATE = "1000000/min"
# A closed port (no server listens on port 1): nothing here talks to Neo4j, and if something
# tried it would fail instead of reaching one of the instances on 7687-7692.
NO_NEO4J = "bolt://127.0.0.1:1"
NEO4J_PORTS = range(7687, 7693)
READY_SECONDS = 60.0
TARGET_P95_MS, TARGET_CLIENTS, TARGET_PEOPLE = 50.0, 32, 10_000
# The code serving the API: a change there during a run is reported with the figures.
SOURCE_FOLDERS = ("sociograph", "people", "recognition", "analytics")
LOG_TAIL_LINES = 80


@dataclass(frozen=True)
class Scenario:
    name: str  # bench/api_load.py's
    label: str
    token: str  # "hr" or "integration"
    clients: int
    detail: bool = False  # a detail read: the target applies
    pace: float = 0.0  # requests/s per client (open loop); 0: back to back


@dataclass(frozen=True)
class Settings:
    people: int
    clients: int
    bulk_clients: int
    duration: float
    warmup: float
    seed: int
    end: str
    workdir: Path
    redis_url: str
    record: bool
    keep: bool

    @property
    def resources(self) -> Resources:
        """What this benchmark runs on (no Neo4j: port 1), for the harness."""
        return Resources(self.workdir, self.redis_url)

    @property
    def scenarios(self) -> list[Scenario]:
        reads = self.clients
        return [
            Scenario(
                "people_list", "people list: `GET /people/?limit=50&offset=<random>`", "hr", reads
            ),
            Scenario(
                "person_detail", "person detail: `GET /people/<uuid>/`", "hr", reads, detail=True
            ),
            Scenario(
                "person_detail",
                f"person detail, paced: each client {PACED_RATE:g} requests/s (open loop)",
                "hr",
                reads,
                detail=True,
                pace=PACED_RATE,
            ),
            Scenario(
                "person_metrics",
                "a person's metrics: `GET /runs/<id>/metrics/?scope=person&subject=<external_id>`",
                "hr",
                reads,
            ),
            Scenario(
                "metrics_page",
                "a run's metrics page: `GET /runs/<id>/metrics/?limit=100&offset=<random>`",
                "hr",
                reads,
            ),
            Scenario(
                "bulk_events",
                "bulk creation: `POST /events/bulk/`, 1,000 new interactions per request",
                "integration",
                self.bulk_clients,
            ),
        ]


@dataclass(frozen=True)
class Measured:
    scenario: Scenario
    result: dict[str, Any]  # bench/api_load.py's output
    load: Run  # the load generator's process
    server_cpu: float  # the gunicorn workers' CPU seconds during the scenario
    load_average: str  # after the scenario


@dataclass
class Figures:
    prepare: dict[str, Run] = field(default_factory=dict)
    events: int = 0
    seeded: dict[str, int] = field(default_factory=dict)
    port: int = 0
    measured: list[Measured] = field(default_factory=list)
    workers: dict[int, Usage] = field(default_factory=dict)  # pid: usage at the end
    server_log: str = ""  # its tail, when a request failed
    load_before: str = ""
    load_after: str = ""
    commits: tuple[str, str] = ("", "")
    source_changed: str = ""

    @property
    def errors(self) -> int:
        return sum(int(measured.result["errors"]) for measured in self.measured)

    @property
    def rejected(self) -> int:
        return sum(int(measured.result["events_rejected"]) for measured in self.measured)


# --- Environment and server ----------------------------------------------------------------------


def api_env(settings: Settings) -> dict[str, str]:
    """The harness's explicit environment, minus Neo4j, with throttling out of the way."""
    env = bench_env(settings.resources)
    for key in ("NEO4J_INSTANCE", "NEO4J_BOLT_PORT", "NEO4J_HEAP", "NEO4J_PAGECACHE"):
        env.pop(key, None)
    env.update(
        NEO4J_URI=NO_NEO4J,
        SOCIOGRAPH_API_RATE=RATE,
        SOCIOGRAPH_API_BULK_RATE=RATE,
    )
    return env


def free_port() -> int:
    """A loopback port nothing listens on now (the kernel's pick), never a Neo4j instance's."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port: int = probe.getsockname()[1]
        if port not in NEO4J_PORTS:
            return port


def gunicorn_command(port: int) -> list[str]:
    return [
        str(GUNICORN),
        "sociograph.wsgi:application",
        *("--bind", f"127.0.0.1:{port}"),
        *("--workers", str(WORKERS)),
        *("--worker-class", "sync"),
        "--no-control-socket",  # its default socket is per user, shared with the demo's server
    ]


def gunicorn_config(port: int) -> str:
    return (
        f"`gunicorn sociograph.wsgi:application --bind 127.0.0.1:{port} --workers {WORKERS} "
        "--worker-class sync --no-control-socket` (otherwise gunicorn's defaults: timeout 30 s, "
        "backlog 2048; no access log); sync workers handle one request at a time and close the "
        "connection after each response"
    )


def get(port: int, path: str, token: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Authorization": f"Token {token}"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


@contextmanager
def server(
    settings: Settings, env: Mapping[str, str], port: int, token: str
) -> Iterator[subprocess.Popen[str]]:
    """gunicorn on 127.0.0.1:port, ready once `GET /api/v1/me/` answers 200 (not /health/,
    which would ask Neo4j and Celery)."""
    log = settings.workdir / "log" / "gunicorn.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    command = gunicorn_command(port)
    print(f"[bench] server: {' '.join(command[1:])} (log {log})")
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
        deadline = time.monotonic() + READY_SECONDS
        while True:
            if process.poll() is not None:
                raise BenchError(f"gunicorn exited (code {process.returncode}):\n{tail(log)}")
            with suppress(OSError):
                status = get(port, "/api/v1/me/", token)
                if status == 200:
                    break
                raise BenchError(f"GET /api/v1/me/ answered {status}:\n{tail(log)}")
            if time.monotonic() > deadline:
                raise BenchError(f"gunicorn did not answer in {READY_SECONDS:.0f} s")
            time.sleep(0.2)
        workers = children_of(process.pid)
        print(f"[bench] server ready on port {port}: master {process.pid}, workers {workers}")
        yield process
    finally:
        stop_process(process, "gunicorn")


def tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def workers_cpu(master: int, seen: dict[int, Usage]) -> float:
    """CPU seconds of the master's workers so far (a worker restarted meanwhile loses its own)."""
    for pid in children_of(master):
        seen[pid] = usage_of(pid)
    return sum(usage.cpu_seconds for usage in seen.values())


# --- The phases ----------------------------------------------------------------------------------


def prepare(settings: Settings, env: Mapping[str, str], figures: Figures) -> dict[str, str]:
    """The organization, a mining run's results, the load generator's targets and two tokens."""
    data = settings.workdir / "data"
    figures.prepare["migrate"] = run("migrate", manage("migrate", "--noinput"), env)
    figures.prepare["generate_org"] = generate_org(
        env, settings.people, EVENTS_PER_PERSON, settings.seed, settings.end, data
    )
    figures.prepare["import_org"] = run(
        "import_org", manage("import_org", str(data / "org.csv")), env
    )
    accepted(figures.prepare["import_org"].output, "import_org")
    figures.prepare["import_events"] = run(
        "import_events", manage("import_events", str(data / "events.csv")), env
    )
    figures.events = accepted(figures.prepare["import_events"].output, "import_events")
    figures.prepare["mining results"] = run(
        "mining results (ORM)",
        probe(
            "seed-results",
            *("--seed", str(settings.seed), "--end", settings.end),
            *("--window-days", str(WINDOW_DAYS), "--targets", str(targets_file(settings))),
        ),
        env,
    )
    figures.seeded = json.loads(tagged_line(figures.prepare["mining results"].output, "SEEDED"))
    tokens = {}
    for key, role in (("hr", "hr_admin"), ("integration", "integration")):
        issued = run(
            f"token ({role})", manage("issue_token", f"apibench-{key}", "--role", role), env
        )
        tokens[key] = issued.output.strip().splitlines()[-1]
    if not settings.keep:
        shutil.rmtree(data, ignore_errors=True)
    return tokens


def targets_file(settings: Settings) -> Path:
    return settings.workdir / "targets.json"


def measure(
    settings: Settings,
    env: Mapping[str, str],
    scenario: Scenario,
    token: str,
    port: int,
    master: int,
    seen: dict[int, Usage],
) -> Measured:
    command = [
        str(PY),
        str(LOAD),
        *("--port", str(port), "--targets", str(targets_file(settings))),
        *("--scenario", scenario.name, "--clients", str(scenario.clients)),
        *("--warmup", str(settings.warmup), "--duration", str(settings.duration)),
        *("--seed", str(settings.seed), "--pace", str(scenario.pace)),
    ]
    before = workers_cpu(master, seen)
    load = run(f"load: {scenario.name}", command, {**env, "APIBENCH_TOKEN": token})
    server_cpu = workers_cpu(master, seen) - before
    result: dict[str, Any] = json.loads(load.output.strip().splitlines()[-1])
    measured = Measured(scenario, result, load, server_cpu, load_average())
    print(f"[bench]   {row(measured)}")
    for sample in result["error_samples"]:
        print(f"[bench]   error: {sample}")
    return measured


def benchmark(settings: Settings) -> Figures:
    check_workdir(settings.workdir)
    env = api_env(settings)
    figures = Figures(load_before=load_average())
    stamp, commit = source_stamp(SOURCE_FOLDERS), head_commit()
    run("redis start", [REDIS, "start"], env)
    shutil.rmtree(settings.workdir, ignore_errors=True)
    settings.workdir.mkdir(parents=True)
    flush_redis(settings.resources)
    try:
        tokens = prepare(settings, env, figures)
        flush_redis(settings.resources)  # the imports' nudges, which nobody consumes
        figures.port = free_port()
        with server(settings, env, figures.port, tokens["hr"]) as gunicorn:
            seen: dict[int, Usage] = {}
            for scenario in settings.scenarios:
                figures.measured.append(
                    measure(
                        settings,
                        env,
                        scenario,
                        tokens[scenario.token],
                        figures.port,
                        gunicorn.pid,
                        seen,
                    )
                )
            workers_cpu(gunicorn.pid, seen)
            figures.workers = seen
        if figures.errors or figures.rejected:
            figures.server_log = tail(settings.workdir / "log" / "gunicorn.log")
        figures.load_after = load_average()
        figures.commits = (commit, head_commit())
        figures.source_changed = source_changed(stamp, SOURCE_FOLDERS, "the API")
    finally:
        with suppress(subprocess.CalledProcessError):
            flush_redis(settings.resources)
        if not settings.keep:
            shutil.rmtree(settings.workdir, ignore_errors=True)
    return figures


# --- Reporting -----------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def row(measured: Measured) -> str:
    result, scenario = measured.result, measured.scenario
    seconds = float(result["seconds"])
    events = (
        f"{result['events_accepted'] / seconds:,.0f}" if scenario.name == "bulk_events" else "-"
    )
    # Of what the workers could have used while the load generator ran (one core each).
    share = measured.server_cpu / (WORKERS * measured.load.seconds)
    answered = int(result["requests"]) + int(result["warmup_requests"])
    per_request = f"{measured.server_cpu / answered * 1000:.1f}" if answered else "-"
    return (
        f"| {scenario.label} | {scenario.clients} | {result['requests']:,} | "
        f"{result['errors']:,} | {result['requests'] / seconds:,.1f} | {events} | "
        f"{ms(result['p50'])} | {ms(result['p95'])} | {ms(result['p99'])} | "
        f"{ms(result['max'])} | {measured.server_cpu:.1f} ({share:.0%}) | {per_request} | "
        f"{measured.load.cpu_seconds:.1f} |"
    )


def target_text(settings: Settings, figures: Figures) -> str:
    details = [m for m in figures.measured if m.scenario.detail]
    if not details:
        return "Target p95 < 50 ms for detail reads at 32 clients: not measured."
    return " ".join(_target_line(settings, detail) for detail in details)


def _target_line(settings: Settings, detail: Measured) -> str:
    p95 = float(detail.result["p95"]) * 1000
    met = "met" if p95 < TARGET_P95_MS and not detail.result["errors"] else "**not met**"
    caveats = []
    if detail.scenario.clients != TARGET_CLIENTS:
        caveats.append(f"measured at {detail.scenario.clients} clients")
    if settings.people != TARGET_PEOPLE:
        caveats.append(f"on {settings.people:,} people, not {TARGET_PEOPLE:,}")
    if detail.result["errors"]:
        caveats.append(f"{detail.result['errors']} failed requests")
    extra = f"; {', '.join(caveats)}" if caveats else ""
    how = (
        f"each client paced at {detail.scenario.pace:g} requests/s"
        if detail.scenario.pace
        else "clients back to back"
    )
    return (
        f"Target p95 < {TARGET_P95_MS:.0f} ms for detail reads at {TARGET_CLIENTS} clients "
        f"({how}): {met} (p95 {p95:.1f} ms{extra})."
    )


def summary(settings: Settings, figures: Figures) -> str:
    seeded = figures.seeded
    workers_rss = ", ".join(mib(usage.max_rss_kib) for usage in figures.workers.values())
    connections = ", ".join(
        f"{m.scenario.name} {m.result['connections']:,}" for m in figures.measured
    )
    loads = "; ".join(f"{m.scenario.name} {m.load_average}" for m in figures.measured)
    prepared = ", ".join(f"{name} {r.seconds:.1f} s" for name, r in figures.prepare.items())
    lines = [
        f"Machine: {machine()}. Commit {commit_text(figures.commits)}. Load average (1, 5, 15 min) "
        f"{figures.load_before} before the run, {figures.load_after} after it; after each "
        f"scenario: {loads}.",
        "",
        f"Workload: `generate_org --people {settings.people} --events-per-person "
        f"{EVENTS_PER_PERSON} --seed {settings.seed} --end {settings.end}`: {settings.people:,} "
        f"people, {figures.events:,} events imported; one succeeded mining run (id "
        f"{seeded.get('run')}) written through the ORM with synthetic values: "
        f"{seeded.get('person_metrics', 0):,} person metrics ({len(PERSON_METRICS)} per person), "
        f"{seeded.get('context_metrics', 0):,} context metrics, {seeded.get('org_metrics', 0)} "
        f"org metrics ({seeded.get('metric_rows', 0):,} rows in the run's unfiltered metrics "
        f"list). Prepared in: {prepared}.",
        "",
        f"Server: {gunicorn_config(figures.port)}; `sociograph.settings.local`, "
        f"`DJANGO_DEBUG=false`, SQLite (WAL), throttling at {RATE} (still counted in Redis). "
        f"Load: `bench/api_load.py`, one Python process, a thread and an `http.client` connection "
        f"per client, requests back to back; {settings.warmup:.0f} s warm-up, then "
        f"{settings.duration:.0f} s measured per scenario. Reads as an `hr_admin` token, bulk "
        "creation as an `integration` token. Latency: from writing the request to reading the "
        "whole response, as the client sees it (queueing for a free worker included); "
        "percentiles by nearest rank over every request of the window, errors included.",
        "",
        "| scenario (under `/api/v1`) | clients | requests | errors | req/s | events/s | "
        "p50 ms | p95 ms | p99 ms | max ms | server CPU s | server CPU ms/request | "
        "client CPU s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | "
        "---: |",
        *(row(measured) for measured in figures.measured),
        "",
        f"Server CPU s: the {WORKERS} gunicorn workers' user + system time while the load "
        f"generator ran (from `/proc`), and in parentheses its share of {WORKERS} cores over "
        "that time (below 100 % when the workers wait, or when other processes hold the CPUs); "
        "per request: that time over every request answered, warm-up included. Client CPU s: "
        f"the load generator's (`os.wait4`, start-up included). All share the machine's "
        f"{os.cpu_count()} CPUs. Workers' peak RSS: {workers_rss or '-'}. Connections opened in "
        f"the measured window: {connections}. With N clients sending back to back, the mean "
        "latency is N / throughput (Little's law), queueing for a free worker included.",
        "",
        target_text(settings, figures),
    ]
    if figures.errors or figures.rejected:
        statuses = "; ".join(
            f"{m.scenario.name}: {m.result['statuses']}"
            + (
                f", {m.result['events_rejected']:,} events rejected"
                if m.result["events_rejected"]
                else ""
            )
            for m in figures.measured
            if m.result["errors"] or m.result["events_rejected"]
        )
        lines += ["", f"**Failed requests** (status: count): {statuses}."]
    if figures.source_changed:
        lines += ["", f"**Warning**: {figures.source_changed}"]
    return "\n".join(lines)


def record(text: str, when: datetime) -> None:
    method = textwrap.fill(
        "Measured with `make bench-api` (`bench/api.py --record`): a generated organization in "
        "a fresh SQLite file, a mining run's results written through the ORM (no Neo4j), the "
        "API served by gunicorn on loopback and loaded from a second process "
        "(`bench/api_load.py`, standard library). Redis database 8 of its own; "
        "`sociograph.settings.local` with `DJANGO_DEBUG=false`. The machine is shared, and the "
        "load generator runs on it too: see the load average and the CPU columns.",
        width=100,
    )
    append_section(f"API benchmark, {when:%Y-%m-%d %H:%M} UTC", method, text)


# --- Command line --------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> Settings:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=TARGET_PEOPLE)
    parser.add_argument("--clients", type=int, default=TARGET_CLIENTS, help="for the reads")
    parser.add_argument("--bulk-clients", type=int, default=BULK_CLIENTS)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per scenario")
    parser.add_argument("--warmup", type=float, default=WARMUP_SECONDS, help="seconds")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--end", help="end of the generated events (default: today 00:00 UTC)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_PEOPLE:,} people, {QUICK_SECONDS:.0f} s per scenario, to check the script",
    )
    parser.add_argument(
        "--record", action="store_true", help="append the figures to docs/performance.md"
    )
    parser.add_argument("--keep", action="store_true", help="keep var/apibench (data, logs)")
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "apibench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/8")
    args = parser.parse_args(argv)
    if args.quick:
        args.people, args.duration = QUICK_PEOPLE, QUICK_SECONDS
    if args.people < 2 or args.clients < 1 or args.bulk_clients < 1 or args.duration <= 0:
        parser.error("at least 2 people, 1 client and a positive duration")
    if args.redis_url.rstrip("/").endswith(("/0", "/9", "/13", "/15")):
        parser.error("Redis databases 0, 9, 13 and 15 belong to the demo, benchmarks and tests")
    return Settings(
        people=args.people,
        clients=args.clients,
        bulk_clients=args.bulk_clients,
        duration=args.duration,
        warmup=args.warmup,
        seed=args.seed,
        end=args.end or default_end(datetime.now(UTC)),
        workdir=args.workdir.resolve(),
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
    if figures.server_log:
        print(f"\n[bench] requests failed; the server log's last lines:\n{figures.server_log}")
    if settings.record:
        record(text, started)
    return 1 if figures.errors or figures.rejected else 0


if __name__ == "__main__":
    sys.exit(main())
