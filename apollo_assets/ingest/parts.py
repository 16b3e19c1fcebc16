"""Byte ranges of plain BSON files, cut on document boundaries: the units that workers convert side by side.

A mongodump `.bson` file is documents back to back, each starting with its length, so walking the length
prefixes finds every boundary without decoding anything; the file is then cut into ranges of about equal size.
"""

from __future__ import annotations

import mmap
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np

from apollo_assets.mongo.bson_framing import iter_blocks
from apollo_assets.mongo.byte_stream import ByteStream
from apollo_assets.mongo.errors import BackupFormatError
from apollo_assets.mongo.source import CollectionSource, DocumentBlock

PIECES_PER_WORKER = 32
PIECE_BYTES = 8 * 1024 * 1024  # a few chunks of 4,096 documents of ~800 bytes
HOP_BYTES = 32 * 1024 * 1024  # mapped pages held at most while cutting


@dataclass(frozen=True)
class Part:
    """Bytes `start:end` of `path`; document locations name `label` (the original file, or a live `_id` range)."""

    path: str
    start: int
    end: int
    label: str

    @property
    def size(self) -> int:
        return self.end - self.start


def split_file(path: Path, pieces: int, label: str | None = None) -> list[Part]:
    """Cut a plain BSON file into at most `pieces` ranges of whole documents (framing is checked later)."""
    size = path.stat().st_size
    label = label or str(path)
    if pieces <= 1 or size == 0:
        return [Part(str(path), 0, size, label)]
    cuts = [0]
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        u8 = np.frombuffer(data, dtype=np.uint8)
        for k in range(1, pieces):
            pos = _boundary_past(data, u8, cuts[-1], size * k // pieces)
            if pos < 0 or pos >= size:  # a bad frame stops the cutting here
                break
            if pos > cuts[-1]:
                cuts.append(pos)
        del u8  # the map closes only once no array points into it
    cuts.append(size)
    return [Part(str(path), a, b, label) for a, b in pairwise(cuts) if b > a]


def _boundary_past(data: mmap.mmap, u8: np.ndarray, pos: int, target: int) -> int:
    """The first document boundary at or past `target`, hopping from the one at `pos` (compiled: only length
    prefixes are read). Hopping touches every page of small documents: each step lets go of the pages behind it,
    or the whole file would count in this process's resident memory (page cache, but RSS all the same)."""
    from apollo_assets.mongo.fast.kernels import hop  # numba: imported by the processes that split, not the definitions

    while pos < target:
        reached = hop(u8, pos, min(target, pos + HOP_BYTES))
        if reached < 0 or reached >= len(u8) or reached == pos:  # bad frame, end, or a tail too short to frame
            return reached
        data.madvise(mmap.MADV_DONTNEED, 0, reached - reached % mmap.PAGESIZE)
        pos = reached
    return pos


class _RangeReader:
    """A file object that ends at `end`, so a ByteStream stops at the edge of its part."""

    def __init__(self, path: str, start: int, end: int) -> None:
        self._f = open(path, "rb")  # noqa: SIM115 - closed by close(), when the stream is closed
        self._f.seek(start)
        self._left = end - start

    def read(self, n: int) -> bytes:
        data = self._f.read(min(n, self._left))
        self._left -= len(data)
        return data

    def close(self) -> None:
        self._f.close()


@dataclass(repr=False)
class PartsSource(CollectionSource):
    """Consecutive parts read as one source (a worker's share of a collection)."""

    name: str
    parts: list[Part]

    def __post_init__(self) -> None:
        self.metadata = {}

    def blocks(self) -> Iterator[DocumentBlock]:
        for part in self.parts:
            stream = ByteStream(_RangeReader(part.path, part.start, part.end), part.label)  # type: ignore[arg-type]
            stream.base = part.start
            try:
                yield from iter_blocks(stream)
            finally:
                stream.close()

    @property
    def size(self) -> int:
        return sum(p.size for p in self.parts)


def piece_count(size: int, workers: int) -> int:
    """How many pieces `size` bytes are cut into for `workers` workers: up to PIECES_PER_WORKER each, none
    smaller than PIECE_BYTES (a piece becomes a group, with its own costs), at least one per worker."""
    if workers <= 1:
        return 1
    return max(workers, min(workers * PIECES_PER_WORKER, size // PIECE_BYTES))


def guided_groups(parts: list[Part], workers: int) -> list[list[Part]]:
    """Consecutive parts in groups that shrink as the parts run out: each takes 1/(2 x workers) of those left,
    at least one (guided self-scheduling). Workers claim the groups in order, so the first ones are big (few
    per-group costs) and the last ones small: the workers finish together, even the one that started late."""
    if not parts:
        raise BackupFormatError("no parts to read")
    groups, at = [], 0
    while at < len(parts):
        take = max(1, (len(parts) - at) // (2 * workers)) if workers > 1 else len(parts)
        groups.append(parts[at : at + take])
        at += take
    return groups
