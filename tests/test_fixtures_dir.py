"""The one setting for the real mongodump fixtures: where it looks, and what a test does without them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures_dir import DEFAULT, FIXTURE_COUNTS, SETTING, SOURCE, configured_path, mongodump_fixtures_dir


def fixtures(folder: Path) -> Path:
    """A folder laid out like the fixtures (empty files: only their presence is checked here)."""
    for db, name in FIXTURE_COUNTS:
        (folder / db).mkdir(parents=True, exist_ok=True)
        (folder / db / f"{name}.bson").touch()
        (folder / db / f"{name}.metadata.json").touch()
    return folder


def test_unset_it_is_the_shared_folder_beside_the_repository(tmp_path: Path) -> None:
    repo = tmp_path / "clone"
    assert configured_path({}, repo) == tmp_path / "shared" / "fixtures" / "mongodump"
    assert DEFAULT == "../shared/fixtures/mongodump"
    found = fixtures(tmp_path / "shared" / "fixtures" / "mongodump")
    assert mongodump_fixtures_dir({}, repo) == found


def test_a_relative_setting_is_taken_from_the_repository_root_and_an_absolute_one_as_it_is(tmp_path: Path) -> None:
    repo = tmp_path / "clone"
    assert configured_path({SETTING: "data/dump"}, repo) == repo / "data" / "dump"
    found = fixtures(tmp_path / "elsewhere")
    assert mongodump_fixtures_dir({SETTING: str(found)}, repo) == found


def test_absent_they_skip_saying_where_to_get_them_and_how_to_point_at_them(tmp_path: Path) -> None:
    with pytest.raises(pytest.skip.Exception) as skipped:
        mongodump_fixtures_dir({}, tmp_path / "clone")
    reason = str(skipped.value)
    assert str(tmp_path / "shared" / "fixtures" / "mongodump") in reason
    assert SOURCE in reason and "mongodump" in reason and f"set {SETTING}" in reason


def test_absent_under_ci_they_fail(tmp_path: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match=r"CI=true: these tests must run"):
        mongodump_fixtures_dir({"CI": "true"}, tmp_path / "clone")


@pytest.mark.parametrize("ci", [{}, {"CI": "true"}])
def test_a_setting_that_points_nowhere_fails_rather_than_skips(tmp_path: Path, ci: dict) -> None:
    with pytest.raises(pytest.fail.Exception, match=rf"{SETTING}=.*nowhere"):
        mongodump_fixtures_dir({SETTING: str(tmp_path / "nowhere"), **ci}, tmp_path / "clone")


def test_a_folder_without_every_file_fails_naming_what_it_lacks(tmp_path: Path) -> None:
    folder = fixtures(tmp_path / "dump")
    (folder / "sample_training" / "zips.bson").unlink()
    with pytest.raises(pytest.fail.Exception, match=r"lacks sample_training/zips.bson"):
        mongodump_fixtures_dir({SETTING: str(folder)}, tmp_path / "clone")
