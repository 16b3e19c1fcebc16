"""Imported by the forkservers that workers and steps fork from: the compiled kernels (the reader's, and masking's
HMAC loop) are loaded there once, so a forked process starts with them instead of loading numba's cache itself
(about a second each).

`warm` runs every kernel once, on one small document holding each kind the compiled builders take, so that they
are loaded with the very argument types a chunk gives them.
"""

import datetime as dt

import bson
import numpy as np

from apollo_assets.masking.tokens import hmac_kernel
from apollo_assets.mongo.fast import kernels
from apollo_assets.mongo.fast.buffer import Buffer
from apollo_assets.mongo.fast.plan_walk import plan_columns
from apollo_assets.mongo.field_stats import FieldStats
from apollo_assets.mongo.schema import infer_plan

SAMPLE = {
    "_id": bson.ObjectId(b"0123456789ab"),
    "text": "a",
    "count": 1,
    "ratio": 0.5,
    "flag": True,
    "at": dt.datetime(2024, 1, 1),
    "items": [{"name": "b"}],
}


def warm() -> None:
    """Load (or compile, the first time) every kernel of the fast path."""
    kernels.warm()
    hmac_kernel.warm()
    stats = FieldStats(is_root=True)
    stats.observe_documents([SAMPLE])
    raw = bson.encode(SAMPLE)
    plan_columns(Buffer(raw), infer_plan(stats)[0], np.array([0]), np.array([len(raw)]), FieldStats(is_root=True))


warm()
