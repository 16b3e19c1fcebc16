"""The real dbt project on dbt-snowflake (target `fakesnow`) over lake tables loaded by `SnowflakeWarehouse`,
built incrementally backup by backup, compared with the DuckDB build of the same backups.

dbt runs in this process (dbtRunner) under `fakesnow.patch`, like tests/warehouse/test_snowflake_dialect.py; the
versions are written in Snowflake's explicit transaction (begin; delete; update; merge; insert; commit) as
production would, but for the merge that closes versions, an UPDATE … FROM on the emulator (whose MERGE cannot run
in such a transaction: macros/materializations/backup_versions.sql, `fakesnow_close_versions_sql`).
"""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pytest
from dbt.cli.main import dbtRunner
from warehouse import crafted
from warehouse.conftest import (  # noqa: F401 (fixtures)
    ACCOUNT_TIERS,
    ACCOUNTS_AFTER,
    ACCOUNTS_PLANS,
    AGE_ACCOUNTS,
    DBT_DIR,
    Build,
    assert_accounts_follow_the_model,
    changed_account,
    crafted_warehouse,
    dbt_work,
)

from apollo_assets.lake.resource import LakeResource
from apollo_assets.warehouse.dbt_manifest import relation_name
from apollo_assets.warehouse.snowflake.prod import production_warehouse
from apollo_assets.warehouse.versions import BACKUP_IDS_ENV, environment

from .lake_data import write_lake
from .snowflake_emulator import DATABASE, SCHEMA, patched_snowflake, snowflake_env
from .test_snowflake_loader import manifest

A, B = crafted.BACKUP_A, crafted.BACKUP_B
AC1 = crafted.AC1
# Models whose rows are compared with DuckDB's, and the columns that identify a row.
COMPARED = {
    "gold.people": "person_id, company_id, company_match_method, seniority, department",
    "gold.companies": "company_id, domain, size_bucket, revenue_bucket",
    "marts.mart_activation_l1": "cohort_week, use_case, new_users, activated_users",
    "marts.mart_reply_training": "message_id, previous_messages_to_person, replied",
    "staging.stg_people": "person_id, has_twitter_url, department",
}


def dbt_build(tmp_path: Path, backup_ids: list[str], *select: str) -> Build:
    args = ["build", "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR), "--target", "fakesnow"]
    args += ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")]
    args += ["--select", *select] if select else []
    with environment({BACKUP_IDS_ENV: json.dumps(backup_ids)}):  # as the `warehouse_dbt` asset passes them
        result = dbtRunner().invoke(args)
    if result.exception is not None:
        raise result.exception
    build = Build(result)
    assert result.success, "dbt build on fakesnow failed:\n" + "\n".join(build.failures())
    return build


def rows(query, table: str, backup_id: str) -> list[tuple]:
    return sorted(query(f"select {COMPARED[table]} from {table} where backup_id = ?", [backup_id]), key=repr)


def normalize(values: list[tuple]) -> list[tuple]:
    return [tuple(float(v) if hasattr(v, "as_tuple") else v for v in row) for row in values]


@pytest.mark.timeout(900)  # four dbt builds of ~75 nodes on the emulator; a hang fails the test instead of CI
def test_incremental_builds_on_snowflake_match_duckdb(tmp_path, monkeypatch, crafted_warehouse):  # noqa: F811
    duck, _ = crafted_warehouse
    for name, value in snowflake_env(DATABASE, SCHEMA, FAKESNOW_DATABASE=DATABASE, FAKESNOW_SCHEMA=SCHEMA).items():
        monkeypatch.setenv(name, value)
    lake = LakeResource(snapshot_url=str(tmp_path / "snapshots"), lake_url=str(tmp_path / "lake"))
    write_lake(lake.lake_url, A, crafted.backup_a())
    write_lake(lake.lake_url, B, crafted.backup_b())

    with patched_snowflake(), dg.build_resources({"w": production_warehouse(manifest(tmp_path), {})}) as resources:
        warehouse = resources.w
        warehouse.expose_lake(lake, [A])
        first = dbt_build(tmp_path, [A])
        people = relation_name(tmp_path / "target" / "manifest.json", "people")
        assert people.upper() == f"{DATABASE}.GOLD.PEOPLE"

        warehouse.expose_lake(lake, [B])
        second = dbt_build(tmp_path, [B])  # B's versions against A's: new ones inserted, replaced ones closed

        assert set(second.statuses) == set(first.statuses)
        for table in COMPARED:
            for backup_id in (A, B):
                expected = normalize(rows(duck.query, table, backup_id))
                assert normalize(rows(warehouse.query, table, backup_id)) == expected, (table, backup_id)
        assert rows(warehouse.query, "staging.stg_people", B) != rows(warehouse.query, "staging.stg_people", A)

        # A again: its versions and B's are rebuilt (in one transaction each), not duplicated
        before = {(t, b): rows(warehouse.query, t, b) for t in COMPARED for b in (A, B)}
        dbt_build(tmp_path, [A])
        assert {(t, b): rows(warehouse.query, t, b) for t in COMPARED for b in (A, B)} == before

        # Versions written by an older model: the column the model gained is added through Snowflake's DDL (typed
        # from the model's rows), the one it lost stays in the versions, out of the view.
        plans = dict(warehouse.query(ACCOUNTS_PLANS))
        for statement in AGE_ACCOUNTS:
            warehouse.query(statement)
        write_lake(lake.lake_url, B, changed_account(crafted.backup_b(), AC1))
        warehouse.expose_lake(lake, [B])
        dbt_build(tmp_path, [B], "stg_accounts")
        found, tiers = warehouse.query(ACCOUNTS_AFTER), warehouse.query(ACCOUNT_TIERS)
        assert_accounts_follow_the_model(found, tiers, plans, str(AC1), B)

        # Retention: A leaves every registry (so every view), the versions only A had are purged, and those that
        # began at A begin at B; B answers as before.
        before = {t: rows(warehouse.query, t, B) for t in COMPARED}
        removed = warehouse.retire_backup(lake, A)
        assert removed["STAGING.STG_PEOPLE__BACKUPS"] == 1 and removed["STAGING.STG_PEOPLE__VERSIONS"] > 0
        assert {t: rows(warehouse.query, t, B) for t in COMPARED} == before
        for table in COMPARED:
            assert warehouse.query(f"select count(*) from {table} where backup_id = ?", [A]) == [(0,)], table
            named = f"select count(*) from {table}__versions where valid_from_backup = ? or valid_to_backup = ?"
            assert warehouse.query(named, [A, A]) == [(0,)], table
            every = warehouse.query(f"select count(*) from {table}__versions")
            assert warehouse.query(f"select count(*) from {table} where backup_id = ?", [B]) == every, table
