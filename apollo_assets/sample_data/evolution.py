"""Generation k of the database: generation 0 plus k rounds of what happens between two backups.

Round i (from backup i-1 to backup i) inserts organizations, people, customers, users, contacts, campaigns,
emails and usage; updates people who change jobs, re-crawled organizations, contact stages, users' last
activity, statuses, message outcomes; deletes a few people and contacts; and from round 1 on writes
`people.twitter_url`. Rates are per day, so backups a week apart differ by a week of activity.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

from . import changes
from .genesis import build_initial
from .growth import record_usage
from .round import Round
from .sizes import Sizes
from .timeutil import DEFAULT_START, as_utc, at, seconds
from .world import Collection, World


def advance(world: World, index: int, end: float) -> None:
    """Move the world from its current time to `end`, the time of backup `index`."""
    if end <= world.now:
        raise ValueError("backup times must increase")
    r = Round(world, index, world.now, end)
    for change in (changes.catalogue, changes.customers, changes.contacts, changes.outreach):
        change(r)
    record_usage(world, r.rng("usage"), r.nrng, r.start, r.end)
    world.now = end
    world.settle()


def default_backup_times(generation: int) -> list[datetime]:
    return [DEFAULT_START + timedelta(days=i) for i in range(generation + 1)]


def generate_database(
    seed: int, generation: int, sizes: Sizes, *, backup_times: Sequence[datetime] | None = None
) -> dict[str, list[dict]]:
    """The database as backup number `generation` (0 = the first) sees it; same inputs, same documents.

    `backup_times` are the times of backups 0..generation (default: daily from DEFAULT_START, 04:00 UTC);
    backup k only depends on the first k+1 of them, so consecutive backups stay consistent.
    """
    world = _world(seed, generation, sizes, backup_times, encoded=False)
    return {name: list(documents) for name, documents in world.documents().items()}


def stream_database(
    seed: int, generation: int, sizes: Sizes, *, backup_times: Sequence[datetime] | None = None
) -> dict[str, Collection]:
    """`generate_database`'s collections, made as they are read (by the backup writer): usage events are kept as
    columns and messages encoded as the backup shows them (`RawBSONDocument`s), never all as dicts."""
    return _world(seed, generation, sizes, backup_times, encoded=True).documents()


def _world(
    seed: int, generation: int, sizes: Sizes, backup_times: Sequence[datetime] | None, *, encoded: bool
) -> World:
    if generation < 0:
        raise ValueError("generation must be >= 0")
    times = [seconds(as_utc(t)) for t in (backup_times or default_backup_times(generation))[: generation + 1]]
    if len(times) != generation + 1:
        raise ValueError(f"need {generation + 1} backup times, got {len(times)}")
    world = build_initial(seed, sizes, times[0], at(times[-1]) if encoded else None)
    for index, end in enumerate(times[1:], start=1):
        advance(world, index, end)
    return world
