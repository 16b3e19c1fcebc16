"""APOLLO_ENV=prod end to end, against both emulators: a backup uploaded to fake GCS, the backup sensor, and the
pipeline job of `build_definitions(settings)` with the production resources, for that backup: snapshots and the
masked lake on GCS, the lake copied into Snowflake (fakesnow) through the external stage, dbt's `snowflake`
target building the marts, and the models trained on them.

dagster-dbt runs dbt in a subprocess, which an in-process `fakesnow.patch` cannot reach: fakesnow runs as a
server (a thread of this process) instead, and SNOWFLAKE_HOST/PORT/PROTOCOL point both the resource and dbt at
it. So neither the resources nor the dbt target differ from production; only endpoints and credentials do.
"""

from __future__ import annotations

import dagster as dg
import pytest

from apollo_assets.collections import COLLECTIONS
from apollo_assets.definitions import PIPELINE_JOB, build_definitions
from apollo_assets.sample_data import Sizes, write_sample_backup
from apollo_assets.settings import load_settings

from .conftest import upload_folder
from .snowflake_emulator import snowflake_env, snowflake_server

MASKING_KEY = "5e" * 32
# At this sample size (60 companies, 46 distinct keywords) the similar-companies model's own guard refuses the
# keywords as "nearly one value per row", on DuckDB just the same: it needs a larger sample, not another warehouse.
# The reply-propensity model still proves that models train on Snowflake's marts.
SMALL_SAMPLE_MISFIT = dg.AssetKey(["ml", "similar_companies"])
MARTS = ("people", "companies", "mart_activation_l1", "mart_retention_l1", "mart_adoption_l2", "mart_reply_training")


@pytest.mark.timeout(900)  # dbt's subprocess talks to the emulator: a hang after an error fails here, not in CI
def test_a_backup_on_gcs_becomes_marts_and_a_model_in_prod(tmp_path, monkeypatch, bucket, gcs_client):
    backup = write_sample_backup(tmp_path / "generated", sizes=Sizes().scaled(0.2))
    upload_folder(gcs_client, backup, f"gs://{bucket}/backups")

    with snowflake_server() as server, dg.instance_for_test() as instance:
        endpoint = {"SNOWFLAKE_HOST": server["host"], "SNOWFLAKE_PORT": str(server["port"])}
        env = snowflake_env(**endpoint, SNOWFLAKE_PROTOCOL="http") | {
            "APOLLO_ENV": "prod",
            "APOLLO_DATA_DIR": str(tmp_path / "data"),
            "APOLLO_BACKUP_URL": f"gs://{bucket}/backups",
            "APOLLO_SNAPSHOT_URL": f"gs://{bucket}/restricted",
            "APOLLO_LAKE_URL": f"gs://{bucket}/lake",
            "APOLLO_MASKING_KEY": MASKING_KEY,
            "APOLLO_ML_DIR": str(tmp_path / "ml"),
            "APOLLO_WAREHOUSE_PATH": str(tmp_path / "unused.duckdb"),
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        defs = build_definitions(load_settings())

        sensor = defs.resolve_sensor_def("backup_sensor")
        with dg.build_sensor_context(instance=instance, definitions=defs, resources=defs.resources) as context:
            tick = sensor(context)
        assert [r.partition_key for r in tick.run_requests] == [backup.name]  # listed on GCS
        instance.add_dynamic_partitions("backups", [backup.name])

        job = defs.resolve_job_def(PIPELINE_JOB)
        in_job = job.asset_layer.selected_asset_keys  # not the stream's hourly assets
        selection = [k for k in defs.resolve_all_asset_keys() if k in in_job and k != SMALL_SAMPLE_MISFIT]
        result = job.execute_in_process(
            instance=instance, partition_key=backup.name, asset_selection=selection, raise_on_error=False
        )
        assert result.success, failures(result)

        lake_rows = {}
        for event in result.get_asset_materialization_events():
            materialization = event.event_specific_data.materialization
            if materialization.asset_key.path[0] == "lake":
                lake_rows[materialization.asset_key.path[1]] = materialization.metadata["dagster/row_count"].value
        assert set(lake_rows) == set(COLLECTIONS) and all(lake_rows.values())

        objects = [b.name for b in gcs_client.list_blobs(bucket)]
        for collection in COLLECTIONS:
            for zone in ("lake", "restricted"):
                prefix = f"{zone}/{collection}/backup_id={backup.name}/"
                assert f"{prefix}_CURRENT.json" in objects, prefix
                assert any(o.startswith(prefix) and o.endswith(".parquet") for o in objects), prefix

        with dg.build_resources({"warehouse": defs.resources["warehouse"]}) as resources:
            warehouse = resources.warehouse
            for collection, rows in lake_rows.items():  # the lake, copied in full into Snowflake
                loaded = warehouse.query(f"select count(*) from lake.{collection} where _backup_id = ?", [backup.name])
                assert loaded == [(rows,)], collection
            for model in MARTS:
                table = warehouse.relation(model)
                count = warehouse.query(f"select count(*) from {table} where backup_id = ?", [backup.name])[0][0]
                assert count > 0, table

        assert (tmp_path / "ml" / "registry" / "reply_propensity" / "v1" / "card.json").exists()  # trained on Snowflake
        logged = "\n".join(str(r.event_log_entry) for r in instance.get_records_for_run(result.run_id).records)
        assert env["SNOWFLAKE_PASSWORD"] not in logged and MASKING_KEY not in logged


def failures(result: dg.ExecuteInProcessResult) -> str:
    """Failed steps and failed checks (with their metadata), for the assertion message."""
    lines = [f"{e.step_key}: {e.message}" for e in result.all_events if e.is_failure]
    for event in result.all_events:
        evaluation = event.event_specific_data if event.event_type_value == "ASSET_CHECK_EVALUATION" else None
        if evaluation is not None and not evaluation.passed:
            details = {k: v.value for k, v in evaluation.metadata.items()}
            lines.append(f"{evaluation.asset_key.to_user_string()} {evaluation.check_name}: {details}")
    return "\n".join(lines)
