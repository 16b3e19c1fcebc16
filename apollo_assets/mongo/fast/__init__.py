"""A vectorised BSON reader: a chunk's documents are walked with numpy, all documents at once, one element per
round, and columns are cut straight out of the BSON bytes. No Python object is made per value, except for the
values whose Arrow form needs Python (drift, decimals, binaries, ...), which are decoded by pymongo, and only
those.

It is an accelerator, never the authority: whatever it does not handle exactly as the decoding path does
(unknown framing, invalid UTF-8 or booleans, `$`-keys, duplicate keys, ...) raises `Unsupported`, and the caller
runs the decoding path on that chunk instead. `tests/mongo/test_fast_path.py` checks both paths agree.
"""

from apollo_assets.mongo.fast.buffer import Unsupported
from apollo_assets.mongo.fast.chunk import fast_convert, fast_observe, fused_convert

__all__ = ["Unsupported", "fast_convert", "fast_observe", "fused_convert"]
