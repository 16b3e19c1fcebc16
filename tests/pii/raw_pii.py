"""The raw personal data of generated backups (read straight from their BSON), and a scanner for it in text."""

from __future__ import annotations

import gzip
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import bson

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
WORD = re.compile(r"[^\W\d_]+(?:['\u2019\-][^\W\d_]+)*")
NAMED = {"people": ("first_name", "last_name"), "users": ("first_name", "last_name")}
NAMED |= {"contacts": ("first_name", "last_name")}
EMAILS = {"people": "email", "users": "email", "contacts": "email", "accounts": "billing_email"}
EMAILS |= {"emailer_messages": "to_email"}


@dataclass
class RawPii:
    emails: set[str] = field(default_factory=set)  # lowercased
    names: set[str] = field(default_factory=set)  # full names, lowercased

    def found_in(self, text: str) -> set[str]:
        """The emails and full names of this set that occur in ``text`` (case-insensitive, whole words)."""
        lowered = text.lower()
        hits = {e for e in EMAIL.findall(lowered) if e in self.emails}
        words = WORD.findall(lowered)
        longest = max((len(n.split()) for n in self.names), default=0)
        for size in range(1, longest + 1):
            grams = {" ".join(w) for w in zip(*(itertools.islice(words, i, None) for i in range(size)), strict=False)}
            hits |= grams & self.names
        return hits


def documents(backup_dir: Path, collection: str) -> Iterator[dict]:
    path = backup_dir / "apollo" / f"{collection}.bson"
    raw = path.read_bytes() if path.exists() else gzip.decompress(path.with_suffix(".bson.gz").read_bytes())
    yield from bson.decode_all(raw)


def raw_pii(backup_dir: Path) -> RawPii:
    pii = RawPii()
    for collection, email_field in EMAILS.items():
        for doc in documents(backup_dir, collection):
            if isinstance(doc.get(email_field), str):
                pii.emails.add(doc[email_field].strip().lower())
            if collection == "emailer_messages":  # free text quoting addresses
                pii.emails.update(e.lower() for e in EMAIL.findall(f"{doc.get('subject')} {doc.get('body')}"))
    for collection, (first, last) in NAMED.items():
        for doc in documents(backup_dir, collection):
            if isinstance(doc.get(first), str) and isinstance(doc.get(last), str):
                pii.names.add(f"{doc[first]} {doc[last]}".lower())
            if isinstance(doc.get("name"), str):
                pii.names.add(doc["name"].lower())
    return pii
