"""Snowflake (fakesnow) reads only published lake versions, and retiring a backup removes its rows from `LAKE.*`
and from every table with a backup id; the other backup's rows stay."""

from __future__ import annotations

import pyarrow as pa
import pytest
from warehouse import crafted  # tests/warehouse: a hand-made database in two backups

from apollo_assets.lake import PartitionNotFoundError
from apollo_assets.lake.resource import LakeResource
from apollo_assets.warehouse.retirement import backup_tables_sql

from .lake_data import write_lake
from .snowflake_emulator import patched_snowflake, snowflake_env
from .test_snowflake_loader import count, open_warehouse

A, B = crafted.BACKUP_A, crafted.BACKUP_B
C = "20261103T040000Z"


@pytest.fixture
def prod_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = snowflake_env(database="APOLLO_RETENTION")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def lake(tmp_path) -> LakeResource:
    return LakeResource(snapshot_url=str(tmp_path / "snapshots"), lake_url=str(tmp_path / "lake"))


def test_only_published_versions_are_loaded(tmp_path, prod_env, lake):
    rows = write_lake(lake.lake_url, A, crafted.backup_a())
    people = lake.masked("people")
    staged = people.stage(A, people.schema(A))  # a new version staged (say, failing its leak check): never read
    staged.write(pa.RecordBatch.from_pylist([], schema=people.schema(A)))
    staged.close()
    never = people.stage(C, people.schema(A))  # a partition staged and never published
    never.close()
    with patched_snowflake(), open_warehouse(tmp_path) as resources:
        warehouse = resources.warehouse
        assert warehouse.expose_lake(lake, [A])["people"] == rows["people"]
        with pytest.raises(PartitionNotFoundError, match=C):
            warehouse.expose_lake(lake, [C])
        assert warehouse.query("select distinct _backup_id from lake.people") == [(A,)]


def test_retiring_a_backup_removes_its_rows_from_every_table(tmp_path, prod_env, lake):
    rows_a = write_lake(lake.lake_url, A, crafted.backup_a())
    rows_b = write_lake(lake.lake_url, B, crafted.backup_b())
    with patched_snowflake(), open_warehouse(tmp_path) as resources:
        warehouse = resources.warehouse
        warehouse.expose_lake(lake, [A, B])
        with warehouse.connect() as con:  # what dbt builds: tables with a backup_id, and views over them
            cursor = con.cursor()
            cursor.execute("CREATE SCHEMA IF NOT EXISTS GOLD")
            cursor.execute(
                "CREATE TABLE GOLD.PEOPLE AS SELECT _ID AS PERSON_ID, _BACKUP_ID AS BACKUP_ID FROM LAKE.PEOPLE"
            )
            cursor.execute("CREATE VIEW GOLD.PEOPLE_NOW AS SELECT * FROM GOLD.PEOPLE")
        tables = {(schema, table) for schema, table, _ in warehouse.query(backup_tables_sql())}
        assert ("GOLD", "PEOPLE") in tables and ("LAKE", "PEOPLE") in tables and ("GOLD", "PEOPLE_NOW") not in tables

        removed = warehouse.retire_backup(lake, A)

        assert removed["GOLD.PEOPLE"] == removed["LAKE.PEOPLE"] == rows_a["people"]
        for collection in rows_a:
            assert count(warehouse, collection, A) == 0, collection
            assert count(warehouse, collection, B) == rows_b[collection], collection
        assert warehouse.query("select backup_id, count(*) from gold.people group by 1") == [(B, rows_b["people"])]
        assert warehouse.retire_backup(lake, A) == {}  # again: nothing left
