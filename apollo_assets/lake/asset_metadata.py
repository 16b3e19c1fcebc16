"""Asset metadata built from Arrow schemas and commits, so that every layer shows rows, columns and sizes alike."""

from __future__ import annotations

import dagster as dg
import pyarrow as pa

from apollo_assets.lake.datasets import CommitInfo


def column_schema(schema: pa.Schema) -> dg.TableSchema:
    return dg.TableSchema(columns=[dg.TableColumn(name=f.name, type=str(f.type), description=None) for f in schema])


def dataset_metadata(schema: pa.Schema, commit: CommitInfo, url: str) -> dict[str, dg.MetadataValue | object]:
    return {
        "dagster/row_count": commit.rows,
        "dagster/column_schema": column_schema(schema),
        "dagster/uri": url,
        "bytes": commit.bytes,
        "files": len(commit.files),
        "version": commit.version,
    }
