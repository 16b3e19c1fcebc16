"""Build a small DuckDB warehouse whose raw `lake.<collection>` relations look like the masked lake.

Documents (as the sample generator or a test writes them: ObjectId, datetime, Decimal128, dicts, lists) become Arrow
tables with the types of docs/contracts.md sections 3-4: ObjectId -> string, datetime -> timestamp[ms, UTC],
Decimal128 -> decimal128(38, 9), sub-documents -> structs (dynamic-key ones -> JSON string), arrays -> lists, a field
whose types disagree -> string of relaxed Extended JSON + `<field>__bson_type`, plus `_backup_id`. PII is masked the
way the masking step does it: pseudonyms are 32-hex HMACs, emails `<32-hex>@<domain>`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from bson import Decimal128, ObjectId, json_util

from apollo_assets.collections import COLLECTIONS

MASKING_KEY = b"warehouse-tests-key-0123456789abcdef"

# Fields masked per collection: ("pseudonym" | "email")
MASKED_FIELDS: dict[str, dict[str, str]] = {
    "people": {
        "first_name": "pseudonym",
        "last_name": "pseudonym",
        "name": "pseudonym",
        "email": "email",
        "phone": "pseudonym",
        "linkedin_url": "pseudonym",
        "twitter_url": "pseudonym",
    },
    "organizations": {"phone": "pseudonym"},
    "accounts": {"billing_email": "email"},
    "users": {"first_name": "pseudonym", "last_name": "pseudonym", "email": "email"},
    "contacts": {"first_name": "pseudonym", "last_name": "pseudonym", "email": "email", "phone": "pseudonym"},
    "emailer_messages": {"to_email": "email", "subject": "pseudonym", "body": "pseudonym"},
}
# Sub-documents whose keys are data (ids), stored as canonical Extended JSON strings.
DYNAMIC_KEY_FIELDS: dict[str, set[str]] = {"contacts": {"custom_fields"}}


def pseudonym(value: str) -> str:
    return hmac.new(MASKING_KEY, value.encode(), hashlib.sha256).hexdigest()[:32]


def mask_email(value: str) -> str:
    domain = value.partition("@")[2]
    return f"{pseudonym(value.lower())}@{domain}".lower()


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    if isinstance(value, ObjectId):
        return "objectId"
    if isinstance(value, datetime):
        return "date"
    if isinstance(value, Decimal128 | Decimal):
        return "decimal"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list | tuple):
        return "array"
    raise TypeError(f"unsupported value {value!r}")


def _arrow_type(values: Iterable[Any]) -> pa.DataType | None:
    """The unified Arrow type of values, None when they drift (disagreeing BSON types)."""
    present = [v for v in values if v is not None]
    kinds = {_kind(v) for v in present}
    if not kinds:
        return pa.string()
    if kinds <= {"int", "double"}:
        return pa.float64() if "double" in kinds else pa.int64()
    if len(kinds) > 1:
        return None
    kind = kinds.pop()
    if kind == "object":
        names: list[str] = []
        for doc in present:
            names.extend(k for k in doc if k not in names)
        fields = []
        for name in names:
            sub = _arrow_type(doc.get(name) for doc in present)
            fields.append(pa.field(name, sub if sub is not None else pa.string()))
        return pa.struct(fields)
    if kind == "array":
        element = _arrow_type(item for v in present for item in v)
        return pa.list_(element if element is not None else pa.string())
    return {
        "bool": pa.bool_(),
        "string": pa.string(),
        "objectId": pa.string(),
        "date": pa.timestamp("ms", tz="UTC"),
        "decimal": pa.decimal128(38, 9),
    }[kind]


def _plain(value: Any) -> Any:
    """A Python value pyarrow converts to the contract's type."""
    if isinstance(value, ObjectId):
        return str(value)
    if isinstance(value, Decimal128):
        value = value.to_decimal()
    if isinstance(value, Decimal):
        return value.quantize(Decimal("0.000000001"))
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _bson_type(value: Any) -> str | None:
    if value is None:
        return None
    return {"objectId": "objectId", "date": "date", "decimal": "decimal", "object": "object", "array": "array"}.get(
        _kind(value), _kind(value)
    )


def _mask(collection: str, doc: Mapping[str, Any]) -> dict[str, Any]:
    rules = MASKED_FIELDS.get(collection, {})
    out = dict(doc)
    for field, action in rules.items():
        value = out.get(field)
        if isinstance(value, str):
            out[field] = mask_email(value) if action == "email" else pseudonym(value)
    return out


def to_arrow(collection: str, documents: Sequence[Mapping[str, Any]], backup_id: str) -> pa.Table:
    """One backup's documents of a collection as the lake's (masked) Arrow table."""
    docs = [_mask(collection, d) for d in documents]
    names: list[str] = []
    for doc in docs:
        names.extend(k for k in doc if k not in names)
    columns: dict[str, pa.Array] = {}
    for name in names:
        values = [doc.get(name) for doc in docs]
        if name in DYNAMIC_KEY_FIELDS.get(collection, set()):
            columns[name] = pa.array(
                [
                    None if v is None else json_util.dumps(v, json_options=json_util.CANONICAL_JSON_OPTIONS)
                    for v in values
                ],
                pa.string(),
            )
            continue
        arrow_type = _arrow_type(values)
        if arrow_type is None:  # drift
            columns[name] = pa.array(
                [
                    None if v is None else json_util.dumps(v, json_options=json_util.RELAXED_JSON_OPTIONS)
                    for v in values
                ],
                pa.string(),
            )
            columns[f"{name}__bson_type"] = pa.array([_bson_type(v) for v in values], pa.string())
            continue
        columns[name] = pa.array([_plain(v) for v in values], type=arrow_type)
    columns["_backup_id"] = pa.array([backup_id] * len(docs), pa.string())
    return pa.table(columns)


def _read(path: Path | str) -> str:
    return f"read_parquet('{path}', hive_partitioning = false)"


class Lake:
    """The `lake` schema of a DuckDB warehouse, filled partition by partition from Parquet files.

    mode "table": raw tables, a partition replaced by delete + insert (contract section 5);
    mode "view": views over every partition's Parquet file with union_by_name (schemas may differ per backup).
    """

    def __init__(self, warehouse: Path, parquet_dir: Path, mode: str = "table") -> None:
        self.warehouse, self.parquet_dir, self.mode = warehouse, parquet_dir, mode

    def _file(self, collection: str, backup_id: str) -> Path:
        return self.parquet_dir / collection / f"backup_id={backup_id}" / "part-0000.parquet"

    def load(self, backup_id: str, documents: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
        for collection in COLLECTIONS:
            table = to_arrow(collection, documents.get(collection, []), backup_id)
            path = self._file(collection, backup_id)
            path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(table, path)
        with duckdb.connect(str(self.warehouse)) as con:
            con.execute("create schema if not exists lake")
            for collection in COLLECTIONS:
                path = self._file(collection, backup_id)
                if self.mode == "view":
                    files = sorted(str(p) for p in (self.parquet_dir / collection).glob("backup_id=*/*.parquet"))
                    listed = ", ".join(f"'{f}'" for f in files)
                    con.execute(
                        f"create or replace view lake.{collection} as select * from "
                        f"read_parquet([{listed}], union_by_name = true, hive_partitioning = false)"
                    )
                    continue
                exists = con.execute(
                    "select count(*) from information_schema.tables where table_schema = 'lake' and table_name = ?",
                    [collection],
                ).fetchone()[0]
                if not exists:
                    con.execute(f"create table lake.{collection} as select * from {_read(path)}")
                    continue
                existing = {r[0] for r in con.execute(f"describe lake.{collection}").fetchall()}
                incoming = pq.read_schema(path)
                for field in incoming:
                    if field.name not in existing:  # a field that appears in a later backup
                        duck_type = con.execute(f'select typeof("{field.name}") from {_read(path)} limit 1').fetchone()
                        con.execute(f'alter table lake.{collection} add column "{field.name}" {duck_type[0]}')
                con.execute(f"delete from lake.{collection} where _backup_id = ?", [backup_id])
                con.execute(f"insert into lake.{collection} by name select * from {_read(path)}")


def dumps(value: Any) -> str:
    return json.dumps(value, default=str, sort_keys=True)


def _snowflake_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_string(arrow_type):
        return "varchar"
    if pa.types.is_integer(arrow_type):
        return "number(38, 0)"
    if pa.types.is_floating(arrow_type):
        return "float"
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_timestamp(arrow_type):
        return "timestamp_tz"
    if pa.types.is_decimal(arrow_type):
        return "number(38, 9)"
    if pa.types.is_struct(arrow_type):
        return "object"
    if pa.types.is_list(arrow_type):
        return "array"
    raise TypeError(f"no Snowflake type for {arrow_type}")


def _snowflake_literal(value: Any, arrow_type: pa.DataType) -> str:
    if value is None:
        return "null"
    if pa.types.is_struct(arrow_type) or pa.types.is_list(arrow_type):
        text = json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, datetime) else str(v))
        return "parse_json('" + text.replace("'", "''") + "')"
    if isinstance(value, datetime):
        return f"'{value.isoformat()}'::timestamp_tz"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def load_snowflake(cursor: Any, backup_id: str, documents: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
    """Fill `lake.<collection>` on a Snowflake(-like) connection: structs as OBJECT, lists as ARRAY, timestamps as
    TIMESTAMP_TZ (nested ones as ISO-8601 strings), unquoted (case-insensitive) column names. Test-sized only."""
    cursor.execute("create schema if not exists lake")
    for collection in COLLECTIONS:
        table = to_arrow(collection, documents.get(collection, []), backup_id)
        columns = ", ".join(f"{f.name} {_snowflake_type(f.type)}" for f in table.schema)
        cursor.execute(f"create table if not exists lake.{collection} ({columns})")
        cursor.execute(f"delete from lake.{collection} where _backup_id = '{backup_id}'")
        names = ", ".join(f.name for f in table.schema)
        for row in table.to_pylist():
            values = ", ".join(_snowflake_literal(row[f.name], f.type) for f in table.schema)
            cursor.execute(f"insert into lake.{collection} ({names}) select {values}")
