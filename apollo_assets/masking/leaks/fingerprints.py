"""Keyed fingerprints of a source's personal values, to look for them in masked data without keeping them.

A fingerprint is the HMAC of the value stripped and lowercased, under a key derived from the masking key
(so it never equals a pseudonym of the lake). Not fingerprinted: values under 4 characters, and values
the source also holds in a kept field (a last name that is also a country): found where they are kept,
they would not be leaks.

Extended JSON text columns are also taken apart (`ejson.texts`): each string, ObjectId and key inside them is
kept or personal by what the policy says of its real path (a string at a path whose rule is `keep`, a key the
policy names), never by what the masker made of it, so that a masking error cannot whitelist its own leak.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from apollo_assets.masking.arrow.walk import json_roots, string_leaves
from apollo_assets.masking.ejson.texts import parsed_rows, texts_in
from apollo_assets.masking.plan import Planner
from apollo_assets.masking.policy.model import ALWAYS_KEPT, MaskingPolicy
from apollo_assets.masking.policy.paths import normalize_path
from apollo_assets.masking.report import MaskingReport
from apollo_assets.masking.tokens.distinct import per_distinct
from apollo_assets.masking.tokens.hmac_arrays import TOKEN_CHARS, hmac_tokens
from apollo_assets.masking.tokens.key import MaskingKey

PURPOSE = "leak-fingerprint"
MIN_CHARS = 4
# Masked output (pseudonyms, masked emails) is not fingerprinted: it cannot be a source value, and the
# HMAC is the expensive part of a scan.
_PSEUDONYM_SHAPED = rf"^[0-9a-f]{{{TOKEN_CHARS}}}(?:@\S*)?$"


class PiiFingerprints(set[str]):
    """Fingerprints that remember the key they were made with, so that a scan can fingerprint alike.

    Set operations return plain sets, which then need the key passed to `scan_for_leaks`.
    """

    def __init__(self, fingerprints: Iterable[str] = (), key: MaskingKey | None = None) -> None:
        super().__init__(fingerprints)
        self.key = key


def collect_pii_fingerprints(
    table: pa.Table | pa.RecordBatch, policy: MaskingPolicy, key: MaskingKey, sample: int = 10_000
) -> PiiFingerprints:
    """Fingerprints of up to ``sample`` distinct values of each text field the policy does not keep."""
    return collect_backup_fingerprints([(table, policy)], key, sample)


def collect_backup_fingerprints(
    sources: Iterable[tuple[pa.Table | pa.RecordBatch, MaskingPolicy]], key: MaskingKey, sample: int = 10_000
) -> PiiFingerprints:
    """The fingerprints of several collections of one backup, e.g. to scan the warehouse built from them.

    A value some collection keeps is fingerprinted by none: the warehouse may legitimately carry it (an
    organization's name, kept in `organizations`, is also the employer in a person's history).
    """
    personal: dict[tuple[str, str], list[pa.Array]] = defaultdict(list)
    kept: list[pa.Array] = []
    for table, policy in sources:
        report = MaskingReport(policy.collection, policy.source, policy.is_default, key.key_id)
        Planner(policy, report).plan_schema(table.schema)
        roots = json_roots(table.schema)
        for path, values in string_leaves(table):
            if path in roots:  # by the texts inside (a document's whole text has no meaning of its own)
                inside_kept, inside_personal = _json_texts(values, roots[path], policy)
                kept.append(inside_kept)
                personal[policy.collection, path].append(inside_personal)
            elif path != ALWAYS_KEPT:
                keep = report.actions.get(path) == "keep"
                (kept if keep else personal[policy.collection, path]).append(values)
    legitimate = _distinct_normalized(kept)
    found = PiiFingerprints(key=key)
    for arrays in personal.values():
        distinct = _distinct_normalized(arrays)
        known = pc.is_in(distinct, value_set=legitimate)
        distinct = distinct.filter(pc.and_not(pc.greater_equal(pc.utf8_length(distinct), MIN_CHARS), known))
        if len(distinct) > sample:  # a fixed seed: the same source gives the same fingerprints
            distinct = distinct.take(np.random.default_rng(0).choice(len(distinct), sample, replace=False))
        found.update(hmac_tokens(distinct, _secret(key)).to_pylist())
    return found


def fingerprints(values: pa.Array, key: MaskingKey) -> pa.Array:
    """The fingerprint of each value; null for nulls and for masked output."""
    candidates = pc.if_else(pc.match_substring_regex(values, _PSEUDONYM_SHAPED), None, values)
    secret = _secret(key)
    return per_distinct(candidates, lambda d: hmac_tokens(_normalize(d), secret))


def _json_texts(values: pa.Array, root: str, policy: MaskingPolicy) -> tuple[pa.Array, pa.Array]:
    """(kept, personal) texts inside the JSON values of a column, by the policy's rules for their paths."""
    kept, personal = [], []
    for value in parsed_rows(values):
        for path, text, is_key in texts_in(value, root):
            rule = policy.rule(path)
            if is_key:
                legitimate = rule is not None or normalize_path(path) in policy.enclosing_paths
            else:
                legitimate = rule is not None and rule.action == "keep"
            (kept if legitimate else personal).append(text)
    return pa.array(kept, pa.string()), pa.array(personal, pa.string())


def _distinct_normalized(arrays: list[pa.Array]) -> pa.Array:
    if not arrays:
        return pa.array([], pa.string())
    return pc.unique(_normalize(pa.concat_arrays(arrays))).drop_null()


def _normalize(values: pa.Array) -> pa.Array:
    return pc.utf8_lower(pc.utf8_trim_whitespace(values))


def _secret(key: MaskingKey) -> bytes:
    return key.derive(PURPOSE).secret
