"""`apollo dashboards` refuses, by name, what it cannot serve; and the Streamlit it starts stays local and silent."""

from __future__ import annotations

from click.testing import CliRunner

from apollo_assets.cli import main
from apollo_assets.dashboards.server import streamlit_command


def test_without_a_warehouse_it_says_to_run_the_platform_first(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("APOLLO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("APOLLO_WAREHOUSE_PATH", raising=False)
    result = CliRunner().invoke(main, ["dashboards"])
    assert result.exit_code == 1
    assert f"no warehouse at {tmp_path / 'warehouse.duckdb'}: run `make run` first" in result.output


def test_a_dagster_url_that_is_not_one_is_refused(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("APOLLO_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(main, ["dashboards", "--dagster-url", "file:///etc/passwd"])
    assert result.exit_code == 1 and "--dagster-url must be an http(s) URL" in result.output


def test_streamlit_is_bound_headless_and_sends_no_usage_statistics() -> None:
    command = streamlit_command("127.0.0.1", 8765)
    assert command[1:4] == ["-m", "streamlit", "run"] and command[4].endswith("apollo_assets/dashboards/app.py")
    flags = set(command[5:])
    assert {"--server.address=127.0.0.1", "--server.port=8765", "--server.headless=true"} <= flags
    assert "--browser.gatherUsageStats=false" in flags
