"""Amplifying a sample backup's masked lake tables to production size, vectorised with Arrow: copies with their ids
and references rewritten, and what each later backup of a chain changes (see `benchmarks/warehouse.py`).

Row `i` of an amplified collection is copy `i // n` of the sample's row `i % n` (n: the sample's rows), so a backup
is a range of row numbers and two backups agree on every row they share, but for the changes of their generation:
  - people and organizations: backup g has the first `size + g * added` rows (0.5 % more each backup), and the rows
    with `i % CHANGED_EVERY == k` changed for every k in 1..g (a new title, a head count 10 % higher; updated k days
    later): 0.5 % changed, 1 % changed or added in all;
  - usage events: a window of `size` rows that moves by `EVENTS_NEW_SHARE` (3 %) each backup: the oldest leave (a
    30-day retention in the product database), as many new ones arrive; row i happens at the base backup's time
    plus `(i - size) / new_per_backup` days, so that each backup's new events are its last day's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

DBT_DIR = Path(__file__).resolve().parents[2] / "dbt"
# One backup at --scale 1: the 1,000,000 people, 100,000 organizations and 5,000,000 usage events.
PEOPLE, ORGANIZATIONS, USAGE_EVENTS = 1_000_000, 100_000, 5_000_000
BATCH_ROWS = 65_536  # rows per written batch (one Parquet row group), as the ingest path writes them
CHANGED_EVERY = 200  # each new backup changes 1 row in 200 (0.5 %) of people and organizations ...
ADDED_SHARE = 0.005  # ... and adds 0.5 % new ones
EVENTS_NEW_SHARE = 0.03  # each new backup brings 3 % new usage events, and the oldest 3 % leave
DAY_MS = 86_400_000


@dataclass(frozen=True)
class Generation:
    """Backup number `index` of the chain (0: the first), written at `size` rows per amplified collection."""

    index: int
    org_copies: int  # organization copies that people are spread over
    base_time: datetime  # the first backup's time: usage events end there in it


def row_range(collection: str, size: int, generation: int) -> range:
    """The row numbers of a collection in backup `generation`."""
    if collection == "usage_events":
        shift = round(size * EVENTS_NEW_SHARE)
        return range(generation * shift, size + generation * shift)
    return range(size + generation * round(size * ADDED_SHARE))


def _texts(values, fmt: str):
    """`fmt.format(v)` for each value of an integer numpy array, formatted once per distinct value."""
    distinct, index = np.unique(values, return_inverse=True)
    return pa.array([fmt.format(int(v)) for v in distinct], pa.string()).take(pa.array(index.ravel()))


def oid(ids, marker):
    """ObjectId hex strings with bytes 4-6 replaced by `marker` (per row; 0 keeps the id): unique per marker, with
    the original timestamp."""
    head, tail = pc.utf8_slice_codeunits(ids, 0, 8), pc.utf8_slice_codeunits(ids, 14, 24)
    joined = pc.binary_join_element_wise(head, _texts(marker, "{:06x}"), tail, "")
    return pc.if_else(pa.array(marker == 0), ids, joined)


HOST = r"^(?P<head>[^.@/]+)(?P<tail>\..+)$"  # acme.io
URL_HOST = r"^(?P<head>[A-Za-z][A-Za-z0-9+.-]*://(?:www\.)?[^./:]+)(?P<tail>.*)$"  # https://www.acme.io/…
EMAIL_HOST = r"^(?P<head>[^@]*@[^.]+)(?P<tail>\..+)$"  # 0f3a…@acme.io


def suffix_host(values, copy, pattern: str, where=None):
    """`acme.io` → `acme-<copy>.io` where copy >= 1 (and `where`), else unchanged."""
    parts = pc.extract_regex(values, pattern)
    head, tail = pc.struct_field(parts, "head"), pc.struct_field(parts, "tail")
    joined = pc.coalesce(pc.binary_join_element_wise(head, _texts(copy, "-{}"), tail, ""), values)
    mask = pa.array(copy > 0)
    return pc.if_else(mask if where is None else pc.and_(mask, where), joined, values)


def shifted(timestamps, days):
    """Timestamps plus `days` (numpy, per row)."""
    return pc.add(timestamps, pa.array(days.astype("int64") * DAY_MS, pa.duration("ms")))


def nested_org_ids(history, org_copy):
    """`employment_history[].organization_id` pointed at organization copy `org_copy` (per person)."""
    entries = pc.list_flatten(history)
    per_entry = org_copy[pc.list_parent_indices(history).to_numpy()]
    fields = list(entries.type)
    children = entries.flatten()
    at = entries.type.get_field_index("organization_id")
    children[at] = oid(children[at], per_entry)
    values = pa.StructArray.from_arrays(children, fields=fields, mask=entries.is_null())
    lengths = pc.fill_null(pc.list_value_length(history), 0).to_numpy()
    offsets = pa.array(np.concatenate([[0], np.cumsum(lengths)]), pa.int32())
    return pa.ListArray.from_arrays(offsets, values, type=history.type, mask=history.is_null())


def change_days(index, generation: int):
    """Per row, the backup (1..generation) that last changed it, 0 if none: rows `i % CHANGED_EVERY == k`."""
    days = np.zeros(len(index), "int64")
    for k in range(1, generation + 1):
        days[index % CHANGED_EVERY == k % CHANGED_EVERY] = k
    return days


def change_people(batch, copy, index, generation: Generation, size: int):
    cols = {name: batch.column(name) for name in batch.schema.names}
    org_copy = copy % generation.org_copies
    cols["_id"] = oid(cols["_id"], copy)
    if "organization_id" in cols:
        cols["organization_id"] = oid(cols["organization_id"], org_copy)
    if "employment_history" in cols:
        cols["employment_history"] = nested_org_ids(cols["employment_history"], org_copy)
    if "email" in cols:
        domain = pc.utf8_lower(pc.struct_field(pc.extract_regex(cols["email"], r"@(?P<d>.*)$"), "d"))
        work_email = pc.invert(pc.fill_null(pc.is_in(domain, value_set=free_email_domains()), True))
        cols["email"] = suffix_host(cols["email"], org_copy, EMAIL_HOST, work_email)
    days = change_days(index, generation.index)  # a new title, updated that many days later
    changed = days > 0
    if changed.any() and "title" in cols:
        other = cols["title"].take(pa.array((np.arange(len(index)) + 7) % len(index)))
        cols["title"] = pc.if_else(pa.array(changed), other, cols["title"])
    if "updated_at" in cols:
        cols["updated_at"] = shifted(cols["updated_at"], days)
    return cols


def change_organizations(batch, copy, index, generation: Generation, size: int):
    cols = {name: batch.column(name) for name in batch.schema.names}
    cols["_id"] = oid(cols["_id"], copy)
    if "domain" in cols:
        cols["domain"] = suffix_host(cols["domain"], copy, HOST)
    if "website_url" in cols:
        cols["website_url"] = suffix_host(cols["website_url"], copy, URL_HOST)
    days = change_days(index, generation.index)  # head count +10 %, updated that many days later
    if "estimated_num_employees" in cols:
        head_count = cols["estimated_num_employees"]
        grown = pc.add(head_count, pc.add(pc.divide(head_count, 10), 1))
        cols["estimated_num_employees"] = pc.if_else(pa.array(days > 0), grown, head_count)
    if "updated_at" in cols:
        cols["updated_at"] = shifted(cols["updated_at"], days)
    return cols


def change_usage_events(batch, copy, index, generation: Generation, size: int):
    cols = {name: batch.column(name) for name in batch.schema.names}
    cols["_id"] = oid(cols["_id"], copy)
    if "timestamp" in cols:
        per_day = max(1, round(size * EVENTS_NEW_SHARE))
        base_ms = int(generation.base_time.timestamp() * 1000)
        at = base_ms + (index.astype("int64") - size) * DAY_MS // per_day
        cols["timestamp"] = pa.array(at, pa.timestamp("ms", tz="UTC")).cast(cols["timestamp"].type)
    return cols


AMPLIFIED: dict[str, tuple[int, Callable]] = {
    "people": (PEOPLE, change_people),
    "organizations": (ORGANIZATIONS, change_organizations),
    "usage_events": (USAGE_EVENTS, change_usage_events),
}


@functools.cache
def free_email_domains():
    import pyarrow.csv as pacsv

    return pacsv.read_csv(DBT_DIR / "seeds" / "free_email_domains.csv").column("domain").combine_chunks()


def check_markers(collection: str, ids, copies: int) -> None:
    """The rewritten ids cannot collide with original ones: no original has bytes 4-6 in the marker range."""
    for prefix in pc.unique(pc.utf8_slice_codeunits(pc.drop_null(ids), 8, 14)).to_pylist():
        if int(prefix, 16) < copies:
            raise RuntimeError(f"{collection}: original ids use bytes 4-6 {prefix}, a copy marker")


def amplified(collection: str, base, size: int, generation: Generation, backup_id: str, bar) -> Iterator:
    """Batches of the collection's rows in backup `generation`: copies of `base` with their ids and references
    rewritten, and the changes of that generation."""
    n = base.num_rows
    rows = row_range(collection, size, generation.index)
    check_markers(collection, base.column("_id"), -(-rows.stop // n))
    change = AMPLIFIED[collection][1]
    for first in range(rows.start, rows.stop, BATCH_ROWS):
        index = np.arange(first, min(rows.stop, first + BATCH_ROWS))
        copy, row = index // n, index % n
        cols = change(base.take(pa.array(row)), copy, index, generation, size)
        cols["_backup_id"] = pa.repeat(pa.scalar(backup_id), len(row))
        bar.update(len(row))
        yield pa.RecordBatch.from_arrays([cols[f.name] for f in base.schema], schema=base.schema)


def as_generated(base, backup_id: str, bar) -> Iterator:
    for start in range(0, max(1, base.num_rows), BATCH_ROWS):
        batch = base.slice(start, BATCH_ROWS)
        cols = {name: batch.column(name) for name in batch.schema.names}
        cols["_backup_id"] = pa.repeat(pa.scalar(backup_id), batch.num_rows)
        bar.update(batch.num_rows)
        yield pa.RecordBatch.from_arrays([cols[f.name] for f in base.schema], schema=base.schema)
