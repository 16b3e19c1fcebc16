"""Which people a customer saves as contacts: mostly people at companies of its ideal customer profile.

A real customer prospects one market (a recruiting firm saves HR leaders of staffing companies, a fintech vendor
saves finance teams), so the companies one account saves resemble each other. That is the held-out signal the
similar-companies model is judged on; uniform picks would make "the biggest companies" the best recommendation."""

import hashlib
import random
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import accumulate

from bson import ObjectId

from .industries import INDUSTRY_NAMES, INDUSTRY_WEIGHTS
from .timeutil import seconds

SAVED_FROM_PEOPLE = 0.88  # the rest are typed in by hand
IN_PROFILE = 0.85  # of the saved people, the share taken from the account's target industry
_CUMULATIVE = tuple(accumulate(INDUSTRY_WEIGHTS))


def target_industry(account_id: ObjectId) -> str:
    """The industry an account prospects, fixed by its id (no draw from the generator's streams)."""
    digest = int.from_bytes(hashlib.blake2b(account_id.binary, digest_size=8).digest(), "big")
    return INDUSTRY_NAMES[bisect_right(_CUMULATIVE, digest % _CUMULATIVE[-1])]


def current_industry(person: dict, organizations: Mapping[ObjectId, dict]) -> str | None:
    for job in person["employment_history"]:
        if job["current"] and job["organization_id"] in organizations:
            return organizations[job["organization_id"]]["industry"]
    return None


@dataclass
class ProspectPool:
    """The people known so far (in creation order), indexed by their employer's industry."""

    people: list[dict]
    times: list[float]
    by_industry: dict[str, tuple[list[float], list[int]]] = field(default_factory=dict)

    @classmethod
    def of(cls, people: Mapping[ObjectId, dict], organizations: Mapping[ObjectId, dict]) -> "ProspectPool":
        """The pool of a world's people (inserted in creation order) and organizations."""
        pool = cls(list(people.values()), [])
        for row, person in enumerate(pool.people):
            created = seconds(person["created_at"])
            pool.times.append(created)
            industry = current_industry(person, organizations)
            if industry is not None:
                industry_times, rows = pool.by_industry.setdefault(industry, ([], []))
                industry_times.append(created)
                rows.append(row)
        return pool

    def pick(self, rng: random.Random, created: float, account_id: ObjectId) -> dict | None:
        """A person created before `created`, or None for a contact typed in by hand."""
        known = bisect_right(self.times, created)
        if not known or rng.random() >= SAVED_FROM_PEOPLE:
            return None
        if rng.random() < IN_PROFILE:
            times, rows = self.by_industry.get(target_industry(account_id), ((), ()))
            if in_profile := bisect_right(times, created):
                return self.people[rows[rng.randrange(in_profile)]]
        return self.people[rng.randrange(known)]
