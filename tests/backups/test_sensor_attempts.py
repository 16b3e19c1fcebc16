"""The backup sensor retries a failed run a bounded number of times, then leaves it failed with one alert; and a
backup that was retired and comes back into the bucket is ingested again."""

from __future__ import annotations

import logging
import shutil
from datetime import timedelta

import dagster as dg
import pytest

from apollo_assets.backups.attempts import RunRetries, given_up, run_retries_from_env
from apollo_assets.operations.backup_sensor import build_backup_sensor
from tests.backups.conftest import make_backup, resources_for

BACKUP = "20261101T040000Z"
NO_DELAY = RunRetries(max_retries=2, delay=timedelta(0))


@pytest.fixture
def res(tmp_path):
    (tmp_path / "bucket").mkdir()
    return resources_for(str(tmp_path / "bucket"), tmp_path)


def tick(sensor, instance: dg.DagsterInstance, resources: dict, status=dg.DagsterRunStatus.SUCCESS) -> list[dict]:
    """Evaluate the sensor and apply its result as the daemon does; each run it asks for ends with `status`.
    Returns the tags of the runs created."""
    with dg.build_sensor_context(instance=instance, resources=resources) as context:
        result = sensor(context)
    created = []
    if isinstance(result, dg.SensorResult):
        for request in result.dynamic_partitions_requests or []:
            for key in request.partition_keys:
                if isinstance(request, dg.DeleteDynamicPartitionsRequest):
                    instance.delete_dynamic_partition(request.partitions_def_name, key)
                else:
                    instance.add_dynamic_partitions(request.partitions_def_name, [key])
        for request in result.run_requests or []:
            tags = {**request.tags, "dagster/run_key": request.run_key, "dagster/partition": request.partition_key}
            run = instance.add_run(dg.DagsterRun(job_name="backup_pipeline", tags=tags, status=status))
            created.append(dict(run.tags))
    return created


def keys_and_attempts(created: list[dict]) -> list[tuple[str, str]]:
    return [(tags["dagster/run_key"], tags["apollo/attempt"]) for tags in created]


def test_a_failed_run_is_retried_a_bounded_number_of_times_then_left_failed_with_one_alert(
    res, tmp_path, test_instance, caplog
):
    make_backup(tmp_path / "bucket", BACKUP)
    sensor = build_backup_sensor("backup_pipeline", retries=NO_DELAY)
    failed = dg.DagsterRunStatus.FAILURE
    attempts = [keys_and_attempts(tick(sensor, test_instance, res, failed)) for _ in range(3)]
    assert attempts == [[(BACKUP, "1")], [(f"{BACKUP}:1", "2")], [(f"{BACKUP}:2", "3")]]

    with caplog.at_level(logging.ERROR, logger="apollo.alerts"):
        assert tick(sensor, test_instance, res, failed) == []  # the third failure was the last attempt
        assert tick(sensor, test_instance, res, failed) == []
    alerts = [r.getMessage() for r in caplog.records if r.name == "apollo.alerts"]
    assert len(alerts) == 1 and f"backup {BACKUP}" in alerts[0] and "failed 3 times" in alerts[0]
    assert given_up(test_instance, BACKUP)  # the daily fallback leaves it to an operator too


def test_a_retry_that_succeeds_ends_the_retries(res, tmp_path, test_instance):
    make_backup(tmp_path / "bucket", BACKUP)
    sensor = build_backup_sensor("backup_pipeline", retries=NO_DELAY)
    assert keys_and_attempts(tick(sensor, test_instance, res, dg.DagsterRunStatus.FAILURE)) == [(BACKUP, "1")]
    assert keys_and_attempts(tick(sensor, test_instance, res)) == [(f"{BACKUP}:1", "2")]
    assert tick(sensor, test_instance, res) == [] and tick(sensor, test_instance, res) == []
    assert not given_up(test_instance, BACKUP)


def test_a_run_that_dagster_relaunches_itself_or_that_just_failed_waits(res, tmp_path, test_instance):
    make_backup(tmp_path / "bucket", BACKUP)
    (first,) = tick(build_backup_sensor("backup_pipeline"), test_instance, res, dg.DagsterRunStatus.FAILURE)
    # Just failed: the default delay gives a transient cause time to pass before the next attempt.
    assert tick(build_backup_sensor("backup_pipeline"), test_instance, res) == []

    (run,) = test_instance.get_run_records()
    test_instance.add_run_tags(run.dagster_run.run_id, {"dagster/will_retry": "true"})  # dagster.yaml run_retries
    assert tick(build_backup_sensor("backup_pipeline", retries=NO_DELAY), test_instance, res) == []
    assert first["apollo/attempt"] == "1"


def test_a_retired_backup_that_comes_back_is_ingested_again(res, tmp_path, test_instance):
    folder = make_backup(tmp_path / "bucket", BACKUP)
    make_backup(tmp_path / "bucket", "20261102T040000Z")
    sensor = build_backup_sensor("backup_pipeline")
    assert len(tick(sensor, test_instance, res)) == 2
    kept = tmp_path / "kept"
    shutil.move(folder, kept)  # deleted from the bucket: retired

    assert tick(sensor, test_instance, res) == []
    assert test_instance.get_dynamic_partitions("backups") == ["20261102T040000Z"]

    shutil.move(kept, folder)  # restored
    assert keys_and_attempts(tick(sensor, test_instance, res)) == [(f"{BACKUP}:1", "1")]
    assert sorted(test_instance.get_dynamic_partitions("backups")) == [BACKUP, "20261102T040000Z"]
    assert tick(sensor, test_instance, res) == []  # and once only


def test_the_number_of_retries_comes_from_the_environment():
    assert run_retries_from_env({}).max_retries == 3
    assert run_retries_from_env({"APOLLO_BACKUP_RUN_RETRIES": "0"}).max_retries == 0
    with pytest.raises(ValueError, match="APOLLO_BACKUP_RUN_RETRIES must be a whole number"):
        run_retries_from_env({"APOLLO_BACKUP_RUN_RETRIES": "-1"})
