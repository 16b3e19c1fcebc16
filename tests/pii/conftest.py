"""The raw personal data of the platform fixture's backups, which the PII scans look for."""

import pytest

from .raw_pii import RawPii, raw_pii


@pytest.fixture(scope="module")
def backup_pii(platform) -> RawPii:
    """Every email and full name of the session platform's backups, read straight from their BSON."""
    pii = RawPii()
    for backup_id in platform.backups:
        found = raw_pii(platform.data_dir / "backups" / backup_id)
        pii.emails |= found.emails
        pii.names |= found.names
    return pii
