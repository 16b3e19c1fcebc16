"""What happens between two backups, collection by collection (see `evolution`)."""

from .growth import add_account, add_contact, add_organizations, add_people, add_user
from .organizations import refresh_organization
from .outreach import add_campaign, due_messages, enroll, sending_days, store_messages
from .people import change_job, twitter_url
from .prospecting import ProspectPool
from .round import Round
from .timeutil import DAY, seconds

ENROLLMENTS_PER_CAMPAIGN_DAY = 0.5
TWITTER_BACKFILL = 0.2  # share of existing people that a one-off job gives a twitter_url in round 1


def catalogue(r: Round) -> None:
    rng, world = r.rng("catalogue"), r.world
    add_organizations(world, rng, r.new_times(rng, "organizations"))
    orgs = list(world.organizations.values())
    for org in r.some(rng, orgs, "organization_refresh"):
        refresh_organization(rng, org, r.after(rng, org["updated_at"]))
    if r.index == 1:  # a backfill job sets the new field without touching updated_at: invisible to CDC on it
        for person in world.people.values():
            if rng.random() < TWITTER_BACKFILL:
                person["twitter_url"] = twitter_url(rng, person["first_name"], person["last_name"])
    people = list(world.people.values())
    for person in r.some(rng, people, "job_changes"):
        change_job(rng, person, orgs, r.after(rng, person["updated_at"]), twitter=True)
    for person in r.some(rng, people, "people_deletes"):
        del world.people[person["_id"]]
    add_people(world, rng, r.new_times(rng, "people"), twitter=True)


def customers(r: Round) -> None:
    rng, world = r.rng("customers"), r.world
    new_accounts = [add_account(world, rng, t) for t in r.new_times(rng, "accounts")]
    joins = [(seconds(a["created_at"]) + rng.uniform(60, 1800), a, True) for a in new_accounts]
    staying = [a for a in world.accounts.values() if world.account_traits[a["_id"]].churn > r.end]
    for account in rng.choices(staying, k=r.count("users", world.sizes.of("users"))) if staying else []:
        joins.append((rng.uniform(r.start, r.end), account, False))
    for created, account, admin in sorted(joins, key=lambda j: (j[0], j[2])):
        if created < r.end:
            add_user(world, rng, account, created, admin=admin)


def contacts(r: Round) -> None:
    rng, world = r.rng("contacts"), r.world
    existing = list(world.contacts.values())
    for contact in r.some(rng, existing, "contact_deletes"):
        del world.contacts[contact["_id"]]
    for contact in r.some(rng, existing, "contact_edits"):
        if contact["_id"] in world.contacts:  # a sales rep sets the stage by hand
            contact["stage"] = rng.choice(("cold", "interested", "not_interested", "customer"))
            contact["updated_at"] = r.after(rng, contact["updated_at"])
    prospects = ProspectPool.of(world.people, world.organizations)
    accounts = [
        a
        for a in world.accounts.values()
        if world.account_traits[a["_id"]].churn > r.end and a["_id"] in world.actors_by_account
    ]
    weights = [world.account_traits[a["_id"]].level for a in accounts]
    for t in r.new_times(rng, "contacts") if accounts else []:
        account = rng.choices(accounts, weights)[0]
        created = max(t, seconds(account["created_at"]) + 600)
        add_contact(world, rng, account["_id"], created, prospects)


def outreach(r: Round) -> None:
    rng, world = r.rng("outreach"), r.world
    ready = [(i, t) for i, t in world.account_traits.items() if t.activation < r.end and t.churn > r.end]
    for t in r.new_times(rng, "emailer_campaigns"):
        candidates = [i for i, traits in ready if traits.activation <= t]
        if candidates:
            add_campaign(world, rng, rng.choice(candidates), t)
    for campaign in list(world.campaigns.values()):
        days = sending_days(campaign, r.start, r.end)
        first = max(r.start, seconds(campaign.doc["created_at"]))
        for _ in range(int(r.nrng.poisson(ENROLLMENTS_PER_CAMPAIGN_DAY * days)) if days else 0):
            enroll(world, rng, campaign, rng.uniform(first, first + days * DAY))
    store_messages(world, rng, due_messages(world, rng, r.end, world.enrollments))
