"""What the dashboards read from the environment: where the Dagster UI is (for the links)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlsplit

from apollo_assets.settings import ConfigurationError

DAGSTER_UI_VARIABLE = "APOLLO_DAGSTER_UI_URL"
DEFAULT_DAGSTER_UI = "http://127.0.0.1:3000"


def dagster_ui_url(environ: Mapping[str, str] | None = None) -> str:
    """The Dagster UI's base URL (an http(s) URL, no trailing slash)."""
    environ = os.environ if environ is None else environ
    url = (environ.get(DAGSTER_UI_VARIABLE) or DEFAULT_DAGSTER_UI).strip().rstrip("/")
    return checked_ui_url(url, DAGSTER_UI_VARIABLE)


def checked_ui_url(url: str, where: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigurationError(f"{where} must be an http(s) URL such as {DEFAULT_DAGSTER_UI}, not {url!r}")
    return url.rstrip("/")
