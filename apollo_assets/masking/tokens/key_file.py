"""The local key file: created once, owner-only, atomically, and agreed on by concurrent processes."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)


def read_or_create(path: Path, new_key: Callable[[], str]) -> tuple[str, bool]:
    """(the file's text, whether this call created it). A file others may read is restricted to 0600."""
    created = not path.exists() and _create(path, new_key())
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        log.warning("key file %s was readable by others (mode %o); restricting it to 0600", path, mode)
        path.chmod(0o600)
    return path.read_text(encoding="ascii"), created


def _create(path: Path, text: str) -> bool:
    """Write to a private temp file, then hard-link it into place: atomic, and when another process wins
    the race, its key stays (``link`` fails on an existing name), so every process uses one key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mkstemp makes it 0600
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(text + "\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        except OSError:  # no hard links on this filesystem: an exclusive create is the next best thing
            return _create_exclusive(path, text)
        return True
    finally:
        os.unlink(tmp)


def _create_exclusive(path: Path, text: str) -> bool:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(text + "\n")
    return True
