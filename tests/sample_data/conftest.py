from pathlib import Path

import pytest

from apollo_assets.sample_data import Sizes, generate_database, write_sample_backup

SMALL = Sizes().scaled(0.25)


@pytest.fixture(scope="session")
def bucket(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three consecutive small backups written the way the pipeline's bucket receives them."""
    folder = tmp_path_factory.mktemp("bucket")
    for _ in range(3):
        write_sample_backup(folder, sizes=SMALL)
    return folder


@pytest.fixture(scope="session")
def database() -> dict[str, list[dict]]:
    """The first backup's database at default size: enough rows for statistical checks."""
    return generate_database(7, 0, Sizes())


@pytest.fixture(scope="session")
def database_after_days() -> dict[str, list[dict]]:
    return generate_database(7, 3, Sizes())
