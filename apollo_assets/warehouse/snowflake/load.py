"""Load one committed lake partition into its `LAKE.<COLLECTION>` table, replacing that backup's rows."""

from __future__ import annotations

from typing import Any, Protocol

import pyarrow as pa

from apollo_assets.errors import KnownError
from apollo_assets.lake.datasets import PartitionedDataset
from apollo_assets.names import backup_id as checked_backup_id
from apollo_assets.names import collection_name
from apollo_assets.warehouse.snowflake.column_types import loads_into, snowflake_type
from apollo_assets.warehouse.snowflake.sql import (
    add_column_sql,
    columns_sql,
    create_table_sql,
    delete_partition_sql,
    stored_name,
)


class LakeSchemaError(KnownError, RuntimeError):
    """A partition's column cannot be loaded into the existing column of that name."""


class LakeLoadError(KnownError, RuntimeError):
    """COPY loaded another number of rows than the committed partition holds."""


class Stage(Protocol):
    def copy_statement(self, cursor: Any, collection: str, dataset: PartitionedDataset, backup_id: str) -> str: ...


def existing_columns(cursor: Any, collection: str) -> dict[str, str]:
    cursor.execute(columns_sql(), [stored_name(collection)])
    return {str(name): str(data_type) for name, data_type in cursor.fetchall()}


def prepare_table(cursor: Any, collection: str, schema: pa.Schema) -> list[str]:
    """Create the table, or add the columns this partition brings (a field that appears in a later backup).

    DDL commits on its own in Snowflake, so this runs before the delete + copy transaction. Returns added columns.
    """
    existing = existing_columns(cursor, collection)
    if not existing:
        cursor.execute(create_table_sql(collection, schema))
        return schema.names
    added = []
    for field in schema:
        current = existing.get(stored_name(field.name))
        if current is None:
            cursor.execute(add_column_sql(collection, field))
            added.append(field.name)
        elif not loads_into(current, field.type):
            raise LakeSchemaError(
                f"lake.{collection}.{field.name} is {current} in Snowflake but {field.type} "
                f"({snowflake_type(field.type)}) in this partition; migrate the column first"
            )
    return added


def rows_loaded(result: list[tuple]) -> int:
    """Rows loaded according to COPY's result (one row per file: file, status, rows_parsed, rows_loaded, …)."""
    return sum(int(row[3] or 0) for row in result if len(row) > 3)


def load_partition(cursor: Any, stage: Stage, collection: str, dataset: PartitionedDataset, backup_id: str) -> int:
    """Replace the backup's rows by the committed partition in one transaction; returns the rows loaded."""
    collection, backup_id = collection_name(collection), checked_backup_id(backup_id)
    prepare_table(cursor, collection, dataset.schema(backup_id))
    expected = dataset.current(backup_id).rows
    copy = stage.copy_statement(cursor, collection, dataset, backup_id)  # uploads, if any, happen outside it
    cursor.execute("BEGIN")
    try:
        cursor.execute(delete_partition_sql(collection), [backup_id])
        loaded = rows_loaded(cursor.execute(copy).fetchall())
        if loaded != expected:
            raise LakeLoadError(f"lake.{collection} {backup_id}: COPY loaded {loaded} rows of {expected}")
        cursor.execute("COMMIT")
    except BaseException:
        cursor.execute("ROLLBACK")
        raise
    return loaded
