"""Dictionary encoding where values repeat, plain where they are mostly distinct (`lake.parquet_files`)."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq

from apollo_assets.lake import PartitionedDataset, open_location
from apollo_assets.lake.parquet_files import dictionary_columns, leaf_paths

ROWS = 5_000
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
SCHEMA = pa.schema(
    [
        ("id", pa.string()),  # distinct
        ("at", pa.timestamp("ms", tz="UTC")),  # distinct
        ("city", pa.string()),  # repeats
        ("flag", pa.bool_()),
        ("sparse", pa.string()),  # distinct, but too few present values to tell
        ("jobs", pa.list_(pa.struct([("org", pa.string()), ("title", pa.string())]))),  # nested: distinct orgs
        ("dotted.name", pa.string()),  # distinct, with a dot in its name
    ]
)


def _batch() -> pa.RecordBatch:
    return pa.record_batch(
        [
            [f"id-{i}" for i in range(ROWS)],
            [START + dt.timedelta(seconds=i) for i in range(ROWS)],
            [f"city {i % 7}" for i in range(ROWS)],
            [i % 2 == 0 for i in range(ROWS)],
            [f"s{i}" if i < 100 else None for i in range(ROWS)],
            [[{"org": f"o{i}", "title": "cto"}] for i in range(ROWS)],
            [f"d{i}" for i in range(ROWS)],
        ],
        schema=SCHEMA,
    )


def _encodings(path) -> dict[str, tuple[str, ...]]:
    group = pq.ParquetFile(path).metadata.row_group(0)
    return {group.column(i).path_in_schema: group.column(i).encodings for i in range(group.num_columns)}


def test_leaf_paths_are_the_writers_column_paths() -> None:
    assert leaf_paths(SCHEMA) == [
        "id",
        "at",
        "city",
        "flag",
        "sparse",
        "jobs.list.element.org",
        "jobs.list.element.title",
        "dotted.name",
    ]


def test_mostly_distinct_flat_columns_are_written_without_a_dictionary_and_read_back_equal(tmp_path) -> None:
    dataset = PartitionedDataset(open_location(str(tmp_path / "lake")), "people")
    info = dataset.write("20260101T000000Z", SCHEMA, [_batch(), _batch()])
    [file] = info.files
    encodings = _encodings(tmp_path / "lake" / dataset.partition_path("20260101T000000Z") / f"v={info.version}" / file)
    plain = {path for path, used in encodings.items() if "RLE_DICTIONARY" not in used}
    assert plain == {"id", "at", "dotted.name", "flag"}  # booleans never take a dictionary in Parquet
    table = dataset.read("20260101T000000Z")
    assert table.num_rows == 2 * ROWS
    assert table.slice(0, ROWS).to_pylist() == _batch().to_pylist()


def test_a_small_first_batch_keeps_every_dictionary() -> None:
    assert dictionary_columns(SCHEMA, _batch().slice(0, 500)) is True
