"""Versioned models on the generated sample database: a chain of backups built one at a time, as the partitions of a
deployment are, must answer for every backup exactly what that backup built on its own answers (the slice design:
each backup computed from its own lake rows), row for row, for every model; while storing versions, not copies.

The sample's usage events get a retention window (the product database drops events older than RETENTION), so that
events leave the source between backups, as they do in production."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from apollo_assets.warehouse.resource import remove_backup

from .conftest import Warehouse, new_warehouse

sample_data = pytest.importorskip("apollo_assets.sample_data")
timeutil = pytest.importorskip("apollo_assets.sample_data.timeutil")

SEED = 7
GENERATIONS = 4
RETENTION = timedelta(days=180)


def backup_id(generation: int) -> str:
    return sample_data.backup_id_for(timeutil.DEFAULT_START + timedelta(days=generation))


def database(generation: int) -> dict[str, list[dict]]:
    """Generation `generation` of the sample, its usage events older than the retention window dropped."""
    docs = sample_data.generate_database(seed=SEED, generation=generation, sizes=sample_data.Sizes())
    cutoff = timeutil.DEFAULT_START + timedelta(days=generation) - RETENTION
    docs["usage_events"] = [e for e in docs["usage_events"] if e["timestamp"] >= cutoff]
    return docs


def models(wh: Warehouse) -> list[str]:
    """schema.table of every model of the project (the views that answer per backup)."""
    return sorted(
        f"{schema}.{name}"
        for schema, name in wh.query(
            "select table_schema, table_name from information_schema.tables where table_type = 'VIEW' "
            "and table_schema in ('staging', 'gold', 'marts', 'ml_features')"
        )
    )


def as_of(wh: Warehouse, backup: str) -> dict[str, list[tuple]]:
    return {model: wh.slice_rows(model, backup) for model in models(wh)}


def built_alone(root: Path, dbt_work: Path, backup: str, docs: dict[str, list[dict]]) -> dict[str, list[tuple]]:
    """Every model's rows for `backup` built into an empty warehouse from that backup alone."""
    wh = new_warehouse(root / backup, dbt_work, mode="view")
    wh.lake.load(backup, docs)
    assert wh.dbt("build", "--exclude", "resource_type:test", backup_ids=[backup]).result.success
    return as_of(wh, backup)


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory, dbt_work: Path) -> Iterator[tuple[Warehouse, dict, Path]]:
    """Backups 0..3 loaded into the lake, then built one at a time (a partition run each)."""
    root = tmp_path_factory.mktemp("versions")
    wh = new_warehouse(root / "chain", dbt_work, mode="view")
    databases = {backup_id(g): database(g) for g in range(GENERATIONS)}
    for backup, docs in databases.items():
        wh.lake.load(backup, docs)
    for backup in databases:
        wh.build(backup_ids=[backup])
    yield wh, databases, root


def test_every_backup_answers_what_it_answers_alone(chain, dbt_work: Path) -> None:
    wh, databases, root = chain
    backups = list(databases)
    assert len(models(wh)) >= 21
    assert sum(len(d["usage_events"]) for d in databases.values()) > 0
    # the events that left the source are closed, not deleted: the warehouse holds more than the last backup
    last = backups[-1]
    events_ever = wh.query("select count(*) from staging.stg_usage_events__versions")[0][0]
    assert events_ever > len(databases[last]["usage_events"])
    for backup in backups[1:]:  # the first one is built alone in the chain too
        expected = built_alone(root / "alone", dbt_work, backup, databases[backup])
        found = as_of(wh, backup)
        assert found.keys() == expected.keys()
        for model in expected:
            assert expected[model], f"{model}: no rows for {backup}"
            assert found[model] == expected[model], f"{model} as of {backup} differs from its build alone"


def test_versions_grow_with_change_not_with_backups(chain) -> None:
    wh, databases, _ = chain
    last = list(databases)[-1]
    for model, collection in (("stg_people", "people"), ("stg_organizations", "organizations")):
        versions = wh.query(f"select count(*) from staging.{model}__versions")[0][0]
        one_backup = len(databases[last][collection])
        # four backups stored in little more than one
        assert versions < 1.2 * one_backup, (model, versions, one_backup)
    open_versions = wh.query("select count(*) from staging.stg_people__versions where valid_to_backup is null")
    assert open_versions == [(len({p["_id"] for p in databases[last]["people"]}),)]
    assert wh.query("select count(*) from staging.stg_people__backups") == [(GENERATIONS,)]


def test_retiring_backups_purges_their_versions_and_keeps_every_other_answer(chain, tmp_path: Path) -> None:
    """Retention (apollo_assets/warehouse/retirement.py) on a copy of the chain: a middle backup and the newest are
    retired. Every other backup answers as before; no version names a retired backup or is valid in none left; and
    the newest, built again, answers as it did (its versions' ends were re-pointed, not left at a retired backup)."""
    wh, databases, _ = chain
    backups = list(databases)
    middle, newest = backups[1], backups[-1]
    before = {backup: as_of(wh, backup) for backup in backups}
    copy = tmp_path / "warehouse.duckdb"
    for suffix in ("", ".wal"):  # dbt, in this process, may hold the file open with changes still in its log
        if wh.path.with_name(wh.path.name + suffix).exists():
            shutil.copy(wh.path.with_name(wh.path.name + suffix), tmp_path / f"warehouse.duckdb{suffix}")
    retired = Warehouse(copy, tmp_path, wh.lake, wh.dbt_work)
    with duckdb.connect(str(copy)) as con:  # what DuckDBWarehouse.retire_backup does, the lake views aside
        purged = [remove_backup(con, backup) for backup in (middle, newest)]
    assert all(any(table.endswith("__versions") for table in removed) for removed in purged), purged

    for backup in backups:
        if backup not in (middle, newest):
            assert as_of(retired, backup) == before[backup], backup
    for model in models(retired):
        versions = f"{model}__versions"
        named = retired.query(
            f"select count(*) from {versions} where valid_from_backup in (?, ?) or valid_to_backup in (?, ?)",
            [middle, newest, middle, newest],
        )
        assert named == [(0,)], model
        valid_somewhere = retired.query(
            f"select count(*) from {versions} as v where exists (select 1 from {model}__backups as r where "
            "r.backup_id >= v.valid_from_backup and (v.valid_to_backup is null or r.backup_id < v.valid_to_backup))"
        )
        assert valid_somewhere == retired.query(f"select count(*) from {versions}"), model
    assert retired.query("select count(*) from staging.stg_people__backups") == [(GENERATIONS - 2,)]

    retired.build(backup_ids=[newest])
    assert as_of(retired, newest) == before[newest]
