"""Outreach (`emailer_messages`): enrolled contacts walk a campaign's steps, one email at a time.

A sequence stops at a bounce or a reply, when its campaign stops sending, or when the contact is gone.
"""

import random
from dataclasses import dataclass

from bson import ObjectId

from .campaigns import EMAIL_STEPS, Campaign, sending_until
from .outcomes import Recipient, draw_outcome
from .outreach_copy import compose
from .timeutil import DAY, at


@dataclass
class Enrollment:
    campaign_id: ObjectId
    contact_id: ObjectId
    next_at: float
    next_step: int = 0
    touches: int = 0
    first_subject: str | None = None
    done: bool = False


@dataclass(frozen=True)
class Parties:
    """Who takes part in an enrollment's emails, looked up when they are sent."""

    campaign: Campaign
    recipient: Recipient | None
    sender: dict
    account: dict


def _message(rng: random.Random, enrollment: Enrollment, parties: Parties, sent: float) -> dict:
    contact, org = parties.recipient.contact, parties.recipient.organization
    company = org["name"] if org else ""
    subject, body = compose(
        rng,
        enrollment.touches,
        enrollment.first_subject,
        contact,
        company,
        parties.sender,
        parties.account["name"],
    )
    enrollment.first_subject = enrollment.first_subject or subject
    return {
        "campaign_id": parties.campaign.doc["_id"],
        "account_id": parties.account["_id"],
        "user_id": parties.sender["_id"],
        "contact_id": contact["_id"],
        "person_id": contact["person_id"],
        "to_email": contact["email"],
        "subject": subject,
        "body": body,
        "status": "sent",
        "sent_at": at(sent),
        **draw_outcome(rng, sent, parties.recipient, enrollment.touches),
    }


def send_due(rng: random.Random, enrollment: Enrollment, parties: Parties, until: float) -> list[dict]:
    """Run the enrollment's steps due before `until`; returns the sent messages (without `_id`)."""
    steps, sent, recipient = parties.campaign.doc["steps"], [], parties.recipient
    while not enrollment.done and enrollment.next_at < until:
        if (
            recipient is None
            or recipient.contact["email"] is None
            or enrollment.next_at >= sending_until(parties.campaign)
        ):
            enrollment.done = True  # contact deleted, no address, or the campaign stopped sending
            break
        if steps[enrollment.next_step]["type"] in EMAIL_STEPS:
            enrollment.touches += 1
            sent.append(_message(rng, enrollment, parties, enrollment.next_at))
            enrollment.done = sent[-1]["bounced_at"] is not None or sent[-1]["replied_at"] is not None
        enrollment.next_step += 1
        if enrollment.next_step == len(steps):
            enrollment.done = True
        elif not enrollment.done:
            enrollment.next_at += steps[enrollment.next_step]["wait_days"] * DAY + rng.uniform(0, 3600)
    return sent
