"""Leak scan: planted emails, phones, cards and IBANs counted (never shown); copied source values found."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from apollo_assets.masking import collect_pii_fingerprints, load_policy, scan_for_leaks
from apollo_assets.masking.leaks.detectors import detect, iban_valid, luhn_valid

from .helpers import KEY, OTHER_KEY, mask, rules

CARD = "4111 1111 1111 1111"  # Luhn-valid test Visa
IBAN = "DE89 3704 0044 0532 0130 00"
PLANTED = ["ada.lovelace@example.com", "+44 20 7946 0958", CARD, IBAN, "(415) 555-0134"]


def test_checksums() -> None:
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert iban_valid("DE89370400440532013000") and not iban_valid("DE88370400440532013000")


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [
        ("write to ada@example.com today", "email", True),
        ("0123456789abcdef0123456789abcdef@example.com", "email", False),  # a masked email
        ("call +1 415 555 0134", "phone", True),
        ("+1", "phone", False),
        ("20261126T040000Z", "phone", False),
        ("1234567.000000000", "phone", False),
        (f"paid with {CARD}", "card", True),
        ("4111 1111 1111 1112", "card", False),  # fails Luhn
        ("a4111111111111111b0000000000000000", "card", False),  # digits inside a token
        ("+49 30 1234 5678 9004", "card", False),  # a phone number, though its digits pass Luhn
        (f"IBAN {IBAN}", "iban", True),
        ("DE88 3704 0044 0532 0130 00", "iban", False),  # fails mod-97
        ("65f0a1b2c3d4e5f601234567", "phone", False),  # an ObjectId
    ],
)
def test_detectors(text: str, kind: str, found: bool) -> None:
    assert detect(pa.array([text, None]), kind).to_pylist() == [found, False]


def test_scan_counts_planted_pii_in_kept_columns_and_never_shows_values() -> None:
    nested = [{"note": PLANTED[0]}, {"note": CARD}, {"note": None}]
    bio = [PLANTED[1], IBAN, PLANTED[4]]
    table = pa.table({"bio": bio, "items": [nested, [], None], "ok": ["a", "b", "c"]})
    report = scan_for_leaks(table, rules({"bio": "keep", "items[].note": "keep", "ok": "keep"}))
    assert not report.ok
    assert report.findings == {"bio": {"phone": 2, "iban": 1}, "items[].note": {"email": 1, "card": 1}}
    assert report.columns_scanned == ("bio", "items[].note", "ok")
    shown = str(report) + json.dumps(report.to_metadata()) + repr(report)
    assert not any(value in shown for value in PLANTED)


def test_masked_output_of_the_shipped_policy_scans_clean() -> None:
    table = pa.table({"email": PLANTED[:1] * 2, "phone": PLANTED[1:2] * 2, "name": ["Ada Lovelace"] * 2})
    masked, _ = mask(table, load_policy("people"))
    assert scan_for_leaks(masked, load_policy("people")).ok


def test_allow_exempts_a_pattern_in_a_field() -> None:
    table = pa.table({"support": ["help@acme.io"]})
    assert not scan_for_leaks(table, rules({"support": "keep"})).ok
    assert scan_for_leaks(table, rules({"support": {"action": "keep", "allow": ["email"]}})).ok


def test_fingerprints_find_a_raw_value_copied_into_a_kept_column() -> None:
    people = load_policy("people")
    source = pa.table(
        {
            "_id": ["1", "2", "3"],
            "last_name": ["Lovelace", "Hopper", "Jordan"],
            "title": ["Engineer", "Admiral", "Analyst"],
            "country": ["United Kingdom", "United States", "Jordan"],
            "_backup_id": ["b1"] * 3,
        }
    )
    fingerprints = collect_pii_fingerprints(source, people, KEY)
    assert len(fingerprints) == 2  # "jordan" is also a kept value (a country): not a finding when kept
    assert not any(v.lower() in fingerprints for v in ("Lovelace", "Hopper"))  # keyed hashes only
    masked, _ = mask(source, people)
    assert scan_for_leaks(masked, people, source_pii_hashes=fingerprints).ok
    leaked = masked.set_column(2, "title", pa.array(["Engineer", "  HOPPER ", "Analyst"]))
    report = scan_for_leaks(leaked, people, source_pii_hashes=fingerprints)
    assert report.findings == {"title": {"source_pii": 1}} and report.fingerprint_hits == {"title": 1}
    assert report.fingerprints_checked == 2


def test_fingerprints_are_keyed_and_a_plain_set_needs_the_key() -> None:
    source = pa.table({"name": ["Grace Hopper"]})
    mine = collect_pii_fingerprints(source, rules({}), KEY)
    assert mine.isdisjoint(collect_pii_fingerprints(source, rules({}), OTHER_KEY))
    with pytest.raises(ValueError, match="pass the key"):
        scan_for_leaks(source, rules({}), source_pii_hashes=set(mine))
    report = scan_for_leaks(source, rules({"name": "keep"}), source_pii_hashes=set(mine), key=KEY)
    assert report.fingerprint_hits == {"name": 1}


def test_fingerprint_sample_is_bounded_and_deterministic() -> None:
    source = pa.table({"name": [f"Person Number {i}" for i in range(500)]})
    first = collect_pii_fingerprints(source, rules({}), KEY, sample=100)
    assert len(first) == 100 and first == collect_pii_fingerprints(source, rules({}), KEY, sample=100)
