"""Importing one file of an intake source (docs/intake.md) from the portal, through the source's
own management command: its argument parser gives the defaults and its `items` builds the parser,
so a file imported here and on the command line is read the same way and stored once.

Only single files: a Maildir or a folder of Teams files is imported on the command line."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.core.management import load_command_class
from django.db import transaction
from django.http import HttpRequest

from intake.command import IntakeCommand
from intake.pipeline import MAP_IN_THE_ADMIN, IntakeReport, run_intake

JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")


@dataclass(frozen=True)
class UploadSource:
    label: str
    command: str  # the intake management command that reads this source
    suffixes: tuple[str, ...]  # the file names it takes; empty: any (an mbox has no usual one)
    arguments: tuple[str, ...] = ()
    internal_domains: bool = False  # the command takes --internal-domains

    @property
    def usage(self) -> str:
        return " ".join(("python manage.py", self.command, "PATH", *self.arguments))

    def takes(self, file_name: str) -> bool:
        return not self.suffixes or Path(file_name).suffix.lower() in self.suffixes


SOURCES: dict[str, UploadSource] = {
    "slack": UploadSource("Slack export (.zip)", "import_slack", (".zip",)),
    "teams": UploadSource("Teams / Graph JSON (.json, .jsonl)", "import_teams", JSON_SUFFIXES),
    "viva": UploadSource("Viva Insights CSV (.csv)", "import_teams", (".csv",)),
    "mail": UploadSource("Mail: one mbox file", "import_mail", (), internal_domains=True),
    "calendar": UploadSource(
        "Calendar (.ics)", "import_calendar", (".ics",), internal_domains=True
    ),
    "bonusly": UploadSource(
        "Bonusly JSON (.json, .jsonl)",
        "import_recognitions",
        JSON_SUFFIXES,
        ("--format", "bonusly"),
    ),
}


def upload_limit() -> int:
    """The largest file the page takes (the body of its request may be a little larger:
    SOCIOGRAPH_PORTAL_IMPORT_MAX_BODY_BYTES, web.api.middleware)."""
    return int(settings.SOCIOGRAPH_PORTAL_IMPORT_MAX_BYTES)


class BoundedTemporaryFileHandler(TemporaryFileUploadHandler):
    """Streams each file to a temporary file, writing nothing past `limit` bytes: the file keeps
    its full size, so the form refuses it by that size."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) <= self.limit:
            super().receive_data_chunk(raw_data, start)
        return None


def import_file(
    source: UploadSource, upload: TemporaryUploadedFile, internal_domains: str = ""
) -> IntakeReport:
    """Everything the file holds, or nothing: SourceFormatError (the file as a whole cannot be
    read) or CommandError (the command refuses its options or settings) leave the database as
    it was. Records rejected one by one are reported, and the accepted ones kept, as by the
    command."""
    extra = ("--internal-domains", internal_domains) if source.internal_domains else ()
    with _named_copy(upload) as path:
        command, options = _command(source, [str(path), *source.arguments, *extra])
        report = IntakeReport()
        with transaction.atomic():
            run_intake(command.items(path, options), command.origin_of(options), report)
    return report


def lists_unresolved(report: IntakeReport) -> bool:
    return any(MAP_IN_THE_ADMIN in reason for _, reason in report.rejections)


def _command(source: UploadSource, arguments: list[str]) -> tuple[IntakeCommand, dict[str, Any]]:
    command = load_command_class("intake", source.command)
    assert isinstance(command, IntakeCommand)
    parser = command.create_parser("manage.py", source.command)
    return command, vars(parser.parse_args(arguments))


@contextmanager
def _named_copy(upload: TemporaryUploadedFile) -> Iterator[Path]:
    """The upload under its own name (places in the report name it), in a folder of its own
    that is removed afterwards. Moved, not copied: it is already on disk."""
    uploaded = Path(upload.temporary_file_path())
    with tempfile.TemporaryDirectory(dir=uploaded.parent) as folder:
        path = Path(folder) / Path(upload.name or "upload").name
        shutil.move(uploaded, path)
        yield path
