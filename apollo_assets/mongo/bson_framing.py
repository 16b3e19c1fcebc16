"""Splits a stream of concatenated BSON documents into blocks, checking every length prefix.

Only the framing is checked here (size limits, the trailing 0x00, truncation): a bad frame means the
position of the next document is unknown, so it raises. What is inside a document is checked later,
where a bad document can be quarantined on its own.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from apollo_assets.mongo.byte_stream import ByteStream
from apollo_assets.mongo.errors import BackupFormatError
from apollo_assets.mongo.source import DocumentBlock

MIN_DOCUMENT_BYTES = 5
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
TERMINATOR = 0xFFFFFFFF
MAX_BLOCK_BYTES = 8 * 1024 * 1024


def check_length(n: int, stream: ByteStream, offset: int) -> None:
    if n < MIN_DOCUMENT_BYTES:
        raise BackupFormatError(
            f"invalid BSON length prefix {n} (a document has at least 5 bytes)", stream.source, offset
        )
    if n > MAX_DOCUMENT_BYTES:
        raise BackupFormatError(
            f"BSON document of {n} bytes exceeds the 16 MiB maximum document size", stream.source, offset
        )


def iter_blocks(stream: ByteStream, *, until_terminator: bool = False) -> Iterator[DocumentBlock]:
    """Yield blocks of documents until the stream ends (or, in an archive, until a 0xFFFFFFFF terminator)."""
    # Imported here: the compiled kernels bring numba and the fast reader, which the definitions (importing the
    # readers through the snapshot assets) do not need; a reading process imports them once.
    from apollo_assets.mongo.fast.kernels import BAD_LENGTH, NEED_MORE, NO_TRAILING_NUL, TERMINATED, frame_documents

    while True:
        if not stream.ensure(4):
            if stream.available:
                raise BackupFormatError(
                    f"truncated BSON: {stream.available} trailing bytes, too few for a length prefix",
                    stream.source,
                    stream.offset,
                )
            if until_terminator:
                raise BackupFormatError(
                    "archive ended inside a namespace segment (no terminator)", stream.source, stream.offset
                )
            return
        buf, start = stream.buf, stream.pos
        data = np.frombuffer(buf, np.uint8)
        limits = (start, len(buf), start + MAX_BLOCK_BYTES, MIN_DOCUMENT_BYTES, MAX_DOCUMENT_BYTES)
        bounds, p, outcome, n = frame_documents(data, *limits, TERMINATOR if until_terminator else -1)
        if outcome == BAD_LENGTH:
            check_length(n, stream, stream.base + p)
        if outcome == NO_TRAILING_NUL:
            raise BackupFormatError(
                f"BSON document of {n} bytes does not end with a 0x00 byte: its length prefix is wrong",
                stream.source,
                stream.base + p,
            )
        need = n if outcome == NEED_MORE else 4
        terminated = outcome == TERMINATED
        if len(bounds):
            yield DocumentBlock(stream.source, stream.base, buf, bounds)
        stream.pos = p
        if terminated:
            stream.pos += 4
            return
        if not stream.ensure(need) and stream.available >= 4:
            raise BackupFormatError(
                f"truncated BSON: the length prefix says {need} bytes but the data ends after {stream.available}",
                stream.source,
                stream.offset,
            )
