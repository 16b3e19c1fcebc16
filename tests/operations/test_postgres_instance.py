"""The documented `storage: postgres:` block of dagster.yaml, against a real PostgreSQL started by the test.

The block is read from the repository's dagster.yaml and uncommented, so that the documented text (not a copy of it)
is what runs: runs, event logs, schedules and dynamic partitions then live in PostgreSQL tables. No
`from __future__ import annotations`: Dagster checks the `context` annotation of the asset at definition time.
"""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage, PostgresScheduleStorage

from tests import tiers

from .postgres import PostgresServer, postgres_server

DAGSTER_YAML = Path(__file__).parents[2] / "dagster.yaml"
BACKUPS = ["2025-01-01T00-00", "2025-01-02T00-00"]

backups = dg.DynamicPartitionsDefinition(name="backups")


@dg.asset(partitions_def=backups)
def backup_summary(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"backup": context.partition_key})


def with_postgres_storage(text: str) -> str:
    """dagster.yaml with its commented `# storage:` block (up to the first line that is not `# ...`) uncommented."""
    lines = text.splitlines()
    start = lines.index("# storage:")
    end = start
    while end < len(lines) and lines[end].startswith("# "):
        end += 1
    block = [line.removeprefix("# ") for line in lines[start:end]]
    return "\n".join([*lines[:start], *block, *lines[end:]]) + "\n"


@pytest.fixture(scope="module")
@tiers.integration
def postgres() -> Iterator[PostgresServer]:
    with postgres_server(db_name="dagster", user="apollo") as server:
        yield server


@pytest.fixture
def postgres_instance(postgres, tmp_path, monkeypatch) -> Iterator[dg.DagsterInstance]:
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(with_postgres_storage(DAGSTER_YAML.read_text()))
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("DAGSTER_PG_HOST", postgres.host)
    monkeypatch.setenv("DAGSTER_PG_PORT", str(postgres.port))
    monkeypatch.setenv("DAGSTER_PG_DB", postgres.db_name)
    monkeypatch.setenv("DAGSTER_PG_USER", postgres.user)
    monkeypatch.setenv("DAGSTER_PG_PASSWORD", "unused-with-trust-auth")
    with dg.DagsterInstance.from_config(str(home)) as instance:
        yield instance


def test_the_documented_block_is_the_one_enabled():
    config = yaml.safe_load(with_postgres_storage(DAGSTER_YAML.read_text()))
    assert config["storage"]["postgres"]["postgres_db"] == {
        "hostname": {"env": "DAGSTER_PG_HOST"},
        "port": {"env": "DAGSTER_PG_PORT"},
        "db_name": {"env": "DAGSTER_PG_DB"},
        "username": {"env": "DAGSTER_PG_USER"},
        "password": {"env": "DAGSTER_PG_PASSWORD"},
        "scheme": "postgresql+psycopg2",  # SQLAlchemy 2.1's default for postgresql:// is psycopg 3 (not installed)
    }
    assert "storage" not in yaml.safe_load(DAGSTER_YAML.read_text())  # SQLite stays the default
    assert {k: v for k, v in config.items() if k != "storage"} == yaml.safe_load(DAGSTER_YAML.read_text())


def test_postgres_instance_stores_runs_events_and_partitions(postgres_instance, postgres, tmp_path):
    instance = postgres_instance
    assert isinstance(instance.run_storage, PostgresRunStorage)
    assert isinstance(instance.event_log_storage, PostgresEventLogStorage)
    assert isinstance(instance.schedule_storage, PostgresScheduleStorage)
    assert not (tmp_path / "dagster_home" / "history" / "runs.db").exists()  # no SQLite beside it
    # The rest of dagster.yaml still applies.
    queue = instance.get_concurrency_config().run_queue_config
    assert queue.max_concurrent_runs == 2
    assert queue.tag_concurrency_limits == [{"key": "dagster/backfill", "limit": 1}]
    assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
    assert instance.run_retries_enabled and instance.run_retries_max_retries == 1

    instance.add_dynamic_partitions("backups", BACKUPS)
    assert instance.get_dynamic_partitions("backups") == BACKUPS
    run_ids = []
    for backup in BACKUPS:
        result = dg.materialize([backup_summary], instance=instance, partition_key=backup)
        assert result.success
        run_ids.append(result.run_id)

    key = backup_summary.key
    event = instance.get_latest_materialization_event(key)
    assert event is not None and event.run_id == run_ids[-1]
    assert event.asset_materialization.partition == BACKUPS[-1]
    assert event.asset_materialization.metadata["backup"].value == BACKUPS[-1]
    assert instance.get_materialized_partitions(key) == set(BACKUPS)
    record = instance.get_run_record_by_id(run_ids[0])
    assert record is not None and record.dagster_run.status == dg.DagsterRunStatus.SUCCESS
    assert record.dagster_run.tags["dagster/partition"] == BACKUPS[0]

    # The rows are in PostgreSQL, read with a client of its own.
    conn = postgres.connect()
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT run_id, status FROM runs ORDER BY create_timestamp")
            assert cursor.fetchall() == [(run_id, "SUCCESS") for run_id in run_ids]
            cursor.execute(
                "SELECT run_id, partition FROM event_logs WHERE dagster_event_type = 'ASSET_MATERIALIZATION' "
                "ORDER BY id"
            )
            assert cursor.fetchall() == list(zip(run_ids, BACKUPS, strict=True))
            cursor.execute("SELECT partition FROM dynamic_partitions WHERE partitions_def_name = 'backups' ORDER BY id")
            assert [row[0] for row in cursor.fetchall()] == BACKUPS
            cursor.execute("SELECT asset_key FROM asset_keys")
            assert [row[0] for row in cursor.fetchall()] == [key.to_string()]
    finally:
        conn.close()
