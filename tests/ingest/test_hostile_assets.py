"""The `mongo/contacts` and `lake/contacts` assets on hostile contacts: no personal key or value reaches the Dagster
event log (materialization metadata, check results, log messages), and the lake's leak check passes."""

from __future__ import annotations

import json

import dagster as dg
import pytest

from apollo_assets.ingest.assets import snapshot_assets
from apollo_assets.masking.assets import lake_assets
from apollo_assets.masking.resource import MaskingKeyResource
from tests.backups.conftest import MARKER, marker, resources_for
from tests.mongo.helpers import write_dump

BACKUP = "20261126T040000Z"
EMAIL, PHONE, NAME = "grace.hopper@navy.example", "+1 415 555 0134", "Grace Hopper"
STREET = "1 Infinite Loop"


def _contacts() -> list[dict]:
    contacts = []
    for i in range(12):
        contacts.append(
            {
                "_id": i,
                "first_name": "Ada",
                "stage": "cold" if i % 2 else {"owner": NAME, "street": STREET},  # kept, drifting into a document
                "custom_fields": {EMAIL: {"label": "Referrer", "value": PHONE}, f"cf{i}": {"label": "x", "value": "y"}},
                "prefs": {"theme": "dark", NAME: {"muted": True}},  # unlisted map keyed by a name
            }
        )
    contacts.append({"_id": 99, EMAIL: "subscribed"})  # a top-level key that is personal data: quarantined
    return contacts


@pytest.mark.integration  # Dagster runs
def test_no_personal_key_or_value_reaches_the_event_log(tmp_path) -> None:
    folder = tmp_path / "backups" / BACKUP
    path = write_dump(folder / "apollo", "contacts", _contacts())
    entry = {"contacts": {"documents": 13, "file": "apollo/contacts.bson", "bytes": path.stat().st_size}}
    (folder / MARKER).write_text(json.dumps(marker(BACKUP, entry)))
    assets = [a for a in [*snapshot_assets, *lake_assets] if a.key.path[1] == "contacts"]
    resources = {
        **resources_for(str(tmp_path / "backups"), tmp_path),
        "masking_key": MaskingKeyResource(data_dir=str(tmp_path), key="ab" * 32),
    }
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("backups", [BACKUP])
        config = {"ops": {"mongo__contacts": {"config": {"max_quarantine_share": 0.1}}}}
        result = dg.materialize(assets, partition_key=BACKUP, resources=resources, instance=instance, run_config=config)
        assert result.success
        logged = [record for record in instance.all_logs(result.run_id)]
    (check,) = result.get_asset_check_evaluations()
    assert check.passed, check.metadata
    shown = "\n".join(repr(entry) for entry in logged)
    assert "quarantined" in shown and "custom_fields" in shown  # the metadata is there, and was looked at
    for value in (EMAIL, PHONE, NAME, STREET):
        assert value.lower() not in shown.lower(), value
