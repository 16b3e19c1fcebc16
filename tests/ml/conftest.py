from __future__ import annotations

import pytest

from tests import tiers

from .sample import SamplePlatform, sample_platform


@pytest.fixture(scope="session")
@tiers.integration  # dbt builds the project, the model assets are materialized
def sample(tmp_path_factory: pytest.TempPathFactory) -> SamplePlatform:
    return sample_platform(tmp_path_factory)
