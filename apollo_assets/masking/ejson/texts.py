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


def strings_in(value: Any, out: list[str]) -> None:
    """Append the texts `texts_in` yields for ``value`` to ``out``, in the same order, without their paths (the
    leak scans need the texts only, and building paths was most of their cost)."""
    kind = type(value)
    if kind is str:
        out.append(value)
    elif kind is list:
        for item in value:
            strings_in(item, out)
    elif kind is dict:
        if value and next(iter(value)).startswith("$"):  # maybe a wrapper ({"$oid": ...}, {"$date": ...})
            wrapped = shape(value)
            if wrapped == OBJECT_ID:
                out.append(value["$oid"])
            if wrapped != DOCUMENT:
                return
        for key, item in value.items():
            out.append(key)
            strings_in(item, out)


def json_strings_by_value(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Every text inside the JSON values of a plain text array (leaves and keys), as one string array, with the
    position in ``values`` of the value each text is in."""
    where = pc.indices_nonzero(pc.fill_null(pc.match_substring_regex(values, _JSON_LIKE), False))
    texts, owners = [], []
    for position, text in zip(where.to_pylist(), values.take(where).to_pylist(), strict=True):
        try:
            value = json.loads(text)
        except ValueError:
            continue
        before = len(texts)
        strings_in(value, texts)
        owners.extend([position] * (len(texts) - before))
    return pa.array(texts, pa.string()), pa.array(owners, pa.int64())
