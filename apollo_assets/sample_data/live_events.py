"""Real-time behaviour events of the simulated product: the same accounts, users, contacts and campaigns as the
backups (`world_at_latest_backup`), as JSON messages for the stream's topics (`usage_events`, `email_events`).

Usage events follow the backups' model: who is active (by their level), which features their plan and activation
allow. E-mail events follow a sequence e-mail's life: sent, then delivered (or bounced), opened, clicked, replied,
seconds apart rather than hours so that a demo shows replies arriving. Event `i` happens at `start + i / rate`; the
same seed, start and rate give the same messages (ids included), whenever they are produced.
"""

from __future__ import annotations

import heapq
import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bson import ObjectId

from .activity_types import Actor
from .evolution import advance
from .features import feature_probabilities, make_event
from .genesis import build_initial
from .sample import complete_backup_ids
from .seeding import ObjectIds, Weighted, rng_for
from .sizes import Sizes
from .taxonomy import FEATURES
from .timeutil import DEFAULT_START, at_ms, parse_backup_id, seconds
from .world import World

TOPICS = ("usage_events", "email_events")
EMAIL_SHARE = 0.3  # of the events, when both topics are produced
# Seconds after the previous step of an e-mail's life, and how likely the step is.
BOUNCE, OPEN, CLICK, REPLY = 0.03, 0.45, 0.3, 0.25
_BROKEN = ("not json", "missing field", "unknown feature", "wrong type")


@dataclass(frozen=True)
class LiveEvent:
    topic: str
    key: bytes  # the account id: one account's events stay in order on one partition
    value: bytes
    time_ms: int
    valid: bool = True


def world_at_latest_backup(bucket_dir: Path | None, seed: int = 7, sizes: Sizes | None = None) -> World:
    """The simulated database as the bucket's latest complete backup saw it (the first backup if there is none)."""
    ids = complete_backup_ids(Path(bucket_dir)) if bucket_dir is not None else []
    times = [seconds(parse_backup_id(i)) for i in ids] or [seconds(DEFAULT_START)]
    world = build_initial(seed, sizes or Sizes(), times[0])
    for index, end in enumerate(times[1:], start=1):
        advance(world, index, end)
    return world


class LiveEventSource:
    """Draws events from a world; iterate `events(...)` once per run."""

    def __init__(self, world: World, seed: int = 7) -> None:
        self.world, self.seed = world, seed
        now = world.now
        self.actors: list[Actor] = [a for a in world.actors if a.created <= now < a.stops] or list(world.actors)
        self.who = Weighted(self.actors, [max(a.level, 1e-3) for a in self.actors])
        self._features: dict[tuple[str, bool], Weighted] = {}
        self.senders = [
            (c.doc, [cid for _, cid in world.contacts_by_account.get(c.doc["account_id"], [])])
            for c in world.campaigns.values()
        ]
        self.senders = [(doc, [c for c in contacts if world.contacts[c]["email"]]) for doc, contacts in self.senders]
        self.senders = [(doc, contacts) for doc, contacts in self.senders if contacts]

    def events(
        self,
        start_ms: int,
        rate: float,
        count: int,
        topics: Sequence[str] = TOPICS,
        invalid_share: float = 0.0,
    ) -> Iterator[LiveEvent]:
        if unknown := sorted(set(topics) - set(TOPICS)):
            raise ValueError(f"unknown topic(s) {unknown}; the stream has {list(TOPICS)}")
        rng = rng_for(self.seed, "live", start_ms, rate)
        usage_ids = ObjectIds(self.seed, f"live_usage_events:{start_ms}")
        email_ids = ObjectIds(self.seed, f"live_email_events:{start_ms}")
        message_ids = ObjectIds(self.seed, f"live_emailer_messages:{start_ms}")
        email_share = EMAIL_SHARE if len(topics) == 2 else (1.0 if topics[0] == "email_events" else 0.0)
        if not self.senders:
            email_share = 0.0
        pending: list[tuple[float, int, str, dict]] = []  # (due ms, sequence, step, message)
        sequence = 0
        for i in range(count):
            when = start_ms + i * 1000.0 / rate
            if email_share and rng.random() < email_share:
                if pending and pending[0][0] <= when:
                    _, _, step, message = heapq.heappop(pending)
                else:
                    step, message = "sent", self._message(rng, message_ids, when)
                for later in _next_steps(rng, step, when):
                    sequence += 1
                    heapq.heappush(pending, (later[0], sequence, later[1], message))
                event = self._email_event(email_ids, message, step, int(when))
            else:
                event = self._usage_event(rng, usage_ids, int(when))
            if invalid_share and rng.random() < invalid_share:
                event = _broken(rng, event)
            yield event

    def _usage_event(self, rng: random.Random, ids: ObjectIds, when_ms: int) -> LiveEvent:
        actor = self.who.pick(rng)
        feature = self._feature_mix(actor.plan, when_ms / 1000 >= actor.activation).pick(rng)
        doc = make_event(rng, ids, actor, feature, at_ms(when_ms))
        body = {
            "_id": str(doc["_id"]),
            "user_id": str(doc["user_id"]),
            "account_id": str(doc["account_id"]),
            "feature": doc["feature"],
            "use_case": doc["use_case"],
            "timestamp": _iso(doc["timestamp"]),
            "properties": doc["properties"],
        }
        return LiveEvent("usage_events", body["account_id"].encode(), _dumps(body), when_ms)

    def _feature_mix(self, plan: str, activated: bool) -> Weighted:
        if (plan, activated) not in self._features:
            codes, p = feature_probabilities(plan, activated)
            self._features[plan, activated] = Weighted([FEATURES[c] for c in codes], p.tolist())
        return self._features[plan, activated]

    def _message(self, rng: random.Random, ids: ObjectIds, when: float) -> dict:
        campaign, contacts = self.senders[rng.randrange(len(self.senders))]
        contact = self.world.contacts[contacts[rng.randrange(len(contacts))]]
        return {
            "message_id": str(ids.new(when / 1000)),
            "campaign_id": str(campaign["_id"]),
            "account_id": str(campaign["account_id"]),
            "user_id": str(campaign["user_id"]),
            "contact_id": str(contact["_id"]),
            "to_email": contact["email"],
        }

    def _email_event(self, ids: ObjectIds, message: dict, step: str, when_ms: int) -> LiveEvent:
        body = {"_id": str(ids.new(when_ms / 1000)), "type": step, **message, "occurred_at": _iso(at_ms(when_ms))}
        return LiveEvent("email_events", message["account_id"].encode(), _dumps(body), when_ms)


def _next_steps(rng: random.Random, step: str, when: float) -> list[tuple[float, str]]:
    """What follows `step` of an e-mail's life, and when (ms)."""
    if step == "sent":
        return [(when + rng.uniform(200, 2000), "bounced" if rng.random() < BOUNCE else "delivered")]
    if step == "delivered" and rng.random() < OPEN:
        return [(when + rng.uniform(1000, 20_000), "opened")]
    if step == "opened":
        follow = []
        if rng.random() < CLICK:
            follow.append((when + rng.uniform(500, 10_000), "clicked"))
        if rng.random() < REPLY:
            follow.append((when + rng.uniform(2000, 30_000), "replied"))
        return follow
    return []


def _broken(rng: random.Random, event: LiveEvent) -> LiveEvent:
    """The event damaged as producers damage them: not JSON, a field missing, a value unknown, a wrong type."""
    body = json.loads(event.value)
    kind = _BROKEN[rng.randrange(len(_BROKEN))]
    if kind == "not json":
        value = event.value[: len(event.value) // 2]
    else:
        if kind == "missing field":
            body.pop("account_id")
        elif kind == "unknown feature":
            body["feature" if event.topic == "usage_events" else "type"] = "teleport"
        else:
            body["_id"] = 12345
        value = _dumps(body)
    return LiveEvent(event.topic, event.key, value, event.time_ms, valid=False)


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _dumps(body: dict) -> bytes:
    return json.dumps(body, separators=(",", ":"), default=_plain).encode()


def _plain(value: object) -> object:
    if isinstance(value, ObjectId):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
