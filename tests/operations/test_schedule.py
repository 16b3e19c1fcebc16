"""The daily fallback requests what the latest backups still miss, and nothing when all is there."""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg
import pytest

from apollo_assets.operations.schedule import FALLBACK_SCHEDULE

P, Q = "20261101T040000Z", "20261102T040000Z"
MORNING = datetime(2026, 11, 2, 7, tzinfo=UTC)


@pytest.fixture
def evaluate(platform_defs, test_instance):
    schedule = platform_defs.resolve_schedule_def(FALLBACK_SCHEDULE)
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING and schedule.cron_schedule == "0 7 * * *"

    def evaluate():
        repository = platform_defs.get_repository_def()
        with dg.build_schedule_context(
            instance=test_instance, scheduled_execution_time=MORNING, repository_def=repository
        ) as context:
            return schedule.evaluate_tick(context)

    return evaluate


def report_all_but(instance, defs, partition: str, missing: set[str]) -> None:
    for spec in defs.resolve_all_asset_specs():
        if spec.key.to_user_string() not in missing:
            instance.report_runless_asset_event(dg.AssetMaterialization(spec.key, partition=partition))


def test_it_requests_only_what_is_missing(evaluate, platform_defs, test_instance):
    test_instance.add_dynamic_partitions("backups", [P, Q])
    report_all_but(test_instance, platform_defs, P, set())
    report_all_but(test_instance, platform_defs, Q, {"ml/similar_companies", "warehouse/people"})

    (request,) = evaluate().run_requests
    assert request.partition_key == Q
    assert {k.to_user_string() for k in request.asset_selection} == {"ml/similar_companies", "warehouse/people"}
    assert request.run_key == f"fallback/{Q}/20261102"  # once a day at most


def test_it_leaves_a_backup_alone_while_its_run_goes_on(evaluate, platform_defs, test_instance):
    test_instance.add_dynamic_partitions("backups", [P])
    report_all_but(test_instance, platform_defs, P, {"ml/reply_propensity"})
    run = dg.DagsterRun(job_name="backup_pipeline", tags={"dagster/partition": P}, status=dg.DagsterRunStatus.STARTED)
    test_instance.add_run(run)
    assert not evaluate().run_requests
    test_instance.report_run_failed(run)
    assert [r.partition_key for r in evaluate().run_requests] == [P]


def test_it_skips_when_everything_is_materialized(evaluate, platform_defs, test_instance):
    test_instance.add_dynamic_partitions("backups", [P])
    report_all_but(test_instance, platform_defs, P, set())
    result = evaluate()
    assert not result.run_requests and "materialized" in result.skip_message


def test_it_leaves_a_backup_whose_retries_the_sensor_gave_up_to_an_operator(evaluate, platform_defs, test_instance):
    test_instance.add_dynamic_partitions("backups", [P, Q])
    report_all_but(test_instance, platform_defs, P, {"ml/reply_propensity"})
    report_all_but(test_instance, platform_defs, Q, {"ml/reply_propensity"})
    tags = {"dagster/partition": P, "apollo/backup": P, "apollo/trigger": "backup_sensor:gave_up"}
    test_instance.add_run(dg.DagsterRun(job_name="backup_pipeline", tags=tags, status=dg.DagsterRunStatus.FAILURE))
    assert [r.partition_key for r in evaluate().run_requests] == [Q]
