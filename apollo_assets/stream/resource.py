"""The Kafka connection as a Dagster resource: everything comes from the environment when a step or sensor runs
(`kafka_settings_from_env`), so no secret is ever part of the run config; without `APOLLO_KAFKA_BOOTSTRAP` the
stream assets still read the lake and say that the brokers were not asked."""

from __future__ import annotations

import os

import dagster as dg

from apollo_assets.stream.kafka_settings import KafkaSettings, kafka_settings_from_env


class StreamKafkaResource(dg.ConfigurableResource):
    """`allowed_delay_minutes`: how long after an hour's end (in event time) late events are still waited for."""

    allowed_delay_minutes: int = 5
    max_lag_events: int = 100_000

    def settings(self) -> KafkaSettings | None:
        if not os.environ.get("APOLLO_KAFKA_BOOTSTRAP"):
            return None
        return kafka_settings_from_env()
