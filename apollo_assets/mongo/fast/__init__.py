"""A vectorised BSON reader: a chunk's elements are found by a compiled walk of its bytes (`kernels`), and columns
are cut straight out of the bytes with numpy, field by field. No Python object is made per value, except for the
values whose Arrow form needs Python (decimals out of range, binaries, drifting documents, ...), which are decoded
by pymongo, and only those; drifting plain scalars become their text per value (`drift`).

It is an accelerator, never the authority: whatever it does not handle exactly as the decoding path does
(unknown framing, invalid UTF-8 or booleans, `$`-keys, duplicate keys, ...) raises `Unsupported`, and the caller
runs the decoding path on that chunk instead. `tests/mongo/test_fast_path.py` checks both paths agree.
"""

from apollo_assets.mongo.fast.buffer import Unsupported
from apollo_assets.mongo.fast.chunk import fast_convert, fast_observe, fused_convert

__all__ = ["Unsupported", "fast_convert", "fast_observe", "fused_convert"]
