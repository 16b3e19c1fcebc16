"""What every reader hands the converter: raw BSON documents with the place they came from.

Readers produce `DocumentBlock`s (runs of whole, length-checked documents in one buffer) because the
converter works on many documents at once; `documents()` is the one-at-a-time view of the same data.
A live-cluster reader fits the same shape: a raw batch cursor already returns concatenated BSON.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np


class DocumentLocation(str):
    """Where a document starts: a file (or archive, or cluster URI) and a byte offset in its stream.

    It is the string `<source> at byte offset <offset>`, so it can go into JSON and logs as it is.
    """

    source: str
    offset: int

    def __new__(cls, source: str, offset: int) -> DocumentLocation:
        self = super().__new__(cls, f"{source} at byte offset {offset}")
        self.source, self.offset = source, offset
        return self

    def __getnewargs__(self) -> tuple[str, int]:  # type: ignore[override]
        return self.source, self.offset


class RawDocument(NamedTuple):
    location: DocumentLocation
    raw: bytes


@dataclass(frozen=True, slots=True)
class DocumentBlock:
    """Consecutive documents: document i is `data[starts[i]:starts[i + 1]]`, at `base + starts[i]` in `source`."""

    source: str
    base: int
    data: bytes
    starts: np.ndarray  # int64, one more entry than there are documents

    def __len__(self) -> int:
        return len(self.starts) - 1

    def location(self, i: int) -> DocumentLocation:
        return DocumentLocation(self.source, self.base + int(self.starts[i]))

    def raw(self, i: int) -> bytes:
        return self.data[int(self.starts[i]) : int(self.starts[i + 1])]

    def documents(self) -> Iterator[RawDocument]:
        for i in range(len(self)):
            yield RawDocument(self.location(i), self.raw(i))


class CollectionSource(ABC):
    """One collection of a backup (or, later, of a live cluster)."""

    name: str
    metadata: dict[str, Any]

    @abstractmethod
    def blocks(self) -> Iterator[DocumentBlock]:
        """Yield the collection's documents in blocks, in storage order, each document length-checked."""

    def documents(self) -> Iterator[RawDocument]:
        for block in self.blocks():
            yield from block.documents()

    def provenance(self) -> dict[str, Any]:
        """What a reader did besides reading (measurements unpacked from buckets, oplog entries applied), once
        `blocks()` has been read through: for summaries and asset metadata."""
        return {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"
