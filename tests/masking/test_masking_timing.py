"""The cost of masking a people-like table (printed, not asserted: machines differ)."""

from __future__ import annotations

import time

import pytest

from apollo_assets.masking import Masker, load_policy

from .helpers import KEY
from .people_table import people_table

ROWS = 200_000


def test_masking_cost_of_a_people_table(capsys: pytest.CaptureFixture[str]) -> None:
    table = people_table(ROWS)
    batches = table.to_batches(max_chunksize=50_000)
    masker = Masker(load_policy("people"), KEY, table.schema)
    wall, cpu = time.perf_counter(), time.process_time()
    masked = [masker.mask(batch) for batch in batches]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert sum(b.num_rows for b in masked) == ROWS
    report = masker.report
    hashed = sum(n for p, n in report.masked_values.items() if report.actions[p] in ("hash", "email"))
    with capsys.disabled():
        print(
            f"\nmasking {ROWS:,} people rows: {wall:.2f} s wall, {cpu:.2f} s CPU -> {ROWS / cpu:,.0f} rows/s "
            f"({cpu / ROWS * 1e5:.3f} s CPU per 100k rows; {hashed / ROWS:.1f} pseudonymized values a row)"
        )
