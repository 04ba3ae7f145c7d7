"""SocioPatterns workplace contacts as rows of Sociograph's two import formats.

The data: face-to-face proximity contacts between employees of an office building in France,
detected by wearable sensors in 20-second windows, with each person's department. Two
deployments, InVS13 (2013) and InVS15 (2015); see `DATASETS` for their files. Public domain
(CC0). Please cite M. Génois and A. Barrat, "Can co-location be used as a proxy for face-to-face
contacts?", EPJ Data Science 7, 11 (2018).

File formats (both deployments, plain, gzip or single-member zip; CRLF or LF; any whitespace
between fields; blank lines are skipped):
- contacts `t i j`: the contact between persons i and j was active during [t - 20, t], t in
  seconds; the published files are sorted by t and always have i < j.
- metadata `i department`: one line per person, including people without any contact.

Use: `read_people(dir, "InVS15")` gives the org rows, `read_contacts(dir, "InVS15", start)` the
event rows (streamed; both are dicts of strings, as CSV rows would be), `start_for_recent(dir,
"InVS15", now)` a `start` that puts the deployment just before `now`, and `summarize(dir,
"InVS15")` the published figures, computed from the raw files without the row conversion.

Decisions:
- Time anchoring: t counts seconds from midnight of the deployment's first day: both files
  begin at t = 28820 or 28840 (08:00) and have contacts on days 0-4 and 7-11 only (t // 86400),
  two working weeks with a silent weekend, so day 0 is a Monday. An event's `at` is
  `start + t`, the end of the 20 s window, as the file records it. Pass a Monday midnight UTC
  as `start` to keep clock times and weekdays; `start_for_recent` picks the latest such Monday
  from which the whole deployment ends before `now`, so less than a week before it.
- People: every person of the metadata file is emitted, with or without contacts. A contact
  naming a person absent from the metadata is an error (a `DatasetFormatError` with the line),
  not a person of unknown department: the org rows come from the metadata alone, so such an
  event would point at nobody. The published files have no such contact.
- Teams: the context is `team:{dataset} {department}`, e.g. `team:InVS15 DMI`. Both deployments
  use the same department codes (DISQ, DMCT, DSE, SFLE, SRH) but number their participants
  independently, so unprefixed teams would merge two unrelated populations two years apart.
- A contact of a person with themselves, a negative or non-integer number, or a wrong number of
  fields is a malformed line. Duplicate records are not looked for (the published files have
  none); their `event_id`s would coincide and the importer would keep one.
"""

from __future__ import annotations

import gzip
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

_CORRUPT_STREAM = (gzip.BadGzipFile, zipfile.BadZipFile, zlib.error, EOFError)


@dataclass(frozen=True)
class Dataset:
    """One deployment's files, relative to the dataset directory."""

    name: str
    contacts_file: str
    metadata_file: str


DATASETS: Mapping[str, Dataset] = {
    "InVS13": Dataset("InVS13", "workplace_InVS_tij.dat.zip", "workplace_InVS_metadata.txt"),
    "InVS15": Dataset("InVS15", "workplace_InVS15_tij.dat.gz", "workplace_InVS15_metadata.txt"),
}


class DatasetFormatError(ValueError):
    """A malformed line or file; the message names the file, the line and the reason."""

    def __init__(self, path: Path, line: int | None, reason: str) -> None:
        where = f"{path}, line {line}" if line is not None else str(path)
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


class ContactRecord(NamedTuple):
    """One line of a contacts file: i and j were in contact during [t - 20, t]."""

    line: int
    t: int
    i: int
    j: int


@dataclass(frozen=True)
class DeploymentSummary:
    """Figures computed from the raw files, independently of the row conversion."""

    records: int
    distinct_pairs: int
    within_department_records: int
    people_listed: int
    people_with_contacts: int
    departments: int
    earliest_t: int
    latest_t: int

    @property
    def within_department_share(self) -> float:
        return self.within_department_records / self.records if self.records else 0.0


def external_id(dataset: str, person: int) -> str:
    return f"{dataset}-{person}"


def team_context(dataset: str, department: str) -> str:
    return f"team:{dataset} {department}"


def read_people(dataset_dir: Path, dataset: str) -> Iterator[dict[str, str]]:
    """Org rows for every person of the metadata file, in file order."""
    departments = read_departments(_metadata_path(dataset_dir, dataset))
    return (person_row(dataset, person, dept) for person, dept in departments.items())


def read_contacts(dataset_dir: Path, dataset: str, start: datetime) -> Iterator[dict[str, str]]:
    """Event rows, one `interaction` per contact record, streamed in file order.

    The arguments and the metadata file are checked on the call, the contacts while iterating.
    """
    utc_start = _as_utc(start, "start")
    departments = read_departments(_metadata_path(dataset_dir, dataset))
    contacts = _contacts_path(dataset_dir, dataset)
    records = _known_contacts(contacts, departments)
    return (interaction_row(dataset, record, departments, utc_start) for record in records)


def person_row(dataset: str, person: int, department: str) -> dict[str, str]:
    return {
        "external_id": external_id(dataset, person),
        "name": f"Participant {person} ({dataset})",
        "email": "",
        "title": "",
        "manager_external_id": "",
        "contexts": team_context(dataset, department),
    }


def interaction_row(
    dataset: str, record: ContactRecord, departments: Mapping[int, str], start: datetime
) -> dict[str, str]:
    department = departments[record.i]
    shared = department == departments[record.j]
    return {
        "kind": "interaction",
        "source": external_id(dataset, record.i),
        "target": external_id(dataset, record.j),
        "context": team_context(dataset, department) if shared else "",
        "at": (start + timedelta(seconds=record.t)).isoformat(timespec="seconds"),
        "affect": "",
        "weight": "1",
        "message": "",
        "event_id": f"{dataset}:{record.t}:{record.i}:{record.j}",
        "channel": "in_person",
        "values": "",
    }


def summarize(dataset_dir: Path, dataset: str) -> DeploymentSummary:
    """Records, distinct unordered pairs, within-department records, people, time range."""
    departments = read_departments(_metadata_path(dataset_dir, dataset))
    contacts = _contacts_path(dataset_dir, dataset)
    records = within = 0
    pairs: set[tuple[int, int]] = set()
    earliest_t: int | None = None
    latest_t = 0
    for record in _known_contacts(contacts, departments):
        records += 1
        within += departments[record.i] == departments[record.j]
        pairs.add((min(record.i, record.j), max(record.i, record.j)))
        earliest_t = record.t if earliest_t is None else min(earliest_t, record.t)
        latest_t = max(latest_t, record.t)
    return DeploymentSummary(
        records=records,
        distinct_pairs=len(pairs),
        within_department_records=within,
        people_listed=len(departments),
        people_with_contacts=len({person for pair in pairs for person in pair}),
        departments=len(set(departments.values())),
        earliest_t=earliest_t or 0,
        latest_t=latest_t,
    )


def start_for_recent(dataset_dir: Path, dataset: str, now: datetime) -> datetime:
    """The latest Monday midnight UTC from which the whole deployment ends before `now`."""
    return start_ending_before(now, summarize(dataset_dir, dataset).latest_t)


def start_ending_before(now: datetime, latest_t: int) -> datetime:
    """The latest Monday midnight UTC `start` with `start + latest_t` seconds before `now`."""
    utc_now = _as_utc(now, "now")
    today = datetime(utc_now.year, utc_now.month, utc_now.day, tzinfo=UTC)
    start = today - timedelta(days=today.weekday())
    while start + timedelta(seconds=latest_t) >= utc_now:
        start -= timedelta(weeks=1)
    return start


def read_departments(path: Path) -> dict[int, str]:
    """Person -> department from a metadata file, in file order."""
    departments: dict[int, str] = {}
    for line, fields in _numbered_fields(path):
        if len(fields) != 2:
            raise DatasetFormatError(path, line, f"expected 'i department', got {fields}")
        person = _non_negative_int(path, line, "i", fields[0])
        if person in departments:
            raise DatasetFormatError(path, line, f"person {person} is listed twice")
        departments[person] = fields[1]
    return departments


def read_contact_records(path: Path) -> Iterator[ContactRecord]:
    """The parsed lines of a contacts file, streamed in file order."""
    for line, fields in _numbered_fields(path):
        if len(fields) != 3:
            raise DatasetFormatError(path, line, f"expected 't i j', got {fields}")
        t = _non_negative_int(path, line, "t", fields[0])
        i = _non_negative_int(path, line, "i", fields[1])
        j = _non_negative_int(path, line, "j", fields[2])
        if i == j:
            raise DatasetFormatError(path, line, f"person {i} in contact with themselves")
        yield ContactRecord(line, t, i, j)


def _known_contacts(path: Path, departments: Mapping[int, str]) -> Iterator[ContactRecord]:
    for record in read_contact_records(path):
        for person in (record.i, record.j):
            if person not in departments:
                reason = f"person {person} is not in the metadata file"
                raise DatasetFormatError(path, record.line, reason)
        yield record


def _numbered_fields(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line number, whitespace-separated fields) of every non-blank line."""
    line = 0
    with _open_binary(path) as stream:
        try:
            for line, raw in enumerate(stream, start=1):
                fields = _decode(path, line, raw).split()
                if fields:
                    yield line, fields
        except _CORRUPT_STREAM as error:
            reason = f"corrupt compressed data ({error})"
            raise DatasetFormatError(path, line + 1, reason) from error


def _decode(path: Path, line: int, raw: bytes) -> str:
    # Bytes are decoded per line (not by a TextIOWrapper) so a bad byte is reported at its line.
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DatasetFormatError(path, line, f"not UTF-8 text ({error.reason})") from error


def _non_negative_int(path: Path, line: int, name: str, value: str) -> int:
    if not (value.isascii() and value.isdigit()):
        raise DatasetFormatError(path, line, f"{name} is not a non-negative integer: {value!r}")
    return int(value)


@contextmanager
def _open_binary(path: Path) -> Iterator[Iterable[bytes]]:
    if path.suffix == ".zip":
        with _open_zip_member(path) as member:
            yield member
    elif path.suffix == ".gz":
        with gzip.open(path, "rb") as unzipped:
            yield unzipped
    else:
        with path.open("rb") as plain:
            yield plain


@contextmanager
def _open_zip_member(path: Path) -> Iterator[Iterable[bytes]]:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise DatasetFormatError(path, None, f"not a zip archive ({error})") from error
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if len(members) != 1:
            names = [info.filename for info in members]
            raise DatasetFormatError(path, None, f"expected one file in the zip, found {names}")
        with archive.open(members[0]) as member:
            yield member


def _dataset(dataset: str) -> Dataset:
    try:
        return DATASETS[dataset]
    except KeyError:
        known = ", ".join(DATASETS)
        raise ValueError(f"unknown dataset {dataset!r}; known: {known}") from None


def _metadata_path(dataset_dir: Path, dataset: str) -> Path:
    return Path(dataset_dir) / _dataset(dataset).metadata_file


def _contacts_path(dataset_dir: Path, dataset: str) -> Path:
    return Path(dataset_dir) / _dataset(dataset).contacts_file


def _as_utc(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment.isoformat()}")
    return moment.astimezone(UTC)
