"""`apollo run` (what `make run` runs) as a person sees it, in its own process on a fresh data dir with a small
sample backup: a short report of each layer's progress and the summary, no warning anywhere (neither on the
terminal nor among what the run's processes printed into the log), and Dagster's event log in a file under
`$APOLLO_DATA_DIR/logs/`, whose path is printed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from apollo_assets.run_progress import LAYERS
from apollo_assets.sample_data import Sizes, write_sample_backup

REPO = Path(__file__).resolve().parents[2]
# Two runs of `make run` must each fit a screen: the progress of six layers and the summary.
MAX_LINES = 40

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def apollo_run(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    data_dir = tmp_path_factory.mktemp("apollo-run")
    (data_dir / "dagster_home").mkdir()
    shutil.copy(REPO / "dagster.yaml", data_dir / "dagster_home" / "dagster.yaml")  # as `make run` does
    write_sample_backup(data_dir / "backups", sizes=Sizes().scaled(0.5))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("APOLLO_", "DAGSTER_")) and k != "PYTHONWARNINGS"}
    env |= {"APOLLO_DATA_DIR": str(data_dir), "DAGSTER_HOME": str(data_dir / "dagster_home")}
    apollo = Path(sys.executable).parent / "apollo"
    result = subprocess.run([str(apollo), "run"], env=env, capture_output=True, text=True, timeout=1500, cwd=REPO)
    return result, data_dir


def test_the_run_succeeds_with_a_report_that_fits_a_screen(apollo_run):
    result, _ = apollo_run
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) <= MAX_LINES, result.stdout
    assert result.stderr == ""
    for layer in LAYERS:  # each layer once, complete: "  lake         8/8    12.0 s"
        (line,) = [line for line in lines if line.split()[:1] == [layer]]
        done, total = re.search(r"(\d+)/(\d+)", line).groups()
        assert done == total != "0", line
    from apollo_assets.definitions import PIPELINE_JOB, current_definitions

    # The backup's job holds every asset but the stream's hourly ones, which no backup run materializes.
    assets = len(current_definitions().resolve_job_def(PIPELINE_JOB).asset_layer.selected_asset_keys)
    done = rf"Backup \w+: run [\w-]+ succeeded in .*, {assets} assets materialized"
    assert any(re.match(done, line) for line in lines), result.stdout
    assert not [line for line in lines if "DEBUG" in line or "STEP_" in line or " of 175 " in line]


def test_no_warning_on_the_terminal_or_in_the_log(apollo_run):
    result, data_dir = apollo_run
    (log,) = (data_dir / "logs").glob("*.log")
    assert "Warning" not in result.stdout + result.stderr
    warnings = [line for line in log.read_text().splitlines() if "Warning" in line]
    assert warnings == []


def test_the_event_log_is_a_file_under_the_data_dir_whose_path_is_printed(apollo_run):
    result, data_dir = apollo_run
    (log,) = (data_dir / "logs").glob("*.log")
    assert str(log) in result.stdout.splitlines()[0]
    assert result.stdout.splitlines()[-2].endswith(f"event log: {log}")
    text = log.read_text()
    assert text.count(" - STEP_SUCCESS - ") >= 20  # Dagster's events, from every step process
    assert " START sql " in text or "Completed successfully" in text  # dbt's own output went there too
