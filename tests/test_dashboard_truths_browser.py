"""The demo dashboard in Chromium shows what issue 12 asks of it, with the figures of the published views:

- the overview's headline "owed to workers" (one figure per contract, no double counting);
- on the contract whose return was corrected, the audit trail's "what resubmissions changed" row
  (breach -> compliant, the earlier arrears -> £0.00) and the owed and uplift-cost figures.

Screenshots are saved under the test's tmp_path (the paths are printed) and, when GWP_SCREENSHOT_DIR is
set, copied there too for a reviewer. Skipped when Chromium is missing, unless GWP_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser import BrowserSession, chromium, require_browser, serve_directory  # noqa: E402

from gwp_monitor.domain.formatting import format_date, money  # noqa: E402
from gwp_monitor.domain.owed import owed_in_open_breaches  # noqa: E402
from gwp_monitor.report import contract_file_name  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _by(css: str) -> tuple[str, str]:
    return ("css selector", css)


def _keep(session: BrowserSession, shot: Path) -> Path:
    """Print where a screenshot is, and copy it to GWP_SCREENSHOT_DIR when set."""
    assert shot.stat().st_size > 5_000, shot
    print(f"screenshot: {shot}")
    folder = os.environ.get("GWP_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy2(shot, Path(folder) / shot.name)
    return shot


def _element_shot(session: BrowserSession, css: str, target: Path) -> Path:
    element = session.driver.find_element(*_by(css))
    session.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    assert element.is_displayed() and element.rect["height"] > 20, css
    element.screenshot(str(target))
    return _keep(session, target)


@pytest.fixture
def session(tmp_path: Path):
    require_browser()
    with chromium(tmp_path) as browser_session:
        yield browser_session


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_demo_dashboard_shows_resubmission_changes_owed_and_uplift(
    backend: str, demo_dashboard, db_rows, session: BrowserSession, tmp_path: Path
) -> None:
    built = demo_dashboard(backend)
    db = built.database
    (change,) = db_rows(
        db,
        "SELECT * FROM v_resubmission_changes WHERE previous_status = 'breach' AND new_status = 'compliant'",
    )
    ref = change["contract_ref"]
    owed_rows = db_rows(db, "SELECT * FROM v_owed_to_workers")
    breaches = db_rows(db, "SELECT * FROM v_open_breaches")
    owed = {
        r: owed_in_open_breaches(
            [o for o in owed_rows if o["contract_ref"] == r], [b for b in breaches if b["contract_ref"] == r]
        )
        for r in {o["contract_ref"] for o in owed_rows}
    }
    latest = max((o for o in owed_rows if o["contract_ref"] == ref), key=lambda o: o["period_start"])
    assert latest["uplift_from"] is not None and latest["workers_below_uplift"] > 0  # the demo has a rise ahead

    with serve_directory(built.report_dir) as base_url:
        session.open(base_url + "/index.html")
        driver = session.driver
        tiles = {
            t.find_element(*_by(".tile-label")).text: t.find_element(*_by(".tile-value")).text
            for t in driver.find_elements(*_by(".tile"))
        }
        assert tiles["owed to workers"] == money(round(sum(owed.values()), 2))
        headers = [h.text for h in driver.find_elements(*_by("#contracts thead th"))]
        assert "Owed to workers" in headers and "Arrears" not in headers
        body = driver.find_element(*_by("body")).text
        assert "the two figures overlap" not in body
        _keep(session, session.screenshot(tmp_path / "issue12-overview.png", full_page=False))

        driver.find_element(*_by(f"#contracts tr[data-ref='{ref}'] a.contract-link")).click()
        assert driver.current_url.endswith("/contract/" + contract_file_name(ref))
        rows = driver.find_elements(*_by("#submissions tr.change"))
        assert len(rows) == 1
        row = rows[0].text
        assert "Breach" in row and "Compliant" in row and "Real Living Wage" in row
        assert f"{money(change['previous_arrears_gbp'])} → £0.00" in row
        assert f"{int(change['previous_observed_value'])} workers below → 0 workers below" in row
        owed_box = driver.find_element(*_by("#owed")).text
        assert (money(owed[ref]) if owed[ref] else "No open wage breach: nothing owed to workers.") in owed_box
        uplift = driver.find_element(*_by("#uplift")).text
        assert f"from {format_date(latest['uplift_from'])}, add {money(latest['uplift_cost_gbp'])} a month" in uplift
        assert f"for {latest['workers_below_uplift']} workers" in uplift
        assert driver.find_element(*_by(".next-steps")).is_displayed()
        _element_shot(session, "#resubmission-changes", tmp_path / "issue12-resubmission-change.png")
        _keep(session, session.screenshot(tmp_path / f"issue12-contract-{backend}.png"))

        # The contract whose workers are owed the most: its headline figure and uplift cost.
        most = max(owed, key=owed.get)
        assert owed[most] > 0
        session.open(base_url + "/contract/" + contract_file_name(most))
        owed_box = driver.find_element(*_by("#owed")).text
        assert f"Owed to workers in open wage breaches: {money(owed[most])}." in owed_box
        top = max((o for o in owed_rows if o["contract_ref"] == most), key=lambda o: o["period_start"])
        if top["uplift_from"] is not None:
            assert f"add {money(top['uplift_cost_gbp'])} a month" in driver.find_element(*_by("#uplift")).text
        _element_shot(session, "#owed", tmp_path / "issue12-owed-and-uplift.png")
        _element_shot(session, ".next-steps", tmp_path / "issue12-next-steps.png")
        assert session.severe_console_entries() == []
        assert session.external_requests() == []
