"""`apollo generate-events` and `apollo stream`: the real-time path (apollo_assets/stream/)."""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
from pathlib import Path

import click

from apollo_assets.cli.errors import ApolloCommand
from apollo_assets.settings import load_settings

TOPIC_NAMES = ("usage_events", "email_events")


@click.command(
    "generate-events",
    cls=ApolloCommand,
    help="Produce realistic events (the world of the latest sample backup) to Kafka.",
)
@click.option("--rate", default=100.0, show_default=True, help="Events per second.")
@click.option("--duration", default=10.0, show_default=True, help="Seconds of events (rate x duration events).")
@click.option("--topics", default=",".join(TOPIC_NAMES), show_default=True, help="Comma-separated topics.")
@click.option("--seed", default=7, show_default=True, help="The sample backups' seed.")
@click.option("--invalid-share", default=0.0, show_default=True, help="Share of broken messages (dead letters).")
@click.option("--bootstrap", help="host:port of the brokers (default: APOLLO_KAFKA_BOOTSTRAP).")
def generate_events(
    rate: float, duration: float, topics: str, seed: int, invalid_share: float, bootstrap: str | None
) -> None:
    from apollo_assets.sample_data.live_events import LiveEventSource, world_at_latest_backup
    from apollo_assets.stream.admin import ensure_topics
    from apollo_assets.stream.kafka_settings import kafka_settings_from_env
    from apollo_assets.stream.produce import produce_events

    chosen = [t.strip() for t in topics.split(",") if t.strip()]
    if unknown := sorted(set(chosen) - set(TOPIC_NAMES)):
        raise click.BadParameter(f"unknown topic(s) {unknown}; choose from {list(TOPIC_NAMES)}", param_hint="--topics")
    if rate <= 0 or duration <= 0:
        raise click.BadParameter("must be positive", param_hint="--rate/--duration")
    settings = kafka_settings_from_env(bootstrap=bootstrap)
    ensure_topics(settings)
    world = world_at_latest_backup(Path(load_settings().backup_url), seed)
    source = LiveEventSource(world, seed)
    events = source.events(int(time.time() * 1000), rate, max(1, round(rate * duration)), chosen, invalid_share)
    summary = produce_events(settings, events, rate)
    click.echo(
        json.dumps(
            {
                "produced": summary.produced,
                "invalid": summary.invalid,
                "seconds": round(summary.seconds, 2),
                "bootstrap": settings.bootstrap,
            }
        )
    )


@click.command(
    "stream", cls=ApolloCommand, help="Consume the topics into the masked lake (lake/stream/<topic>/), exactly once."
)
@click.option("--bootstrap", help="host:port of the brokers (default: APOLLO_KAFKA_BOOTSTRAP).")
@click.option("--local-broker", is_flag=True, help="Start a local in-memory broker (Tansu) and use it.")
@click.option("--demo", is_flag=True, help="With --local-broker: also produce events (apollo generate-events).")
@click.option("--rate", default=200.0, show_default=True, help="--demo: events per second.")
@click.option("--batch-events", type=int, help="Events per micro-batch (default APOLLO_STREAM_BATCH_EVENTS).")
@click.option("--batch-seconds", type=float, help="Seconds per micro-batch (default APOLLO_STREAM_BATCH_SECONDS).")
@click.option("--exit-after", type=float, help="Stop after this many seconds (default: run until interrupted).")
def stream(
    bootstrap: str | None,
    local_broker: bool,
    demo: bool,
    rate: float,
    batch_events: int | None,
    batch_seconds: float | None,
    exit_after: float | None,
) -> None:
    from dataclasses import replace

    from apollo_assets.masking import load_masking_key
    from apollo_assets.storage import open_location
    from apollo_assets.stream.admin import ensure_topics
    from apollo_assets.stream.kafka_settings import kafka_settings_from_env
    from apollo_assets.stream.local_broker import start_local_broker
    from apollo_assets.stream.runtime import build_stream_service

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    settings = load_settings()
    broker = start_local_broker() if local_broker else None
    try:
        kafka = kafka_settings_from_env(bootstrap=broker.bootstrap if broker else bootstrap)
        kafka = replace(
            kafka, batch_events=batch_events or kafka.batch_events, batch_seconds=batch_seconds or kafka.batch_seconds
        )
        ensure_topics(kafka)
        key = load_masking_key(settings.data_dir, settings.env)
        service = build_stream_service(kafka, open_location(settings.lake_url), key, settings)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        if exit_after:
            threading.Timer(exit_after, stop.set).start()
        if demo:
            threading.Thread(target=_demo_events, args=(kafka, rate, stop), daemon=True).start()
        click.echo(f"streaming into {settings.lake_url}/stream/ from {kafka.bootstrap} (Ctrl-C stops)", err=True)
        try:
            stats = service.run(stop)
        except KeyboardInterrupt:
            stats = service.stats
        click.echo(json.dumps({"events": stats.events, "dead_letters": stats.dead_letters, "commits": stats.commits}))
    finally:
        if broker:
            broker.stop()


def _demo_events(kafka, rate: float, stop: threading.Event) -> None:
    from apollo_assets.sample_data.live_events import LiveEventSource, world_at_latest_backup
    from apollo_assets.stream.produce import produce_events

    source = LiveEventSource(world_at_latest_backup(Path(load_settings().backup_url)))
    while not stop.is_set():
        start = int(time.time() * 1000)
        produce_events(kafka, source.events(start, rate, int(rate * 10), invalid_share=0.005), rate)
