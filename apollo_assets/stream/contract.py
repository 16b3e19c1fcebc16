"""A topic's JSON schema as Arrow: the column types, and the schema's rules as vectorized checks over a parsed batch.

Only the subset of JSON Schema the topic schemas use is understood (objects with `properties`, `required` and
`additionalProperties: false`; strings with `enum` or `pattern`; integers with `minimum`/`maximum`; `["<type>",
"null"]`); any other keyword is refused when the schema loads, so a check can never be silently skipped. A field
that is both required and nullable is refused too: a parsed batch cannot tell a missing key from a null, so the
schemas are written so that the two always mean the same. Strings whose pattern is an RFC 3339 date-time become
`timestamp("ms", tz="UTC")` columns, like the snapshot's datetimes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from apollo_assets.errors import KnownError

SCHEMA_KEYWORDS = {"$schema", "$id", "title", "description", "type"}
OBJECT_KEYWORDS = {"properties", "required", "additionalProperties"}
STRING_KEYWORDS = {"enum", "pattern"}
INTEGER_KEYWORDS = {"minimum", "maximum"}
DATE_TIME_MARK = "T[0-9]{2}:[0-9]{2}:[0-9]{2}"  # a pattern containing this describes an RFC 3339 date-time
TIMESTAMP = pa.timestamp("ms", tz="UTC")
# `^[0-9a-f]{24}$` (ObjectIds) and the like: checked on the column's bytes when every value passes, which is the
# common case, instead of running the regular expression value by value.
FIXED_HEX = re.compile(r"\^\[0-9a-f\]\{([0-9]+)\}\$")
_HEX_BYTES = np.zeros(256, dtype=bool)
_HEX_BYTES[np.frombuffer(b"0123456789abcdef", dtype=np.uint8)] = True


class ContractError(KnownError, ValueError):
    """A topic schema that uses JSON Schema beyond the subset the stream can check in bulk."""


@dataclass(frozen=True)
class FieldCheck:
    """The rules of one leaf field, at a dotted path (`properties.count`)."""

    path: str
    required: bool  # a null (or missing) value breaks the schema
    enum: tuple[str, ...] | None = None
    pattern: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    timestamp: bool = False  # parsed as a string, checked by `pattern`, then cast


@dataclass(frozen=True)
class Contract:
    """What a topic's schema means for a parsed batch."""

    name: str
    parse_schema: pa.Schema  # how the JSON text is read (date-times as strings)
    arrow_schema: pa.Schema  # what the lake holds (date-times as timestamps)
    checks: tuple[FieldCheck, ...] = field(default=())

    def failing_rows(self, table: pa.Table) -> pa.Array:
        """A boolean array: True where a row breaks a rule of the schema."""
        bad = pa.repeat(False, table.num_rows)
        for check in self.checks:
            values, parents_present = _leaf(table, check.path)
            broken = _broken(values, check)
            # A field of an absent optional object is not checked (the object's own rule decides).
            bad = pc.or_(bad, pc.and_(parents_present, broken))
        return bad

    def to_lake(self, table: pa.Table) -> pa.Table:
        """Date-time strings (already checked) as UTC timestamps in milliseconds."""
        return pa.Table.from_arrays(
            [_convert(table.column(f.name), f.type) for f in self.arrow_schema], schema=self.arrow_schema
        )


def compile_contract(name: str, schema: dict) -> Contract:
    if schema.get("type") != "object":
        raise ContractError(f"{name}: the top level must be an object")
    checks: list[FieldCheck] = []
    parse_fields, lake_fields = _object_fields(name, schema, "", checks)
    return Contract(name, pa.schema(parse_fields), pa.schema(lake_fields), tuple(checks))


def _object_fields(name: str, schema: dict, prefix: str, checks: list[FieldCheck]) -> tuple[list, list]:
    _refuse_unknown(name, prefix or "<root>", schema, SCHEMA_KEYWORDS | OBJECT_KEYWORDS)
    if schema.get("additionalProperties", True) is not False:
        raise ContractError(f"{name}: {prefix or '<root>'} must set additionalProperties: false")
    required = set(schema.get("required", ()))
    parse_fields, lake_fields = [], []
    for key, spec in schema.get("properties", {}).items():
        path = f"{prefix}.{key}" if prefix else key
        kinds = spec.get("type")
        kinds = [kinds] if isinstance(kinds, str) else list(kinds or [])
        nullable = "null" in kinds
        kinds = [k for k in kinds if k != "null"]
        if nullable and key in required:
            raise ContractError(
                f"{name}: {path} is required and nullable (a missing key and a null must mean one thing)"
            )
        if len(kinds) != 1:
            raise ContractError(f"{name}: {path} must have one type (besides null), not {spec.get('type')!r}")
        kind = kinds[0]
        if kind == "object":
            inner_parse, inner_lake = _object_fields(name, spec, path, checks)
            if key in required:
                checks.append(FieldCheck(path, required=True))
            parse_fields.append(pa.field(key, pa.struct(inner_parse)))
            lake_fields.append(pa.field(key, pa.struct(inner_lake)))
            continue
        if kind == "string":
            _refuse_unknown(name, path, spec, SCHEMA_KEYWORDS | STRING_KEYWORDS)
            pattern = spec.get("pattern")
            timestamp = pattern is not None and DATE_TIME_MARK in pattern
            enum = tuple(spec["enum"]) if "enum" in spec else None
            checks.append(FieldCheck(path, key in required, enum=enum, pattern=pattern, timestamp=timestamp))
            parse_fields.append(pa.field(key, pa.string()))
            lake_fields.append(pa.field(key, TIMESTAMP if timestamp else pa.string()))
        elif kind == "integer":
            _refuse_unknown(name, path, spec, SCHEMA_KEYWORDS | INTEGER_KEYWORDS)
            if "minimum" not in spec or "maximum" not in spec:
                raise ContractError(f"{name}: integer {path} needs minimum and maximum (int64 bounds)")
            checks.append(FieldCheck(path, key in required, minimum=spec["minimum"], maximum=spec["maximum"]))
            parse_fields.append(pa.field(key, pa.int64()))
            lake_fields.append(pa.field(key, pa.int64()))
        else:
            raise ContractError(f"{name}: {path} has type {kind!r}; the stream checks strings, integers and objects")
    return parse_fields, lake_fields


def _refuse_unknown(name: str, path: str, spec: dict, allowed: set[str]) -> None:
    if unknown := sorted(set(spec) - allowed):
        raise ContractError(f"{name}: {path} uses {unknown}, which the stream cannot check in bulk")


def _leaf(table: pa.Table, path: str) -> tuple[pa.ChunkedArray | pa.Array, pa.Array]:
    """The values at `path`, and whether every enclosing object is present."""
    parts = path.split(".")
    values = table.column(parts[0]).combine_chunks()
    present = pa.repeat(True, table.num_rows)
    for part in parts[1:]:
        present = pc.and_(present, values.is_valid())
        values = pc.struct_field(values, part)
    return values, present


def _broken(values: pa.Array, check: FieldCheck) -> pa.Array:
    missing = values.is_null()
    broken = missing if check.required else pa.repeat(False, len(values))
    rules = []
    if check.enum is not None:
        rules.append(pc.invert(pc.is_in(values, value_set=pa.array(check.enum, values.type))))
    if check.pattern is not None and not _all_fixed_hex(values, check.pattern):
        rules.append(pc.invert(pc.match_substring_regex(values, check.pattern)))
    if check.timestamp:  # a pattern-shaped date that is no date (month 13) fails the cast: the slow path decides
        rules.append(pc.is_null(_parse_timestamps(values)))
    if check.minimum is not None:
        rules.append(pc.less(values, check.minimum))
    if check.maximum is not None:
        rules.append(pc.greater(values, check.maximum))
    for rule in rules:
        broken = pc.or_(broken, pc.and_(pc.invert(missing), pc.fill_null(rule, True)))
    return broken


def _all_fixed_hex(values: pa.Array, pattern: str) -> bool:
    """Whether `pattern` is `^[0-9a-f]{N}$` and every value (none null) is N such digits: then no row breaks it.
    False means "not known": the regular expression decides row by row."""
    shape = FIXED_HEX.fullmatch(pattern)
    if shape is None or values.type != pa.string() or values.null_count or len(values) == 0:
        return False
    width = int(shape.group(1))
    bounds = pc.min_max(pc.binary_length(values)).as_py()
    if bounds["min"] != width or bounds["max"] != width:
        return False
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int32)[values.offset : values.offset + len(values) + 1]
    data = np.frombuffer(values.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    return bool(_HEX_BYTES[data].all())


def _parse_timestamps(values: pa.Array) -> pa.Array:
    """RFC 3339 text as UTC milliseconds; null where it does not parse (the row is then rejected)."""
    try:
        return pc.cast(pc.cast(values, pa.timestamp("us", tz="UTC")), TIMESTAMP, safe=False)
    except pa.ArrowInvalid:
        return pa.array([parse_timestamp(v) for v in values.to_pylist()], TIMESTAMP)


def parse_timestamp(text: str | None) -> object:
    if text is None:
        return None
    try:
        return pc.cast(pc.cast(pa.array([text]), pa.timestamp("us", tz="UTC")), TIMESTAMP, safe=False)[0].as_py()
    except pa.ArrowInvalid:
        return None


def _convert(values: pa.ChunkedArray | pa.Array, target: pa.DataType) -> pa.Array:
    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    if values.type == target:
        return values
    if target == TIMESTAMP:
        return _parse_timestamps(values)
    if pa.types.is_struct(target):
        children = [_convert(values.field(f.name), f.type) for f in target]
        mask = pc.invert(values.is_valid()) if values.null_count else None
        return pa.StructArray.from_arrays(children, fields=list(target), mask=mask)
    return values.cast(target)
