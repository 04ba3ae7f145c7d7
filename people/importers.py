"""`import_org`: people, their formal managers, employment dates and contexts, from a streamed
CSV. Listed contexts become membership periods as of the import date (people.services)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from people.models import Person, parse_context_key
from people.periods import dates_problem, parse_day
from people.services import (
    MembershipSync,
    PersonInput,
    leave_absent_people,
    set_managers,
    today,
    upsert_people,
)
from sociograph.graph.projection import chunked
from sociograph.ingest.importing import ImportReport, SourceRow, import_transaction, readable
from sociograph.ingest.text import external_id_problem

BATCH_SIZE = 2000


class RowError(ValueError):
    pass


StoredDates = dict[str, tuple[date | None, date | None]]  # external_id -> joined_on, left_on


@dataclass(frozen=True)
class ManagerLink:
    line: int
    external_id: str
    manager_external_id: str


@dataclass(frozen=True)
class OrgImportOptions:
    as_of: date | None = None  # the import date; today when None
    end_missing: bool = False  # end periods in force in contexts a listed person no longer has
    leave_missing: bool = False  # people absent from the file leave on the import date


@dataclass
class _Progress:
    links: list[ManagerLink] = field(default_factory=list)
    listed: set[str] = field(default_factory=set)  # every external_id read, rejected rows too
    unreadable: bool = False


def _employment_dates(values: dict[str, str]) -> tuple[date | None, date | None]:
    try:
        joined_on = parse_day("joined_on", values.get("joined_on", ""))
        left_on = parse_day("left_on", values.get("left_on", ""))
    except ValueError as error:
        raise RowError(str(error)) from None
    problem = dates_problem(joined_on, left_on)
    if problem:
        raise RowError(problem)
    return joined_on, left_on


def parse_person_row(values: dict[str, str]) -> PersonInput:
    external_id = values["external_id"]
    if not external_id:
        raise RowError("external_id: required")
    problem = external_id_problem(external_id)
    if problem:
        raise RowError(f"external_id: {problem}")
    name = values["name"]
    if not name:
        raise RowError("name: required")
    for column, limit in (("name", 200), ("title", 200), ("email", 254)):
        if len(values[column]) > limit:
            raise RowError(f"{column}: longer than {limit} characters")
    email = values["email"]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise RowError(f"email: {email!r} is not an email address") from None
    contexts = []
    for text in filter(None, (part.strip() for part in values["contexts"].split(";"))):
        try:
            contexts.append(parse_context_key(text))
        except ValueError as error:
            raise RowError(f"contexts: {error}") from None
    if values["manager_external_id"] == external_id:
        raise RowError("manager_external_id: a person cannot be their own manager")
    joined_on, left_on = _employment_dates(values)
    return PersonInput(
        external_id,
        name,
        email,
        values["title"],
        tuple(dict.fromkeys(contexts)),
        joined_on=joined_on,
        left_on=left_on,
    )


def _stored_dates_problem(data: PersonInput, stored: StoredDates) -> str | None:
    """The file's dates merged with those stored (a date not given keeps the stored one)."""
    if data.external_id not in stored:
        return None
    joined_on, left_on = stored[data.external_id]
    problem = dates_problem(data.joined_on or joined_on, data.left_on or left_on)
    return f"{problem} (one of them stored)" if problem else None


def _stored_dates(inputs: dict[str, PersonInput]) -> StoredDates:
    dated = [key for key, data in inputs.items() if data.joined_on or data.left_on]
    rows = Person.objects.filter(external_id__in=dated).values_list(
        "external_id", "joined_on", "left_on"
    )
    return {external_id: (joined_on, left_on) for external_id, joined_on, left_on in rows}


def _parsed_rows(
    batch: list[SourceRow], report: ImportReport, progress: _Progress
) -> dict[str, tuple[int, PersonInput, str]]:
    """external_id -> (line, input, manager_external_id) of the rows that parse."""
    parsed: dict[str, tuple[int, PersonInput, str]] = {}
    progress.unreadable |= any(row.values is None for row in batch)
    for line, values in readable(batch, report):
        progress.listed.add(values["external_id"])
        try:
            data = parse_person_row(values)
        except RowError as error:
            report.reject(line, str(error))
            continue
        if data.external_id in parsed:
            report.reject(line, f"duplicate of line {parsed[data.external_id][0]}")
            continue
        parsed[data.external_id] = (line, data, values["manager_external_id"])
    return parsed


def _import_batch(
    batch: list[SourceRow], report: ImportReport, progress: _Progress, sync: MembershipSync
) -> None:
    parsed = _parsed_rows(batch, report, progress)
    stored = _stored_dates({key: data for key, (_, data, _) in parsed.items()})
    inputs: list[PersonInput] = []
    for line, data, manager_external_id in parsed.values():
        problem = _stored_dates_problem(data, stored)
        if problem:
            report.reject(line, problem)
            continue
        inputs.append(data)
        progress.links.append(ManagerLink(line, data.external_id, manager_external_id))
    if inputs:
        outcome = upsert_people(inputs, sync)
        report.accepted += outcome.created + outcome.updated
        report.already_present += outcome.unchanged


def _link_managers(links: list[ManagerLink], report: ImportReport) -> None:
    """Second pass, so a manager may appear anywhere in the file."""
    wanted = {link.manager_external_id for link in links if link.manager_external_id}
    wanted |= {link.external_id for link in links}
    ids = dict(Person.objects.filter(external_id__in=wanted).values_list("external_id", "pk"))
    assignments: dict[int, int | None] = {}
    line_of: dict[int, int] = {}
    for link in links:
        manager_id = ids.get(link.manager_external_id) if link.manager_external_id else None
        if link.manager_external_id and manager_id is None:
            report.reject(
                link.line,
                f"manager_external_id: {link.manager_external_id!r} is not a known person "
                "(the person was imported without a manager)",
            )
            continue
        assignments[ids[link.external_id]] = manager_id
        line_of[ids[link.external_id]] = link.line
    for person_id in set_managers(assignments):
        report.reject(
            line_of[person_id],
            "manager_external_id: would make a reporting loop (the person keeps their manager)",
        )


def _leave_missing(progress: _Progress, report: ImportReport, as_of: date) -> None:
    """People absent from the file leave on `as_of`, unless the file could not be read whole
    (an unreadable line may be anyone) or listed nobody."""
    if progress.unreadable or not progress.listed:
        report.notes.append("--leave-missing: not applied (an unreadable line or no people)")
        return
    left = leave_absent_people(progress.listed, as_of)
    report.notes.append(f"--leave-missing: {left} people absent from the file leave on {as_of}")


def import_org(
    rows: Iterable[SourceRow],
    report: ImportReport | None = None,
    atomic: bool = False,
    options: OrgImportOptions | None = None,
) -> ImportReport:
    """Import people in batches; every rejected row is reported, every good row is kept.

    With `atomic`, nothing is kept unless no row is rejected. `options`: the import date and
    what becomes of memberships and people the file no longer lists.
    """
    report = report or ImportReport()
    options = options or OrgImportOptions()
    as_of = options.as_of or today()
    sync = MembershipSync(as_of=as_of, end_missing=options.end_missing)
    with import_transaction(report, atomic):
        progress = _Progress()
        for batch in chunked(rows, BATCH_SIZE):
            _import_batch(batch, report, progress, sync)
        _link_managers(progress.links, report)
        if options.leave_missing:
            _leave_missing(progress, report, as_of)
    return report
