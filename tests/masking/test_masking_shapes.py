"""Masking decides by the shape of a value, never by a column's name: drifted documents under `keep`, source
fields named like the generated drift type column, and literal field names that look like nested paths.

The tables come from the real snapshot reader (BSON → Arrow), so that the field metadata is the writer's own.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from bson.objectid import ObjectId
from hypothesis import given, settings
from hypothesis import strategies as st

from apollo_assets.masking import Masker, collect_pii_fingerprints, scan_for_leaks
from apollo_assets.mongo import SchemaError
from tests.mongo.helpers import snapshot_of

from .helpers import KEY, column, mask, rules, strings, token

STREET = "221B Baker Street"
OWNER = "Sherlock Holmes"


def snapshot_table(tmp_path: Path, documents: list[dict]) -> pa.Table:
    snapshot = snapshot_of(tmp_path, documents)
    return pa.Table.from_batches(list(snapshot.batches()), snapshot.schema)


def parquet_round_trip(table: pa.Table, tmp_path: Path) -> pa.Table:
    """What the masking step reads: the snapshot's Parquet file (nested field metadata included)."""
    path = tmp_path / "part-0000.parquet"
    pq.write_table(table, path)
    return pq.read_table(path)


def everything(table: pa.Table, masker: Masker) -> str:
    shown = [*strings(table.to_pylist()), str(table.schema), json.dumps(masker.report.to_metadata())]
    return "\n".join(shown)


# Hole 1: a kept field that drifts into a sub-document kept its whole Extended JSON text.


def test_a_kept_field_that_drifts_into_a_document_is_masked_key_by_key(tmp_path) -> None:
    documents = [
        {"_id": 1, "city": "Paris"},
        {"_id": 2, "city": {"street": STREET, "owner": OWNER, "name": "London"}},
        {"_id": 3, "city": 7},
        {"_id": 4, "city": None},
    ]
    table = parquet_round_trip(snapshot_table(tmp_path, documents), tmp_path)
    assert table.schema.field("city").metadata == {b"bson": b"drift"}
    out, masker = mask(table, rules({"_id": "keep", "city": "keep", "city.name": "keep"}))
    assert STREET not in everything(out, masker) and OWNER not in everything(out, masker)
    cities = column(out, "city")
    assert cities[0] == '"Paris"' and cities[2] == "7" and cities[3] is None  # scalars pass as they are
    assert json.loads(cities[1]) == {token("street"): token(STREET), token("owner"): token(OWNER), "name": "London"}
    assert column(out, "city__bson_type") == ["string", "object", "int", None]


def test_a_kept_array_element_that_drifts_into_a_document_is_masked_too(tmp_path) -> None:
    documents = [
        {"_id": 1, "departments": ["sales", "ops"], "jobs": [{"title": "CTO"}]},
        {"_id": 2, "departments": ["it", {"manager": OWNER}], "jobs": [{"title": {"boss": OWNER}}, {"title": "VP"}]},
    ]
    table = parquet_round_trip(snapshot_table(tmp_path, documents), tmp_path)
    policy = rules({"_id": "keep", "departments": "keep", "jobs[].title": "keep"})
    out, masker = mask(table, policy)
    assert OWNER not in everything(out, masker)
    assert column(out, "departments")[0] == ['"sales"', '"ops"']
    assert json.loads(column(out, "departments")[1][1]) == {token("manager"): token(OWNER)}
    assert [job["title"] for job in column(out, "jobs")[1]] == [json.dumps({token("boss"): token(OWNER)}), '"VP"']


def test_email_and_phone_on_a_drifted_document_do_not_pass_it_through(tmp_path) -> None:
    documents = [
        {"_id": 1, "mail": "Ada@Example.com", "tel": "+44 20 7946 0958"},
        {"_id": 2, "mail": {"home": "ada@example.com"}, "tel": {"home": "+44 20 7946 0958", "owner": OWNER}},
    ]
    table = snapshot_table(tmp_path, documents)
    out, masker = mask(table, rules({"_id": "keep", "mail": "email", "tel": "phone"}))
    assert column(out, "mail")[0] == json.dumps(f"{token('ada@example.com')}@example.com")
    assert column(out, "tel")[0] == '"+44"'
    assert "ada@example.com" not in everything(out, masker) and OWNER not in everything(out, masker)


def test_forged_extended_json_wrappers_are_documents(tmp_path) -> None:
    """A document shaped like an Extended JSON scalar wrapper is one only when it is well formed."""
    documents = [
        {"_id": 1, "ref": ObjectId("65f0a1b2c3d4e5f601234567")},
        {"_id": 2, "ref": {"$oid": "john@example.com"}},
        {"_id": 3, "ref": "plain"},
    ]
    table = snapshot_table(tmp_path, documents)
    out, _ = mask(table, rules({"_id": "keep", "ref": "keep"}))
    refs = column(out, "ref")
    assert refs[0] == '{"$oid": "65f0a1b2c3d4e5f601234567"}' and refs[2] == '"plain"'
    assert json.loads(refs[1]) == {token("$oid"): token("john@example.com")}


def test_keep_on_a_dynamic_key_map_pseudonymises_its_keys_and_keeps_named_ones(tmp_path) -> None:
    prefs = {"theme": "dark", "ada@example.com": {"muted": True, "label": OWNER}}
    documents = [{"_id": i, "prefs": prefs} for i in range(3)]
    table = snapshot_table(tmp_path, documents)
    assert table.schema.field("prefs").metadata == {b"bson": b"ejson"}
    out, masker = mask(table, rules({"_id": "keep", "prefs.theme": "keep"}))
    masked = json.loads(column(out, "prefs")[0])
    assert masked == {"theme": "dark", token("ada@example.com"): {token("label"): token(OWNER)}}
    assert "ada@example.com" not in everything(out, masker) and OWNER not in everything(out, masker)


def test_the_leak_scan_finds_source_values_inside_json_text(tmp_path) -> None:
    documents = [{"_id": 1, "city": "Paris"}, {"_id": 2, "city": {"street": STREET}}]
    source = snapshot_table(tmp_path, documents)
    policy = rules({"_id": "keep", "city": "keep"})
    fingerprints = collect_pii_fingerprints(source, policy, KEY)
    leaked = source.set_column(1, "city", pa.array(['"Paris"', json.dumps({"x": STREET})]))
    report = scan_for_leaks(leaked, policy, source_pii_hashes=fingerprints)
    assert report.fingerprint_hits == {"city": 1}
    masked, _ = mask(source, policy)
    assert scan_for_leaks(masked, policy, source_pii_hashes=fingerprints).ok


# Hole 2: a source field named `<x>__bson_type` was taken for the drift type column and kept whole.


def test_a_source_field_named_like_the_drift_type_column_is_an_ordinary_field(tmp_path) -> None:
    documents = [{"_id": i, "city": "Paris", "city__bson_type": "ada@example.com"} for i in range(2)]
    table = parquet_round_trip(snapshot_table(tmp_path, documents), tmp_path)
    out, masker = mask(table, rules({"_id": "keep", "city": "keep"}))
    assert column(out, "city__bson_type") == [token("ada@example.com")] * 2
    assert masker.report.unlisted_fields == {"city__bson_type": "hash"}


def test_a_table_without_field_metadata_trusts_no_type_column() -> None:
    table = pa.table({"city": ['"Paris"', json.dumps({"street": STREET})], "city__bson_type": ["string", STREET]})
    out, masker = mask(table, rules({"city": "keep"}))
    assert column(out, "city__bson_type") == [token("string"), token(STREET)]
    assert masker.report.unlisted_fields == {"city__bson_type": "hash"}


def test_a_source_field_that_collides_with_a_generated_column_is_a_one_line_error(tmp_path) -> None:
    documents = [{"_id": 1, "city": "Paris", "city__bson_type": "x"}, {"_id": 2, "city": 3, "city__bson_type": "y"}]
    with pytest.raises(SchemaError) as caught:
        snapshot_table(tmp_path, documents)
    assert "city__bson_type" in str(caught.value) and "\n" not in str(caught.value)


# Hole 4: a literal field name that looks like a nested policy path matched the nested rule.


def test_a_literal_name_that_looks_like_a_nested_path_matches_no_rule() -> None:
    table = pa.table(
        {
            "employment_history[].title": [OWNER],
            "address.city": [STREET],
            "employment_history": [[{"title": "CTO"}]],
        }
    )
    policy = rules({"employment_history[].title": "keep", "address.city": "keep"})
    out, masker = mask(table, policy)
    assert column(out, "employment_history[].title") == [token(OWNER)]
    assert column(out, "address.city") == [token(STREET)]
    assert column(out, "employment_history") == [[{"title": "CTO"}]]
    assert masker.report.unlisted_fields == {'"employment_history[].title"': "hash", '"address.city"': "hash"}
    assert "address.city" in masker.report.unused_rules


@pytest.mark.parametrize("name", ["a.b", "a[]", "$a", 'say "hi"', " a", "a ", "", "tab\there"])
def test_names_with_path_characters_are_quoted_in_paths(name: str) -> None:
    from apollo_assets.masking.policy.paths import child_path

    assert child_path("", name) == json.dumps(name, ensure_ascii=not name.isprintable())
    assert child_path("p", name, "[]") == "p[]." + json.dumps(name, ensure_ascii=not name.isprintable())
    assert child_path("p", "plain_name-1/ü") == "p.plain_name-1/ü"


json_values = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.text(max_size=5), st.just({"$oid": "65f0a1b2c3d4e5f601234567"})
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None)
@given(
    document=st.dictionaries(st.text(max_size=4), json_values, max_size=4), default=st.sampled_from(["hash", "drop"])
)
def test_documents_no_rule_reaches_into_mask_alike_by_either_walk(document: dict, default: str) -> None:
    """The walk that builds no path (nothing named inside) gives what the walk by paths gives."""
    from apollo_assets.masking.ejson.mask import JsonMasker

    by_paths = rules({"c": "keep", "c.named_elsewhere": "keep"}, default=default)  # `c` encloses a rule
    plain = rules({"c": "keep"}, default=default)
    text = json.dumps(document)
    slow = JsonMasker(by_paths, "c", by_paths.rule("c")).mask_texts([text], KEY.secret)
    fast = JsonMasker(plain, "c", plain.rule("c")).mask_texts([text], KEY.secret)
    assert "named_elsewhere" in document or slow == fast
