"""Policy suggestion: a YAML draft that loads, and classifies fields by name and sampled values."""

from __future__ import annotations

import pyarrow as pa

from apollo_assets.masking import Masker, policy_from_yaml, suggest_policy

from .helpers import KEY
from .people_table import people_table


def test_suggested_policy_for_people_loads_and_classifies_sensibly() -> None:
    table = people_table(2_000)
    text = suggest_policy(table, "people")
    assert text.startswith("# Draft masking policy for `people`, suggested from 2000 sampled rows.")
    draft = policy_from_yaml(text, "draft.yaml", "people")
    actions = {rule.path: rule.action for rule in draft.rules}
    assert actions["_id"] == actions["organization_id"] == actions["employment_history[].organization_id"]
    assert actions["_id"] == "keep"
    assert actions["email"] == "email" and actions["phone"] == "phone"
    assert actions["first_name"] == actions["last_name"] == actions["name"] == "hash"
    assert actions["linkedin_url"] == actions["twitter_url"] == "hash"
    assert actions["birthdate"] == "generalize" and draft.rule("birthdate").to == "year"
    assert actions["country"] == actions["seniority"] == actions["created_at"] == "keep"
    assert "_backup_id" not in actions and "intent_score__bson_type" not in actions
    Masker(draft, KEY, table.schema)  # the draft compiles against the data it came from


def test_values_decide_when_names_do_not() -> None:
    table = pa.table(
        {
            "contact": ["ada@example.com", "grace@example.org", None],
            "reach": ["+44 20 7946 0958", "+1 415 555 0134", "+33 1 23 45 67 89"],
            "pay": ["4111 1111 1111 1111", None, None],
            "kind": ["a", "b", "a"] * 1,
            "who": ["Ada Lovelace", "Grace Hopper", "Alan Turing"],
            "blob": ["x9", "y8", "z7"],
            "weird key: #1": ["a", "a", "a"],
        }
    )
    draft = policy_from_yaml(suggest_policy(table.to_batches(max_chunksize=2)), "draft.yaml")
    actions = {rule.path: rule.action for rule in draft.rules}
    assert actions == {
        "contact": "email",
        "reach": "phone",
        "pay": "drop",
        "kind": "hash",  # two values in three rows: too few to call them categories
        "who": "hash",
        "blob": "hash",
        "weird key: #1": "hash",
    }


def test_low_cardinality_text_is_kept_as_categories() -> None:
    table = pa.table({"status": ["active", "churned"] * 50})
    assert "status: keep  # 2 categories in 100 sampled values" in suggest_policy(table)


def test_types_decide_before_text_names() -> None:
    table = pa.table({"sent": [3, 4], "ssn": [12345678, 98765432], "dob": pa.array([0, 1], "date32")})
    actions = {r.path: r.action for r in policy_from_yaml(suggest_policy(table), "d.yaml").rules}
    assert actions == {"sent": "keep", "ssn": "drop", "dob": "generalize"}


def test_drafts_skip_only_real_type_columns_and_never_name_quoted_fields() -> None:
    drift = pa.field("score", pa.string(), metadata={b"bson": b"drift"})
    types = pa.field("score__bson_type", pa.string(), metadata={b"bson": b"bson_type"})
    schema = pa.schema([drift, types, pa.field("owner", pa.string()), pa.field("owner__bson_type", pa.string())])
    schema = schema.append(pa.field("address.city", pa.string()))
    table = pa.table([["1"], ["int"], ["Paris"], ["ada@example.com"], ["x"]], schema=schema)
    text = suggest_policy(table, "things")
    actions = {rule.path: rule.action for rule in policy_from_yaml(text, "draft.yaml", "things").rules}
    assert "score" in actions and "score__bson_type" not in actions
    assert actions["owner__bson_type"] == "email"  # a source field with the name: an ordinary field
    assert '  # "address.city": its name holds path characters, no rule names it: fail-closed' in text
