"""`keep_first` on DuckDB (only repeated keys go through the window) keeps the same rows as the portable QUALIFY
form (`default__keep_first`, what Snowflake runs), null keys and ties on the order included."""

from __future__ import annotations

from pathlib import Path

from .conftest import new_warehouse

ROWS = """
    (1, 'a', 3, 'a-old'), (1, 'a', 5, 'a-new'), (1, 'b', 1, 'b-only'),
    (2, 'a', 2, 'other-backup'), (1, null, 4, 'null-new'), (1, null, 2, 'null-old'),
    (null, 'c', 1, 'null-backup-old'), (null, 'c', 7, 'null-backup-new'), (1, 'd', null, 'd-null-order'),
    (1, 'd', 9, 'd-late')
"""


def _kept(wh, macro: str) -> list[tuple]:
    sql = (
        f"with rows as (select * from (values {ROWS}) as t(backup, id, version, label)) "
        f"{{{{ {macro}('rows', 'backup, id', 'version desc nulls last') }}}}"
    )
    show = wh.dbt("show", "--inline", sql, "--limit", "100")
    assert show.result.success, show.failures()
    table = show.result.result.results[0].agate_table
    return sorted((tuple(row) for row in table.rows), key=repr)


def test_duckdb_keep_first_matches_the_portable_form(tmp_path: Path, dbt_work: Path) -> None:
    wh = new_warehouse(tmp_path, dbt_work)
    fast = _kept(wh, "keep_first")
    assert sorted(r[3] for r in fast) == sorted(
        ["a-new", "b-only", "other-backup", "null-new", "null-backup-new", "d-late"]
    )
    assert fast == _kept(wh, "apollo.default__keep_first")
