"""The dashboard in a real browser: headless Chromium via Selenium, served from 127.0.0.1.

The render tests prove what the HTML says; these prove what a contract manager gets: the inline
script runs under the page's Content Security Policy (sorting and filtering work), the SVG charts
are laid out with real sizes, the console is clean and nothing is requested from outside localhost.
Screenshots are saved in each test's tmp_path for a human to look at.

Skipped when Chromium is not installed, unless GWP_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the helper and the sample data live next to this file

from browser import BrowserSession, chromium, is_local_url, require_browser, serve_directory, served_requests  # noqa: E402
from test_report_render import AMBER, GREEN, HOSTILE_SUPPLIER, NEW, RED, sample_report_data  # noqa: E402

from gwp_monitor.report import ReportData, contract_file_name, render_site  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EXPECTED_RAG = {RED: "Red", AMBER: "Amber", GREEN: "Green", NEW: "Green"}


@pytest.fixture(scope="module")
def served_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_browser()
    site = tmp_path_factory.mktemp("browser-site")
    render_site(sample_report_data(), site)
    with serve_directory(site) as base_url:
        yield base_url


@pytest.fixture
def session(tmp_path: Path) -> Iterator[BrowserSession]:
    require_browser()
    with chromium(tmp_path) as browser_session:
        yield browser_session


def _by(css: str) -> tuple[str, str]:
    return ("css selector", css)


def _visible_refs(session: BrowserSession) -> list[str]:
    rows = session.driver.find_elements(*_by("#contracts tbody tr[data-ref]"))
    return [r.get_attribute("data-ref") for r in rows if r.is_displayed()]


def _assert_clean(session: BrowserSession) -> None:
    assert session.severe_console_entries() == []
    assert session.external_requests() == []


def test_overview_lists_every_contract_with_its_rag_text_and_colour(
    session: BrowserSession, served_site: str, tmp_path: Path
) -> None:
    session.open(served_site + "/index.html")
    driver = session.driver
    assert "Contracts overview" in driver.title
    rows = driver.find_elements(*_by("#contracts tbody tr[data-ref]"))
    seen = {}
    colours = {}
    for row in rows:
        ref = row.get_attribute("data-ref")
        tag = row.find_element(*_by(".rag-cell .tag"))
        seen[ref] = row.find_element(*_by(".rag-cell .tag-text")).text
        colours[seen[ref]] = tag.value_of_css_property("background-color")
    assert seen == EXPECTED_RAG
    assert len(set(colours.values())) == 3  # red, amber and green look different as well as reading differently
    supplier = next(r for r in rows if r.get_attribute("data-ref") == AMBER).find_elements(*_by("td"))[1].text
    assert supplier == HOSTILE_SUPPLIER  # shown as text, never run
    tiles = {
        t.find_element(*_by(".tile-label")).text: t.find_element(*_by(".tile-value")).text
        for t in driver.find_elements(*_by(".tile"))
    }
    assert tiles["contracts red"] == "1" and tiles["owed to workers"] == "£3,117.15"
    shot = session.screenshot(tmp_path / "overview.png")
    assert shot.stat().st_size > 10_000
    _assert_clean(session)


def test_clicking_a_column_heading_sorts_the_table(session: BrowserSession, served_site: str) -> None:
    session.open(served_site + "/index.html")
    driver = session.driver
    initial = _visible_refs(session)
    assert initial[:2] == [RED, AMBER]  # worst first
    contract_header = driver.find_element(*_by("#contracts thead th:nth-child(1)"))
    contract_header.find_element(*_by("button")).click()
    ascending = _visible_refs(session)
    assert ascending == sorted(initial, key=str.lower) and ascending != initial
    assert contract_header.get_attribute("aria-sort") == "ascending"
    contract_header.find_element(*_by("button")).click()
    assert _visible_refs(session) == list(reversed(ascending))
    assert contract_header.get_attribute("aria-sort") == "descending"
    driver.find_element(*_by("#contracts thead th:nth-child(7) button")).click()  # last submission, newest first
    by_last = _visible_refs(session)
    assert by_last[0] == AMBER and by_last[-1] == NEW  # a contract with no submission sorts last
    driver.find_element(*_by("#contracts thead th:nth-child(5) button")).click()  # arrears, largest first
    assert _visible_refs(session)[0] == RED
    _assert_clean(session)


def test_filters_hide_rows(session: BrowserSession, served_site: str, tmp_path: Path) -> None:
    from selenium.webdriver.support.ui import Select

    session.open(served_site + "/index.html")
    driver = session.driver
    box = driver.find_element(*_by("#filter-text"))
    counter = driver.find_element(*_by("#result-count"))
    assert counter.text == "Showing all 4 contracts"
    box.send_keys("tyneside")
    assert _visible_refs(session) == [RED]
    assert counter.text == "Showing 1 of 4 contracts"
    box.clear()
    box.send_keys("zzz-no-such-contract")
    assert _visible_refs(session) == []
    assert driver.find_element(*_by("tr.no-match")).is_displayed()
    box.send_keys("\b" * 30)
    assert len(_visible_refs(session)) == 4
    Select(driver.find_element(*_by("#filter-rag"))).select_by_value("green")
    assert sorted(_visible_refs(session)) == sorted([GREEN, NEW])
    Select(driver.find_element(*_by("#filter-rag"))).select_by_value("")
    driver.find_element(*_by("button[data-rag-filter='amber']")).click()  # the summary tiles filter too
    assert _visible_refs(session) == [AMBER]
    assert driver.find_element(*_by("button[data-rag-filter='amber']")).get_attribute("aria-pressed") == "true"
    session.screenshot(tmp_path / "overview-filtered.png", full_page=False)
    _assert_clean(session)


def test_contract_page_draws_its_charts_and_grid(session: BrowserSession, served_site: str, tmp_path: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    session.open(served_site + "/index.html")
    driver = session.driver
    driver.find_element(*_by(f"#contracts tr[data-ref='{RED}'] a.contract-link")).click()
    assert driver.current_url.endswith("/contract/" + contract_file_name(RED))
    assert driver.find_element(*_by("h1")).text.endswith(RED)
    charts = driver.find_elements(*_by("svg.chart"))
    assert len(charts) == 2
    for chart in charts:
        boxes = driver.execute_script(
            "return Array.from(arguments[0].querySelectorAll('.mark')).map(function (e) {"
            " var r = e.getBoundingClientRect(); return [r.width, r.height]; });",
            chart,
        )
        drawn = [b for b in boxes if b[0] > 0 and b[1] > 0]
        assert drawn, f"chart {chart.get_attribute('id')} has no drawn marks"
        box = chart.rect
        assert box["width"] > 300 and box["height"] > 120
    line_length = driver.execute_script("return document.querySelector('svg.chart path.line').getTotalLength();")
    assert line_length > 50
    bars = driver.execute_script("return document.querySelectorAll('svg.chart rect.bar').length;")
    assert bars == 4
    cells = driver.find_elements(*_by("table.grid td.verdict.breach"))
    assert len(cells) == 5 and all(c.size["width"] > 20 and c.size["height"] > 20 for c in cells)
    assert cells[0].value_of_css_property("background-color") != driver.find_element(
        *_by("table.grid td.verdict.compliant")
    ).value_of_css_property("background-color")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", cells[-1])
    tip = driver.find_element(*_by("#tip"))
    # The tooltip hides on scroll; on a loaded machine the scroll event of scrollIntoView can arrive after
    # the hover, so hover again (a few times at most) once the page has stopped moving.
    for _ in range(3):
        ActionChains(driver).move_to_element(cells[-1]).perform()
        if tip.is_displayed():
            break
        ActionChains(driver).move_by_offset(0, 40).perform()
    assert tip.is_displayed() and "Observed:" in tip.text and "Breach" in tip.text
    session.screenshot(tmp_path / "contract-red.png")
    _assert_clean(session)


def test_every_page_is_clean_and_stays_on_localhost(session: BrowserSession, served_site: str, tmp_path: Path) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    pages = ["/index.html"] + [f"/contract/{contract_file_name(ref)}" for ref in (RED, AMBER, GREEN, NEW)]
    for page in pages:
        session.open(served_site + page)
        with pytest.raises(NoAlertPresentException):
            session.driver.switch_to.alert  # noqa: B018 - a supplier's <script> must not have run
        footer = session.driver.find_element(*_by("footer")).text
        assert "aggregate data only" in footer
        assert "As of" in session.driver.find_element(*_by(".meta-bar")).text
    session.screenshot(tmp_path / "contract-new.png")
    session.open(served_site + f"/contract/{contract_file_name(AMBER)}")
    assert HOSTILE_SUPPLIER in session.driver.find_element(*_by(".supplier")).text
    session.screenshot(tmp_path / "contract-amber.png")
    assert len(session.resource_urls) >= len(pages)
    _assert_clean(session)
    requested = served_requests(served_site)
    assert requested and not [r for r in requested if "favicon" in r]


def test_empty_site_in_the_browser(session: BrowserSession, tmp_path: Path) -> None:
    from datetime import UTC, date, datetime

    site = tmp_path / "empty-site"
    render_site(ReportData.empty(generated_at=datetime(2026, 4, 20, 6, 0, tzinfo=UTC), as_of=date(2026, 4, 20)), site)
    with serve_directory(site) as base_url:
        session.open(base_url + "/index.html")
        assert "No contracts are being monitored yet" in session.driver.find_element(*_by("main")).text
        session.screenshot(tmp_path / "empty.png", full_page=False)
        _assert_clean(session)


def test_the_helper_sees_console_errors_and_failed_loads(session: BrowserSession, tmp_path: Path) -> None:
    """The "no SEVERE entries" checks above are only worth something if errors do show up."""
    site = tmp_path / "broken"
    site.mkdir()
    (site / "index.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>broken</title><link rel="icon" href="data:,"></head>'
        '<body><script src="missing.js"></script><script>throw new Error("boom");</script></body></html>',
        encoding="utf-8",
    )
    with serve_directory(site) as base_url:
        session.open(base_url + "/index.html")
        messages = " ".join(e.get("message", "") for e in session.severe_console_entries())
        assert "boom" in messages and "missing.js" in messages
        assert session.external_requests() == []
        assert any(u.endswith("/missing.js") for u in session.resource_urls + session.network_urls)
        assert any("GET /missing.js" in r for r in served_requests(base_url))


def test_local_url_classification() -> None:
    assert is_local_url("http://127.0.0.1:8123/index.html")
    assert is_local_url("http://localhost/x.css")
    assert is_local_url("data:image/png;base64,AAAA")
    assert is_local_url("about:blank")
    assert not is_local_url("https://fonts.googleapis.com/css")
    assert not is_local_url("http://10.0.0.5/x.js")
    assert not is_local_url("https://cdn.example/x.js")


def test_missing_browser_skips_unless_required(monkeypatch: pytest.MonkeyPatch) -> None:
    import browser

    monkeypatch.setattr(browser, "browser_unavailable_reason", lambda: "Chromium is not installed")
    monkeypatch.delenv("GWP_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="Chromium is not installed"):
        browser.require_browser()
    monkeypatch.setenv("GWP_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="GWP_REQUIRE_BROWSER=1"):
        browser.require_browser()
