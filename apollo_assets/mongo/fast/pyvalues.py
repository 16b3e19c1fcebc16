"""The values that need Python objects (drift, decimals, binaries, ...), decoded by pymongo element by element.

Each element is wrapped into a one-field document, and all of them are decoded in one `decode_all` call, so the
values are exactly what decoding whole documents gives.
"""

from __future__ import annotations

import struct
from typing import Any

import bson
import numpy as np

from apollo_assets.mongo.codec import DECODE_OPTIONS
from apollo_assets.mongo.fast.buffer import Buffer, Unsupported
from apollo_assets.mongo.fast.walk import Elements

_pack = struct.Struct("<i").pack


def python_values(buf: Buffer, elements: Elements, index: np.ndarray) -> list[Any]:
    """The decoded values of `elements[index]`."""
    data = buf.data
    begins, ends = elements.key_start[index] - 1, elements.value_end[index]
    wrapped = b"".join(
        _pack(e - b + 5) + data[b:e] + b"\x00" for b, e in zip(begins.tolist(), ends.tolist(), strict=True)
    )
    try:
        documents = bson.decode_all(wrapped, DECODE_OPTIONS)
    except Exception as exc:  # pymongo raises several types for corrupt input
        raise Unsupported(f"a value does not decode: {exc}") from exc
    return [next(iter(d.values())) for d in documents]
