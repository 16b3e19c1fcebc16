"""The model assets on the sample warehouse: what a materialization leaves in Dagster, the registry and MLflow."""

from __future__ import annotations

import shutil

import dagster as dg
import duckdb
import pytest

from ml_assets.definitions import reply_propensity_model
from ml_assets.registry import ModelRegistry

from .sample import materialize

MODELS = ("reply_propensity", "similar_companies")


def materialization(result: dg.ExecuteInProcessResult, name: str) -> dict:
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key == dg.AssetKey(["ml", name])]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def check(result: dg.ExecuteInProcessResult, name: str, check_name: str) -> dg.AssetCheckEvaluation:
    [found] = [
        e
        for e in result.get_asset_check_evaluations()
        if e.asset_key == dg.AssetKey(["ml", name]) and e.check_name == check_name
    ]
    return found


@pytest.mark.parametrize("name", MODELS)
def test_each_model_is_registered_with_its_partition_metrics_and_plots(sample, name):
    assert sample.result.success
    metadata = materialization(sample.result, name)
    card = ModelRegistry(sample.registry_root).card(name, metadata["version"])
    assert card.training_partition == metadata["training_partition"] == sample.backup_id
    assert card.mlflow_run_id == metadata["mlflow_run_id"]
    metrics = {k.removeprefix("metric/"): v for k, v in metadata.items() if k.startswith("metric/")}
    assert metrics == pytest.approx(card.metrics, nan_ok=True)
    assert all(isinstance(v, float) for v in metrics.values())
    assert "data:image/png;base64," in metadata["evaluation"]
    assert check(sample.result, name, "no_identifier_features").passed
    assert card.checks["beats_baseline"] == check(sample.result, name, "beats_baseline").passed


def test_reply_model_beats_its_baseline_on_the_sample_backup(sample):
    metadata = materialization(sample.result, "reply_propensity")
    assert metadata["metric/roc_auc"] > metadata["metric/baseline_roc_auc"] + 0.02
    assert metadata["metric/brier"] < metadata["metric/baseline_brier"]
    assert metadata["evaluation"].count("data:image/png") == 3  # ROC, calibration, importances
    assert check(sample.result, "reply_propensity", "beats_baseline").passed


def test_the_similar_companies_floor_is_judged_on_its_own_metrics(sample):
    metadata = materialization(sample.result, "similar_companies")
    model, baseline = metadata["metric/precision_at_10"], metadata["metric/baseline_precision_at_10"]
    assert check(sample.result, "similar_companies", "beats_baseline").passed == (model > baseline)
    # On the sample data (accounts prospect one industry each) content similarity beats "the most saved companies".
    assert model > baseline and model > metadata["metric/random_precision"]
    assert metadata["companies"] == len(sample.database["organizations"])  # every organization has a profile


@pytest.mark.parametrize("name", MODELS)
def test_every_training_run_is_recorded_in_mlflow(sample, name):
    from mlflow.tracking import MlflowClient

    metadata = materialization(sample.result, name)
    client = MlflowClient(tracking_uri=sample.mlflow_uri, registry_uri=sample.mlflow_uri)
    run = client.get_run(metadata["mlflow_run_id"])
    assert run.info.status == "FINISHED"
    assert run.data.tags["backup_partition"] == sample.backup_id
    assert run.data.tags["registry_version"] == str(metadata["version"])
    assert run.data.metrics == pytest.approx(
        ModelRegistry(sample.registry_root).card(name, metadata["version"]).metrics
    )
    assert run.data.params
    assert [a.path for a in client.list_artifacts(run.info.run_id, "model")] == ["model/model.skops"]
    [version] = client.search_model_versions(f"name = '{name}'")
    assert version.run_id == run.info.run_id


def event_log(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult) -> str:
    """Everything the run recorded: log messages, metadata, check results, errors with their causes."""
    return "\n".join(repr(entry) for entry in instance.all_logs(result.run_id))


def test_a_pseudonym_among_the_features_blocks_the_model(sample, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(sample.serving_path, warehouse)
    with duckdb.connect(str(warehouse)) as con:  # a masking slip: departments arrive as pseudonyms (the mart is a
        # view of its stored versions)
        con.execute("update marts.mart_reply_training__versions set person_department = md5(message_id)")
        pseudonyms = [row[0] for row in con.sql("select person_department from marts.mart_reply_training").fetchall()]
    instance = dg.DagsterInstance.ephemeral()
    result = materialize(
        sample, [reply_propensity_model], instance, registry_root=tmp_path / "registry", warehouse_path=warehouse
    )
    assert not result.success  # the blocking check fails the step
    evaluation = check(result, "reply_propensity", "no_identifier_features")
    assert not evaluation.passed
    violations = str(evaluation.metadata["violations"].value)
    assert "person_department" in violations and "md5 ids or HMAC pseudonyms" in violations
    logged = event_log(instance, result)
    assert not [value for value in pseudonyms if value in logged]  # the kind of value is named, never one
    assert ModelRegistry(tmp_path / "registry").versions("reply_propensity") == []


def test_a_training_error_reaches_the_event_log_without_the_value_it_quotes(sample, tmp_path):
    """scikit-learn names the value it cannot use ("could not convert string to float: '...'"); the step fails
    naming the step and the error's type, and the value appears nowhere in the run's events."""
    planted = "planted-7f3a-value"
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(sample.serving_path, warehouse)
    with duckdb.connect(str(warehouse)) as con:  # a numeric feature that arrives as text
        con.execute(
            "create or replace table marts.mart_reply_training__versions as "
            f"select * replace ('{planted}' as person_intent_score) from marts.mart_reply_training__versions"
        )
    instance = dg.DagsterInstance.ephemeral()
    result = materialize(
        sample, [reply_propensity_model], instance, registry_root=tmp_path / "registry", warehouse_path=warehouse
    )
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    error = failure.step_failure_data.error.cause  # Dagster's step error wraps the asset's
    assert error.cls_name == "WithheldError"
    assert "reply_propensity: training failed: ValueError" in error.message
    assert error.cause is None and error.context is None
    assert planted not in event_log(instance, result)
