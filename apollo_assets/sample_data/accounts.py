"""Customers of the product (`accounts`) and the hidden traits that drive their behaviour."""

import math
import random
from dataclasses import dataclass, field

from .names import FIRST_NAMES, LAST_NAMES, email_for
from .seeding import ObjectIds
from .timeutil import DAY, at

PLANS = ("free", "basic", "professional", "organization")
_PLAN_WEIGHTS = (35, 27, 23, 15)
# Paid plans come with onboarding, so they activate more often and use the product more.
_NEVER_ACTIVATES = {"free": 0.5, "basic": 0.3, "professional": 0.15, "organization": 0.08}
_PLAN_LEVEL = {"free": 0.6, "basic": 1.0, "professional": 1.4, "organization": 1.8}
_SEATS = {"free": (1, 1), "basic": (1, 5), "professional": (3, 15), "organization": (10, 50)}
NEVER = math.inf


@dataclass
class AccountTraits:
    """What the backups never show but the behaviour follows; times are epoch seconds, NEVER if not."""

    plan: str
    created: float
    activation: float
    churn: float
    level: float
    weekly_decay: float
    custom_fields: list[tuple[str, str]] = field(default_factory=list)


def _activation_delay(rng: random.Random) -> float:
    # Half of the activating accounts run a sequence on day one; the rest trickle in over weeks.
    return rng.uniform(0.02, 2) * DAY if rng.random() < 0.45 else min(rng.expovariate(1 / 10), 60) * DAY


def account_traits(rng: random.Random, plan: str, created: float) -> AccountTraits:
    activation = NEVER if rng.random() < _NEVER_ACTIVATES[plan] else created + _activation_delay(rng)
    level = _PLAN_LEVEL[plan] * rng.lognormvariate(0, 0.5)
    if activation == NEVER:
        decay = rng.uniform(0.55, 0.8)
        churn = created + rng.uniform(21, 120) * DAY if rng.random() < 0.7 else NEVER
    else:
        decay = rng.uniform(0.9, 0.99)
        churn = activation + rng.uniform(60, 400) * DAY if rng.random() < 0.12 else NEVER
    return AccountTraits(plan, created, activation, churn, level, decay)


def make_account(
    rng: random.Random, ids: ObjectIds, name: str, domain: str, created: float
) -> tuple[dict, AccountTraits]:
    plan = rng.choices(PLANS, _PLAN_WEIGHTS)[0]
    traits = account_traits(rng, plan, created)
    low, high = _SEATS[plan]
    if rng.random() < 0.5:
        billing = f"{rng.choice(('billing', 'finance', 'accounts', 'ap'))}@{domain}"
    else:
        billing = email_for(rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), domain)
    doc = {
        "_id": ids.new(created),
        "name": name,
        "domain": domain,
        "plan": plan,
        "seats": rng.randint(low, high),
        "billing_email": billing,
        "created_at": at(created),
        "status": "active",
    }
    return doc, traits


def account_status(traits: AccountTraits, now: float) -> str:
    return "churned" if traits.churn <= now else "active"


def member_joins(rng: random.Random, account: AccountTraits) -> float:
    """When a teammate is invited: soon after sign-up for most, months later for a few."""
    return account.created + rng.expovariate(1 / 15) * DAY
