"""`apollo stream`: a consumer group that writes the topics into the masked lake, exactly once.

Each assigned partition is read from the offset the lake's commit log says comes next (never from the group's
committed offset, which only follows the lake for monitoring tools). Messages collect in a per-partition batch
that is written when it reaches the next multiple of `batch_events` in offset space or is `batch_seconds` old, or
when the buffer holds `max_buffered_events` in all (the oldest batch first): a slow disk slows the loop, which
polls less, and librdkafka's bounded prefetch queue (`queued.max.messages.kbytes`) stops fetching. The memory is
therefore bounded by that queue plus `max_buffered_events` messages.

A batch is decoded (schema), its rejects sent to the dead-letter topic (and delivered) first, the rest masked by the
batch path's `Masker` and written; then one record of the commit log publishes the files with the offsets. A
revoked partition's unwritten batch is dropped: its next owner reads it again from the lake's offset. Two owners
of one partition (a zombie after a missed session timeout) race for the same record name and only one wins.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from apollo_assets.lake.commit_log import CommitConflict, OffsetCommitLog
from apollo_assets.masking import Masker, MaskingKey, load_policy
from apollo_assets.storage import Location
from apollo_assets.stream.batches import PendingBatch, commit_record, prepare, write_files
from apollo_assets.stream.kafka_settings import KafkaSettings
from apollo_assets.stream.subscriptions import Subscriptions
from apollo_assets.stream.topics import DEAD_LETTER, TOPICS, StreamTopic, dataset_name, kafka_topic

log = logging.getLogger(__name__)
CONSUME_BATCH = 10_000


@dataclass
class StreamStats:
    events: int = 0  # rows committed to the lake
    dead_letters: int = 0
    commits: int = 0
    conflicts: int = 0
    last_commit: float = 0.0  # monotonic
    seconds: dict[str, float] = field(default_factory=dict)  # where the time went: decode_mask, write, commit

    def spent(self, stage: str, since: float) -> float:
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - since
        return now


@dataclass
class StreamOptions:
    batch_events: int = 50_000
    batch_seconds: float = 2.0
    max_buffered_events: int = 200_000
    # "group": partitions come from the consumer group (rebalances move them); "all": this process reads every
    # partition itself (one instance; no group join, so a restart is reading again within a second).
    assignment: str = "group"
    consumer_config: dict[str, object] = field(default_factory=dict)  # overrides (tests: shorter timeouts)


class StreamService:
    def __init__(
        self,
        settings: KafkaSettings,
        lake: Location,
        key: MaskingKey,
        topics: Iterable[str] = TOPICS,
        options: StreamOptions | None = None,
        subscriptions: Subscriptions | None = None,
    ) -> None:
        self.settings, self.lake = settings, lake
        self.options = options or StreamOptions(settings.batch_events, settings.batch_seconds)
        self.topics = {kafka_topic(name, settings.topic_prefix): TOPICS[name] for name in topics}
        self.logs = {name: OffsetCommitLog(lake, dataset_name(t.name)) for name, t in self.topics.items()}
        self.maskers = {name: _masker(t, key) for name, t in self.topics.items()}
        self.subscriptions = subscriptions
        self.pending: dict[tuple[str, int], PendingBatch] = {}
        self.event_max: dict[tuple[str, int], str | None] = {}
        self.stats = StreamStats()
        self._consumer = None
        self._producer = None

    # -- the loop ---------------------------------------------------------------------------------------------

    def run(
        self, stop: threading.Event | None = None, until: Callable[[StreamStats], bool] | None = None
    ) -> StreamStats:
        from confluent_kafka import Consumer, Producer  # imported here: loading the definitions must not need it

        stop = stop or threading.Event()
        config = {
            **self.settings.client_config(),
            "group.id": self.settings.group_id,
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "auto.offset.reset": "earliest",
            "queued.max.messages.kbytes": 32_768,  # librdkafka's prefetch: bounded, part of the memory bound
            "session.timeout.ms": 10_000,
            **self.options.consumer_config,
        }
        kafka_log = logging.getLogger("apollo.stream.kafka")
        self._producer = Producer(
            {**self.settings.client_config(), "enable.idempotence": True, "linger.ms": 5}, logger=kafka_log
        )
        self._consumer = Consumer(config, logger=kafka_log)
        log.info(
            "stream: consuming %s as group %s (%s)",
            sorted(self.topics),
            self.settings.group_id,
            self.settings.describe(),
        )
        if self.options.assignment == "all":
            self._on_assign(self._consumer, self._all_partitions())
        else:
            self._consumer.subscribe(
                list(self.topics), on_assign=self._on_assign, on_revoke=self._on_revoke, on_lost=self._on_revoke
            )
        try:
            while not stop.is_set() and not (until and until(self.stats)):
                room = self.options.max_buffered_events - self._buffered()
                messages = self._consumer.consume(max(1, min(CONSUME_BATCH, room)), timeout=0.1) if room > 0 else []
                if messages:
                    self._take(messages)
                self._flush_due(time.monotonic())
        finally:
            self.pending.clear()  # unwritten batches are read again by whoever owns their partitions next
            self._consumer.close()
            self._producer.flush(10)
            self._consumer = self._producer = None  # librdkafka's threads end with the clients
        return self.stats

    def _take(self, messages: list) -> None:
        """Append each message to its partition's batch; write a batch that reaches its offset boundary.

        The consumer's hot loop (once per message): a handful of C calls and three appends, nothing else."""
        pending, step = self.pending, self.options.batch_events
        for message in messages:
            if message.error() is not None:
                self._take_error(message)
                continue
            offset = message.offset()
            batch = pending.get((message.topic(), message.partition()))
            if batch is None or offset < batch.end:  # revoked meanwhile, or delivered twice after a seek
                continue
            if not batch.offsets:  # the clock of `batch_seconds` starts with the batch's first message
                batch.opened = time.monotonic()
            batch.add(message.value(), message.headers(), offset)
            if batch.end >= (batch.start // step + 1) * step:
                self._write(batch)

    def _take_error(self, message) -> None:
        from confluent_kafka import KafkaError

        if message.error().code() == KafkaError._PARTITION_EOF:
            return
        if message.error().fatal():
            raise RuntimeError(f"Kafka: {message.error().str()}")
        log.warning("stream: %s", message.error().str())

    def _flush_due(self, now: float) -> None:
        for batch in list(self.pending.values()):
            if batch.values and now - batch.opened >= self.options.batch_seconds:
                self._write(batch)
        while self._buffered() >= self.options.max_buffered_events:  # backpressure: write before reading more
            self._write(max(self.pending.values(), key=len))

    def _buffered(self) -> int:
        return sum(len(b) for b in self.pending.values())

    # -- one batch --------------------------------------------------------------------------------------------

    def _write(self, batch: PendingBatch) -> None:
        kafka_name = kafka_topic(batch.topic.name, self.settings.topic_prefix)
        commit_log = self.logs[kafka_name]
        clock = time.perf_counter()
        masked, dead = prepare(batch, self.maskers[kafka_name])
        clock = self.stats.spent("decode_mask", clock)
        self._send_dead_letters(kafka_name, batch.partition, dead)
        files = write_files(commit_log, batch, masked)
        clock = self.stats.spent("write", clock)
        if self.subscriptions is not None and masked.num_rows:
            # Before the commit: a crash in between replays the batch, so subscribers see every event at least once.
            self.subscriptions.dispatch(batch.topic.name, masked)
        record = commit_record(batch, files, dead, masked, self.event_max.get((kafka_name, batch.partition)))
        key = (kafka_name, batch.partition)
        try:
            commit_log.append(record)
            self.stats.spent("commit", clock)
        except CommitConflict:
            # Another consumer continued this partition first: its record stands, ours is dropped, and we go on
            # from what the lake now says (or lose the partition at the next rebalance).
            self.stats.conflicts += 1
            log.warning(
                "stream: %s[%d] was committed from %d by another consumer", kafka_name, batch.partition, batch.start
            )
            self._restart_partition(kafka_name, batch.partition)
            return
        self.stats.events += record.rows
        self.stats.dead_letters += len(dead)
        self.stats.commits += 1
        self.stats.last_commit = time.monotonic()
        self.event_max[key] = record.max_event_time
        self.pending[key] = PendingBatch(batch.topic, batch.partition, record.end)
        self._commit_group_offset(kafka_name, batch.partition, record.end)

    def _send_dead_letters(self, kafka_name: str, partition: int, dead: list[tuple[int, str, bytes]]) -> None:
        if not dead:
            return
        failures = []

        def delivered(error, _message) -> None:
            if error is not None:
                failures.append(error.str())

        target = kafka_topic(DEAD_LETTER, self.settings.topic_prefix)
        for offset, reason, value in dead:
            headers = {"reason": reason, "topic": kafka_name, "partition": str(partition), "offset": str(offset)}
            # Keyed by the message's coordinates: a replay after a crash sends the same key (compaction keeps one).
            key = f"{kafka_name}/{partition}/{offset}".encode()
            while True:
                try:
                    self._producer.produce(target, value, key=key, headers=headers, on_delivery=delivered)
                    break
                except BufferError:
                    self._producer.poll(0.1)
        if self._producer.flush(30) or failures:  # nothing is committed past a dead letter that was not delivered
            raise RuntimeError(f"dead-letter topic {target}: {len(failures) or 'some'} message(s) not delivered")

    def _commit_group_offset(self, kafka_name: str, partition: int, end: int) -> None:
        from confluent_kafka import KafkaException, TopicPartition

        try:
            self._consumer.commit(offsets=[TopicPartition(kafka_name, partition, end)], asynchronous=True)
        except KafkaException as error:  # informational only: the lake holds the offsets that count
            log.info("stream: group offset not committed (%s)", error)

    # -- ownership ----------------------------------------------------------------------------------------------

    def _on_assign(self, consumer, partitions) -> None:
        from confluent_kafka import OFFSET_BEGINNING

        for tp in partitions:
            commit_log = self.logs[tp.topic]
            last = commit_log.last(tp.partition)
            start = last.end if last else None
            for orphan in commit_log.orphans(tp.partition, start or 0):  # a crash's files: never named, now gone
                self.lake.fs.delete_file(orphan)
            tp.offset = start if start is not None else OFFSET_BEGINNING
            self.pending[(tp.topic, tp.partition)] = PendingBatch(self.topics[tp.topic], tp.partition, start or 0)
            self.event_max[(tp.topic, tp.partition)] = last.max_event_time if last else None
        log.info("stream: assigned %s", [(tp.topic, tp.partition, tp.offset) for tp in partitions])
        consumer.assign(partitions)

    def _all_partitions(self) -> list:
        from confluent_kafka import TopicPartition

        metadata = self._consumer.list_topics(timeout=30).topics
        missing = [t for t in self.topics if t not in metadata]
        if missing:
            raise RuntimeError(f"topics {missing} do not exist on {self.settings.bootstrap}")
        return [TopicPartition(t, p) for t in sorted(self.topics) for p in sorted(metadata[t].partitions)]

    def _on_revoke(self, consumer, partitions) -> None:
        for tp in partitions:
            self.pending.pop((tp.topic, tp.partition), None)
        log.info("stream: revoked %s", [(tp.topic, tp.partition) for tp in partitions])

    def _restart_partition(self, kafka_name: str, partition: int) -> None:
        from confluent_kafka import TopicPartition

        last = self.logs[kafka_name].last(partition)
        start = last.end if last else 0
        self.pending[(kafka_name, partition)] = PendingBatch(self.topics[kafka_name], partition, start)
        self.event_max[(kafka_name, partition)] = last.max_event_time if last else None
        self._consumer.seek(TopicPartition(kafka_name, partition, start))


def _masker(topic: StreamTopic, key: MaskingKey) -> Masker:
    masker = Masker(load_policy(topic.name), key, topic.contract().arrow_schema)
    if topic.event_time not in masker.output_schema.names:
        raise ValueError(f"policies/{topic.name}.yaml must keep {topic.event_time!r}: it places events in their hour")
    return masker
