"""The Dagster UI in Debian's Chromium: the lineage shows every layer, and a materialization launched from the UI
succeeds (the UI shows it). Screenshots in test-artifacts/e2e/."""

from __future__ import annotations

import re

import pytest

from tests.e2e.browser import chromium_page
from tests.e2e.conftest import ARTIFACTS, wait_for
from tests.e2e.queries import RUN

# The deployment fixture (three backups, three services) and the runs take minutes on a 2-core machine.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(3600)]

# Which node sits in which group box of the lineage graph (both are foreignObjects of the graph's SVG).
NODES_BY_GROUP = """() => {
  const box = fo => ['x', 'y', 'width', 'height'].map(a => parseFloat(fo.getAttribute(a)));
  const objects = Array.from(document.querySelectorAll('svg foreignObject'));
  const groups = objects.filter(fo => fo.querySelector('[class*=ExpandedGroupNode_groupNodeHeaderBox]'))
    .map(fo => [fo.querySelector('[data-tooltip]').getAttribute('data-tooltip'), box(fo)]);
  const nodes = objects.filter(fo => fo.querySelector('[class*=AssetNode_assetName]'))
    .map(fo => [fo.querySelector('[class*=AssetNode_assetName]').textContent, box(fo)]);
  const inside = ([x, y, w, h], [gx, gy, gw, gh]) => x >= gx && y >= gy && x + w <= gx + gw && y + h <= gy + gh;
  return nodes.map(([name, b]) => [(groups.find(([, g]) => inside(b, g)) || ['(none)'])[0], name]);
}"""


def test_lineage_shows_every_layer_and_a_ui_materialization_succeeds(deployment, tmp_path):
    backup = deployment.backups[0]
    # The "join the community" dialog of a first visit, marked seen the way its own Skip button does (it would
    # otherwise pop up over whatever the test is clicking on a slow machine).
    assert deployment.graphql("mutation { setNuxSeen }")["setNuxSeen"] is True
    assert deployment.graphql("{ shouldShowNux }")["shouldShowNux"] is False
    with chromium_page(tmp_path / "chromium-profile", ARTIFACTS / "99-failure.png") as page:
        # Should the dialog show up all the same, it is dismissed before the next action.
        page.add_locator_handler(page.get_by_role("button", name="Skip"), lambda skip: skip.click())

        page.goto(f"{deployment.url}/assets/mongo/people?view=lineage&lineageScope=downstream&lineageDepth=6")
        page.get_by_text("reply_propensity").first.wait_for()
        page.wait_for_timeout(2000)  # let the layout settle before the picture
        page.screenshot(path=ARTIFACTS / "01-lineage.png")
        groups: dict[str, set[str]] = {}
        for group, node in page.evaluate(NODES_BY_GROUP):
            groups.setdefault(group, set()).add(node)
        assert groups["mongo_snapshots"] == {"people"}  # snapshot
        assert "people" in groups["lake"]  # lake
        assert "stg_people" in groups["warehouse_staging"] and "people" in groups["warehouse_gold"]  # warehouse
        assert any(n.startswith("mart_") for n in groups["marts"])  # marts
        assert {"reply_propensity", "similar_companies"} <= groups["ml"]  # models

        page.goto(f"{deployment.url}/assets/mongo/accounts")
        page.get_by_role("button", name="Materialize…").first.click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_text("Select a partition or create one").click()
        page.get_by_text(backup, exact=True).filter(visible=True).first.click()
        page.keyboard.press("Escape")
        page.screenshot(path=ARTIFACTS / "02-launch-dialog.png")
        dialog.get_by_role("button", name="Launch 1 run").click()
        link = page.get_by_role("link", name="View", exact=True)  # in the "Launched run …" toast
        run_id = re.search(r"/runs/([0-9a-f-]{36})", link.get_attribute("href")).group(1)

        page.goto(f"{deployment.url}/runs/{run_id}")
        # The run page follows the run live: its status tag turns to Success when the run ends well.
        wait_for(lambda: run_status(deployment, run_id) in ("SUCCESS", "FAILURE", "CANCELED"), 1800, "UI run")
        page.get_by_text("Success", exact=True).first.wait_for(timeout=120_000)
        page.screenshot(path=ARTIFACTS / "03-run-succeeded.png")
    run = deployment.graphql(RUN, {"id": run_id})["runOrError"]
    assert run["status"] == "SUCCESS"
    assert {(tuple(m["assetKey"]["path"]), m["partition"]) for m in run["assetMaterializations"]} == {
        (("mongo", "accounts"), backup)
    }


def run_status(deployment, run_id: str) -> str:
    return deployment.graphql(RUN, {"id": run_id})["runOrError"]["status"]
