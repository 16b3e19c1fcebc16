"""The stream service as `apollo stream` runs it: the lake, the masking key and the platform's subscriptions."""

from __future__ import annotations

import os

from apollo_assets.masking import MaskingKey
from apollo_assets.settings import Settings
from apollo_assets.storage import Location
from apollo_assets.stream.kafka_settings import KafkaSettings
from apollo_assets.stream.service import StreamOptions, StreamService
from apollo_assets.stream.subscriptions import Subscriptions
from ml_assets.engagement_store import COUNTED, EngagementStore, engagement_store_path


def platform_subscriptions(settings: Settings) -> Subscriptions:
    """What the platform does with events as they arrive: keep each contact's recent engagement (sends, opens,
    clicks, replies) for the reply-propensity service."""
    subscriptions = Subscriptions(dead_letter_dir=settings.data_dir / "stream" / "subscription_dead_letters")
    store = EngagementStore(engagement_store_path(settings.data_dir, os.environ))

    @subscriptions.on_event("email_events", where={"type": COUNTED}, name="contact_engagement")
    def contact_engagement(events: list[dict]) -> None:
        store.record(events)

    return subscriptions


def build_stream_service(
    kafka: KafkaSettings, lake: Location, key: MaskingKey, settings: Settings, options: StreamOptions | None = None
) -> StreamService:
    return StreamService(kafka, lake, key, options=options, subscriptions=platform_subscriptions(settings))
