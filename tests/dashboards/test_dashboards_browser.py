"""`apollo dashboards` over the platform's warehouse and Dagster instance (two backups through the whole graph), in
Debian's Chromium: every page draws its charts from the marts, shows numbers of the marts, says how fresh they are
and links to them in the Dagster UI; the as-of selector switches backups; no page shows a raw personal value, and
the browser talks to nothing but the app. Screenshots in test-artifacts/dashboards/."""

from __future__ import annotations

import os
import time
import urllib.request
from collections.abc import Iterator
from urllib.parse import urlsplit

import dagster as dg
import duckdb
import pytest

from apollo_assets.dashboards.formatting import count, percent
from tests.e2e.browser import chromium_page
from tests.e2e.server import REPO, Service, free_port
from tests.pii.raw_pii import RawPii, raw_pii

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1800)]

ARTIFACTS = REPO / "test-artifacts" / "dashboards"
UI = "http://127.0.0.1:3999/dagster"  # never opened: the links must point there
PAGES = {
    "": ("L1 overview: use cases", ["mart_activation_l1", "mart_retention_l1", "mart_adoption_l1"], 3),
    "features": ("L2 drill-down: features", ["mart_activation_l2", "mart_retention_l2", "mart_adoption_l2"], 3),
    "funnel": ("Engagement funnel: sequences", ["mart_engagement_funnel"], 2),
    "cohorts": ("Retention cohorts", ["mart_retention_l1"], 1),
}
# Vega draws each data point, bar or heatmap cell as one path of a mark group (axes and legends are other roles).
DATA_MARKS = """() => Array.from(document.querySelectorAll('[data-testid=stVegaLiteChart]')).map(chart => ({
  points: chart.querySelectorAll('svg g.mark-symbol.role-mark > path').length,
  rects: chart.querySelectorAll('svg g.mark-rect.role-mark > path').length,
  lines: chart.querySelectorAll('svg g.mark-line.role-mark > path').length,
}))"""


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def dashboards(platform) -> Iterator[str]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {
        **os.environ,
        "APOLLO_DATA_DIR": str(platform.data_dir),
        "DAGSTER_HOME": str(platform.data_dir / "dagster_home"),
        "APOLLO_DAGSTER_UI_URL": UI,
    }
    env.pop("APOLLO_WAREHOUSE_PATH", None)
    service = Service("dashboards", ["apollo", "dashboards", "--port", str(port)], env, ARTIFACTS)
    url = f"http://127.0.0.1:{port}"
    try:
        service.wait_until(lambda: healthy(url), timeout=300)
        yield url
    finally:
        service.stop()


@pytest.fixture(scope="module")
def pii(platform) -> RawPii:
    found = RawPii()
    for backup_id in platform.backups:
        backup = raw_pii(platform.data_dir / "backups" / backup_id)
        found.emails |= backup.emails
        found.names |= backup.names
    return found


def mart_query(platform, sql: str, params: list) -> list[tuple]:
    """The marts read straight, not through the app's code: what the pages must show."""
    with duckdb.connect(str(platform.data_dir / "warehouse.duckdb"), config={"access_mode": "READ_ONLY"}) as con:
        schema = con.execute(
            "select table_schema from information_schema.tables where table_name = 'mart_adoption_l1'"
        ).fetchone()[0]
        return con.execute(sql.replace("marts.", f'"{schema}".'), params).fetchall()


def expected_numbers(platform, path: str, backup_id: str) -> set[str]:
    """Numbers each page must show, formatted as the pages write them."""
    if path in ("", "features"):
        model = "marts.mart_adoption_l1" if path == "" else "marts.mart_adoption_l2"
        only = "" if path == "" else "and use_case = 'engagement'"
        rows = mart_query(
            platform,
            f"""select sum(adopting_accounts) * 1.0 / sum(active_accounts) from {model}
                where backup_id = ? and is_complete_week {only} and activity_week = (
                    select max(activity_week) from {model} where backup_id = ? and is_complete_week)
                group by {"use_case" if path == "" else "feature"}""",
            [backup_id, backup_id],
        )
        return {percent(rate) for (rate,) in rows}
    if path == "funnel":
        taken = backup_id[:4] + "-" + backup_id[4:6] + "-" + backup_id[6:8]
        rows = mart_query(
            platform,
            """select send_week, sum(messages_sent), sum(messages_opened) from marts.mart_engagement_funnel
               where backup_id = ? and send_week <= cast(? as date) - 7 group by send_week order by send_week desc
               limit 3""",
            [backup_id, taken],
        )
        return {count(sent) for _, sent, _ in rows} | {count(opened) for _, _, opened in rows}
    rows = mart_query(
        platform,
        """select cohort_week, cohort_users, active_users * 1.0 / cohort_users from marts.mart_retention_l1
           where backup_id = ? and use_case = 'any' and weeks_since_signup = 1 order by cohort_week desc limit 3""",
        [backup_id],
    )
    return {percent(rate) for _, _, rate in rows}


def heatmap_cells(platform, backup_id: str) -> int:
    """Cells of the cohorts page's heatmap: every (cohort, week) of the 12 newest cohorts, use case `any`."""
    return mart_query(
        platform,
        """select count(*) from marts.mart_retention_l1 where backup_id = ? and use_case = 'any' and cohort_week in (
               select distinct cohort_week from marts.mart_retention_l1 where backup_id = ?
               order by cohort_week desc limit 12)""",
        [backup_id, backup_id],
    )[0][0]


def test_every_page_shows_the_marts_fresh_and_linked_with_no_personal_value(platform, dashboards, pii) -> None:
    newest, older = sorted(platform.backups)[::-1]
    requested: set[str] = set()
    with chromium_page(ARTIFACTS / "chromium-profile", ARTIFACTS / "99-failure.png") as page:
        page.set_default_timeout(180_000)  # the first page load starts the app (imports, the dbt manifest)
        page.on("request", lambda request: requested.add(urlsplit(request.url).netloc))
        for number, (path, (title, models, charts)) in enumerate(PAGES.items(), start=1):
            page.goto(f"{dashboards}/{path}?backup={newest}")
            page.get_by_role("heading", name=title).wait_for()
            page.wait_for_function(
                f"document.querySelectorAll('[data-testid=stVegaLiteChart] svg g.role-mark').length > 0 && "
                f"document.querySelectorAll('[data-testid=stVegaLiteChart]').length === {charts}"
            )
            time.sleep(1)  # the remaining charts of the page finish drawing
            page.screenshot(path=ARTIFACTS / f"{number:02d}-{path or 'overview'}.png", full_page=True)
            text = page.inner_text("body")

            marks = page.evaluate(DATA_MARKS)
            assert len(marks) == charts and all(m["points"] + m["rects"] > 0 for m in marks), (path, marks)
            assert f"As of backup {newest}" in text
            missing = expected_numbers(platform, path, newest) - set(text.split())
            assert not missing, (path, missing)
            if path == "cohorts":
                assert marks[0]["rects"] == heatmap_cells(platform, newest)

            for model in models:
                latest = platform.instance.get_latest_materialization_event(dg.AssetKey(["warehouse", model]))
                backup = latest.asset_materialization.partition
                assert f"{model} last materialized " in text
                assert f"from backup {backup}, run {latest.run_id[:8]}" in text
                link = page.locator(f'a[href="{UI}/assets/warehouse/{model}?view=partitions&partition={newest}"]')
                assert link.count() == 1, (path, model)

            html = page.content()
            assert pii.found_in(text) == set() and pii.found_in(html) == set(), path
            email = sorted(pii.emails)[0]
            assert pii.found_in(text + f" {email} ") == {email}  # the scan sees a value when there is one

        # The as-of selector, through its query parameter: the older backup's numbers; an unknown one is ignored.
        page.goto(f"{dashboards}/?backup={older}")
        page.get_by_text(f"As of backup {older}").wait_for()
        page.wait_for_function("document.querySelectorAll('[data-testid=stVegaLiteChart] svg g.role-mark').length > 0")
        text = page.inner_text("body")
        assert not expected_numbers(platform, "", older) - set(text.split())
        page.screenshot(path=ARTIFACTS / "05-overview-older-backup.png", full_page=True)
        page.goto(f"{dashboards}/?backup=19990101T000000Z%27%20or%201=1")
        page.get_by_text(f"As of backup {newest}").wait_for()
    assert requested == {urlsplit(dashboards).netloc}  # no font, script or statistics from anywhere else
