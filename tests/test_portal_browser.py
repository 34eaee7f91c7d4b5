"""The portal end to end in headless Chromium, served by uvicorn on 127.0.0.1: a supplier signs in,
downloads the template, uploads a return with a mistake and reads its problems, uploads the fixed
return, the pipeline runs, and the supplier sees the accepted submission and its verdicts; a contract
manager then sees it too. Screenshots are saved under the test's folder (and copied to
GWP_SCREENSHOT_DIR when that is set)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from browser import chromium, require_browser
from portal_support import ACCOUNTS, PASSWORD, build_world, run_world_pipeline

pytestmark = pytest.mark.browser

JUNE = ("2025-06-01", "2025-06-30")


@contextmanager
def serve(app) -> Iterator[str]:
    """uvicorn serving `app` on a free port of 127.0.0.1 in a thread; yields the base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def sign_in(session, base: str, who: str) -> None:
    from selenium.webdriver.common.by import By

    session.driver.delete_all_cookies()
    session.open(f"{base}/sign-in")
    session.driver.find_element(By.ID, "email").send_keys(ACCOUNTS[who][0])
    session.driver.find_element(By.ID, "password").send_keys(PASSWORD)
    session.driver.find_element(By.ID, "sign-in").click()
    wait_for(lambda: "/contracts" in session.driver.current_url)


def wait_for(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting in the browser")


def upload(session, base: str, path: Path) -> str:
    from selenium.webdriver.common.by import By

    session.open(f"{base}/upload")
    session.driver.find_element(By.ID, "file").send_keys(str(path))
    session.driver.find_element(By.ID, "upload").click()
    wait_for(lambda: session.driver.find_elements(By.ID, "upload-result"))
    return session.driver.find_element(By.ID, "upload-result").text


def test_supplier_hands_in_a_return_and_sees_its_verdict(tmp_path, returns):
    require_browser()
    from selenium.webdriver.common.by import By

    world = build_world(tmp_path / "portal", f"sqlite:///{tmp_path / 'portal' / 'gwp.db'}", returns, run=False)
    artifacts = tmp_path / "screens"
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    bad = tmp_path / "june-return.csv"
    returns.csv(bad, [returns.payroll_row(JUNE), returns.payroll_row(JUNE, worker=2, hours_paid="-3")])
    fixed = tmp_path / "june-return-fixed.csv"
    returns.csv(fixed, [returns.payroll_row(JUNE), returns.payroll_row(JUNE, worker=2)])
    with serve(world.app) as base, chromium(artifacts) as session:
        driver = session.driver
        driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
        sign_in(session, base, "a")
        assert "TST-001" in driver.page_source and "TST-002" not in driver.page_source
        session.screenshot("01-my-contracts")

        session.open(f"{base}/templates")
        driver.find_element(By.ID, "template-payroll-xlsx").click()
        wait_for(lambda: (downloads / "gwp-payroll-return-template.xlsx").is_file())
        assert (downloads / "gwp-payroll-return-template.xlsx").read_bytes().startswith(b"PK")
        session.screenshot("02-templates")

        answer = upload(session, base, bad)
        assert "1 problem(s)" in answer and "nothing was handed in" in answer
        table = driver.find_element(By.CSS_SELECTOR, "table.problems").text
        assert "hours_paid" in table and "3" in table  # the row number of the supplier's file
        session.screenshot("03-upload-problems")

        answer = upload(session, base, fixed)
        assert "passed every check" in answer and "next scheduled run" in answer
        session.screenshot("04-upload-accepted")
        session.open(f"{base}/submissions")
        assert "Waiting for the pipeline" in driver.page_source

        run_world_pipeline(world)
        session.open(f"{base}/submissions")
        rows = [r.text for r in driver.find_elements(By.CSS_SELECTOR, "#submissions tbody tr")]
        june = [r for r in rows if "june-return-fixed.csv" in r]
        assert len(june) == 1 and "accepted" in june[0] and "payroll@care.example" in june[0]
        assert "real_living_wage: compliant" in june[0]  # the verdict the pipeline reached for June
        assert "june-return.csv" not in "".join(rows)  # the file with problems was never handed in
        session.screenshot("05-my-submissions")
        session.open(f"{base}/contracts")
        latest = driver.find_element(By.CSS_SELECTOR, "#contract-TST-001 table").text
        assert "real_living_wage" in latest  # the latest period's verdicts, with what is due and overdue
        session.screenshot("06-my-contracts-after-run")

        sign_in(session, base, "manager")
        session.open(f"{base}/submissions")
        assert "june-return-fixed.csv" in driver.page_source and "TST-002" in driver.page_source
        session.screenshot("07-manager-submissions")
        session.open(f"{base}/dashboard/")
        assert "TST-001" in driver.page_source
        session.screenshot("08-manager-dashboard")
        session.open(f"{base}/audit")
        assert "upload" in driver.page_source and "download_template" in driver.page_source
        session.screenshot("09-audit-trail")
        # the page answering a file with problems is a 422 (as a form with errors is): Chrome logs that
        severe = [
            e for e in session.severe_console_entries() if not ("/upload" in e["message"] and "422" in e["message"])
        ]
        assert not severe
        assert not session.external_requests()
    copy_to = os.environ.get("GWP_SCREENSHOT_DIR")
    if copy_to:
        Path(copy_to).mkdir(parents=True, exist_ok=True)
        for shot in artifacts.glob("*.png"):
            shutil.copy(shot, Path(copy_to) / f"portal-{shot.name}")
    assert len(list(artifacts.glob("*.png"))) == 9
