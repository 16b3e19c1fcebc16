"""The simulated product database between backups: documents plus the hidden state that drives them."""

from bisect import bisect_right
from dataclasses import dataclass, field

from bson import ObjectId

from apollo_assets.collections import COLLECTIONS

from .accounts import AccountTraits, account_status
from .activity_types import Actor
from .campaigns import Campaign, campaign_status
from .engagement import Enrollment
from .outcomes import Recipient, visible_message
from .seeding import ObjectIds
from .sizes import Sizes
from .stages import StageChanges
from .timeutil import at


@dataclass
class World:
    """Dicts keep insertion order, which is the collections' natural order in the dump."""

    seed: int
    sizes: Sizes
    now: float
    name_offset: int
    ids: dict[str, ObjectIds]
    organizations: dict[ObjectId, dict] = field(default_factory=dict)
    people: dict[ObjectId, dict] = field(default_factory=dict)
    accounts: dict[ObjectId, dict] = field(default_factory=dict)
    users: dict[ObjectId, dict] = field(default_factory=dict)
    contacts: dict[ObjectId, dict] = field(default_factory=dict)
    campaigns: dict[ObjectId, Campaign] = field(default_factory=dict)
    messages: list[dict] = field(default_factory=list)  # with outcomes that may still lie in the future
    usage_events: list[dict] = field(default_factory=list)
    account_traits: dict[ObjectId, AccountTraits] = field(default_factory=dict)
    actors: list[Actor] = field(default_factory=list)  # one per user, in users' order
    actors_by_account: dict[ObjectId, list[Actor]] = field(default_factory=dict)
    contacts_by_account: dict[ObjectId, list[tuple[float, ObjectId]]] = field(default_factory=dict)
    enrollments: list[Enrollment] = field(default_factory=list)
    enrolled: set[tuple[ObjectId, ObjectId]] = field(default_factory=set)  # membership only, never iterated
    taken_emails: set[str] = field(default_factory=set)
    stages: StageChanges = field(default_factory=StageChanges)
    usage_rate: float = 0.0
    organization_count: int = 0  # names are drawn by index, so the count is the next name
    account_count: int = 0

    @classmethod
    def empty(cls, seed: int, sizes: Sizes, now: float, name_offset: int) -> "World":
        ids = {name: ObjectIds(seed, name) for name in (*COLLECTIONS, "fields")}
        return cls(seed, sizes, now, name_offset, ids)

    def recipient(self, contact_id: ObjectId) -> Recipient | None:
        contact = self.contacts.get(contact_id)
        if contact is None:
            return None
        person = self.people.get(contact["person_id"]) if contact["person_id"] else None
        org_id = person["organization_id"] if person else None
        return Recipient(contact, person, self.organizations.get(org_id) if org_id else None)

    def eligible_contacts(self, account_id: ObjectId, when: float) -> list[ObjectId]:
        created = self.contacts_by_account.get(account_id, [])
        return [cid for _, cid in created[: bisect_right(created, when, key=lambda c: c[0])]]

    def settle(self) -> None:
        """Apply what is due by `now`: contact stages, account and campaign statuses."""
        self.stages.apply_due(self.contacts, self.now)
        for account_id, account in self.accounts.items():
            account["status"] = account_status(self.account_traits[account_id], self.now)
        for campaign in self.campaigns.values():
            campaign.doc["status"] = campaign_status(campaign, self.now)

    def snapshot(self) -> dict[str, list[dict]]:
        now = at(self.now)
        return {
            "organizations": list(self.organizations.values()),
            "people": list(self.people.values()),
            "accounts": list(self.accounts.values()),
            "users": list(self.users.values()),
            "contacts": list(self.contacts.values()),
            "emailer_campaigns": [c.doc for c in self.campaigns.values()],
            "emailer_messages": [visible_message(m, now) for m in self.messages],
            "usage_events": list(self.usage_events),
        }
