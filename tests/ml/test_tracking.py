from __future__ import annotations

import pytest

from ml_assets.publish import Candidate, publish_model
from ml_assets.registry import ModelRegistry
from ml_assets.resource import ModelRegistryResource
from ml_assets.tracking import display_uri


def test_the_tracking_uri_comes_from_the_environment_else_a_local_store(monkeypatch, tmp_path):
    resource = ModelRegistryResource(root=str(tmp_path / "registry"))
    monkeypatch.setenv("APOLLO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert resource.mlflow_uri() == f"sqlite:///{tmp_path.resolve() / 'mlflow' / 'mlflow.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "https://mlflow.example.com")
    assert resource.mlflow_uri() == "https://mlflow.example.com"
    assert ModelRegistryResource(root="r", tracking_uri="sqlite:///x.db").mlflow_uri() == "sqlite:///x.db"


def test_credentials_in_a_tracking_uri_are_not_displayed():
    shown = display_uri("https://bot:s3cret@mlflow.example.com/api")
    assert "s3cret" not in shown and "bot" not in shown
    assert shown == "https://mlflow.example.com/api"


def test_a_failed_mlflow_run_leaves_no_version_in_the_registry(tmp_path):
    (tmp_path / "not-a-folder").write_text("")
    registry = ModelRegistry(tmp_path / "registry")
    candidate = Candidate("m", {"w": 1}, "20261101T040000Z", {"auc": 0.7}, ["x"], {}, {"beats_baseline": True})
    with pytest.raises(OSError):
        publish_model(registry, f"sqlite:///{tmp_path / 'not-a-folder' / 'mlflow.db'}", candidate)
    assert registry.versions("m") == []
    assert not any((tmp_path / "registry" / "m").iterdir())
