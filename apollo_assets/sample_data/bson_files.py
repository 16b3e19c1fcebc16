"""Files as mongodump writes them: concatenated BSON documents, optionally gzipped, fsynced before close."""

import gzip as gzip_module
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC
from itertools import batched
from pathlib import Path
from typing import Any, BinaryIO

import bson
from bson.codec_options import CodecOptions

# Field order is the dict's order (as the server stores it); datetimes are UTC.
CODEC = CodecOptions(document_class=dict, tz_aware=True, tzinfo=UTC)
_BATCH = 1000


def _gzip_stream(raw: BinaryIO) -> gzip_module.GzipFile:
    # Like mongodump's: no file name and a zero mtime in the header (which also keeps the bytes reproducible),
    # and Go's default compression level.
    return gzip_module.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6)


@contextmanager
def durable_file(path: Path, *, gzip: bool = False) -> Iterator[BinaryIO]:
    with open(path, "wb") as raw:
        out = _gzip_stream(raw) if gzip else raw
        yield out
        if gzip:
            out.close()
        raw.flush()
        os.fsync(raw.fileno())


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_bson_file(path: Path, docs: Iterable[Mapping[str, Any]], *, gzip: bool = False) -> tuple[int, int]:
    """Stream documents (any iterable, e.g. a generator) into `path`; returns (documents, bytes)."""
    count = 0
    with durable_file(path, gzip=gzip) as out:
        for batch in batched(docs, _BATCH, strict=False):
            out.write(b"".join(bson.encode(doc, codec_options=CODEC) for doc in batch))
            count += len(batch)
    return count, path.stat().st_size
