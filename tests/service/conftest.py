"""The service over the session's sample warehouse (tests/ml/sample.py) and a registry holding a servable version
of each model."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient
from ml.sample import SamplePlatform, sample_platform

from ml_assets.registry import ModelRegistry
from ml_assets.reply_propensity.features import FEATURES as REPLY_FEATURES
from ml_assets.reply_propensity.train import train_reply_model
from ml_assets.service.app import create_app
from ml_assets.service.settings import ServiceSettings
from ml_assets.similar_companies.features import FEATURES as SIMILAR_FEATURES
from ml_assets.similar_companies.model import fit_similar_companies
from tests import tiers

TOKEN = "service-tests-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PASSED = {"no_identifier_features": True, "beats_baseline": True}


@pytest.fixture(scope="session")
@tiers.integration  # dbt builds the project (tests/ml/sample.py)
def sample(tmp_path_factory: pytest.TempPathFactory) -> SamplePlatform:
    return sample_platform(tmp_path_factory)


@pytest.fixture(scope="session")
def registry_template(sample: SamplePlatform, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """v1 of each model, trained on the sample backup, both with their checks passed."""
    root = tmp_path_factory.mktemp("service-registry")
    with duckdb.connect(str(sample.serving_path), read_only=True) as con:
        sends = con.execute("select * from marts.mart_reply_training").df()
        profiles = con.execute("select * from ml_features.ml_company_profiles order by company_id").df()
    registry = ModelRegistry(root)
    reply = train_reply_model(sends, explain=False)
    registry.register(
        "reply_propensity", reply.pipeline, sample.backup_id, reply.metrics, REPLY_FEATURES, checks=PASSED
    )
    similar = fit_similar_companies(profiles)
    registry.register("similar_companies", similar.artifact(), sample.backup_id, {}, SIMILAR_FEATURES, checks=PASSED)
    return root


def settings(sample: SamplePlatform, registry_root: Path, **overrides) -> ServiceSettings:
    values = {
        "token": TOKEN,
        "warehouse_path": sample.serving_path,
        "registry_root": registry_root,
        "dbt_manifest": sample.manifest,
        "poll_seconds": 3600.0,
        **overrides,
    }
    return ServiceSettings(**values)


@pytest.fixture(scope="session")
def client(sample: SamplePlatform, registry_template: Path) -> Iterator[TestClient]:
    """A read-only service shared by the tests that change nothing."""
    with TestClient(create_app(settings(sample, registry_template))) as test_client:
        yield test_client


@pytest.fixture
def registry_copy(registry_template: Path, tmp_path: Path) -> Path:
    """A registry of its own, for tests that add versions."""
    return Path(shutil.copytree(registry_template, tmp_path / "registry"))
