"""The benchmarks' probes: code that runs inside Django, in a process of its own, with the
benchmark's environment (harness.bench_env). The benchmarks run it as a script:

    .venv/bin/python bench/probes.py server-info
    .venv/bin/python bench/probes.py poll-outbox --give-up 600 --stall 3 --poll 0.5
    .venv/bin/python bench/probes.py mine --window-days 90
    .venv/bin/python bench/probes.py run-info
    .venv/bin/python bench/probes.py seed-results --seed 7 --end ... --window-days 90 --targets ...
    .venv/bin/python bench/probes.py intake import_slack EXPORT [options of the command]
    .venv/bin/python bench/probes.py backtest departure --until ... [options of the command]

Each prints its result on a tagged line (`RUN {...}`, `PEAKS {...}`, `SEEDED {...}`,
`MEMORY {...}`, `BACKTEST {...}`) or, for
server-info and the poller, as described below.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import random
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from harness import ROOT, high_water_kib, reset_high_water

# bench/api.py's synthetic mining results: the person metrics as a mining run stores them
# (docs/analytics.md), one of each per person, and the org metrics. The context metrics are the
# contexts family's own.
PERSON_METRICS = (
    "in_degree",
    "out_degree",
    "reciprocity",
    "betweenness",
    "constraint",
    "partner_entropy",
    "burstiness",
    "recognition_received",
    "recognition_given",
    "affect_exposure",
    "leader_count",
)
ORG_METRICS = (
    "people",
    "reciprocity",
    "ei_index",
    "recognition_gini",
    "never_recognized_share",
    "modularity_of_teams",
    "viability",
    "agility",
    "wellbeing",
)


def server_info() -> None:
    """Neo4j's version and edition, on one line."""
    from sociograph.graph.services import server_info as info_of

    info = info_of()
    print(info["version"], info["edition"])


def poll_outbox(give_up: float, stall: float, poll: float) -> int:
    """bench/ingest.py's end-to-end poller: prints "waiting", waits for a line on stdin, then
    polls the outbox until it is empty and prints how many stalls it had to nudge ("empty
    nudges=N"). The outbox unchanged for `stall` s while no relay holds the lock is a lost
    wake-up, which the beat sweep (not running here) would catch: it nudges the relay once."""
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
        elif now - progress > give_up:
            print(f"stuck pending={pending}", flush=True)
            return 1
        elif now - max(progress, nudged) > stall and not redis.exists(relay.LOCK_NAME):
            relay_outbox.apply_async()
            nudges, nudged = nudges + 1, now
        time.sleep(poll)
    print(f"empty nudges={nudges}", flush=True)
    return 0


def mine(window_days: int) -> None:
    """`manage.py mine --sync --window-days N` through call_command, recording each step's peak
    RSS: VmHWM is reset before the step (/proc/self/clear_refs, 5) and read after. The reset also
    lowers what the kernel reports as the process's ru_maxrss at exit, so this prints the highest
    value it saw overall."""
    from django.core.management import call_command

    from analytics import services

    peaks: dict[str, int] = {}
    overall = [0]
    step = services._run_step

    def measured(run: Any, family: Any, window: Any) -> Any:
        overall[0] = max(overall[0], high_water_kib())
        reset_high_water()
        try:
            return step(run, family, window)
        finally:
            peaks[family.name] = high_water_kib()
            overall[0] = max(overall[0], peaks[family.name])

    services._run_step = measured  # type: ignore[assignment]
    call_command("mine", "--sync", "--window-days", str(window_days))
    print("PEAKS " + json.dumps({"steps": peaks, "overall": max(overall[0], high_water_kib())}))


def run_info() -> None:
    """The latest mining run, as JSON on a `RUN` line."""
    from analytics.models import MiningRun

    run = MiningRun.objects.latest("pk")
    info = {
        "id": run.pk,
        "status": run.status,
        "error": run.error,
        "start": int(run.window_start.timestamp()),
        "end": int(run.window_end.timestamp()),
        "params": run.params,
        "steps": run.steps,
        "graph_size": run.graph_size,
    }
    print("RUN", json.dumps(info))


def seed_results(seed: int, end_text: str, window_days: int, targets_file: Path) -> None:
    """bench/api.py's mining results: one succeeded run with a value for every metric above
    (random but plausible; `size` is the context's real number of active members), then the
    targets of the load generator, written to `targets_file`: every person's uuid, external_id and
    a context of theirs (a team when they have one), the run and how many metric rows an HR admin
    sees in it. Prints the counts on a `SEEDED` line."""
    from django.db import transaction
    from django.db.models import Count, Q
    from django.utils import timezone

    from analytics.models import ContextMetric, MiningRun, OrgMetric, PersonMetric, RunStatus
    from analytics.patterns.contexts import FAMILY as CONTEXTS
    from people.models import Context, Membership, Person

    rng = random.Random(seed)  # noqa: S311 - synthetic values, not secrets
    end = datetime.fromisoformat(end_text)
    person_values: dict[str, Callable[[], float]] = {
        "in_degree": lambda: rng.randint(0, 40),
        "out_degree": lambda: rng.randint(0, 40),
        "reciprocity": lambda: rng.random(),
        "betweenness": lambda: rng.expovariate(2000.0),
        "constraint": lambda: rng.uniform(0.05, 1.0),
        "partner_entropy": lambda: rng.random(),
        "burstiness": lambda: rng.uniform(-0.3, 0.6),
        "recognition_received": lambda: rng.randint(0, 12),
        "recognition_given": lambda: rng.randint(0, 12),
        "affect_exposure": lambda: max(-1.0, min(1.0, rng.gauss(0.1, 0.25))),
        "leader_count": lambda: rng.randint(0, 4),
    }
    assert tuple(person_values) == PERSON_METRICS
    now = timezone.now()
    with transaction.atomic():
        run = MiningRun.objects.create(
            status=RunStatus.SUCCEEDED,
            params={"window_days": window_days, "source": "bench/api.py: synthetic values"},
            window_start=end - timedelta(days=window_days),
            window_end=end,
            started_at=now,
            finished_at=now,
        )
        people = list(Person.objects.order_by("external_id").values_list("pk", flat=True))
        PersonMetric.objects.bulk_create(
            (
                PersonMetric(run=run, person_id=pk, metric=name, value=value())
                for pk in people
                for name, value in person_values.items()
            ),
            batch_size=5000,
        )
        sizes = Context.objects.annotate(
            members=Count("memberships", filter=Q(memberships__person__is_active=True))
        ).values_list("pk", "members")
        ContextMetric.objects.bulk_create(
            ContextMetric(
                run=run,
                context_id=pk,
                metric=name,
                value=members if name == "size" else rng.random(),
            )
            for pk, members in sizes
            for name in CONTEXTS.context_metrics
        )
        OrgMetric.objects.bulk_create(
            OrgMetric(run=run, metric=name, value=len(people) if name == "people" else rng.random())
            for name in ORG_METRICS
        )
    context_of: dict[int, str] = {}
    memberships = Membership.objects.order_by("person_id", "context__kind", "pk")
    for person, kind, name in memberships.values_list(
        "person_id", "context__kind", "context__name"
    ):
        if person not in context_of or (
            kind == "team" and not context_of[person].startswith("team:")
        ):
            context_of[person] = f"{kind}:{name}"
    targets = {
        "run": run.pk,
        "end": end.isoformat(),
        "people": [
            [str(uuid), external_id, context_of.get(pk, "")]
            for pk, uuid, external_id in Person.objects.order_by("external_id").values_list(
                "pk", "uuid", "external_id"
            )
        ],
        "metric_rows": run.person_metrics.filter(person__analytics_opt_out=False).count()
        + run.context_metrics.count()
        + run.org_metrics.count(),
    }
    with open(targets_file, "w") as handle:
        json.dump(targets, handle)
    counts = {
        "run": run.pk,
        "person_metrics": run.person_metrics.count(),
        "context_metrics": run.context_metrics.count(),
        "org_metrics": run.org_metrics.count(),
        "metric_rows": targets["metric_rows"],
    }
    print("SEEDED " + json.dumps(counts))


def sqlite_high_water_kib() -> int:
    """The most memory SQLite's own allocator held at once in this process (its page caches
    included): sqlite3_memory_highwater of the library the standard library's sqlite3 module is
    linked to (Debian's libsqlite3.so.0, already loaded, so the same counters)."""
    library = ctypes.CDLL("libsqlite3.so.0")
    library.sqlite3_memory_highwater.restype = ctypes.c_int64
    library.sqlite3_memory_highwater.argtypes = [ctypes.c_int]
    return library.sqlite3_memory_highwater(0) // 1024


def intake(command: str, args: list[str]) -> None:
    """bench/intake.py's imports: an intake command through call_command, as manage.py runs it,
    then this process's peak RSS and SQLite's peak heap on a `MEMORY` line (a rejection raises
    CommandError, which fails the probe)."""
    from django.core.management import call_command

    call_command(command, *args)
    peaks = {"rss_kib": high_water_kib(), "sqlite_kib": sqlite_high_water_kib()}
    print("MEMORY " + json.dumps(peaks))


class Phases:
    """Wall seconds and peak RSS of named phases of one process: VmHWM is reset before each
    phase and read after it (the reset lowers the process's ru_maxrss too, so `overall` keeps
    the highest value seen)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.peak_kib: dict[str, int] = {}
        self.overall_kib = 0

    def timed(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def measured(*args: Any, **kwargs: Any) -> Any:
            self.overall_kib = max(self.overall_kib, high_water_kib())
            reset_high_water()
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started
                self.peak_kib[name] = max(self.peak_kib.get(name, 0), high_water_kib())
                self.overall_kib = max(self.overall_kib, self.peak_kib[name])

        return measured


def backtest(outcome: str, args: list[str]) -> None:
    """bench/backtest.py's backtests: `manage.py backtest ... --json` through call_command, with
    the wall seconds and peak RSS of its phases: mining the missing snapshots
    (outcomes.snapshots.ensure_snapshots), building the rows (SQL reads), the engine (fits and
    bootstrap); the design's size and how many snapshots were mined, on a `BACKTEST` line."""
    from io import StringIO

    from django.core.management import call_command

    from outcomes import backtest as service
    from outcomes import snapshots

    phases, mined, design = Phases(), [0], {}
    mine_snapshot, design_of = snapshots.mine_snapshot, service.design_of

    def counted_mine(*args: Any) -> Any:
        mined[0] += 1
        return mine_snapshot(*args)

    def measured_design(*args: Any) -> Any:
        found = design_of(*args)
        design.update(rows=len(found.target), columns=len(found.columns))
        return found

    snapshots.mine_snapshot = counted_mine  # type: ignore[assignment]
    snapshots.ensure_snapshots = phases.timed("snapshots", snapshots.ensure_snapshots)  # type: ignore[assignment]
    service.person_rows = phases.timed("rows", service.person_rows)  # type: ignore[assignment]
    service.team_rows = phases.timed("rows", service.team_rows)  # type: ignore[assignment]
    service.design_of = measured_design  # type: ignore[assignment]
    service.backtest = phases.timed("engine", service.backtest)  # type: ignore[assignment]
    out = StringIO()
    call_command("backtest", "--outcome", outcome, *args, "--json", stdout=out)
    result = json.loads(out.getvalue())
    figures = {
        "seconds": phases.seconds,
        "peak_kib": phases.peak_kib,
        "overall_kib": max(phases.overall_kib, high_water_kib()),
        "mined": mined[0],
        "snapshots": len(result["parameters"]["snapshot_runs"]),
        "design": design,
        "tested_rows": result["results"][0]["n"],
        "n_people": result["n_people"],
        "n_events": result["n_events"],
        "models": len(result["results"]),
        "folds": result["parameters"]["folds"],
    }
    print("RESULT " + json.dumps(result))
    print("BACKTEST " + json.dumps(figures))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    probes = parser.add_subparsers(dest="probe", required=True)
    probes.add_parser("server-info", help="Neo4j's version and edition")
    poller = probes.add_parser("poll-outbox", help="bench/ingest.py's end-to-end poller")
    poller.add_argument("--give-up", type=float, required=True)
    poller.add_argument("--stall", type=float, required=True)
    poller.add_argument("--poll", type=float, required=True)
    miner = probes.add_parser("mine", help="mine --sync, with each step's peak RSS")
    miner.add_argument("--window-days", type=int, required=True)
    probes.add_parser("run-info", help="the latest mining run")
    seeder = probes.add_parser("seed-results", help="bench/api.py's synthetic mining results")
    seeder.add_argument("--seed", type=int, required=True)
    seeder.add_argument("--end", required=True)
    seeder.add_argument("--window-days", type=int, required=True)
    seeder.add_argument("--targets", type=Path, required=True)
    importer = probes.add_parser("intake", help="bench/intake.py's imports, with SQLite's peak")
    importer.add_argument("command", choices=["import_org", "import_slack", "import_mail"])
    importer.add_argument("args", nargs=argparse.REMAINDER)
    tester = probes.add_parser("backtest", help="bench/backtest.py's backtests, per phase")
    tester.add_argument("outcome")
    tester.add_argument("args", nargs=argparse.REMAINDER)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # The project's packages, not bench/'s scripts (sys.path[0] is this script's folder).
    sys.path[0] = str(ROOT)
    import django

    django.setup()
    if args.probe == "server-info":
        server_info()
    elif args.probe == "poll-outbox":
        return poll_outbox(args.give_up, args.stall, args.poll)
    elif args.probe == "mine":
        mine(args.window_days)
    elif args.probe == "run-info":
        run_info()
    elif args.probe == "seed-results":
        seed_results(args.seed, args.end, args.window_days, args.targets)
    elif args.probe == "intake":
        intake(args.command, args.args)
    elif args.probe == "backtest":
        backtest(args.outcome, args.args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
