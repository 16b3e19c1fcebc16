"""A marked backup that disagrees with its marker is refused before anything reads it, with a message that says
what is wrong."""

from __future__ import annotations

import json

import pytest

from apollo_assets.backups.bucket import BackupBucket
from apollo_assets.backups.integrity import CorruptBackupError
from apollo_assets.backups.manifest import MARKER
from tests.backups.conftest import make_backup, marker

BACKUP = "20261101T040000Z"


@pytest.fixture
def backup(tmp_path):
    return make_backup(tmp_path, BACKUP)


def refusal(tmp_path) -> str:
    with pytest.raises(CorruptBackupError) as caught, BackupBucket.from_url(str(tmp_path)).local_copy(BACKUP):
        pytest.fail("a corrupt backup was handed out")
    assert caught.value.allow_retries is False  # retrying cannot repair it
    return str(caught.value)


def test_a_sound_backup_is_handed_out(backup, tmp_path):
    with BackupBucket.from_url(str(tmp_path)).local_copy(BACKUP) as folder:
        assert folder == backup


def test_a_truncated_file(backup, tmp_path):
    (backup / "apollo" / "people.bson").write_bytes(b"\x05\x00")
    assert (
        refusal(tmp_path)
        == f"backup {BACKUP} is corrupt: people: apollo/people.bson has 2 bytes, its marker says 5 (truncated?)"
    )


def test_a_missing_file(backup, tmp_path):
    (backup / "apollo" / "people.bson").unlink()
    assert "people: apollo/people.bson is missing" in refusal(tmp_path)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"{not json", "unreadable completion marker"),
        (b"[1, 2]", "unreadable completion marker"),
        (json.dumps({"backup_id": BACKUP}).encode(), "lacks database, format, collections"),
        (json.dumps(marker("20261231T000000Z", {"people": {}})).encode(), "names backup '20261231T000000Z'"),
        (json.dumps(marker(BACKUP)).encode(), "lists no collection"),
        (json.dumps({**marker(BACKUP, {"people": {}}), "format": "archive"}).encode(), "no .archive[.gz] file"),
    ],
)
def test_a_marker_that_cannot_be_trusted(backup, tmp_path, content, expected):
    (backup / MARKER).write_bytes(content)
    message = refusal(tmp_path)
    assert message.startswith(f"backup {BACKUP} is corrupt: ") and expected in message
