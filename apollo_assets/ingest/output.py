"""Where a worker's rows go: its own Parquet files inside the partition version being staged.

Workers write side by side into the staged `v=<uuid>/` folder of one `PartitionedDataset.writer()`; the parent
then adds their files to the writer's list, in group order, so that they are published (or abandoned) with it,
atomically, and read back in storage order.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.parquet as pq

from apollo_assets.lake.datasets import ROWS_PER_FILE, PartitionWriter
from apollo_assets.lake.parquet_files import open_parquet
from apollo_assets.storage import open_location


@dataclass(frozen=True)
class StagedFolder:
    """The staged version folder of a partition, as a worker process can reopen it."""

    url: str  # the dataset location's URL (local folder or gs://)
    folder: str  # path of `v=<uuid>/` inside that location's filesystem


class PartFiles:
    """Parquet files `part-gNN-MMMM.parquet` of one group, rolled every ROWS_PER_FILE rows like the writer's."""

    def __init__(self, target: StagedFolder, group: int, schema: pa.Schema) -> None:
        self.fs = open_location(target.url).fs
        self.target, self.group, self.schema = target, group, schema
        self.files: list[str] = []
        self._parquet: pq.ParquetWriter | None = None
        self._rows = 0

    def write(self, batch: pa.RecordBatch) -> None:
        if self._parquet is None or self._rows >= ROWS_PER_FILE:
            self._roll(batch)
        assert self._parquet is not None
        self._parquet.write_batch(batch)
        self._rows += batch.num_rows

    def close(self) -> list[str]:
        if self._parquet is not None:
            self._parquet.close()
        return self.files

    def _roll(self, first: pa.RecordBatch) -> None:
        if self._parquet is not None:
            self._parquet.close()
        self.files.append(f"part-g{self.group:02d}-{len(self.files):04d}.parquet")
        self._parquet = open_parquet(f"{self.target.folder}/{self.files[-1]}", self.fs, self.schema, first)
        self._rows = 0


def adopt(writer: PartitionWriter, files: list[str], rows: int) -> None:
    """Count files that a worker wrote into `writer`'s staged folder as the writer's own (appended in order)."""
    writer.files.extend(files)
    writer.rows += rows
