"""Property-based: random nested documents with PII planted anywhere never leak it into masked output."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apollo_assets.masking import Masker, load_policy, pseudonymize
from apollo_assets.masking.policy.files import parse_policy

from .helpers import KEY, OTHER_KEY, mask, strings

BACKUP_ID = "20261126T040000Z"
SAFE_KINDS = ("safe_text", "int", "bool", "ts", "safe_list")
PII_KINDS = ("pii_text", "pii_list", "drift")
CONSTANTS = "[REDACTED] +? string int " + BACKUP_ID  # masked output may hold these: a plant must not fit in

names = st.sampled_from(["a", "b", "email", "name", "notes", "x_id", "phone", "meta", "items", "twitter_url"])
upper = st.sampled_from("ABCDEFGHJKLMNPQRSTUVWXYZ")
word = st.text("bcdghjklmnpqrstvwxyz", min_size=2, max_size=8)


@st.composite
def pii(draw: st.DrawFn) -> str:
    """A personal value; it always holds a character no pseudonym, domain or constant of the output has."""
    first, last = draw(upper) + draw(word), draw(upper) + draw(word)
    kind = draw(st.sampled_from(["email", "phone", "card", "iban", "name", "text", "free"]))
    if kind == "email":
        return f"{first}.{last}{draw(st.integers(0, 99))}@{draw(word)}.io"
    if kind == "phone":
        return f"+{draw(st.integers(1, 999))} {draw(st.integers(100, 999))} {draw(st.integers(1000, 9999))}"
    if kind == "card":
        return "4111 1111 1111 1111"
    if kind == "iban":
        return "DE89 3704 0044 0532 0130 00"
    if kind == "name":
        return f"{first} {last}"
    if kind == "text":
        return f"write to {first}@{draw(word)}.com, {last}"
    text = draw(st.text(min_size=6, max_size=20).filter(lambda s: any(c.isupper() for c in s)))
    return text if text not in CONSTANTS else first + last


def shape(depth: int, top: bool = False) -> st.SearchStrategy:
    """A field: a leaf kind, or (struct | list, {name: field}). Drift only happens to top-level fields."""
    leaf = st.sampled_from(SAFE_KINDS + PII_KINDS if top else SAFE_KINDS + PII_KINDS[:2])
    if depth == 0:
        return leaf
    children = st.dictionaries(names, shape(depth - 1), min_size=1, max_size=3)
    return st.one_of(leaf, st.tuples(st.sampled_from(["struct", "list"]), children))


@st.composite
def value(draw: st.DrawFn, kind: object, planted: list[str]) -> object:
    if isinstance(kind, tuple):
        container, children = kind
        doc = {name: draw(value(child, planted)) for name, child in children.items()}
        if container == "struct":
            return draw(st.sampled_from([doc, None])) if draw(st.booleans()) else doc
        count = draw(st.integers(0, 2))
        more = [{n: draw(value(c, planted)) for n, c in children.items()} for _ in range(count)]
        return draw(st.sampled_from([[doc, *more], [], None]))
    if draw(st.integers(0, 5)) == 0:
        return None
    if kind in ("pii_text", "drift", "pii_list"):
        planted.append(draw(pii()))
        if kind == "pii_list":
            return [planted[-1], None]
        if kind == "drift" and draw(st.booleans()):
            return draw(st.integers(-5, 5))
        return planted[-1]
    return {
        "safe_text": lambda: draw(st.sampled_from(["k0", "k1", "k2"])),
        "int": lambda: draw(st.integers(-(2**40), 2**40)),
        "bool": lambda: draw(st.booleans()),
        "ts": lambda: datetime(2020, draw(st.integers(1, 12)), 1, tzinfo=UTC),
        "safe_list": lambda: ["k0", None],
    }[kind]()


def to_table(docs: list[dict], fields: dict[str, object]) -> pa.Table:
    """Like the snapshot: a top-level field of mixed types becomes an Extended-JSON string plus its type."""
    rows = []
    for doc in docs:
        row = {}
        for name, kind in fields.items():
            row[name] = doc[name]
            if kind == "drift":
                row[name] = None if doc[name] is None else json.dumps(doc[name])
                row[f"{name}__bson_type"] = None if doc[name] is None else type(doc[name]).__name__
        rows.append({**row, "_backup_id": BACKUP_ID})
    return pa.Table.from_pylist(rows)


@st.composite
def policy_for(draw: st.DrawFn, fields: dict[str, object]) -> dict[str, object]:
    """Random rules; `keep` only where nothing personal was planted, so a leak is always a masking bug."""
    found: dict[str, object] = {}

    def visit(path: str, kind: object) -> None:
        if isinstance(kind, tuple):
            choice = draw(st.sampled_from([None, "keep", "hash", "drop", "redact"]))
            if choice in (None, "keep"):
                if choice:
                    found[path] = choice
                inner = f"{path}[]" if kind[0] == "list" else path
                for name, child in kind[1].items():
                    visit(f"{inner}.{name}", child)
            else:
                found[path] = choice
            return
        options = ["keep", "hash", "drop"] if kind in SAFE_KINDS else ["hash", "email", "phone", "drop"]
        choice = draw(st.sampled_from([None, *options, "redact", "generalize"]))
        if choice is not None:
            found[path] = choice

    for name, kind in fields.items():
        visit(name, kind)
    return found


SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large]


@settings(max_examples=150, deadline=None, suppress_health_check=SLOW_OK)
@given(data=st.data())
def test_planted_pii_never_reaches_the_masked_output(data: st.DataObject) -> None:
    fields = data.draw(st.dictionaries(names, shape(2, top=True), min_size=1, max_size=5), label="fields")
    planted: list[str] = []
    count = data.draw(st.integers(1, 6))
    docs = [{n: data.draw(value(k, planted)) for n, k in fields.items()} for _ in range(count)]
    table = to_table(docs, fields)
    for i, name in enumerate(table.column_names):  # some text columns dictionary-encoded, as Parquet may
        if pa.types.is_string(table.schema.field(i).type) and data.draw(st.booleans(), label=f"dict {name}"):
            table = table.set_column(i, name, table.column(i).dictionary_encode())
    rules = data.draw(policy_for(fields), label="rules")
    default = data.draw(st.sampled_from(["hash", "drop"]))
    policy = parse_policy({"collection": "c", "default": default, "fields": rules}, "c.yaml")
    masker = Masker(policy, KEY, table.schema)
    size = data.draw(st.integers(1, 4))
    batches = [masker.mask(b) for b in table.to_batches(max_chunksize=size)]
    out = pa.Table.from_batches(batches, masker.output_schema)
    texts = list(strings(out.to_pylist()))
    for secret in planted:
        leaked = [text for text in texts if secret in text]
        assert not leaked, f"{secret!r} leaked"
    assert out.column("_backup_id").to_pylist() == [BACKUP_ID] * table.num_rows
    assert set(masker.report.unlisted_fields.values()) <= {"hash", "drop"}


@settings(max_examples=50, deadline=None)
@given(emails=st.lists(st.emails(), min_size=1, max_size=20))
def test_pseudonyms_are_deterministic_and_equal_across_collections(emails: list[str]) -> None:
    masked = {}
    for collection, field in (("people", "email"), ("users", "email"), ("contacts", "email")):
        table = pa.table({field: emails})
        out, _ = mask(table, load_policy(collection))
        masked[collection] = out.column(field).to_pylist()
    assert masked["people"] == masked["users"] == masked["contacts"]
    again, _ = mask(pa.table({"email": emails}), load_policy("people"))
    assert again.column("email").to_pylist() == masked["people"]
    tokens = pseudonymize(emails, KEY).to_pylist()
    pairs = zip(masked["people"], tokens, strict=True)
    assert all(out.startswith(f"{tok}@") or out == tok for out, tok in pairs)


@settings(max_examples=50, deadline=None)
@given(values=st.lists(st.text(min_size=1), min_size=1, max_size=20, unique=True))
def test_different_keys_give_different_pseudonyms(values: list[str]) -> None:
    mine, theirs = pseudonymize(values, KEY).to_pylist(), pseudonymize(values, OTHER_KEY).to_pylist()
    assert all(a != b for a, b in zip(mine, theirs, strict=True))
    assert mine == pseudonymize(values, KEY).to_pylist()
