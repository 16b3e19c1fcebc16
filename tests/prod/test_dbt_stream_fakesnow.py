"""The stream's dbt models on dbt-snowflake (target `fakesnow`): the stream's hours loaded by `SnowflakeWarehouse`
(the hour's rows deleted, its committed files copied in), then the hour slices built over backup A's staging, with
the same hand-checked results as on DuckDB (tests/warehouse/test_stream_models.py)."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pytest
from dbt.cli.main import dbtRunner
from warehouse import crafted
from warehouse.conftest import DBT_DIR, Build, dbt_work  # noqa: F401 (fixture: the integration tier)
from warehouse.stream_crafted import EMAIL, HOUR_BOTH, HOUR_REPLY, USAGE
from warehouse.stream_lake import commit_events

from apollo_assets.lake.resource import LakeResource
from apollo_assets.storage import open_location
from apollo_assets.stream.warehouse_assets import STREAM_TABLES
from apollo_assets.warehouse.snowflake.prod import production_warehouse

from .lake_data import write_lake
from .snowflake_emulator import DATABASE, SCHEMA, patched_snowflake, snowflake_env
from .test_snowflake_loader import manifest

A = crafted.BACKUP_A


def dbt_build(tmp_path: Path, *args: str) -> Build:
    command = ["build", "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR), "--target", "fakesnow"]
    command += ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"), *args]
    result = dbtRunner().invoke(command)
    if result.exception is not None:
        raise result.exception
    build = Build(result)
    assert result.success, "dbt build on fakesnow failed:\n" + "\n".join(build.failures())
    return build


@pytest.mark.timeout(600)
def test_stream_hours_on_snowflake_count_an_event_in_a_backup_and_the_stream_once(tmp_path, monkeypatch, dbt_work):  # noqa: F811
    for name, value in snowflake_env(DATABASE, SCHEMA, FAKESNOW_DATABASE=DATABASE, FAKESNOW_SCHEMA=SCHEMA).items():
        monkeypatch.setenv(name, value)
    lake = LakeResource(snapshot_url=str(tmp_path / "snapshots"), lake_url=str(tmp_path / "lake"))
    write_lake(lake.lake_url, A, crafted.backup_a())
    commit_events(open_location(lake.lake_url), "usage_events", USAGE)
    commit_events(open_location(lake.lake_url), "email_events", EMAIL)
    hours = {"stream_hours": [HOUR_BOTH, HOUR_REPLY]}

    with patched_snowflake(), dg.build_resources({"w": production_warehouse(manifest(tmp_path), {})}) as resources:
        warehouse = resources.w
        warehouse.expose_lake(lake, [A])
        dbt_build(
            tmp_path, "--select", "stg_usage_events", "stg_emailer_messages", "--vars", json.dumps({"backup_ids": [A]})
        )
        folders = ["2026-09-10T12", "2026-09-15T08"]
        assert warehouse.expose_stream(lake, STREAM_TABLES, folders) == {
            "stream_usage_events": 3,
            "stream_email_events": 2,
        }
        # Loading an hour again replaces its rows.
        assert warehouse.expose_stream(lake, STREAM_TABLES, folders[:1]) == {
            "stream_usage_events": 3,
            "stream_email_events": 0,
        }
        assert warehouse.query("select count(*) from LAKE.STREAM_USAGE_EVENTS") == [(3,)]
        dbt_build(tmp_path, "--select", "tag:stream", "--vars", json.dumps(hours))
        found = warehouse.query(
            "select account_id, to_char(event_hour, 'YYYY-MM-DD HH24:MI:SS'), usage_events, messages_replied, "
            "messages_clicked, events_in_backup, events_in_stream, events_in_both from MARTS.MART_ENGAGEMENT_HOURLY"
        )
    ac1 = str(crafted.AC1)
    assert sorted(
        tuple(int(v) if isinstance(v, (int, float)) or hasattr(v, "as_tuple") else v for v in row) for row in found
    ) == [
        (ac1, HOUR_BOTH, 2, 0, 0, 1, 2, 1),
        (ac1, HOUR_REPLY, 0, 1, 1, 1, 2, 1),
        (str(crafted.AC3), HOUR_BOTH, 1, 0, 0, 1, 0, 0),  # backup A's event 4, not in the stream
    ]
