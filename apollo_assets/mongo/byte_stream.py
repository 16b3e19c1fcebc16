"""A buffered byte stream over a plain or gzip file that knows its offset and names its file in errors."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from typing import BinaryIO

from apollo_assets.mongo.errors import BackupFormatError

GZIP_MAGIC = b"\x1f\x8b"
CHUNK_BYTES = 4 * 1024 * 1024


def open_maybe_gzip(path: Path) -> tuple[BinaryIO, bool]:
    """Open `path` for reading, decompressing when it starts with the gzip magic (whatever its name)."""
    with path.open("rb") as probe:
        head = probe.read(2)
    if head == GZIP_MAGIC:
        return gzip.open(path, "rb"), True  # type: ignore[return-value]
    if path.name.endswith(".gz"):
        raise BackupFormatError("file is named .gz but is not gzip data (bad gzip magic)", str(path), 0)
    return path.open("rb"), False


class ByteStream:
    """Reads ahead in large chunks; `buf[pos:]` are the unread bytes, `base` is the offset of `buf[0]`."""

    def __init__(self, raw: BinaryIO, source: str, chunk_bytes: int = CHUNK_BYTES) -> None:
        self.raw = raw
        self.source = source
        self.chunk_bytes = chunk_bytes
        self.buf = b""
        self.pos = 0
        self.base = 0
        self.eof = False

    @property
    def offset(self) -> int:
        return self.base + self.pos

    @property
    def available(self) -> int:
        return len(self.buf) - self.pos

    def ensure(self, n: int) -> bool:
        """Make at least `n` unread bytes available; False when the stream ends first."""
        while self.available < n and not self.eof:
            chunk = self._read(max(self.chunk_bytes, n - self.available))
            if not chunk:
                self.eof = True
                break
            # Dropping the consumed prefix keeps memory at about one chunk plus one document.
            self.base += self.pos
            self.buf = self.buf[self.pos :] + chunk if self.available else chunk
            self.pos = 0
        return self.available >= n

    def take(self, n: int) -> bytes:
        if not self.ensure(n):
            raise BackupFormatError(
                f"unexpected end of data: needed {n} bytes, {self.available} remain", self.source, self.offset
            )
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out

    def _read(self, n: int) -> bytes:
        try:
            return self.raw.read(n)
        except (gzip.BadGzipFile, zlib.error, EOFError, OSError) as exc:
            raise BackupFormatError(
                f"bad gzip data after {self.base + len(self.buf)} decompressed bytes: {exc}",
                self.source,
                self.base + len(self.buf),
            ) from exc

    def close(self) -> None:
        self.raw.close()
