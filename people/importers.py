"""`import_org`: people, their formal managers and their contexts, from a streamed CSV."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from people.models import Person, parse_context_key
from people.services import PersonInput, set_managers, upsert_people
from sociograph.graph.projection import chunked
from sociograph.importing import ImportReport, SourceRow, import_transaction, readable

BATCH_SIZE = 2000


class RowError(ValueError):
    pass


@dataclass(frozen=True)
class ManagerLink:
    line: int
    external_id: str
    manager_external_id: str


def parse_person_row(values: dict[str, str]) -> PersonInput:
    external_id = values["external_id"]
    if not external_id:
        raise RowError("external_id: required")
    if len(external_id) > 100:
        raise RowError("external_id: longer than 100 characters")
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
    return PersonInput(external_id, name, email, values["title"], tuple(dict.fromkeys(contexts)))


def _import_batch(batch: list[SourceRow], report: ImportReport, links: list[ManagerLink]) -> None:
    inputs: dict[str, PersonInput] = {}
    first_line: dict[str, int] = {}
    for line, values in readable(batch, report):
        try:
            data = parse_person_row(values)
        except RowError as error:
            report.reject(line, str(error))
            continue
        if data.external_id in inputs:
            report.reject(line, f"duplicate of line {first_line[data.external_id]}")
            continue
        inputs[data.external_id] = data
        first_line[data.external_id] = line
        links.append(ManagerLink(line, data.external_id, values["manager_external_id"]))
    if inputs:
        outcome = upsert_people(list(inputs.values()))
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


def import_org(
    rows: Iterable[SourceRow], report: ImportReport | None = None, atomic: bool = False
) -> ImportReport:
    """Import people in batches; every rejected row is reported, every good row is kept.

    With `atomic`, nothing is kept unless no row is rejected.
    """
    report = report or ImportReport()
    with import_transaction(report, atomic):
        links: list[ManagerLink] = []
        for batch in chunked(rows, BATCH_SIZE):
            _import_batch(batch, report, links)
        _link_managers(links, report)
    return report
