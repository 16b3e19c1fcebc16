"""Reading a live cluster's collection (one that is not dumped): `_id` ranges read with raw-batch cursors.

The server's raw batches are already concatenated BSON, so the converter gets blocks as it does from files.
The URI comes from `APOLLO_MONGO_URI`. Reads go to secondaries when there are any (`secondaryPreferred`).

Consistency: each range is read by one cursor over the `_id` index, so a document is read at most once (an `_id`
never changes, ranges are disjoint); one inserted or deleted during the read may or may not be there. The two
converter passes must see the same documents, so `spool` copies each range once to a local file (the ingest
path's choice); `blocks()` queries again on each call, and the converter then raises if the collection changed
between its passes (fine for a collection that is not being written).
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from apollo_assets.mongo.bson_framing import iter_blocks
from apollo_assets.mongo.byte_stream import ByteStream
from apollo_assets.mongo.errors import BackupFormatError
from apollo_assets.mongo.live_ranges import IdRange, split_ranges
from apollo_assets.mongo.source import CollectionSource, DocumentBlock

# pymongo is imported where a cluster is read: the definitions import this module (through the snapshot assets)
# and need none of it.
if TYPE_CHECKING:
    from pymongo import MongoClient
    from pymongo.collection import Collection

ENV_VAR = "APOLLO_MONGO_URI"
# The option's values, each with its `pymongo.ReadPreference` attribute.
READ_PREFERENCES = {
    "primary": "PRIMARY",
    "primaryPreferred": "PRIMARY_PREFERRED",
    "secondary": "SECONDARY",
    "secondaryPreferred": "SECONDARY_PREFERRED",
    "nearest": "NEAREST",
}


class LiveReadError(BackupFormatError):
    """Reading a live collection failed; the message names the collection and the `_id` range."""

    retryable = True  # the cluster or the network


def mongo_uri(environ: dict[str, str] | None = None) -> str:
    uri = (os.environ if environ is None else environ).get(ENV_VAR, "").strip()
    if not uri:
        raise LiveReadError(f"{ENV_VAR} is not set: it must hold the cluster's mongodb:// URI")
    return uri


def redact(uri: str) -> str:
    """The URI fit for logs and document locations: no credentials, and no option values, any of which may be a
    secret (`password`, `tlsCertificateKeyFilePassword`, `authMechanismProperties=AWS_SESSION_TOKEN:…`).

    Everything up to the last `@` goes: a password with an unescaped `/` or `?` still disappears (an `@` in an
    option's value hides the hosts too, the safe way to be wrong)."""
    scheme, sep, rest = uri.partition("://")
    if not sep:
        return uri
    rest = rest.partition("#")[0]
    if "@" in rest:
        rest = "***@" + rest.rpartition("@")[2]
    hosts, question, options = rest.partition("?")
    if question:
        options = re.sub(r"=[^&;]*", "=***", options)
    return f"{scheme}://{hosts}{question}{options}"


@dataclass(frozen=True)
class LiveOptions:
    read_preference: str = "secondaryPreferred"
    batch_size: int = 1000  # documents per raw batch (the server also caps a batch at 16 MiB)
    ranges: int = 0  # `_id` ranges per collection (read side by side; each a unit of work); 0: by its size

    def __post_init__(self) -> None:
        if self.read_preference not in READ_PREFERENCES:
            raise ValueError(f"read_preference {self.read_preference!r} is not one of {sorted(READ_PREFERENCES)}")
        if self.batch_size < 1 or self.ranges < 0:
            raise ValueError("batch_size must be at least 1, ranges at least 0 (0: by the collection's size)")


DOCS_PER_RANGE = 50_000  # ranges=0: a range per this many documents (a smaller one converts in well under a second)
MAX_AUTO_RANGES = 8


def auto_ranges(documents: int) -> int:
    """Ranges for a collection of about `documents` documents: one per DOCS_PER_RANGE, 1 to MAX_AUTO_RANGES."""
    return max(1, min(MAX_AUTO_RANGES, documents // DOCS_PER_RANGE))


class _RawBatches(io.RawIOBase):
    """The cursor's raw batches as one byte stream (ByteStream reads it in chunks and checks the framing)."""

    def __init__(self, batches: Iterator[bytes]) -> None:
        self._batches, self._rest = batches, b""

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:  # type: ignore[override]
        while not self._rest:
            self._rest = next(self._batches, b"")
            if not self._rest:
                return b""
        out, self._rest = self._rest[:n], self._rest[n:]
        return out


@dataclass(repr=False)
class LiveCollectionSource(CollectionSource):
    uri: str
    database: str
    name: str
    options: LiveOptions = field(default_factory=LiveOptions)
    metadata: dict[str, Any] = field(default_factory=dict)

    def collection(self, client: MongoClient) -> Collection:
        from pymongo import ReadPreference

        preference = getattr(ReadPreference, READ_PREFERENCES[self.options.read_preference])
        return client[self.database].get_collection(self.name, read_preference=preference)

    def label(self, id_range: IdRange) -> str:
        return f"{redact(self.uri)} {self.database}.{self.name} {id_range.describe()}"

    def ranges(self, client: MongoClient) -> list[IdRange]:
        from pymongo.errors import PyMongoError

        collection = self.collection(client)
        try:
            pieces = self.options.ranges or auto_ranges(collection.estimated_document_count())
            return split_ranges(collection, pieces)
        except PyMongoError as exc:
            raise LiveReadError(f"cannot split {self.database}.{self.name} into _id ranges: {exc}") from exc

    def raw_batches(self, client: MongoClient, id_range: IdRange) -> Iterator[bytes]:
        """The raw BSON batches of one range, in `_id` order; errors name the range."""
        from pymongo.errors import PyMongoError

        cursor = self.collection(client).find_raw_batches(
            id_range.filter(), batch_size=self.options.batch_size, hint=[("_id", 1)]
        )
        try:
            yield from cursor
        except PyMongoError as exc:
            raise LiveReadError(f"reading failed: {exc}", self.label(id_range)) from exc
        finally:
            cursor.close()

    def blocks(self) -> Iterator[DocumentBlock]:
        from pymongo import MongoClient

        with MongoClient(self.uri) as client:
            for id_range in self.ranges(client):
                stream = ByteStream(_RawBatches(self.raw_batches(client, id_range)), self.label(id_range))
                yield from iter_blocks(stream)

    def __repr__(self) -> str:
        return f"LiveCollectionSource({redact(self.uri)!r}, {self.database}.{self.name})"
