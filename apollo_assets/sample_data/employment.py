"""Employment history: month-precise jobs, most recent first, exactly one `current` while employed."""

import random
from collections.abc import Sequence
from datetime import datetime

from .names import OUTSIDE_EMPLOYERS
from .seeding import Weighted
from .timeutil import month_index, month_start
from .titles import step, title_at

_PAST_JOBS = Weighted((0, 1, 2, 3), (25, 35, 25, 15))


def job(org: dict | None, title: str, start: datetime, end: datetime | None) -> dict:
    return {
        "organization_id": org["_id"] if org else None,
        "organization_name": org["name"] if org else "",
        "title": title,
        "start_date": start,
        "end_date": end,
        "current": end is None,
    }


def history(
    rng: random.Random, orgs: Sequence[dict], org: dict | None, title: str, seniority: str, created: datetime
) -> list[dict]:
    r = rng.random  # int(r() * n) rather than randint: several times faster, on the streaming hot path
    start = month_index(created) - 2 - int(r() * 99)
    jobs = [job(org, title, month_start(start), None)] if org else []
    for _ in range(_PAST_JOBS.pick(rng)):
        end = start - int(r() * 3)
        start = end - 10 - int(r() * 51)
        past_title = title_at(rng, step(seniority, -int(r() * 2)))[0]
        if r() < 0.75:
            employer = orgs[int(r() * len(orgs))]
        else:  # a well-known company outside the database: a name without id
            employer = {"_id": None, "name": OUTSIDE_EMPLOYERS[int(r() * len(OUTSIDE_EMPLOYERS))]}
        jobs.append(job(employer, past_title, month_start(start), month_start(end)))
    return jobs


def start_job(jobs: list[dict], org: dict, title: str, when: datetime) -> None:
    """Close the current job at the start of `when`'s month and put the new one first."""
    start = month_start(month_index(when))
    for entry in jobs:
        if entry["current"]:
            entry["end_date"], entry["current"] = start, False
    jobs.insert(0, job(org, title, start, None))
