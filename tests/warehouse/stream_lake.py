"""Write the stream's lake datasets as `apollo stream` does (decode, mask, one file per hour, commit record), without
a broker: for the tests of the stream's dbt models."""

from __future__ import annotations

import json
from collections.abc import Sequence

from apollo_assets.lake.commit_log import OffsetCommitLog
from apollo_assets.masking import Masker, MaskingKey, load_policy
from apollo_assets.storage import Location
from apollo_assets.stream.batches import PendingBatch, commit_record, prepare, write_files
from apollo_assets.stream.topics import TOPICS, dataset_name

KEY = MaskingKey(b"stream-warehouse-tests-key-0123456789")


def commit_events(lake: Location, topic: str, bodies: Sequence[dict], partition: int = 0) -> None:
    """Append `bodies` (JSON messages of the topic) to the partition's commit log as one micro-batch."""
    stream = TOPICS[topic]
    log = OffsetCommitLog(lake, dataset_name(topic))
    start = log.next_offset(partition) or 0
    batch = PendingBatch(stream, partition, start)
    for i, body in enumerate(bodies):
        batch.add(json.dumps(body).encode(), [("schema", stream.schema_id.encode())], start + i)
    masked, dead = prepare(batch, Masker(load_policy(topic), KEY, stream.contract().arrow_schema))
    assert not dead, dead
    last = log.last(partition)
    record = commit_record(batch, write_files(log, batch, masked), dead, masked, last.max_event_time if last else None)
    log.append(record)
