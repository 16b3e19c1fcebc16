"""The shape of one parsed Extended JSON value: what `keep` may pass as it is, and what must be masked.

Relaxed Extended JSON writes strings, numbers, booleans and null as JSON, and the other BSON scalars as wrapper
documents (`{"$oid": …}`, `{"$date": …}`, `{"$numberDecimal": …}`, `{"$binary": …}`, …). A wrapper counts as a
scalar only when it is well formed: a document `{"$oid": "john@x.com"}` is a document, whose key and value are
masked like any other. Binaries, code, regular expressions, timestamps, DBRefs... are `other`: never kept as they
are (a kept one is hashed, an unlisted one dropped).
"""

from __future__ import annotations

import re
from typing import Any

STRING, SCALAR, OBJECT_ID, NULL = "string", "scalar", "objectId", "null"
DOCUMENT, ARRAY, OTHER = "document", "array", "other"

_OID = re.compile(r"[0-9a-f]{24}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})")
_LONG = re.compile(r"-?\d{1,19}")
_INT = re.compile(r"-?\d{1,10}")
_DECIMAL = re.compile(r"[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|Inf|Infinity|NaN)")
_DOUBLE = re.compile(r"-?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|Infinity)|NaN")
_MAX_SCALAR_TEXT = 64
# Wrappers of the other BSON types, by their keys (their content need not be checked: they are never kept whole).
_OTHER_WRAPPERS = {
    frozenset(keys)
    for keys in (
        {"$binary"},
        {"$uuid"},
        {"$regularExpression"},
        {"$regex", "$options"},
        {"$code"},
        {"$code", "$scope"},
        {"$timestamp"},
        {"$minKey"},
        {"$maxKey"},
        {"$symbol"},
        {"$dbPointer"},
        {"$undefined"},
        {"$ref", "$id"},
        {"$ref", "$id", "$db"},
    )
}


def _text(value: Any, pattern: re.Pattern[str]) -> bool:
    return type(value) is str and len(value) <= _MAX_SCALAR_TEXT and pattern.fullmatch(value) is not None


def _date(value: Any) -> bool:
    if type(value) is dict:
        return len(value) == 1 and _text(value.get("$numberLong"), _LONG)
    return _text(value, _ISO_DATE)


_SCALAR_WRAPPERS = {
    "$oid": lambda v: _text(v, _OID),
    "$date": _date,
    "$numberDecimal": lambda v: _text(v, _DECIMAL),
    "$numberLong": lambda v: _text(v, _LONG),
    "$numberInt": lambda v: _text(v, _INT),
    "$numberDouble": lambda v: _text(v, _DOUBLE),
}


def shape(value: Any, *, wrappers: bool = True) -> str:
    """One of STRING, SCALAR (number, bool, date, decimal), OBJECT_ID, NULL, DOCUMENT, ARRAY, OTHER.

    ``wrappers=False``: a document is a DOCUMENT whatever its keys (the snapshot's type column said `object`).
    """
    t = type(value)
    if t is str:
        return STRING
    if t is dict:
        return _document_shape(value, wrappers)
    if value is None:
        return NULL
    if t is bool or t is int or t is float:
        return SCALAR
    return ARRAY if t is list else OTHER


def _document_shape(value: dict[str, Any], wrappers: bool) -> str:
    if not wrappers or not next(iter(value), "").startswith("$"):  # every wrapper's keys are `$` keys
        return DOCUMENT
    if len(value) == 1:
        ((key, inner),) = value.items()
        check = _SCALAR_WRAPPERS.get(key)
        if check is not None and check(inner):
            return OBJECT_ID if key == "$oid" else SCALAR
    if frozenset(value) in _OTHER_WRAPPERS:
        return OTHER
    return DOCUMENT
