"""Creating the stream's topics (idempotent) and reading what the brokers hold: end offsets per partition."""

from __future__ import annotations

from collections.abc import Iterable

from apollo_assets.stream.kafka_settings import KafkaSettings
from apollo_assets.stream.topics import DEAD_LETTER, TOPICS, kafka_topic

DEFAULT_PARTITIONS = 3


def ensure_topics(settings: KafkaSettings, partitions: int = DEFAULT_PARTITIONS, timeout: float = 30) -> list[str]:
    """Create the topics and the dead-letter topic where missing; returns their Kafka names."""
    from confluent_kafka import KafkaError, KafkaException
    from confluent_kafka.admin import AdminClient, NewTopic

    names = [kafka_topic(n, settings.topic_prefix) for n in (*TOPICS, DEAD_LETTER)]
    admin = AdminClient(settings.client_config())
    existing = set(admin.list_topics(timeout=timeout).topics)
    wanted = [NewTopic(n, num_partitions=partitions, replication_factor=1) for n in names if n not in existing]
    for future in admin.create_topics(wanted, request_timeout=timeout).values() if wanted else []:
        try:
            future.result()
        except KafkaException as error:
            if error.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise
    return names


def end_offsets(settings: KafkaSettings, topics: Iterable[str], timeout: float = 10) -> dict[str, dict[int, int]]:
    """{Kafka topic: {partition: high watermark}}: the offset the next message of each partition will get.

    Read from fetch responses (a consumer assigned at the end of each partition, nothing read) rather than from a
    ListOffsets request: every broker fills the former, and Tansu answers the latter wrongly (its gap, README).
    """
    import time

    from confluent_kafka import OFFSET_END, Consumer, TopicPartition

    consumer = Consumer(
        {
            **settings.client_config(),
            "group.id": f"{settings.group_id}-monitor",
            "enable.auto.commit": False,
            "fetch.wait.max.ms": 50,
        }
    )
    try:
        metadata = consumer.list_topics(timeout=timeout).topics
        wanted = [TopicPartition(t, p, OFFSET_END) for t in topics if t in metadata for p in metadata[t].partitions]
        consumer.assign(wanted)
        found: dict[str, dict[int, int]] = {t: {} for t in topics}
        deadline = time.monotonic() + timeout
        while True:
            for tp in wanted:
                _, high = consumer.get_watermark_offsets(tp, cached=True)
                if high >= 0:
                    found[tp.topic][tp.partition] = high
            if sum(len(v) for v in found.values()) == len(wanted):
                return {t: dict(sorted(v.items())) for t, v in found.items()}
            if time.monotonic() > deadline:
                raise TimeoutError(f"no end offsets from {settings.bootstrap} in {timeout} s")
            consumer.consume(100, timeout=0.1)  # whatever arrives is ignored: only the watermarks are wanted
    finally:
        consumer.close()
