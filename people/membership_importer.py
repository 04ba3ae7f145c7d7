"""`import_memberships`: membership periods (person, context, role, since, until) from a
streamed CSV. A line with the person, context and `since` of a stored period updates its role
and `until`; periods of one person in one context never overlap, in the file or the database."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from people.models import Membership, Person, parse_context_key
from people.periods import describe_period, parse_day, period_problem, periods_overlap
from people.services import ContextKey, PeriodInput, write_membership_periods
from sociograph.graph.projection import chunked
from sociograph.ingest.importing import ImportReport, SourceRow, import_transaction, readable

BATCH_SIZE = 5000
MAX_ROLE_CHARS = 100


class RowError(ValueError):
    pass


@dataclass(frozen=True)
class Known:
    """A period already stored (pk) or accepted from an earlier line of the file (line)."""

    role: str
    since: date | None
    until: date | None
    pk: int | None = None
    line: int | None = None

    def describe(self) -> str:
        where = f"line {self.line}" if self.line else "stored"
        return f"{describe_period(self.since, self.until)} ({where})"


LedgerKey = tuple[int, ContextKey]


@dataclass
class _Batch:
    new: list[PeriodInput]
    changed: dict[int, PeriodInput]
    ledger: dict[LedgerKey, list[Known]]


def _people(rows: list[dict[str, str]]) -> dict[str, int]:
    ids = {row["person"] for row in rows}
    return dict(Person.objects.filter(external_id__in=ids).values_list("external_id", "pk"))


def _ledger(person_ids: Iterable[int]) -> dict[LedgerKey, list[Known]]:
    ledger: dict[LedgerKey, list[Known]] = defaultdict(list)
    rows = Membership.objects.filter(person_id__in=set(person_ids)).values_list(
        "pk", "person_id", "context__kind", "context__name", "role", "since", "until"
    )
    for pk, person_id, kind, name, role, since, until in rows:
        ledger[person_id, (kind, name)].append(Known(role, since, until, pk=pk))
    return ledger


def parse_membership_row(values: dict[str, str], people: dict[str, int]) -> PeriodInput:
    external_id = values["person"]
    if not external_id:
        raise RowError("person: required")
    if external_id not in people:
        raise RowError(f"person: {external_id!r} is not a known person")
    try:
        context = parse_context_key(values["context"])
    except ValueError as error:
        raise RowError(f"context: {error}") from None
    try:
        since, until = parse_day("since", values["since"]), parse_day("until", values["until"])
    except ValueError as error:
        raise RowError(str(error)) from None
    if len(values["role"]) > MAX_ROLE_CHARS:
        raise RowError(f"role: longer than {MAX_ROLE_CHARS} characters")
    problem = period_problem(since, until)
    if problem:
        raise RowError(problem)
    return PeriodInput(people[external_id], context, values["role"], since, until)


def _conflict(period: PeriodInput, others: list[Known]) -> Known | None:
    for other in others:
        if other.since != period.since and periods_overlap(
            period.since, period.until, other.since, other.until
        ):
            return other
    return None


def _place(line: int, period: PeriodInput, batch: _Batch) -> bool:
    """Plan the period's write; False when it is already stored as such. RowError on overlap."""
    known = batch.ledger[period.person_id, period.context]
    same = next((other for other in known if other.since == period.since), None)
    if same is not None and (same.role, same.until) == (period.role, period.until):
        return False
    conflict = _conflict(period, known)
    if conflict is not None:
        raise RowError(
            f"since: {describe_period(period.since, period.until)} overlaps {conflict.describe()}"
        )
    entry = Known(period.role, period.since, period.until, line=line)
    if same is None:
        batch.new.append(period)
    elif same.pk is not None:
        batch.changed[same.pk] = period
    known[:] = [other for other in known if other is not same]
    known.append(replace(entry, pk=same.pk) if same is not None else entry)
    return True


FileLines = dict[tuple[int, ContextKey, date | None], int]  # (person, context, since) -> line


def _import_batch(batch_rows: list[SourceRow], report: ImportReport, lines: FileLines) -> None:
    rows = list(readable(batch_rows, report))
    people = _people([values for _, values in rows])
    batch = _Batch([], {}, _ledger(people.values()))
    for line, values in rows:
        try:
            period = parse_membership_row(values, people)
            key = (period.person_id, period.context, period.since)
            if key in lines:
                raise RowError(f"duplicate of line {lines[key]} (same person, context and since)")
            placed = _place(line, period, batch)
            lines[key] = line
        except RowError as error:
            report.reject(line, str(error))
            continue
        report.accepted += placed
        report.already_present += not placed
    write_membership_periods(batch.new, batch.changed)


def import_memberships(
    rows: Iterable[SourceRow], report: ImportReport | None = None, atomic: bool = False
) -> ImportReport:
    """Import membership periods in batches; every rejected row is reported, every good row is
    kept (with `atomic`, nothing unless no row is rejected)."""
    report = report or ImportReport()
    lines: FileLines = {}
    with import_transaction(report, atomic):
        for batch in chunked(rows, BATCH_SIZE):
            _import_batch(batch, report, lines)
    return report
