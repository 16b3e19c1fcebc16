"""Where the real mongodump fixtures are: the one place a test looks outside the repository.

They are MongoDB's public sample datasets (sample_analytics, sample_mflix, sample_geospatial, sample_training) as the
real `mongodump` wrote them, `<database>/<collection>.bson` + `.metadata.json`; the repository does not carry them.
`APOLLO_FIXTURES_DIR` names their folder (a relative path is taken from the repository root); unset, it is
`../shared/fixtures/mongodump`. Without them, the tests that read them skip, saying how to get them; under `CI=true`
they fail instead, since a CI run that skips them proves nothing about real dumps.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pytest

SETTING = "APOLLO_FIXTURES_DIR"
DEFAULT = "../shared/fixtures/mongodump"
REPO = Path(__file__).resolve().parents[1]
SOURCE = "https://github.com/mcampo2/mongodb-sample-databases"

# What the tests read, with the number of documents of each file.
FIXTURE_COUNTS = {
    ("sample_analytics", "accounts"): 1746,
    ("sample_mflix", "theaters"): 1564,
    ("sample_mflix", "sessions"): 1,
    ("sample_geospatial", "shipwrecks"): 11095,
    ("sample_training", "zips"): 29470,
}


def configured_path(environ: Mapping[str, str] = os.environ, repo: Path = REPO) -> Path:
    """The folder the setting names (whether or not it exists)."""
    return (repo / environ.get(SETTING, DEFAULT)).resolve()


def missing_files(folder: Path) -> list[str]:
    return [
        f"{db}/{name}{suffix}"
        for db, name in FIXTURE_COUNTS
        for suffix in (".bson", ".metadata.json")
        if not (folder / db / f"{name}{suffix}").is_file()
    ]


def problem(folder: Path, explicit: bool) -> str | None:
    """Why the fixtures cannot be used from `folder`, in one line that says what to do; None when they can."""
    if not folder.is_dir():
        where = f"{SETTING}={folder}" if explicit else f"{folder} ({SETTING} unset)"
        return (
            f"real mongodump fixtures not found: {where}. They are MongoDB's public sample datasets dumped with "
            f"mongodump: `git clone {SOURCE}` and set {SETTING} to its dump/ folder"
        )
    missing = missing_files(folder)
    if missing:
        return f"{folder} ({SETTING}) lacks {', '.join(missing)}: it must hold mongodump's output of them"
    return None


def mongodump_fixtures_dir(environ: Mapping[str, str] = os.environ, repo: Path = REPO) -> Path:
    """The fixtures' folder for a test: skips the test when they are absent, fails it when they must be there.

    Absent under the default location: a skip, except under `CI=true`. Named by the setting but absent or
    incomplete: a failure (a setting that points nowhere is a mistake, not a machine without fixtures)."""
    folder = configured_path(environ, repo)
    explicit = SETTING in environ
    reason = problem(folder, explicit)
    if reason is None:
        return folder
    if environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: these tests must run)", pytrace=False)
    if explicit or folder.is_dir():
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)
