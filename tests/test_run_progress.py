"""What `apollo run` tells a person: layers counted from the assets' groups, progress from the run's real events
(a small job run on a test instance), failures with the asset and the first line of the error, and the
terminal view that prints a layer when it completes."""

from __future__ import annotations

import io

import dagster as dg
import pytest

from apollo_assets.cli.run_view import ProgressView, summary_lines
from apollo_assets.local_run import FOLLOWED, PipelineRun, observe, plan_progress
from apollo_assets.run_progress import RunProgress, first_line, layer_line, status_line
from apollo_assets.settings import load_settings

GROUPS = {
    "mongo/people": "mongo_snapshots",
    "mongo/users": "mongo_snapshots",
    "lake/people": "lake",
    "lake/users": "lake",
    "warehouse/stg_people": "warehouse_staging",
    "warehouse/people": "warehouse_gold",
    "warehouse/mart_reply_training": "marts",
    "warehouse/ml_company_profiles": "ml_features",
    "ml/reply_propensity": "ml",
}
STEPS = {
    "mongo__people": ["mongo/people"],
    "mongo__users": ["mongo/users"],
    "lake__people": ["lake/people"],
    "lake__users": ["lake/users"],
    "warehouse_dbt": [k for k in GROUPS if k.startswith("warehouse/")],
    "ml__reply_propensity": ["ml/reply_propensity"],
}


def test_layers_are_counted_from_the_groups():
    progress = RunProgress.plan(GROUPS, STEPS)
    totals = {name: layer.total for name, layer in progress.layers.items()}
    assert totals == {"snapshots": 2, "lake": 2, "warehouse": 2, "marts": 2, "models": 1}


def test_a_layer_completes_once_each_of_its_assets_is_materialized_once():
    progress = RunProgress.plan(GROUPS, STEPS)
    progress.step_started("mongo__people", 100.0)
    progress.materialized("mongo/people", 102.0)
    progress.materialized("mongo/people", 103.0)  # a retried step reports it again: counted once
    assert (progress.layers["snapshots"].done, progress.layers["snapshots"].complete) == (1, False)
    assert progress.layers["snapshots"].seconds(now=110.0) == 10.0  # still running: up to now
    progress.materialized("mongo/users", 104.5)
    assert progress.layers["snapshots"].complete
    assert progress.layers["snapshots"].seconds(now=200.0) == 4.5  # done: up to its last asset


def test_dbt_starts_both_the_warehouse_and_the_marts():
    progress = RunProgress.plan(GROUPS, STEPS)
    progress.step_started("warehouse_dbt", 50.0)
    assert progress.layers["warehouse"].started == progress.layers["marts"].started == 50.0
    assert progress.layers["lake"].started is None


def test_lines_keep_their_columns_and_the_status_line_lists_what_is_left():
    assert layer_line("warehouse", 13, 13, 20.34) == "  warehouse   13/13    20.3 s"
    assert layer_line("models", 0, 2, None) == "  models       0/2         -"
    progress = RunProgress.plan(GROUPS, STEPS)
    progress.started = 0.0
    progress.step_started("mongo__people", 1.0)
    progress.materialized("mongo/people", 2.0)
    progress.materialized("mongo/users", 3.0)
    line = status_line(progress, now=9.0)
    assert "snapshots" not in line  # complete
    assert line.startswith("  lake 0/2 · warehouse 0/2") and line.endswith("(9s)")


TRUNCATED = "ValueError: people.bson is truncated at byte 12\nmore"
CHECKS = "dagster._core.errors.CheckFailed: 1 check failed:\nlake/people: no_pii_leak\n"


@pytest.mark.parametrize(
    ("message", "cls_name", "expected"),
    [
        (TRUNCATED, "ValueError", "ValueError: people.bson is truncated at byte 12"),
        (CHECKS, "CheckFailed", "CheckFailed: 1 check failed: lake/people: no_pii_leak"),
        ("", None, "error"),
    ],
)
def test_first_line_of_an_error(message, cls_name, expected):
    assert first_line(message, cls_name) == expected


def _events_of_a_failing_run() -> tuple[RunProgress, list[str]]:
    """Two assets in two layers; the lake one fails (a user error), its sibling is bad input (`dg.Failure`)."""
    parts = dg.StaticPartitionsDefinition(["b1"])

    @dg.asset(key=["mongo", "people"], group_name="mongo_snapshots", partitions_def=parts)
    def snapshot() -> None:
        return None

    @dg.asset(key=["lake", "people"], deps=[snapshot], group_name="lake", partitions_def=parts)
    def masked() -> None:
        raise ValueError("people: the policy names a field twice\n(details on the next line)")

    @dg.asset(key=["lake", "users"], deps=[snapshot], group_name="lake", partitions_def=parts)
    def masked_users() -> None:
        raise dg.Failure("users of b1: backup 20261101T040000Z is corrupt", allow_retries=False)

    defs = dg.Definitions(assets=[snapshot, masked, masked_users])
    progress = plan_progress(defs)
    lines = []
    with dg.instance_for_test() as instance:
        job = defs.resolve_implicit_global_asset_job_def()
        result = job.execute_in_process(instance=instance, partition_key="b1", raise_on_error=False)
        assert not result.success
        for record in instance.get_records_for_run(result.run_id, of_type=FOLLOWED).records:
            line = observe(progress, record)
            if line:
                lines.append(line)
    return progress, lines


@pytest.mark.integration  # a Dagster run
def test_a_failed_step_is_told_with_its_asset_and_the_first_line_of_its_error():
    progress, lines = _events_of_a_failing_run()
    assert sorted(lines) == [
        "FAILED lake/people: ValueError: people: the policy names a field twice",
        "FAILED lake/users: users of b1: backup 20261101T040000Z is corrupt",
    ]
    assert progress.failures == lines
    assert progress.layers["snapshots"].complete and progress.layers["lake"].done == 0
    assert progress.started is not None


@pytest.mark.integration  # a Dagster run
def test_the_view_prints_a_layer_when_it_completes_and_what_was_left_at_the_end():
    progress, lines = _events_of_a_failing_run()
    out = io.StringIO()
    view = ProgressView(out)  # not a terminal: no status line, no escape codes
    view(progress, lines)
    view(progress, [])  # nothing new: nothing printed again
    view.finish()
    printed = out.getvalue().splitlines()
    assert printed[:2] == [f"  {line}" for line in lines]
    assert printed[2].split()[:2] == ["snapshots", "1/1"]
    assert printed[3].split()[:2] == ["lake", "0/2"]
    assert len(printed) == 4 and "\x1b" not in out.getvalue()


def test_the_summary_groups_rows_and_metrics_and_names_the_log(tmp_path):
    run = PipelineRun(
        "20261101T040000Z",
        "run-1",
        True,
        materialized=["mongo/people", "lake/people", "ml/reply_propensity"],
        row_counts={"mongo/people": 2000, "lake/people": 2000, "warehouse/people": 1999},
        metrics={"ml/reply_propensity roc_auc": 0.649, "ml/reply_propensity pr_auc": 0.163},
        log_path=tmp_path / "logs" / "apollo-run.log",
        seconds=95.2,
    )
    lines = summary_lines(run, load_settings({"APOLLO_DATA_DIR": str(tmp_path)}))
    assert lines[0] == "Backup 20261101T040000Z: run run-1 succeeded in 1 min 35 s, 3 assets materialized"
    assert "  rows lake = mongo: people=2000" in lines and "  rows warehouse: people=1999" in lines
    assert "  ml/reply_propensity: pr_auc=0.163, roc_auc=0.649" in lines
    assert lines[-1] == f"  event log: {tmp_path / 'logs' / 'apollo-run.log'}"
