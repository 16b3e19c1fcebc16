"""Email addresses and phone numbers, masked once per distinct value (plain `string` arrays in and out)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from apollo_assets.masking.leaks.detectors import EMAIL_VALUE
from apollo_assets.masking.tokens.pseudonym import hash_distinct

UNKNOWN_COUNTRY_CODE = "+?"  # the phone action's output for a value it cannot parse: never the raw value
PHONE_VALUE = r"^(?:\+|00)[\s(]*[1-9](?:[\s().\-/]{0,2}\d){6,14}$"
_FIRST_DIGITS = r"^(?:\+|00)[\s(]*(?P<a>\d)[\s().\-/]*(?P<b>\d)[\s().\-/]*(?P<c>\d)"
# E.164 country codes are prefix-free: 1 and 7 are one digit, these are two, every other code is three. Kept as
# Python strings: `pa.array` of a list imports pandas (pyarrow's check for pandas input), which the definitions
# must not pay for at import.
_TWO_DIGIT_CODES = (
    [str(code) for code in (20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52)]
    + [str(code) for code in (53, 54, 55, 56, 57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91)]
    + [str(code) for code in (92, 93, 94, 95, 98)]
)


def email_tokens(values: pa.Array, secret: bytes) -> pa.Array:
    """`<token>@domain` (lowercased), the token hashing the whole normalised address; a value that is not
    an email is hashed whole, as `hash` would."""
    normalized = pc.utf8_lower(pc.utf8_trim_whitespace(values))
    is_email = pc.fill_null(pc.match_substring_regex(normalized, EMAIL_VALUE), False)
    tokens = hash_distinct(pc.if_else(is_email, normalized, values), secret, normalize=False)
    parts = pc.split_pattern(normalized, "@", max_splits=1, reverse=True)  # [local, domain] for emails
    domain_at = pc.if_else(is_email, pc.add(parts.offsets[:-1], 1), None)
    domains = parts.values.take(domain_at)
    return pc.if_else(is_email, pc.binary_join_element_wise(tokens, domains, "@"), tokens)


def country_codes(values: pa.Array) -> pa.Array:
    """`+<country code>` of international numbers (`+` or `00`), else `+?`."""
    trimmed = pc.utf8_trim_whitespace(values)
    parsable = pc.fill_null(pc.match_substring_regex(trimmed, PHONE_VALUE), False)
    first = pc.extract_regex(pc.if_else(parsable, trimmed, "+000"), _FIRST_DIGITS)
    one, two = first.field("a"), pc.binary_join_element_wise(first.field("a"), first.field("b"), "")
    three = pc.binary_join_element_wise(two, first.field("c"), "")
    two_or_three = pc.if_else(pc.is_in(two, pa.array(_TWO_DIGIT_CODES, pa.string())), two, three)
    code = pc.if_else(pc.is_in(one, pa.array(["1", "7"])), one, two_or_three)
    return pc.if_else(parsable, pc.binary_join_element_wise("+", code, ""), UNKNOWN_COUNTRY_CODE)
