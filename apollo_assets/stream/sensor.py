"""`stream_hour_sensor` materializes each stream hour once the watermark has passed its end plus the allowed delay;
`stream_warehouse_sensor` then builds the hour's dbt models once every topic's watermark has passed it."""

import json
from datetime import UTC, datetime, timedelta

import dagster as dg

from apollo_assets.lake.resource import LakeResource
from apollo_assets.storage import Location, open_location
from apollo_assets.stream.assets import stream_key
from apollo_assets.stream.progress import PARTITION_KEY, complete_hours, first_hour, watermark
from apollo_assets.stream.resource import StreamKafkaResource
from apollo_assets.stream.topics import TOPICS

STREAM_SENSOR = "stream_hour_sensor"
STREAM_WAREHOUSE_SENSOR = "stream_warehouse_sensor"
WAREHOUSE_CURSOR = "warehouse"
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


def warehouse_hours(
    location: Location, cursor: dict[str, str], delay: timedelta, topics: list[str]
) -> tuple[list[str], dict[str, str]]:
    """(the hours to build, the new cursor): hours after the cursor's that every topic with data has completed."""
    marks = [m for m in (watermark(location, t) for t in topics) if m is not None]
    firsts = [f for f in (first_hour(location, t) for t in topics) if f is not None]
    done = cursor.get(WAREHOUSE_CURSOR)
    if done:
        start = datetime.strptime(done, PARTITION_KEY).replace(tzinfo=UTC) + timedelta(hours=1)
    elif firsts:
        start = min(firsts)
    else:
        return [], cursor
    keys = complete_hours(min(marks) if marks else None, start, delay)[:MAX_HOURS_PER_TICK]
    return keys, ({**cursor, WAREHOUSE_CURSOR: keys[-1]} if keys else cursor)


def build_stream_warehouse_sensor(job_name: str) -> dg.SensorDefinition:
    @dg.sensor(
        name=STREAM_WAREHOUSE_SENSOR,
        job_name=job_name,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Builds an hour of the stream's dbt models (staging, the hourly engagement mart) once every "
        "topic's watermark has passed the hour's end plus the allowed delay.",
    )
    def stream_warehouse_sensor(
        context: dg.SensorEvaluationContext, lake: LakeResource, stream_kafka: StreamKafkaResource
    ) -> dg.SensorResult:
        cursor: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
        delay = timedelta(minutes=stream_kafka.allowed_delay_minutes)
        keys, cursor = warehouse_hours(open_location(lake.lake_url), cursor, delay, list(TOPICS))
        requests = [dg.RunRequest(run_key=f"stream-warehouse:{key}", partition_key=key) for key in keys]
        return dg.SensorResult(run_requests=requests, cursor=json.dumps(cursor, sort_keys=True))

    return stream_warehouse_sensor
