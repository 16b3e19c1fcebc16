"""Kafka message values → an Arrow table of the topic's schema, and the messages that break it, with a reason.

The fast path parses a whole batch in one call (Arrow's JSON reader, the schema's types) and checks the schema's
rules column by column. Any message it cannot vouch for (a parse error anywhere in the batch, a rule broken, a
newline in the message) is decided by the reference path: `json.loads` and the JSON schema itself
(`fastjsonschema`), one message at a time. The fast path only ever accepts what the reference accepts, so the
result is the reference's for every message (a property test holds them together), at Arrow's speed when the
batch is clean.

Reasons name the field and the rule, never a value: they go to dead-letter headers, the lake's commit records and
Dagster metadata.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field

import fastjsonschema
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from apollo_assets.errors import ApolloError
from apollo_assets.stream.contract import Contract, parse_timestamp
from apollo_assets.stream.topics import StreamTopic, load_contract, load_json_schema

MIN_FAST_BATCH = 16  # below this many messages, a batch that does not parse goes to the reference path

RULES = {
    "required": "a required field is missing",
    "additionalProperties": "a field the schema does not define",
    "enum": "not one of the schema's values",
    "pattern": "does not match the schema's pattern",
    "type": "wrong type",
    "minimum": "below the minimum",
    "maximum": "above the maximum",
}


class Rejected(ApolloError, ValueError):
    """A message that breaks its topic's schema; the message is the reason (no value in it)."""


@dataclass
class DecodedBatch:
    table: pa.Table  # accepted messages, in their order, with the topic's lake schema
    accepted: list[int]  # their positions in the input
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (position, reason)


def decode_batch(topic: StreamTopic, values: list[bytes], versions: list[str | None] | None = None) -> DecodedBatch:
    """Decode `values` (the messages' bytes, in offset order); `versions` are their `schema` headers."""
    contract = topic.contract()
    positions = list(range(len(values)))
    rejected: list[tuple[int, str]] = []
    current = topic.schema_id
    if versions is not None and any(v is not None and v != current for v in versions):
        # Only the current version is written today; an unknown or retired version is a dead letter, by name.
        keep = []
        for i, version in enumerate(versions):
            if version is None or version == current:
                keep.append(i)
            else:
                rejected.append((i, f"the `schema` header names another version than {topic.schema_id!r}"))
        positions = keep
    fast_table, fast_positions, doubtful = _fast(contract, values, positions)
    slow_rows, slow_positions = [], []
    for i in doubtful:
        try:
            slow_rows.append(reference_decode(topic, values[i]))
            slow_positions.append(i)
        except Rejected as error:
            rejected.append((i, str(error)))
    tables, order = [], []
    if fast_table is not None:
        tables.append(contract.to_lake(fast_table))
        order += fast_positions
    if slow_rows:
        tables.append(contract.to_lake(pa.Table.from_pylist(slow_rows, schema=contract.parse_schema)))
        order += slow_positions
    table = pa.concat_tables(tables) if tables else contract.arrow_schema.empty_table()
    if len(tables) > 1:
        table = table.take(pc.sort_indices(pa.array(order)))
        order = sorted(order)
    rejected.sort()
    return DecodedBatch(table.combine_chunks(), order, rejected)


def _fast(
    contract: Contract, values: list[bytes], positions: list[int]
) -> tuple[pa.Table | None, list[int], list[int]]:
    """(table of the messages vouched for, their positions, positions left to the reference path)."""
    every = len(positions) == len(values)
    joined = b"\n".join(values if every else [values[i] for i in positions])
    if joined.count(b"\n") == len(positions) - 1:  # no message has a newline of its own: no check one by one
        clean, doubtful = positions, []
    else:
        clean = [i for i in positions if b"\n" not in values[i] and values[i].strip()]
        doubtful = sorted(set(positions) - set(clean))
        joined = None
    tables, kept, failed = [], [], []
    _parse_halves(contract, values, clean, tables, kept, failed, joined)
    if not tables:
        return None, [], sorted(doubtful + failed)
    table = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
    bad = contract.failing_rows(table)
    if not pc.any(bad).as_py():
        return table, kept, sorted(doubtful + failed)
    good = pc.invert(bad).to_pylist()
    failed += [i for i, ok in zip(kept, good, strict=True) if not ok]
    kept = [i for i, ok in zip(kept, good, strict=True) if ok]
    return table.filter(pc.invert(bad)), kept, sorted(doubtful + failed)


def _parse_halves(
    contract: Contract,
    values: list[bytes],
    chosen: list[int],
    tables: list,
    kept: list[int],
    failed: list[int],
    joined: bytes | None = None,
) -> None:
    """Parse `chosen` in one call; when a message spoils it, parse each half again (a bad message costs
    O(log n) parses, not the whole batch on the reference path). `joined`: `chosen`'s messages already joined."""
    if not chosen:
        return
    if joined is None and len(chosen) > MIN_FAST_BATCH:
        joined = b"\n".join([values[i] for i in chosen])
    table = None if len(chosen) <= MIN_FAST_BATCH else _parse(contract, joined, len(chosen))
    if table is not None:
        tables.append(table)
        kept += chosen
    elif len(chosen) <= MIN_FAST_BATCH:
        failed += chosen
    else:
        middle = len(chosen) // 2
        _parse_halves(contract, values, chosen[:middle], tables, kept, failed)
        _parse_halves(contract, values, chosen[middle:], tables, kept, failed)


def _parse(contract: Contract, joined: bytes, count: int) -> pa.Table | None:
    """`count` messages joined by newlines, parsed in one call; None when they do not parse as exactly that many."""
    try:
        table = pajson.read_json(
            pa.BufferReader(joined),
            read_options=pajson.ReadOptions(use_threads=False, block_size=1 << 26),
            parse_options=pajson.ParseOptions(explicit_schema=contract.parse_schema, unexpected_field_behavior="error"),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return table if table.num_rows == count else None  # two objects in one message, or none


def reference_decode(topic: StreamTopic, value: bytes) -> dict:
    """One message by the book: JSON text, the JSON schema, and date-times that exist. Raises `Rejected`."""
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        raise Rejected("not UTF-8 text") from None
    try:
        document = json.loads(text, object_pairs_hook=_unique_keys)
    except (json.JSONDecodeError, _DuplicateKey) as error:
        raise Rejected(f"not a JSON object ({type(error).__name__})") from None
    if not isinstance(document, dict):
        raise Rejected("not a JSON object")
    try:
        _validator(topic.name, topic.version)(document)
    except fastjsonschema.JsonSchemaValueException as error:
        where = ".".join(str(p) for p in error.path[1:]) or "<message>"
        raise Rejected(f"{where}: {RULES.get(error.rule, error.rule)}") from None
    return _normalize(topic.contract(), document)


def _normalize(contract: Contract, document: dict) -> dict:
    for check in contract.checks:
        parts = check.path.split(".")
        holder = document
        for part in parts[:-1]:
            holder = holder.get(part) or {}
        value = holder.get(parts[-1])
        if check.timestamp and value is not None and parse_timestamp(value) is None:
            raise Rejected(f"{check.path}: not a date-time")
        if check.minimum is not None and isinstance(value, float):  # 3.0 is an integer to JSON Schema
            holder[parts[-1]] = int(value)
    return document


class _DuplicateKey(ApolloError, ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    document = dict(pairs)
    if len(document) != len(pairs):  # json.loads would keep the last silently; Arrow's reader refuses it
        raise _DuplicateKey
    return document


@functools.cache
def _validator(name: str, version: int):
    return fastjsonschema.compile(load_json_schema(name, version))


__all__ = ["DecodedBatch", "Rejected", "decode_batch", "load_contract", "reference_decode"]
