"""Masking Extended JSON text columns (drift, maps and the other text fallbacks of the snapshot) by the shape of
each value, field by field, so that a kept field passes only scalars.

A column whose values are Extended JSON text is masked per row, by one recursive masker of the parsed value:

* a scalar (string, number, bool, date, decimal, ObjectId, null) gets the rule of the field: `keep` passes it as
  it is, `email`/`phone` mask a string, anything unlisted is fail-closed (text hashed, other scalars dropped);
* a document keeps the keys the policy names by real nesting (`address.city` for a drifted `address`, `prefs.theme`
  for a map `prefs`), each masked by its own rule; any other key is replaced by its pseudonym (the token `hash`
  gives it) and its value masked fail-closed, or the pair is dropped under `default: drop`;
* an array's elements are masked under the rule of the array (`tags` and `tags[]` are one field);
* anything else (binary, code, regular expression, timestamp, DBRef...) is hashed under `keep`, dropped unlisted.

The output is Extended JSON text again (the column keeps its type, the warehouse keeps parsing it). Only the rows
that need it are parsed: under `keep`, the rows whose type (from the drift type column, else from their first
character) is a scalar pass without being touched. Tokens are computed once per distinct text for the whole
batch: the values are walked twice, the first walk collecting what needs a token, the second using them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from apollo_assets.masking.contact import country_codes, email_tokens
from apollo_assets.masking.ejson.shapes import ARRAY, DOCUMENT, NULL, OBJECT_ID, SCALAR, STRING, shape
from apollo_assets.masking.policy.model import FieldRule, MaskingPolicy
from apollo_assets.masking.policy.paths import child_path, normalize_path
from apollo_assets.masking.tokens.pseudonym import hash_array

REDACTED = "[REDACTED]"
# The drift type names of the scalars `keep` passes as they are.
# Built as an Arrow array where it is used: `pa.array` at import time would import pandas with the definitions.
SCALAR_TYPES = ("string", "int", "long", "double", "bool", "date", "decimal", "objectId", "null")
_DROP = object()  # a value (or key) that does not go to the output
Token = Callable[[str, str], str]  # (transform, text) -> masked text; transform: hash, email, phone

_TRANSFORMS: dict[str, Callable[[pa.Array, bytes], pa.Array]] = {
    "hash": lambda values, secret: hash_array(values, secret, normalize=True),
    "email": email_tokens,
    "phone": lambda values, secret: country_codes(values),
}


class _Unparsable(str):
    """A row that is not JSON (a hand-made table): opaque, never kept."""


class JsonMasker:
    """Masks the parsed values of one Extended JSON column at ``path`` (array steps included) under ``rule``."""

    def __init__(self, policy: MaskingPolicy, path: str, rule: FieldRule | None) -> None:
        self.policy, self.path, self.rule = policy, path, rule

    def mask_texts(self, texts: list[str], secret: bytes, documents: list[bool] | None = None) -> list[str | None]:
        """The masked text of each row (None: null). ``documents[i]``: row i is a document whatever its keys.

        Each distinct row is masked once (maps repeat: empty ones, the same fields in many documents)."""
        rows = list(zip(texts, [False] * len(texts) if documents is None else documents, strict=True))
        distinct = list(dict.fromkeys(rows))
        masked = dict(zip(distinct, self._mask_distinct(distinct, secret), strict=True))
        return [masked[row] for row in rows]

    def _mask_distinct(self, rows: list[tuple[str, bool]], secret: bytes) -> list[str | None]:
        values = [_parse(text) for text, _ in rows]
        wrappers = [not document for _, document in rows]
        wanted: dict[str, dict[str, None]] = {name: {} for name in _TRANSFORMS}

        def collect(transform: str, text: str) -> str:
            wanted[transform][text] = None
            return text

        for value, w in zip(values, wrappers, strict=True):
            self.value(value, self.path, self.rule, collect, wrappers=w)
        done = {name: _apply(name, list(found), secret) for name, found in wanted.items() if found}

        def resolved(transform: str, text: str) -> str:
            return done[transform][text]

        masked = [self.value(v, self.path, self.rule, resolved, w) for v, w in zip(values, wrappers, strict=True)]
        return [None if m is None or m is _DROP else json.dumps(m) for m in masked]

    def value(self, value: Any, path: str, rule: FieldRule | None, token: Token, wrappers: bool = True) -> Any:
        kind = shape(value, wrappers=wrappers)
        if kind == NULL:
            return None
        action = rule.action if rule is not None else None
        if action == "drop":
            return _DROP
        if action == "hash":
            return token("hash", _text_of(value, kind))
        if action == "redact":
            return REDACTED if kind == STRING else None
        if kind == DOCUMENT:
            return self._document(value, path, token)
        if kind == ARRAY:
            items = (self.value(item, path + "[]", rule, token) for item in value)
            return [None if item is _DROP else item for item in items]
        if action == "keep":
            return value if kind in (STRING, SCALAR, OBJECT_ID) else token("hash", _text_of(value, kind))
        if action in ("email", "phone") and kind == STRING:
            return token(action, value)
        # Fail-closed: unlisted (the policy's default), or an action that does not apply to this value (hash).
        if (self.policy.default if rule is None else "hash") == "drop":
            return _DROP
        return token("hash", _text_of(value, kind)) if kind in (STRING, OBJECT_ID) else _DROP

    def _document(self, document: dict[str, Any], path: str, token: Token) -> dict[str, Any]:
        if normalize_path(path) not in self.policy.enclosing_paths:
            return self._unnamed(document, token)  # no rule names anything inside: every key is unnamed
        out = {}
        for key, item in document.items():
            below = child_path(path, key)
            rule = self.policy.rule(below)
            named = rule is not None or normalize_path(below) in self.policy.enclosing_paths
            if not named and self.policy.default == "drop":
                continue
            masked = self.value(item, below, rule, token)
            if masked is not _DROP:
                out[key if named else token("hash", key)] = masked
        return out

    def _unnamed(self, document: dict[str, Any], token: Token) -> dict[str, Any]:
        """A document no rule reaches into: each key pseudonymised, each value fail-closed (no path is built)."""
        if self.policy.default == "drop":
            return {}
        out = {}
        for key, item in document.items():
            masked = self._fail_closed(item, token)
            if masked is not _DROP:
                out[token("hash", key)] = masked
        return out

    def _fail_closed(self, value: Any, token: Token) -> Any:
        """What `value` gives with no rule anywhere in it and `default: hash` (as `value(..., rule=None)`)."""
        kind = shape(value)
        if kind in (STRING, OBJECT_ID):
            return token("hash", _text_of(value, kind))
        if kind == NULL:
            return None
        if kind == DOCUMENT:
            return self._unnamed(value, token)
        if kind == ARRAY:
            return [None if (item := self._fail_closed(v, token)) is _DROP else item for v in value]
        return _DROP


def mask_json_column(values: pa.Array, types: pa.Array | None, masker: JsonMasker, secret: bytes) -> pa.Array:
    """The column masked row by row; under `keep`, scalar rows (by ``types``, the drift type names, else by their
    first character) are not even parsed. Returns an array of the input's type."""
    plain = _plain_strings(values)
    types = types if types is not None and len(types) == len(plain) else None
    needs = plain.is_valid()
    if masker.rule is not None and masker.rule.action == "keep":
        if types is not None:
            needs = pc.and_(needs, pc.invert(pc.fill_null(pc.is_in(types, value_set=pa.array(SCALAR_TYPES)), False)))
        else:
            needs = pc.and_(needs, pc.fill_null(pc.match_substring_regex(plain, r"^[\[{]"), False))
    if not pc.any(needs).as_py():
        return values
    rows = pc.indices_nonzero(needs)
    documents = None if types is None else pc.fill_null(pc.equal(types.take(rows), "object"), False).to_pylist()
    masked = masker.mask_texts(plain.take(rows).to_pylist(), secret, documents)
    out = pc.replace_with_mask(plain, needs, pa.array(masked, pa.string()))
    return out if out.type == values.type else out.cast(values.type)


def _plain_strings(values: pa.Array) -> pa.Array:
    if pa.types.is_dictionary(values.type):
        values = values.dictionary.take(values.indices)
    return values if pa.types.is_string(values.type) else values.cast(pa.string())


def _parse(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return _Unparsable(text)


def _text_of(value: Any, kind: str) -> str:
    """The text a value is hashed as: a string as it is, an ObjectId's hex (as its column would hold it), anything
    else its JSON text."""
    if isinstance(value, str):
        return str(value)
    if kind == OBJECT_ID:
        return value["$oid"]
    return json.dumps(value)


def _apply(transform: str, texts: list[str], secret: bytes) -> dict[str, str]:
    out = _TRANSFORMS[transform](pa.array(texts, pa.string()), secret).to_pylist()
    return dict(zip(texts, out, strict=True))
