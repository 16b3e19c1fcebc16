"""The actions, vectorized over flat Arrow arrays (one leaf of a column; `masker` walks structs and lists).

Each takes (values, secret, parameter) and returns an array of `output_type(action, values.type)`.
Text actions run once per distinct value (`per_distinct`), and a dictionary-encoded column is masked
through its dictionary only. Nulls stay null: a missing value reveals nothing about a person.
"""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

from apollo_assets.masking.arrow.types import leaf_kind
from apollo_assets.masking.contact import country_codes, email_tokens
from apollo_assets.masking.tokens.distinct import per_distinct
from apollo_assets.masking.tokens.pseudonym import hash_array

REDACTED = "[REDACTED]"
Action = Callable[[pa.Array, bytes, str | None], pa.Array]


def output_type(action: str, type_: pa.DataType) -> pa.DataType:
    """Types are preserved, except `hash` of numbers, bools and dates, which become text tokens."""
    if action == "hash" and leaf_kind(type_) in ("scalar", "temporal"):
        return pa.string()
    return type_


def keep(values: pa.Array, secret: bytes, param: str | None = None) -> pa.Array:
    return values


def hash_values(values: pa.Array, secret: bytes, param: str | None = None) -> pa.Array:
    kind = leaf_kind(values.type)
    if kind == "null":
        return values
    if kind in ("scalar", "temporal"):
        return hash_array(values.cast(pa.string()), secret)
    return _on_text(values, lambda v: hash_array(v, secret, normalize=kind == "string"))


def mask_emails(values: pa.Array, secret: bytes, param: str | None = None) -> pa.Array:
    """`<token>@domain`, the token being the hash of the whole normalised address (equal to what `hash`
    gives the same address, so the two actions join); a value that is not an email is hashed whole."""
    return _on_text(values, lambda v: per_distinct(v, lambda d: email_tokens(d, secret)))


def mask_phones(values: pa.Array, secret: bytes, param: str | None = None) -> pa.Array:
    """Only the country code: `+1` from `+1 415 555 0134`; `+?` when it cannot be parsed."""
    return _on_text(values, lambda v: per_distinct(v, country_codes))


def generalize(values: pa.Array, secret: bytes, param: str | None = "month") -> pa.Array:
    """Dates and timestamps truncated to the first instant of their month or year (type kept)."""
    return pc.floor_temporal(values, unit=param or "month")


def redact(values: pa.Array, secret: bytes, param: str | None = None) -> pa.Array:
    """Text becomes `[REDACTED]` (type kept); anything else becomes null."""
    if leaf_kind(values.type) not in ("string", "binary"):
        return pa.nulls(len(values), values.type)
    return _on_text(values, lambda v: pc.if_else(v.is_valid(), REDACTED, pa.scalar(None, pa.string())))


def _on_text(values: pa.Array, transform: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """Apply a text transform, giving the result the input's type (dictionaries: only the dictionary)."""
    if pa.types.is_dictionary(values.type):
        return pa.DictionaryArray.from_arrays(values.indices, _on_text(values.dictionary, transform))
    # Text functions get plain `string` (views and large strings are cast; a batch is far below 2 GiB);
    # binary stays binary, as it is hashed as bytes.
    textual = leaf_kind(values.type) == "string" and not pa.types.is_string(values.type)
    plain = values.cast(pa.string()) if textual else values
    out = transform(plain)
    return out if out.type == values.type else out.cast(values.type)


ACTIONS: dict[str, Action] = {
    "keep": keep,
    "hash": hash_values,
    "email": mask_emails,
    "phone": mask_phones,
    "generalize": generalize,
    "redact": redact,
}
