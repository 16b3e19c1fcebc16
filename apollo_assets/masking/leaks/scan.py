"""Checking masked data for personal data: PII patterns in text fields, and values of the source's PII.

A report holds field paths and counts only, never a value: it goes to asset metadata and logs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import pyarrow as pa
import pyarrow.compute as pc

from apollo_assets.errors import KnownError
from apollo_assets.masking.arrow.walk import string_leaves
from apollo_assets.masking.ejson.texts import json_strings
from apollo_assets.masking.leaks.detectors import LEAK_PATTERNS, count_leaks
from apollo_assets.masking.leaks.fingerprints import fingerprints
from apollo_assets.masking.policy.model import MaskingPolicy
from apollo_assets.masking.tokens.key import MaskingKey

SOURCE_VALUE = "source_pii"  # the finding kind of a value equal to a PII value of the source


@dataclass(frozen=True)
class LeakReport:
    rows: int
    columns_scanned: tuple[str, ...]
    # field path → {pattern or "source_pii": number of values}; only what was found, never a value
    findings: dict[str, dict[str, int]]
    fingerprints_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def fingerprint_hits(self) -> dict[str, int]:
        return {path: kinds[SOURCE_VALUE] for path, kinds in self.findings.items() if SOURCE_VALUE in kinds}

    def to_metadata(self) -> dict[str, object]:
        return {"ok": self.ok, **asdict(self)}

    def __str__(self) -> str:
        if self.ok:
            return f"no PII found ({len(self.columns_scanned)} text fields, {self.rows} rows)"
        return "PII found: " + "; ".join(f"{path} {kinds}" for path, kinds in self.findings.items())

    def counts(self) -> str:
        """How many values of each kind, in how many fields: no field name, no value (for error messages)."""
        totals: dict[str, int] = defaultdict(int)
        for kinds in self.findings.values():
            for kind, count in kinds.items():
                totals[kind] += count
        shown = ", ".join(f"{kind} {count}" for kind, count in sorted(totals.items()))
        return f"{sum(totals.values())} values ({shown}) in {len(self.findings)} fields of {self.rows} rows"


class LeakFoundError(KnownError, RuntimeError):
    """Masked data about to be published holds personal data; it was not published. Carries the report; the
    message has counts only (no value, no field name)."""

    def __init__(self, where: str, report: LeakReport) -> None:
        super().__init__(
            f"{where}: the masked data holds personal data, {report.counts()}; not published (the previous "
            "version, if any, stays)"
        )
        self.report = report


def merge_reports(reports: Iterable[LeakReport]) -> LeakReport:
    """One report for the batches of one dataset, scanned one at a time."""
    rows, checked = 0, 0
    scanned: dict[str, None] = {}
    findings: dict[str, dict[str, int]] = defaultdict(dict)
    for report in reports:
        rows += report.rows
        checked = max(checked, report.fingerprints_checked)
        scanned.update(dict.fromkeys(report.columns_scanned))
        for path, kinds in report.findings.items():
            for kind, count in kinds.items():
                findings[path][kind] = findings[path].get(kind, 0) + count
    return LeakReport(rows, tuple(scanned), dict(findings), checked)


def scan_for_leaks(
    table: pa.Table | pa.RecordBatch,
    policy: MaskingPolicy,
    *,
    source_pii_hashes: set[str] | None = None,
    key: MaskingKey | None = None,
) -> LeakReport:
    """Scan every text field (nested ones too) for emails, phones, cards and IBANs, except the patterns a
    field's rule `allow`s; and for values of the source's PII (``source_pii_hashes`` from
    `collect_pii_fingerprints`, which carries its key; a plain set needs ``key``), whole or inside JSON text
    (every string and key of a value that parses as a JSON document, array or string)."""
    key = key or getattr(source_pii_hashes, "key", None)
    if source_pii_hashes and key is None:
        raise ValueError("source_pii_hashes is a plain set: pass the key it was collected with (key=...)")
    lookup = pa.array(sorted(source_pii_hashes or ()), pa.string())
    findings: dict[str, dict[str, int]] = defaultdict(dict)
    scanned: dict[str, None] = {}
    for path, values in string_leaves(table):
        scanned[path] = None
        rule = policy.governing_rule(path)
        kinds = tuple(k for k in LEAK_PATTERNS if rule is None or k not in rule.allow)
        counts = count_leaks(values, kinds)
        if len(lookup):
            hits = pc.sum(pc.is_in(fingerprints(values, key), value_set=lookup)).as_py() or 0
            inside = json_strings(values)  # texts inside JSON values: a drifted document, a map's keys
            if len(inside):
                hits += pc.sum(pc.is_in(fingerprints(inside, key), value_set=lookup)).as_py() or 0
            counts[SOURCE_VALUE] = hits
        for kind, count in counts.items():
            if count:
                findings[path][kind] = findings[path].get(kind, 0) + count
    return LeakReport(table.num_rows, tuple(scanned), dict(findings), len(lookup))
