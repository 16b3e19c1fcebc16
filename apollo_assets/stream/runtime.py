"""The stream service as `apollo stream` runs it: the lake, the masking key and the subscriptions of this platform."""

from __future__ import annotations

from apollo_assets.lake.filesystem import Location
from apollo_assets.masking import MaskingKey
from apollo_assets.settings import Settings
from apollo_assets.stream.kafka_settings import KafkaSettings
from apollo_assets.stream.service import StreamOptions, StreamService


def build_stream_service(
    kafka: KafkaSettings, lake: Location, key: MaskingKey, settings: Settings, options: StreamOptions | None = None
) -> StreamService:
    return StreamService(kafka, lake, key, options=options)
