"""Load generator of the API benchmark (bench/api.py runs it): one scenario, N clients.

    python bench/api_load.py --port PORT --targets targets.json --scenario person_detail
                             [--clients 32] [--warmup 3] [--duration 20] [--seed 7]

Standard library only, so that it measures the server and not a client library: each client is a
thread with its own `http.client` connection, kept alive when the server allows it (gunicorn's
sync workers close every connection, so then each request opens a new one; the count is printed).
The clients send requests back to back for `--warmup` seconds (not recorded), then for
`--duration` seconds; every request started in that window is recorded with its latency (from
just before the request is written until its whole body is read) and its status. Connection
failures count as status 0. The token comes from the environment (APIBENCH_TOKEN).

Prints one JSON object: requests (and those of the warm-up), statuses, errors (any non-2xx)
with a few sample bodies, percentiles (nearest rank, over every recorded request, errors
included), the window's length, and for bulk creation the events accepted and rejected.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

BULK_EVENTS = 1_000
PEOPLE_PAGE, METRICS_PAGE = 50, 100
ERROR_SAMPLES = 3
TIMEOUT_SECONDS = 120.0
# Bulk events fall in the 30 days before the generated data's end (never in the future).
BULK_SPREAD_SECONDS = 30 * 24 * 3600
CHANNELS = ("chat", "email", "meeting", "call")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None = None
    events: int = 0  # events in a bulk body


@dataclass
class Client:
    latencies: list[float] = field(default_factory=list)  # seconds, recorded requests only
    statuses: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)  # sample bodies of non-2xx answers
    last_end: float = 0.0
    warmup: int = 0  # requests answered during the warm-up
    connections: int = 0
    accepted: int = 0
    rejected: int = 0


Builder = Callable[[random.Random, int, int], Request]


def builders(targets: dict[str, Any]) -> dict[str, Builder]:
    people: list[list[str]] = targets["people"]  # [uuid, external_id, context key or ""]
    run, metric_rows = targets["run"], targets["metric_rows"]
    end = datetime.fromisoformat(targets["end"])
    pid = os.getpid()

    def people_list(rng: random.Random, client: int, seq: int) -> Request:
        offset = rng.randrange(max(1, len(people) - PEOPLE_PAGE + 1))
        return Request("GET", f"/api/v1/people/?limit={PEOPLE_PAGE}&offset={offset}")

    def person_detail(rng: random.Random, client: int, seq: int) -> Request:
        return Request("GET", f"/api/v1/people/{rng.choice(people)[0]}/")

    def person_metrics(rng: random.Random, client: int, seq: int) -> Request:
        subject = rng.choice(people)[1]
        return Request("GET", f"/api/v1/runs/{run}/metrics/?scope=person&subject={subject}")

    def metrics_page(rng: random.Random, client: int, seq: int) -> Request:
        offset = rng.randrange(max(1, metric_rows - METRICS_PAGE + 1))
        return Request("GET", f"/api/v1/runs/{run}/metrics/?limit={METRICS_PAGE}&offset={offset}")

    def bulk_events(rng: random.Random, client: int, seq: int) -> Request:
        events = []
        for index in range(BULK_EVENTS):
            source, target = rng.sample(people, 2)
            at = end - timedelta(seconds=rng.randrange(1, BULK_SPREAD_SECONDS))
            events.append(
                {
                    "kind": "interaction",
                    "source": source[1],
                    "target": target[1],
                    "context": source[2],
                    "at": at.isoformat(),
                    "weight": 1,
                    "channel": rng.choice(CHANNELS),
                    "event_id": f"apibench-{pid}-{client}-{seq}-{index}",
                }
            )
        body = json.dumps({"events": events}).encode()
        return Request("POST", "/api/v1/events/bulk/", body, events=BULK_EVENTS)

    return {
        "people_list": people_list,
        "person_detail": person_detail,
        "person_metrics": person_metrics,
        "metrics_page": metrics_page,
        "bulk_events": bulk_events,
    }


def percentile(ordered: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least `share` of the values at or below it."""
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def client_loop(
    number: int,
    build: Builder,
    port: int,
    token: str,
    seed: int,
    start: threading.Barrier,
    window: list[float],  # [recording starts, recording ends], set once every client is ready
    out: Client,
    pace: float = 0.0,  # requests per second of this client; 0: back to back (closed loop)
) -> None:
    rng = random.Random(f"{seed}-{number}")  # noqa: S311 - request mix, not security
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_SECONDS)
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
    post_headers = {**headers, "Content-Type": "application/json"}
    start.wait()
    seq = 0
    # Paced clients start spread over one period, so the offered load is even.
    first = time.perf_counter() + (rng.random() / pace if pace else 0.0)
    try:
        while True:
            request = build(rng, number, seq)
            due = first + seq / pace if pace else 0.0
            seq += 1
            new_connection = connection.sock is None
            if pace:
                time.sleep(max(0.0, due - time.perf_counter()))
            # Open loop: latency counts from when the request was due, so a slow server's
            # queueing shows in the figures instead of quietly lowering the load.
            began = due if pace else time.perf_counter()
            if began >= window[1]:
                break
            status, body = 0, b""
            try:
                connection.request(
                    request.method,
                    request.path,
                    body=request.body,
                    headers=post_headers if request.body is not None else headers,
                )
                response = connection.getresponse()
                body = response.read()
                status = response.status
                if response.will_close:
                    connection.close()
            except (OSError, http.client.HTTPException) as error:
                body = f"{type(error).__name__}: {error}".encode()
                connection.close()
            ended = time.perf_counter()
            if began < window[0]:
                out.warmup += 1
                continue
            out.latencies.append(ended - began)
            out.connections += new_connection
            out.statuses[status] += 1
            out.last_end = max(out.last_end, ended)
            if not 200 <= status < 300:
                if len(out.errors) < ERROR_SAMPLES:
                    out.errors.append(
                        f"{request.method} {request.path} -> {status}: {body[:500]!r}"
                    )
            elif request.events:
                report = json.loads(body)
                out.accepted += int(report["accepted"])
                out.rejected += int(report["rejected"])
                if report["rejected"] and len(out.errors) < ERROR_SAMPLES:
                    out.errors.append(f"rejected events: {report['rejections'][:3]}")
    finally:
        connection.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--targets", type=Path, required=True)
    parser.add_argument("--scenario", required=True)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--pace", type=float, default=0.0, help="requests/s per client (default: back to back)"
    )
    args = parser.parse_args(argv)
    token = os.environ.get("APIBENCH_TOKEN", "")
    if not token:
        parser.error("APIBENCH_TOKEN is not set")
    scenarios = builders(json.loads(args.targets.read_text()))
    if args.scenario not in scenarios:
        parser.error(f"--scenario: one of {', '.join(scenarios)}")
    clients = [Client() for _ in range(args.clients)]
    start = threading.Barrier(args.clients + 1)
    window = [math.inf, math.inf]
    threads = [
        threading.Thread(
            target=client_loop,
            args=(
                *(n, scenarios[args.scenario], args.port, token, args.seed),
                *(start, window, c, args.pace),
            ),
            daemon=True,
        )
        for n, c in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    window[0], window[1] = began + args.warmup, began + args.warmup + args.duration
    start.wait()
    for thread in threads:
        thread.join()
    latencies = sorted(value for client in clients for value in client.latencies)
    statuses: Counter[int] = sum((client.statuses for client in clients), Counter())
    last_end = max((client.last_end for client in clients), default=window[1])
    result = {
        "scenario": args.scenario,
        "clients": args.clients,
        "pace": args.pace,
        "requests": len(latencies),
        "warmup_requests": sum(client.warmup for client in clients),
        "seconds": max(last_end, window[1]) - window[0],
        "statuses": {str(code): count for code, count in sorted(statuses.items())},
        "errors": sum(count for code, count in statuses.items() if not 200 <= code < 300),
        "error_samples": [sample for client in clients for sample in client.errors][:10],
        "connections": sum(client.connections for client in clients),
        "p50": percentile(latencies, 0.50),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "max": latencies[-1] if latencies else 0.0,
        "events_accepted": sum(client.accepted for client in clients),
        "events_rejected": sum(client.rejected for client in clients),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
