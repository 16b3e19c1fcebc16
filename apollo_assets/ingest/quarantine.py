"""Where the documents that could not be converted go, and when there are too many of them.

Raw quarantined documents hold raw personal data, so they never go into the masked lake: beside a snapshot
(restricted zone) they are side files of its partition version, published with it; beside a masked dataset they
go to `<root>/_quarantine/<collection folder>/backup_id=<id>/`, replaced as a whole on every run. On a local disk
their files and folders are created owner-only (0600/0700) from the start, whatever the umask: there is no moment
when another user could read them.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from apollo_assets.lake.datasets import PartitionWriter
from apollo_assets.mongo.report import QuarantinedDocument
from apollo_assets.names import path_segment
from apollo_assets.storage import Location

BSON_FILE, JSONL_FILE = "quarantine.bson", "quarantine.jsonl"


def payloads(quarantined: list[QuarantinedDocument]) -> dict[str, bytes]:
    """The raw documents back to back (a `.bson` file), and one JSON line per document: where, and why."""
    lines = [json.dumps({"location": q.location, "error": q.error}) for q in quarantined]
    return {BSON_FILE: b"".join(q.raw for q in quarantined), JSONL_FILE: "\n".join(lines).encode()}


class QuarantineSink(Protocol):
    def store(self, writer: PartitionWriter, collection: str, backup_id: str, bad: list[QuarantinedDocument]) -> str:
        """Keep `bad` (maybe empty); returns where they are."""
        ...


def write_private(location: Location, path: str, payload: bytes) -> None:
    """A new file holding `payload`: owner-only from its creation on a local disk (a bucket has no such mode)."""
    local = location.local_path(path)
    if local is None:
        with location.fs.open_output_stream(path) as out:
            out.write(payload)
        return
    fd = os.open(local, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as out:
        os.fchmod(out.fileno(), 0o600)  # an existing file keeps its mode through O_CREAT: narrow it before writing
        out.write(payload)


def private_folder(location: Location, *parts: str) -> str:
    """`parts` under the location's root, each level created (or narrowed, before anything is put in it) owner-only
    on a local disk."""
    folder = location.join(*parts)
    local = location.local_path(folder)
    if local is None:
        location.fs.create_dir(folder, recursive=True)
        return folder
    level = Path(location.root)
    level.mkdir(parents=True, exist_ok=True)
    for part in parts:
        level = level / part
        try:
            level.mkdir(mode=0o700)
        except FileExistsError:
            if level.stat().st_mode & 0o077:
                level.chmod(0o700)
    return folder


class InPartition:
    """Side files of the partition version (the snapshot zone is restricted: raw data may stay there)."""

    def store(self, writer: PartitionWriter, collection: str, backup_id: str, bad: list[QuarantinedDocument]) -> str:
        if bad:
            for name, payload in payloads(bad).items():
                write_private(writer.location, f"{writer.folder}/{name}", payload)
                writer.extras.append(name)  # published (or abandoned) with the version, like `add_file`'s
        return f"{writer.folder}/{BSON_FILE}"


@dataclass(frozen=True)
class BesideDataset:
    """`<root>/_quarantine/<collection>/backup_id=<id>/`, for masked output that must not hold raw values."""

    root: Location

    def store(self, writer: PartitionWriter, collection: str, backup_id: str, bad: list[QuarantinedDocument]) -> str:
        parts = ("_quarantine", path_segment(collection), f"backup_id={backup_id}")
        folder = self.root.join(*parts)
        fs = self.root.fs
        if self.root.exists(folder):
            fs.delete_dir(folder)  # a rerun replaces what an earlier run quarantined
        if not bad:
            return ""
        private_folder(self.root, *parts)  # raw personal data: owner only, like the snapshot zone
        for name, payload in payloads(bad).items():
            write_private(self.root, f"{folder}/.{name}.tmp", payload)
            fs.move(f"{folder}/.{name}.tmp", f"{folder}/{name}")
        return f"{folder}/{BSON_FILE}"
