"""How documents are decoded, how BSON types are named, and their canonical relaxed Extended JSON."""

from __future__ import annotations

import datetime as dt
import json
import math
import uuid
from typing import Any

from bson import json_util
from bson.binary import Binary, UuidRepresentation
from bson.code import Code
from bson.codec_options import CodecOptions, DatetimeConversion
from bson.datetime_ms import DatetimeMS
from bson.dbref import DBRef
from bson.decimal128 import Decimal128
from bson.int64 import Int64
from bson.max_key import MaxKey
from bson.min_key import MinKey
from bson.objectid import ObjectId
from bson.regex import Regex
from bson.timestamp import Timestamp

# Naive datetimes decode about twice as fast as aware ones; BSON datetimes are UTC, and Arrow and
# json_util both read naive datetimes as UTC. Out-of-range datetimes come back as DatetimeMS.
DECODE_OPTIONS: CodecOptions = CodecOptions(
    document_class=dict,
    tz_aware=False,
    uuid_representation=UuidRepresentation.STANDARD,
    datetime_conversion=DatetimeConversion.DATETIME_AUTO,
)

# RELAXED_JSON_OPTIONS, except that UUIDs (binary subtype 4) can be written and read back.
JSON_OPTIONS = json_util.JSONOptions(
    json_mode=json_util.JSONMode.RELAXED,
    uuid_representation=UuidRepresentation.STANDARD,
    tz_aware=True,
    tzinfo=dt.UTC,
    datetime_conversion=DatetimeConversion.DATETIME_AUTO,
)

# MongoDB's `$type` alias of each Python type that decoding produces.
TYPE_NAMES: dict[type, str] = {
    float: "double",
    str: "string",
    dict: "object",
    list: "array",
    bytes: "binData",
    Binary: "binData",
    uuid.UUID: "binData",
    ObjectId: "objectId",
    bool: "bool",
    dt.datetime: "date",
    DatetimeMS: "date",
    type(None): "null",
    Regex: "regex",
    DBRef: "object",
    Code: "javascript",
    int: "int",
    Timestamp: "timestamp",
    Int64: "long",
    Decimal128: "decimal",
    MinKey: "minKey",
    MaxKey: "maxKey",
}


def type_name(value: Any) -> str:
    if type(value) is Code and value.scope is not None:
        return "javascriptWithScope"
    return TYPE_NAMES[type(value)]


def _dumps_float(value: float) -> str:
    if math.isfinite(value):
        return float.__repr__(value)  # what json.dumps writes for a float
    return json_util.dumps(value, json_options=JSON_OPTIONS)


# Exactly what json_util.dumps(value, json_options=JSON_OPTIONS) returns for these types, but cheaper
# (tested against json_util in tests/mongo/test_codec.py).
_FAST_DUMPS = {
    str: json.dumps,
    int: int.__repr__,
    Int64: int.__repr__,
    float: _dumps_float,
    bool: lambda v: "true" if v else "false",
    type(None): lambda v: "null",
}


def to_ejson(value: Any) -> str:
    """Canonical relaxed Extended JSON of one value."""
    fast = _FAST_DUMPS.get(type(value))
    if fast is not None:
        return fast(value)
    return json_util.dumps(value, json_options=JSON_OPTIONS)


# Reading keeps every binary a Binary (json_util would turn subtype 3 into a UUID, which bson.decode does not);
# `_standard_uuids` then makes subtype 4 a UUID, as decoding with DECODE_OPTIONS does.
_LOAD_OPTIONS = json_util.JSONOptions(
    json_mode=json_util.JSONMode.RELAXED,
    uuid_representation=UuidRepresentation.UNSPECIFIED,
    tz_aware=True,
    tzinfo=dt.UTC,
    datetime_conversion=DatetimeConversion.DATETIME_AUTO,
)


def _standard_uuids(value: Any) -> Any:
    t = type(value)
    if t is dict:
        return {k: _standard_uuids(v) for k, v in value.items()}
    if t is list:
        return [_standard_uuids(v) for v in value]
    if t is Binary and value.subtype == 4 and len(value) == 16:
        return value.as_uuid()
    return value


def from_ejson(text: str) -> Any:
    """The value of canonical relaxed Extended JSON, typed as `bson.decode(..., DECODE_OPTIONS)` types it."""
    return _standard_uuids(json_util.loads(text, json_options=_LOAD_OPTIONS))
