"""Fixtures of the mongo reader tests (the real mongodump fixtures: `mongodump_fixtures`, tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import tiers

from .secantus import secantus_server


@pytest.fixture(scope="session")
@tiers.integration
def mongo_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A live MongoDB-wire server (SecantusDB subprocess) for this test session."""
    with secantus_server(tmp_path_factory.mktemp("secantus") / "data") as uri:
        yield uri
