from __future__ import annotations

import pytest

from .sample import SamplePlatform, sample_platform


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> SamplePlatform:
    return sample_platform(tmp_path_factory)
