"""First pass: which BSON types each field path holds across a whole collection, and what else the rules need.

Values are counted by their decoded Python type (see `codec.TYPE_NAMES`); beyond the counts, a path keeps its
integer range (can the ints be doubles?), whether its decimals fit decimal128(38, 9), its binary subtypes, and
whether its sub-documents are records (a struct per key) or maps (keys that are data: ids, numbers, personal data
such as e-mail addresses or names, many keys; `schema` also makes maps of sub-documents whose keys are unstable).
"""

from __future__ import annotations

import decimal
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from bson.binary import Binary
from bson.code import Code
from bson.decimal128 import Decimal128
from bson.int64 import Int64

from apollo_assets.mongo.codec import TYPE_NAMES
from apollo_assets.personal_data import personal_kind

DYNAMIC_KEY_LIMIT = 50
INTS = frozenset({int, Int64})
NONE = type(None)
_ID_LIKE = re.compile(r"[0-9a-fA-F]{24}|[0-9a-fA-F]{32}|[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}|-?\d+")
_DECIMAL_CONTEXT = decimal.Context(prec=100)
_INSPECTED = frozenset({dict, list, int, Int64, Decimal128, bytes, Binary, Code})


def _value_types(document: dict[str, Any]) -> tuple[type, ...]:
    return tuple(map(type, document.values()))


def looks_like_id(key: str) -> bool:
    return _ID_LIKE.fullmatch(key) is not None


def key_is_data(key: str) -> bool:
    """A key that is a value rather than a field's name (an id, a number, an e-mail address, a person's name...):
    the sub-document holding it is a map, kept whole as Extended JSON, so that the key never becomes a column."""
    return looks_like_id(key) or personal_kind(key) is not None


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
        if present & INTS:
            ints = [v for v in values if type(v) in INTS]
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
                if not self.is_root and (len(children) >= DYNAMIC_KEY_LIMIT or key_is_data(key)):
                    # Keys are data here; the values will be kept whole as Extended JSON.
                    self.dynamic, self.children = True, {}
                    return
                children[key] = FieldStats()
        for key, counts in batch.items():
            child = children[key]
            child.types.update(counts)
            if not _INSPECTED.isdisjoint(counts):
                child._inspect([d[key] for d in documents if key in d], counts.keys())

    def merge(self, other: FieldStats) -> None:
        """Add what `other` saw after what this saw (parts of a collection scanned apart, merged in order).

        The result is what one scan of both in sequence gives: children keep first-seen order, and a
        document becomes dynamic when either side found it so or their keys together pass the limit.
        """
        self.types.update(other.types)
        self.int_min, self.int_max = min(self.int_min, other.int_min), max(self.int_max, other.int_max)
        self.decimal_misfits += other.decimal_misfits
        self.binary_subtypes |= other.binary_subtypes
        self.scoped_code += other.scoped_code
        if other.element is not None:
            self.element = self.element or FieldStats()
            self.element.merge(other.element)
        if self.dynamic:
            return
        new = [key for key in other.children if key not in self.children]
        if other.dynamic or (not self.is_root and len(self.children) + len(new) > DYNAMIC_KEY_LIMIT):
            self.dynamic, self.children = True, {}
            return
        for key, child in other.children.items():
            self.children.setdefault(key, FieldStats()).merge(child)

    def type_counts(self) -> dict[str, int]:
        """Non-null values per BSON type name."""
        out: Counter[str] = Counter()
        for cls, n in self.types.items():
            if cls is not NONE:
                out[TYPE_NAMES[cls]] += n
        if self.scoped_code:
            out["javascript"] -= self.scoped_code
            out["javascriptWithScope"] += self.scoped_code
        return {k: v for k, v in out.items() if v}
