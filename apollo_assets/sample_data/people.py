"""People in the prospect database: contact data, job, employment history, intent (the `people` collection).

`make_person` is the hot path of the streaming benchmark (a million documents): month-precise dates come
from a cache, weighted choices from precomputed tables, and `int(random() * n)` replaces `randrange(n)`.
"""

import random
from collections.abc import Iterator, Sequence
from datetime import datetime

from .employment import history, start_job
from .names import FIRST_NAMES, LAST_NAMES, LOCATIONS, ascii_slug, email_for, fill
from .organizations import random_location
from .seeding import ObjectIds, rng_for
from .timeutil import DAY, DEFAULT_START, at, month_start, seconds
from .titles import pick_title, raw_seniority, step, title_at

_PHONE_BY_CITY = {loc[0]: loc[4] for loc in LOCATIONS}


def _intent_score(rng: random.Random) -> float | int | str | None:
    r = rng.random()
    if r < 0.08:
        return None
    score = min(rng.random(), rng.random()) * 100  # skewed low: few people are in market at any time
    # Two scoring services wrote this field over the years: ~3% ints, ~2% strings.
    if r < 0.11:
        return round(score)
    if r < 0.13:
        return f"{score:.1f}"
    return round(score, 2)


def twitter_url(rng: random.Random, first: str, last: str) -> str | None:
    if rng.random() < 0.35:
        return None
    return f"https://twitter.com/{ascii_slug(first)}{ascii_slug(last)[:6]}{rng.randrange(100)}"


def make_person(
    rng: random.Random,
    ids: ObjectIds,
    orgs: Sequence[dict],
    created: datetime,
    *,
    org_count: int | None = None,
    twitter: bool = False,
) -> dict:
    """One person; `org_count` limits the current employer to the orgs that already existed."""
    r = rng.random
    first, last = FIRST_NAMES[int(r() * len(FIRST_NAMES))], LAST_NAMES[int(r() * len(LAST_NAMES))]
    eligible = len(orgs) if org_count is None else org_count
    org = orgs[int(r() * eligible)] if eligible and r() < 0.94 else None
    title, seniority, departments, _ = pick_title(rng)
    if org is not None and r() < 0.75:
        address = org["address"]
        city, state, country = address["city"], address["state"], address["country"]
    else:
        city, state, country = random_location(rng)[:3]
    doc: dict = {"_id": ids.new(created), "first_name": first, "last_name": last, "name": f"{first} {last}"}
    if org is not None and r() < 0.92:
        doc["email"] = email_for(first, last, org["domain"]) if r() < 0.95 else None
    if r() < 0.55:
        doc["phone"] = fill(_PHONE_BY_CITY[city], rng)
    doc["title"] = title
    doc["seniority"] = raw_seniority(rng, seniority)
    doc["departments"] = list(departments)
    if r() < 0.88:
        doc["linkedin_url"] = (
            f"https://www.linkedin.com/in/{ascii_slug(first)}-{ascii_slug(last)}-{int(r() * 2**24):06x}"
        )
    doc["city"], doc["state"], doc["country"] = city, state, country
    if r() < 0.4:
        doc["birthdate"] = _birthdate(int(r() * 42 * 12), 1 + int(r() * 28))
    doc["organization_id"] = org["_id"] if org is not None else None
    doc["employment_history"] = history(rng, orgs, org, title, seniority, created)
    if r() < 0.93:
        doc["intent_score"] = _intent_score(rng)
    doc["created_at"] = created
    doc["updated_at"] = created
    if twitter and r() < 0.85:
        doc["twitter_url"] = twitter_url(rng, first, last)
    return doc


def _birthdate(month: int, day: int) -> datetime:
    start = month_start(1960 * 12 + month)
    return start.replace(day=day)


def change_job(rng: random.Random, person: dict, orgs: list[dict], when: datetime, *, twitter: bool) -> None:
    """The person moves to another company: history grows, contact data follows the new employer."""
    org = orgs[rng.randrange(len(orgs))]
    while org["_id"] == person["organization_id"] and len(orgs) > 1:
        org = orgs[rng.randrange(len(orgs))]
    title, seniority, departments, _ = title_at(rng, step(person["seniority"].lower(), rng.choice((0, 0, 1))))
    start_job(person["employment_history"], org, title, when)
    person["title"], person["departments"] = title, list(departments)
    person["seniority"] = raw_seniority(rng, seniority)
    person["organization_id"] = org["_id"]
    if person.get("email") is not None:
        person["email"] = email_for(person["first_name"], person["last_name"], org["domain"])
    if "intent_score" in person and rng.random() < 0.5:
        person["intent_score"] = _intent_score(rng)
    person["updated_at"] = when
    if twitter and "twitter_url" not in person:
        person["twitter_url"] = twitter_url(rng, person["first_name"], person["last_name"])


def iter_people(
    seed: int,
    count: int,
    organizations: Sequence[dict],
    *,
    now: datetime = DEFAULT_START,
    span_days: float = 730.0,
) -> Iterator[dict]:
    """Stream `count` people created over the `span_days` before `now`, without holding them in memory."""
    rng, ids = rng_for(seed, "people-stream"), ObjectIds(seed, "people")
    start, gap = seconds(now) - span_days * DAY, span_days * DAY / max(count, 1)
    for i in range(count):
        yield make_person(rng, ids, organizations, at(start + (i + rng.random()) * gap))
