"""Shared helpers of the masking tests: keys, policies from text, masking a table, reading all its strings."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator

import pyarrow as pa

from apollo_assets.masking import Masker, MaskingKey, MaskingPolicy, policy_from_yaml

KEY = MaskingKey(b"masking-tests-key-0123456789abcdef")
OTHER_KEY = MaskingKey(b"another-masking-key-0123456789abcdef")


def token(value: str, key: MaskingKey = KEY) -> str:
    """The reference pseudonym (plain `hmac`), to check the vectorized one against."""
    return hmac.new(key.secret, value.encode(), hashlib.sha256).hexdigest()[:32]


def policy(text: str, collection: str = "people") -> MaskingPolicy:
    return policy_from_yaml(f"collection: {collection}\n{text}", source=f"{collection}.yaml")


def rules(fields: dict[str, object], collection: str = "people", default: str = "hash") -> MaskingPolicy:
    from apollo_assets.masking.policy.files import parse_policy

    data = {"collection": collection, "default": default, "fields": fields}
    return parse_policy(data, source=f"{collection}.yaml")


def mask(table: pa.Table, masking_policy: MaskingPolicy, key: MaskingKey = KEY) -> tuple[pa.Table, Masker]:
    masker = Masker(masking_policy, key, table.schema)
    return masker.mask_table(table), masker


def strings(value: object) -> Iterator[str]:
    """Every string anywhere in a nested Python value (rows of `to_pylist`)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, bytes):
        yield value.decode("utf-8", "replace")
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


def column(table: pa.Table, name: str) -> list:
    return table.column(name).to_pylist()
