"""The L1/L2 numbers of the dashboards and of the marts' metadata, on hand-made marts computed on paper."""

from __future__ import annotations

import pandas as pd
import pytest

from apollo_assets.metrics import marts, weekly
from apollo_assets.metrics.mart_headlines import MODELS, mart_headlines

from .hand_marts import W1, W2, W3, A, B


def ts(day) -> pd.Timestamp:
    return pd.Timestamp(day)


def test_backups_are_listed_newest_first_and_a_slice_is_one_backups(hand_warehouse) -> None:
    assert marts.backup_ids(hand_warehouse) == [B, A]
    older = marts.read_slice(hand_warehouse, marts.ADOPTION_L1, A)
    assert older["adopting_accounts"].tolist() == [5.0]
    assert len(marts.read_slice(hand_warehouse, marts.ADOPTION_L1, B)) == 6
    together = marts.read_slices(hand_warehouse, [marts.FUNNEL, marts.ADOPTION_L1], B)  # a page's, side by side
    for model, frame in zip([marts.FUNNEL, marts.ADOPTION_L1], together, strict=True):
        pd.testing.assert_frame_equal(frame, marts.read_slice(hand_warehouse, model, B))


def test_an_unknown_or_hostile_backup_id_is_a_parameter_not_sql(hand_warehouse) -> None:
    assert marts.read_slice(hand_warehouse, marts.ADOPTION_L1, "x' or '1'='1").empty


def test_activation_is_per_cohort_and_the_headline_compares_the_last_two(hand_warehouse) -> None:
    series = weekly.activation(marts.read_slice(hand_warehouse, marts.ACTIVATION_L1, B))
    found = weekly.headline(series, "engagement")
    assert (found.value, found.previous, found.week) == (pytest.approx(12 / 20), pytest.approx(4 / 10), W1)
    assert found.change == pytest.approx(0.2)
    assert weekly.overall_rate(series, "engagement") == pytest.approx(16 / 30)  # counts summed, not rates averaged


def test_retention_is_by_calendar_week_over_the_cohorts_after_their_signup_week(hand_warehouse) -> None:
    series = weekly.retention(marts.read_slice(hand_warehouse, marts.RETENTION_L1, B))
    any_use = series[series["line"] == "any"].set_index("week")["rate"]
    # week W1: W0's week 1 (5 of 10); week W2: W0's week 2 (4 of 10) and W1's week 1 (10 of 20). Week 0 is left out.
    assert any_use.to_dict() == {ts(W1): pytest.approx(0.5), ts(W2): pytest.approx(14 / 30)}
    assert weekly.headline(series, "any").change == pytest.approx(14 / 30 - 0.5)


def test_adoption_leaves_out_the_week_that_has_not_ended(hand_warehouse) -> None:
    series = weekly.adoption(marts.read_slice(hand_warehouse, marts.ADOPTION_L1, B))
    assert ts(W3) not in set(series["week"])
    top = weekly.top_line(series)
    assert (top.line, top.value, top.previous) == ("prospecting", pytest.approx(0.75), pytest.approx(0.8))


def test_the_funnel_sums_statuses_and_drops_the_week_the_backup_was_taken_in(hand_warehouse) -> None:
    frame = marts.read_slice(hand_warehouse, marts.FUNNEL, B)
    funnel = weekly.funnel(frame, B)
    assert funnel["week"].tolist() == [ts(W2), ts(W3)]
    assert funnel[["sent", "opened", "replied"]].values.tolist() == [[200, 80, 10], [200, 80, 20]]
    assert funnel["reply_rate"].tolist() == pytest.approx([0.05, 0.1])
    only_paused = weekly.funnel(frame, B, ["paused"])
    assert only_paused["sent"].tolist() == [100] and only_paused["replied"].tolist() == [0]


def test_the_comparison_has_each_measure_and_its_change_per_line(hand_warehouse) -> None:
    read = lambda model: marts.read_slice(hand_warehouse, model, B)  # noqa: E731
    table = weekly.comparison(
        {
            "activation": weekly.activation(read(marts.ACTIVATION_L1)),
            "retention": weekly.retention(read(marts.RETENTION_L1)),
            "adoption": weekly.adoption(read(marts.ADOPTION_L1)),
        }
    ).set_index("line")
    assert table.loc["engagement", "adoption"] == pytest.approx(0.5)
    assert table.loc["engagement", "adoption_change"] == pytest.approx(0.1)
    assert table.loc["engagement", "retention"] == pytest.approx(7 / 30)  # (3 + 4) / (10 + 20)
    assert pd.isna(table.loc["any", "activation"])  # `any` is a retention line only


def test_cohorts_are_the_retention_triangle_of_one_line(hand_warehouse) -> None:
    triangle = weekly.cohorts(marts.read_slice(hand_warehouse, marts.RETENTION_L1, B), "any")
    assert triangle[["weeks_since_signup", "retention_rate"]].values.tolist() == [
        [0, 1.0],
        [1, 0.5],
        [2, 0.4],
        [0, 1.0],
        [1, 0.5],
    ]


def test_each_marts_headline_numbers(hand_warehouse) -> None:
    found = {model: mart_headlines(hand_warehouse, model, B) for model in MODELS}
    assert found[marts.ACTIVATION_L1].numbers == pytest.approx(
        {
            "activation_rate": 16 / 30,
            "activation_rate_last_cohort": 0.6,
            "activation_rate_change": 0.2,
            "new_accounts_last_cohort": 20,
        }
    )
    assert found[marts.RETENTION_L1].numbers == pytest.approx(
        {"retention_last_week": 14 / 30, "retention_change": 14 / 30 - 0.5, "week_1_retention": 15 / 30}
    )
    adoption = found[marts.ADOPTION_L1]
    assert adoption.labels == {"top_use_case": "prospecting"}
    assert adoption.numbers == pytest.approx(
        {
            "adoption_rate/prospecting": 0.75,
            "adoption_rate/engagement": 0.5,
            "top_use_case_adoption": 0.75,
            "top_use_case_adoption_change": -0.05,
        }
    )
    assert found[marts.FUNNEL].numbers == pytest.approx(
        {
            "open_rate_last_week": 0.4,
            "reply_rate_last_week": 0.1,
            "reply_rate_change": 0.05,
            "messages_sent_last_week": 200,
        }
    )
    assert found[marts.ADOPTION_L2].labels == {"top_feature": "sequences"}
    assert found[marts.ADOPTION_L2].numbers["top_feature_adoption"] == pytest.approx(0.3)
    assert found[marts.ACTIVATION_L2].numbers["top_feature_activation_rate"] == pytest.approx(0.5)
    assert found[marts.RETENTION_L2].numbers["top_feature_retention"] == pytest.approx(6 / 30)
    assert found[marts.REPLY_TRAINING].numbers == {"replied_share": 0.5, "messages": 4.0}
    for model in MODELS:
        assert all(isinstance(v, float) for v in found[model].numbers.values()), model
        if model != marts.REPLY_TRAINING:
            assert not found[model].trend.empty, model


def test_a_backup_without_rows_has_no_numbers_rather_than_an_error(hand_warehouse) -> None:
    for model in MODELS:
        assert mart_headlines(hand_warehouse, model, "20250101T000000Z").numbers in ({}, {"messages": 0.0}), model
