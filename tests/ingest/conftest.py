"""Fixtures of the ingest tests: sample `people` documents, a masking key, a live server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from apollo_assets.masking import MaskingKey
from apollo_assets.sample_data import Sizes, generate_database, iter_people, write_bson_file
from tests import tiers
from tests.mongo.helpers import METADATA
from tests.mongo.secantus import secantus_server

PEOPLE_COUNT = 3000


@pytest.fixture(scope="session")
def organizations() -> list[dict]:
    return generate_database(7, 0, Sizes().scaled(0.05))["organizations"]


@pytest.fixture(scope="session")
def people_dump(tmp_path_factory: pytest.TempPathFactory, organizations) -> Path:
    """A mongodump database folder `apollo/` holding `people` (with the drifting `intent_score`)."""
    folder = tmp_path_factory.mktemp("dump") / "apollo"
    folder.mkdir()
    write_bson_file(folder / "people.bson", iter_people(7, PEOPLE_COUNT, organizations))
    (folder / "people.metadata.json").write_text(METADATA)
    return folder


@pytest.fixture
def key() -> MaskingKey:
    return MaskingKey(b"k" * 32)


@pytest.fixture(scope="session")
@tiers.integration
def mongo_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with secantus_server(tmp_path_factory.mktemp("secantus") / "data") as uri:
        yield uri
