"""`apollo_assets.names`: what is refused, what is encoded, and that an encoded name is always one safe folder name."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apollo_assets.names import (
    MAX_SEGMENT_BYTES,
    UntrustedNameError,
    backup_id,
    collection_name,
    database_name,
    is_backup_id,
    name_of_segment,
    path_segment,
    printable,
    shown,
)

SEGMENT = re.compile(r"[A-Za-z0-9_.%~-]+")


def assert_one_safe_segment(segment: str) -> None:
    assert SEGMENT.fullmatch(segment) and not segment.startswith(".")
    assert len(segment.encode()) <= MAX_SEGMENT_BYTES


@pytest.mark.parametrize(
    ("name", "segment"),
    [
        ("people", "people"),
        ("system.version", "system.version"),
        ("emailer_messages-2", "emailer_messages-2"),
        ("a/b", "a%2Fb"),
        ("..", "%2E."),
        ("../../x", "%2E.%2F..%2Fx"),
        ("/etc/passwd", "%2Fetc%2Fpasswd"),
        ("C:\\x", "C%3A%5Cx"),
        ("a\x00b", "a%00b"),
        ("100%", "100%25"),
        ("a~b", "a%7Eb"),
        ("é", "%C3%A9"),
        ("line\nbreak", "line%0Abreak"),
    ],
)
def test_a_name_becomes_one_folder_name_reversibly(name: str, segment: str) -> None:
    assert path_segment(name) == segment
    assert_one_safe_segment(segment)
    assert name_of_segment(segment) == name


def test_a_name_too_long_once_encoded_is_shortened_with_a_hash_and_stays_unique() -> None:
    one, other = "é" * 120, "é" * 119 + "e"
    assert_one_safe_segment(path_segment(one))
    assert path_segment(one) != path_segment(other) and "~" in path_segment(one)
    assert name_of_segment(path_segment(one)) is None  # shortened: no longer reversible
    with pytest.raises(UntrustedNameError, match="empty"):
        path_segment("")


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=300))
def test_any_name_maps_to_one_safe_segment(name: str) -> None:
    segment = path_segment(name)
    assert_one_safe_segment(segment)
    if "~" not in segment:
        assert name_of_segment(segment) == name


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=40), st.text(min_size=1, max_size=40))
def test_two_names_never_share_a_segment(one: str, other: str) -> None:
    assert (path_segment(one) == path_segment(other)) == (one == other)


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "is empty"),
        ("a\x00b", "NUL"),
        (".hidden", "starts with '.'"),
        ("..", "starts with '.'"),
        ("../../x", "starts with '.'"),
        ("$cmd", "contains '$'"),
        ("x" * 256, "256 bytes long"),
        ("\udcff", "not valid UTF-8"),
        (7, "not a string"),
    ],
)
def test_what_mongodb_cannot_name_a_collection_is_refused(name: object, problem: str) -> None:
    with pytest.raises(UntrustedNameError, match=re.escape(problem)) as info:
        collection_name(name)
    assert str(info.value).startswith("collection name ") and "\n" not in str(info.value)


@pytest.mark.parametrize("name", ["people", "system.version", "a/b", "/etc/passwd", "a/../../b", "é", "x" * 255])
def test_what_mongodb_allows_in_a_collection_name_is_accepted(name: str) -> None:
    assert collection_name(name) == name


def test_the_namespace_limit_counts_the_database() -> None:
    assert collection_name("x" * 248, "apollo") == "x" * 248  # `apollo.` + 248 = 255 bytes
    with pytest.raises(UntrustedNameError, match="at most 247 in database 'apollo1'"):
        collection_name("x" * 248, "apollo1")


@pytest.mark.parametrize("name", ["", "../../x", "/abs", "a.b", "a b", 'a"b', "a\\b", "a\x00b", "d" * 64, "\udcff"])
def test_what_mongodb_cannot_name_a_database_is_refused(name: str) -> None:
    with pytest.raises(UntrustedNameError, match=r"^database name "):
        database_name(name)
    assert database_name("sample_mflix") == "sample_mflix" and database_name("d" * 63) == "d" * 63


@pytest.mark.parametrize(
    "value",
    [
        "20261126T040000Z\n",  # `^…$` with re.match takes this one
        " 20261126T040000Z",
        "20261126T040000Zx",
        "2026112T040000Z",
        "20261326T040000Z",  # month 13
        "20261126T250000Z",
        "\u0662\u0660\u0662\u0666\u0661\u0661\u0662\u0666T040000Z",  # Arabic-Indic digits: `\d` matches them
        "../../20261126T040000Z",
        "",
        None,
    ],
)
def test_a_backup_id_is_exactly_a_utc_time(value: object) -> None:
    assert not is_backup_id(value)
    with pytest.raises(UntrustedNameError, match="YYYYMMDDTHHMMSSZ"):
        backup_id(value)


def test_a_valid_backup_id_passes() -> None:
    assert backup_id("20261126T040000Z") == "20261126T040000Z"


def test_names_in_messages_are_escaped_and_truncated() -> None:
    assert shown("a\nb\x1b[31m\u202e") == repr("a\nb\x1b[31m\u202e") and "\x1b" not in shown("\x1b")
    long = shown("x" * 1000)
    assert len(long) < 100 and "1000 characters" in long
    assert printable("people") == "people" and printable("a\x1bb") == repr("a\x1bb")
