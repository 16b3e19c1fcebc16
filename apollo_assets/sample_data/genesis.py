"""Generation 0: the database as the first backup sees it, with months of history behind it."""

import random
from bisect import bisect_right
from datetime import datetime
from itertools import accumulate

from .accounts import member_joins
from .campaigns import Campaign, sending_until
from .growth import (
    add_account,
    add_contact,
    add_organizations,
    add_people,
    add_user,
    record_usage,
    sorted_times,
)
from .outreach import add_campaign, due_messages, enroll, kept, store_messages
from .prospecting import ProspectPool
from .seeding import np_rng_for, rng_for
from .sizes import Sizes
from .timeutil import DAY, seconds
from .world import World

HISTORY_DAYS = {"organizations": 700, "people": 500, "accounts": 200}


def _since(rng: random.Random, world: World, collection: str) -> list[float]:
    """Creation times spread over the history of `collection`, up to the day before the first backup."""
    start = world.now - HISTORY_DAYS[collection] * DAY
    return sorted_times(rng, start, world.now - 3600, world.sizes.of(collection))


def _customers(world: World, rng: random.Random) -> None:
    accounts = [add_account(world, rng, t) for t in _since(rng, world, "accounts")]
    joins = [(seconds(a["created_at"]) + rng.uniform(60, 1800), a, True) for a in accounts]
    extra = max(0, world.sizes.of("users") - len(accounts))
    for account in rng.choices(accounts, [a["seats"] for a in accounts], k=extra):
        traits = world.account_traits[account["_id"]]
        latest = min(world.now, traits.churn) - rng.uniform(60, DAY)
        joins.append((max(traits.created + 3600, min(member_joins(rng, traits), latest)), account, False))
    for created, account, admin in sorted(joins, key=lambda j: (j[0], j[2])):
        add_user(world, rng, account, created, admin=admin)


def _contacts(world: World, rng: random.Random) -> None:
    prospects = ProspectPool.of(world.people, world.organizations)
    accounts = list(world.accounts.values())
    weights = [world.account_traits[a["_id"]].level * a["seats"] ** 0.5 for a in accounts]
    created = []
    for account in rng.choices(accounts, weights, k=world.sizes.of("contacts")):
        signup = seconds(account["created_at"]) + 600
        created.append((rng.uniform(signup, max(signup, world.now - 600)), account["_id"]))
    for t, account_id in sorted(created, key=lambda c: c[0]):
        add_contact(world, rng, account_id, t, prospects)


def _campaigns(world: World, rng: random.Random) -> list[Campaign]:
    """Campaigns of accounts that had activated (running a sequence is the activation)."""
    now, traits = world.now, world.account_traits
    active = [i for i, t in traits.items() if t.activation < now - DAY and t.churn > t.activation + DAY]
    weights = [traits[i].level for i in active]
    starts = []
    for i in rng.choices(active, weights, k=world.sizes.of("emailer_campaigns")) if active else []:
        last = max(traits[i].activation, min(now, traits[i].churn) - 6 * 3600)
        starts.append((rng.uniform(traits[i].activation, last), i))
    return [add_campaign(world, rng, i, t) for t, i in sorted(starts, key=lambda s: s[0])]


def _messages(world: World, rng: random.Random, campaigns: list[Campaign]) -> None:
    """Enroll contacts until the messages reach their target, picking campaigns by time spent sending."""
    target, now = world.sizes.of("emailer_messages"), world.now
    sending = [max(0.0, min(now, sending_until(c)) - seconds(c.doc["created_at"])) for c in campaigns]
    open_days = list(accumulate(sending))
    sent: list = []  # dicts, or encoded messages (outreach.kept)
    attempts = 20 * target if campaigns and open_days[-1] > 0 else 0
    while len(sent) < target and attempts > 0:
        attempts -= 1
        campaign = campaigns[min(bisect_right(open_days, rng.uniform(0, open_days[-1])), len(campaigns) - 1)]
        start = seconds(campaign.doc["created_at"])
        if enroll(world, rng, campaign, rng.uniform(start, min(now, sending_until(campaign)))):
            sent += kept(world, due_messages(world, rng, now, world.enrollments[-1:]))
    store_messages(world, rng, sent)


def build_initial(seed: int, sizes: Sizes, now: float, visible_at: datetime | None = None) -> World:
    """`visible_at`: the time of the backup the world will be written to, when known (messages are then kept
    encoded as that backup shows them)."""
    world = World.empty(seed, sizes, now, rng_for(seed, "names").randrange(1200), visible_at)
    rng = rng_for(seed, "genesis", "catalogue")
    add_organizations(world, rng, _since(rng, world, "organizations"))
    add_people(world, rng, _since(rng, world, "people"), twitter=False)
    _customers(world, rng_for(seed, "genesis", "customers"))
    first_signup = min((t.created for t in world.account_traits.values()), default=now)
    usage = (rng_for(seed, "genesis", "usage"), np_rng_for(seed, "genesis", "usage"))
    record_usage(world, *usage, first_signup, now, total=sizes.of("usage_events"))
    _contacts(world, rng_for(seed, "genesis", "contacts"))
    rng = rng_for(seed, "genesis", "outreach")
    _messages(world, rng, _campaigns(world, rng))
    world.settle()
    return world
