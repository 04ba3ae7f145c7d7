"""devtools/sociopatterns.py on the real SocioPatterns workplace files, and on malformed ones.

Pure unit tests: they read files only. The dataset is bundled in
devtools/data/sociopatterns-workplace/ (bundled with its CC0 attribution). The expected figures
are those its README publishes.
"""

from __future__ import annotations

import gzip
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from devtools.sociopatterns import (
    DATASETS,
    DeploymentSummary,
    read_contact_records,
    read_contacts,
    read_departments,
    read_people,
    start_ending_before,
    start_for_recent,
    summarize,
)
from sociograph.ingest.formats import EVENT_FILE_COLUMNS, ORG_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
DATASET_DIR = ROOT / "devtools" / "data" / "sociopatterns-workplace"
START = datetime(2024, 1, 1, tzinfo=UTC)  # a Monday
NOW = datetime(2026, 3, 12, 15, 30, tzinfo=UTC)  # a Thursday
CONSTANT_EVENT_FIELDS = ("kind", "channel", "weight", "affect", "message", "values")


@dataclass(frozen=True)
class Published:
    dataset: str
    records: int
    pairs: int
    within_share: float
    people: int
    people_with_contacts: int
    departments: int


PUBLISHED = (
    Published("InVS13", 9_827, 755, 0.82, 92, 92, 5),
    Published("InVS15", 78_249, 4_274, 0.76, 232, 217, 12),
)


@dataclass
class EventDigest:
    """What the tests check of a deployment's event rows, gathered in one streaming pass."""

    rows: int = 0
    within: int = 0
    self_contacts: int = 0
    wrong_contexts: int = 0
    pairs: set[frozenset[str]] = field(default_factory=set)
    people: set[str] = field(default_factory=set)
    event_ids: set[str] = field(default_factory=set)
    key_sets: set[tuple[str, ...]] = field(default_factory=set)
    constants: set[tuple[str, ...]] = field(default_factory=set)
    ats: list[str] = field(default_factory=list)

    def add(self, row: Mapping[str, str], teams: Mapping[str, str]) -> None:
        source, target = row["source"], row["target"]
        shared = teams.get(source) == teams.get(target)
        self.rows += 1
        self.within += row["context"] != ""
        self.self_contacts += source == target
        self.wrong_contexts += row["context"] != (teams.get(source, "?") if shared else "")
        self.pairs.add(frozenset((source, target)))
        self.people.update((source, target))
        self.event_ids.add(row["event_id"])
        self.key_sets.add(tuple(row))
        self.constants.add(tuple(row[name] for name in CONSTANT_EVENT_FIELDS))
        self.ats.append(row["at"])

    def times(self) -> list[datetime]:
        return [datetime.fromisoformat(at) for at in self.ats]


@dataclass(frozen=True)
class Deployment:
    published: Published
    people: list[dict[str, str]]
    events: EventDigest
    summary: DeploymentSummary

    def teams(self) -> dict[str, str]:
        return {person["external_id"]: person["contexts"] for person in self.people}


def digest(rows: Iterable[Mapping[str, str]], teams: Mapping[str, str]) -> EventDigest:
    events = EventDigest()
    for row in rows:
        events.add(row, teams)
    return events


@pytest.fixture(scope="module", params=PUBLISHED, ids=lambda published: published.dataset)
def deployment(request: pytest.FixtureRequest) -> Deployment:
    published: Published = request.param
    people = list(read_people(DATASET_DIR, published.dataset))
    teams = {person["external_id"]: person["contexts"] for person in people}
    events = digest(read_contacts(DATASET_DIR, published.dataset, START), teams)
    summary = summarize(DATASET_DIR, published.dataset)
    return Deployment(published, people, events, summary)


# The real files


def test_the_registry_names_both_deployments_and_their_files_exist() -> None:
    assert set(DATASETS) == {"InVS13", "InVS15"}
    for dataset in DATASETS.values():
        assert (DATASET_DIR / dataset.contacts_file).is_file()
        assert (DATASET_DIR / dataset.metadata_file).is_file()


def test_the_raw_summary_matches_the_published_figures(deployment: Deployment) -> None:
    summary, published = deployment.summary, deployment.published
    assert summary.records == published.records
    assert summary.distinct_pairs == published.pairs
    assert summary.within_department_share == pytest.approx(published.within_share, abs=0.01)
    assert summary.people_listed == published.people
    assert summary.people_with_contacts == published.people_with_contacts
    assert summary.departments == published.departments


def test_one_interaction_row_per_contact_record(deployment: Deployment) -> None:
    assert deployment.events.rows == deployment.published.records


def test_the_rows_give_the_published_pairs_and_within_share(deployment: Deployment) -> None:
    events, published = deployment.events, deployment.published
    assert len(events.pairs) == published.pairs
    assert events.within / events.rows == pytest.approx(published.within_share, abs=0.01)
    assert events.within == deployment.summary.within_department_records


def test_every_listed_person_is_emitted_once(deployment: Deployment) -> None:
    dataset = deployment.published.dataset
    ids = [person["external_id"] for person in deployment.people]
    assert len(ids) == len(set(ids)) == deployment.published.people
    assert {tuple(person) for person in deployment.people} == {ORG_COLUMNS}
    for person in deployment.people:
        number = person["external_id"].removeprefix(f"{dataset}-")
        assert number.isdigit()
        assert person["name"] == f"Participant {number} ({dataset})"
        assert person["email"] == person["title"] == person["manager_external_id"] == ""
        assert person["contexts"].startswith(f"team:{dataset} ")


def test_the_people_fall_into_the_published_departments(deployment: Deployment) -> None:
    teams = {person["contexts"] for person in deployment.people}
    assert len(teams) == deployment.published.departments


def test_every_event_references_an_emitted_person(deployment: Deployment) -> None:
    assert deployment.events.people <= deployment.teams().keys()
    assert len(deployment.events.people) == deployment.published.people_with_contacts


def test_no_self_contacts(deployment: Deployment) -> None:
    assert deployment.events.self_contacts == 0


def test_event_ids_are_unique(deployment: Deployment) -> None:
    assert len(deployment.events.event_ids) == deployment.events.rows


def test_event_rows_have_the_import_fields_and_constants(deployment: Deployment) -> None:
    assert deployment.events.key_sets == {EVENT_FILE_COLUMNS}
    assert deployment.events.constants == {("interaction", "in_person", "1", "", "", "")}


def test_the_context_is_the_shared_team_or_empty(deployment: Deployment) -> None:
    assert deployment.events.wrong_contexts == 0


def test_times_are_utc_seconds_in_file_order_within_the_deployment(
    deployment: Deployment,
) -> None:
    summary, times = deployment.summary, deployment.events.times()
    assert all(at.endswith("+00:00") and len(at) == 25 for at in deployment.events.ats)
    assert times == sorted(times), "the published files are sorted by t"
    assert times[0] == START + timedelta(seconds=summary.earliest_t)
    assert times[-1] == START + timedelta(seconds=summary.latest_t)
    assert START <= times[0] <= times[-1] <= START + timedelta(seconds=summary.latest_t)


def test_from_a_monday_midnight_the_deployment_is_two_working_weeks(
    deployment: Deployment,
) -> None:
    times = deployment.events.times()
    assert {time.weekday() for time in times} == {0, 1, 2, 3, 4}
    assert {(time - START).days for time in times} == {0, 1, 2, 3, 4, 7, 8, 9, 10, 11}
    assert 7 <= times[0].hour <= 9, "the first contacts are in the morning"


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_start_for_recent_keeps_every_contact_before_now(dataset: str) -> None:
    start = start_for_recent(DATASET_DIR, dataset, NOW)
    rows = read_contacts(DATASET_DIR, dataset, start)
    last = max(datetime.fromisoformat(row["at"]) for row in rows)
    assert (start.weekday(), start.time()) == (0, datetime.min.time())
    assert start.tzinfo == UTC
    assert NOW - timedelta(weeks=1) < last < NOW


# Anchoring, without files


@pytest.mark.parametrize(
    ("now", "latest_t", "expected"),
    [
        (datetime(2026, 3, 12, 15, 30, tzinfo=UTC), 3 * 86_400, datetime(2026, 3, 9, tzinfo=UTC)),
        (datetime(2026, 3, 12, 15, 30, tzinfo=UTC), 4 * 86_400, datetime(2026, 3, 2, tzinfo=UTC)),
        (datetime(2026, 3, 9, tzinfo=UTC), 0, datetime(2026, 3, 2, tzinfo=UTC)),
        (datetime(2026, 3, 9, 0, 0, 1, tzinfo=UTC), 0, datetime(2026, 3, 9, tzinfo=UTC)),
        (
            datetime(2026, 3, 16, 1, 0, tzinfo=timezone(timedelta(hours=5))),
            3600,
            datetime(2026, 3, 9, tzinfo=UTC),
        ),
    ],
)
def test_start_ending_before_is_the_latest_fitting_monday_midnight_utc(
    now: datetime, latest_t: int, expected: datetime
) -> None:
    assert start_ending_before(now, latest_t) == expected


def test_naive_moments_are_refused_on_the_call() -> None:
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        start_ending_before(datetime(2026, 3, 12), 0)
    with pytest.raises(ValueError, match="start must be timezone-aware"):
        read_contacts(DATASET_DIR, "InVS13", datetime(2024, 1, 1))


def test_an_unknown_dataset_is_refused_on_the_call() -> None:
    with pytest.raises(ValueError, match="unknown dataset 'InVS14'; known: InVS13, InVS15"):
        read_people(DATASET_DIR, "InVS14")


# Small files in tmp_path


def write_plain(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def write_gz(path: Path, content: bytes) -> Path:
    target = path.with_name(path.name + ".gz")
    target.write_bytes(gzip.compress(content))
    return target


def write_zip(path: Path, content: bytes) -> Path:
    target = path.with_name(path.name + ".zip")
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(path.name, content)
    return target


WRITERS: list[Callable[[Path, bytes], Path]] = [write_plain, write_gz, write_zip]


def expect_line_error(
    path: Path, line: int, reason: str
) -> AbstractContextManager[pytest.ExceptionInfo[ValueError]]:
    return pytest.raises(ValueError, match=re.escape(f"{path}, line {line}: {reason}"))


@pytest.mark.parametrize("write", WRITERS, ids=lambda write: write.__name__)
@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        (b"28820 1 2\n28840 1 2\n28860 1\n", 3, "expected 't i j', got ['28860', '1']"),
        (b"28820 1 2\n28840 1 2 3\n", 2, "expected 't i j'"),
        (b"28820 1 2\n28840 a 2\n", 2, "i is not a non-negative integer: 'a'"),
        (b"-20 1 2\n", 1, "t is not a non-negative integer: '-20'"),
        (b"20 1 2.5\n", 1, "j is not a non-negative integer: '2.5'"),
        (b"20 1 2\r\n\r\n40 3 3\r\n", 3, "person 3 in contact with themselves"),
        (b"20 1 2\n40 \xff 3\n", 2, "not UTF-8 text"),
    ],
)
def test_a_malformed_contact_line_names_file_line_and_reason(
    tmp_path: Path,
    write: Callable[[Path, bytes], Path],
    content: bytes,
    line: int,
    reason: str,
) -> None:
    path = write(tmp_path / "tij.dat", content)
    with expect_line_error(path, line, reason):
        list(read_contact_records(path))


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        (b"1\tDSE\n2\n", 2, "expected 'i department', got ['2']"),
        (b"1\tDSE\n2\tDMI extra\n", 2, "expected 'i department'"),
        (b"1\tDSE\r\n1\tDMI\r\n", 2, "person 1 is listed twice"),
        (b"x\tDSE\n", 1, "i is not a non-negative integer: 'x'"),
    ],
)
def test_a_malformed_metadata_line_names_file_line_and_reason(
    tmp_path: Path, content: bytes, line: int, reason: str
) -> None:
    path = write_plain(tmp_path / "metadata.txt", content)
    with expect_line_error(path, line, reason):
        read_departments(path)


def test_a_truncated_gzip_is_a_value_error(tmp_path: Path) -> None:
    path = tmp_path / "tij.dat.gz"
    path.write_bytes(gzip.compress(b"20 1 2\n" * 10_000)[:-100])
    with pytest.raises(ValueError, match=re.escape(f"{path}, line ") + r"\d+: corrupt"):
        list(read_contact_records(path))


def test_a_zip_must_hold_exactly_one_file(tmp_path: Path) -> None:
    path = tmp_path / "tij.dat.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.dat", "20 1 2\n")
        archive.writestr("b.dat", "20 1 2\n")
    with pytest.raises(ValueError, match="expected one file in the zip, found"):
        list(read_contact_records(path))


def test_a_file_named_zip_must_be_a_zip(tmp_path: Path) -> None:
    path = write_plain(tmp_path / "tij.dat.zip", b"20 1 2\n")
    with pytest.raises(ValueError, match=re.escape(f"{path}: not a zip archive")):
        list(read_contact_records(path))


def make_dataset(directory: Path, contacts: bytes, metadata: bytes) -> Path:
    files = DATASETS["InVS13"]
    write_zip(directory / files.contacts_file.removesuffix(".zip"), contacts)
    write_plain(directory / files.metadata_file, metadata)
    return directory


def test_a_contact_with_a_person_missing_from_the_metadata_is_an_error(tmp_path: Path) -> None:
    directory = make_dataset(tmp_path, b"20 1 2\n40 1 3\n", b"1\tA\n2\tA\n")
    path = directory / DATASETS["InVS13"].contacts_file
    with expect_line_error(path, 2, "person 3 is not in the metadata file"):
        list(read_contacts(directory, "InVS13", START))
    with expect_line_error(path, 2, "person 3 is not in the metadata file"):
        summarize(directory, "InVS13")


def test_a_small_deployment_gives_exactly_these_rows(tmp_path: Path) -> None:
    directory = make_dataset(
        tmp_path, b"28820 1 2\r\n\r\n90020 2 3\r\n", b"1\tDSE\r\n2\tDSE\r\n3\tDMI\r\n4\tSRH\r\n"
    )
    start = datetime(2024, 1, 1, 1, tzinfo=timezone(timedelta(hours=1)))
    people = list(read_people(directory, "InVS13"))
    events = list(read_contacts(directory, "InVS13", start))
    assert [person["external_id"] for person in people] == [f"InVS13-{i}" for i in (1, 2, 3, 4)]
    assert people[3] == {
        "external_id": "InVS13-4",
        "name": "Participant 4 (InVS13)",
        "email": "",
        "title": "",
        "manager_external_id": "",
        "contexts": "team:InVS13 SRH",
    }
    common = {"kind": "interaction", "affect": "", "weight": "1", "message": "", "values": ""}
    assert events == [
        {
            **common,
            "source": "InVS13-1",
            "target": "InVS13-2",
            "context": "team:InVS13 DSE",
            "at": "2024-01-01T08:00:20+00:00",
            "event_id": "InVS13:28820:1:2",
            "channel": "in_person",
        },
        {
            **common,
            "source": "InVS13-2",
            "target": "InVS13-3",
            "context": "",
            "at": "2024-01-02T01:00:20+00:00",
            "event_id": "InVS13:90020:2:3",
            "channel": "in_person",
        },
    ]
    assert summarize(directory, "InVS13") == DeploymentSummary(
        records=2,
        distinct_pairs=2,
        within_department_records=1,
        people_listed=4,
        people_with_contacts=3,
        departments=3,
        earliest_t=28820,
        latest_t=90020,
    )
