"""Fuzzing the Masker with hostile collections (`tests/hostile.py`), read by the real snapshot reader and through
the snapshot's Parquet file (so the field metadata is the writer's own, as the masking step reads it).

No planted personal value may be in the masked values (JSON text included), the masked schema (field names and
metadata) or the masker's report; and the leak check that guards the lake must pass on the output, and find the
planted values when they are copied into it. `apollo ingest` over the same strategy: tests/ingest.

A normal run makes a few hundred examples; `pytest --hypothesis-profile=deep` (tests/conftest.py) thousands.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, event, given, settings

from apollo_assets.masking import (
    Masker,
    PolicyError,
    collect_pii_fingerprints,
    policy_from_yaml,
    scan_for_leaks,
)
from apollo_assets.mongo import SchemaError
from tests.hostile import COLLECTION, hostile_collection, policy_yaml
from tests.mongo.helpers import snapshot_of

from .helpers import KEY, strings

EXAMPLES = max(settings.default.max_examples, 300)


def _snapshot(documents: list[dict]) -> pa.Table | None:
    """The snapshot as the masking step reads it (None when the reader refuses the collection: one-line error)."""
    with tempfile.TemporaryDirectory() as tmp:
        try:
            snapshot = snapshot_of(Path(tmp), documents)
            table = pa.Table.from_batches(list(snapshot.batches()), snapshot.schema)
        except SchemaError as error:
            assert "\n" not in str(error)
            return None
        path = Path(tmp) / "part-0000.parquet"
        pq.write_table(table, path)
        return pq.read_table(path)


@settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(collection=hostile_collection())
def test_no_planted_value_survives_masking(collection) -> None:
    documents, planted, default = collection
    source = _snapshot(documents)
    if source is None:
        event("refused: generated column name clash")
        return
    policy = policy_from_yaml(policy_yaml(default), "hostile.yaml", COLLECTION)
    try:
        masker = Masker(policy, KEY, source.schema)
    except PolicyError as error:  # a rule that now matches the data only without its `[]`
        event("refused: policy rule without []")
        assert "\n" not in str(error) and not planted.found_in(str(error))
        return
    masked = masker.mask_table(source)
    event(f"JSON text columns masked by shape: {sum(a == 'json' for a in _actions(masker.steps))}")
    shown = {
        "values": "\n".join(strings(masked.to_pylist())),
        "schema": masked.schema.to_string(show_field_metadata=True, show_schema_metadata=True),
        "report": json.dumps(masker.report.to_metadata(), ensure_ascii=False),
    }
    for where, text in shown.items():
        assert not planted.found_in(text), f"planted values in the masked {where}: {planted.found_in(text)}"

    fingerprints = collect_pii_fingerprints(source, policy, KEY)
    report = scan_for_leaks(masked, policy, source_pii_hashes=fingerprints)
    assert report.ok, str(report)
    assert not planted.found_in(str(report) + json.dumps(report.to_metadata()))


def _actions(steps) -> list[str]:
    return [a for s in steps for a in (s.action, *_actions(step for _, step in s.children))]
