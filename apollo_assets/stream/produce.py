"""Producing events to the stream's topics: idempotent, keyed by account, paced to a rate."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from apollo_assets.sample_data.live_events import LiveEvent
from apollo_assets.stream.kafka_settings import KafkaSettings
from apollo_assets.stream.topics import SCHEMA_HEADER, TOPICS, kafka_topic


@dataclass
class ProduceSummary:
    produced: dict[str, int] = field(default_factory=dict)
    invalid: int = 0
    seconds: float = 0.0


def produce_events(
    settings: KafkaSettings, events: Iterable[LiveEvent], rate: float | None = None, producer=None
) -> ProduceSummary:
    """Send `events` (at most `rate` a second when given, else as fast as the brokers take them); waits for every
    delivery and raises if one failed."""
    import logging

    from confluent_kafka import Producer

    own = producer is None
    producer = producer or Producer(
        {**settings.client_config(), "enable.idempotence": True, "linger.ms": 5},
        logger=logging.getLogger("apollo.stream.kafka"),
    )
    failures: list[str] = []

    def delivered(error, _message) -> None:
        if error is not None:
            failures.append(error.str())

    summary, started = ProduceSummary(), time.monotonic()
    for count, event in enumerate(events):
        if rate and count % 100 == 0:
            ahead = started + count / rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
        topic = TOPICS[event.topic]
        headers = [(SCHEMA_HEADER, topic.schema_id.encode())]
        while True:
            try:
                producer.produce(
                    kafka_topic(event.topic, settings.topic_prefix),
                    event.value,
                    key=event.key,
                    headers=headers,
                    on_delivery=delivered,
                )
                break
            except BufferError:  # the local queue is full: let deliveries drain it
                producer.poll(0.05)
        producer.poll(0)
        summary.produced[event.topic] = summary.produced.get(event.topic, 0) + 1
        summary.invalid += not event.valid
    remaining = producer.flush(60)
    summary.seconds = time.monotonic() - started
    if remaining or failures:
        raise RuntimeError(f"{remaining + len(failures)} event(s) not delivered: {failures[:1]}")
    if own:
        del producer
    return summary
