"""The warehouse's blocking PII checks on the real platform: they pass on what dbt built from the masked lake, and
a raw email or name planted in a gold table fails them and keeps the ML models from training on it."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest

from apollo_assets.warehouse.pii_checks import CHECK_NAME, build_warehouse_pii_checks

from .raw_pii import documents

ML_KEYS = [dg.AssetKey(["ml", "reply_propensity"]), dg.AssetKey(["ml", "similar_companies"])]
GOLD_PEOPLE = dg.AssetKey(["warehouse", "people"])


@pytest.fixture(scope="module")
def gate(platform) -> dg.JobDefinition:
    """The warehouse checks and the ML models, in one job (the checks as wired, or added when not wired yet)."""
    from apollo_assets.definitions import build_definitions
    from apollo_assets.settings import load_settings

    base = build_definitions(load_settings())
    assets = list(base.assets or [])
    dbt_def = next(a for a in assets if isinstance(a, dg.AssetsDefinition) and a.node_def.name == "warehouse_dbt")
    wired = [c for c in base.asset_checks or [] if c.node_def.name == "warehouse_no_pii_leak"]
    checks = wired[0] if wired else build_warehouse_pii_checks(dbt_def)
    selection = dg.AssetSelection.checks(checks) | dg.AssetSelection.assets(*ML_KEYS)
    defs = dg.Definitions(
        assets=assets,
        asset_checks=[*(base.asset_checks or []), *([] if wired else [checks])],
        resources=base.resources,
        jobs=[dg.define_asset_job("pii_gate", selection=selection)],
    )
    return defs.resolve_job_def("pii_gate")


def run_gate(gate: dg.JobDefinition, platform, backup_id: str) -> dg.ExecuteInProcessResult:
    return gate.execute_in_process(instance=platform.instance, partition_key=backup_id, raise_on_error=False)


def evaluations(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {
        e.asset_check_evaluation_data.asset_key.to_user_string(): e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and e.asset_check_evaluation_data.check_name == CHECK_NAME
    }


def trained(result: dg.ExecuteInProcessResult) -> set[str]:
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    return {key for key in materialized if key.startswith("ml/")}


def test_checks_pass_on_the_built_warehouse_and_let_the_models_train(gate, platform) -> None:
    result = run_gate(gate, platform, platform.backups[0])
    checked = evaluations(result)
    assert {"warehouse/people", "warehouse/companies", "warehouse/mart_reply_training"} <= set(checked)
    assert "warehouse/free_email_domains" not in checked  # a seed: no backup slices
    failed = {key: e.metadata["findings"].value for key, e in checked.items() if not e.passed}
    assert failed == {}
    assert all(e.metadata["fingerprints_checked"].value > 1000 for e in checked.values())
    assert result.success and trained(result) == {"ml/reply_propensity", "ml/similar_companies"}


def test_a_raw_email_or_name_in_a_gold_table_fails_the_check_and_blocks_the_models(gate, platform) -> None:
    backup_id = platform.backups[0]
    person = next(d for d in documents(platform.data_dir / "backups" / backup_id, "people") if d.get("email"))
    warehouse = platform.data_dir / "warehouse.duckdb"
    # gold.people answers per backup from its versions (dbt/README.md): a version valid from that backup on
    table = _relation(warehouse, "gold", "people__versions")
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            f"insert into {table} (person_id, valid_from_backup, employer_name, title) values ('planted', ?, ?, ?)",
            [backup_id, f"Contact {person['email']} today", person["name"]],
        )
    try:
        result = run_gate(gate, platform, backup_id)
    finally:
        with duckdb.connect(str(warehouse)) as con:
            con.execute(f"delete from {table} where person_id = 'planted'")
    checked = evaluations(result)
    assert not checked["warehouse/people"].passed
    findings = checked["warehouse/people"].metadata["findings"].value
    assert findings == {"employer_name": {"email": 1}, "title": {"source_pii": 1}}
    assert all(e.passed for key, e in checked.items() if key != "warehouse/people")
    assert not result.success and trained(result) == set()
    assert person["email"] not in str(checked["warehouse/people"].metadata)


def _relation(path, schema_suffix: str, table: str) -> str:
    with duckdb.connect(str(path), read_only=True) as con:
        schema = con.execute(
            "select table_schema from information_schema.tables where table_name = ? and table_schema like ?",
            [table, f"%{schema_suffix}"],
        ).fetchone()[0]
    return f'"{schema}"."{table}"'
