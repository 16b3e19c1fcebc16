from pathlib import Path

import pytest

from apollo_assets.settings import ConfigurationError, load_settings


def test_local_defaults_live_under_the_data_dir(tmp_path):
    settings = load_settings({"APOLLO_DATA_DIR": str(tmp_path)})
    assert settings.env == "local"
    assert Path(settings.backup_url) == tmp_path / "backups"
    assert Path(settings.lake_url) == tmp_path / "lake"
    assert settings.warehouse_path == tmp_path / "warehouse.duckdb"
    assert settings.dagster_home == tmp_path / "dagster_home"


def test_prod_names_every_missing_variable():
    with pytest.raises(ConfigurationError) as error:
        load_settings({"APOLLO_ENV": "prod", "APOLLO_BACKUP_URL": "gs://b/x"})
    message = str(error.value)
    assert "SNOWFLAKE_ACCOUNT" in message and "APOLLO_MASKING_KEY" in message
    assert "APOLLO_BACKUP_URL" not in message


def test_unknown_environment_is_refused():
    with pytest.raises(ConfigurationError, match="staging"):
        load_settings({"APOLLO_ENV": "staging"})
