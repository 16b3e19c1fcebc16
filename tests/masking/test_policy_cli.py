"""`apollo policy suggest BACKUP`: drafts for the collections without a policy, from generated and real dumps."""

from __future__ import annotations

from pathlib import Path

import bson
import pytest
import yaml
from click.testing import CliRunner, Result

import apollo_assets.cli.policy as policy_cli
from apollo_assets.masking import Masker, policy_from_yaml
from apollo_assets.mongo import open_backup, read_snapshot
from apollo_assets.mongo.archive_writer import ArchiveCollectionSpec, write_archive
from apollo_assets.sample_data import Sizes, write_sample_backup

from .helpers import KEY


@pytest.fixture(scope="module")
def backup(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample_backup(tmp_path_factory.mktemp("bucket"), sizes=Sizes().scaled(0.1))


def suggest(*args: str) -> Result:
    return CliRunner().invoke(policy_cli.policy, ["suggest", *map(str, args)], catch_exceptions=False)


def drafts(output: str) -> dict[str, dict]:
    """Each printed draft (YAML documents), by collection."""
    return {doc["collection"]: doc for doc in yaml.safe_load_all(output) if doc}


def test_a_backup_whose_collections_all_have_policies_gets_no_draft(backup: Path) -> None:
    result = suggest(backup)
    assert result.exit_code == 0 and "Every collection of this backup has a policy" in result.output


def test_only_collections_without_a_policy_get_a_draft(backup: Path, tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "people.yaml").write_text("collection: people\nfields: {_id: keep}\n")
    monkeypatch.setattr(policy_cli, "POLICY_DIR", tmp_path)
    result = suggest(backup)
    assert result.exit_code == 0
    assert set(drafts(result.output)) == set(open_backup(backup).collections) - {"people"}


def test_the_people_draft_classifies_by_name_and_values_and_prints_no_value(backup: Path) -> None:
    result = suggest(backup / "apollo", "--collection", "people")
    assert result.exit_code == 0 and result.output.startswith("# --- apollo_assets/masking/policies/people.yaml ---")
    draft = policy_from_yaml(result.output, "people.yaml", "people")
    actions = {rule.path: rule.action for rule in draft.rules}
    assert actions["email"] == "email" and actions["phone"] == "phone" and actions["_id"] == "keep"
    assert actions["first_name"] == actions["last_name"] == actions["name"] == actions["linkedin_url"] == "hash"
    snapshot = read_snapshot(open_backup(backup).collections["people"], backup.name)
    masker = Masker(draft, KEY, snapshot.schema)
    assert masker.report.unlisted_fields == {}  # the draft names every field of the data it came from
    people = bson.decode_all((backup / "apollo" / "people.bson").read_bytes())
    assert not [p["email"] for p in people if p.get("email") and p["email"] in result.output]
    assert not [p["name"] for p in people if p["name"] in result.output]


def test_an_archive_backup(backup: Path, tmp_path: Path) -> None:
    documents = [bson.encode(d) for d in bson.decode_all((backup / "apollo" / "contacts.bson").read_bytes())]
    spec = ArchiveCollectionSpec("apollo", "contacts", documents)
    write_archive(tmp_path / "apollo.archive.gz", [spec], gzip_compress=True)
    result = suggest(tmp_path, "-c", "contacts")
    actions = drafts(result.output)["contacts"]["fields"]
    assert actions["email"] == "email" and actions["phone"] == "phone" and actions["first_name"] == "hash"


def test_real_mongodump_output(mongodump_fixtures: Path) -> None:
    mflix = drafts(suggest(mongodump_fixtures / "sample_mflix").output)
    assert set(mflix) == {"sessions", "theaters"}
    assert mflix["theaters"]["fields"]["location.address.street1"] == "hash"
    assert mflix["theaters"]["fields"]["location.address.city"] == "keep"
    assert mflix["sessions"]["fields"]["user_id"] == "keep"
    several = suggest(mongodump_fixtures)
    assert several.exit_code != 0 and "--database" in several.output
    accounts = drafts(suggest(mongodump_fixtures, "--database", "sample_analytics", "-c", "accounts").output)
    assert accounts["accounts"]["fields"]["account_id"] == "keep"


def test_an_unknown_collection_is_refused(backup: Path) -> None:
    result = CliRunner().invoke(policy_cli.policy, ["suggest", str(backup), "-c", "nope"])
    assert result.exit_code == 1 and "nope" in result.output
