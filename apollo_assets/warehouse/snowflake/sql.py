"""The SQL that loads the lake into Snowflake: pure functions of names, schemas and paths (unit-tested as text).

Raw tables are `LAKE.<COLLECTION>`; a backup partition is replaced by deleting its `_backup_id` rows and copying
its committed Parquet files in from a stage, matching columns by name (dbt reads them unquoted, i.e. upper case).

Nothing from the input reaches the SQL unquoted: identifiers (tables, columns, stages, the storage integration) are
double-quoted with `"` doubled, values are bound or single-quoted, and a stage path whose folders hold anything
but `[A-Za-z0-9_=.-]` is a single-quoted location (`'@stage/a%2Fb/'`), as Snowflake spells special characters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pyarrow as pa

from apollo_assets.warehouse.snowflake.column_types import snowflake_type

LAKE_SCHEMA = "LAKE"
BACKUP_COLUMN = "_backup_id"
# USE_LOGICAL_TYPE reads Parquet timestamps and decimals as such (not as raw integers); BINARY_AS_TEXT = FALSE keeps
# binary columns binary (strings are UTF8-annotated and stay text).
PARQUET_FORMAT = "FILE_FORMAT = (TYPE = PARQUET USE_LOGICAL_TYPE = TRUE BINARY_AS_TEXT = FALSE)"
_SIMPLE = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_PLAIN_FOLDER = re.compile(r"[A-Za-z0-9_=.-]+")


def stored_name(name: str) -> str:
    """The name Snowflake stores for an unquoted name (upper case); one unquoted SQL cannot spell keeps its case."""
    return name.upper() if _SIMPLE.fullmatch(name) else name


def identifier(name: str) -> str:
    """A column or table name, quoted as stored: reserved words (e.g. a field named `timestamp`) stay names, and
    dbt's unquoted references still resolve to it."""
    return '"' + stored_name(name).replace('"', '""') + '"'


def exact(name: str) -> str:
    """A name quoted exactly as given (case kept), e.g. a stage this code names itself."""
    return '"' + name.replace('"', '""') + '"'


def stage_name(*parts: str) -> str:
    """`"LAKE"."APOLLO_LAKE_UPLOADS"`: a stage's qualified name, each part quoted as it is."""
    return ".".join(exact(p) for p in parts)


def stage_location(stage: str, folders: Sequence[str]) -> str:
    """`@<stage>/<folder>/…/`, each folder one name (no separator, not `.` or `..`); the whole location is
    single-quoted when a folder holds anything but `[A-Za-z0-9_=.-]`."""
    for folder in folders:
        if folder in ("", ".", "..") or "/" in folder or "\x00" in folder:
            raise ValueError(f"a stage path folder must be one name, not {folder[:60]!r}")
    location = f"@{stage}/" + "".join(f"{folder}/" for folder in folders)
    return location if all(_PLAIN_FOLDER.fullmatch(f) for f in folders) else literal(location)


def literal(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def table_name(collection: str) -> str:
    return f"{LAKE_SCHEMA}.{identifier(collection)}"


def create_schema_sql() -> str:
    return f"CREATE SCHEMA IF NOT EXISTS {LAKE_SCHEMA}"


def create_table_sql(collection: str, schema: pa.Schema) -> str:
    columns = ", ".join(f"{identifier(f.name)} {snowflake_type(f.type)}" for f in schema)
    return f"CREATE TABLE IF NOT EXISTS {table_name(collection)} ({columns})"


def add_column_sql(collection: str, field: pa.Field) -> str:
    return f"ALTER TABLE {table_name(collection)} ADD COLUMN {identifier(field.name)} {snowflake_type(field.type)}"


def columns_sql() -> str:
    """The existing columns of a lake table (bind: the table name as stored, upper case)."""
    return (
        "SELECT column_name, data_type FROM information_schema.columns "
        f"WHERE table_schema = '{LAKE_SCHEMA}' AND table_name = ? ORDER BY ordinal_position"
    )


def delete_partition_sql(collection: str) -> str:
    """Rows of one backup (bind: the backup id)."""
    return f"DELETE FROM {table_name(collection)} WHERE {identifier(BACKUP_COLUMN)} = ?"


def create_stage_sql(stage: str, url: str | None = None, storage_integration: str | None = None) -> str:
    """An external stage over the lake's bucket (`url` and the integration that grants Snowflake access to it), or
    an internal stage that files are PUT to."""
    if url is None:
        return f"CREATE STAGE IF NOT EXISTS {stage} {PARQUET_FORMAT}"
    if not storage_integration or not _SIMPLE.fullmatch(storage_integration):
        raise ValueError(f"an external stage over {url} needs a storage integration name, not {storage_integration!r}")
    access = f"URL = {literal(url)} STORAGE_INTEGRATION = {identifier(storage_integration)}"
    return f"CREATE STAGE IF NOT EXISTS {stage} {access} {PARQUET_FORMAT}"


def put_sql(local_file: str, location: str) -> str:
    """Upload one local file to a `stage_location` as it is (Parquet is compressed already; a re-PUT replaces it)."""
    return f"PUT {literal('file://' + local_file)} {location} AUTO_COMPRESS = FALSE OVERWRITE = TRUE"


def copy_sql(collection: str, location: str, files: Sequence[str] | None = None, purge: bool = False) -> str:
    """Copy Parquet files from a `stage_location` (only `files` when given) into the collection's table.

    FORCE = TRUE: Snowflake skips files it has loaded before (load metadata), but the rows of that earlier load were
    just deleted, so the reload must not be skipped. Columns missing from a file are loaded as NULL.
    """
    parts = [f"COPY INTO {table_name(collection)} FROM {location}"]
    if files:
        parts.append("FILES = (" + ", ".join(literal(f) for f in files) + ")")
    parts += [PARQUET_FORMAT, "MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE", "FORCE = TRUE"]
    if purge:
        parts.append("PURGE = TRUE")
    return " ".join(parts)
