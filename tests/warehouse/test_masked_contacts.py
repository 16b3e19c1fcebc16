"""The staging of `contacts` on the real masked lake: `custom_fields` (a map kept by shape, its keys and texts
pseudonymised) is still a JSON object whose keys dbt counts, and none of its raw keys or texts is in the lake."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from apollo_assets.masking import Masker, MaskingKey, load_policy
from tests.mongo.helpers import snapshot_of

from .conftest import new_warehouse

sample_data = pytest.importorskip("apollo_assets.sample_data")
BACKUP = "20261126T040000Z"


def test_custom_field_count_counts_the_real_keys_of_the_masked_map(tmp_path, dbt_work) -> None:
    database = sample_data.generate_database(seed=3, generation=0, sizes=sample_data.Sizes().scaled(0.2))
    contacts = database["contacts"]
    snapshot = snapshot_of(tmp_path / "snapshot", contacts)
    source = pa.Table.from_batches(list(snapshot.batches()), snapshot.schema)
    masker = Masker(load_policy("contacts"), MaskingKey(b"warehouse-contacts-key-0123456789abcdef"), source.schema)
    masked = masker.mask_table(source)
    raw = {text for c in contacts for key, f in c["custom_fields"].items() for text in (key, f["label"], f["value"])}
    lake_text = str(masked.column("custom_fields").to_pylist()) + str(masked.schema)
    assert raw and not any(text in lake_text for text in raw if len(text) > 3)

    wh = new_warehouse(tmp_path / "warehouse", dbt_work, mode="view")
    wh.lake.load(BACKUP, database)
    pq.write_table(masked, wh.lake._file("contacts", BACKUP))  # the real masked lake, not the test builder's
    build = wh.dbt("build", "--select", "stg_contacts", backup_ids=[BACKUP])
    assert build.result.success, "\n".join(build.failures())
    counts = dict(wh.query("select contact_id, custom_field_count from staging.stg_contacts"))
    assert counts == {str(c["_id"]): len(c["custom_fields"]) for c in contacts}
