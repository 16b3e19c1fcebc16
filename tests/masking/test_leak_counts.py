"""`count_leaks` tests each distinct value once and skips masked shapes, and still counts every value."""

from __future__ import annotations

import pyarrow as pa

from apollo_assets.masking.leaks.detectors import count_leaks

TOKEN = "0123456789abcdef0123456789abcdef"


def test_repeated_values_count_once_each_time_they_occur() -> None:
    values = pa.array(["call +44 20 7946 0958"] * 3 + ["ada@example.com", None, "Engineer", "ada@example.com"])
    assert count_leaks(values) == {"phone": 3, "email": 2}


def test_masked_shapes_are_never_findings_but_what_hides_in_a_masked_looking_value_is() -> None:
    clean = pa.array([TOKEN, f"{TOKEN}@acme.io", "65f0a1b2c3d4e5f601234567", "4111111111111111"[:12]])
    assert count_leaks(clean) == {}
    # Not of a masked shape (digits in the "domain", an upper-case token): scanned like any text.
    hiding = pa.array([f"{TOKEN}@+44 20 7946 0958", f"{TOKEN}@4111-1111-1111-1111", f"x{TOKEN}@a.io b@c.io"])
    assert count_leaks(hiding) == {"phone": 1, "card": 1, "email": 1}
