"""One real Kafka-protocol broker (Tansu, in memory, free loopback port) for the whole session; topics are made
unique per test by a prefix, so tests never see each other's messages."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from apollo_assets.masking import MaskingKey
from apollo_assets.stream.kafka_settings import KafkaSettings

_prefixes = itertools.count()
# Group joins take ~3 s with short sessions (~23 s with librdkafka's default): tests use short ones.
FAST_GROUP = {"session.timeout.ms": 6000, "heartbeat.interval.ms": 500, "max.poll.interval.ms": 10000}
KEY = MaskingKey(b"k" * 32)


@pytest.fixture(scope="session")
def broker(tmp_path_factory):
    from apollo_assets.stream.local_broker import start_local_broker

    log = Path(tmp_path_factory.mktemp("broker")) / "tansu.log"
    with start_local_broker(log_file=log) as running:
        yield running


@pytest.fixture
def kafka(broker) -> KafkaSettings:
    """Settings for this test: its own topic prefix and group, small batches."""
    n = next(_prefixes)
    return KafkaSettings(
        bootstrap=broker.bootstrap,
        group_id=f"test-{n}",
        topic_prefix=f"t{n}.",
        batch_events=500,
        batch_seconds=1.0,
        security={},
    )
