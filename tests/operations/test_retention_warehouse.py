"""Retiring a backup through the backup sensor removes it from the warehouse too: on a DuckDB warehouse that the
real dbt project built over the lake (two backups), it leaves every table with a backup id (the models' registries),
no version begins or ends at it any more, the `lake` views stop reading its files, and the Data & ML service (its
real app) no longer answers for it; the other backup answers as before."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient
from warehouse import crafted  # tests/warehouse: a hand-made database in two backups, and the dbt runner
from warehouse.conftest import new_warehouse
from warehouse.lake_builder import COLLECTIONS, to_arrow

from apollo_assets.operations.backup_sensor import build_backup_sensor
from apollo_assets.warehouse.resource import DuckDBWarehouse
from apollo_assets.warehouse.retirement import backup_tables_sql, versioned_tables, versioned_tables_sql
from ml_assets.service.app import create_app
from ml_assets.service.settings import ServiceSettings
from tests.backups.conftest import make_backup, resources_for, tick

A, B = crafted.BACKUP_A, crafted.BACKUP_B
TOKEN = "retention-tests-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def slices(path: Path) -> dict[tuple[str, str], dict[str, int]]:
    """Rows per backup of every base table that has a backup id column."""
    with duckdb.connect(str(path), read_only=True) as con:
        found = {}
        for schema, table, column in con.execute(backup_tables_sql()).fetchall():
            rows = con.execute(f'select "{column}", count(*) from "{schema}"."{table}" group by 1').fetchall()
            found[schema, table] = dict(rows)
        return found


def answers(path: Path, backup_id: str) -> dict[str, list[tuple]]:
    """Every versioned model's rows for a backup (its view), sorted."""
    with duckdb.connect(str(path), read_only=True) as con:
        found = {}
        for schema, versions, _ in versioned_tables(con.execute(versioned_tables_sql()).fetchall()):
            view = f'"{schema}"."{versions.removesuffix("__versions")}"'
            rows = con.execute(f"select * from {view} where backup_id = ?", [backup_id]).fetchall()
            found[view] = sorted(rows, key=repr)
        return found


def versions_naming(path: Path, backup_id: str) -> dict[str, int]:
    """Per versions table, its versions that begin or end at a backup (none once it is retired)."""
    with duckdb.connect(str(path), read_only=True) as con:
        found = {}
        for schema, versions, _ in versioned_tables(con.execute(versioned_tables_sql()).fetchall()):
            (count,) = con.execute(
                f'select count(*) from "{schema}"."{versions}" where valid_from_backup = ? or valid_to_backup = ?',
                [backup_id, backup_id],
            ).fetchone()
            if count:
                found[f"{schema}.{versions}"] = count
        return found


@pytest.fixture(scope="module")
def dbt_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Backups A and B in a lake, and a DuckDB warehouse that the real dbt project built over its views: built once,
    copied by each test. Returns the folder (lake/, warehouse.duckdb) and dbt's manifest."""
    root = tmp_path_factory.mktemp("retention-build")
    lake = resources_for(str(root / "unused"), root)["lake"]
    for backup_id, documents in ((A, crafted.backup_a()), (B, crafted.backup_b())):
        for collection in COLLECTIONS:
            table = to_arrow(collection, documents.get(collection, []), backup_id)
            lake.masked(collection).write(backup_id, table.schema, table.to_batches())
    dbt = new_warehouse(root / "dbt-build", root / "dbt")
    DuckDBWarehouse(path=str(dbt.path), dbt_manifest="").expose_lake(lake)
    dbt.build(backup_ids=[A, B])
    # dbt keeps its in-process DuckDB open with its own configuration: the tests get a copy (as tests/ml does).
    for suffix in ("", ".wal"):
        if dbt.path.with_name(dbt.path.name + suffix).exists():
            shutil.copy(dbt.path.with_name(dbt.path.name + suffix), root / f"warehouse.duckdb{suffix}")
    with duckdb.connect(str(root / "warehouse.duckdb")) as con:
        con.execute("checkpoint")
    return root, dbt.dbt_work / "target" / "manifest.json"


@pytest.fixture
def built(dbt_build, tmp_path: Path) -> tuple[dict, Path, Path]:
    """The platform's resources over a copy of the build (its bucket holds A and B); the warehouse file, the
    manifest. The copy's views still read the build's lake files until the warehouse re-points them."""
    root, manifest = dbt_build
    shutil.copytree(root / "lake", tmp_path / "lake")
    shutil.copy(root / "warehouse.duckdb", tmp_path / "warehouse.duckdb")
    resources = resources_for(str(tmp_path / "backups"), tmp_path)
    for backup_id in (A, B):
        make_backup(tmp_path / "backups", backup_id)
    resources["warehouse"] = DuckDBWarehouse(path=str(tmp_path / "warehouse.duckdb"), dbt_manifest=str(manifest))
    return resources, tmp_path / "warehouse.duckdb", manifest


def test_a_retired_backup_leaves_the_warehouse_and_the_service(built, tmp_path, test_instance):
    resources, serving, manifest = built
    tick(build_backup_sensor("backup_pipeline"), test_instance, resources)
    before = slices(serving)
    answers_before = answers(serving, B)
    assert versions_naming(serving, A)  # A's versions, before it is retired
    assert len(before) > 20 and all(set(rows) == {A, B} for rows in before.values() if len(rows) > 1)
    person = str(crafted.backup_a()["people"][0]["_id"])
    settings = ServiceSettings(TOKEN, serving, tmp_path / "registry", manifest, poll_seconds=3600.0)
    with TestClient(create_app(settings)) as service:
        assert service.get(f"/people/{person}", headers=AUTH, params={"backup_id": A}).status_code == 200
        activation = service.get("/marts/mart_activation_l1", headers=AUTH, params={"backup_id": A}).json()
        assert activation["total"] > 0

        shutil.rmtree(tmp_path / "backups" / A)  # A leaves the bucket: retired at the next tick
        tick(build_backup_sensor("backup_pipeline"), test_instance, resources)

        assert test_instance.get_dynamic_partitions("backups") == [B]
        after = slices(serving)
        assert after == {table: {b: n for b, n in rows.items() if b != A} for table, rows in before.items()}
        assert answers(serving, B) == answers_before and versions_naming(serving, A) == {}
        with duckdb.connect(str(serving), read_only=True) as con:  # the lake views read B's files only
            assert con.execute("select distinct _backup_id from lake.people").fetchall() == [(B,)]
        assert resources["lake"].masked("people").partitions() == [B]

        assert service.get(f"/people/{person}", headers=AUTH, params={"backup_id": A}).status_code == 404
        assert service.get("/marts/mart_activation_l1", headers=AUTH, params={"backup_id": A}).json()["total"] == 0
        latest = service.get("/marts/mart_activation_l1", headers=AUTH).json()
        assert latest["backup_id"] == B and latest["total"] > 0


@pytest.mark.integration  # a second process holds DuckDB
def test_a_busy_warehouse_keeps_the_backup_and_its_data_until_a_later_tick(built, tmp_path, test_instance):
    resources, serving, _ = built
    sensor = build_backup_sensor("backup_pipeline")
    tick(sensor, test_instance, resources)
    shutil.rmtree(tmp_path / "backups" / A)
    # Another process holds the warehouse (as a dbt build does): DuckDB lets no other process open it meanwhile.
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(serving)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        tick(sensor, test_instance, resources)
        assert test_instance.get_dynamic_partitions("backups") == [A, B]  # kept for now, with its lake data
        assert A in resources["lake"].masked("people").partitions()
    finally:
        holder.communicate("")  # closing stdin releases the file
    tick(sensor, test_instance, resources)
    assert test_instance.get_dynamic_partitions("backups") == [B]
    assert not {b for rows in slices(serving).values() for b in rows} & {A}
    assert resources["lake"].masked("people").partitions() == [B]


HOLD = "import sys, duckdb; con = duckdb.connect(sys.argv[1]); print('holding', flush=True); sys.stdin.read()"
