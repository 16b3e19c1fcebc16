"""A BSON reader compiled by numba: one walk of a chunk's bytes follows the conversion plan through every document
(`plan_walk`), and the columns of common scalars are built from the bytes in one compiled pass each (`leaves`).
No Python object is made per value, except for the values whose Arrow form needs Python (decimals out of range,
binaries, drifting documents, ...), which are decoded by pymongo, and only those; drifting plain scalars become
their text per value (`drift`). Pass one, without a plan, walks and numbers keys level by level (`stats`).

It is an accelerator, never the authority: whatever it does not handle exactly as the decoding path does
(unknown framing, invalid UTF-8 or booleans, `$`-keys, duplicate keys, ...) raises `Unsupported`, and the caller
runs the decoding path on that chunk instead. `tests/mongo/test_fast_path.py` checks both paths agree.
"""

from apollo_assets.mongo.fast.buffer import Unsupported
from apollo_assets.mongo.fast.chunk import fast_convert, fast_observe, fused_convert

__all__ = ["Unsupported", "fast_convert", "fast_observe", "fused_convert"]
