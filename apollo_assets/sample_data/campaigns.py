"""Sequences (`emailer_campaigns`): steps of emails, calls and tasks, active for weeks, then finished."""

import random
from dataclasses import dataclass

from bson import ObjectId

from .accounts import NEVER
from .outreach_copy import campaign_name
from .seeding import ObjectIds, Weighted
from .timeutil import DAY, at

_STEP_TYPE = Weighted(("auto_email", "manual_email", "call", "linkedin_task"), (50, 15, 15, 20))
EMAIL_STEPS = {"auto_email", "manual_email"}


@dataclass
class Campaign:
    doc: dict
    end: float  # when it stops enrolling and sending ("finished")
    paused: float  # NEVER unless someone pauses it


def make_campaign(
    rng: random.Random, ids: ObjectIds, account_id: ObjectId, user_id: ObjectId, created: float
) -> Campaign:
    steps = [{"step": 1, "type": "auto_email", "wait_days": 0}]
    for number in range(2, rng.randint(2, 6) + 1):
        steps.append({"step": number, "type": _STEP_TYPE.pick(rng), "wait_days": rng.randint(1, 7)})
    when = at(created)
    name = campaign_name(rng, when.year, when.month)
    doc = {"_id": ids.new(created), "account_id": account_id, "user_id": user_id, "name": name}
    doc |= {"status": "active", "steps": steps, "created_at": when}
    paused = created + rng.uniform(3, 30) * DAY if rng.random() < 0.1 else NEVER
    return Campaign(doc, created + rng.uniform(20, 90) * DAY, paused)


def campaign_status(campaign: Campaign, now: float) -> str:
    if campaign.paused <= now and campaign.paused < campaign.end:
        return "paused"
    return "finished" if campaign.end <= now else "active"


def sending_until(campaign: Campaign) -> float:
    return min(campaign.end, campaign.paused)
