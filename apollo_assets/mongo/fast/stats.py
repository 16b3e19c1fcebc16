"""Pass one, vectorised: the same `FieldStats` that `FieldStats.observe_documents` builds from decoded documents.

It mirrors that code step by step (keys in first-seen order, the dynamic-keys rule, type counts, integer range,
element stats of arrays); values of other types are decoded by pymongo and given to `FieldStats` itself.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from apollo_assets.mongo.fast.buffer import Buffer, Unsupported
from apollo_assets.mongo.fast.classes import STRINGS, count_ints, count_types, simple_mask
from apollo_assets.mongo.fast.decimals import read_decimals
from apollo_assets.mongo.fast.keys import key_ids
from apollo_assets.mongo.fast.leaves import string_array
from apollo_assets.mongo.fast.pyvalues import python_values
from apollo_assets.mongo.fast.walk import Elements, walk
from apollo_assets.mongo.field_stats import DYNAMIC_KEY_LIMIT, FieldStats, key_is_data
from apollo_assets.personal_data import personal_kind


def check_keys(elements: Elements, codes: np.ndarray, names: list[str]) -> None:
    """Refuse what decoding would not give as one field per key: `$`-keys (DBRef) and duplicate keys."""
    if any(name.startswith("$") for name in names):
        raise Unsupported("a `$` key (DBRef or operator-like field)")
    if len(codes):
        pairs = elements.parent * len(names) + codes
        bins = int(pairs.max()) + 1
        repeated = (
            np.bincount(pairs, minlength=bins).max() > 1 if bins < 1 << 26 else len(np.unique(pairs)) < len(pairs)
        )
        if repeated:
            raise Unsupported("a document repeats a key")


def observe_documents(buf: Buffer, stats: FieldStats, elements: Elements) -> None:
    """`stats.observe_documents` for the documents whose elements are `elements`."""
    if stats.dynamic:
        return
    codes, names = key_ids(buf, elements)
    check_keys(elements, codes, names)
    if stats.is_root and any(map(personal_kind, names)):
        raise Unsupported("a top-level key that looks like personal data (the decoding path quarantines it)")
    for name in names:
        if name not in stats.children:
            if not stats.is_root and (len(stats.children) >= DYNAMIC_KEY_LIMIT or key_is_data(name)):
                stats.dynamic, stats.children = True, {}
                return
            stats.children[name] = FieldStats()
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(names) + 1))
    for k, name in enumerate(names):
        observe_values(buf, stats.children[name], elements, order[bounds[k] : bounds[k + 1]])


def _sub_elements(buf: Buffer, elements: Elements, index: np.ndarray) -> Elements:
    return walk(buf, elements.value_start[index], elements.value_end[index])


def observe_values(buf: Buffer, stats: FieldStats, elements: Elements, index: np.ndarray) -> None:
    """`stats.observe(values)` for the values of `elements[index]`."""
    simple = simple_mask(buf, elements, index)
    fast, slow = index[simple], index[~simple]
    t = elements.type[fast]
    count_types(stats, t)
    strings = fast[(t == STRINGS[0]) | (t == STRINGS[1])]
    if len(strings):
        string_array(buf, elements.value_start[strings])
    count_ints(
        stats,
        np.concatenate([buf.i32[elements.value_start[fast[t == 16]]], buf.i64[elements.value_start[fast[t == 18]]]]),
    )
    decimals = fast[t == 19]
    if len(decimals):
        stats.decimal_misfits += int(read_decimals(buf, elements.value_start[decimals])[2].sum())
    dicts = fast[t == 3]
    if len(dicts):
        observe_documents(buf, stats, _sub_elements(buf, elements, dicts))
    arrays = fast[t == 4]
    if len(arrays):
        stats.element = stats.element or FieldStats()
        items = _sub_elements(buf, elements, arrays)
        observe_values(buf, stats.element, items, np.arange(len(items)))
    if len(slow):
        values = python_values(buf, elements, slow)
        counts = Counter(map(type, values))
        stats.types.update(counts)
        stats._inspect(values, counts.keys())
