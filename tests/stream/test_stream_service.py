"""`StreamService` against a real broker: masked Parquet by hour, offsets in the lake, dead letters with reasons."""

from __future__ import annotations

import time

import pytest

from apollo_assets.lake.commit_log import OffsetCommitLog
from apollo_assets.masking import pseudonym
from apollo_assets.storage import open_location
from apollo_assets.stream.service import StreamOptions, StreamService
from apollo_assets.stream.topics import dataset_name
from tests.stream.conftest import FAST_GROUP, KEY
from tests.stream.helpers import lake_ids, lake_rows, make_events, produce, read_topic, valid_ids

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


def _run(kafka, lake, total: int, **options) -> StreamService:
    service = StreamService(
        kafka,
        lake,
        KEY,
        options=StreamOptions(
            batch_events=options.get("batch_events", 500),
            batch_seconds=options.get("batch_seconds", 1.0),
            max_buffered_events=options.get("max_buffered_events", 200_000),
            consumer_config=FAST_GROUP,
        ),
    )
    service.run(until=lambda stats: stats.events + stats.dead_letters >= total)
    return service


def test_events_land_masked_by_hour_with_their_offsets_and_dead_letters_are_counted(kafka, tmp_path):
    events = make_events(3000, invalid_share=0.02)
    produce(kafka, events)
    lake = open_location(str(tmp_path / "lake"))
    service = _run(kafka, lake, len(events))
    invalid = sum(not e.valid for e in events)
    assert service.stats.dead_letters == invalid > 20
    for topic in ("usage_events", "email_events"):
        ids = lake_ids(lake, topic)
        assert sorted(ids) == sorted(valid_ids(events, topic))
        log = OffsetCommitLog(lake, dataset_name(topic))
        commits = [c for p in log.partitions() for c in log.commits(p)]
        assert {f.hour for c in commits for f in c.files} == {"2026-11-30T00", "2026-11-30T01"}
        assert all(f.path.startswith(f"hour={f.hour}/") for c in commits for f in c.files)
        assert sum(sum(c.dead_letters.values()) for c in commits) == sum(
            not e.valid for e in events if e.topic == topic
        )
    emails = lake_rows(lake, "email_events")
    raw = {e.value for e in events if e.topic == "email_events"}
    some = next(r for r in emails if r["type"] == "sent")
    assert some["to_email"].split("@")[0] != "" and all(some["to_email"].encode() not in v for v in raw)
    plain = next(v for v in raw if b'"to_email"' in v and b'"_id":"' + some["_id"].encode() in v)
    address = plain.split(b'"to_email":"')[1].split(b'"')[0].decode()
    assert some["to_email"] == f"{pseudonym(address.lower(), KEY.secret)}@{address.split('@')[1]}"
    dead = read_topic(kafka, "dead_letter", invalid)
    assert len(dead) == invalid
    headers = dict(dead[0].headers())
    assert set(headers) == {"reason", "topic", "partition", "offset"} and headers["reason"]


def test_backpressure_keeps_the_buffer_bounded_and_loses_nothing(kafka, tmp_path):
    events = make_events(2000, topics=("usage_events",))
    produce(kafka, events, partitions=1)
    lake = open_location(str(tmp_path / "lake"))
    _run(kafka, lake, len(events), batch_events=100_000, batch_seconds=1.0, max_buffered_events=300)
    assert sorted(lake_ids(lake, "usage_events")) == sorted(valid_ids(events, "usage_events"))
    log = OffsetCommitLog(lake, dataset_name("usage_events"))
    sizes = [c.end - c.start for c in log.commits(0)]
    assert max(sizes) <= 300 and sizes.count(300) >= 5  # written whenever the buffer was full


def test_subscribers_get_every_masked_event_of_their_filter(kafka, tmp_path, monkeypatch):
    import json
    from collections import Counter

    from apollo_assets.settings import load_settings
    from apollo_assets.stream.runtime import platform_subscriptions
    from ml_assets.engagement_store import EngagementStore

    events = make_events(2000, topics=("email_events",), start_ms=int(time.time() * 1000) - 3_600_000)
    produce(kafka, events)
    monkeypatch.setenv("APOLLO_ENGAGEMENT_STORE", str(tmp_path / "engagement.sqlite"))
    subscriptions = platform_subscriptions(load_settings({"APOLLO_DATA_DIR": str(tmp_path)}))
    seen = []
    subscriptions.on_event("email_events", where={"type": ["replied"]})(seen.extend)
    service = StreamService(
        kafka,
        open_location(str(tmp_path / "lake")),
        KEY,
        topics=["email_events"],
        options=StreamOptions(500, 1.0, 200_000, "all", FAST_GROUP),
        subscriptions=subscriptions,
    )
    service.run(until=lambda stats: stats.events >= len(events))
    bodies = [json.loads(e.value) for e in events]
    replies = Counter(b["contact_id"] for b in bodies if b["type"] == "replied")
    assert sorted(e["_id"] for e in seen) == sorted(b["_id"] for b in bodies if b["type"] == "replied")
    assert all("@" in e["to_email"] and e["to_email"].split("@")[0] != "" for e in seen)
    assert not {e["to_email"] for e in seen} & {b["to_email"] for b in bodies}  # masked, never the address
    stored = EngagementStore(tmp_path / "engagement.sqlite").engagement(replies)
    assert {c: e.replies for c, e in stored.items()} == dict(replies)
