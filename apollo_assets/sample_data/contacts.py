"""A customer's CRM contacts (`contacts`): prospects copied from `people`, manual entries, custom fields."""

import random
from collections.abc import Mapping
from datetime import datetime

from bson import ObjectId

from .names import FIRST_NAMES, LAST_NAMES, email_for
from .seeding import ObjectIds

STAGES = ("cold", "approaching", "replied", "interested", "not_interested", "customer")
_PERSONAL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "icloud.com")

# Each account defines its own fields; their ids become keys of `custom_fields` (dynamic keys).
CUSTOM_FIELDS: dict[str, tuple[str, ...]] = {
    "Lead Source": ("Webinar", "Inbound", "Referral", "Conference", "Cold outbound"),
    "Region": ("NA", "EMEA", "APAC", "LATAM"),
    "Budget": ("< $10k", "$10k-50k", "$50k-250k", "> $250k"),
    "Next Step": ("Book demo", "Send pricing", "Follow up after Q1", "Intro to CFO", "Trial kickoff"),
    "Competitor": ("ZoomInfo", "Lusha", "Cognism", "Seamless.AI", "None"),
    "Tier": ("Tier 1", "Tier 2", "Tier 3"),
    "Renewal Date": ("2027-01-31", "2027-03-31", "2027-06-30", "2027-09-30", "2027-12-31"),
    "Use Case": ("Outbound prospecting", "Data enrichment", "Recruiting", "Account-based marketing"),
}


def define_custom_fields(rng: random.Random, ids: ObjectIds, created: float) -> list[tuple[str, str]]:
    labels = rng.sample(list(CUSTOM_FIELDS), rng.randint(0, 4))
    return [(str(ids.new(created)), label) for label in labels]


def _email(rng: random.Random, person: dict, orgs_by_id: Mapping[ObjectId, dict]) -> str | None:
    email = person.get("email")
    jobs = person["employment_history"]
    previous = [j for j in jobs if not j["current"] and j["organization_id"] in orgs_by_id]
    if email is not None and previous and rng.random() < 0.1:
        # Imported from an old list: the address at the previous employer, which will bounce.
        return email_for(
            person["first_name"], person["last_name"], orgs_by_id[previous[0]["organization_id"]]["domain"]
        )
    return email


def make_contact(
    rng: random.Random,
    ids: ObjectIds,
    account_id: ObjectId,
    owner_user_id: ObjectId,
    person: dict | None,
    fields: list[tuple[str, str]],
    created: datetime,
    orgs_by_id: Mapping[ObjectId, dict],
) -> dict:
    doc: dict = {"_id": ids.new(created), "account_id": account_id, "owner_user_id": owner_user_id}
    if person is not None:
        doc["person_id"] = person["_id"]
        doc["first_name"], doc["last_name"] = person["first_name"], person["last_name"]
        doc["email"] = _email(rng, person, orgs_by_id)
        doc["phone"] = person.get("phone") if rng.random() < 0.6 else None
    else:  # typed in by hand from a business card or an inbound form
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        doc["person_id"] = None
        doc["first_name"], doc["last_name"] = first, last
        doc["email"] = email_for(first, last, rng.choice(_PERSONAL_DOMAINS)) if rng.random() < 0.8 else None
        doc["phone"] = None
    r = rng.random()
    doc["stage"] = "customer" if r < 0.03 else "not_interested" if r < 0.06 else "cold"
    doc["custom_fields"] = {
        field_id: {"label": label, "value": rng.choice(CUSTOM_FIELDS[label])}
        for field_id, label in fields
        if rng.random() < 0.6
    }
    doc["created_at"] = doc["updated_at"] = created
    return doc


def set_stage(contact: dict, stage: str, when: datetime) -> None:
    contact["stage"] = stage
    contact["updated_at"] = max(contact["updated_at"], when)
