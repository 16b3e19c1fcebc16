"""Amplifying a sample backup's masked lake tables to production size, vectorised with Arrow: copies with their ids
and references rewritten, and the changes that each later backup brings (see `benchmarks/warehouse.py`)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

DBT_DIR = Path(__file__).resolve().parents[2] / "dbt"
# Per backup, at --scale 1: the full build reads two backups, i.e. the 1,000,000 people, 100,000
# organizations and 5,000,000 usage events across them.
PEOPLE, ORGANIZATIONS, USAGE_EVENTS = 500_000, 50_000, 2_500_000
BATCH_ROWS = 65_536  # rows per written batch (one Parquet row group), as the ingest path writes them
CHANGED_EVERY = 20  # 1 row in 20 (5 %) of people and organizations changes in each new backup


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
    return pc.add(timestamps, pa.array(days.astype("int64") * 86_400_000, pa.duration("ms")))


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


def change_people(batch, copy, index, generation, org_copies):
    cols = {name: batch.column(name) for name in batch.schema.names}
    org_copy = copy % org_copies
    cols["_id"] = oid(cols["_id"], copy)
    if "organization_id" in cols:
        cols["organization_id"] = oid(cols["organization_id"], org_copy)
    if "employment_history" in cols:
        cols["employment_history"] = nested_org_ids(cols["employment_history"], org_copy)
    if "email" in cols:
        domain = pc.utf8_lower(pc.struct_field(pc.extract_regex(cols["email"], r"@(?P<d>.*)$"), "d"))
        work_email = pc.invert(pc.fill_null(pc.is_in(domain, value_set=free_email_domains()), True))
        cols["email"] = suffix_host(cols["email"], org_copy, EMAIL_HOST, work_email)
    days = np.zeros(len(index), "int64")
    for g in range(1, generation + 1):  # the slice changed by backup g: a new title, updated g days later
        days[index % CHANGED_EVERY == g] = g
    changed = days > 0
    if changed.any() and "title" in cols:
        other = cols["title"].take(pa.array((np.arange(len(index)) + 7) % len(index)))
        cols["title"] = pc.if_else(pa.array(changed), other, cols["title"])
    if "updated_at" in cols:
        cols["updated_at"] = shifted(cols["updated_at"], days)
    return cols


def change_organizations(batch, copy, index, generation, org_copies):
    cols = {name: batch.column(name) for name in batch.schema.names}
    cols["_id"] = oid(cols["_id"], copy)
    if "domain" in cols:
        cols["domain"] = suffix_host(cols["domain"], copy, HOST)
    if "website_url" in cols:
        cols["website_url"] = suffix_host(cols["website_url"], copy, URL_HOST)
    days = np.zeros(len(index), "int64")
    for g in range(1, generation + 1):  # the slice changed by backup g: head count +10 %, updated g days later
        days[index % CHANGED_EVERY == g] = g
    if "estimated_num_employees" in cols:
        head_count = cols["estimated_num_employees"]
        grown = pc.add(head_count, pc.add(pc.divide(head_count, 10), 1))
        cols["estimated_num_employees"] = pc.if_else(pa.array(days > 0), grown, head_count)
    if "updated_at" in cols:
        cols["updated_at"] = shifted(cols["updated_at"], days)
    return cols


def change_usage_events(batch, copy, index, generation, org_copies):
    cols = {name: batch.column(name) for name in batch.schema.names}
    # Backup g replaces half of the events by newer ones (odd rows in B, even rows in C): new ids, g days later.
    days = np.zeros(len(index), "int64")
    for g in range(1, generation + 1):
        days[index % 2 == g % 2] = g
    cols["_id"] = oid(cols["_id"], (days << 20) | copy)
    if "timestamp" in cols:
        cols["timestamp"] = shifted(cols["timestamp"], days)
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
        value = int(prefix, 16)
        if value >> 20 <= 2 and value & 0xFFFFF < copies:
            raise RuntimeError(f"{collection}: original ids use bytes 4-6 {prefix}, a copy marker")


def amplified(collection: str, base, rows: int, generation: int, backup_id: str, org_copies: int, bar):
    """Batches of `rows` rows: copies of `base` with their ids and references rewritten, and the changes that
    backup `generation` brings."""
    n = base.num_rows
    copies = -(-rows // n)
    check_markers(collection, base.column("_id"), copies)
    change = AMPLIFIED[collection][1]
    per_batch = max(1, BATCH_ROWS // n)
    for first in range(0, copies, per_batch):
        copy = np.repeat(np.arange(first, min(copies, first + per_batch)), n)
        row = np.tile(np.arange(n), len(copy) // n)
        index = copy * n + row
        keep = index < rows
        copy, row, index = copy[keep], row[keep], index[keep]
        cols = change(base.take(pa.array(row)), copy, index, generation, org_copies)
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
