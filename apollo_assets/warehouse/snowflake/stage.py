"""Where Snowflake reads a lake partition's Parquet files from.

Production: an external stage over the lake's GCS bucket, which Snowflake reads itself through a storage
integration (the files never pass through the Dagster worker). Otherwise (a local lake, or no integration): an
internal stage that the worker PUTs the committed files into. Both copy exactly the committed version of the
partition (`v=<version>/` named by `_CURRENT.json`), never an abandoned or half-written one.
"""

from __future__ import annotations

import hashlib
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.fs as pafs

from apollo_assets.lake.commit_log import DataFile, OffsetCommitLog
from apollo_assets.lake.datasets import PartitionedDataset
from apollo_assets.names import backup_id as checked_backup_id
from apollo_assets.names import path_segment
from apollo_assets.storage import Location
from apollo_assets.warehouse.snowflake.sql import (
    LAKE_SCHEMA,
    copy_sql,
    create_stage_sql,
    put_sql,
    stage_location,
    stage_name,
)


def committed_folder(dataset: PartitionedDataset, backup_id: str) -> tuple[str, list[str]]:
    """The folder of the partition's committed version and its Parquet file names."""
    info = dataset.current(checked_backup_id(backup_id))
    return f"{dataset.partition_path(backup_id)}/v={info.version}", list(info.files)


def gcs_stage_url(location: Location) -> str:
    """Snowflake spells Google Cloud Storage `gcs://`; the stage URL is a folder (trailing slash)."""
    if not location.url.startswith("gs://"):
        raise ValueError(f"an external stage needs a gs:// lake, not {location.url}")
    return f"gcs://{location.root.strip('/')}/"


@dataclass(frozen=True)
class ExternalStage:
    location: Location
    storage_integration: str

    @property
    def name(self) -> str:
        # Named after what it points to: a new bucket or integration gets a new stage instead of replacing one
        # that a concurrent load may be reading.
        digest = hashlib.sha256(f"{self.location.url}|{self.storage_integration}".encode()).hexdigest()[:10]
        return stage_name(LAKE_SCHEMA, f"APOLLO_LAKE_{digest.upper()}")

    def create_sql(self) -> str:
        return create_stage_sql(self.name, gcs_stage_url(self.location), self.storage_integration)

    def copy_statement(self, cursor: Any, collection: str, dataset: PartitionedDataset, backup_id: str) -> str:
        folder, files = committed_folder(dataset, backup_id)
        relative = folder.removeprefix(self.location.root.rstrip("/") + "/")
        return copy_sql(collection, stage_location(self.name, relative.split("/")), files=files)

    def copy_files_statement(self, cursor: Any, table: str, log: OffsetCommitLog, files: Sequence[DataFile]) -> str:
        """Copy these committed stream files (paths relative to the dataset) straight from the bucket."""
        relative = log.path.removeprefix(self.location.root.rstrip("/") + "/")
        return copy_sql(table, stage_location(self.name, relative.split("/")), files=[f.path for f in files])


@dataclass(frozen=True)
class InternalStage:
    name: str = stage_name(LAKE_SCHEMA, "APOLLO_LAKE_UPLOADS")

    def create_sql(self) -> str:
        return create_stage_sql(self.name)

    def copy_statement(self, cursor: Any, collection: str, dataset: PartitionedDataset, backup_id: str) -> str:
        """PUT the committed files (downloaded first when the lake is not on this machine), then copy the folder.

        The upload folder is unique to the committed version and holds exactly its files, so the COPY names the
        folder and no FILES list (fakesnow cannot resolve FILES on an internal stage); PURGE empties it after.
        """
        folder, files = committed_folder(dataset, backup_id)
        version = folder.rsplit("=", 1)[-1]
        target = stage_location(self.name, [path_segment(collection), f"backup_id={backup_id}", f"v={version}"])
        location = dataset.location
        with tempfile.TemporaryDirectory(prefix="apollo-put-") as tmp:
            for name in files:
                local = location.local_path(f"{folder}/{name}")
                if local is None:
                    local = Path(tmp) / name
                    pafs.copy_files(f"{folder}/{name}", str(local), source_filesystem=location.fs)
                cursor.execute(put_sql(str(local), target))
        return copy_sql(collection, target, purge=True)

    def copy_files_statement(self, cursor: Any, table: str, log: OffsetCommitLog, files: Sequence[DataFile]) -> str:
        """PUT these committed stream files into a folder of their own (a crashed load's leftovers are never in it),
        then copy the folder; PURGE empties it after."""
        target = stage_location(self.name, [path_segment(table), f"load={uuid.uuid4().hex}"])
        location = log.location
        with tempfile.TemporaryDirectory(prefix="apollo-put-") as tmp:
            for i, data_file in enumerate(files):
                path = f"{log.path}/{data_file.path}"
                local = location.local_path(path)
                if local is None:
                    local = Path(tmp) / f"{i}-{path.rsplit('/', 1)[-1]}"
                    pafs.copy_files(path, str(local), source_filesystem=location.fs)
                cursor.execute(put_sql(str(local), target))
        return copy_sql(table, target, purge=True)
