"""Errors raised while reading backups: each names what was wrong and where."""

from __future__ import annotations

from apollo_assets.errors import KnownError


class BackupFormatError(KnownError):
    """A backup file is structurally broken: the rest of it cannot be read safely.

    `path` is the file, `offset` the byte offset in its (decompressed) stream, when known. `retryable`: whether
    reading again may succeed (a network or server failure), as opposed to bad bytes, which stay bad.
    """

    retryable = False

    def __init__(self, message: str, path: str | None = None, offset: int | None = None) -> None:
        self.message = message
        self.path = path
        self.offset = offset
        where = ""
        if path is not None:
            where = f"{path}"
            if offset is not None:
                where += f" at byte offset {offset}"
            where += ": "
        super().__init__(f"{where}{message}")


class ArchiveChecksumError(BackupFormatError):
    """The CRC-64 recorded in a mongodump archive does not match the collection's bytes."""


class MetadataError(BackupFormatError):
    """A collection's metadata (`<collection>.metadata.json` or archive prelude entry) is missing or bad."""


class SchemaError(KnownError):
    """The documents cannot be given an Arrow schema (e.g. a field name collides with a generated column)."""


class QuarantineThresholdExceeded(KnownError):
    """Too large a share of a collection's documents could not be converted."""

    def __init__(self, collection: str, quarantined: int, documents: int, threshold: float) -> None:
        self.collection = collection
        self.quarantined = quarantined
        self.documents = documents
        self.threshold = threshold
        share = quarantined / documents if documents else 1.0
        super().__init__(
            f"collection {collection!r}: {quarantined} of {documents} documents quarantined "
            f"({share:.2%}), above the threshold of {threshold:.2%}"
        )
