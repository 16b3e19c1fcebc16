"""Opening one of a dataset's Parquet files: zstd, and dictionary encoding only for the columns that repeat values.

Parquet writers dictionary-encode every column by default. On a column of mostly distinct values (ids, tokens,
timestamps) the dictionary is built and then abandoned for plain encoding, which costs time and, for timestamps,
size. Which flat columns are mostly distinct is decided once per file, from its first batch (the gain:
docs/measurements.md). Nested columns keep dictionaries.
"""

from __future__ import annotations

import functools

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

DISTINCT_SHARE = 0.5  # above this share of distinct values among a column's present ones, no dictionary
MIN_ROWS = 1024  # fewer present values than this tell too little: the column keeps its dictionary


def open_parquet(path: str, fs: pa.fs.FileSystem, schema: pa.Schema, first: pa.RecordBatch) -> pq.ParquetWriter:
    """A writer of `schema` at `path`, its encodings chosen from `first`, the file's first batch."""
    dictionary = dictionary_columns(schema, first)
    return pq.ParquetWriter(path, schema, filesystem=fs, compression="zstd", use_dictionary=dictionary)


def dictionary_columns(schema: pa.Schema, batch: pa.RecordBatch) -> bool | list[str]:
    """Every column path except those of the flat columns whose values are mostly distinct in `batch`."""
    distinct = {field.name for field in schema if _mostly_distinct(batch.column(field.name))}
    return [path for path in leaf_paths(schema) if path not in distinct] if distinct else True


@functools.lru_cache(maxsize=64)
def leaf_paths(schema: pa.Schema) -> list[str]:
    """The Parquet column paths of `schema`'s leaves, as the writer names them (`a.list.element.b`)."""
    sink = pa.BufferOutputStream()
    pq.write_table(schema.empty_table(), sink)
    parquet = pq.ParquetFile(pa.BufferReader(sink.getvalue())).schema
    return [parquet.column(i).path for i in range(len(parquet))]


def _mostly_distinct(values: pa.Array) -> bool:
    type_ = values.type
    flat = pa.types.is_primitive(type_) or pa.types.is_string(type_) or pa.types.is_binary(type_)
    flat = flat or pa.types.is_large_string(type_) or pa.types.is_large_binary(type_) or pa.types.is_decimal(type_)
    if not flat or pa.types.is_boolean(type_):
        return False
    present = len(values) - values.null_count
    if present < MIN_ROWS:
        return False
    return pc.count_distinct(values, mode="only_valid").as_py() > DISTINCT_SHARE * present
