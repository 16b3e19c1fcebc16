"""A tiny hand-made product database whose metrics can be computed by hand (see the tests)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from bson import Decimal128, ObjectId

BACKUP_A = "20261101T040000Z"
BACKUP_B = "20261102T040000Z"


def oid(n: int) -> ObjectId:
    return ObjectId(f"{n:024x}")


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


ORG_ACME, ORG_GLOBEX = oid(0x01), oid(0x02)
P_ANN, P_BOB, P_CAT, P_DAN, P_EVE = oid(0x11), oid(0x12), oid(0x13), oid(0x14), oid(0x15)
AC1, AC2, AC3, AC4 = oid(0x21), oid(0x22), oid(0x23), oid(0x24)
U1, U2, U3, U4 = oid(0x31), oid(0x32), oid(0x33), oid(0x34)
K1, K2 = oid(0x41), oid(0x42)
C1, C2 = oid(0x51), oid(0x52)
M1, M2, M3, M4, M5 = oid(0x61), oid(0x62), oid(0x63), oid(0x64), oid(0x65)


def _address(city: str) -> dict[str, Any]:
    return {"street": "1 Main St", "city": city, "state": None, "country": "US", "postal_code": "94105"}


def _job(org: ObjectId | None, name: str, start: str, current: bool) -> dict[str, Any]:
    return {
        "organization_id": org,
        "organization_name": name,
        "title": "Engineer",
        "start_date": ts(start),
        "end_date": None if current else ts("2024-01-01"),
        "current": current,
    }


def _event(n: int, user: ObjectId, account: ObjectId, feature: str, use_case: str, when: str) -> dict[str, Any]:
    return {
        "_id": oid(0x1000 + n),
        "user_id": user,
        "account_id": account,
        "feature": feature,
        "use_case": use_case,
        "timestamp": ts(when),
        "properties": {"source": "web", "count": 1},
    }


def _message(
    mid: ObjectId,
    campaign: ObjectId,
    contact: ObjectId,
    person: ObjectId | None,
    sent: str | None,
    opened: str | None = None,
    replied: str | None = None,
    bounced: str | None = None,
    status: str = "sent",
) -> dict[str, Any]:
    return {
        "_id": mid,
        "campaign_id": campaign,
        "account_id": AC1,
        "user_id": U1,
        "contact_id": contact,
        "person_id": person,
        "to_email": "someone@acme.io",
        "subject": "Hi Ann",
        "body": "Hello ann@acme.io",
        "status": status,
        "sent_at": ts(sent) if sent else None,
        "opened_at": ts(opened) if opened else None,
        "replied_at": ts(replied) if replied else None,
        "bounced_at": ts(bounced) if bounced else None,
    }


def backup_a() -> dict[str, list[dict[str, Any]]]:
    """Backup A. Hand-computed expectations are in the tests."""
    organizations = [
        {
            "_id": ORG_ACME,
            "name": "Acme",
            "domain": "acme.io",
            "website_url": "https://www.acme.io",
            "industry": "Software",
            "estimated_num_employees": 120,
            "annual_revenue": Decimal128(Decimal("25000000.50")),
            "founded_year": 1998,
            "technologies": ["react", "snowflake", "salesforce"],
            "keywords": ["saas"],
            "address": _address("San Francisco"),
            "phone": "+1 415 555 0100",
            "linkedin_url": None,
            "created_at": ts("2020-01-01"),
            "updated_at": ts("2026-06-01"),
        },
        # the same organization once more, older: deduplicated away (latest updated_at wins)
        {
            "_id": ORG_ACME,
            "name": "Acme (old)",
            "domain": "acme.io",
            "website_url": "https://www.acme.io",
            "industry": "Software",
            "estimated_num_employees": 100,
            "annual_revenue": None,
            "founded_year": 1998,
            "technologies": ["react"],
            "keywords": [],
            "address": _address("San Francisco"),
            "created_at": ts("2020-01-01"),
            "updated_at": ts("2025-01-01"),
        },
        {
            "_id": ORG_GLOBEX,
            "name": "Globex",
            "domain": "WWW.Globex.com",
            "website_url": "https://globex.com",
            "industry": "Manufacturing",
            "estimated_num_employees": 8,
            "annual_revenue": None,
            "founded_year": "2005",  # type drift: a string among ints
            "technologies": [],
            "keywords": ["steel"],
            "address": _address("Springfield"),
            "created_at": ts("2021-01-01"),
            "updated_at": ts("2026-01-01"),
        },
    ]
    people = [
        # organization_id set: company through it
        {
            "_id": P_ANN,
            "first_name": "Ann",
            "last_name": "Lee",
            "name": "Ann Lee",
            "email": "ann.lee@acme.io",
            "title": "VP Sales",
            "seniority": "VP",
            "departments": ["master_sales"],
            "city": "San Francisco",
            "country": "US",
            "organization_id": ORG_ACME,
            "employment_history": [
                _job(ORG_ACME, "Acme", "2023-01-01", True),
                _job(None, "Google", "2019-01-01", False),
            ],
            "intent_score": 0.5,
            "created_at": ts("2025-01-01"),
            "updated_at": ts("2026-01-01"),
        },
        # no organization_id, work email at globex.com: company through the email domain
        {
            "_id": P_BOB,
            "first_name": "Bob",
            "last_name": "Ray",
            "name": "Bob Ray",
            "email": "Bob.Ray@Globex.com",
            "title": "Director of Operations",
            "seniority": "Director",
            "departments": ["operations"],
            "city": "Springfield",
            "country": "US",
            "organization_id": None,
            "employment_history": [],
            "intent_score": "42.5",  # type drift: a string among doubles
            "created_at": ts("2025-02-01"),
            "updated_at": ts("2026-02-01"),
        },
        # no organization_id, no email, current job at Globex: company through employment_history
        {
            "_id": P_CAT,
            "first_name": "Cat",
            "last_name": "Kim",
            "name": "Cat Kim",
            "title": "Engineer",
            "seniority": "entry",
            "departments": ["engineering_technical"],
            "city": "Springfield",
            "country": "US",
            "organization_id": None,
            "employment_history": [_job(ORG_GLOBEX, "Globex", "2024-05-01", True)],
            "intent_score": 3,
            "created_at": ts("2025-03-01"),
            "updated_at": ts("2026-03-01"),
        },
        # consumer mailbox: no company
        {
            "_id": P_DAN,
            "first_name": "Dan",
            "last_name": "Fox",
            "name": "Dan Fox",
            "email": "dan.fox@gmail.com",
            "title": "CEO",
            "seniority": "C_SUITE",
            "departments": ["c_suite"],
            "city": "Austin",
            "country": "US",
            "organization_id": None,
            "employment_history": [],
            "created_at": ts("2025-04-01"),
            "updated_at": ts("2026-04-01"),
        },
        # work email at a domain no organization has: a company known only from the email domain
        {
            "_id": P_EVE,
            "first_name": "Eve",
            "last_name": "Moss",
            "name": "Eve Moss",
            "email": "eve@newco.ai",
            "title": "Senior Engineer",
            "seniority": "Senior",
            "departments": [],
            "city": "Austin",
            "country": "US",
            "organization_id": None,
            "employment_history": [],
            "created_at": ts("2025-05-01"),
            "updated_at": ts("2026-05-01"),
        },
    ]
    accounts = [
        {
            "_id": AC1,
            "name": "One",
            "domain": "one.io",
            "plan": "free",
            "seats": 1,
            "billing_email": "b@one.io",
            "created_at": ts("2026-09-07T10:00:00"),
            "status": "active",
        },
        {
            "_id": AC2,
            "name": "Two",
            "domain": "two.io",
            "plan": "basic",
            "seats": 2,
            "billing_email": "b@two.io",
            "created_at": ts("2026-09-08T10:00:00"),
            "status": "active",
        },
        {
            "_id": AC3,
            "name": "Three",
            "domain": "three.io",
            "plan": "professional",
            "seats": 3,
            "billing_email": "b@three.io",
            "created_at": ts("2026-09-09T10:00:00"),
            "status": "churned",
        },
        # signed up less than 14 days before the backup's as_of: not yet "new" for activation
        {
            "_id": AC4,
            "name": "Four",
            "domain": "four.io",
            "plan": "organization",
            "seats": 10,
            "billing_email": "b@four.io",
            "created_at": ts("2026-10-25T10:00:00"),
            "status": "active",
        },
    ]
    users = [
        {
            "_id": u,
            "account_id": a,
            "first_name": "U",
            "last_name": str(i),
            "email": f"u{i}@x{i}.io",
            "role": "admin",
            "created_at": ts(created),
            "last_active_at": None,
        }
        for i, (u, a, created) in enumerate(
            [
                (U1, AC1, "2026-09-07T11:00:00"),
                (U2, AC2, "2026-09-08T11:00:00"),
                (U3, AC3, "2026-09-09T11:00:00"),
                (U4, AC4, "2026-10-25T11:00:00"),
            ]
        )
    ]
    usage_events = [
        _event(1, U1, AC1, "sequences", "engagement", "2026-09-10T12:00:00"),  # AC1 activated (day 3)
        _event(2, U2, AC2, "people_search", "prospecting", "2026-09-09T12:00:00"),
        _event(3, U2, AC2, "email_send", "engagement", "2026-09-30T12:00:00"),  # day 22: too late
        _event(4, U3, AC3, "people_search", "prospecting", "2026-09-10T12:00:00"),
        _event(5, U4, AC4, "sequences", "engagement", "2026-10-31T12:00:00"),  # the backup's as_of
    ]
    contacts = [
        {
            "_id": K1,
            "account_id": AC1,
            "owner_user_id": U1,
            "person_id": P_ANN,
            "first_name": "Ann",
            "last_name": "Lee",
            "email": "ann.lee@acme.io",
            "stage": "replied",
            "custom_fields": {
                "cf_64a1": {"label": "Source", "value": "Webinar"},
                "cf_77b2": {"label": "Score", "value": "A"},
            },
            "created_at": ts("2026-09-01"),
            "updated_at": ts("2026-09-20"),
        },
        {
            "_id": K2,
            "account_id": AC1,
            "owner_user_id": U1,
            "person_id": None,
            "first_name": "Zed",
            "last_name": "Q",
            "email": "zed@unknown.org",
            "stage": "Cold",
            "custom_fields": {},
            "created_at": ts("2026-09-01"),
            "updated_at": ts("2026-09-01"),
        },
    ]
    emailer_campaigns = [
        {
            "_id": C1,
            "account_id": AC1,
            "user_id": U1,
            "name": "Outbound",
            "status": "active",
            "steps": [
                {"step": 1, "type": "email", "wait_days": 0},
                {"step": 2, "type": "email", "wait_days": 2},
                {"step": 3, "type": "call", "wait_days": 3},
            ],
            "created_at": ts("2026-09-01"),
        },
        {
            "_id": C2,
            "account_id": AC1,
            "user_id": U1,
            "name": "Old",
            "status": "paused",
            "steps": [{"step": 1, "type": "email", "wait_days": 0}],
            "created_at": ts("2026-09-01"),
        },
    ]
    emailer_messages = [
        _message(M1, C1, K1, P_ANN, "2026-09-14T09:00:00", opened="2026-09-14T10:00:00", replied="2026-09-15T08:00:00"),
        _message(M2, C1, K1, P_ANN, "2026-09-16T15:00:00", replied="2026-09-17T08:00:00"),  # reply, no open
        _message(M3, C2, K2, None, "2026-09-15T09:00:00", bounced="2026-09-15T09:01:00", status="bounced"),
        _message(M4, C1, K1, None, "2026-09-20T18:30:00"),  # person through the contact
        _message(M5, C1, K1, P_ANN, None, status="scheduled"),  # not sent: no row
    ]
    return {
        "organizations": organizations,
        "people": people,
        "accounts": accounts,
        "users": users,
        "contacts": contacts,
        "emailer_campaigns": emailer_campaigns,
        "emailer_messages": emailer_messages,
        "usage_events": usage_events,
    }


def backup_b() -> dict[str, list[dict[str, Any]]]:
    """Backup B, a day later: Bob got his organization_id, twitter_url appears, one more event."""
    docs = copy.deepcopy(backup_a())
    for person in docs["people"]:
        if person["_id"] == P_BOB:
            person["organization_id"] = ORG_GLOBEX
            person["updated_at"] = ts("2026-11-01")
        person["twitter_url"] = f"https://twitter.com/{person['first_name'].lower()}"
    for org in docs["organizations"]:
        if org["_id"] == ORG_GLOBEX:
            org["founded_year"] = 2005
    docs["usage_events"].append(_event(6, U4, AC4, "people_search", "prospecting", "2026-11-01T12:00:00"))
    return docs
