"""Running outreach inside the world: campaigns, enrollments, and the emails they send."""

import random
from collections.abc import Sequence

from bson import ObjectId

from .campaigns import Campaign, make_campaign, sending_until
from .engagement import Enrollment, Parties, send_due
from .sent_messages import SentMessage, encode_sent, with_id
from .timeutil import DAY, seconds
from .world import World


def add_campaign(world: World, rng: random.Random, account_id: ObjectId, created: float) -> Campaign:
    senders = [a.user_id for a in world.actors_by_account[account_id] if a.activation <= created]
    campaign = make_campaign(rng, world.ids["emailer_campaigns"], account_id, rng.choice(senders), created)
    campaign.end = min(campaign.end, world.account_traits[account_id].churn)
    world.campaigns[campaign.doc["_id"]] = campaign
    return campaign


def enroll(world: World, rng: random.Random, campaign: Campaign, when: float) -> bool:
    """Add a not yet enrolled contact of the campaign's account; False when there is none to add."""
    candidates, eligible = world.eligible_contacts(campaign.doc["account_id"], when)
    for _ in range(5 if eligible else 0):
        contact_id = candidates[rng.randrange(eligible)][1]
        key = (campaign.doc["_id"], contact_id)
        if key not in world.enrolled and contact_id in world.contacts and world.contacts[contact_id]["email"]:
            world.enrolled.add(key)
            world.enrollments.append(Enrollment(campaign.doc["_id"], contact_id, when))
            return True
    return False


def due_messages(world: World, rng: random.Random, until: float, due: Sequence[Enrollment]) -> list[dict]:
    """Run the steps of these enrollments that are due before `until`; the messages are not stored yet."""
    sent: list[dict] = []
    for e in due:
        campaign = world.campaigns[e.campaign_id]
        sender, account = world.users[campaign.doc["user_id"]], world.accounts[campaign.doc["account_id"]]
        sent += send_due(rng, e, Parties(campaign, world.recipient(e.contact_id), sender, account), until)
    return sent


def kept(world: World, sent: list[dict]) -> list[dict] | list[SentMessage]:
    """Sent messages as the world keeps them until they are stored: encoded when the backup's time is known."""
    return sent if world.visible_at is None else [encode_sent(m, world.visible_at) for m in sent]


def store_messages(world: World, rng: random.Random, sent: list[dict] | list[SentMessage]) -> None:
    ids = world.ids["emailer_messages"]
    if world.visible_at is None:
        sent.sort(key=lambda m: m["sent_at"])  # ids in send order, as the mailer inserts them
        world.stages.follow(rng, [(m["sent_at"], m["contact_id"], m["replied_at"]) for m in sent])
        world.messages += [{"_id": ids.new(m["sent_at"]), **m} for m in sent]
    else:
        for i, m in enumerate(sent):
            if isinstance(m, dict):
                sent[i] = encode_sent(m, world.visible_at)
        sent.sort(key=lambda m: m.sent_at)
        world.stages.follow(rng, [(m.sent_at, m.contact_id, m.replied_at) for m in sent])
        for i, m in enumerate(sent):
            world.messages.append(with_id(m.encoded, ids.new(m.sent_at)))
            sent[i] = None  # each message held once: encoded with its id, not also without
    world.enrollments = [e for e in world.enrollments if not e.done]


def sending_days(campaign: Campaign, start: float, end: float) -> float:
    """Days of [start, end) during which the campaign still enrolls contacts."""
    return max(0.0, min(end, sending_until(campaign)) - max(start, seconds(campaign.doc["created_at"]))) / DAY
