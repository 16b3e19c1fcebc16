"""A stream service in its own process, for the kill -9 and rebalance tests: it prints `consuming` once it owns
partitions, and exits when the lake holds every offset the brokers had when it started (or when told to stop)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time

from apollo_assets.lake.commit_log import OffsetCommitLog
from apollo_assets.masking import MaskingKey
from apollo_assets.storage import open_location
from apollo_assets.stream.admin import end_offsets
from apollo_assets.stream.kafka_settings import KafkaSettings
from apollo_assets.stream.service import StreamOptions, StreamService
from apollo_assets.stream.topics import dataset_name, topic_of


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("--bootstrap", "--prefix", "--group", "--lake", "--assignment"):
        parser.add_argument(name, required=True)
    parser.add_argument("--batch-events", type=int, default=100)
    parser.add_argument("--until-complete", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    logging.getLogger("apollo_assets.stream").setLevel(logging.INFO)
    kafka = KafkaSettings(args.bootstrap, args.group, args.prefix, args.batch_events, 2.0, {})
    lake = open_location(args.lake)
    options = StreamOptions(
        args.batch_events,
        2.0,
        200_000,
        args.assignment,
        {"session.timeout.ms": 6000, "heartbeat.interval.ms": 500, "max.poll.interval.ms": 10000},
    )
    service = StreamService(kafka, lake, MaskingKey(b"k" * 32), options=options)
    targets = end_offsets(kafka, [f"{args.prefix}usage_events", f"{args.prefix}email_events"])
    announced = threading.Event()
    original = service._on_assign

    def on_assign(consumer, partitions) -> None:
        original(consumer, partitions)
        if not announced.is_set():
            announced.set()
            print("consuming", flush=True)

    service._on_assign = on_assign
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    checked = [0.0]

    def complete(_stats) -> bool:
        if not args.until_complete or time.monotonic() - checked[0] < 0.5:
            return False
        checked[0] = time.monotonic()
        for topic, ends in targets.items():
            log = OffsetCommitLog(lake, dataset_name(topic_of(topic, args.prefix).name))
            if any((log.next_offset(p) or 0) < end for p, end in ends.items()):
                return False
        return True

    service.run(stop, until=complete)
    print("done", flush=True)


if __name__ == "__main__":
    main()
