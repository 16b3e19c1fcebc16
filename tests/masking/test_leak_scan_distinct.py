"""The leak scan tests each distinct value once and counts it as often as it occurs: the same findings as testing
every value, at the cost of the distinct ones (ids, repeated titles, JSON maps)."""

from __future__ import annotations

import json

import pyarrow as pa

from apollo_assets.masking import collect_pii_fingerprints, scan_for_leaks
from apollo_assets.masking.ejson.texts import json_strings_by_value, strings_in, texts_in
from apollo_assets.masking.leaks.fingerprints import fingerprints

from .helpers import KEY, rules

OBJECT_ID = "65f0a1b2c3d4e5f601234567"
JSON_VALUES = [
    {"a": "x", "b": [1, "y", {"c": None, "d": {"$oid": OBJECT_ID}}]},
    {"$oid": OBJECT_ID},
    {"$date": "2026-01-01T00:00:00Z"},
    {"$set": {"name": "Ann Lee"}, "other": True},  # `$` keys that are no wrapper: a document
    {"$binary": {"base64": "AA==", "subType": "00"}},
    {"$numberLong": "12", "extra": "z"},
    [],
    {},
    "plain",
    ["Ann Lee", {"Zed Zed": {"$numberDouble": "1.5"}}],
    12,
    None,
]


def test_the_texts_of_a_json_value_are_those_the_path_walk_finds() -> None:
    for value in JSON_VALUES:
        found: list[str] = []
        strings_in(value, found)
        assert found == [text for _, text, _ in texts_in(value, "root")], value


def test_texts_inside_json_values_know_the_value_they_are_in() -> None:
    values = pa.array([json.dumps({"k": "v"}), "not json", None, json.dumps(["a", {"b": "c"}]), "{broken"])
    texts, owners = json_strings_by_value(values)
    assert texts.to_pylist() == ["k", "v", "a", "b", "c"]
    assert owners.to_pylist() == [0, 0, 3, 3, 3]


def test_repeated_values_are_counted_each_time_they_occur() -> None:
    source = pa.table({"name": ["Ann Lee", "Zed Zed"]})
    hashes = collect_pii_fingerprints(source, rules({}), KEY)  # unlisted: personal, fail-closed
    leaked = pa.table(
        {
            "title": ["Ann Lee", "ann lee ", "Ann Lee", "CTO", None, "CTO"],
            "note": ["mail a@b.io", "mail a@b.io", "x", json.dumps({"Zed Zed": "y"}), json.dumps({"Zed Zed": "y"}), ""],
        }
    )
    report = scan_for_leaks(leaked, rules({"title": "keep", "note": "keep"}), source_pii_hashes=hashes)
    assert report.findings == {"title": {"source_pii": 3}, "note": {"email": 2, "source_pii": 2}}


def test_object_ids_are_fingerprinted_when_a_source_value_has_that_shape() -> None:
    """A personal value shaped like an ObjectId is still found; when none is, ObjectId-shaped values are skipped."""
    kept = pa.table({"ref": [OBJECT_ID, "65f0a1b2c3d4e5f601234568"]})
    with_ids = collect_pii_fingerprints(pa.table({"secret_ref": [OBJECT_ID]}), rules({}), KEY)
    assert with_ids.object_ids
    report = scan_for_leaks(kept, rules({"ref": "keep"}), source_pii_hashes=with_ids)
    assert report.findings == {"ref": {"source_pii": 1}}
    without = collect_pii_fingerprints(pa.table({"name": ["Ann Lee"]}), rules({}), KEY)
    assert not without.object_ids
    assert fingerprints(kept.column("ref").chunk(0), KEY, object_ids=False).null_count == 2
    assert fingerprints(kept.column("ref").chunk(0), KEY).null_count == 0
