"""First pass: what BSON types each field holds across the whole collection, and the Arrow schema that follows.

The rules (docs/contracts.md section 3): int32/int64 -> int64; ints with doubles -> float64 (when every int is
exactly a double); any other mix of types is *drift*: an Extended JSON string column plus `<field>__bson_type`.
Sub-documents whose keys are data (ids, numbers, or very many distinct keys) are maps, kept as Extended JSON.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
from bson.binary import Binary
from bson.code import Code
from bson.datetime_ms import DatetimeMS
from bson.dbref import DBRef
from bson.decimal128 import Decimal128
from bson.int64 import Int64
from bson.objectid import ObjectId

from apollo_assets.mongo.codec import TYPE_NAMES
from apollo_assets.mongo.errors import SchemaError

DYNAMIC_KEY_LIMIT = 50
TYPE_SUFFIX = "__bson_type"
BACKUP_ID = "_backup_id"
METADATA_KEY = b"bson"
MAX_EXACT_INT = 2**53  # every integer up to this magnitude is exactly a double
DECIMAL_TYPE = pa.decimal128(38, 9)
TIMESTAMP_TYPE = pa.timestamp("ms", tz="UTC")
_ID_LIKE = re.compile(r"[0-9a-fA-F]{24}|[0-9a-fA-F]{32}|[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}|-?\d+")
_DECIMAL_CONTEXT = decimal.Context(prec=100)
_NONE = type(None)
_INTS = {int, Int64}
_INSPECTED = frozenset({dict, list, int, Int64, Decimal128, bytes, Binary, Code})
# Types that share one Arrow representation: a field holding both is not drifting.
_CATEGORY: dict[type, str] = {bytes: "binary", Binary: "binary", dt.datetime: "date", DatetimeMS: "date"}


def _value_types(document: dict[str, Any]) -> tuple[type, ...]:
    return tuple(map(type, document.values()))


def looks_like_id(key: str) -> bool:
    return _ID_LIKE.fullmatch(key) is not None


def decimal_fits(value: Decimal128) -> bool:
    """True when decimal128(38, 9) holds exactly this value (negative zero and NaN/Infinity do not fit)."""
    d = value.to_decimal()
    if not d.is_finite() or (d.is_zero() and d.is_signed()):
        return False
    scaled = d.scaleb(9, _DECIMAL_CONTEXT)
    return scaled == scaled.to_integral_value(context=_DECIMAL_CONTEXT) and abs(scaled) < 10**38


class FieldStats:
    """Type counts of one field path, with what the type rules need to know beyond the counts."""

    __slots__ = (
        "binary_subtypes",
        "children",
        "decimal_misfits",
        "dynamic",
        "element",
        "int_max",
        "int_min",
        "is_root",
        "scoped_code",
        "types",
    )

    def __init__(self, is_root: bool = False) -> None:
        self.is_root = is_root
        self.types: Counter[type] = Counter()
        self.children: dict[str, FieldStats] = {}
        self.element: FieldStats | None = None
        self.dynamic = False
        self.int_min = self.int_max = 0
        self.decimal_misfits = 0
        self.binary_subtypes: set[int] = set()
        self.scoped_code = 0

    def observe(self, values: list[Any]) -> None:
        """Count a column of values (None for an explicit null; absent values are not passed)."""
        counts = Counter(map(type, values))
        self.types.update(counts)
        self._inspect(values, counts.keys())

    def _inspect(self, values: list[Any], present: Iterable[type]) -> None:
        """What the counts do not say: nested fields, integer range, decimal fit, binary subtypes."""
        present = set(present)
        if dict in present:
            self.observe_documents([v for v in values if type(v) is dict])
        if list in present:
            self.element = self.element or FieldStats()
            self.element.observe([e for v in values if type(v) is list for e in v])
        if present & _INTS:
            ints = [v for v in values if type(v) in _INTS]
            self.int_min, self.int_max = min(self.int_min, min(ints)), max(self.int_max, max(ints))
        if Decimal128 in present:
            self.decimal_misfits += sum(not decimal_fits(v) for v in values if type(v) is Decimal128)
        if bytes in present:
            self.binary_subtypes.add(0)
        if Binary in present:
            self.binary_subtypes.update(v.subtype for v in values if type(v) is Binary)
        if Code in present:
            self.scoped_code += sum(v.scope is not None for v in values if type(v) is Code)

    def observe_documents(self, documents: list[dict[str, Any]]) -> None:
        """Count the fields of sub-documents (or of whole documents, at the root)."""
        if self.dynamic:
            return
        # Documents of a collection mostly share their keys and types: count each distinct
        # (keys, types) shape once instead of every value, and look at values only where needed.
        shapes = Counter(zip(map(tuple, documents), map(_value_types, documents), strict=True))
        batch: dict[str, Counter[type]] = {}
        for (keys, types), n in shapes.items():
            for key, cls in zip(keys, types, strict=True):
                batch.setdefault(key, Counter())[cls] += n
        children = self.children
        for key in batch:
            if key not in children:
                if not self.is_root and (len(children) >= DYNAMIC_KEY_LIMIT or looks_like_id(key)):
                    # Keys are data here; the values will be kept whole as Extended JSON.
                    self.dynamic, self.children = True, {}
                    return
                children[key] = FieldStats()
        for key, counts in batch.items():
            child = children[key]
            child.types.update(counts)
            if not _INSPECTED.isdisjoint(counts):
                child._inspect([d[key] for d in documents if key in d], counts.keys())

    def type_counts(self) -> dict[str, int]:
        """Non-null values per BSON type name."""
        out: Counter[str] = Counter()
        for cls, n in self.types.items():
            if cls is not _NONE:
                out[TYPE_NAMES[cls]] += n
        if self.scoped_code:
            out["javascript"] -= self.scoped_code
            out["javascriptWithScope"] += self.scoped_code
        return {k: v for k, v in out.items() if v}


@dataclass
class Plan:
    """How one field path becomes Arrow: `kind` picks the converter, `encoding` is recorded in the schema."""

    kind: str
    arrow_type: pa.DataType
    encoding: str
    children: dict[str, Plan] = field(default_factory=dict)
    element: Plan | None = None
    subtype: int = 0

    @property
    def has_sibling(self) -> bool:
        """Drift (directly, or in the elements of a list) adds a `__bson_type` column next to the field."""
        return self.kind == "drift" or (self.kind == "list" and self.element is not None and self.element.has_sibling)

    @property
    def sibling_type(self) -> pa.DataType:
        if self.kind == "list":
            assert self.element is not None
            return pa.list_(pa.field("item", self.element.sibling_type, metadata={METADATA_KEY: b"bson_type"}))
        return pa.string()

    @property
    def native(self) -> bool:
        """pyarrow can build this straight from the decoded Python values."""
        if self.kind in ("string", "int64", "float64", "bool", "timestamp", "null"):
            return True
        if self.kind == "binary":
            return True
        if self.kind == "struct":
            return all(c.native and not c.has_sibling for c in self.children.values())
        if self.kind == "list":
            return self.element is not None and self.element.native
        return False

    def fields(self, name: str) -> list[pa.Field]:
        out = [pa.field(name, self.arrow_type, metadata={METADATA_KEY: self.encoding.encode()})]
        if self.has_sibling:
            out.append(pa.field(name + TYPE_SUFFIX, self.sibling_type, metadata={METADATA_KEY: b"bson_type"}))
        return out


@dataclass
class SchemaNotes:
    """What the report says about the schema: drift per field, and fields kept as Extended JSON or text."""

    drift: dict[str, dict[str, int]] = field(default_factory=dict)
    as_text: dict[str, str] = field(default_factory=dict)


def _text(path: str, reason: str, notes: SchemaNotes, kind: str = "ejson") -> Plan:
    notes.as_text[path] = reason
    return Plan(kind, pa.string(), "decimal:text" if kind == "decimal_text" else "ejson")


def plan_field(stats: FieldStats, path: str, notes: SchemaNotes) -> Plan:
    types = {cls for cls, n in stats.types.items() if n and cls is not _NONE}
    if not types:
        return Plan("null", pa.string(), "null")
    if types <= _INTS:
        return Plan("int64", pa.int64(), "int64")
    if types <= _INTS | {float}:
        if types == {float} or max(-stats.int_min, stats.int_max) <= MAX_EXACT_INT:
            return Plan("float64", pa.float64(), "double")
        return _drift(stats, path, notes)
    categories = {_CATEGORY.get(cls, cls) for cls in types}
    if len(categories) > 1:
        return _drift(stats, path, notes)
    return _single_category(categories.pop(), types, stats, path, notes)


def _single_category(category: object, types: set[type], stats: FieldStats, path: str, notes: SchemaNotes) -> Plan:
    if category is str:
        return Plan("string", pa.string(), "string")
    if category is ObjectId:
        return Plan("objectid", pa.string(), "objectId")
    if category is bool:
        return Plan("bool", pa.bool_(), "bool")
    if category == "date":
        if DatetimeMS in types:
            return _text(path, "datetime outside years 1-9999", notes)
        return Plan("timestamp", TIMESTAMP_TYPE, "date")
    if category is Decimal128:
        if stats.decimal_misfits:
            return _text(path, "decimal does not fit decimal128(38, 9)", notes, "decimal_text")
        return Plan("decimal", DECIMAL_TYPE, "decimal")
    if category == "binary":
        if len(stats.binary_subtypes) == 1 and 2 not in stats.binary_subtypes:
            (subtype,) = stats.binary_subtypes
            return Plan("binary", pa.binary(), f"binData:{subtype}", subtype=subtype)
        return _text(path, f"binary subtypes {sorted(stats.binary_subtypes)}", notes)
    if category is uuid.UUID:
        return Plan("uuid", pa.string(), "uuid")
    if category is dict:
        if stats.dynamic or not stats.children:
            return _text(path, "dynamic keys" if stats.dynamic else "empty document", notes)
        return _struct(stats, path, notes)
    if category is list:
        assert stats.element is not None
        element = plan_field(stats.element, f"{path}[]", notes)
        item = pa.field("item", element.arrow_type, metadata={METADATA_KEY: element.encoding.encode()})
        return Plan("list", pa.list_(item), "array", element=element)
    names = stats.type_counts()
    return _text(path, "dbref" if category is DBRef else "/".join(sorted(names)), notes)


def _drift(stats: FieldStats, path: str, notes: SchemaNotes) -> Plan:
    notes.drift[path] = stats.type_counts()
    return Plan("drift", pa.string(), "drift")


def _struct(stats: FieldStats, path: str, notes: SchemaNotes) -> Plan:
    children = {
        key: plan_field(child, f"{path}.{key}" if path else key, notes) for key, child in stats.children.items()
    }
    plan = Plan("struct", pa.struct([]), "object", children=children)
    fields = [f for key, child in children.items() for f in child.fields(key)]
    names = [f.name for f in fields]
    if len(set(names)) != len(names):
        clash = sorted({n for n in names if names.count(n) > 1})
        raise SchemaError(f"field {path or '<top level>'}: generated column names clash with fields {clash}")
    plan.arrow_type = pa.struct(fields)
    return plan


def infer_plan(stats: FieldStats) -> tuple[Plan, SchemaNotes]:
    """The plan of the top-level document (a struct whose fields are the columns)."""
    notes = SchemaNotes()
    if not stats.children:
        return Plan("struct", pa.struct([]), "object"), notes
    root = _struct(stats, "", notes)
    if BACKUP_ID in root.children:
        raise SchemaError(f"documents have a field named {BACKUP_ID!r}, the column added for the backup id")
    return root, notes


def arrow_schema(root: Plan) -> pa.Schema:
    fields = [*root.arrow_type, pa.field(BACKUP_ID, pa.string(), nullable=False)]
    return pa.schema(fields)
