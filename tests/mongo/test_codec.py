"""The cheap Extended JSON path writes exactly what bson.json_util writes; reading it back gives the value."""

from __future__ import annotations

import uuid

from bson import json_util
from bson.binary import Binary
from bson.int64 import Int64
from hypothesis import given
from hypothesis import strategies as st

from apollo_assets.mongo.codec import JSON_OPTIONS, from_ejson, to_ejson

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.integers(-(2**63), 2**63 - 1).map(Int64),
    st.floats(),
    st.text(),
)


@given(scalars)
def test_fast_path_equals_json_util(value):
    assert to_ejson(value) == json_util.dumps(value, json_options=JSON_OPTIONS)


@given(scalars)
def test_scalars_read_back(value):
    back = from_ejson(to_ejson(value))
    if isinstance(value, float) and value != value:
        assert back != back
    else:
        assert back == value


def test_binaries_read_back_as_bson_decodes_them():
    u = uuid.uuid4()
    assert from_ejson(to_ejson(u)) == u
    legacy = Binary(b"\x01" * 16, 3)
    assert type(from_ejson(to_ejson(legacy))) is Binary and from_ejson(to_ejson(legacy)).subtype == 3
