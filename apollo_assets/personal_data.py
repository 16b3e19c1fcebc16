"""What personal data looks like: the patterns and checksums that masking's detectors run over Arrow arrays, and
`personal_kind`, the same test on one text in Python.

It sits beside the packages rather than in `masking`, because the snapshot reader needs it too, without importing
masking: a document key that looks like personal data is data, never a column name (`mongo/field_stats.py`).
The patterns are written for RE2 (what `pyarrow.compute` runs) and mean the same in Python's `re`. Boundaries are
spelled `(?:^|[^\\w])` because RE2 has no look-behind; `\\b` alone would let a digit run inside a hex pseudonym
count as a card number.
"""

from __future__ import annotations

import re
from functools import lru_cache

# A whole value that is an email address (what the `email` action and email normalisation accept).
EMAIL_VALUE = r"^[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+$"
# An email address anywhere in a text.
EMAIL_IN_TEXT = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
# International numbers (`+` then 7 to 15 digits, common separators), and North-American formatted ones.
PHONE = (
    r"(?:^|[^\w+])\+\d(?:[\s().\-/]{0,2}\d){6,14}(?:$|[^\w])"
    r"|(?:^|[^\w])(?:\(\d{3}\)\s?|\d{3}[\s.\-])\d{3}[\s.\-]\d{4}(?:$|[^\w])"
)
CARD = r"(?:^|[^\w+])[2-6](?:[ \-]?\d){12,18}(?:$|[^\w])"
IBAN = r"(?:^|[^\w])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?:$|[^\w])"
URL = r"(?i)^\s*(?:https?://|www\.)\S+$"

CARD_RUN = re.compile(r"(?<![\w+])[2-6](?:[ \-]?\d){12,18}(?![\w])")
IBAN_RUN = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![\w])")

_EMAIL = re.compile(EMAIL_IN_TEXT)
_PHONE = re.compile(PHONE)
_URL = re.compile(r"(?i)(?:https?://|www\.)\S")
_NAME_SEPARATORS = re.compile(r"[ \-]")
KINDS = ("email", "phone", "card", "iban", "url", "name")


def luhn_valid(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    if not 13 <= len(digits) <= 19:
        return False
    total = sum(digits[-1::-2]) + sum(d * 2 - 9 if d > 4 else d * 2 for d in digits[-2::-2])
    return total % 10 == 0


def iban_valid(text: str) -> bool:
    compact = text.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def _is_capitalised_word(word: str) -> bool:
    return word[:1].isupper() and any(c.islower() for c in word) and all(c.isalpha() or c in "'\u2019" for c in word)


def looks_like_full_name(text: str) -> bool:
    """Two to four capitalised words (`Ada Lovelace`, `Jean-Luc Picard`): a person's name rather than a field's.

    One capitalised word (`Address`, `FirstName`) is how many schemas spell their field names, so it is not one.
    """
    words = _NAME_SEPARATORS.split(text)
    return 2 <= len(words) <= 4 and all(map(_is_capitalised_word, words))


@lru_cache(maxsize=1 << 16)
def personal_kind(text: str) -> str | None:
    """The kind of personal data ``text`` holds (one of `KINDS`), or None: for keys and names, one at a time."""
    if _EMAIL.search(text):
        return "email"
    if _PHONE.search(text):
        return "phone"
    if any(luhn_valid(m.group(0)) for m in CARD_RUN.finditer(text)):
        return "card"
    if any(iban_valid(m.group(0)) for m in IBAN_RUN.finditer(text)):
        return "iban"
    if _URL.search(text):
        return "url"
    if looks_like_full_name(text):
        return "name"
    return None
