"""`stream_hour_sensor`: materializes each stream hour once the watermark has passed its end plus the allowed delay."""

import json
from datetime import UTC, datetime, timedelta

import dagster as dg

from apollo_assets.lake.resource import LakeResource
from apollo_assets.storage import open_location
from apollo_assets.stream.assets import stream_key
from apollo_assets.stream.progress import PARTITION_KEY, complete_hours, first_hour, watermark
from apollo_assets.stream.resource import StreamKafkaResource
from apollo_assets.stream.topics import TOPICS

STREAM_SENSOR = "stream_hour_sensor"
MAX_HOURS_PER_TICK = 24


@dg.sensor(
    name=STREAM_SENSOR,
    asset_selection=dg.AssetSelection.assets(*[stream_key(t) for t in TOPICS]),
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Materializes an hour of each stream topic once the consumer's watermark (the event time every "
    "partition has reached, from the lake's commit log) has passed the hour's end plus the allowed delay.",
)
def stream_hour_sensor(
    context: dg.SensorEvaluationContext, lake: LakeResource, stream_kafka: StreamKafkaResource
) -> dg.SensorResult:
    location = open_location(lake.lake_url)
    cursor: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    delay = timedelta(minutes=stream_kafka.allowed_delay_minutes)
    requests = []
    for topic in TOPICS:
        done = cursor.get(topic)
        if done:
            start = datetime.strptime(done, PARTITION_KEY).replace(tzinfo=UTC) + timedelta(hours=1)
        else:
            start = first_hour(location, topic)
        if start is None:
            continue
        keys = complete_hours(watermark(location, topic), start, delay)[:MAX_HOURS_PER_TICK]
        requests += [
            dg.RunRequest(run_key=f"stream:{topic}:{key}", partition_key=key, asset_selection=[stream_key(topic)])
            for key in keys
        ]
        if keys:
            cursor[topic] = keys[-1]
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(cursor, sort_keys=True))
