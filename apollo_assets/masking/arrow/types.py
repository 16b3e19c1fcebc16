"""How masking sees Arrow types: which leaves are text, which are containers to descend into."""

from __future__ import annotations

import pyarrow as pa

STRING_KINDS = ("string", "null")  # what fail-closed hashes; every other kind of unlisted leaf is dropped


def leaf_kind(type_: pa.DataType) -> str:
    """One of string, binary, temporal, scalar (numbers, bools, decimals), null, other (maps, unions…)."""
    if pa.types.is_dictionary(type_):
        return leaf_kind(type_.value_type)
    if pa.types.is_null(type_):
        return "null"
    if pa.types.is_string(type_) or pa.types.is_large_string(type_) or pa.types.is_string_view(type_):
        return "string"
    if pa.types.is_binary(type_) or pa.types.is_large_binary(type_) or pa.types.is_binary_view(type_):
        return "binary"
    if pa.types.is_timestamp(type_) or pa.types.is_date(type_):
        return "temporal"
    if (
        pa.types.is_integer(type_)
        or pa.types.is_floating(type_)
        or pa.types.is_boolean(type_)
        or pa.types.is_decimal(type_)
        or pa.types.is_time(type_)
        or pa.types.is_duration(type_)
    ):
        return "scalar"
    return "other"


def is_list_like(type_: pa.DataType) -> bool:
    """Arrays whose values can be masked and put back under the same offsets."""
    return pa.types.is_list(type_) or pa.types.is_large_list(type_)


def list_of(like: pa.DataType, value_field: pa.Field) -> pa.DataType:
    return pa.large_list(value_field) if pa.types.is_large_list(like) else pa.list_(value_field)
