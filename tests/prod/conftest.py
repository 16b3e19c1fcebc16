"""Emulators of the production services: fake-gcs-server for GCS (a subprocess), fakesnow for Snowflake."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# gcsfs reads this when it is imported: its experimental (HNS / zonal bucket) file system probes APIs that the
# emulator does not have.
os.environ["GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT"] = "false"

from tests import tiers

from .gcs_server import FakeGcsServer


@pytest.fixture(scope="session")
@tiers.integration
def fake_gcs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The emulator's URL; STORAGE_EMULATOR_HOST points gcsfs and google-cloud-storage at it meanwhile."""
    server = FakeGcsServer(tmp_path_factory.mktemp("fake-gcs") / "server.log")
    previous = os.environ.get("STORAGE_EMULATOR_HOST")
    try:
        os.environ["STORAGE_EMULATOR_HOST"] = server.start()
        yield server.url
    finally:
        server.stop()
        if previous is None:
            os.environ.pop("STORAGE_EMULATOR_HOST", None)
        else:
            os.environ["STORAGE_EMULATOR_HOST"] = previous


@pytest.fixture(scope="session")
def gcs_client(fake_gcs: str):
    """google-cloud-storage on the emulator: what writes backups into the bucket, as the backup job would."""
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    return storage.Client(project="apollo-tests", credentials=AnonymousCredentials())


@pytest.fixture
def bucket(gcs_client) -> str:
    """A fresh, empty bucket per test."""
    name = f"apollo-{uuid.uuid4().hex[:12]}"
    gcs_client.create_bucket(name)
    return name


def upload_folder(gcs_client, local: Path, url: str) -> list[str]:
    """Upload every file under `local` to gs://bucket/prefix/…; the completion marker last, as a backup job does."""
    bucket_name, _, prefix = url.removeprefix("gs://").partition("/")
    bucket = gcs_client.bucket(bucket_name)
    files = sorted(p for p in local.rglob("*") if p.is_file())
    files.sort(key=lambda p: p.name == "BACKUP_COMPLETE.json")
    names = []
    for path in files:
        name = "/".join(filter(None, [prefix, local.name, path.relative_to(local).as_posix()]))
        bucket.blob(name).upload_from_filename(str(path))
        names.append(name)
    return names
