"""The stream's dbt models on DuckDB: hour slices, and the hourly mart where backups and the stream meet without
counting an event seen in both twice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dbt_common.exceptions import CompilationError

from apollo_assets.lake.resource import LakeResource
from apollo_assets.storage import open_location
from apollo_assets.stream.warehouse_assets import STREAM_TABLES, build_stream_warehouse_assets
from apollo_assets.warehouse.resource import DuckDBWarehouse

from . import crafted
from .conftest import Warehouse, new_warehouse
from .stream_crafted import EMAIL, HOUR_BOTH, HOUR_NEW, HOUR_REPLY, USAGE
from .stream_lake import commit_events

MART = "marts.mart_engagement_hourly"
REPLY_IN_B = "2026-09-16T09:00:00"  # backup B's M1 replied later than backup A's
COLUMNS = "usage_events, active_users, engagement_feature_events, messages_sent, messages_opened, messages_clicked, "
COLUMNS += "messages_replied, messages_bounced, events_in_backup, events_in_stream, events_in_both"


def build_stream(warehouse: Warehouse, hours: list[str]):
    build = warehouse.dbt("build", "--select", "tag:stream", "--vars", json.dumps({"stream_hours": hours}))
    assert build.result.success, "dbt build failed:\n" + "\n".join(build.failures())
    return build


def mart(warehouse: Warehouse) -> dict[tuple[str, str], dict]:
    rows = warehouse.dicts(f"select account_id, cast(event_hour as varchar) as hour, {COLUMNS} from {MART}")
    return {(r.pop("account_id"), r.pop("hour")): r for r in rows}


@pytest.fixture(scope="module")
def stream_warehouse(tmp_path_factory: pytest.TempPathFactory, dbt_work: Path) -> Warehouse:
    """Backup A as raw tables and built; the stream's events committed to the lake and exposed."""
    warehouse = new_warehouse(tmp_path_factory.mktemp("stream-warehouse"), dbt_work)
    warehouse.lake.load(crafted.BACKUP_A, crafted.backup_a())
    warehouse.build([crafted.BACKUP_A])
    lake = warehouse.work / "stream-lake"
    commit_events(open_location(str(lake)), "usage_events", USAGE)
    commit_events(open_location(str(lake)), "email_events", EMAIL)
    resource = DuckDBWarehouse(path=str(warehouse.path), dbt_manifest=str(dbt_work / "target" / "manifest.json"))
    exposed = resource.expose_stream(LakeResource(snapshot_url=str(lake), lake_url=str(lake)), STREAM_TABLES)
    assert exposed == {"stream_usage_events": 2, "stream_email_events": 2}  # one file per hour
    return warehouse


def test_an_event_in_a_backup_and_in_the_stream_counts_once(stream_warehouse):
    build_stream(stream_warehouse, [HOUR_BOTH, HOUR_REPLY])
    rows = mart(stream_warehouse)
    ac1 = str(crafted.AC1)
    # Event 1 is in backup A and in the stream; event 101 only in the stream, produced twice.
    assert rows[(ac1, HOUR_BOTH)] == {
        "usage_events": 2,
        "active_users": 1,
        "engagement_feature_events": 1,
        "messages_sent": 0,
        "messages_opened": 0,
        "messages_clicked": 0,
        "messages_replied": 0,
        "messages_bounced": 0,
        "events_in_backup": 1,
        "events_in_stream": 2,
        "events_in_both": 1,
    }
    # M1's reply is in backup A (replied_at) and in the stream (a `replied` event); its click only in the stream.
    reply = rows[(ac1, HOUR_REPLY)]
    assert (reply["messages_replied"], reply["messages_clicked"], reply["usage_events"]) == (1, 1, 0)
    assert (reply["events_in_backup"], reply["events_in_stream"], reply["events_in_both"]) == (1, 2, 1)
    assert rows[(str(crafted.AC3), HOUR_BOTH)]["events_in_backup"] == 1  # backup A's event 4, not in the stream
    # Only the requested hours were built: backup A's other hours and the stream's later one are not there.
    assert {hour for _, hour in rows} == {HOUR_BOTH, HOUR_REPLY}
    staged = stream_warehouse.query("select count(*), count(distinct event_id) from staging.stg_stream_usage_events")
    assert staged == [(2, 2)]


def test_hours_are_slices_rebuilt_in_place(stream_warehouse):
    build_stream(stream_warehouse, [HOUR_BOTH, HOUR_REPLY])
    before = mart(stream_warehouse)
    build_stream(stream_warehouse, [HOUR_NEW])
    build_stream(stream_warehouse, [HOUR_BOTH])  # rebuilt: replaced, not added
    after = mart(stream_warehouse)
    assert after[(str(crafted.AC3), HOUR_NEW)]["usage_events"] == 1
    assert after[(str(crafted.AC1), HOUR_NEW)]["messages_sent"] == 1
    assert {k: v for k, v in after.items() if k[1] != HOUR_NEW} == before


def test_events_held_by_several_backups_count_once_and_the_newest_version_wins(
    tmp_path_factory: pytest.TempPathFactory, dbt_work: Path
):
    """Backups A and B both hold event 1 (a fact: one version) and M1, whose reply B moves to a later hour (two
    versions): the mart reads the staging's versions, each event once, the newest backup's version winning."""
    warehouse = new_warehouse(tmp_path_factory.mktemp("stream-two-backups"), dbt_work)
    backup_b = crafted.backup_b()
    for message in backup_b["emailer_messages"]:
        if message["_id"] == crafted.M1:
            message["replied_at"] = crafted.ts(REPLY_IN_B)
    warehouse.lake.load(crafted.BACKUP_A, crafted.backup_a())
    warehouse.lake.load(crafted.BACKUP_B, backup_b)
    warehouse.build([crafted.BACKUP_A, crafted.BACKUP_B])
    versions = "select count(*) from staging.stg_emailer_messages__versions where message_id = ?"
    assert warehouse.query(versions, [str(crafted.M1)]) == [(2,)]
    lake = warehouse.work / "stream-lake"
    commit_events(open_location(str(lake)), "usage_events", USAGE)
    commit_events(open_location(str(lake)), "email_events", EMAIL)
    resource = DuckDBWarehouse(path=str(warehouse.path), dbt_manifest=str(dbt_work / "target" / "manifest.json"))
    resource.expose_stream(LakeResource(snapshot_url=str(lake), lake_url=str(lake)), STREAM_TABLES)
    sent_hour, reply_hour = "2026-09-14 09:00:00", REPLY_IN_B.replace("T", " ")
    build_stream(warehouse, [HOUR_BOTH, HOUR_REPLY, sent_hour, reply_hour])
    rows = mart(warehouse)
    ac1 = str(crafted.AC1)
    both = rows[(ac1, HOUR_BOTH)]
    assert (both["usage_events"], both["events_in_backup"], both["events_in_both"]) == (2, 1, 1)
    assert rows[(ac1, sent_hour)]["messages_sent"] == 1  # in both versions of M1, counted once
    # B's reply time wins over A's and the stream's: counted in B's hour, seen in a backup and the stream.
    reply = rows[(ac1, reply_hour)]
    assert (reply["messages_replied"], reply["events_in_backup"], reply["events_in_both"]) == (1, 1, 1)
    assert (rows[(ac1, HOUR_REPLY)]["messages_replied"], rows[(ac1, HOUR_REPLY)]["messages_clicked"]) == (0, 1)


def test_an_hour_that_is_not_an_hour_is_refused(stream_warehouse):
    hours = json.dumps({"stream_hours": ["2026-09-10 12:00:00'; drop table marts.x; --"]})
    with pytest.raises(CompilationError, match="not an hour"):
        stream_warehouse.dbt("build", "--select", "tag:stream", "--vars", hours)


@pytest.mark.integration
def test_the_hourly_asset_builds_its_hour_and_runs_the_dbt_tests_as_checks(tmp_path):
    """Through Dagster, on a warehouse that the stream alone feeds (no backup built: the batch side reads no rows).
    Its own DuckDB file: this process's dbt runs keep theirs open."""
    import dagster as dg
    from dagster_dbt import DbtCliResource

    from apollo_assets.resources import dbt_executable
    from apollo_assets.warehouse.dbt_project import build_dbt_project

    lake = str(tmp_path / "lake")
    commit_events(open_location(lake), "usage_events", USAGE)
    commit_events(open_location(lake), "email_events", EMAIL)
    project = build_dbt_project("duckdb")
    warehouse = DuckDBWarehouse(path=str(tmp_path / "warehouse.duckdb"), dbt_manifest=str(project.manifest_path))
    resources = {
        "dbt": DbtCliResource(project_dir=project, target="duckdb", dbt_executable=dbt_executable()),
        "warehouse": warehouse,
        "lake": LakeResource(snapshot_url=lake, lake_url=lake),
    }
    assets = build_stream_warehouse_assets(project)
    result = dg.materialize([assets], partition_key="2026-11-02-09:00", resources=resources)
    assert result.success
    built = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert built == {
        "warehouse/stg_stream_usage_events",
        "warehouse/stg_stream_email_events",
        "warehouse/mart_engagement_hourly",
    }
    checks = result.get_asset_check_evaluations()
    assert checks and all(c.passed for c in checks)
    found = warehouse.query(f"select account_id, usage_events, messages_sent, events_in_backup from {MART}")
    assert sorted(found) == sorted([(str(crafted.AC1), 0, 1, 0), (str(crafted.AC3), 1, 0, 0)])  # the stream's hour
