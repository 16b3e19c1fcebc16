"""Rematerializing an older backup recomputes that backup's files in every layer; the warehouse, whose backups are
computed each against the one before, rebuilds the later backups too (to the same answers) and Dagster records
those later partitions as materialized by the run."""

from __future__ import annotations

import hashlib

import dagster as dg
import duckdb


def files_of(root, backup_id):
    marker = f"backup_id={backup_id}"
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file() and marker in p.parts
    }


def warehouse_slice(path, backup_id):
    con = duckdb.connect(str(path), read_only=True)
    tables = con.execute(
        """select table_schema, table_name from information_schema.columns
           where column_name = 'backup_id' and table_schema <> 'lake' order by 1, 2"""
    ).fetchall()
    digest = {}
    for schema, table in tables:
        rows = con.execute(f'select * from "{schema}"."{table}" where backup_id = ? order by all', [backup_id])
        digest[f"{schema}.{table}"] = hashlib.sha256(repr(rows.fetchall()).encode()).hexdigest()
    con.close()
    return digest


def test_rematerializing_one_backup_leaves_the_others_answers_untouched(platform):
    from apollo_assets.local_run import run_backup

    older, newer = platform.backups
    roots = [platform.data_dir / "snapshots", platform.data_dir / "lake"]
    newer_files = {str(r): files_of(r, newer) for r in roots}
    older_files = {str(r): files_of(r, older) for r in roots}
    newer_rows = warehouse_slice(platform.data_dir / "warehouse.duckdb", newer)
    older_rows = warehouse_slice(platform.data_dir / "warehouse.duckdb", older)
    assert all(newer_files.values()) and len(newer_rows) > 10

    rerun = run_backup(platform.instance, dg.RunRequest(run_key=None, partition_key=older))

    assert rerun.success
    assert {str(r): files_of(r, newer) for r in roots} == newer_files
    assert warehouse_slice(platform.data_dir / "warehouse.duckdb", newer) == newer_rows
    # The older backup was really rewritten (new versions), to the same content.
    assert {str(r): files_of(r, older) for r in roots} != older_files
    assert warehouse_slice(platform.data_dir / "warehouse.duckdb", older) == older_rows
    partitions = {
        r.dagster_run.tags.get("dagster/partition")
        for r in platform.instance.get_run_records(dg.RunsFilter(run_ids=[rerun.run_id]))
    }
    assert partitions == {older}
    # The later backup's versioned models were rebuilt by the run: their history in Dagster says so.
    for model in ("stg_people", "people", "mart_activation_l1"):
        records = platform.instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey(["warehouse", model]), asset_partitions=[newer]), limit=1
        ).records
        assert records and records[0].run_id == rerun.run_id, model
        assert records[0].asset_materialization.metadata["rebuilt_after"].value == older
