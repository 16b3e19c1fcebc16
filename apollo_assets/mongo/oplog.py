"""`mongodump --oplog`: the writes made during the dump, replayed on the collections' snapshots.

mongodump reads each collection at its own moment; with `--oplog` it also saves the oplog entries written from
its start to its end (`oplog.bson` at the dump's root, or the archive's `oplog` namespace). Replaying them, as
`mongorestore --oplogReplay` does, gives every collection its state at the end of the dump.

Entries, in order (applyOps entries are flattened; a transaction written over several entries, `partialTxn`,
is applied at its last entry, and dropped when the oplog ends before it):

| entry | effect on the collection's documents (keyed by `_id`) |
|---|---|
| `i` | the document (replacing one with its `_id`: the dump may already hold it) |
| `u` replacement | the new document |
| `u` `$set`/`$unset`, or `$v: 2` diff | applied to the document (`oplog_updates.py`) |
| `d` | removed |
| `c` `drop`, `emptycapped`, `dropDatabase` | the collection's documents removed |
| `c` `create`, index builds, `collMod`, `n` (no-op) | none |

An entry that cannot be replayed fails its collection, naming its position: a `renameCollection`, a prepared
transaction, any other command on the collection, an update that does not apply, or an update of a document
that neither the dump nor an earlier entry holds and that no later entry removes or replaces.

Memory: `index_oplog` reads the oplog once and keeps, per collection, the `_id`s its entries touch. A
collection is then read once: the documents whose `_id` is touched are held back (they are few), the others
are handed on as they are; at the end the held documents and the inserted ones are replayed from a second read
of the oplog and handed on (so they come last).
"""

from __future__ import annotations

import dataclasses
import struct
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import bson
import numpy as np
from bson.int64 import Int64

from apollo_assets.mongo.bson_elements import Element, ElementError, document, iter_elements, value_size
from apollo_assets.mongo.codec import DECODE_OPTIONS
from apollo_assets.mongo.errors import BackupFormatError
from apollo_assets.mongo.oplog_updates import UpdateError, apply_update, is_replacement
from apollo_assets.mongo.source import CollectionSource, DocumentBlock
from apollo_assets.names import shown

Namespace = tuple[str, str]
ALL_COLLECTIONS = ""  # the collection of an operation that concerns a whole database (dropDatabase)
NO_DOCUMENT_CHANGE = frozenset(
    (
        "create",
        "createIndexes",
        "dropIndexes",
        "deleteIndexes",
        "collMod",
        "startIndexBuild",
        "commitIndexBuild",
        "abortIndexBuild",
    )
)
DROPS = frozenset(("drop", "emptycapped"))
TRANSACTION_OUTCOMES = frozenset(("commitTransaction", "abortTransaction"))
REPLAYED_PER_BLOCK = 4096  # replayed documents handed on per block


class OplogReplayError(BackupFormatError):
    """An oplog entry that cannot be replayed on its collection."""


@dataclass(frozen=True)
class Position:
    """Where an operation is in the oplog: its entry (index from 0, byte offset), and its place inside applyOps."""

    index: int
    offset: int
    inner: tuple[int, ...] = ()

    def __str__(self) -> str:
        where = f"entry #{self.index} at byte offset {self.offset}"
        return where + (f" (applyOps operation {'.'.join(map(str, self.inner))})" if self.inner else "")


@dataclass(frozen=True)
class Operation:
    """One change to one collection (`kind`: insert, update, delete, drop, fail)."""

    kind: str
    namespace: Namespace
    position: Position
    body: Any = None  # insert: the document; update: the update; fail: the problem
    target: Any = None  # the _id the operation is about


@dataclass(frozen=True)
class Skipped:
    reason: str
    namespace: Namespace | None = None


def id_key(value: Any) -> tuple[str, Any]:
    """What identifies an `_id` the way the server compares them: numbers by value (1, 1.0 and Int64(1) are one
    `_id`), anything else by its BSON encoding."""
    if isinstance(value, (int, float, Int64)) and not isinstance(value, bool):
        number = float(value) if isinstance(value, float) else int(value)
        return ("number", int(number) if isinstance(number, float) and number.is_integer() else number)
    return ("bson", bson.encode({"": value}, codec_options=DECODE_OPTIONS))


def _namespace(ns: Any) -> Namespace | None:
    if not isinstance(ns, str) or "." not in ns:
        return None
    database, collection = ns.split(".", 1)
    return database, collection


def _operations(entry: dict[str, Any], position: Position) -> Iterator[Operation | Skipped]:
    """The operations of one entry (applyOps flattened), transactions aside."""
    op, namespace = entry.get("op"), _namespace(entry.get("ns"))
    body = entry.get("o")
    if op == "n":
        yield Skipped("no-op")
        return
    if namespace is None or not isinstance(body, dict):
        yield Skipped("entry without a namespace or an operation document")
        return
    if op == "i":
        if "_id" not in body:
            yield Operation("fail", namespace, position, "an insert of a document without _id")
        else:
            yield Operation("insert", namespace, position, body, body["_id"])
    elif op == "u":
        target = entry.get("o2")
        if not isinstance(target, dict) or "_id" not in target:
            yield Operation("fail", namespace, position, "an update without the _id of its document (o2)")
        else:
            yield Operation("update", namespace, position, body, target["_id"])
    elif op == "d":
        if "_id" not in body:
            yield Operation("fail", namespace, position, "a delete without the _id of its document")
        else:
            yield Operation("delete", namespace, position, None, body["_id"])
    elif op == "c":
        yield from _command(namespace[0], body, position)
    else:
        yield Operation("fail", namespace, position, f"an entry of unknown kind op={shown(op)}")


def _command(database: str, body: dict[str, Any], position: Position) -> Iterator[Operation | Skipped]:
    name = next(iter(body), "")
    argument = body.get(name)
    if name == "applyOps":
        if not isinstance(argument, list):
            yield Operation("fail", (database, ALL_COLLECTIONS), position, "applyOps without a list of operations")
            return
        for i, inner in enumerate(argument):
            where = dataclasses.replace(position, inner=(*position.inner, i))
            if not isinstance(inner, dict):
                yield Operation("fail", (database, ALL_COLLECTIONS), where, "applyOps holds something else")
                continue
            for operation in _operations(inner, where):
                if body.get("prepare") and isinstance(operation, Operation):
                    problem = "a prepared transaction (sharded cluster): not replayed"
                    operation = Operation("fail", operation.namespace, where, problem)
                yield operation
    elif name in NO_DOCUMENT_CHANGE:
        yield Skipped("no document change (collection or index definition)")
    elif name in TRANSACTION_OUTCOMES:
        yield Skipped("transaction outcome")
    elif name in DROPS and isinstance(argument, str):
        yield Operation("drop", (database, argument), position)
    elif name == "dropDatabase":
        yield Operation("drop", (database, ALL_COLLECTIONS), position)
    elif name == "renameCollection":
        problem = "renameCollection is not replayed"
        for ns in (argument, body.get("to")):
            if (namespace := _namespace(ns)) is not None:
                yield Operation("fail", namespace, position, problem)
    else:
        collection = argument if isinstance(argument, str) else ALL_COLLECTIONS
        yield Operation("fail", (database, collection), position, f"command {shown(name)} is not replayed")


def _transaction_key(entry: dict[str, Any]) -> bytes | None:
    if "lsid" not in entry or "txnNumber" not in entry:
        return None
    return bson.encode({"lsid": entry["lsid"], "txn": entry["txnNumber"]}, codec_options=DECODE_OPTIONS)


def operations(entries: Iterable[tuple[Position, dict[str, Any]]]) -> Iterator[Operation | Skipped]:
    """Every operation of the oplog in the order it takes effect: a multi-entry transaction's operations at its
    last entry; those of a transaction the oplog does not finish are skipped, at the end."""
    open_transactions: dict[bytes, list[Operation | Skipped]] = {}
    for position, entry in entries:
        body = entry.get("o")
        key = _transaction_key(entry)
        if entry.get("op") == "c" and isinstance(body, dict) and "applyOps" in body and key is not None:
            pending = open_transactions.pop(key, [])
            pending.extend(_operations(entry, position))
            if body.get("partialTxn"):
                open_transactions[key] = pending
            else:
                yield from pending
            continue
        yield from _operations(entry, position)
    for pending in open_transactions.values():
        for operation in pending:
            namespace = operation.namespace if isinstance(operation, Operation) else None
            yield Skipped("in a transaction that the oplog does not finish", namespace)


def read_entries(source: CollectionSource) -> Iterator[tuple[Position, dict[str, Any]]]:
    for index, (location, raw) in enumerate(source.documents()):
        try:
            entry = bson.decode(raw, codec_options=DECODE_OPTIONS)
        except bson.errors.BSONError as error:
            problem = f"oplog entry #{index} does not decode: {error}"
            raise BackupFormatError(problem, location.source, location.offset) from None
        yield Position(index, location.offset), entry


@dataclass
class Changes:
    """What the oplog does to one collection."""

    operations: int = 0
    ids: set[tuple[str, Any]] = field(default_factory=set)
    dropped: bool = False
    failure: Operation | None = None


@dataclass
class OplogIndex:
    """One read of the oplog: per collection, what its entries change; the rest, counted by reason."""

    source: CollectionSource
    path: str
    entries: int = 0
    changes: dict[Namespace, Changes] = field(default_factory=dict)
    database_drops: dict[str, int] = field(default_factory=dict)  # dropDatabase entries, by database
    # A command that cannot be replayed and names no collection: it fails every collection of its database.
    database_failures: dict[str, Operation] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)

    def changes_of(self, namespace: Namespace) -> Changes | None:
        """What the oplog changes in `namespace`, database-wide operations included; None when nothing."""
        own = self.changes.get(namespace)
        database = namespace[0]
        if database not in self.database_drops and database not in self.database_failures:
            return own
        merged = dataclasses.replace(own) if own else Changes()
        merged.dropped = merged.dropped or database in self.database_drops
        merged.operations += self.database_drops.get(database, 0)
        if merged.failure is None:
            merged.failure = self.database_failures.get(database)
        return merged

    def namespaces(self) -> list[Namespace]:
        return list(self.changes)


def index_oplog(source: CollectionSource, path: str) -> OplogIndex:
    """Read the oplog once: what it changes in each collection, and what it holds that changes none."""
    index = OplogIndex(source, path)

    def counted() -> Iterator[tuple[Position, dict[str, Any]]]:
        for position, entry in read_entries(source):
            index.entries = position.index + 1
            yield position, entry

    for operation in operations(counted()):
        if isinstance(operation, Skipped):
            index.skipped[operation.reason] += 1
            continue
        database, collection = operation.namespace
        if collection == ALL_COLLECTIONS:
            if operation.kind == "drop":
                index.database_drops[database] = index.database_drops.get(database, 0) + 1
            else:
                index.database_failures.setdefault(database, operation)
            continue
        changes = index.changes.setdefault(operation.namespace, Changes())
        changes.operations += 1
        if operation.kind == "fail":
            changes.failure = changes.failure or operation
        elif operation.kind == "drop":
            changes.dropped = True
        else:
            changes.ids.add(id_key(operation.target))
    return index


def _raw_id(raw: bytes) -> Element | None:
    """A document's `_id` element as it is stored (usually its first element: found without walking the rest)."""
    try:
        if raw[5:9] == b"_id\x00":
            size = value_size(raw, raw[4], 9, len(raw) - 1)
            return Element(raw[4], raw[9 : 9 + size])
        for name, element in iter_elements(raw):
            if name == b"_id":
                return element
    except (ElementError, IndexError):
        pass  # the converter quarantines it, with its own error
    return None


def stored_id_key(element: Element) -> tuple[str, Any]:
    """`id_key` of an `_id` as it is stored, decoding only what must be: int32, int64 and doubles are read
    directly; anything else is its BSON encoding (what encoding the decoded value gives back)."""
    if element.type in (0x10, 0x12):
        return ("number", int.from_bytes(element.value, "little", signed=True))
    if element.type == 0x01:
        number = struct.unpack("<d", element.value)[0]
        return ("number", int(number) if number.is_integer() else number)
    if element.type == 0x13:  # decimal128: as the decoded value compares
        return id_key(bson.decode(document([(b"_id", element)]), codec_options=DECODE_OPTIONS)["_id"])
    body = bytes((element.type, 0)) + element.value + b"\x00"
    return ("bson", (len(body) + 4).to_bytes(4, "little") + body)


@dataclass(repr=False)
class ReplayedCollection(CollectionSource):
    """A collection with the oplog's entries for it replayed; `base` None: a collection created during the dump."""

    name: str
    metadata: dict[str, Any]
    base: CollectionSource | None
    namespace: Namespace
    oplog: OplogIndex

    def __post_init__(self) -> None:
        self.applied = 0

    def blocks(self) -> Iterator[DocumentBlock]:
        self.applied = 0
        changes = self.oplog.changes_of(self.namespace) or Changes()
        if changes.failure is not None:
            self._fail(changes.failure.position, changes.failure.body)
        held: dict[tuple[str, Any], dict[str, Any] | None] = {}
        if self.base is not None and not changes.dropped:
            for block in self.base.blocks():
                starts, data, ids = block.starts.tolist(), block.data, changes.ids
                kept = [i for i in range(len(block)) if not self._hold(data[starts[i] : starts[i + 1]], ids, held)]
                if len(kept) == len(block):
                    yield block
                elif kept:
                    yield from _subset(block, kept)
        yield from self._replayed(held)

    def _hold(self, raw: bytes, touched: set[tuple[str, Any]], held: dict) -> bool:
        """Hold the document back when the oplog touches its `_id`."""
        if not touched or (found := _raw_id(raw)) is None or (key := stored_id_key(found)) not in touched:
            return False
        held[key] = bson.decode(raw, codec_options=DECODE_OPTIONS)
        return True

    def _replayed(self, state: dict[tuple[str, Any], dict[str, Any] | None]) -> Iterator[DocumentBlock]:
        waiting: dict[tuple[str, Any], Position] = {}  # updates of documents not there (yet)
        for operation in operations(read_entries(self.oplog.source)):
            if not isinstance(operation, Operation) or not self._concerns(operation):
                continue
            self.applied += 1
            if operation.kind == "drop":
                state.clear()
                waiting.clear()
                continue
            key = id_key(operation.target)
            if operation.kind == "delete":
                state[key] = None
                waiting.pop(key, None)
            elif operation.kind == "insert" or is_replacement(operation.body):
                new = dict(operation.body)
                state[key] = new if "_id" in new else {"_id": operation.target, **new}
                waiting.pop(key, None)
            elif (current := state.get(key)) is None:
                waiting.setdefault(key, operation.position)
            else:
                try:
                    state[key] = apply_update(current, operation.body)
                except UpdateError as error:
                    self._fail(operation.position, f"update cannot be applied: {error}")
        if waiting:
            first = min(waiting.values(), key=lambda p: (p.index, p.inner))
            self._fail(first, "update of a document that is neither in the dump nor written earlier in the oplog")
        raws = [bson.encode(doc, codec_options=DECODE_OPTIONS) for doc in state.values() if doc is not None]
        source = self.stream_label()
        base = 0
        for start in range(0, len(raws), REPLAYED_PER_BLOCK):
            chunk = raws[start : start + REPLAYED_PER_BLOCK]
            starts = np.cumsum([0] + [len(r) for r in chunk], dtype=np.int64)
            yield DocumentBlock(source, base, b"".join(chunk), starts)
            base += int(starts[-1])

    def stream_label(self) -> str:
        """Names the documents as handed on: the collection's own, then those the oplog changed or added."""
        return f"{shown('.'.join(self.namespace))} with {self.oplog.path} replayed"

    def _concerns(self, operation: Operation) -> bool:
        database, collection = operation.namespace
        return database == self.namespace[0] and collection in (self.namespace[1], ALL_COLLECTIONS)

    def _fail(self, position: Position, problem: str) -> None:
        raise OplogReplayError(f"{position}: {problem} (collection {shown('.'.join(self.namespace))})", self.oplog.path)

    def provenance(self) -> dict[str, Any]:
        out = dict(self.base.provenance()) if self.base is not None else {"created_during_dump": True}
        out["oplog_entries_applied"] = self.applied
        return out


def _subset(block: DocumentBlock, kept: list[int]) -> Iterator[DocumentBlock]:
    """Runs of consecutive kept documents of `block`, as blocks of their own (locations unchanged)."""
    first = 0
    for k in range(1, len(kept) + 1):
        if k == len(kept) or kept[k] != kept[k - 1] + 1:
            a, b = kept[first], kept[k - 1] + 1
            lo, hi = int(block.starts[a]), int(block.starts[b])
            yield DocumentBlock(block.source, block.base + lo, block.data[lo:hi], block.starts[a : b + 1] - lo)
            first = k
