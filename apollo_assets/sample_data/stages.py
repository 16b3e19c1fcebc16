"""Contact stages that follow outreach: scheduled when an email goes out, applied once their time has come."""

import heapq
import random
from datetime import datetime

from bson import ObjectId

from .contacts import set_stage
from .timeutil import at, seconds

_AFTER_REPLY = (("replied", "interested", "not_interested"), (25, 35, 40))


class StageChanges:
    def __init__(self) -> None:
        self._heap: list[tuple[float, int, ObjectId, str]] = []
        self._seq = 0  # tie-breaker, so the heap never compares ObjectIds

    def schedule(self, when: float, contact_id: ObjectId, stage: str) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (when, self._seq, contact_id, stage))

    def follow(self, rng: random.Random, messages: list[tuple[datetime, ObjectId, datetime | None]]) -> None:
        """Sending makes a cold contact 'approaching'; a reply moves it on when the reply arrives.

        `messages`: (sent_at, contact_id, replied_at) of each message, in send order."""
        for sent_at, contact_id, replied_at in messages:
            self.schedule(seconds(sent_at), contact_id, "approaching")
            if replied_at is not None:
                reply = seconds(replied_at)
                stage = rng.choices(*_AFTER_REPLY)[0]
                self.schedule(reply, contact_id, stage)
                if stage == "interested" and rng.random() < 0.15:
                    self.schedule(reply + rng.uniform(14, 45) * 86_400, contact_id, "customer")

    def apply_due(self, contacts: dict[ObjectId, dict], now: float) -> None:
        while self._heap and self._heap[0][0] <= now:
            when, _, contact_id, stage = heapq.heappop(self._heap)
            contact = contacts.get(contact_id)
            if contact is not None and (stage != "approaching" or contact["stage"] == "cold"):
                set_stage(contact, stage, at(when))
