"""`apollo generate-events` against a real broker: events of the sample world, at a rate, on the chosen topics."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from apollo_assets.cli import main
from apollo_assets.sample_data.live_events import world_at_latest_backup

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


def _read_all(kafka, topic: str, expected: int) -> list:
    from confluent_kafka import Consumer

    consumer = Consumer(
        {
            **kafka.client_config(),
            "group.id": f"{kafka.group_id}-reader",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "session.timeout.ms": 6000,
        }
    )
    consumer.subscribe([kafka.topic_prefix + topic])
    found = []
    try:
        for _ in range(200):
            found += [m for m in consumer.consume(1000, timeout=0.5) if m.error() is None]
            if len(found) >= expected:
                break
    finally:
        consumer.close()
    return found


def test_generate_events_produces_the_worlds_events(kafka, monkeypatch, tmp_path):
    monkeypatch.setenv("APOLLO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("APOLLO_KAFKA_TOPIC_PREFIX", kafka.topic_prefix)
    result = CliRunner().invoke(
        main,
        [
            "generate-events",
            "--rate",
            "400",
            "--duration",
            "1",
            "--topics",
            "usage_events",
            "--bootstrap",
            kafka.bootstrap,
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["produced"] == {"usage_events": 400}
    messages = _read_all(kafka, "usage_events", 400)
    assert len(messages) == 400
    world = world_at_latest_backup(None)
    bodies = [json.loads(m.value()) for m in messages]
    assert {b["user_id"] for b in bodies} <= {str(u) for u in world.users}
    assert all(m.key().decode() == b["account_id"] for m, b in zip(messages, bodies, strict=True))
    assert all(dict(m.headers())["schema"] == b"usage_events/v1" for m in messages)


def test_generate_events_refuses_an_unknown_topic(kafka):
    result = CliRunner().invoke(main, ["generate-events", "--topics", "clicks", "--bootstrap", kafka.bootstrap])
    assert result.exit_code != 0 and "unknown topic" in result.output
