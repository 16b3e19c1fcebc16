"""Keys that are data never become columns: sub-documents keyed by personal data or by unstable keys are maps
(Extended JSON text), and a document whose top-level key looks like personal data is quarantined.

Both readers (decoding and the compiled one) must decide alike; `both_paths` runs each and compares.
"""

from __future__ import annotations

import pyarrow as pa
import pytest

from .helpers import source_of, write_dump
from .test_fast_path import assert_same, both_paths

EMAIL = "ada.lovelace@example.com"


def _read(tmp_path, documents: list[dict]):
    out = both_paths(source_of(write_dump(tmp_path, "things", documents)))
    assert_same(out)
    schema, table, notes, quarantined, _, _ = out[False]
    return schema, table, notes, quarantined


def _shown(schema: pa.Schema, notes, quarantined) -> str:
    return f"{schema}\n{notes}\n{[error for _, error in quarantined]}"


@pytest.mark.parametrize(
    "key",
    [EMAIL, "+44 20 7946 0958", "Ada Lovelace", "https://www.linkedin.com/in/ada", "4111 1111 1111 1111"],
)
def test_a_small_map_keyed_by_personal_data_is_kept_as_text(tmp_path, key: str) -> None:
    documents = [{"_id": i, "prefs": {"theme": "dark", key: {"muted": i % 2 == 0}}} for i in range(3)]
    schema, table, notes, quarantined = _read(tmp_path, documents)
    assert schema.field("prefs").type == pa.string() and schema.field("prefs").metadata == {b"bson": b"ejson"}
    assert key not in _shown(schema, notes, quarantined)
    assert key in table.column("prefs")[0].as_py()  # the snapshot is faithful: the key is data, kept as text
    assert notes.as_text == {"prefs": "dynamic keys"}


def test_personal_keys_in_elements_of_an_array_make_its_documents_maps(tmp_path) -> None:
    documents = [{"_id": i, "shares": [{"with": "x"}, {EMAIL: "read"}]} for i in range(3)]
    schema, _, notes, quarantined = _read(tmp_path, documents)
    assert schema.field("shares").type == pa.list_(pa.field("item", pa.string(), metadata={b"bson": b"ejson"}))
    assert EMAIL not in _shown(schema, notes, quarantined)


def test_unstable_keys_make_a_map_and_stable_optional_ones_a_struct(tmp_path) -> None:
    people = ["jsmith", "mlopez", "akumar", "bchen", "cdiaz", "ewong", "fkim", "gnovak", "hali", "iberg"]
    documents = [
        {
            "_id": i,
            "votes": {people[i]: 1, people[(i + 3) % 10] + "x": 2},  # every key in one or two documents
            "address": {"city": "Paris", **({"state": "IDF"} if i % 3 == 0 else {})},  # optional, not rare
        }
        for i in range(10)
    ]
    schema, _, notes, quarantined = _read(tmp_path, documents)
    assert schema.field("votes").type == pa.string() and notes.as_text["votes"] == "unstable keys"
    assert not any(name in _shown(schema, notes, quarantined) for name in people)
    assert pa.types.is_struct(schema.field("address").type)


def test_few_documents_are_no_evidence_of_unstable_keys(tmp_path) -> None:
    documents = [{"_id": 1, "sub": {"a": 1, "b": 2}}, {"_id": 2, "sub": {"c": 3}}]
    schema, _, _, _ = _read(tmp_path, documents)
    assert pa.types.is_struct(schema.field("sub").type)


def test_a_document_whose_top_level_key_looks_personal_is_quarantined_without_naming_it(tmp_path) -> None:
    documents = [{"_id": i, "name": "x"} for i in range(5)]
    documents.insert(2, {"_id": 99, EMAIL: "subscribed"})
    schema, table, notes, quarantined = _read(tmp_path, documents)
    assert table.column("_id").to_pylist() == [0, 1, 2, 3, 4]
    ((_, error),) = quarantined
    assert "top-level field name looks like personal data (email)" in error
    assert EMAIL not in _shown(schema, notes, quarantined)
