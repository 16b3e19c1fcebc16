"""Errors raised while reading backups: each names what was wrong and where."""

from __future__ import annotations

from apollo_assets.errors import KnownError
from apollo_assets.names import shown


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
    """Too large a share of a collection's documents could not be converted (`report.check_quarantine_share`)."""

    def __init__(
        self, collection: str, backup_id: str, quarantined: int, documents: int, threshold: float, first: str = ""
    ) -> None:
        self.collection, self.backup_id = collection, backup_id
        self.quarantined, self.documents, self.threshold = quarantined, documents, threshold
        share = quarantined / max(documents, 1)
        super().__init__(
            f"{shown(collection)} in backup {backup_id}: {quarantined} of {documents} documents could not be "
            f"converted ({share:.2%} > {threshold:.2%})" + (f"; first: {first}" if first else "")
        )
