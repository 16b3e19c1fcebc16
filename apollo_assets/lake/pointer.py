"""Compare-and-swap of a small object (a partition's `_CURRENT.json`), so that concurrent writers never overwrite
each other's decisions.

`read` gives the object's bytes and a token; `swap(path, data, token)` replaces the object only if it is still the
one that token describes (a missing object has the token `MISSING`). Each filesystem gets its own guarantee:

- local folder: an exclusive `flock` on a lock file next to the object, held while the current bytes are compared
  and the new ones renamed into place (the kernel drops the lock of a process that dies; readers never need it,
  since the rename is atomic);
- GCS: the object's generation as a precondition of the upload (`if_generation_match`, 0 = must not exist), the
  compare and the write being one request;
- any other filesystem: compare, then write, with no guarantee between the two (documented, not used by the
  platform).
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import os
import uuid
from dataclasses import dataclass
from typing import Protocol

import pyarrow.fs as pafs

from apollo_assets.storage import Location

MISSING = "missing"


class PointerStore(Protocol):
    def read(self, path: str) -> tuple[bytes | None, str]: ...

    def swap(self, path: str, data: bytes, token: str) -> bool: ...


def pointer_store(location: Location) -> PointerStore:
    if location.url.startswith("gs://"):
        return GcsPointers()
    if isinstance(location.fs, pafs.LocalFileSystem):
        return LocalPointers()
    return UnguardedPointers(location)


def _digest(data: bytes | None) -> str:
    return MISSING if data is None else hashlib.sha256(data).hexdigest()


class LocalPointers:
    def read(self, path: str) -> tuple[bytes | None, str]:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            data = None
        return data, _digest(data)

    def swap(self, path: str, data: bytes, token: str) -> bool:
        folder = os.path.dirname(path)
        os.makedirs(folder, exist_ok=True)
        # One lock per object; separate opens conflict even between threads of one process (flock locks belong to
        # the open file, not the process).
        with open(f"{path}.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if self.read(path)[1] != token:
                return False
            temporary = f"{folder}/.{os.path.basename(path)}.{uuid.uuid4().hex}"
            with open(temporary, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
            return True


@functools.cache
def _storage_client():
    from google.cloud import storage  # imported here: the local default needs no Google client library

    return storage.Client()


class GcsPointers:
    def _blob(self, path: str):
        bucket, _, name = path.partition("/")
        return _storage_client().bucket(bucket).blob(name)

    def read(self, path: str) -> tuple[bytes | None, str]:
        from google.api_core.exceptions import NotFound

        blob = self._blob(path)
        try:
            data = blob.download_as_bytes()  # the response names the generation it served
        except NotFound:
            return None, MISSING
        return data, str(blob.generation)

    def swap(self, path: str, data: bytes, token: str) -> bool:
        from google.api_core.exceptions import PreconditionFailed

        generation = 0 if token == MISSING else int(token)
        try:
            self._blob(path).upload_from_string(data, content_type="application/json", if_generation_match=generation)
        except PreconditionFailed:
            return False
        return True


@dataclass(frozen=True)
class UnguardedPointers:
    location: Location

    def read(self, path: str) -> tuple[bytes | None, str]:
        data = self.location.read_bytes(path) if self.location.exists(path) else None
        return data, _digest(data)

    def swap(self, path: str, data: bytes, token: str) -> bool:
        if self.read(path)[1] != token:
            return False
        staged = f"{path}.{uuid.uuid4().hex}"
        with self.location.fs.open_output_stream(staged) as out:
            out.write(data)
        self.location.fs.move(staged, path)
        return True
