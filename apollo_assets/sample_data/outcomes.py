"""What happens to an email once sent (bounce, open, reply), and what a backup taken later can see of it.

The outcome is drawn at send time from `reply_model`; its times may lie after the backup, and then only a
later backup shows them, as in the real database where `replied_at` is set when the reply arrives.
"""

import random
from dataclasses import dataclass
from datetime import datetime

from .reply_model import bounce_probability, reply_probability
from .timeutil import DAY, at

MESSAGE_TIMES = ("opened_at", "replied_at", "bounced_at")
_STATUS_BY_TIME = (("bounced", "bounced_at"), ("replied", "replied_at"), ("opened", "opened_at"))


@dataclass(frozen=True)
class Recipient:
    contact: dict
    person: dict | None
    organization: dict | None


def draw_outcome(rng: random.Random, sent: float, recipient: Recipient, touch: int) -> dict:
    person, org, contact = recipient.person, recipient.organization, recipient.contact
    stale = person is not None and contact["email"] != person.get("email")  # the person moved on
    if rng.random() < bounce_probability(stale, contact["person_id"] is None):
        return {"opened_at": None, "replied_at": None, "bounced_at": at(sent + rng.uniform(5, 600))}
    seniority, intent = (person["seniority"], person.get("intent_score")) if person else (None, None)
    employees, industry = (org["estimated_num_employees"], org["industry"]) if org else (None, None)
    replied = rng.random() < reply_probability(seniority, employees, industry, touch, intent)
    if not (replied or rng.random() < 0.45):
        return {"opened_at": None, "replied_at": None, "bounced_at": None}
    opened = sent + min(rng.lognormvariate(8.5, 1.3), 10 * DAY)  # median ~80 minutes
    reply = opened + min(rng.lognormvariate(9.0, 1.0), 6 * DAY) if replied else None
    return {"opened_at": at(opened), "replied_at": at(reply) if reply else None, "bounced_at": None}


def visible_message(message: dict, now: datetime) -> dict:
    """The message as a backup taken at `now` sees it: outcomes still in the future are null."""
    doc = dict(message)
    for name in MESSAGE_TIMES:
        if doc[name] is not None and doc[name] > now:
            doc[name] = None
    doc["status"] = next((status for status, name in _STATUS_BY_TIME if doc[name]), "sent")
    return doc
