"""Producing a fixed set of events and reading back what the lake and the dead-letter topic hold."""

from __future__ import annotations

import json

import duckdb

from apollo_assets.lake.commit_log import OffsetCommitLog
from apollo_assets.sample_data.live_events import LiveEvent, LiveEventSource, world_at_latest_backup
from apollo_assets.storage import Location
from apollo_assets.stream.admin import ensure_topics
from apollo_assets.stream.produce import produce_events
from apollo_assets.stream.topics import dataset_name

START_MS = 1_796_000_000_000  # 2026-11-30T00:53:20Z


def make_events(
    count: int,
    invalid_share: float = 0.0,
    rate: float = 1.0,
    topics=("usage_events", "email_events"),
    start_ms: int = START_MS,
) -> list[LiveEvent]:
    source = LiveEventSource(world_at_latest_backup(None), seed=7)
    return list(source.events(start_ms, rate, count, topics, invalid_share))


def produce(kafka, events: list[LiveEvent], partitions: int = 3) -> None:
    ensure_topics(kafka, partitions=partitions)
    produce_events(kafka, events)


def lake_rows(lake: Location, topic: str) -> list[dict]:
    files = OffsetCommitLog(lake, dataset_name(topic)).files()
    if not files:
        return []
    return (
        duckdb.sql(f"select * from read_parquet({files!r}) order by _kafka_partition, _kafka_offset")
        .to_arrow_table()
        .to_pylist()
    )


def lake_ids(lake: Location, topic: str) -> list[str]:
    return [row["_id"] for row in lake_rows(lake, topic)]


def valid_ids(events: list[LiveEvent], topic: str) -> set[str]:
    return {json.loads(e.value)["_id"] for e in events if e.topic == topic and e.valid}


def read_topic(kafka, topic: str, expected: int, group_suffix: str = "reader") -> list:
    from confluent_kafka import Consumer

    consumer = Consumer(
        {
            **kafka.client_config(),
            "group.id": f"{kafka.group_id}-{group_suffix}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "session.timeout.ms": 6000,
        }
    )
    consumer.subscribe([kafka.topic_prefix + topic])
    found = []
    try:
        for _ in range(120):
            found += [m for m in consumer.consume(1000, timeout=0.5) if m.error() is None]
            if len(found) >= expected:
                break
    finally:
        consumer.close()
    return found
