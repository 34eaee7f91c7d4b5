"""The dashboard end to end: demo returns -> real pipeline -> reporting database -> report -> Chromium.

test_report_browser.py drives the site rendered from hand-made frames; here everything is real: the
demo's supplier files (fixed seed and as-of date) go through the pipeline into a SQLite file (and
into PostgreSQL when the test server is up), the dashboard is rendered from the published views,
and a headless Chromium served from 127.0.0.1 checks what a contract manager would see: every
contract with the RAG the view gives, wage charts actually drawn, the audit trail's link to the Great
Expectations Data Docs page working offline, no console error and no request leaving localhost.

Screenshots are saved in the test's tmp_path. Skipped when Chromium is missing, unless
GWP_REQUIRE_BROWSER=1; the PostgreSQL case skips when the server is unreachable, unless
GWP_REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the browser helper lives next to this file

from browser import BrowserSession, chromium, require_browser, serve_directory, served_requests  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
# What the overview must print for each rag value of v_contract_status (spec 4: red, amber, green).
RAG_WORDS = {"red": "Red", "amber": "Amber", "green": "Green"}


def _by(css: str) -> tuple[str, str]:
    return ("css selector", css)


def _rows(database, sql: str) -> list[tuple]:
    with database.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def _assert_clean(session: BrowserSession) -> None:
    assert session.severe_console_entries() == []
    assert session.external_requests() == []


def _drawn_boxes(driver, element, css: str) -> list[list[float]]:
    """[width, height] of every element matching css inside element, as laid out by the browser."""
    boxes = driver.execute_script(
        "return Array.from(arguments[0].querySelectorAll(arguments[1])).map(function (e) {"
        " var r = e.getBoundingClientRect(); return [r.width, r.height]; });",
        element,
        css,
    )
    return [b for b in boxes if b[0] > 0 and b[1] > 0]


@pytest.fixture
def session(tmp_path: Path):
    require_browser()
    with chromium(tmp_path) as browser_session:
        yield browser_session


@pytest.mark.parametrize("backend", BACKENDS)
def test_demo_dashboard_in_chromium(backend: str, demo_dashboard, session: BrowserSession, tmp_path: Path) -> None:
    built = demo_dashboard(backend)
    database = built.database
    assert built.summary.outcomes["accepted"] > 50 and built.summary.outcomes["rejected"] >= 1  # the demo really ran
    status = dict(_rows(database, "SELECT contract_ref, rag FROM v_contract_status"))
    assert len(status) == len(built.demo.register["contracts"])
    assert set(status.values()) == {"red", "amber", "green"}  # the comparison below covers every colour

    # The contract with the most wage arrears: both wage charts have something to draw.
    per_floor = _rows(
        database,
        "SELECT contract_ref, period_start, rate_type, arrears_gbp FROM v_wage_compliance",
    )
    arrears_by_contract: dict[str, float] = {}
    for ref, _, _, arrears in per_floor:
        arrears_by_contract[ref] = arrears_by_contract.get(ref, 0.0) + float(arrears or 0)
    wage_ref = max(arrears_by_contract, key=arrears_by_contract.get)
    assert arrears_by_contract[wage_ref] > 0
    wage_rows = [r for r in per_floor if r[0] == wage_ref]
    bar_groups: dict[tuple, float] = {}
    for _, start, rate_type, arrears in wage_rows:
        bar_groups[(str(start), rate_type)] = bar_groups.get((str(start), rate_type), 0.0) + float(arrears or 0)
    expected_bars = sum(1 for v in bar_groups.values() if round(v, 2) > 0)

    with serve_directory(built.report_dir) as base_url:
        session.open(base_url + "/index.html")
        driver = session.driver
        assert "Contracts overview" in driver.title
        shown = {
            row.get_attribute("data-ref"): row.find_element(*_by(".rag-cell .tag-text")).text
            for row in driver.find_elements(*_by("#contracts tbody tr[data-ref]"))
        }
        assert shown == {ref: RAG_WORDS[rag] for ref, rag in status.items()}
        overview_shot = session.screenshot(tmp_path / "demo-overview.png")
        assert overview_shot.stat().st_size > 10_000
        _assert_clean(session)

        # A contract page with wage data, reached the way a manager would: by its link.
        driver.find_element(*_by(f"#contracts tr[data-ref='{wage_ref}'] a.contract-link")).click()
        assert driver.find_element(*_by("h1")).text.endswith(wage_ref)
        charts = driver.find_elements(*_by("svg.chart"))
        assert len(charts) == 2
        for chart in charts:
            assert chart.rect["width"] > 300 and chart.rect["height"] > 120
            assert _drawn_boxes(driver, chart, ".mark"), f"chart {chart.get_attribute('id')} has no drawn marks"
        below, arrears = charts
        # One marker per row of v_wage_compliance (period x wage floor), one bar per period and rate type with arrears.
        assert len(_drawn_boxes(driver, below, ".mark.dot")) == len(wage_rows)
        assert len(_drawn_boxes(driver, arrears, "rect.mark.bar")) == expected_bars
        contract_shot = session.screenshot(tmp_path / "demo-contract-wages.png")
        assert contract_shot.stat().st_size > 10_000
        _assert_clean(session)

        # The audit trail links each validated submission to its Data Docs page, in the same folder tree.
        links = driver.find_elements(*_by("#submissions a"))
        docs = [a for a in links if a.text == "Validation report"]
        assert docs, "no Data Docs link in the audit trail"
        raw_href = docs[0].get_attribute("href")  # the resolved URL
        attribute = driver.execute_script("return arguments[0].getAttribute('href');", docs[0])
        assert attribute.startswith("../data-docs/") and "//" not in attribute  # relative: works from a file share
        assert raw_href == urljoin(driver.current_url, attribute) and raw_href.startswith(base_url + "/data-docs/")
        docs[0].click()
        assert driver.current_url == raw_href
        assert driver.execute_script("return document.readyState;") == "complete"
        body = driver.find_element(*_by("body")).text
        assert "Great Expectations results for one gwp-monitor run" in body
        assert "Expectation Validation Result" in body
        assert "payroll_return" in body or "workforce_return" in body
        assert driver.execute_script("return document.scripts.length;") == 0  # scripts stripped: nothing to run
        # No link into a GX site that is not here (GX's template has favicon, Home and suite links):
        # in-page anchors, an inline icon, and Home pointing at the dashboard's overview.
        hrefs = driver.execute_script(
            "return Array.from(document.querySelectorAll('[href],[src]')).map(function (e) {"
            " return e.getAttribute('href') || e.getAttribute('src'); });"
        )
        assert [h for h in hrefs if not (h.startswith("#") or h.startswith("data:") or h == "../index.html")] == []
        path = urlsplit(raw_href).path
        assert (built.report_dir / path.lstrip("/")).is_file()
        assert any(f"GET {path} " in r for r in served_requests(base_url))  # loaded from our localhost server
        session.screenshot(tmp_path / "demo-data-docs.png", full_page=False)
        _assert_clean(session)
        driver.find_element("link text", "Home").click()  # GX's "Home": back to the overview
        assert driver.current_url == base_url + "/index.html" and "Contracts overview" in driver.title
        _assert_clean(session)
