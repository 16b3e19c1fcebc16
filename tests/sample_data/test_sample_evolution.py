"""Consecutive backups differ like real ones: inserts, updates, deletes, a new field, late outcomes."""

from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise
from pathlib import Path

import pytest

from apollo_assets.sample_data import (
    Sizes,
    backup_id_for,
    complete_backup_ids,
    generate_database,
    write_sample_backup,
)

from .helpers import read_backup

TINY = Sizes().scaled(0.1)


def by_id(docs: list[dict]) -> dict:
    return {d["_id"]: d for d in docs}


@pytest.fixture(scope="module")
def backups(bucket: Path) -> list[dict[str, list[dict]]]:
    return [read_backup(bucket / i) for i in complete_backup_ids(bucket)]


def test_every_backup_inserts_documents(backups: list[dict]) -> None:
    for before, after in pairwise(backups):
        for name in ("people", "contacts", "emailer_messages", "usage_events"):
            assert set(by_id(after[name])) - set(by_id(before[name])), name


def test_people_change_jobs(backups: list[dict]) -> None:
    before, after = by_id(backups[0]["people"]), by_id(backups[-1]["people"])
    both = before.keys() & after.keys()
    moved = [i for i in both if before[i]["organization_id"] != after[i]["organization_id"]]
    assert moved
    for i in moved:
        old, new = before[i], after[i]
        assert len(new["employment_history"]) == len(old["employment_history"]) + 1
        assert new["employment_history"][0]["current"] and new["employment_history"][0]["end_date"] is None
        assert sum(job["current"] for job in new["employment_history"]) == 1
        assert new["updated_at"] > old["updated_at"]
        assert new["created_at"] == old["created_at"]
        if new.get("email"):
            organizations = by_id(backups[-1]["organizations"])
            assert new["email"].endswith("@" + organizations[new["organization_id"]]["domain"])


def test_rows_are_deleted(database: dict, database_after_days: dict) -> None:
    for name in ("people", "contacts"):
        assert set(by_id(database[name])) - set(by_id(database_after_days[name])), name


def test_unchanged_history_is_kept(backups: list[dict]) -> None:
    before, after = backups[0]["usage_events"], backups[1]["usage_events"]
    assert after[: len(before)] == before  # events are append-only, in insertion order
    assert before[-1]["timestamp"] < after[len(before)]["timestamp"]


def test_users_last_activity_and_contact_stages_move(backups: list[dict]) -> None:
    users = [by_id(b["users"]) for b in backups]
    assert any(users[1][i]["last_active_at"] != u["last_active_at"] for i, u in users[0].items())
    contacts = [by_id(b["contacts"]) for b in backups]
    first, last = contacts[0], contacts[-1]
    changed = [i for i, c in first.items() if i in last and last[i]["stage"] != c["stage"]]
    assert changed and all(contacts[-1][i]["updated_at"] > contacts[0][i]["updated_at"] for i in changed)


def test_twitter_url_appears_from_the_second_backup(backups: list[dict]) -> None:
    assert not any("twitter_url" in p for p in backups[0]["people"])
    with_twitter = [p for p in backups[1]["people"] if "twitter_url" in p]
    assert with_twitter
    assert {type(p["twitter_url"]) for p in with_twitter} == {str, type(None)}


def test_message_outcomes_show_up_in_later_backups_and_never_vanish(backups: list[dict]) -> None:
    revealed = 0
    for before, after in pairwise(backups):
        later = by_id(after["emailer_messages"])
        for m in before["emailer_messages"]:
            for field in ("opened_at", "replied_at", "bounced_at"):
                if m[field] is not None:
                    assert later[m["_id"]][field] == m[field]
                elif later[m["_id"]][field] is not None:
                    revealed += 1
                    assert later[m["_id"]][field] > m["sent_at"]
    assert revealed


def test_backup_times_only_shape_the_rounds_they_belong_to() -> None:
    start = datetime(2027, 3, 1, 4, tzinfo=UTC)
    times = [start, start + timedelta(days=7), start + timedelta(days=8)]
    weekly = generate_database(7, 1, TINY, backup_times=times)
    assert generate_database(7, 1, TINY, backup_times=times[:2]) == weekly
    daily = generate_database(7, 1, TINY, backup_times=[start, start + timedelta(days=1)])
    assert len(weekly["usage_events"]) > len(daily["usage_events"])  # a week of activity, not a day
    assert max(e["timestamp"] for e in weekly["usage_events"]) <= times[1]


def test_next_sample_backup_follows_the_bucket(tmp_path: Path) -> None:
    first = write_sample_backup(tmp_path, sizes=TINY)
    assert first.name == "20261101T040000Z"
    second = write_sample_backup(tmp_path, sizes=TINY, at=datetime(2026, 11, 5, 6, 30))  # naive: read as UTC
    assert second.name == "20261105T063000Z"
    assert write_sample_backup(tmp_path, sizes=TINY).name == "20261106T063000Z"
    (tmp_path / "20261107T063000Z").mkdir()  # an incomplete backup does not count
    assert read_backup(tmp_path / "20261106T063000Z") == generate_database(
        7,
        2,
        TINY,
        backup_times=[
            datetime(2026, 11, 1, 4, tzinfo=UTC),
            datetime(2026, 11, 5, 6, 30, tzinfo=UTC),
            datetime(2026, 11, 6, 6, 30, tzinfo=UTC),
        ],
    )
    assert write_sample_backup(tmp_path, sizes=TINY).name == "20261107T063000Z"  # replaces the incomplete one
    assert len(complete_backup_ids(tmp_path)) == 4
    with pytest.raises(ValueError, match="not after"):
        write_sample_backup(tmp_path, sizes=TINY, at=datetime(2026, 11, 7, 6, 30, tzinfo=UTC))


def test_backup_id_format() -> None:
    assert backup_id_for(datetime(2026, 11, 26, 4, 0, 0, tzinfo=UTC)) == "20261126T040000Z"
    tokyo = timezone(timedelta(hours=9))
    assert backup_id_for(datetime(2026, 11, 26, 22, 0, tzinfo=tokyo)) == "20261126T130000Z"
