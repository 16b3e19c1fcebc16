"""Topic schemas and decoding: the bulk path decides exactly as the reference (json.loads + the JSON schema)."""

from __future__ import annotations

import json
import random

import pyarrow as pa
import pytest

from apollo_assets.sample_data.live_events import LiveEventSource, world_at_latest_backup
from apollo_assets.stream.contract import ContractError, compile_contract
from apollo_assets.stream.decode import Rejected, decode_batch, reference_decode
from apollo_assets.stream.topics import TOPICS, schema_versions

SECRET = "jane.doe@example.com"


@pytest.fixture(scope="module")
def events():
    source = LiveEventSource(world_at_latest_backup(None), seed=7)
    return list(source.events(1_796_000_000_000, rate=500, count=3000))


def _reference(topic, values):
    accepted, rejected = [], []
    for i, value in enumerate(values):
        try:
            accepted.append((i, reference_decode(topic, value)))
        except Rejected as error:
            rejected.append((i, str(error)))
    return accepted, rejected


def _mutations(value: bytes, rng: random.Random) -> bytes:
    body = json.loads(value)
    key = rng.choice(sorted(body))
    choice = rng.randrange(12)
    if choice == 0:
        body.pop(key)
    elif choice == 1:
        body[key] = rng.choice([None, 7, 1.5, True, [], {}, "", SECRET, "2026-13-40T99:00:00Z"])
    elif choice == 2:
        body[SECRET] = "x"
    elif choice == 3:
        return value[: rng.randrange(len(value))]
    elif choice == 4:
        return json.dumps(body, indent=1).encode()  # newlines between tokens: still valid
    elif choice == 5:
        return value + b" " + value
    elif choice == 6:
        return b"\xff" + value
    elif choice == 7:
        return value.replace(b"{", b'{"_id":"0123456789abcdef01234567",', 1)  # a key given twice
    elif choice == 8 and "properties" in body:
        body["properties"]["count"] = rng.choice([3.0, -1, 10**12, "3", None])
    elif choice == 9 and "timestamp" in body:
        body["timestamp"] = rng.choice(["2026-11-27T10:00:00+01:00", "2026-11-27", "2026-11-27T10:00:00.1234567Z"])
    elif choice == 10:
        return b"[]"
    return json.dumps(body).encode()


@pytest.mark.parametrize("name", sorted(TOPICS))
def test_bulk_decoding_decides_like_the_reference_on_damaged_messages(events, name):
    topic, rng = TOPICS[name], random.Random(name)
    values = [e.value for e in events if e.topic == name]
    values = [_mutations(v, rng) if rng.random() < 0.3 else v for v in values]
    decoded = decode_batch(topic, values)
    accepted, rejected = _reference(topic, values)
    assert decoded.rejected == rejected
    assert decoded.accepted == [i for i, _ in accepted]
    expected = topic.contract().to_lake(pa.Table.from_pylist([d for _, d in accepted], topic.contract().parse_schema))
    assert decoded.table.equals(expected)
    assert rejected and accepted  # the mutations did both


@pytest.mark.parametrize("name", sorted(TOPICS))
def test_generated_events_follow_their_schema(events, name):
    values = [e.value for e in events if e.topic == name]
    decoded = decode_batch(TOPICS[name], values)
    assert decoded.rejected == [] and decoded.table.num_rows == len(values) > 100
    assert decoded.table.schema == TOPICS[name].contract().arrow_schema


def test_reasons_name_the_rule_never_the_value():
    topic = TOPICS["email_events"]
    bad = [json.dumps({"_id": SECRET}).encode(), json.dumps({SECRET: 1}).encode(), SECRET.encode()]
    reasons = [reason for _, reason in decode_batch(topic, bad).rejected]
    assert len(reasons) == 3
    assert all(SECRET not in r and "jane" not in r for r in reasons)


def test_a_schema_version_the_repository_does_not_have_is_a_dead_letter(events):
    topic = TOPICS["usage_events"]
    values = [e.value for e in events if e.topic == "usage_events"][:3]
    decoded = decode_batch(topic, values, ["usage_events/v1", "usage_events/v9", None])
    assert decoded.accepted == [0, 2]
    assert decoded.rejected == [(1, "the `schema` header names another version than 'usage_events/v1'")]


def test_every_topic_has_a_versioned_schema_and_a_masking_policy():
    from apollo_assets.masking import load_policy

    for name, topic in TOPICS.items():
        assert topic.version in schema_versions(name)
        assert not load_policy(name).is_default, f"policies/{name}.yaml is missing"


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        ({"type": "object", "properties": {}}, "additionalProperties"),
        (
            {"type": "object", "additionalProperties": False, "properties": {"a": {"type": "string", "maxLength": 3}}},
            "maxLength",
        ),
        (
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["a"],
                "properties": {"a": {"type": ["string", "null"]}},
            },
            "required and nullable",
        ),
        ({"type": "object", "additionalProperties": False, "properties": {"a": {"type": "integer"}}}, "minimum"),
        ({"type": "object", "additionalProperties": False, "properties": {"a": {"type": "array"}}}, "array"),
    ],
)
def test_schemas_beyond_what_bulk_checks_cover_are_refused(schema, problem):
    with pytest.raises(ContractError, match=problem):
        compile_contract("t/v1", schema)
