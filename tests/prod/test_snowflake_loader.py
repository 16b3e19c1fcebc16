"""The lake loaded into Snowflake by `SnowflakeWarehouse.expose_lake`, run against fakesnow in this process."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pandas as pd
import pyarrow as pa
import pytest
from dagster_snowflake import SnowflakeResource
from warehouse import crafted  # tests/warehouse: a hand-made database in two backups

from apollo_assets.lake import PartitionedDataset, PartitionNotFoundError, open_location
from apollo_assets.lake.resource import LakeResource
from apollo_assets.names import UntrustedNameError
from apollo_assets.warehouse.snowflake.load import LakeSchemaError, load_partition
from apollo_assets.warehouse.snowflake.prod import production_warehouse
from apollo_assets.warehouse.snowflake.sql import create_schema_sql

from .lake_data import write_lake
from .snowflake_emulator import fakesnow_targets, patched_snowflake, snowflake_env

A, B = crafted.BACKUP_A, crafted.BACKUP_B
P = str(crafted.backup_a()["people"][0]["_id"])


@pytest.fixture
def prod_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = snowflake_env(database="APOLLO_LOADER")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def manifest(tmp_path: Path) -> str:
    node = {"resource_type": "model", "name": "people", "schema": "gold", "alias": "people"}
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"nodes": {"model.apollo.people": node}}))
    return str(path)


def open_warehouse(tmp_path: Path, storage_integration: bool = True):
    """The production resource, its dg.EnvVar credentials resolved by Dagster as in a run."""
    resource = production_warehouse(manifest(tmp_path), {})
    if not storage_integration:
        resource = resource.model_copy(update={"storage_integration": None})
    return dg.build_resources({"warehouse": resource})


def count(warehouse, table: str, backup_id: str) -> int:
    return warehouse.query(f'select count(*) from lake.{table} where "_BACKUP_ID" = ?', [backup_id])[0][0]


def test_the_patch_catches_every_connection_the_platform_opens(prod_env):
    assert fakesnow_targets() == []  # nothing binds `connect` by `from … import`: the standard targets suffice
    with patched_snowflake(), SnowflakeResource(account="x", user="u", password="p").get_connection() as con:
        assert type(con).__module__.startswith("fakesnow")


def test_a_local_lake_is_put_and_copied_idempotently(tmp_path, prod_env):
    lake = LakeResource(snapshot_url=str(tmp_path / "snapshots"), lake_url=str(tmp_path / "lake"))
    rows = write_lake(lake.lake_url, A, crafted.backup_a())
    with patched_snowflake(), open_warehouse(tmp_path) as resources:
        warehouse = resources.warehouse
        assert type(warehouse.stage(lake)).__name__ == "InternalStage"  # a local lake cannot be an external stage
        first = warehouse.expose_lake(lake, [A])
        second = warehouse.expose_lake(lake, [A])  # reloading replaces the partition's rows

        assert first == second == rows
        for collection, expected in rows.items():
            assert count(warehouse, collection, A) == expected, collection
        assert warehouse.query("select current_database()") == [("APOLLO_LOADER",)]
        # Nested values are semi-structured and readable by path, timestamps are TIMESTAMP_TZ in UTC.
        orgs = warehouse.frame(
            'select "_ID", address:city::varchar as city, created_at from lake.organizations where _backup_id = ?', [A]
        )
        assert list(orgs.columns) == ["_id", "city", "created_at"]  # lower case, as dbt's columns are on DuckDB
        assert orgs.city.notna().all() and str(orgs.created_at.dt.tz) == "UTC"
        titles = warehouse.query("select employment_history[0]:title::varchar from lake.people where _id = ?", [P])
        assert titles == [(crafted.backup_a()["people"][0]["employment_history"][0]["title"],)]
        assert warehouse.relation("people") == "gold.people"
        numbers = warehouse.frame("select 1.5::number(10, 2) as ratio, 3 as n, null::number(10, 2) as missing")
        assert numbers.ratio.dtype == "float64" and pd.api.types.is_integer_dtype(numbers.n)  # numbers, not objects
        assert numbers["missing"].isna().all()
        assert list(warehouse.frame("select 1 as x where 1 = 0").columns) == ["x"]


def test_a_later_backup_adds_its_new_column_and_keeps_the_others_rows(tmp_path, prod_env):
    lake = LakeResource(snapshot_url=str(tmp_path / "snapshots"), lake_url=str(tmp_path / "lake"))
    rows_a = write_lake(lake.lake_url, A, crafted.backup_a())
    rows_b = write_lake(lake.lake_url, B, crafted.backup_b())
    assert "twitter_url" not in PartitionedDataset(open_location(lake.lake_url), "people").schema(A).names
    with patched_snowflake(), open_warehouse(tmp_path) as resources:
        warehouse = resources.warehouse
        warehouse.expose_lake(lake, [A])
        warehouse.expose_lake(lake, [B])
        warehouse.expose_lake(lake, [A])  # A again, now that the table has B's column

        twitter = warehouse.query(
            "select _backup_id, count(twitter_url), count(*) from lake.people group by 1 order by 1"
        )
        assert twitter == [(A, 0, rows_a["people"]), (B, rows_b["people"], rows_b["people"])]
        assert warehouse.expose_lake(lake) == {c: rows_a[c] + rows_b[c] for c in rows_a}  # None: every partition
        assert count(warehouse, "usage_events", A) == rows_a["usage_events"]


def test_a_column_whose_type_changes_fails_before_any_row_is_touched(tmp_path, prod_env):
    lake = LakeResource(snapshot_url=str(tmp_path / "snapshots"), lake_url=str(tmp_path / "lake"))
    dataset = PartitionedDataset(open_location(lake.lake_url), "people")
    for backup_id, score in ((A, pa.array([1, 2])), (B, pa.array(["1", "x"]))):
        table = pa.table({"_id": ["p1", "p2"], "score": score, "_backup_id": [backup_id] * 2})
        dataset.write(backup_id, table.schema, table.to_batches())
    with patched_snowflake(), open_warehouse(tmp_path) as resources:
        warehouse = resources.warehouse
        stage = warehouse.stage(lake)
        with warehouse.connect() as con:
            cursor = con.cursor()
            cursor.execute(create_schema_sql())
            cursor.execute(stage.create_sql())
            assert load_partition(cursor, stage, "people", dataset, A) == 2
            with pytest.raises(LakeSchemaError, match=r"lake.people.score is NUMBER"):
                load_partition(cursor, stage, "people", dataset, B)
        assert warehouse.query("select _backup_id, count(*) from lake.people group by 1") == [(A, 2)]
        # Every collection's partition of a requested backup must be in the lake: here only people's is.
        with pytest.raises(PartitionNotFoundError, match="organizations"):
            warehouse.expose_lake(lake, [A])


def test_a_gcs_lake_is_copied_through_an_external_stage(bucket, tmp_path, prod_env):
    lake = LakeResource(snapshot_url=f"gs://{bucket}/snapshots", lake_url=f"gs://{bucket}/lake")
    rows = write_lake(lake.lake_url, A, crafted.backup_a())
    with patched_snowflake() as duck, open_warehouse(tmp_path) as resources:
        warehouse = resources.warehouse
        assert warehouse.expose_lake(lake, [A]) == warehouse.expose_lake(lake, [A]) == rows

        stages = duck.execute("select name, url, type from _fs_global._fs_information_schema._fs_stages").fetchall()
        assert [(url, kind) for _, url, kind in stages] == [(f"gcs://{bucket}/lake/", "EXTERNAL")]
        loaded = duck.execute("select file_name from APOLLO_LOADER._fs_information_schema._fs_load_history").fetchall()
        assert loaded and all(f.startswith(f"gcs://{bucket}/lake/") for (f,) in loaded)  # read from fake GCS
        assert count(warehouse, "people", A) == rows["people"]


def test_without_an_integration_a_gcs_lake_is_downloaded_and_put(bucket, tmp_path, prod_env):
    lake = LakeResource(snapshot_url=f"gs://{bucket}/snapshots", lake_url=f"gs://{bucket}/lake")
    rows = write_lake(lake.lake_url, A, crafted.backup_a())
    with patched_snowflake(), open_warehouse(tmp_path, storage_integration=False) as resources:
        assert resources.warehouse.expose_lake(lake, [A]) == rows
        assert count(resources.warehouse, "contacts", A) == rows["contacts"]


@pytest.mark.parametrize(
    ("collection", "backup_id"),
    [("people", f"{A}' OR '1'='1"), ("people", "../../x"), ("..", A), ("a\x00b", A), ("$cmd", A)],
)
def test_a_name_that_is_not_one_reaches_no_sql(tmp_path, prod_env, collection, backup_id):
    """The loader checks collection and backup id before any statement: the partition's rows stay as they were."""
    lake = LakeResource(snapshot_url=str(tmp_path / "snapshots"), lake_url=str(tmp_path / "lake"))
    dataset = PartitionedDataset(open_location(lake.lake_url), "people")
    table = pa.table({"_id": ["p1", "p2"], "_backup_id": [A] * 2})
    dataset.write(A, table.schema, table.to_batches())
    with patched_snowflake(), open_warehouse(tmp_path) as resources:
        warehouse = resources.warehouse
        stage = warehouse.stage(lake)
        with warehouse.connect() as con:
            cursor = con.cursor()
            cursor.execute(create_schema_sql())
            cursor.execute(stage.create_sql())
            assert load_partition(cursor, stage, "people", dataset, A) == 2
            with pytest.raises(UntrustedNameError):
                load_partition(cursor, stage, collection, dataset, backup_id)
        assert warehouse.query("select _backup_id, count(*) from lake.people group by 1") == [(A, 2)]
