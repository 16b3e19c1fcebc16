"""The simulated product database between backups: documents plus the hidden state that drives them."""

import random
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from bson import ObjectId
from bson.raw_bson import RawBSONDocument

from apollo_assets.collections import COLLECTIONS

from .accounts import AccountTraits, account_status
from .activity import UsageEvents
from .activity_types import Actor
from .campaigns import Campaign, campaign_status
from .engagement import Enrollment
from .features import make_event
from .outcomes import Recipient, visible_message
from .seeding import ObjectIds
from .sizes import Sizes
from .stages import StageChanges
from .taxonomy import FEATURES
from .timeutil import at, at_ms


class Collection:
    """A collection's documents, made anew each time it is iterated; its length is known without making them."""

    def __init__(self, make: Callable[[], Iterable[dict]], count: int | None = None) -> None:
        self._make, self._count = make, count

    def __iter__(self) -> Iterator[dict]:
        return iter(self._make())

    def __len__(self) -> int:
        return self._count if self._count is not None else len(self._make())  # type: ignore[arg-type]


@dataclass(frozen=True)
class UsageBatch:
    """One simulation's events, and the state of the random stream their documents draw from."""

    rng_state: tuple
    events: UsageEvents


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
    # with outcomes that may still lie in the future; or, when `visible_at` is set, encoded as that backup sees them
    messages: list[dict] | list[bytes] = field(default_factory=list)
    usage: list[UsageBatch] = field(default_factory=list)  # events as columns; documents made when written
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
    visible_at: datetime | None = None  # the time of the backup this world will be written to, when known

    @classmethod
    def empty(
        cls, seed: int, sizes: Sizes, now: float, name_offset: int, visible_at: datetime | None = None
    ) -> "World":
        ids = {name: ObjectIds(seed, name) for name in (*COLLECTIONS, "fields")}
        return cls(seed, sizes, now, name_offset, ids, visible_at=visible_at)

    def recipient(self, contact_id: ObjectId) -> Recipient | None:
        contact = self.contacts.get(contact_id)
        if contact is None:
            return None
        person = self.people.get(contact["person_id"]) if contact["person_id"] else None
        org_id = person["organization_id"] if person else None
        return Recipient(contact, person, self.organizations.get(org_id) if org_id else None)

    def eligible_contacts(self, account_id: ObjectId, when: float) -> tuple[list[tuple[float, ObjectId]], int]:
        """The account's contacts in creation order, and how many of the first were created by `when` (a count,
        not a copy: accounts with thousands of contacts enroll many times)."""
        created = self.contacts_by_account.get(account_id, [])
        return created, bisect_right(created, when, key=lambda c: c[0])

    def settle(self) -> None:
        """Apply what is due by `now`: contact stages, account and campaign statuses."""
        self.stages.apply_due(self.contacts, self.now)
        for account_id, account in self.accounts.items():
            account["status"] = account_status(self.account_traits[account_id], self.now)
        for campaign in self.campaigns.values():
            campaign.doc["status"] = campaign_status(campaign, self.now)

    def documents(self) -> dict[str, Collection]:
        """Each collection as the backup at `now` sees it, its documents made as they are read (messages and usage
        events are most of a large backup: they are never all in memory as documents)."""
        now = at(self.now)
        campaigns, messages = self.campaigns.values(), self.messages
        return {
            "organizations": Collection(self.organizations.values),
            "people": Collection(self.people.values),
            "accounts": Collection(self.accounts.values),
            "users": Collection(self.users.values),
            "contacts": Collection(self.contacts.values),
            "emailer_campaigns": Collection(lambda: (c.doc for c in campaigns), len(campaigns)),
            "emailer_messages": Collection(lambda: self._messages(now), len(messages)),
            "usage_events": Collection(self.usage_documents, sum(len(b.events) for b in self.usage)),
        }

    def _messages(self, now: datetime) -> Iterator[dict]:
        if self.visible_at is None:
            return (visible_message(m, now) for m in self.messages)
        if self.visible_at != now:
            raise ValueError("the messages were encoded for another backup time")
        return (RawBSONDocument(m) for m in self.messages)

    def usage_documents(self) -> Iterator[dict]:
        """The usage events' documents, oldest simulation first, each drawn from its stream: the same documents
        (ids included) however often they are read."""
        ids = ObjectIds(self.seed, "usage_events")
        for batch in self.usage:
            rng = random.Random()
            rng.setstate(batch.rng_state)
            events = batch.events
            for ms, who, feature in zip(events.ms.tolist(), events.who.tolist(), events.feature.tolist(), strict=True):
                yield make_event(rng, ids, self.actors[who], FEATURES[feature], at_ms(ms))
