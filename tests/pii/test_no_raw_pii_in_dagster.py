"""After the whole graph ran over two backups: no raw email or full name of the backups, and not the masking key,
in any event of any run (logs, asset metadata, check results), in the Dagster instance's files, or in the repo."""

from __future__ import annotations

import base64
import os
import subprocess
from pathlib import Path

import dagster as dg
import pytest

from apollo_assets.masking.tokens.key import ENV_VAR, decode_key

from .raw_pii import RawPii

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def events_text(platform) -> str:
    """Every event of every run, serialized whole: messages, step events, materialization and observation
    metadata, asset check evaluations; and each run's own record (tags, config)."""
    parts = []
    for run in platform.instance.get_run_records():
        parts.append(dg.serialize_value(run.dagster_run))
        for record in platform.instance.get_records_for_run(run.dagster_run.run_id).records:
            parts.append(dg.serialize_value(record.event_log_entry))
    return "\n".join(parts)


def key_forms(data_dir: Path) -> list[str]:
    """The key as the platform got it (the environment, else the local key file) and its usual encodings."""
    text = os.environ.get(ENV_VAR) or (data_dir / "masking.key").read_text().strip()
    raw = decode_key(text)
    encodings = [raw.hex(), raw.hex().upper(), base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode()]
    return [text, *encodings]


def repo_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        check=True,
    )
    return [REPO / name for name in listed.stdout.decode().split("\0") if name and (REPO / name).is_file()]


def test_the_scan_sees_what_it_looks_for(backup_pii: RawPii) -> None:
    assert len(backup_pii.emails) > 500 and len(backup_pii.names) > 500
    email, name = sorted(backup_pii.emails)[0], sorted(backup_pii.names)[0]
    assert backup_pii.found_in(f'{{"preview": "{email.upper()}", "who": "{name.title()}!"}}') == {email, name}
    assert not backup_pii.found_in(f"token {'0' * 32}@{email.split('@')[1]} and {name.split()[0]}")


def test_every_run_succeeded_and_left_events(platform, events_text: str) -> None:
    assert platform.runs and all(run.success for run in platform.runs.values())
    assert events_text.count("ASSET_MATERIALIZATION") >= 2 * 30 and "ASSET_CHECK_EVALUATION" in events_text
    assert '"unlisted_fields"' in events_text and "twitter_url" in events_text  # what the metadata must show


def test_no_raw_email_or_name_in_any_event_or_metadata(backup_pii: RawPii, events_text: str) -> None:
    assert backup_pii.found_in(events_text) == set()


def test_no_raw_email_or_name_in_the_instance_files(platform, backup_pii: RawPii) -> None:
    """Compute logs (captured stdout/stderr of every step), the SQLite event and run storages, schedules."""
    files = [p for p in (platform.data_dir / "dagster_home").rglob("*") if p.is_file()]
    assert len(files) > 3
    leaks = {str(p): hits for p in files if (hits := backup_pii.found_in(p.read_bytes().decode("utf-8", "replace")))}
    assert leaks == {}


def test_the_masking_key_is_nowhere_but_its_file(platform, events_text: str) -> None:
    forms = key_forms(platform.data_dir)
    if not os.environ.get(ENV_VAR):  # the local default: a key file the platform created, owner-only
        assert (platform.data_dir / "masking.key").stat().st_mode & 0o777 == 0o600
    assert not any(form in events_text for form in forms)
    instance_files = [p for p in (platform.data_dir / "dagster_home").rglob("*") if p.is_file()]
    files = repo_files() + instance_files
    assert len(files) > 100
    hits = [str(p) for p in files if any(form.encode() in p.read_bytes() for form in forms)]
    assert hits == []
