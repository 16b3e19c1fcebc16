"""The stream's lake datasets as hourly-partitioned assets, each with a check of the lake against the brokers.

`apollo stream` writes the files continuously; materializing an hour (requested by `stream_hour_sensor` once the
watermark has passed it plus the allowed delay) records what the lake holds for it: rows, files, the watermark and
the consumer lag. Late events still land in their own hour's folder; re-materializing the hour counts them.
"""

from datetime import timedelta

import dagster as dg

from apollo_assets.lake.resource import LakeResource
from apollo_assets.storage import Location, open_location
from apollo_assets.stream.kafka_settings import KafkaSettings
from apollo_assets.stream.progress import hour_files, progress, stream_log, watermark
from apollo_assets.stream.resource import StreamKafkaResource
from apollo_assets.stream.topics import TOPICS, kafka_topic

STREAM_GROUP = "stream"
OFFSETS_CHECK = "offsets_match_broker"
STREAM_HOURS = dg.HourlyPartitionsDefinition(start_date="2026-11-01-00:00", timezone="UTC")
# An hour is materialized a few minutes after it ends (the allowed delay, then the sensor's minute): an hour and a
# half without a new one means the stream or the consumer has stopped.
STREAM_FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=timedelta(minutes=90), warn_window=timedelta(minutes=75))


def stream_key(topic: str) -> dg.AssetKey:
    return dg.AssetKey(["stream", topic])


def build_stream_asset(topic: str) -> dg.AssetsDefinition:
    key = stream_key(topic)

    @dg.asset(
        key=key,
        partitions_def=STREAM_HOURS,
        group_name=STREAM_GROUP,
        kinds={"parquet", "pii-masked", "kafka"},
        description=(
            f"Events of the Kafka topic `{topic}` ({TOPICS[topic].description}), masked by "
            f"`masking/policies/{topic}.yaml`, written by `apollo stream` exactly once to "
            f"`lake/stream/{topic}/hour=…/` (offsets in its commit log); one partition per event hour."
        ),
        freshness_policy=STREAM_FRESHNESS,
        check_specs=[
            dg.AssetCheckSpec(
                OFFSETS_CHECK,
                asset=key,
                description="The lake's commit chain is whole, never past the brokers' end offsets, and the lag is "
                "below `max_lag_events`.",
            )
        ],
        tags={"layer": "stream"},
    )
    def stream_hour(context: dg.AssetExecutionContext, lake: LakeResource, stream_kafka: StreamKafkaResource):
        location = open_location(lake.lake_url)
        files = hour_files(location, topic, context.partition_key)
        mark = watermark(location, topic)
        settings = stream_kafka.settings()
        check, lag = offsets_check(location, topic, settings, stream_kafka.max_lag_events)
        yield dg.MaterializeResult(
            metadata={
                "dagster/row_count": sum(f.rows for f in files),
                "dagster/uri": f"{stream_log(location, topic).path}/hour={files[0].hour}" if files else "",
                "files": len(files),
                "bytes": sum(f.bytes for f in files),
                "watermark": mark.isoformat() if mark else "none",
                "consumer_lag": lag if lag is not None else "brokers not asked (APOLLO_KAFKA_BOOTSTRAP unset)",
            }
        )
        yield check

    return stream_hour


def offsets_check(
    lake: Location, topic: str, settings: KafkaSettings | None, max_lag: int
) -> tuple[dg.AssetCheckResult, int | None]:
    """(the check's result, the total lag in events or None when the brokers were not asked)."""
    from apollo_assets.lake.commit_log import BrokenChain

    log = stream_log(lake, topic)
    problems: list[str] = []
    try:
        for partition in log.partitions():
            for commit in log.commits(partition):
                if commit.rows + sum(commit.dead_letters.values()) > commit.end - commit.start:
                    problems.append(f"partition {partition}: more rows than offsets in [{commit.start}, {commit.end})")
    except BrokenChain as error:
        problems.append(str(error))
    lake_next = {p.partition: p.next_offset for p in progress(lake, topic)}
    lag, per_partition = None, {}
    if settings is not None:
        from apollo_assets.stream.admin import end_offsets

        name = kafka_topic(topic, settings.topic_prefix)
        ends = end_offsets(settings, [name]).get(name, {})
        for partition, end in ends.items():
            held = lake_next.get(partition, 0)
            if held > end:
                problems.append(f"partition {partition}: the lake is at offset {held}, past the brokers' end {end}")
            per_partition[str(partition)] = end - held
        lag = sum(max(0, v) for v in per_partition.values())
        if lag > max_lag:
            problems.append(f"consumer lag {lag} events is over {max_lag}")
    result = dg.AssetCheckResult(
        check_name=OFFSETS_CHECK,
        passed=not problems,
        metadata={
            "lake_next_offsets": dg.MetadataValue.json({str(k): v for k, v in sorted(lake_next.items())}),
            "lag_by_partition": dg.MetadataValue.json(per_partition),
            "problems": dg.MetadataValue.json(problems[:20]),
        },
    )
    return result, lag


stream_assets = [build_stream_asset(topic) for topic in TOPICS]
