"""PII value detectors on Arrow string arrays: email, phone, payment card (Luhn), IBAN (mod-97), URL, name.

The patterns (`apollo_assets.personal_data`) are RE2, what `pyarrow.compute` runs. A regex finds candidates for
the whole array at once; cards and IBANs then need a checksum, computed in Python on the candidates only, which
are rare in masked data.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

from apollo_assets.personal_data import (
    CARD,
    CARD_RUN,
    EMAIL_IN_TEXT,
    EMAIL_VALUE,
    IBAN,
    IBAN_RUN,
    PHONE,
    URL,
    iban_valid,
    luhn_valid,
)

# An email address in a text whose local part is a 32-hex pseudonym (masked output, removed before looking).
PSEUDONYMOUS_EMAIL = r"(?:^|[^\w.%+\-])[0-9a-f]{32}@"
_WORD = "\\p{Lu}[\\p{L}'\u2019]*\\p{Ll}[\\p{L}'\u2019]*"  # \u2019: typographic apostrophe
NAME = rf"^{_WORD}(?:[ \-]{_WORD}){{0,3}}$"  # 1 to 4 capitalised words: a weak signal, for suggestions only


def _any_checked(pattern: re.Pattern[str], check: Callable[[str], bool]) -> Callable[[str], bool]:
    return lambda text: any(check(m.group(0)) for m in pattern.finditer(text))


_CHECKS: dict[str, Callable[[str], bool]] = {
    "card": _any_checked(CARD_RUN, luhn_valid),
    "iban": _any_checked(IBAN_RUN, iban_valid),
}
LEAK_PATTERNS: dict[str, str] = {"email": EMAIL_IN_TEXT, "phone": PHONE, "card": CARD, "iban": IBAN}
VALUE_PATTERNS: dict[str, str] = {**LEAK_PATTERNS, "email": EMAIL_VALUE, "url": URL, "name": NAME}


def detect(values: pa.Array, kind: str) -> pa.BooleanArray:
    """Per value: does it contain (leak patterns) or look like (url, name) PII of this kind? Nulls: false."""
    if kind == "email":  # pseudonymous emails (`<32 hex>@domain`) are masked output, not a finding
        values = pc.replace_substring_regex(values, PSEUDONYMOUS_EMAIL, " ")
    pattern = LEAK_PATTERNS.get(kind) or VALUE_PATTERNS[kind]
    found = pc.fill_null(pc.match_substring_regex(values, pattern), False)
    check = _CHECKS.get(kind)
    if check is None or not pc.any(found).as_py():
        return found
    where = pc.indices_nonzero(found)
    confirmed = [check(text) for text in values.take(where).to_pylist()]
    return pc.replace_with_mask(found, found, pa.array(confirmed, pa.bool_()))


# Whole values that no leak pattern can match: ObjectIds, pseudonyms, and masked emails whose domain has no digit
# (a pattern needs an `@` more, a `+`, a separator between digits, a digit run at a word boundary or upper case).
_MASKED_SHAPE = r"^(?:[0-9a-f]{24}|[0-9a-f]{32}(?:@[A-Za-z.\-]+)?)$"


def count_leaks(values: pa.Array, kinds: tuple[str, ...] = tuple(LEAK_PATTERNS)) -> dict[str, int]:
    """How many values hold each kind of PII (only kinds found).

    Each distinct value is tested once (masked data repeats its kept values: titles, cities), and values of a
    masked shape not at all; the counts are of values, repetitions included."""
    distinct = pc.value_counts(values)
    texts, repeats = distinct.field("values"), distinct.field("counts")
    candidates = pc.invert(pc.fill_null(pc.match_substring_regex(texts, _MASKED_SHAPE), True))
    texts, repeats = texts.filter(candidates), repeats.filter(candidates)
    counts = {kind: pc.sum(pc.if_else(detect(texts, kind), repeats, 0)).as_py() or 0 for kind in kinds}
    return {kind: count for kind, count in counts.items() if count}


def share_like(values: pa.Array, kind: str) -> float:
    """Share of non-null values that look like ``kind`` (for policy suggestion)."""
    present = len(values) - values.null_count
    return (pc.sum(detect(values, kind)).as_py() or 0) / present if present else 0.0
