"""Reading what the generator wrote, the way a restore tool would."""

import gzip
import json
from datetime import datetime
from pathlib import Path

import bson
from bson import Decimal128, Int64, ObjectId
from bson.codec_options import CodecOptions

DECODE = CodecOptions(tz_aware=True)  # int32 decodes to int, int64 to Int64: the BSON type stays visible


def read_bson(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        return list(bson.decode_file_iter(f, DECODE))


def read_json(path: Path) -> dict:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return json.loads(data)


def marker(backup: Path) -> dict:
    return json.loads((backup / "BACKUP_COMPLETE.json").read_text())


def read_backup(backup: Path) -> dict[str, list[dict]]:
    return {name: read_bson(backup / entry["file"]) for name, entry in marker(backup)["collections"].items()}


def bson_type(value: object) -> str:
    """The BSON type name of a decoded value (as `$type` spells it)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, Int64):
        return "long"
    for kind, name in (
        (int, "int"),
        (float, "double"),
        (str, "string"),
        (ObjectId, "objectId"),
        (Decimal128, "decimal"),
        (datetime, "date"),
        (dict, "object"),
        (list, "array"),
    ):
        if isinstance(value, kind):
            return name
    raise TypeError(type(value))
