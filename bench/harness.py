"""What the benchmarks share (bench/ingest.py, bench/mining.py, bench/api.py): the checkout's
paths, each benchmark's resources and the explicit environment built from them, running a
command as a timed subprocess (wall time, and the child's CPU time and peak memory from
os.wait4), a live process's usage from /proc, stopping a process, parsing what the commands
print, the machine and commit a run was measured on, and appending figures to
docs/performance.md.

Code that runs inside Django (the benchmarks' probes) is in bench/probes.py, run as a script
(`probe(...)` builds its command line); no Python code is passed around in strings.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"
CELERY = ROOT / ".venv" / "bin" / "celery"
MANAGE = str(ROOT / "manage.py")
PROBES = ROOT / "bench" / "probes.py"
NEO4J = str(ROOT / "platform" / "bin" / "neo4j")
REDIS = str(ROOT / "platform" / "bin" / "redis")
PERFORMANCE_DOC = ROOT / "docs" / "performance.md"
NEO4J_HEAP, NEO4J_PAGECACHE = "2g", "1g"  # the launcher's defaults, stated
WORKER_STOP_SECONDS = 30.0


@dataclass(frozen=True)
class Resources:
    """What a benchmark runs on, of its own: a folder (SQLite file, logs, Neo4j store), a Redis
    database, and a Neo4j instance (its name and bolt port; port 1 when it uses none)."""

    workdir: Path
    redis_url: str
    bolt_port: int = 1
    instance: str = "bench"

    @property
    def database_file(self) -> Path:
        return self.workdir / "bench.sqlite3"


class BenchError(RuntimeError):
    pass


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


def bench_env(resources: Resources) -> dict[str, str]:
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
        DATABASE_URL=f"sqlite:///{resources.database_file}",
        NEO4J_INSTANCE=resources.instance,
        NEO4J_BOLT_PORT=str(resources.bolt_port),
        NEO4J_URI=f"bolt://127.0.0.1:{resources.bolt_port}",
        NEO4J_USER="neo4j",
        NEO4J_PASSWORD="sociograph-local",  # noqa: S106 - a throw-away local instance
        NEO4J_DATABASE="neo4j",
        NEO4J_HEAP=NEO4J_HEAP,
        NEO4J_PAGECACHE=NEO4J_PAGECACHE,
        REDIS_URL=resources.redis_url,
        CELERY_BROKER_URL=resources.redis_url,
        CELERY_RESULT_BACKEND=resources.redis_url,
        SOCIOGRAPH_VAR_DIR=str(resources.workdir),
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


def probe(*args: str) -> list[str]:
    """The command line of one of bench/probes.py's probes (run with a benchmark's environment)."""
    return [str(PY), str(PROBES), *args]


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


def high_water_kib() -> int:
    """This process's peak resident set size (VmHWM) since it started or was last reset."""
    status = Path("/proc/self/status").read_text()
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) if match else 0


def reset_high_water() -> None:
    """Start VmHWM again from the current RSS (Linux: /proc/self/clear_refs, value 5)."""
    Path("/proc/self/clear_refs").write_text("5")


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


def neo4j(command: str, env: Mapping[str, str]) -> Run:
    """`platform/bin/neo4j <command>` on the environment's instance (NEO4J_INSTANCE)."""
    return run(f"neo4j ({env['NEO4J_INSTANCE']}) {command}", [NEO4J, command], env)


def neo4j_pid(resources: Resources) -> int | None:
    """The pid of the benchmark's Neo4j server (None when it does not run)."""
    pidfile = resources.workdir / "run" / f"neo4j-{resources.instance}.pid"
    try:
        return int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None


def flush_redis(resources: Resources) -> None:
    subprocess.run(  # noqa: S603 - fixed command
        ["redis-cli", "-u", resources.redis_url, "flushdb"],  # noqa: S607 - Debian's redis-cli
        check=True,
        stdout=subprocess.DEVNULL,
    )


def remove_database(resources: Resources) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{resources.database_file}{suffix}").unlink(missing_ok=True)


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


def count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def tagged_line(output: str, tag: str) -> str:
    """The rest of the last line of `output` that starts with `tag` and a space."""
    for line in reversed(output.splitlines()):
        if line.startswith(f"{tag} "):
            return line.removeprefix(f"{tag} ")
    raise BenchError(f"no {tag} line in the output:\n{output[-2000:]}")


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


def check_workdir(workdir: Path) -> None:
    """Every benchmark deletes its folder: never the checkout, var/ or a folder above them."""
    if workdir in (ROOT, ROOT / "var") or workdir in ROOT.parents:
        raise BenchError(f"{workdir} would be wiped: pick a folder of its own")


def mib(kib: int) -> str:
    return f"{kib / 1024:,.0f} MiB"


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


def git_dirs() -> tuple[Path, Path]:
    """The checkout's git folder (HEAD) and the repository's (refs): the same folder, except in
    a worktree, whose `.git` file names its folder, which names the repository's (commondir)."""
    git = ROOT / ".git"
    if not git.is_file():
        return git, git
    own = Path(git.read_text().strip().removeprefix("gitdir: "))
    common = own / "commondir"
    return own, (own / common.read_text().strip()).resolve() if common.exists() else own


def head_commit() -> str:
    """The checked-out commit, read from .git (uncommitted changes are not visible here)."""
    try:
        own, git = git_dirs()
        head = (own / "HEAD").read_text().strip()
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


def source_stamp(folders: tuple[str, ...]) -> tuple[float, str]:
    """The newest Python source under `folders` (each benchmark's code path): to tell when the
    code changed during a run."""
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


def default_end(now: datetime) -> str:
    """The start of the current UTC day: before now, and the same all day (same files)."""
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0).isoformat()


def refuse_shared_stores(parser: argparse.ArgumentParser, bolt_port: int, redis_url: str) -> None:
    """A benchmark wipes its stores: never the dev or test Neo4j instance or Redis database."""
    if bolt_port in (7687, 7688) or redis_url.rstrip("/").endswith(("/0", "/15")):
        parser.error("the dev and test Neo4j instances and Redis databases are not for benchmarks")


Figures = TypeVar("Figures")


def run_and_report(
    measure: Callable[[], Figures],
    summarize: Callable[[Figures], str],
    record: Callable[[str, datetime], None] | None,
) -> Figures | None:
    """A benchmark's run: measure, print the summary, record it when asked (`record` gets the
    summary and the start time). None, with the reason on stderr, when it failed."""
    started = datetime.now(UTC)
    try:
        figures = measure()
    except BenchError as error:
        print(f"[bench] FAILED: {error}", file=sys.stderr)
        return None
    text = summarize(figures)
    print(f"\n{text}")
    if record is not None:
        record(text, started)
    return figures
