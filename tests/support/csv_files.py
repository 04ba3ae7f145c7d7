"""The importers' CSV headers, and writing a CSV file of them."""

from __future__ import annotations

from pathlib import Path

ORG_HEADER = "external_id,name,email,title,manager_external_id,contexts"
EVENT_HEADER = "kind,source,target,context,at,affect,weight,message,event_id,channel,values"


def write_csv(directory: Path, name: str, header: str, lines: list[str]) -> Path:
    path = directory / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path
