"""The texts inside Extended JSON values (string leaves, ObjectIds, and keys), for the leak checks.

A leak check compares whole values; a personal value copied into the lake inside JSON text (a drifted document, a
map) is a part of one. These functions take JSON text apart so that the checks see every text in it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from apollo_assets.masking.ejson.shapes import ARRAY, DOCUMENT, OBJECT_ID, STRING, shape
from apollo_assets.masking.policy.paths import child_path

_JSON_LIKE = r'^\s*[\[{"]'  # a document, an array or a string: the shapes that hold text


def texts_in(value: Any, path: str) -> Iterator[tuple[str, str, bool]]:
    """(path, text, is_key) for every string, ObjectId and key in ``value``, parsed JSON found at ``path``."""
    kind = shape(value)
    if kind == STRING:
        yield path, value, False
    elif kind == OBJECT_ID:
        yield path, value["$oid"], False
    elif kind == DOCUMENT:
        for key, item in value.items():
            below = child_path(path, key)
            yield below, key, True
            yield from texts_in(item, below)
    elif kind == ARRAY:
        for item in value:
            yield from texts_in(item, path + "[]")


def parsed_rows(values: pa.Array) -> Iterator[Any]:
    """The values of a text array that are JSON documents, arrays or strings, parsed (the others are skipped)."""
    if pa.types.is_dictionary(values.type):
        values = values.dictionary
    candidates = values.filter(pc.fill_null(pc.match_substring_regex(values, _JSON_LIKE), False))
    for text in candidates.to_pylist():
        try:
            yield json.loads(text)
        except ValueError:
            continue


def json_strings(values: pa.Array) -> pa.Array:
    """Every text inside the JSON values of a text array (leaves and keys), as one string array."""
    found = [text for value in parsed_rows(values) for _, text, _ in texts_in(value, "")]
    return pa.array(found, pa.string())
