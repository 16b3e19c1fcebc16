"""From what the first pass saw to the Arrow schema: one conversion plan per field path.

The rules (docs/contracts.md section 3): int32/int64 -> int64; ints with doubles -> float64 (when every int is
exactly a double); any other mix of types is *drift*: an Extended JSON string column plus `<field>__bson_type`.
Sub-documents whose keys are data (ids, numbers, personal data, very many distinct keys, or keys that most of the
sub-documents lack: `keys_unstable`) are maps, kept as Extended JSON.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

import pyarrow as pa
from bson.binary import Binary
from bson.datetime_ms import DatetimeMS
from bson.dbref import DBRef
from bson.decimal128 import Decimal128
from bson.objectid import ObjectId

from apollo_assets.field_paths import child_path
from apollo_assets.mongo.errors import SchemaError
from apollo_assets.mongo.field_stats import INTS, NONE, FieldStats

TYPE_SUFFIX = "__bson_type"
BACKUP_ID = "_backup_id"
METADATA_KEY = b"bson"
UNSTABLE_MIN_DOCUMENTS = 4
RARE_KEY_SHARE = 0.05
MAX_EXACT_INT = 2**53  # every integer up to this magnitude is exactly a double
DECIMAL_TYPE = pa.decimal128(38, 9)
TIMESTAMP_TYPE = pa.timestamp("ms", tz="UTC")
# Types that share one Arrow representation: a field holding both is not drifting.
_CATEGORY: dict[type, str] = {bytes: "binary", Binary: "binary", dt.datetime: "date", DatetimeMS: "date"}


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
    types = {cls for cls, n in stats.types.items() if n and cls is not NONE}
    if not types:
        return Plan("null", pa.string(), "null")
    if types <= INTS:
        return Plan("int64", pa.int64(), "int64")
    if types <= INTS | {float}:
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
        if keys_unstable(stats):
            return _text(path, "unstable keys", notes)
        return _struct(stats, path, notes)
    if category is list:
        assert stats.element is not None
        element = plan_field(stats.element, f"{path}[]", notes)
        item = pa.field("item", element.arrow_type, metadata={METADATA_KEY: element.encoding.encode()})
        return Plan("list", pa.list_(item), "array", element=element)
    names = stats.type_counts()
    return _text(path, "dbref" if category is DBRef else "/".join(sorted(names)), notes)


def keys_unstable(stats: FieldStats) -> bool:
    """Whether the sub-documents at this path look like maps rather than records: most of their keys are rare.

    A record's fields are in most of its documents (an optional one in a good share of them); a map's keys (people,
    e-mail addresses, ids) are each in a few documents only. A key is rare when at most one in
    `1 / RARE_KEY_SHARE` sub-documents holds it (or only one does); more than half the keys being rare leaves a
    record room for a few rare optional fields. Fewer than `UNSTABLE_MIN_DOCUMENTS` sub-documents are no evidence
    either way (every key of a lone document would be rare), and beyond `DYNAMIC_KEY_LIMIT` keys the document is
    a map anyway.
    """
    documents = stats.types[dict]
    if documents < UNSTABLE_MIN_DOCUMENTS:
        return False
    limit = max(1.0, documents * RARE_KEY_SHARE)
    rare = sum(sum(child.types.values()) <= limit for child in stats.children.values())
    return 2 * rare > len(stats.children)


def _drift(stats: FieldStats, path: str, notes: SchemaNotes) -> Plan:
    notes.drift[path] = stats.type_counts()
    return Plan("drift", pa.string(), "drift")


def _struct(stats: FieldStats, path: str, notes: SchemaNotes) -> Plan:
    children = {key: plan_field(child, child_path(path, key), notes) for key, child in stats.children.items()}
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
