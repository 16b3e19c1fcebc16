"""The generated database has the contracted shape and the patterns the warehouse and the models rely on."""

import math
import re
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from bson import ObjectId

from apollo_assets.sample_data import Sizes
from apollo_assets.sample_data.prospecting import IN_PROFILE, current_industry, target_industry
from apollo_assets.sample_data.taxonomy import ACTIVATION_FEATURES, USE_CASE_OF
from apollo_assets.sample_data.timeutil import DEFAULT_START

from .helpers import bson_type

MISSING = "missing"  # an optional field may be absent
DT, OID, STR, NULL = "date", "objectId", "string", "null"
SCHEMA: dict[str, dict[str, set[str]]] = {
    "organizations": {
        "_id": {OID},
        "name": {STR},
        "domain": {STR},
        "website_url": {STR},
        "industry": {STR},
        "estimated_num_employees": {"int"},
        "annual_revenue": {"decimal", NULL},
        "founded_year": {"int", STR, MISSING},
        "technologies": {"array"},
        "keywords": {"array"},
        "address": {"object"},
        "phone": {STR, NULL, MISSING},
        "linkedin_url": {STR, MISSING},
        "created_at": {DT},
        "updated_at": {DT},
    },
    "people": {
        "_id": {OID},
        "first_name": {STR},
        "last_name": {STR},
        "name": {STR},
        "email": {STR, NULL, MISSING},
        "phone": {STR, MISSING},
        "title": {STR},
        "seniority": {STR},
        "departments": {"array"},
        "linkedin_url": {STR, MISSING},
        "city": {STR},
        "state": {STR, NULL},
        "country": {STR},
        "birthdate": {DT, MISSING},
        "organization_id": {OID, NULL},
        "employment_history": {"array"},
        "intent_score": {"double", "int", STR, NULL, MISSING},
        "created_at": {DT},
        "updated_at": {DT},
        "twitter_url": {STR, NULL, MISSING},
    },
    "accounts": {
        "_id": {OID},
        "name": {STR},
        "domain": {STR},
        "plan": {STR},
        "seats": {"int"},
        "billing_email": {STR},
        "created_at": {DT},
        "status": {STR},
    },
    "users": {
        "_id": {OID},
        "account_id": {OID},
        "first_name": {STR},
        "last_name": {STR},
        "email": {STR},
        "role": {STR},
        "created_at": {DT},
        "last_active_at": {DT, NULL},
    },
    "contacts": {
        "_id": {OID},
        "account_id": {OID},
        "owner_user_id": {OID},
        "person_id": {OID, NULL},
        "first_name": {STR},
        "last_name": {STR},
        "email": {STR, NULL},
        "phone": {STR, NULL},
        "stage": {STR},
        "custom_fields": {"object"},
        "created_at": {DT},
        "updated_at": {DT},
    },
    "emailer_campaigns": {
        "_id": {OID},
        "account_id": {OID},
        "user_id": {OID},
        "name": {STR},
        "status": {STR},
        "steps": {"array"},
        "created_at": {DT},
    },
    "emailer_messages": {
        "_id": {OID},
        "campaign_id": {OID},
        "account_id": {OID},
        "user_id": {OID},
        "contact_id": {OID},
        "person_id": {OID, NULL},
        "to_email": {STR},
        "subject": {STR},
        "body": {STR},
        "status": {STR},
        "sent_at": {DT},
        "opened_at": {DT, NULL},
        "replied_at": {DT, NULL},
        "bounced_at": {DT, NULL},
    },
    "usage_events": {
        "_id": {OID},
        "user_id": {OID},
        "account_id": {OID},
        "feature": {STR},
        "use_case": {STR},
        "timestamp": {DT},
        "properties": {"object"},
    },
}


def types_of(docs: list[dict], field: str) -> Counter:
    return Counter(bson_type(d[field]) if field in d else MISSING for d in docs)


@pytest.mark.parametrize("collection", list(SCHEMA))
def test_fields_and_bson_types_are_the_contracted_ones(collection: str, database_after_days: dict) -> None:
    docs = database_after_days[collection]
    assert docs
    for field, allowed in SCHEMA[collection].items():
        assert set(types_of(docs, field)) <= allowed, field
    assert {f for d in docs for f in d} == set(SCHEMA[collection])
    for d in docs:
        assert next(iter(d)) == "_id"
        assert (
            abs(
                d["_id"].generation_time.timestamp()
                - d.get("created_at", d.get("timestamp", d.get("sent_at"))).timestamp()
            )
            < 1
        )  # ids embed the creation time, as MongoDB's do


def test_nested_documents_have_their_contracted_types(database: dict) -> None:
    for org in database["organizations"]:
        assert set(org["address"]) == {"street", "city", "state", "country", "postal_code"}
        assert all(isinstance(t, str) for t in org["technologies"] + org["keywords"])
    for person in database["people"]:
        for job in person["employment_history"]:
            assert list(job) == [
                "organization_id",
                "organization_name",
                "title",
                "start_date",
                "end_date",
                "current",
            ]
            assert bson_type(job["organization_id"]) in {OID, NULL} and isinstance(job["current"], bool)
            assert job["end_date"] is None or job["end_date"] >= job["start_date"]
    for campaign in database["emailer_campaigns"]:
        assert [s["step"] for s in campaign["steps"]] == list(range(1, len(campaign["steps"]) + 1))
        assert all(bson_type(s["wait_days"]) == "int" for s in campaign["steps"])
    counts = [e["properties"]["count"] for e in database["usage_events"] if "count" in e["properties"]]
    assert {bson_type(c) for c in counts} == {"int", NULL}


def test_type_drift_is_present_but_small(database: dict) -> None:
    people, orgs = database["people"], database["organizations"]
    intent = types_of(people, "intent_score")
    assert 0.01 < intent["int"] / len(people) < 0.06 and 0.005 < intent[STR] / len(people) < 0.04
    assert intent["double"] / len(people) > 0.75
    founded = types_of(orgs, "founded_year")
    assert 0.01 < founded[STR] / len(orgs) < 0.04
    drifted = [o["founded_year"] for o in orgs if isinstance(o.get("founded_year"), str)]
    assert all(re.fullmatch(r"\d{4}", year) for year in drifted)


def test_seniority_casing_varies_but_normalizes(database: dict) -> None:
    raw = Counter(p["seniority"] for p in database["people"])
    assert {"VP", "Director"} & set(raw) and "vp" in raw
    assert {s.lower() for s in raw} == {"c_suite", "vp", "director", "manager", "senior", "entry"}


def test_contact_data_is_realistic(database: dict) -> None:
    orgs = {o["_id"]: o for o in database["organizations"]}
    accounts = {a["_id"]: a for a in database["accounts"]}
    for p in database["people"]:
        if p.get("email"):
            assert p["email"].endswith("@" + orgs[p["organization_id"]]["domain"])
            assert re.fullmatch(r"[a-z0-9]+\.[a-z0-9]+@[a-z0-9.]+", p["email"])
        if "phone" in p:
            assert re.fullmatch(r"\+\d{1,3}( [\d-]+)+", p["phone"])
    emails = [u["email"] for u in database["users"]]
    assert len(set(emails)) == len(emails)
    assert all(u["email"].endswith("@" + accounts[u["account_id"]]["domain"]) for u in database["users"])
    revenues = [o["annual_revenue"].to_decimal() for o in orgs.values() if o["annual_revenue"] is not None]
    assert revenues and all(r.as_tuple().exponent == -2 and r > 0 for r in revenues)
    assert len({o["domain"] for o in orgs.values()}) == len(orgs)


def test_custom_fields_have_dynamic_object_id_keys(database: dict) -> None:
    keys = {k for c in database["contacts"] for k in c["custom_fields"]}
    assert len(keys) > 20 and all(ObjectId.is_valid(k) for k in keys)
    values = [v for c in database["contacts"] for v in c["custom_fields"].values()]
    assert all(set(v) == {"label", "value"} for v in values)


def test_email_bodies_mention_the_recipient(database: dict) -> None:
    contacts = {c["_id"]: c for c in database["contacts"]}
    messages = [m for m in database["emailer_messages"] if m["contact_id"] in contacts]
    assert all(f"Hi {contacts[m['contact_id']]['first_name']}," in m["body"] for m in messages)
    assert any(m["to_email"] in m["body"] for m in messages)  # free-text PII beyond the name


def test_message_timestamps_are_consistent(database: dict) -> None:
    now = DEFAULT_START
    for m in database["emailer_messages"]:
        assert m["sent_at"] <= now
        for field in ("opened_at", "replied_at", "bounced_at"):
            assert m[field] is None or m["sent_at"] < m[field] <= now
        if m["replied_at"]:
            assert m["opened_at"] and m["opened_at"] < m["replied_at"]
        if m["bounced_at"]:
            assert m["opened_at"] is None and m["replied_at"] is None
        seen = [status for status in ("bounced", "replied", "opened") if m[f"{status}_at"]]
        assert m["status"] == (seen[0] if seen else "sent")


def _reply_rate(messages: list[dict]) -> float:
    return sum(m["replied_at"] is not None for m in messages) / len(messages)


def test_replies_carry_a_learnable_signal(database: dict) -> None:
    messages = database["emailer_messages"]
    assert 0.05 <= _reply_rate(messages) <= 0.15
    people = {p["_id"]: p for p in database["people"]}
    orgs = {o["_id"]: o for o in database["organizations"]}
    by_seniority = defaultdict(list)
    by_size = defaultdict(list)
    for m in messages:
        person = people.get(m["person_id"])
        if person:
            by_seniority[person["seniority"].lower()].append(m)
            org = orgs.get(person["organization_id"])
            if org:
                by_size[org["estimated_num_employees"] < 200].append(m)
    juniors = by_seniority["entry"] + by_seniority["senior"]
    executives = by_seniority["vp"] + by_seniority["c_suite"]
    assert _reply_rate(juniors) > 1.5 * _reply_rate(executives)
    assert _reply_rate(by_size[True]) > 1.15 * _reply_rate(by_size[False])
    touches = defaultdict(list)
    seen = Counter()
    for m in sorted(messages, key=lambda m: m["sent_at"]):
        seen[(m["campaign_id"], m["contact_id"])] += 1
        touches[min(seen[(m["campaign_id"], m["contact_id"])], 4)].append(m)
    assert _reply_rate(touches[2]) > _reply_rate(touches[4])


def test_activation_happens_fast_slow_or_never_and_depends_on_plan(database: dict) -> None:
    first_engagement = {}
    for e in database["usage_events"]:
        assert USE_CASE_OF[e["feature"]] == e["use_case"]
        if e["feature"] in ACTIVATION_FEATURES:
            first_engagement.setdefault(e["account_id"], e["timestamp"])
    days = {
        a["_id"]: (first_engagement[a["_id"]] - a["created_at"]).total_seconds() / 86400
        for a in database["accounts"]
        if a["_id"] in first_engagement
    }
    assert any(d <= 3 for d in days.values()) and any(d > 7 for d in days.values())
    never = [a for a in database["accounts"] if a["_id"] not in days]
    assert never
    by_plan = defaultdict(list)
    for a in database["accounts"]:
        by_plan[a["plan"] in ("professional", "organization")].append(a["_id"] in days)
    assert sum(by_plan[True]) / len(by_plan[True]) > sum(by_plan[False]) / len(by_plan[False])
    campaign_accounts = {c["account_id"] for c in database["emailer_campaigns"]}
    assert campaign_accounts <= set(days)  # running a sequence is the activation
    for c in database["emailer_campaigns"]:
        assert c["created_at"] >= first_engagement[c["account_id"]]


def test_weekly_retention_decays(database: dict) -> None:
    users = {u["_id"]: u for u in database["users"]}
    cohort = {i for i, u in users.items() if (DEFAULT_START - u["created_at"]).days >= 10 * 7}
    active_weeks = defaultdict(set)
    for e in database["usage_events"]:
        if e["user_id"] in cohort:
            active_weeks[(e["timestamp"] - users[e["user_id"]]["created_at"]).days // 7].add(e["user_id"])
    retention = [len(active_weeks[w]) / len(cohort) for w in range(10)]
    assert retention[0] > 0.6
    assert retention[9] < 0.8 * retention[1]


def test_deals_features_follow_the_plan(database: dict) -> None:
    plans = {a["_id"]: a["plan"] for a in database["accounts"]}
    used = defaultdict(set)
    for e in database["usage_events"]:
        used[plans[e["account_id"]]].add(e["feature"])
    assert "conversation_intelligence" not in used["free"] | used["basic"] | used["professional"]
    assert "conversation_intelligence" in used["organization"]


def test_default_sizes_are_what_the_pipeline_expects(database: dict) -> None:
    sizes = Sizes()
    for name in ("organizations", "people", "accounts", "users", "contacts", "emailer_campaigns"):
        assert len(database[name]) == getattr(sizes, name)
    assert math.isclose(len(database["emailer_messages"]), sizes.emailer_messages, rel_tol=0.01)
    assert math.isclose(len(database["usage_events"]), sizes.usage_events, rel_tol=0.05)
    assert Sizes().scaled(0.5).of("people") == 1000 and Decimal(Sizes().scaled(2).scale) == 2


def test_accounts_prospect_their_target_industry(database: dict) -> None:
    """Saved people come mostly from the account's target industry (the similar-companies model's held-out signal),
    and the accounts do not all prospect the same one."""
    organizations = {o["_id"]: o for o in database["organizations"]}
    people = {p["_id"]: p for p in database["people"]}
    in_profile = saved = 0
    for contact in database["contacts"]:
        if contact["person_id"] is None:
            continue
        saved += 1
        industry = current_industry(people[contact["person_id"]], organizations)
        in_profile += industry == target_industry(contact["account_id"])
    assert saved > 1000
    assert IN_PROFILE - 0.1 < in_profile / saved <= IN_PROFILE + 0.1
    assert len({target_industry(a["_id"]) for a in database["accounts"]}) >= 8
