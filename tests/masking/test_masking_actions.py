"""Each action, on flat, nested and list<struct> fields, with nulls, slices, dictionaries and drift."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pyarrow as pa
import pytest

from apollo_assets.masking import Masker, load_policy, pseudonym, pseudonymize

from .helpers import KEY, OTHER_KEY, column, mask, rules, token

HEX32 = re.compile(r"[0-9a-f]{32}")


def test_keep_and_drop() -> None:
    table = pa.table({"a": ["x", None], "b": [1, 2], "_backup_id": ["b1", "b1"]})
    out, masker = mask(table, rules({"a": "keep", "b": "drop"}))
    assert out.column_names == ["a", "_backup_id"] and column(out, "a") == ["x", None]
    assert masker.report.actions == {"a": "keep", "b": "drop", "_backup_id": "keep"}


def test_hash_is_the_keyed_hmac_truncated_and_keeps_nulls() -> None:
    out, _ = mask(pa.table({"n": ["Ada Lovelace", None, "", "Ada Lovelace"]}), rules({"n": "hash"}))
    assert column(out, "n") == [token("Ada Lovelace"), None, token(""), token("Ada Lovelace")]
    assert out.schema.field("n").type == pa.string()


def test_hash_normalises_emails_only() -> None:
    values = [" John.Doe@Acme.IO ", "john.doe@acme.io", "John Doe", "JOHN DOE"]
    tokens = pseudonymize(values, KEY).to_pylist()
    assert tokens[0] == tokens[1] == token("john.doe@acme.io")
    assert tokens[2] == token("John Doe") != tokens[3]
    assert pseudonym("John.Doe@acme.io", KEY) == token("john.doe@acme.io")


def test_different_keys_give_different_pseudonyms() -> None:
    assert pseudonym("ada", KEY) != pseudonym("ada", OTHER_KEY)


def test_hash_preserves_string_types_and_hashes_other_scalars_as_text() -> None:
    table = pa.table(
        {
            "big": pa.array(["a", None], pa.large_string()),
            "cat": pa.array(["a", "b"]).dictionary_encode(),
            "raw": pa.array([b"\x00\xff", None]),
            "num": pa.array([42, None]),
        }
    )
    out, masker = mask(table, rules({f: "hash" for f in table.column_names}))
    assert out.schema.field("big").type == pa.large_string() and column(out, "big") == [token("a"), None]
    assert pa.types.is_dictionary(out.schema.field("cat").type) and column(out, "cat") == [
        token("a"),
        token("b"),
    ]
    assert out.schema.field("raw").type == pa.binary() and HEX32.fullmatch(column(out, "raw")[0].decode())
    assert out.schema.field("num").type == pa.string() and column(out, "num") == [token("42"), None]
    assert "becomes a string" in masker.report.notes["num"]


def test_email_keeps_the_domain_and_pseudonymizes_the_address() -> None:
    table = pa.table({"email": [" Ada.L@Example.COM", "not an email", None, "a@b@c.io"]})
    out, masker = mask(table, rules({"email": "email"}))
    masked = column(out, "email")
    assert masked[0] == f"{token('ada.l@example.com')}@example.com"
    assert masked[1] == token("not an email") and masked[2] is None and masked[3] == token("a@b@c.io")
    assert masker.report.unparsable == {"email": 2}


def test_dictionary_columns_are_masked_through_their_dictionary() -> None:
    table = pa.table(
        {
            "p": pa.array(["+1 415 555 0134", "x", None, "x"]).dictionary_encode(),
            "e": pa.array(["A@B.co", "zz", None, "zz"]).dictionary_encode(),
        }
    )
    out, masker = mask(table, rules({"p": "phone", "e": "email"}))
    assert out.schema == table.schema
    assert column(out, "p") == ["+1", "+?", None, "+?"]
    assert column(out, "e") == [f"{token('a@b.co')}@b.co", token("zz"), None, token("zz")]
    assert masker.report.unparsable == {"p": 2, "e": 2}


def test_email_token_equals_the_hash_of_the_same_address() -> None:
    table = pa.table({"e": ["Ada@Example.com"], "h": ["ada@example.com"]})
    out, _ = mask(table, rules({"e": "email", "h": "hash"}))
    assert column(out, "e")[0].split("@")[0] == column(out, "h")[0]


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("+1 415 555 0134", "+1"),
        ("+14155550134", "+1"),
        ("+1 (415) 555-0134", "+1"),
        ("+44 20 7946 0958", "+44"),
        ("+353 1 234 5678", "+353"),
        ("+7 495 123-45-67", "+7"),
        ("0049 30 1234567", "+49"),
        ("(415) 555-0134", "+?"),
        ("555-0134", "+?"),
        ("call me", "+?"),
        ("", "+?"),
        (None, None),
    ],
)
def test_phone_keeps_only_the_country_code(raw: str | None, masked: str | None) -> None:
    out, _ = mask(pa.table({"phone": pa.array([raw], pa.string())}), rules({"phone": "phone"}))
    assert column(out, "phone") == [masked]


def test_generalize_truncates_to_month_or_year_keeping_the_type() -> None:
    ts = pa.array([datetime(1990, 5, 17, 13, 45, tzinfo=UTC), None], pa.timestamp("ms", tz="UTC"))
    table = pa.table({"m": ts, "y": ts, "d": pa.array([date(1990, 5, 17), None])})
    out, _ = mask(table, rules({"m": "generalize", "y": {"generalize": "year"}, "d": {"generalize": "year"}}))
    assert out.schema == table.schema
    assert column(out, "m") == [datetime(1990, 5, 1, tzinfo=UTC), None]
    assert column(out, "y") == [datetime(1990, 1, 1, tzinfo=UTC), None]
    assert column(out, "d") == [date(1990, 1, 1), None]


def test_redact_keeps_string_types_and_nulls_other_types() -> None:
    table = pa.table({"s": ["secret", None], "n": [7, 8]})
    out, masker = mask(table, rules({"s": "redact", "n": "redact"}))
    assert column(out, "s") == ["[REDACTED]", None] and column(out, "n") == [None, None]
    assert out.schema == table.schema and "nulled" in masker.report.notes["n"]


def test_an_action_that_does_not_apply_falls_back_to_fail_closed() -> None:
    table = pa.table({"p": [4155550134], "g": ["1990-05-17"], "e": [3.5]})
    out, masker = mask(table, rules({"p": "phone", "g": "generalize", "e": "email"}))
    assert out.column_names == ["g"] and column(out, "g") == [token("1990-05-17")]
    assert masker.report.actions == {"p": "drop", "g": "hash", "e": "drop"}
    assert "fail-closed" in masker.report.notes["p"]


def test_unlisted_fields_are_fail_closed_and_reported() -> None:
    table = pa.table({"_id": ["1"], "twitter_url": ["https://x.com/a"], "score": [3], "nothing": [None]})
    out, masker = mask(table, rules({"_id": "keep"}))
    assert out.column_names == ["_id", "twitter_url", "nothing"]
    assert column(out, "twitter_url") == [token("https://x.com/a")]
    assert masker.report.unlisted_fields == {"twitter_url": "hash", "score": "drop", "nothing": "hash"}


def test_default_drop_drops_every_unlisted_field() -> None:
    table = pa.table({"_id": ["1"], "note": ["x"], "_backup_id": ["b"]})
    out, masker = mask(table, rules({"_id": "keep"}, default="drop"))
    assert out.column_names == ["_id", "_backup_id"] and masker.report.unlisted_fields == {"note": "drop"}


def test_empty_policy_is_fully_fail_closed() -> None:
    table = pa.table({"_id": ["1"], "n": [1], "_backup_id": ["b"]})
    out, masker = mask(table, load_policy("no_such_collection"))
    assert column(out, "_id") == [token("1")] and "n" not in out.column_names
    assert column(out, "_backup_id") == ["b"] and masker.report.policy_is_default


NESTED = pa.table(
    {
        "address": [
            {"city": "Paris", "street": "1 rue X", "zip": 75001},
            None,
            {"city": None, "street": None},
        ],
        "history": [
            [{"title": "CEO", "org": "Acme", "since": 2001, "email": "a@x.io"}],
            None,
            [],
        ],
    }
)


def test_struct_sub_fields_listed_are_kept_and_the_rest_fail_closed() -> None:
    out, masker = mask(NESTED, rules({"address.city": "keep", "history[].title": "keep"}))
    assert out.schema.field("address").type == pa.struct([("city", pa.string()), ("street", pa.string())])
    rows = out.to_pylist()
    assert rows[0]["address"] == {"city": "Paris", "street": token("1 rue X")}
    assert rows[1]["address"] is None  # struct validity survives
    assert rows[2]["address"] == {"city": None, "street": None}
    assert rows[0]["history"] == [{"title": "CEO", "org": token("Acme"), "email": token("a@x.io")}]
    assert rows[1]["history"] is None and rows[2]["history"] == []
    assert masker.report.unlisted_fields == {
        "address.street": "hash",
        "address.zip": "drop",
        "history[].org": "hash",
        "history[].since": "drop",
        "history[].email": "hash",
    }


def test_actions_on_list_struct_paths() -> None:
    out, _ = mask(NESTED, rules({"address": "drop", "history[].email": "email", "history[].since": "keep"}))
    assert out.column_names == ["history"]
    item = out.to_pylist()[0]["history"][0]
    assert item["email"] == f"{token('a@x.io')}@x.io" and item["since"] == 2001


def test_a_rule_on_a_struct_other_than_keep_covers_it_whole() -> None:
    out, masker = mask(NESTED, rules({"address": "hash", "history": "drop"}))
    assert out.to_pylist()[0] == {
        "address": {"city": token("Paris"), "street": token("1 rue X"), "zip": token("75001")}
    }
    assert masker.report.unlisted_fields == {}


def test_keep_on_a_struct_does_not_keep_its_sub_fields() -> None:
    out, masker = mask(NESTED, rules({"address": "keep", "history": "keep"}))
    assert out.to_pylist()[0]["address"]["city"] == token("Paris")
    assert "address.city" in masker.report.unlisted_fields


def test_lists_of_scalars_take_the_rule_of_the_list() -> None:
    table = pa.table({"tags": [["a", None], None, []], "depts": [["sales"], ["hr"], None]})
    out, _ = mask(table, rules({"depts": "keep"}))
    assert column(out, "tags") == [[token("a"), None], None, []] and column(out, "depts") == [
        ["sales"],
        ["hr"],
        None,
    ]


def test_a_struct_whose_sub_fields_are_all_dropped_is_dropped() -> None:
    out, masker = mask(pa.table({"geo": [{"lat": 1.5, "lon": 2.5}]}), rules({}))
    assert out.num_columns == 0 and masker.report.actions["geo"] == "drop"


def test_sliced_batches_are_masked_row_for_row() -> None:
    whole, _ = mask(NESTED, rules({"history[].title": "keep"}))
    masker = Masker(rules({"history[].title": "keep"}), KEY, NESTED.schema)
    parts = [masker.mask(batch) for batch in NESTED.to_batches(max_chunksize=1)]
    assert pa.Table.from_batches(parts).to_pylist() == whole.to_pylist()


def test_drift_columns_follow_their_field() -> None:
    drift, types = {b"bson": b"drift"}, {b"bson": b"bson_type"}
    schema = pa.schema(
        [
            pa.field(name, pa.string(), metadata=types if name.endswith("__bson_type") else drift)
            for name in ("kept", "kept__bson_type", "gone", "gone__bson_type", "hashed", "hashed__bson_type")
        ]
    )
    table = pa.table(
        {
            "kept": ['"1998"', '{"$numberInt": "3"}'],
            "kept__bson_type": ["string", "int"],
            "gone": ['"x"', '"y"'],
            "gone__bson_type": ["string", "string"],
            "hashed": ['"ada@x.io"', "12"],
            "hashed__bson_type": ["string", "int"],
        },
        schema=schema,
    )
    out, masker = mask(table, rules({"kept": "keep", "gone": "drop"}))
    assert out.column_names == ["kept", "kept__bson_type", "hashed", "hashed__bson_type"]
    assert column(out, "kept") == ['"1998"', '{"$numberInt": "3"}'] and column(out, "hashed")[1] == token("12")
    assert column(out, "hashed__bson_type") == ["string", "int"]
    assert masker.report.unlisted_fields == {"hashed": "hash"}


def test_backup_id_is_always_kept() -> None:
    out, masker = mask(pa.table({"_backup_id": ["20261126T040000Z"]}), load_policy("nothing_here"))
    assert column(out, "_backup_id") == ["20261126T040000Z"] and masker.report.unlisted_fields == {}


def test_output_schema_is_what_mask_returns_and_other_schemas_are_refused() -> None:
    masker = Masker(load_policy("people"), KEY, NESTED.schema)
    batch = masker.mask(NESTED.to_batches()[0])
    assert batch.schema == masker.output_schema and masker.report.rows == 3 and masker.report.batches == 1
    with pytest.raises(ValueError, match="compile a Masker for the new schema"):
        masker.mask(pa.record_batch({"x": [1]}))


def test_report_counts_masked_values_and_is_json_ready() -> None:
    import json

    _, masker = mask(pa.table({"n": ["a", None, "b"], "k": [1, 2, 3]}), rules({"n": "hash", "k": "keep"}))
    assert masker.report.masked_values == {"n": 2}
    assert json.loads(json.dumps(masker.report.to_metadata()))["actions"] == {"n": "hash", "k": "keep"}


def test_large_lists_and_raw_key_bytes() -> None:
    items = pa.array([[{"t": "a"}], None], pa.large_list(pa.struct([("t", pa.string())])))
    masker = Masker(rules({}), KEY.secret, pa.schema([("items", items.type)]))
    out = masker.mask(pa.record_batch([items], names=["items"]))
    assert out.schema.field("items").type == items.type
    assert out.column(0).to_pylist() == [[{"t": token("a")}], None]


def test_nested_lists_of_structs_of_lists() -> None:
    table = pa.table({"a": [[{"b": [{"c": "x", "d": 1}], "e": "y"}], [], None]})
    out, masker = mask(table, rules({"a[].b[].c": "keep", "a[].b[].d": "keep"}))
    assert out.to_pylist()[0] == {"a": [{"b": [{"c": "x", "d": 1}], "e": token("y")}]}
    assert masker.report.unlisted_fields == {"a[].e": "hash"}
