"""MongoDB backups -> Arrow: readers for mongodump directories and archives, and a faithful BSON conversion.

backup = open_backup(path)                         # directory dump or archive, detected
dump = open_dump(path)                             # every database; time-series unpacked, the oplog replayed
snapshot = read_snapshot(backup.collections["people"], backup_id)
snapshot.schema; snapshot.batches(); snapshot.report
"""

from apollo_assets.mongo.backup import Backup, Dump, backup_databases, open_backup, open_dump
from apollo_assets.mongo.errors import (
    ArchiveChecksumError,
    BackupFormatError,
    MetadataError,
    QuarantineThresholdExceeded,
    SchemaError,
)
from apollo_assets.mongo.report import QuarantinedDocument, SnapshotReport, check_quarantine_share
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
    "Dump",
    "MetadataError",
    "QuarantineThresholdExceeded",
    "QuarantinedDocument",
    "RawDocument",
    "SchemaError",
    "Snapshot",
    "SnapshotReport",
    "backup_databases",
    "canonical",
    "check_quarantine_share",
    "open_backup",
    "open_dump",
    "read_snapshot",
    "to_document",
]
