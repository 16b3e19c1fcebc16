"""Random documents of every BSON type survive BSON -> Arrow -> document, whatever mix of types they hold."""

from __future__ import annotations

import datetime as dt
import uuid

from bson.binary import Binary
from bson.code import Code
from bson.datetime_ms import DatetimeMS
from bson.dbref import DBRef
from bson.decimal128 import Decimal128
from bson.int64 import Int64
from bson.max_key import MaxKey
from bson.min_key import MinKey
from bson.objectid import ObjectId
from bson.regex import Regex
from bson.timestamp import Timestamp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .helpers import assert_round_trip, encode, snapshot_of

KEYS = st.sampled_from(["a", "b", "c", "name", "n", "when", "tags", "sub"])
# Below the top level, keys that are personal data too: their sub-documents are maps (Extended JSON).
NESTED_KEYS = st.one_of(KEYS, st.sampled_from(["ada@example.com", "Ada Lovelace", "+44 20 7946 0958"]))

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**31), 2**31 - 1),
    st.integers(-(2**63), 2**63 - 1).map(Int64),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.binary(max_size=8),
    st.builds(ObjectId),
    st.uuids(),
    st.builds(lambda b, s: Binary(b, s), st.binary(max_size=6), st.sampled_from([3, 5, 0x80])),
    st.integers(-62135596800000, 253402300799999).map(
        lambda ms: dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=ms)
    ),
    st.integers(-(2**62), 2**62).map(DatetimeMS),
    st.decimals(allow_nan=False, places=3, min_value=-(10**20), max_value=10**20).map(Decimal128),
    st.sampled_from([Decimal128("1E+40"), Decimal128("-0"), Decimal128("NaN"), Decimal128("0.0000000001")]),
    st.builds(Regex, st.text(alphabet="ab.*", max_size=4), st.sampled_from(["", "i", "ms"])),
    st.builds(Timestamp, st.integers(0, 2**31), st.integers(0, 100)),
    st.just(MinKey()),
    st.just(MaxKey()),
    st.builds(Code, st.text(max_size=6)),
    st.builds(lambda c: DBRef("other", c), st.integers(0, 9)),
)

values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(NESTED_KEYS, inner, max_size=4)),
    max_leaves=12,
)
documents = st.dictionaries(KEYS, values, max_size=6)
# Collections whose documents share a shape, so that structs, lists and drift all get exercised.
collections = st.lists(documents, min_size=1, max_size=25)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(collections)
def test_random_documents_round_trip(tmp_path_factory, docs):
    raws = [encode(d) for d in docs]
    snapshot = snapshot_of(tmp_path_factory.mktemp("random"), raws, rows_per_batch=7)
    assert_round_trip(snapshot, raws)
    assert snapshot.report.complete and not snapshot.report.quarantined


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.fixed_dictionaries({"a": scalars, "b": st.lists(scalars, max_size=3)}), min_size=1, max_size=30))
def test_scalar_mixes_round_trip(tmp_path_factory, docs):
    raws = [encode(d) for d in docs]
    assert_round_trip(snapshot_of(tmp_path_factory.mktemp("mix"), raws, rows_per_batch=4), raws)


def test_uuid_and_nested_drift_round_trip(tmp_path):
    docs = [{"u": uuid.uuid4(), "sub": {"x": 1, "y": [1, "a", None]}}, {"sub": {"x": "one", "y": []}}]
    raws = [encode(d) for d in docs]
    assert_round_trip(snapshot_of(tmp_path, raws), raws)
