"""Names that come from the input: database and collection names, backup ids. None of them is trusted.

A backup's headers, file and folder names, a cluster's listing, an option or a partition key may hold anything.
Every such name goes through here before it touches a path, a SQL identifier, a stage path or a dbt var:

- `database_name`, `collection_name`: refuse what cannot be a MongoDB name (empty, NUL, `$` in a collection
  name, a database name with `/\\. "`, a collection name starting with `.`, longer than MongoDB allows,
  not UTF-8). Everything else MongoDB accepts (`system.version`, `a/b`, unicode) is accepted.
- `path_segment`: the one folder or file name for a name: percent-encoding of every byte outside
  `[A-Za-z0-9_.-]` and of a leading `.`, so that no name is `.`, `..`, absolute, or holds a separator;
  reversible (`name_of_segment`) up to MAX_SEGMENT_BYTES, shortened with a hash beyond.
- `backup_id`: exactly `YYYYMMDDTHHMMSSZ` (a UTC time), nothing before or after it.

A refused name is an `UntrustedNameError`: one line that names the kind of name and shows it repr'd and truncated
(`shown`), so that control characters cannot reach a terminal or a log as such.

This module imports nothing of the platform: every package may use it.
"""

from __future__ import annotations

import hashlib
import re
import string
from datetime import datetime
from urllib.parse import unquote

from apollo_assets.errors import KnownError

BACKUP_ID_FORMAT = "%Y%m%dT%H%M%SZ"
_BACKUP_ID = re.compile(r"[0-9]{8}T[0-9]{6}Z")  # ASCII digits only: `\d` also matches other scripts' digits
MAX_DATABASE_BYTES = 63  # MongoDB: fewer than 64 characters
MAX_NAMESPACE_BYTES = 255  # MongoDB: `<database>.<collection>`, in bytes
_DATABASE_FORBIDDEN = frozenset('/\\. "\x00')
# Bytes kept as they are in a path segment; every other byte is written %XX.
SAFE_BYTES = frozenset((string.ascii_letters + string.digits + "_.-").encode())
# Below NAME_MAX (255 bytes on common filesystems) with room for the suffixes added to a segment
# (`.bson`, `.range0000.bson`, `.yaml`, `.tmp`).
MAX_SEGMENT_BYTES = 200
_HASH_MARK = "~"  # never produced by the encoding: a shortened segment cannot equal another name's segment


class UntrustedNameError(KnownError, ValueError):
    """A name from the input that cannot be used; the message names its kind and shows it safely."""

    def __init__(self, kind: str, name: object, problem: str) -> None:
        self.kind, self.name, self.problem = kind, name, problem
        super().__init__(f"{kind} {shown(name)}: {problem}")


def shown(name: object, limit: int = 60) -> str:
    """A name fit for a one-line message: repr'd (control and invisible characters escaped) and truncated."""
    if not isinstance(name, str):
        return f"<{type(name).__name__}>"
    if len(name) <= limit:
        return repr(name)
    return f"{name[:limit]!r}… ({len(name)} characters)"


def printable(name: str, limit: int = 80) -> str:
    """`name` as it is when it is short and printable (`people`), else `shown(name)`: for progress and notices."""
    return name if name.isprintable() and len(name) <= limit else shown(name, limit)


def _utf8(kind: str, name: str) -> bytes:
    try:
        return name.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: a file name that was not UTF-8 on disk
        raise UntrustedNameError(kind, name, "is not valid UTF-8") from None


def database_name(name: object) -> str:
    """`name` when MongoDB could have a database of that name; else UntrustedNameError."""
    kind = "database name"
    if not isinstance(name, str):
        raise UntrustedNameError(kind, name, "is not a string")
    if not name:
        raise UntrustedNameError(kind, name, "is empty")
    if bad := sorted(set(name) & _DATABASE_FORBIDDEN):
        raise UntrustedNameError(kind, name, f"contains {', '.join(map(repr, bad))} (MongoDB forbids them)")
    if (size := len(_utf8(kind, name))) > MAX_DATABASE_BYTES:
        raise UntrustedNameError(kind, name, f"is {size} bytes long; MongoDB allows at most {MAX_DATABASE_BYTES}")
    return name


def collection_name(name: object, database: str | None = None) -> str:
    """`name` when MongoDB could have a collection of that name (in `database`, when given); else
    UntrustedNameError."""
    kind = "collection name"
    if not isinstance(name, str):
        raise UntrustedNameError(kind, name, "is not a string")
    if not name:
        raise UntrustedNameError(kind, name, "is empty")
    if "\x00" in name:
        raise UntrustedNameError(kind, name, "contains a NUL character")
    if name.startswith("."):
        raise UntrustedNameError(kind, name, "starts with '.' (MongoDB forbids it)")
    if "$" in name:
        raise UntrustedNameError(kind, name, "contains '$' (MongoDB forbids it)")
    limit = MAX_NAMESPACE_BYTES - (len(_utf8("database name", database)) + 1 if database is not None else 0)
    if (size := len(_utf8(kind, name))) > limit:
        where = f" in database {shown(database)}" if database is not None else ""
        raise UntrustedNameError(kind, name, f"is {size} bytes long; MongoDB allows at most {limit}{where}")
    return name


def is_backup_id(value: object) -> bool:
    if not isinstance(value, str) or not _BACKUP_ID.fullmatch(value):
        return False
    try:
        datetime.strptime(value, BACKUP_ID_FORMAT)
    except ValueError:  # the right shape but no such time (month 13, hour 25)
        return False
    return True


def backup_id(value: object) -> str:
    """`value` when it is a backup id, `YYYYMMDDTHHMMSSZ` and nothing else; else UntrustedNameError."""
    if not is_backup_id(value):
        raise UntrustedNameError("backup id", value, "is not a UTC time written YYYYMMDDTHHMMSSZ")
    assert isinstance(value, str)
    return value


def path_segment(name: str) -> str:
    """The one file or folder name for `name`: itself when it only holds `[A-Za-z0-9_.-]` and does not start with
    `.`; else percent-encoded UTF-8 (`a/b` -> `a%2Fb`, `..` -> `%2E.`). Longer than MAX_SEGMENT_BYTES once
    encoded: its first bytes, `~` and a hash of the whole name (unique, but no longer reversible)."""
    if not isinstance(name, str) or not name:
        raise UntrustedNameError("name", name, "cannot be a file name (empty)")
    raw = name.encode("utf-8", "surrogatepass")  # lone surrogates are encoded too: any str maps to a segment
    encoded = "".join(chr(b) if b in SAFE_BYTES else f"%{b:02X}" for b in raw)
    if encoded.startswith("."):
        encoded = "%2E" + encoded[1:]
    if len(encoded) <= MAX_SEGMENT_BYTES:
        return encoded
    digest = hashlib.sha256(raw).hexdigest()[:32]
    cut = MAX_SEGMENT_BYTES - len(digest) - 1
    head = encoded[:cut]
    if "%" in head[-2:]:  # do not cut an escape in two
        head = head[: head.rindex("%")]
    return f"{head}{_HASH_MARK}{digest}"


def name_of_segment(segment: str) -> str | None:
    """The name `path_segment` encoded into `segment`; None for a shortened (hashed) segment."""
    if _HASH_MARK in segment:
        return None
    return unquote(segment, errors="surrogatepass")
