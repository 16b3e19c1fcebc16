"""The compiled byte loops of the fast reader, each against what plain Python (or pymongo) says of the same bytes."""

from __future__ import annotations

import os
import struct
import subprocess
import sys

import bson
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apollo_assets.mongo.fast import Unsupported
from apollo_assets.mongo.fast.buffer import Buffer
from apollo_assets.mongo.fast.keys import key_ids
from apollo_assets.mongo.fast.leaves import string_array
from apollo_assets.mongo.fast.walk import walk


def _documents(*docs: bytes) -> tuple[Buffer, np.ndarray, np.ndarray]:
    data = b"".join(docs)
    ends = np.cumsum([len(d) for d in docs], dtype=np.int64)
    return Buffer(data), ends - [len(d) for d in docs], ends


keys = st.text(st.characters(blacklist_characters="\0", blacklist_categories=("Cs",)), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.dictionaries(keys, st.one_of(st.integers(-(2**40), 2**40), st.text(max_size=5)), max_size=8)))
def test_the_walk_finds_every_element_with_its_key_in_document_order(docs):
    raws = [bson.encode(d) for d in docs]
    buf, starts, ends = _documents(*raws)
    elements = walk(buf, starts, ends)
    spans = zip(elements.parent, elements.key_start, elements.key_end, strict=True)
    found = [(int(p), buf.data[int(s) : int(e)].decode()) for p, s, e in spans]
    # In the bytes' order: `bson.encode` writes a top-level `_id` first, whatever the dict's order.
    assert found == [(i, k) for i, raw in enumerate(raws) for k in bson.decode(raw)]
    codes, names = key_ids(buf, elements)
    assert [names[c] for c in codes] == [k for _, k in found]
    assert names == list(dict.fromkeys(k for _, k in found))  # numbered in order of first appearance


def test_thousands_of_distinct_keys_keep_distinct_ids():
    doc = bson.encode({f"k{i}": i for i in range(5000)})  # the key table grows (and rehashes) many times
    buf, starts, ends = _documents(doc, doc)
    codes, names = key_ids(buf, walk(buf, starts, ends))
    assert names == [f"k{i}" for i in range(5000)]
    assert codes.tolist() == list(range(5000)) * 2


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (struct.pack("<i", 99) + b"\x10a\x00\x01\x00\x00\x00\x00", "length prefix"),
        (struct.pack("<i", 12) + b"\x42a\x00\x01\x00\x00\x00\x00", "unknown BSON type 66"),
        (struct.pack("<i", 12) + b"\x02a\x00\x00\x00\x00\x00\x00", "declared length is too small"),
        (struct.pack("<i", 14) + b"\x02a\x00\x09\x00\x00\x00ab\x00", "runs past the end"),
        (bson.encode({"k" * 300: 1}), "longer than 255 bytes"),
    ],
)
def test_bad_framing_is_refused_with_its_reason(raw, message):
    buf, starts, ends = _documents(bson.encode({"fine": 1}), raw)
    with pytest.raises(Unsupported, match=message):
        walk(buf, starts, ends)


def test_a_regex_spans_its_pattern_and_its_options():
    doc = bson.encode({"r": bson.Regex("a.*b", "im"), "after": 1})
    buf, starts, ends = _documents(doc)
    elements = walk(buf, starts, ends)
    assert elements.type.tolist() == [11, 16]
    assert buf.data[int(elements.value_start[0]) : int(elements.value_end[0])] == b"a.*b\x00im\x00"


@settings(deadline=None)
@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",)), max_size=10)))
def test_string_columns_join_the_values_bytes(texts):
    buf, starts, ends = _documents(*(bson.encode({"s": text}) for text in texts))
    array = string_array(buf, walk(buf, starts, ends).value_start)
    encoded = [text.encode() for text in texts]
    data = array.buffers()[2]
    assert (data.to_pybytes() if data is not None else b"") == b"".join(encoded)
    offsets = np.frombuffer(array.buffers()[1], np.int32)[: len(texts) + 1]
    assert offsets.tolist() == np.concatenate([[0], np.cumsum([len(e) for e in encoded])]).astype(int).tolist()
    assert array.to_pylist() == texts


@pytest.mark.integration  # a fresh Python process
def test_without_a_writable_cache_folder_the_kernels_compile_in_the_process_and_say_so():
    # NUMBA_CACHE_LOCATOR_CLASSES limits numba to a locator that never applies to a file: as in a read-only image.
    code = (
        "import bson, numpy as np\n"
        "from apollo_assets.mongo.fast.buffer import Buffer\n"
        "from apollo_assets.mongo.fast.walk import walk\n"
        "doc = bson.encode({'a': 1, 'b': 'x'})\n"
        "e = walk(Buffer(doc), np.array([0]), np.array([len(doc)]))\n"
        "print(e.type.tolist())\n"
    )
    env = {**os.environ, "NUMBA_CACHE_LOCATOR_CLASSES": "numba.core.caching.IPythonCacheLocator"}
    out = subprocess.run([sys.executable, "-W", "always", "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[16, 2]"
    assert "numba cannot cache walk_elements" not in out.stderr  # a plain wrapper, not a kernel
    assert "numba cannot cache _walk" in out.stderr
