"""Intake benchmark: a generated Slack export and mbox imported end to end (parse, SQL, Neo4j).

    .venv/bin/python bench/intake.py [--people 1000] [--messages 1000000] [--mails 200000]
                                     [--seed 7] [--quick] [--record] [--keep] [--no-graph]

Everything runs on resources of its own, so the dev, test and other benchmarks' instances are
never touched: a Neo4j instance `benchintake` on port 7713 (started here, stopped at the end), a
fresh SQLite file and Redis database 3, all state under var/intakebench/ (deleted at the end
unless --keep). Each phase is a subprocess with an explicit environment; its wall time includes
process start-up, and its CPU time and peak memory are the child's rusage (os.wait4).

Phases:
  1. generate     bench/intake_data.py: org.csv, a Slack export folder, an mbox, at the full
                  sizes and at a tenth of them (--scale-divisor)
  2. small        a fresh SQLite file: import_org, import_slack and import_mail of the small
                  files (parse + SQL, no worker): peak RSS at a tenth of the input
  3. full         a fresh SQLite file and an empty graph: import_org; import_slack (parse + SQL,
                  no worker); graph_sync (Neo4j); import_mail; graph_sync; graph_reconcile
                  --no-repair must print `no drift`
Figures: records/s (records the parser yielded that the pipeline accepted or skipped by a rule)
and events stored/s per phase, peak RSS per phase, and each import's peak RSS at both sizes side
by side ("memory stays flat in the input size", measured, not assumed).
Benchmarks are not tests: this prints figures and fails only when a phase fails, a record is
rejected or drift is found.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

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
    default_end,
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
    remove_database,
    run,
    run_and_report,
    source_changed,
    source_stamp,
    tagged_line,
    usage_of,
)

GENERATOR = ROOT / "bench" / "intake_data.py"
# The code on the intake path: a change there during a run is reported with the figures.
SOURCE_FOLDERS = ("intake", "sociograph", "people", "recognition")
INSTANCE = "benchintake"
INTERNAL_DOMAIN = "example.org"  # intake_data.py's addresses; partner.example.com is external
# Peak RSS at the full size at most this much above the small size's: "flat".
FLAT_TOLERANCE = 0.25
SUMMARY = re.compile(
    r"accepted: (\d+)\s+already present: (\d+)\s+skipped: (\d+)(?: \(([^)]*)\))?\s+rejected: (\d+)"
)


@dataclass(frozen=True)
class Size:
    """One input: how many people, Slack messages and mails, generated into `folder`."""

    people: int
    messages: int
    mails: int
    folder: Path

    @property
    def org(self) -> Path:
        return self.folder / "org.csv"

    @property
    def slack(self) -> Path:
        return self.folder / "slack"

    @property
    def mbox(self) -> Path:
        return self.folder / "mail.mbox"


@dataclass(frozen=True)
class Settings:
    people: int
    messages: int
    mails: int
    scale_divisor: int
    seed: int
    end: str
    days: int
    workdir: Path
    bolt_port: int
    redis_url: str
    record: bool
    keep: bool
    graph: bool
    quick: bool

    @property
    def resources(self) -> Resources:
        return Resources(self.workdir, self.redis_url, self.bolt_port, INSTANCE)

    @property
    def full(self) -> Size:
        return Size(self.people, self.messages, self.mails, self.workdir / "data")

    @property
    def small(self) -> Size:
        divisor = self.scale_divisor
        folder = self.workdir / "data-small"
        return Size(self.people, self.messages // divisor, self.mails // divisor, folder)


@dataclass(frozen=True)
class Import:
    """An intake command's run and its summary."""

    run: Run
    accepted: int
    already_present: int
    skipped: dict[str, int]
    sqlite_kib: int  # the peak of SQLite's own heap (its page cache: up to 256 MiB by settings)

    @property
    def records(self) -> int:
        return self.accepted + self.already_present + sum(self.skipped.values())

    @property
    def without_sqlite_kib(self) -> int:
        return self.run.max_rss_kib - self.sqlite_kib


@dataclass(frozen=True)
class Sync:
    run: Run
    projected: dict[str, int]


@dataclass(frozen=True)
class Generated:
    run: Run
    counts: dict[str, int]


@dataclass
class Figures:
    generated: dict[str, Generated] = field(default_factory=dict)  # "full", "small"
    baseline: Run | None = None  # `manage.py check`: Django's own start-up
    small: dict[str, Import] = field(default_factory=dict)  # "slack", "mail"
    people: int = 0
    import_org: Run | None = None
    full: dict[str, Import] = field(default_factory=dict)
    syncs: dict[str, Sync] = field(default_factory=dict)  # after "slack", after "mail"
    reconcile: Run | None = None
    neo4j_version: str = "?"
    neo4j: Usage | None = None
    load_before: str = ""
    load_after: str = ""
    source_changed: str = ""
    commits: tuple[str, str] = ("", "")


# --- Parsing what the commands print -------------------------------------------------------------


def intake_summary(result: Run, label: str) -> Import:
    match = SUMMARY.search(result.output)
    if match is None:
        raise BenchError(f"{label}: no intake summary in its output")
    if int(match.group(5)):
        raise BenchError(f"{label}: {match.group(5)} records rejected")
    skipped = {}
    for part in (match.group(4) or "").split(", "):
        rule, _, count = part.rpartition(" ")
        if count.isdigit():
            skipped[rule] = int(count)
    memory = json.loads(tagged_line(result.output, "MEMORY"))
    return Import(result, int(match.group(1)), int(match.group(2)), skipped, memory["sqlite_kib"])


def check_no_drift(result: Run) -> None:
    if "no drift" not in result.output:
        raise BenchError(f"graph_reconcile found drift:\n{result.output}")


# --- The phases ----------------------------------------------------------------------------------


def generate(settings: Settings, env: Mapping[str, str], size: Size, label: str) -> Generated:
    command = [
        str(PY),
        str(GENERATOR),
        *("--out", str(size.folder), "--people", str(size.people)),
        *("--messages", str(size.messages), "--mails", str(size.mails)),
        *("--seed", str(settings.seed), "--end", settings.end, "--days", str(settings.days)),
    ]
    result = run(f"generate ({label})", command, env)
    return Generated(result, json.loads(tagged_line(result.output, "GENERATED")))


def import_slack(env: Mapping[str, str], size: Size, label: str) -> Import:
    """`manage.py import_slack`, run by the probe that also reads SQLite's peak heap."""
    result = run(f"import_slack ({label})", probe("intake", "import_slack", str(size.slack)), env)
    return intake_summary(result, "import_slack")


def import_mail(env: Mapping[str, str], size: Size, label: str) -> Import:
    """`manage.py import_mail --internal-domains example.org`, likewise."""
    command = probe("intake", "import_mail", str(size.mbox), "--internal-domains", INTERNAL_DOMAIN)
    return intake_summary(run(f"import_mail ({label})", command, env), "import_mail")


def import_org(env: Mapping[str, str], size: Size, label: str) -> Run:
    return run(f"import_org ({label})", manage("import_org", str(size.org)), env)


def graph_sync(env: Mapping[str, str], label: str) -> Sync:
    result = run(f"graph_sync (after {label})", manage("graph_sync"), env)
    return Sync(result, relayed(result.output))


def small_imports(settings: Settings, env: Mapping[str, str], figures: Figures) -> None:
    """Parse + SQL of the small input, on a fresh SQLite file of its own (dropped afterwards)."""
    size = settings.small
    remove_database(settings.resources)
    run("migrate", manage("migrate", "--noinput"), env)
    import_org(env, size, "small")
    figures.small["slack"] = import_slack(env, size, "small")
    figures.small["mail"] = import_mail(env, size, "small")
    flush_redis(settings.resources)  # nudges nobody consumed
    remove_database(settings.resources)


def full_imports(settings: Settings, env: Mapping[str, str], figures: Figures) -> None:
    """The full input end to end: each source parsed into SQL, then relayed to Neo4j."""
    size = settings.full
    if settings.graph:
        prepare_stores(env, wipe_graph=False)
    else:
        run("migrate", manage("migrate", "--noinput"), env)
    figures.import_org = import_org(env, size, "full")
    figures.people = accepted(figures.import_org.output, "import_org")
    figures.full["slack"] = import_slack(env, size, "full")
    flush_redis(settings.resources)
    if settings.graph:
        figures.syncs["slack"] = graph_sync(env, "import_slack")
    figures.full["mail"] = import_mail(env, size, "full")
    flush_redis(settings.resources)
    if settings.graph:
        figures.syncs["mail"] = graph_sync(env, "import_mail")
        figures.reconcile = run(
            "graph_reconcile", manage("graph_reconcile", "--no-repair"), env, check=False
        )
        check_no_drift(figures.reconcile)


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


def benchmark(settings: Settings) -> Figures:
    check_workdir(settings.workdir)
    env = bench_env(settings.resources)
    figures = Figures(load_before=load_average())
    stamp, commit = source_stamp(SOURCE_FOLDERS), head_commit()
    start(settings, env)
    try:
        if settings.graph:
            neo4j("start", env)
            version = run("neo4j version", probe("server-info"), env)
            figures.neo4j_version = version.output.strip().splitlines()[-1]
        figures.generated["full"] = generate(settings, env, settings.full, "full")
        figures.generated["small"] = generate(settings, env, settings.small, "small")
        figures.baseline = run("Django start-up", manage("check"), env)
        small_imports(settings, env, figures)
        full_imports(settings, env, figures)
        pid = neo4j_pid(settings.resources)
        figures.neo4j = usage_of(pid) if pid else None
        figures.load_after = load_average()
        figures.commits = (commit, head_commit())
        figures.source_changed = source_changed(stamp, SOURCE_FOLDERS, "the intake path")
    finally:
        clean_up(settings, env)
    return figures


# --- Reporting -----------------------------------------------------------------------------------


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}" if seconds > 0 else "-"


def input_text(size: Size, source: str) -> str:
    if source == "slack":
        return f"{size.messages:,} messages"
    return f"{size.mails:,} mails"


def row(label: str, records: int | None, events: int | None, result: Run) -> str:
    def count(value: int | None) -> str:
        return "-" if value is None else f"{value:,}"

    def per_second(value: int | None) -> str:
        return "-" if value is None else rate(value, result.seconds)

    return (
        f"| {label} | {count(records)} | {count(events)} | {result.seconds:.1f} | "
        f"{result.cpu_seconds:.1f} | {per_second(records)} | {per_second(events)} | "
        f"{mib(result.max_rss_kib)} |"
    )


def phase_rows(settings: Settings, figures: Figures) -> list[str]:
    full = settings.full
    generated = figures.generated["full"]
    assert figures.import_org is not None
    rows = [
        row(f"generate: {full.people:,} people, {full.messages:,} messages, {full.mails:,} mails "
            f"(written: records)", full.messages + full.mails, None, generated.run),
        row(f"`import_org`: {figures.people:,} people", None, figures.people, figures.import_org),
    ]  # fmt: skip
    for source, command in (("slack", "import_slack"), ("mail", "import_mail")):
        done = figures.full[source]
        label = f"`{command}` {input_text(full, source)} (parse + SQL, no worker)"
        rows.append(row(label, done.records, done.accepted, done.run))
        if source in figures.syncs:
            sync = figures.syncs[source]
            events = sync.projected.get("interaction", 0)
            rows.append(row(f"`graph_sync` after `{command}` (Neo4j)", None, events, sync.run))
    if figures.reconcile is not None:
        rows.append(row("`graph_reconcile --no-repair`: no drift", None, None, figures.reconcile))
    return rows


def growth(small_kib: int, full_kib: int) -> tuple[str, bool]:
    """How much more the full size took, and whether that is flat (within FLAT_TOLERANCE)."""
    ratio = full_kib / small_kib - 1 if small_kib else 0.0
    return f"{(full_kib - small_kib) / 1024:+,.0f} MiB ({ratio:+.0%})", ratio <= FLAT_TOLERANCE


def verdict(command: str, small: Import, full: Import, divisor: int) -> str:
    rss, rss_flat = growth(small.run.max_rss_kib, full.run.max_rss_kib)
    rest, rest_flat = growth(small.without_sqlite_kib, full.without_sqlite_kib)
    return (
        f"`{command}`, {divisor}x the input: peak RSS {rss}, "
        f"{'flat' if rss_flat else '**not flat**'}; less SQLite's heap {rest}, "
        f"{'flat' if rest_flat else '**not flat**'}."
    )


def memory_rows(settings: Settings, figures: Figures) -> list[str]:
    lines = [
        "| command | input | peak RSS | SQLite's peak heap | peak RSS less SQLite's | "
        "wall s | records/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    verdicts = []
    for source, command in (("slack", "import_slack"), ("mail", "import_mail")):
        for size, done in ((settings.small, figures.small[source]),
                           (settings.full, figures.full[source])):  # fmt: skip
            lines.append(
                f"| `{command}` | {input_text(size, source)} | {mib(done.run.max_rss_kib)} | "
                f"{mib(done.sqlite_kib)} | {mib(done.without_sqlite_kib)} | "
                f"{done.run.seconds:.1f} | {rate(done.records, done.run.seconds)} |"
            )
        verdicts.append(
            verdict(command, figures.small[source], figures.full[source], settings.scale_divisor)
        )
    return [*lines, "", " ".join(verdicts)]


def skipped_text(figures: Figures) -> str:
    parts = []
    for source, command in (("slack", "import_slack"), ("mail", "import_mail")):
        done = figures.full[source]
        rules = ", ".join(f"{rule} {count:,}" for rule, count in sorted(done.skipped.items()))
        parts.append(f"`{command}` skipped {sum(done.skipped.values()):,} ({rules})")
    return "; ".join(parts) + "."


def workload_text(settings: Settings, figures: Figures) -> str:
    counts = figures.generated["full"].counts
    small = figures.generated["small"].counts
    return (
        f"Workload: `bench/intake_data.py --people {settings.people} --messages "
        f"{settings.messages} --mails {settings.mails} --seed {settings.seed} --end "
        f"{settings.end} --days {settings.days}`: {settings.people:,} people; a Slack export of "
        f"20 channels ({counts['slack_bytes'] / 2**20:,.0f} MiB of JSON); an mbox "
        f"({counts['mbox_bytes'] / 2**20:,.0f} MiB). The small input is the same with "
        f"{settings.small.messages:,} messages ({small['slack_bytes'] / 2**20:,.0f} MiB) and "
        f"{settings.small.mails:,} mails ({small['mbox_bytes'] / 2**20:,.0f} MiB), imported into "
        "a fresh SQLite file of its own (parse + SQL only). Records: what the parser yielded and "
        "the pipeline accepted (one per edge) or skipped by a rule (a message that addresses "
        "no one, a bot, a join, an auto-reply...); events: interactions stored (imports) or "
        "projected (graph_sync)."
    )


def neo4j_text(figures: Figures) -> str:
    if figures.neo4j is None:
        return "No Neo4j phase ran (`--no-graph`)."
    others = {}
    for sync in figures.syncs.values():
        for name, count in sync.projected.items():
            if name != "interaction":
                others[name] = others.get(name, 0) + count
    projected = ", ".join(f"{name} {count:,}" for name, count in sorted(others.items()))
    return (
        f"`graph_sync` also projected {projected}. Neo4j used {figures.neo4j.cpu_seconds:.0f} "
        f"CPU s over the whole run, peak RSS {mib(figures.neo4j.max_rss_kib)}; the CPU s above "
        "are the commands' only."
    )


def neo4j_server(settings: Settings, figures: Figures) -> str:
    if not settings.graph:
        return "; no Neo4j (`--no-graph`)"
    return f"; Neo4j {figures.neo4j_version} (heap {NEO4J_HEAP}, page cache {NEO4J_PAGECACHE})"


def summary(settings: Settings, figures: Figures) -> str:
    assert figures.baseline is not None
    lines = [
        f"Machine: {machine()}{neo4j_server(settings, figures)}. Commit "
        f"{commit_text(figures.commits)}. Load average (1, 5, 15 min) {figures.load_before} "
        f"before the run, {figures.load_after} after it.",
        "",
        workload_text(settings, figures),
        "",
        "| phase | records | events | wall s | CPU s | records/s | events/s | peak RSS |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *phase_rows(settings, figures),
        "",
        f"Memory in the input size (Django's own start-up, `manage.py check`: "
        f"{mib(figures.baseline.max_rss_kib)}; flat: at most {FLAT_TOLERANCE:.0%} more at the "
        "full size). SQLite's peak heap is `sqlite3_memory_highwater`, mostly its page cache, "
        "which `sociograph.settings` lets grow to 256 MiB (`PRAGMA cache_size=-262144`) as the "
        "database grows; the small imports start from an empty database, the full `import_mail` "
        "from one that already holds the Slack events:",
        "",
        *memory_rows(settings, figures),
        "",
        skipped_text(figures) + " " + neo4j_text(figures),
    ]
    if figures.source_changed:
        lines += ["", f"**Warning**: {figures.source_changed}"]
    return "\n".join(lines)


def record(settings: Settings, text: str, when: datetime) -> None:
    command = "`make bench-intake` (`bench/intake.py --record`)"
    graph = f"Neo4j instance (port {settings.bolt_port})"
    if not settings.graph:
        command, graph = "`bench/intake.py --no-graph --record`", "no Neo4j"
    method = textwrap.fill(
        f"Measured with {command}: each phase is a subprocess timed by wall clock from spawn to "
        "exit (Python and Django start-up included); CPU s and peak RSS are the child's "
        "`ru_utime + ru_stime` and `ru_maxrss` from `os.wait4`. A SQLite file and Redis "
        f"database of its own, {graph}, no worker (the imports' nudges are dropped; "
        "`graph_sync` relays the outbox); `sociograph.settings.local` with `DJANGO_DEBUG=false`. "
        "The machine is shared: see the load average.",
        width=100,
    )
    title = f"Intake benchmark, {when:%Y-%m-%d %H:%M} UTC"
    title += " (--quick)" if settings.quick else ""
    title += " (--no-graph: parse + SQL only)" if not settings.graph else ""
    append_section(title, method, text)


# --- Command line --------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> Settings:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=1_000)
    parser.add_argument("--messages", type=int, default=1_000_000, help="Slack messages")
    parser.add_argument("--mails", type=int, default=200_000, help="messages in the mbox")
    parser.add_argument(
        "--scale-divisor", type=int, default=10, help="the small input: the sizes divided by it"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--end", help="end of the generated days (default: today 00:00 UTC)")
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument(
        "--quick", action="store_true", help="100,000 messages, 20,000 mails: to check the script"
    )
    parser.add_argument(
        "--record", action="store_true", help="append the figures to docs/performance.md"
    )
    parser.add_argument("--keep", action="store_true", help="keep the workdir (data, logs)")
    parser.add_argument(
        "--no-graph", action="store_true", help="parse + SQL only: no Neo4j, no graph_sync"
    )
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "intakebench")
    parser.add_argument("--bolt-port", type=int, default=7713)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3")
    args = parser.parse_args(argv)
    if args.quick:
        args.messages, args.mails = 100_000, 20_000
    refuse_shared_stores(parser, args.bolt_port, args.redis_url)
    return Settings(
        people=args.people,
        messages=args.messages,
        mails=args.mails,
        scale_divisor=args.scale_divisor,
        seed=args.seed,
        end=args.end or default_end(datetime.now(UTC)),
        days=args.days,
        workdir=args.workdir.resolve(),
        bolt_port=args.bolt_port,
        redis_url=args.redis_url,
        record=args.record,
        keep=args.keep,
        graph=not args.no_graph,
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
