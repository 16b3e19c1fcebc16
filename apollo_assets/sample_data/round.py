"""One round between two backups: its time window, its random streams and its Poisson-drawn counts."""

import random
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from .growth import sorted_times
from .seeding import np_rng_for, rng_for
from .timeutil import DAY, at, seconds
from .world import World

# Events per day, as a share of the first backup's size (inserts) or of the current size (updates, deletes).
# fmt: off
DAILY = {
    "organizations": 0.004, "organization_refresh": 0.005, "people": 0.008, "job_changes": 0.004,
    "people_deletes": 0.001, "accounts": 0.01, "users": 0.004, "contacts": 0.01, "contact_deletes": 0.002,
    "contact_edits": 0.002, "emailer_campaigns": 0.008,
}
# fmt: on


@dataclass
class Round:
    world: World
    index: int
    start: float
    end: float
    nrng: np.random.Generator = field(init=False)

    def __post_init__(self) -> None:
        self.nrng = np_rng_for(self.world.seed, "round", self.index)

    @property
    def days(self) -> float:
        return (self.end - self.start) / DAY

    def rng(self, part: str) -> random.Random:
        return rng_for(self.world.seed, "round", self.index, part)

    def count(self, rate: str, base: int) -> int:
        return int(self.nrng.poisson(DAILY[rate] * base * self.days))

    def new_times(self, rng: random.Random, collection: str) -> list[float]:
        """Creation times of this round's inserts into `collection`."""
        count = self.count(collection, self.world.sizes.of(collection))
        return sorted_times(rng, self.start, self.end, count)

    def some[T](self, rng: random.Random, items: list[T], rate: str) -> list[T]:
        return rng.sample(items, min(len(items), self.count(rate, len(items))))

    def after(self, rng: random.Random, earliest: datetime) -> datetime:
        """A time in this round, after `earliest` (an update never predates the last one)."""
        return at(rng.uniform(min(max(self.start, seconds(earliest) + 1), self.end), self.end))
