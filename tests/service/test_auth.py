from __future__ import annotations

import pytest

from apollo_assets.settings import ConfigurationError
from ml_assets.service.settings import load_service_settings

from .conftest import TOKEN

PROTECTED = [
    ("get", "/models"),
    ("post", "/models/reply_propensity/score"),
    ("get", f"/companies/{'0' * 32}/similar"),
    ("get", f"/companies/{'0' * 32}"),
    ("get", f"/people/{'0' * 24}"),
    ("get", "/marts"),
    ("get", "/marts/mart_activation_l1"),
    ("get", "/openapi.json"),
    ("get", "/no/such/path"),
]


def test_health_needs_no_token(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.parametrize(("method", "path"), PROTECTED)
@pytest.mark.parametrize(
    "authorization", [None, "", "Bearer", "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x"]
)
def test_everything_else_needs_the_token(client, method, path, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    response = client.request(method, path, headers=headers, json={"prospects": [{}]})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["detail"] in ("missing bearer token", "invalid bearer token")


def test_the_scheme_is_case_insensitive(client):
    assert client.get("/models", headers={"Authorization": f"bearer {TOKEN}"}).status_code == 200


@pytest.mark.parametrize("token", [None, "", "   ", "short"])
def test_the_service_refuses_to_start_without_a_real_token(token, tmp_path):
    environ = {"APOLLO_DATA_DIR": str(tmp_path)} | ({} if token is None else {"APOLLO_SERVICE_TOKEN": token})
    with pytest.raises(ConfigurationError, match="APOLLO_SERVICE_TOKEN"):
        load_service_settings(environ)


def test_settings_come_from_the_environment(tmp_path):
    loaded = load_service_settings(
        {"APOLLO_DATA_DIR": str(tmp_path), "APOLLO_SERVICE_TOKEN": TOKEN, "APOLLO_MODEL_POLL_SECONDS": "2"}
    )
    assert loaded.warehouse_path == tmp_path / "warehouse.duckdb"
    assert loaded.registry_root == tmp_path / "ml" / "registry"
    assert loaded.poll_seconds == 2
