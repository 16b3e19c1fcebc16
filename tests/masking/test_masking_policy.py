"""Policies: parsing, validation errors that name the file and the field, the shipped policies."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from apollo_assets.collections import COLLECTIONS
from apollo_assets.masking import Masker, PolicyError, load_policy, policy_from_yaml

from .helpers import KEY, policy


def test_every_collection_of_the_contract_has_a_policy() -> None:
    for collection in COLLECTIONS:
        loaded = load_policy(collection)
        assert not loaded.is_default, collection
        assert loaded.collection == collection
        assert loaded.rule("_id").action == "keep"
        assert loaded.source.endswith(f"{collection}.yaml")


def test_people_policy_names_what_the_contract_asks() -> None:
    people = load_policy("people")
    expected = {"first_name": "hash", "last_name": "hash", "name": "hash", "email": "email", "phone": "phone"}
    expected |= {"linkedin_url": "hash", "birthdate": "generalize", "employment_history[].title": "keep"}
    assert {path: people.rule(path).action for path in expected} == expected
    assert people.rule("birthdate").to == "year"
    assert people.rule("twitter_url") is None  # deliberately left to fail-closed


def test_missing_policy_file_gives_the_empty_fail_closed_policy(tmp_path: Path) -> None:
    empty = load_policy("people", policy_dir=tmp_path)
    assert empty.is_default and empty.rules == () and empty.default == "hash"


def test_policy_dir_is_read(tmp_path: Path) -> None:
    (tmp_path / "people.yaml").write_text("collection: people\nfields:\n  a: keep\n  b: {generalize: year}\n")
    loaded = load_policy("people", policy_dir=tmp_path)
    assert loaded.rule("a").action == "keep" and loaded.rule("b").to == "year"


def test_both_rule_spellings() -> None:
    parsed = policy("fields:\n  d: {action: generalize, to: year}\n  n: {action: redact, allow: [email]}\n")
    assert parsed.rule("d").to == "year"
    assert parsed.rule("n").allow == frozenset({"email"})
    assert policy("fields:\n  d: generalize\n").rule("d").to == "month"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ("  email: hashh\n", "email", "unknown action 'hashh'"),
        ("  address..city: keep\n", "address..city", "bad field path"),
        ("  'items[0].x': keep\n", "items[0].x", "bad field path"),
        ("  ' a': keep\n", " a", "bad field path"),
        ("  d: {generalize: week}\n", "d", "generalize to 'week'"),
        ("  d: {action: hash, to: year}\n", "d", "`to` only applies to generalize"),
        ("  d: {action: hash, colour: red}\n", "d", "unknown option(s) ['colour']"),
        ("  d: {hash: 1}\n", "d", "hash takes no parameter"),
        ("  d: {allow: [email]}\n", "d", "no action given"),
        ("  d: {action: keep, allow: [ssn]}\n", "d", "`allow` must be a list of"),
        ("  d: [keep]\n", "d", "expected an action"),
        ("  a: hash\n  a.b: keep\n", "a.b", "is inside 'a', already masked whole (hash)"),
        ("  a: keep\n  a[]: hash\n", "a", "named twice"),
        ("  _backup_id: hash\n", "_backup_id", "always kept"),
    ],
)
def test_validation_errors_name_file_and_field(fields: str, field: str, message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        policy_from_yaml(f"collection: people\nfields:\n{fields}", source="policies/people.yaml")
    assert caught.value.source == "policies/people.yaml" and caught.value.field == field
    assert str(caught.value).startswith(f"policies/people.yaml: field {field!r}: ")
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("collection: people\nfields:\n  a: keep\n  a: hash\n", "'a' given twice"),
        ("collection: people\ndefault: keep\n", "`default` is 'keep'"),
        ("collection: users\n", "`collection` is 'users', expected 'people'"),
        ("collection: people\nfield:\n  a: keep\n", "unknown top-level key(s) ['field']"),
        ("collection: people\nfields: [a, b]\n", "`fields` must map"),
        ("collection: people\nfields: {a: keep\n", "not valid YAML"),
        ("- a\n", "expected a mapping"),
    ],
)
def test_file_level_errors_name_the_file(text: str, message: str) -> None:
    with pytest.raises(PolicyError, match=r"^policies/people\.yaml: ") as caught:
        policy_from_yaml(text, source="policies/people.yaml", collection="people")
    assert message in str(caught.value)


@pytest.mark.parametrize("name", ["../etc/passwd", "a/b", "a\\b", ".hidden"])
def test_a_collection_name_that_would_leave_the_policy_folder_is_refused(name: str) -> None:
    with pytest.raises(PolicyError, match="bad collection name"):
        load_policy(name)


def test_dotted_and_unicode_collection_names_look_for_their_policy_file(tmp_path) -> None:
    (tmp_path / "system.version.yaml").write_text("collection: system.version\nfields:\n  _id: keep\n")
    assert [rule.path for rule in load_policy("system.version", tmp_path).rules] == ["_id"]
    assert load_policy("événements", tmp_path).is_default  # no file: fail-closed


def test_a_path_that_matches_the_data_only_without_brackets_is_an_error() -> None:
    schema = pa.schema([("history", pa.list_(pa.struct([("title", pa.string())])))])
    wrong = policy("fields:\n  history.title: keep\n")
    with pytest.raises(PolicyError, match=r"people.yaml: field 'history.title': .*'history\[\]\.title'"):
        Masker(wrong, KEY, schema)


def test_rules_for_absent_fields_are_reported_unused() -> None:
    masker = Masker(policy("fields:\n  a: keep\n  gone: hash\n"), KEY, pa.schema([("a", pa.string())]))
    assert masker.report.unused_rules == ["gone"]


def test_governing_rule_covers_sub_fields_except_for_keep() -> None:
    parsed = policy("fields:\n  custom: hash\n  address: keep\n")
    assert parsed.governing_rule("custom.x[].y").action == "hash"
    assert parsed.governing_rule("address.street") is None
