"""Fixtures of the mongo reader tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import FIXTURES


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    assert FIXTURES.is_dir(), f"mongodump fixtures not found at {FIXTURES}"
    return FIXTURES
