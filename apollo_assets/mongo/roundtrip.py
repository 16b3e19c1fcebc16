"""The inverse of the snapshot mapping, and the canonical form in which a round trip is compared.

`to_document(row, schema)` turns an Arrow row (as from `RecordBatch.to_pylist()`) back into a BSON-ready
document, using the encoding that the snapshot recorded in each field's metadata. `canonical(value)` puts a
document in the form in which the mapping is faithful; it normalises exactly what the contract allows:

- null and missing are the same: keys whose value is None are dropped (None elements of arrays stay);
- numbers compare by value: int32 and int64 are both int64, and a field mixing ints and doubles is float64;
- key order is not compared (columns follow first-seen order, not each document's own order);
- Decimal128 compares by value (decimal128(38, 9) stores 1.5 and 1.50 alike);
- datetimes compare as UTC milliseconds (BSON's own precision), naive ones being UTC;
- ObjectIds compare as their 24-hex text, DBRefs as the documents they are.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from typing import Any

import pyarrow as pa
from bson.binary import Binary
from bson.code import Code
from bson.datetime_ms import DatetimeMS
from bson.dbref import DBRef
from bson.decimal128 import Decimal128
from bson.int64 import Int64
from bson.max_key import MaxKey
from bson.min_key import MinKey
from bson.objectid import ObjectId
from bson.regex import Regex
from bson.timestamp import Timestamp

from apollo_assets.mongo.codec import from_ejson
from apollo_assets.mongo.schema import BACKUP_ID, METADATA_KEY, TYPE_SUFFIX

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def encoding(f: pa.Field) -> str:
    return (f.metadata or {}).get(METADATA_KEY, b"").decode()


def _from_drift(text: str | None, bson_type: str | None) -> Any:
    if text is None:
        return None
    value = from_ejson(text)
    if bson_type == "long":
        return Int64(value)
    if bson_type == "double":
        return float(value)
    return value


def _decode(value: Any, f: pa.Field, types: Any = None) -> Any:
    if value is None:
        return None
    kind = encoding(f)
    if kind in ("string", "int64", "double", "bool", "date", "null"):
        return value
    if kind == "objectId":
        return ObjectId(value)
    if kind == "uuid":
        return uuid.UUID(value)
    if kind in ("decimal", "decimal:text"):
        return Decimal128(value)
    if kind.startswith("binData:"):
        subtype = int(kind.split(":")[1])
        return bytes(value) if subtype == 0 else Binary(value, subtype)
    if kind == "ejson":
        return from_ejson(value)
    if kind == "drift":
        return _from_drift(value, types)
    if kind == "object":
        return _decode_struct(value, list(f.type))
    if kind == "array":
        item = f.type.value_field
        return [_decode(e, item, None if types is None else types[i]) for i, e in enumerate(value)]
    raise ValueError(f"field {f.name!r} has no known encoding ({kind!r})")


def _decode_struct(row: dict[str, Any], fields: list[pa.Field]) -> dict[str, Any]:
    out = {}
    for f in fields:
        if encoding(f) == "bson_type" or f.name == BACKUP_ID:
            continue
        value = _decode(row.get(f.name), f, row.get(f.name + TYPE_SUFFIX))
        if value is not None:
            out[f.name] = value
    return out


def to_document(row: dict[str, Any], schema: pa.Schema) -> dict[str, Any]:
    """Rebuild the document of one snapshot row (null fields are left out: null and missing are one)."""
    return _decode_struct(row, list(schema))


def _millis(value: dt.datetime) -> int:
    delta = (value if value.tzinfo else value.replace(tzinfo=dt.UTC)) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def canonical(value: Any) -> Any:
    """A comparable form of a decoded document or value (see the module docstring for what it normalises)."""
    t = type(value)
    if t is dict or t is DBRef:
        items = value.as_doc().items() if t is DBRef else value.items()
        return {k: canonical(v) for k, v in items if v is not None}
    if t is list:
        return [canonical(v) for v in value]
    if t is bool:
        return ("bool", value)
    if t is int or t is Int64:
        return ("number", int(value))
    if t is float:
        return ("number", "NaN") if math.isnan(value) else ("number", value)
    if t is dt.datetime:
        return ("date", _millis(value))
    if t is DatetimeMS:
        return ("date", int(value))
    if t is Decimal128:
        d = value.to_decimal()
        return ("decimal", d if d.is_finite() else str(d))
    if t is Binary:
        return ("binData", value.subtype, bytes(value))
    if t is bytes:
        return ("binData", 0, value)
    if t is Code:
        return ("javascript", str(value), None if value.scope is None else canonical(value.scope))
    if t is Regex:
        return ("regex", value.pattern, value.flags)
    if t is Timestamp:
        return ("timestamp", value.time, value.inc)
    if t in (ObjectId, uuid.UUID, str):
        return (t.__name__, str(value))
    if t in (MinKey, MaxKey) or value is None:
        return (t.__name__,)
    raise TypeError(f"no canonical form for {t.__name__}")
