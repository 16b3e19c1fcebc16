"""Inserting documents into the world, in time order: shared by the first backup and every later one."""

import random
from bisect import bisect_right
from collections.abc import Sequence

import numpy as np
from bson import ObjectId

from .accounts import make_account
from .activity import simulate_usage
from .activity_types import Actor
from .contacts import define_custom_fields, make_contact
from .organizations import company_name, domain_for, make_organization
from .people import make_person
from .prospecting import ProspectPool
from .timeutil import at, at_ms, seconds
from .users import make_user
from .world import UsageBatch, World

ACCOUNT_NAME_SHIFT = 600  # customers' names start half-way through the name cycle, away from the first orgs


def sorted_times(rng: random.Random, start: float, end: float, n: int) -> list[float]:
    # Inserts happen in time order, so ObjectIds and natural order follow creation time as in MongoDB.
    return sorted(rng.uniform(start, end) for _ in range(n))


def add_organizations(world: World, rng: random.Random, times: Sequence[float]) -> None:
    for t in times:
        index, ids = world.organization_count, world.ids["organizations"]
        org = make_organization(rng, ids, index, world.name_offset, at(t))
        world.organizations[org["_id"]] = org
        world.organization_count += 1


def add_people(world: World, rng: random.Random, times: Sequence[float], *, twitter: bool) -> None:
    orgs = list(world.organizations.values())
    org_times = [seconds(o["created_at"]) for o in orgs]
    for t in times:  # a person works at an organization that is already known
        known = bisect_right(org_times, t)
        person = make_person(rng, world.ids["people"], orgs, at(t), org_count=known, twitter=twitter)
        world.people[person["_id"]] = person


def add_account(world: World, rng: random.Random, created: float) -> dict:
    name = company_name(world.account_count, world.name_offset + ACCOUNT_NAME_SHIFT)
    account, traits = make_account(rng, world.ids["accounts"], name, domain_for(rng, name), created)
    traits.custom_fields = define_custom_fields(rng, world.ids["fields"], created)
    world.accounts[account["_id"]] = account
    world.account_traits[account["_id"]] = traits
    world.account_count += 1
    return account


def add_user(world: World, rng: random.Random, account: dict, created: float, *, admin: bool) -> None:
    traits = world.account_traits[account["_id"]]
    ids, taken = world.ids["users"], world.taken_emails
    user, user_traits = make_user(rng, ids, account, traits, created, admin, taken)
    world.users[user["_id"]] = user
    actor = Actor(
        user["_id"],
        account["_id"],
        traits.plan,
        created,
        user_traits.activation,
        user_traits.stops,
        user_traits.level,
        traits.weekly_decay,
    )
    world.actors.append(actor)
    world.actors_by_account.setdefault(account["_id"], []).append(actor)


def add_contact(
    world: World,
    rng: random.Random,
    account_id: ObjectId,
    created: float,
    prospects: ProspectPool,
) -> None:
    """A contact owned by a teammate who had joined, mostly copied from a person already known."""
    team = world.actors_by_account[account_id]
    owners = [a.user_id for a in team if a.created <= created] or [team[0].user_id]
    person = prospects.pick(rng, created, account_id)
    fields = world.account_traits[account_id].custom_fields
    contact = make_contact(
        rng,
        world.ids["contacts"],
        account_id,
        owners[rng.randrange(len(owners))],
        person,
        fields,
        at(created),
        world.organizations,
    )
    world.contacts[contact["_id"]] = contact
    world.contacts_by_account.setdefault(account_id, []).append((created, contact["_id"]))


def record_usage(
    world: World,
    rng: random.Random,
    nrng: np.random.Generator,
    start: float,
    end: float,
    *,
    total: int | None = None,
) -> None:
    """Simulate the users' activity in [start, end). Only the events' columns are kept: their documents are made
    when the backup is written (`World.usage_documents`), with this `rng`, in the same order as if made here."""
    events, world.usage_rate = simulate_usage(world.actors, start, end, nrng, total=total, rate=world.usage_rate)
    world.usage.append(UsageBatch(rng.getstate(), events))
    for who, ms in events.last_of_each_actor().items():
        world.users[world.actors[who].user_id]["last_active_at"] = at_ms(ms)
