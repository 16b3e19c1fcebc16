"""One filesystem interface for the local default and for GCS, chosen by URL."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pyarrow.fs as pafs

from apollo_assets.errors import KnownError


class UnsafePathError(KnownError, ValueError):
    """A path part that could lead out of its location's root (`..`, a separator, NUL): nothing is read,
    written or deleted there."""


def _checked(part: str, root: str) -> str:
    if not isinstance(part, str) or part in ("", ".", "..") or any(c in part for c in "/\\\x00"):
        shown = repr(part[:60]) if isinstance(part, str) else type(part).__name__
        raise UnsafePathError(f"refusing path part {shown} under {root}: it is not one plain folder or file name")
    return part


@dataclass(frozen=True)
class Location:
    """A root folder on a filesystem: `fs` speaks pyarrow's API, `root` is the path inside it."""

    fs: pafs.FileSystem
    root: str
    url: str

    def join(self, *parts: str) -> str:
        """The path of `parts` under the root. Each part is one name: the last guard against a name from the
        input (an archive's collection, a partition key) leading a write or a delete out of the root."""
        return "/".join([self.root.rstrip("/"), *(_checked(p, self.url) for p in parts)])

    def exists(self, path: str) -> bool:
        return self.fs.get_file_info(path).type != pafs.FileType.NotFound

    def list_dirs(self, path: str) -> list[str]:
        """Names of the folders directly under `path` (none when it does not exist)."""
        return sorted(i.base_name for i in self.list(path) if i.type == pafs.FileType.Directory)

    def list(self, path: str, recursive: bool = False) -> list[pafs.FileInfo]:
        """What is under `path` (nothing when it does not exist)."""
        if not self.exists(path):
            return []
        return self.fs.get_file_info(pafs.FileSelector(path, recursive=recursive))

    def read_bytes(self, path: str) -> bytes:
        with self.fs.open_input_stream(path) as stream:
            return stream.read()

    def local_path(self, path: str) -> Path | None:
        """The path on this machine's disk, when the location is local."""
        return Path(path) if isinstance(self.fs, pafs.LocalFileSystem) else None


def open_location(url: str) -> Location:
    """`gs://bucket/prefix` opens GCS (honouring STORAGE_EMULATOR_HOST); anything else is a local folder."""
    if url.startswith("gs://"):
        import gcsfs  # imported here: the local default must not need Google's client libraries at import time

        # An emulator (STORAGE_EMULATOR_HOST: the tests) takes no credentials; looking for Google's default ones
        # would probe the GCE metadata server first.
        token = "anon" if os.environ.get("STORAGE_EMULATOR_HOST") else None
        # No listing cache: other processes publish and sweep partitions, and a long-running one (the sensor, a
        # code server) would otherwise keep answering from what it listed first.
        handler = pafs.FSSpecHandler(gcsfs.GCSFileSystem(token=token, use_listings_cache=False))
        return Location(fs=pafs.PyFileSystem(handler), root=url.removeprefix("gs://").rstrip("/"), url=url)
    root = Path(url.removeprefix("file://")).expanduser().resolve()
    return Location(fs=pafs.LocalFileSystem(), root=str(root), url=str(root))
