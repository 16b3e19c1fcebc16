"""Keyed pseudonyms: HMAC-SHA256(key, value) as lowercase hex, truncated to 32 characters (128 bits).

Deterministic for a key, so a value yields the same token in every collection and joins on pseudonyms
still work. Email-shaped values are normalised first (surrounding whitespace stripped, lowercased), so
`John.Doe@Acme.io ` in `people` and `john.doe@acme.io` in `users` get one token; the `email` action's
token is the same one. Other values are hashed exactly as stored (`Ada` and `ada` differ).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa
import pyarrow.compute as pc

from apollo_assets.masking.leaks.detectors import EMAIL_VALUE
from apollo_assets.masking.tokens.distinct import per_distinct
from apollo_assets.masking.tokens.hmac_arrays import hmac_tokens
from apollo_assets.masking.tokens.key import MaskingKey


def pseudonymize(
    values: pa.Array | pa.ChunkedArray | Iterable[str | None], key: MaskingKey | bytes
) -> pa.Array | pa.ChunkedArray:
    """Tokens of string (or binary) values, as the `hash` action makes them; nulls stay null."""
    secret = key.secret if isinstance(key, MaskingKey) else bytes(key)
    if isinstance(values, pa.ChunkedArray):
        return pa.chunked_array([hash_array(c, secret) for c in values.chunks], pa.string())
    if not isinstance(values, pa.Array):
        values = pa.array(list(values), pa.string())
    return hash_array(values, secret)


def pseudonym(value: str, key: MaskingKey | bytes) -> str:
    """The token of one value (e.g. to find a person by email in the masked lake)."""
    return pseudonymize([value], key)[0].as_py()


def hash_array(values: pa.Array, secret: bytes, normalize: bool = True) -> pa.Array:
    return per_distinct(values, lambda distinct: hash_distinct(distinct, secret, normalize))


def hash_distinct(values: pa.Array, secret: bytes, normalize: bool = True) -> pa.StringArray:
    """A token per value (nulls stay null); emails normalised unless told not to."""
    textual = pa.types.is_string(values.type) or pa.types.is_large_string(values.type)
    return hmac_tokens(normalize_emails(values) if normalize and textual else values, secret)


def normalize_emails(values: pa.Array) -> pa.Array:
    """Email-shaped values stripped and lowercased, others unchanged; a cheap `@` test skips the rest."""
    if not pc.any(pc.match_substring(values, "@")).as_py():
        return values
    try:
        trimmed = pc.utf8_trim_whitespace(values)
        is_email = pc.fill_null(pc.match_substring_regex(trimmed, EMAIL_VALUE), False)
        return pc.if_else(is_email, pc.utf8_lower(trimmed), values)
    except pa.ArrowInvalid:  # invalid UTF-8 cannot be lowercased: hash it as stored
        return values
