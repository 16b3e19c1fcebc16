"""Contract section 3, type by type: what each BSON type becomes in Arrow, and that it comes back."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

import pyarrow as pa
import pytest
from bson import json_util
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

from apollo_assets.mongo import SchemaError
from apollo_assets.mongo.codec import JSON_OPTIONS

from .helpers import assert_round_trip, encode, rows_of, snapshot_of


def _convert(tmp_path, docs):
    raws = [encode(d) for d in docs]
    snapshot = snapshot_of(tmp_path, raws, rows_per_batch=3)
    assert_round_trip(snapshot, raws)
    return snapshot, rows_of(snapshot)


def test_objectid_becomes_24_hex(tmp_path):
    oid = ObjectId()
    snapshot, rows = _convert(tmp_path, [{"_id": oid}])
    assert snapshot.schema.field("_id").type == pa.string()
    assert rows[0]["_id"] == str(oid)


def test_int32_and_int64_become_int64(tmp_path):
    snapshot, rows = _convert(tmp_path, [{"n": 1}, {"n": Int64(2**62)}, {"n": -(2**31)}])
    assert snapshot.schema.field("n").type == pa.int64()
    assert [r["n"] for r in rows] == [1, 2**62, -(2**31)]
    assert snapshot.report.drift == {}


def test_ints_with_doubles_become_float64_without_drift(tmp_path):
    snapshot, rows = _convert(tmp_path, [{"x": 1}, {"x": 2.5}, {"x": Int64(2**53)}])
    assert snapshot.schema.field("x").type == pa.float64()
    assert [r["x"] for r in rows] == [1.0, 2.5, float(2**53)]
    assert snapshot.report.drift == {}


def test_ints_too_large_for_a_double_make_the_mix_drift(tmp_path):
    snapshot, rows = _convert(tmp_path, [{"x": Int64(2**53 + 1)}, {"x": 0.5}])
    assert snapshot.report.drift == {"x": {"long": 1, "double": 1}}
    assert rows[0]["x"] == str(2**53 + 1) and rows[0]["x__bson_type"] == "long"


def test_strings_bools_and_nulls(tmp_path):
    snapshot, rows = _convert(tmp_path, [{"s": "é", "b": True, "z": None}, {"s": None, "b": False}])
    assert [snapshot.schema.field(n).type for n in ("s", "b", "z")] == [pa.string(), pa.bool_(), pa.string()]
    assert [(r["s"], r["b"], r["z"]) for r in rows] == [("é", True, None), (None, False, None)]


def test_datetimes_become_utc_milliseconds(tmp_path):
    when = dt.datetime(2026, 11, 26, 4, 0, 0, 123000)
    snapshot, rows = _convert(tmp_path, [{"t": when}, {"t": dt.datetime(1, 1, 1)}])
    assert snapshot.schema.field("t").type == pa.timestamp("ms", tz="UTC")
    assert rows[0]["t"] == when.replace(tzinfo=dt.UTC)


def test_datetimes_outside_years_1_to_9999_become_extended_json(tmp_path):
    far = DatetimeMS(400_000_000_000_000)
    snapshot, rows = _convert(tmp_path, [{"t": far}, {"t": dt.datetime(2020, 1, 1)}])
    assert snapshot.schema.field("t").type == pa.string()
    assert rows[0]["t"] == '{"$date": {"$numberLong": "400000000000000"}}'
    assert snapshot.report.as_text == {"t": "datetime outside years 1-9999"}


def test_decimals_that_fit_become_decimal128_38_9(tmp_path):
    snapshot, rows = _convert(
        tmp_path, [{"d": Decimal128("12345678901234567890.123456789")}, {"d": Decimal128("-0.5")}]
    )
    assert snapshot.schema.field("d").type == pa.decimal128(38, 9)
    assert rows[0]["d"] == decimal.Decimal("12345678901234567890.123456789")


@pytest.mark.parametrize("odd", ["1E+40", "0.0000000001", "NaN", "-Infinity", "-0"])
def test_decimals_that_do_not_fit_make_the_field_exact_text(tmp_path, odd):
    snapshot, rows = _convert(tmp_path, [{"d": Decimal128("1.5")}, {"d": Decimal128(odd)}])
    assert snapshot.schema.field("d").type == pa.string()
    assert [r["d"] for r in rows] == ["1.5", str(Decimal128(odd))]
    assert snapshot.report.as_text == {"d": "decimal does not fit decimal128(38, 9)"}


def test_binary_keeps_bytes_and_subtype_and_uuid_becomes_text(tmp_path):
    u = uuid.uuid4()
    snapshot, rows = _convert(tmp_path, [{"b": b"\x00\xff", "m": Binary(b"md5", 5), "u": u}])
    assert [snapshot.schema.field(n).type for n in ("b", "m", "u")] == [pa.binary(), pa.binary(), pa.string()]
    assert snapshot.schema.field("m").metadata[b"bson"] == b"binData:5"
    assert (rows[0]["b"], rows[0]["m"], rows[0]["u"]) == (b"\x00\xff", b"md5", str(u))


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (Regex("^a.*", "i"), "regex"),
        (Timestamp(1700000000, 7), "timestamp"),
        (MinKey(), "minKey"),
        (MaxKey(), "maxKey"),
        (Code("return 1"), "javascript"),
        (Code("x", {"a": 1}), "javascriptWithScope"),
        (DBRef("people", ObjectId()), "dbref"),
    ],
)
def test_special_types_become_extended_json_and_are_reported(tmp_path, value, name):
    snapshot, rows = _convert(tmp_path, [{"v": value}])
    assert snapshot.schema.field("v").type == pa.string()
    assert rows[0]["v"] == json_util.dumps(value, json_options=JSON_OPTIONS)
    assert snapshot.report.as_text == {"v": name}


def test_drift_holds_relaxed_extended_json_and_the_type(tmp_path):
    oid = ObjectId()
    snapshot, rows = _convert(tmp_path, [{"v": "12 ft"}, {"v": 12.0}, {"v": 12}, {"v": oid}, {}, {"v": None}])
    assert [(r["v"], r["v__bson_type"]) for r in rows] == [
        ('"12 ft"', "string"),
        ("12.0", "double"),
        ("12", "int"),
        (f'{{"$oid": "{oid}"}}', "objectId"),
        (None, None),
        (None, None),
    ]
    assert snapshot.report.drift == {"v": {"string": 1, "double": 1, "int": 1, "objectId": 1}}


def test_drift_inside_a_struct_gets_a_sibling_inside_the_struct(tmp_path):
    snapshot, rows = _convert(tmp_path, [{"a": {"b": 1, "c": "x"}}, {"a": {"b": "one", "c": "y"}}])
    assert snapshot.schema.field("a").type == pa.struct(
        [("b", pa.string()), ("b__bson_type", pa.string()), ("c", pa.string())]
    )
    assert rows[1]["a"] == {"b": '"one"', "b__bson_type": "string", "c": "y"}
    assert snapshot.report.drift == {"a.b": {"int": 1, "string": 1}}


def test_drift_of_array_elements_gets_a_parallel_type_list(tmp_path):
    snapshot, rows = _convert(tmp_path, [{"tags": [1, "x", None]}, {"tags": []}, {}])
    assert snapshot.schema.field("tags").type.value_type == pa.string()
    assert rows[0]["tags"] == ["1", '"x"', None] and rows[0]["tags__bson_type"] == ["int", "string", None]
    assert rows[1]["tags"] == [] and rows[2]["tags"] is None
    assert snapshot.report.drift == {"tags[]": {"int": 1, "string": 1}}


def test_drift_in_structs_inside_arrays(tmp_path):
    docs = [{"h": [{"t": "a", "n": 1}, {"t": "b", "n": "2"}]}, {"h": [{"t": "c"}]}]
    snapshot, _ = _convert(tmp_path, docs)
    assert snapshot.report.drift == {"h[].n": {"int": 1, "string": 1}}


def test_sub_documents_keyed_by_ids_are_extended_json(tmp_path):
    ids = [str(ObjectId()) for _ in range(3)]
    docs = [
        {"custom_fields": {ids[0]: {"label": "Size", "value": "10"}}},
        {"custom_fields": {ids[1]: {"label": "Tier", "value": "A"}, ids[2]: {"label": "X", "value": "1"}}},
    ]
    snapshot, rows = _convert(tmp_path, docs)
    assert snapshot.schema.field("custom_fields").type == pa.string()
    assert rows[0]["custom_fields"] == json_util.dumps(docs[0]["custom_fields"], json_options=JSON_OPTIONS)
    assert snapshot.report.as_text == {"custom_fields": "dynamic keys"}


def test_sub_documents_with_many_distinct_keys_are_extended_json(tmp_path):
    docs = [{"m": {f"k{i}_{j}": j for j in range(3)}} for i in range(20)]
    snapshot, _ = _convert(tmp_path, docs)
    assert snapshot.schema.field("m").type == pa.string()


def test_sub_documents_with_few_keys_stay_structs(tmp_path):
    docs = [{"m": {f"k{j}": j for j in range(40)}} for _ in range(3)]
    snapshot, _ = _convert(tmp_path, docs)
    assert pa.types.is_struct(snapshot.schema.field("m").type)


def test_empty_documents_and_empty_arrays(tmp_path):
    snapshot, rows = _convert(tmp_path, [{"e": {}, "l": []}])
    assert snapshot.schema.field("e").type == pa.string() and rows[0]["e"] == "{}"
    assert rows[0]["l"] == []


def test_generated_column_names_may_not_clash(tmp_path):
    with pytest.raises(SchemaError, match="a__bson_type"):
        snapshot_of(tmp_path, [encode({"a": 1}), encode({"a": "x", "a__bson_type": 5})])


def test_documents_may_not_have_the_backup_id_column(tmp_path):
    with pytest.raises(SchemaError, match="_backup_id"):
        snapshot_of(tmp_path, [encode({"_backup_id": 1})])


def test_every_field_records_its_encoding(tmp_path):
    snapshot, _ = _convert(tmp_path, [{"_id": ObjectId(), "a": {"b": [1]}, "v": 1}, {"v": "x"}])
    fields = {f.name: f.metadata[b"bson"] for f in snapshot.schema if f.name != "_backup_id"}
    assert fields == {"_id": b"objectId", "a": b"object", "v": b"drift", "v__bson_type": b"bson_type"}


def test_an_empty_collection_has_only_the_backup_id_column(tmp_path):
    snapshot = snapshot_of(tmp_path, [])
    assert snapshot.schema.names == ["_backup_id"]
    assert rows_of(snapshot) == [] and snapshot.report.documents == 0 and snapshot.report.complete


def test_batches_have_exactly_rows_per_batch_rows(tmp_path):
    snapshot = snapshot_of(tmp_path, [encode({"i": i}) for i in range(10)], rows_per_batch=4)
    assert [b.num_rows for b in snapshot.batches()] == [4, 4, 2]
    with pytest.raises(ValueError, match="rows_per_batch"):
        snapshot_of(tmp_path / "x", [encode({"i": 1})], rows_per_batch=0)
