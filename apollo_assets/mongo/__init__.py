"""MongoDB backups -> Arrow: readers for mongodump directories and archives, and a faithful BSON conversion.

backup = open_backup(path)                         # directory dump or archive, detected
snapshot = read_snapshot(backup.collections["people"], backup_id)
snapshot.schema; snapshot.batches(); snapshot.report
"""

from apollo_assets.mongo.backup import Backup, backup_databases, open_backup
from apollo_assets.mongo.errors import (
    ArchiveChecksumError,
    BackupFormatError,
    MetadataError,
    QuarantineThresholdExceeded,
    SchemaError,
)
from apollo_assets.mongo.report import QuarantinedDocument, SnapshotReport, check_quarantine_threshold
from apollo_assets.mongo.roundtrip import canonical, to_document
from apollo_assets.mongo.snapshot import Snapshot, read_snapshot
from apollo_assets.mongo.source import CollectionSource, DocumentBlock, DocumentLocation, RawDocument

__all__ = [
    "ArchiveChecksumError",
    "Backup",
    "BackupFormatError",
    "CollectionSource",
    "DocumentBlock",
    "DocumentLocation",
    "MetadataError",
    "QuarantineThresholdExceeded",
    "QuarantinedDocument",
    "RawDocument",
    "SchemaError",
    "Snapshot",
    "SnapshotReport",
    "backup_databases",
    "canonical",
    "check_quarantine_threshold",
    "open_backup",
    "read_snapshot",
    "to_document",
]
