"""Deterministic sample backups of the product database, written in real mongodump format.

write_sample_backup(bucket)                 # the next daily backup of `bucket` (generation = backups there)
db = generate_database(seed, generation, Sizes())     # lists of documents
collections = stream_database(seed, generation, Sizes())  # the same, messages and usage events made as read
write_backup(bucket, db, backup_id_for(at))  # <bucket>/<id>/apollo/*.bson + .metadata.json, marker last
write_bson_file(path, iter_people(seed, 1_000_000, orgs))  # streaming, constant memory
"""

from .bson_files import write_bson_file
from .evolution import generate_database, stream_database
from .mongodump import write_backup
from .organizations import make_organization
from .people import iter_people
from .sample import complete_backup_ids, write_sample_backup
from .sizes import Sizes
from .timeutil import backup_id_for

__all__ = [
    "Sizes",
    "backup_id_for",
    "complete_backup_ids",
    "generate_database",
    "iter_people",
    "make_organization",
    "stream_database",
    "write_backup",
    "write_bson_file",
    "write_sample_backup",
]
