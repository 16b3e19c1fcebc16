"""Fixtures of the mongo reader tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .helpers import FIXTURES
from .secantus import secantus_server


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    assert FIXTURES.is_dir(), f"mongodump fixtures not found at {FIXTURES}"
    return FIXTURES


@pytest.fixture(scope="session")
def mongo_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A live MongoDB-wire server (SecantusDB subprocess) for this test session."""
    with secantus_server(tmp_path_factory.mktemp("secantus") / "data") as uri:
        yield uri
