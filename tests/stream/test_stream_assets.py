"""The stream in the asset graph: the hour sensor follows the lake's watermark; an hour's materialization and the
offsets check against a real broker."""

from __future__ import annotations

import json

import dagster as dg
import pytest

from apollo_assets.lake.commit_log import DataFile, OffsetCommit, OffsetCommitLog
from apollo_assets.lake.resource import LakeResource
from apollo_assets.storage import open_location
from apollo_assets.stream.assets import OFFSETS_CHECK, stream_assets
from apollo_assets.stream.resource import StreamKafkaResource
from apollo_assets.stream.sensor import build_stream_warehouse_sensor, stream_hour_sensor
from apollo_assets.stream.service import StreamOptions, StreamService
from tests.stream.conftest import FAST_GROUP, KEY
from tests.stream.helpers import make_events, produce


def _lake_resource(tmp_path) -> LakeResource:
    return LakeResource(snapshot_url=str(tmp_path / "snapshots"), lake_url=str(tmp_path / "lake"))


def _commit(log: OffsetCommitLog, partition: int, start: int, hour: str, latest: str) -> None:
    name = log.data_file_name(hour, partition, start, start + 10)
    log.append(OffsetCommit(partition, start, start + 10, [DataFile(name, hour, 10, 1)], 10, {}, latest))
    (log.location.local_path(f"{log.path}/{name}")).parent.mkdir(parents=True, exist_ok=True)


def _tick(tmp_path, cursor=None) -> dg.SensorResult:
    context = dg.build_sensor_context(
        cursor=cursor, resources={"lake": _lake_resource(tmp_path), "stream_kafka": StreamKafkaResource()}
    )
    return stream_hour_sensor(context)


def test_the_sensor_requests_each_hour_once_the_slowest_partition_passed_it_plus_the_delay(tmp_path):
    log = OffsetCommitLog(open_location(str(tmp_path / "lake")), "stream/usage_events")
    _commit(log, 0, 0, "2026-11-30T00", "2026-11-30T03:10:00+00:00")
    _commit(log, 1, 0, "2026-11-30T00", "2026-11-30T02:04:00+00:00")  # the watermark: 02:04
    result = _tick(tmp_path)
    assert [(r.partition_key, r.asset_selection[0].to_user_string()) for r in result.run_requests] == [
        ("2026-11-30-00:00", "stream/usage_events")
    ]  # 01:00-02:00 waits for late events until 02:05
    assert _tick(tmp_path, result.cursor).run_requests == []
    _commit(log, 1, 10, "2026-11-30T02", "2026-11-30T03:04:00+00:00")
    later = _tick(tmp_path, result.cursor)
    assert [r.partition_key for r in later.run_requests] == ["2026-11-30-01:00"]
    assert json.loads(later.cursor) == {"usage_events": "2026-11-30-01:00"}


@pytest.mark.integration
@pytest.mark.timeout(180)
def test_an_hour_materializes_with_its_rows_watermark_and_lag_and_the_check_compares_offsets(
    kafka, tmp_path, monkeypatch
):
    events = make_events(1500, topics=("usage_events",))
    produce(kafka, events)
    lake = open_location(str(tmp_path / "lake"))
    service = StreamService(
        kafka, lake, KEY, topics=["usage_events"], options=StreamOptions(500, 1.0, 200_000, "all", FAST_GROUP)
    )
    service.run(until=lambda stats: stats.events >= len(events))
    monkeypatch.setenv("APOLLO_KAFKA_BOOTSTRAP", kafka.bootstrap)
    monkeypatch.setenv("APOLLO_KAFKA_TOPIC_PREFIX", kafka.topic_prefix)
    resources = {"lake": _lake_resource(tmp_path), "stream_kafka": StreamKafkaResource(max_lag_events=100)}
    asset = next(a for a in stream_assets if a.key.path == ["stream", "usage_events"])

    result = dg.materialize([asset], partition_key="2026-11-30-00:00", resources=resources)
    metadata = result.asset_materializations_for_node(asset.op.name)[0].metadata
    in_hour = sum(1 for e in events if e.time_ms < 1_796_000_400_000)  # 01:00
    assert metadata["dagster/row_count"].value == in_hour > 0
    assert metadata["consumer_lag"].value == 0
    assert metadata["watermark"].value.startswith("2026-11-30T01:")
    check = result.get_asset_check_evaluations()[0]
    assert check.check_name == OFFSETS_CHECK and check.passed

    produce(kafka, make_events(300, topics=("usage_events",), start_ms=1_796_010_000_000))  # not consumed
    result = dg.materialize([asset], partition_key="2026-11-30-00:00", resources=resources, raise_on_error=False)
    check = result.get_asset_check_evaluations()[0]
    assert not check.passed and "consumer lag 300 events is over 100" in check.metadata["problems"].value[0]


def test_the_warehouse_sensor_builds_an_hour_once_every_topic_with_data_has_passed_it(tmp_path):
    usage = OffsetCommitLog(open_location(str(tmp_path / "lake")), "stream/usage_events")
    email = OffsetCommitLog(open_location(str(tmp_path / "lake")), "stream/email_events")
    _commit(usage, 0, 0, "2026-11-30T00", "2026-11-30T03:10:00+00:00")
    _commit(email, 0, 0, "2026-11-30T00", "2026-11-30T01:30:00+00:00")  # the slowest topic: 01:30
    context = dg.build_sensor_context(
        resources={"lake": _lake_resource(tmp_path), "stream_kafka": StreamKafkaResource()}
    )
    sensor = build_stream_warehouse_sensor("stream_warehouse")
    result = sensor(context)
    assert [r.partition_key for r in result.run_requests] == ["2026-11-30-00:00"]
    assert json.loads(result.cursor) == {"warehouse": "2026-11-30-00:00"}
    _commit(email, 0, 10, "2026-11-30T03", "2026-11-30T03:20:00+00:00")
    later = sensor(dg.build_sensor_context(cursor=result.cursor, resources=context.resources.original_resource_dict))
    assert [r.partition_key for r in later.run_requests] == ["2026-11-30-01:00", "2026-11-30-02:00"]
