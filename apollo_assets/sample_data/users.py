"""The product's users (`users`): an account's teammates, some active for months, some gone in weeks."""

import random
from dataclasses import dataclass

from bson import ObjectId

from .accounts import NEVER, AccountTraits
from .names import FIRST_NAMES, LAST_NAMES, ascii_slug, email_for
from .seeding import ObjectIds
from .timeutil import DAY, at


@dataclass
class UserTraits:
    account_id: ObjectId
    created: float
    activation: float
    level: float
    stops: float  # when the user stops using the product (or the account churns)


def _unique_email(first: str, last: str, domain: str, taken: set[str]) -> str:
    email, n = email_for(first, last, domain), 1
    while email in taken:  # users.email has a unique index
        n += 1
        email = f"{ascii_slug(first)}.{ascii_slug(last)}{n}@{domain}"
    taken.add(email)
    return email


def _stops(rng: random.Random, account: AccountTraits, created: float, activated: bool) -> float:
    # Users who never reach the key action drift away within weeks; activated users mostly stay for months.
    if activated and rng.random() < 0.35:
        return account.churn
    weeks = rng.expovariate(1 / 30) if activated else rng.expovariate(1 / 3)
    return min(account.churn, created + weeks * 7 * DAY)


def user_traits(
    rng: random.Random, account_id: ObjectId, account: AccountTraits, created: float, admin: bool
) -> UserTraits:
    if admin or account.activation == NEVER:
        activation = account.activation
    elif rng.random() < 0.75:
        activation = max(account.activation, created) + rng.expovariate(1 / 4) * DAY
    else:
        activation = NEVER
    stops = _stops(rng, account, created, activation != NEVER)
    if admin and activation != NEVER:
        stops = max(stops, min(account.churn, activation + 14 * DAY))  # the admin is the one who activates
    elif activation >= stops:
        activation = NEVER
    return UserTraits(account_id, created, activation, account.level * rng.lognormvariate(0, 0.5), stops)


def make_user(
    rng: random.Random,
    ids: ObjectIds,
    account: dict,
    traits: AccountTraits,
    created: float,
    admin: bool,
    taken_emails: set[str],
) -> tuple[dict, UserTraits]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    doc = {
        "_id": ids.new(created),
        "account_id": account["_id"],
        "first_name": first,
        "last_name": last,
        "email": _unique_email(first, last, account["domain"], taken_emails),
        "role": "admin" if admin else "member",
        "created_at": at(created),
        "last_active_at": None,
    }
    return doc, user_traits(rng, account["_id"], traits, created, admin)
