"""The lake's Arrow types as Snowflake column types (dbt/README.md, "What the loader must guarantee")."""

from __future__ import annotations

import pyarrow as pa

# Semi-structured columns: Snowflake reports OBJECT/ARRAY columns as such, fakesnow reports VARIANT for all three.
SEMI_STRUCTURED = frozenset({"OBJECT", "ARRAY", "VARIANT"})
TEXT = frozenset({"TEXT", "VARCHAR", "STRING"})


def snowflake_type(arrow_type: pa.DataType) -> str:
    """The column type a Parquet column of this Arrow type is loaded into."""
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type) or pa.types.is_null(arrow_type):
        return "VARCHAR"  # an all-null field has no type of its own: text holds whatever a later backup brings
    if pa.types.is_integer(arrow_type):
        return "NUMBER(38, 0)"
    if pa.types.is_floating(arrow_type):
        return "FLOAT"
    if pa.types.is_boolean(arrow_type):
        return "BOOLEAN"
    if pa.types.is_timestamp(arrow_type):
        return "TIMESTAMP_TZ"  # the contract: naive timestamps are UTC (the session time zone is UTC)
    if pa.types.is_date(arrow_type):
        return "DATE"
    if pa.types.is_decimal(arrow_type):
        return f"NUMBER({min(arrow_type.precision, 38)}, {arrow_type.scale})"
    if pa.types.is_binary(arrow_type) or pa.types.is_large_binary(arrow_type):
        return "BINARY"
    if pa.types.is_struct(arrow_type) or pa.types.is_map(arrow_type):
        return "OBJECT"
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type) or pa.types.is_fixed_size_list(arrow_type):
        return "ARRAY"
    return "VARIANT"


def family(data_type: str) -> str:
    """A type name as DDL writes it or as information_schema reports it, reduced to what loads alike."""
    name = data_type.upper().split("(")[0].strip()
    if name in SEMI_STRUCTURED:
        return "VARIANT"
    if name in TEXT:
        return "TEXT"
    if name in ("NUMBER", "DECIMAL", "NUMERIC", "INT", "INTEGER", "BIGINT"):
        return "NUMBER"
    if name in ("FLOAT", "DOUBLE", "REAL", "FLOAT8"):
        return "FLOAT"
    return name


def loads_into(existing: str, arrow_type: pa.DataType) -> bool:
    """Whether a column of `arrow_type` can be copied into an existing column of type `existing`.

    Text takes anything (the staging models safe-cast strings; a field first seen all-null became text); an
    all-null column fits anywhere; otherwise the types must agree, or COPY would fail or round silently.
    """
    current = family(existing)
    return current == "TEXT" or pa.types.is_null(arrow_type) or current == family(snowflake_type(arrow_type))
