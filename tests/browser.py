"""Headless Chromium for tests: serve a folder on 127.0.0.1, drive it, and audit what the page did.

Reusable by any test that needs a real browser (the dashboard rendered from hand-made frames, or
later from a real database). Typical use::

    from browser import require_browser, serve_directory, chromium

    def test_x(tmp_path):
        require_browser()
        with serve_directory(site_dir) as base_url, chromium(tmp_path) as session:
            session.open(base_url + "/index.html")
            assert not session.severe_console_entries()
            assert not session.external_requests()

Debian's ``chromium`` and ``chromium-driver`` packages are used; when they are missing the tests
skip with the reason, unless ``GWP_REQUIRE_BROWSER=1`` (CI), where a missing browser is a failure.
The browser runs with background networking, component updates and sync off and a throwaway
profile, so the only traffic it makes is the page's own; both the page's Performance API and
Chrome's DevTools network log are checked for requests leaving localhost.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "chromium", "chromium-browser")
CHROMEDRIVER_CANDIDATES = ("/usr/bin/chromedriver", "chromedriver")
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
# Schemes that never touch the network (inline data, the page itself, devtools internals).
LOCAL_SCHEMES = frozenset({"data", "blob", "about", "chrome", "chrome-extension", "devtools"})
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
    "--mute-audio",
    "--hide-scrollbars",
    "--force-color-profile=srgb",
    "--lang=en-GB",
)


def _which(candidates: tuple[str, ...]) -> str | None:
    for candidate in candidates:
        found = candidate if os.path.isabs(candidate) and os.access(candidate, os.X_OK) else shutil.which(candidate)
        if found:
            return found
    return None


def browser_unavailable_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install selenium)"
    if _which(CHROMIUM_CANDIDATES) is None:
        return "Chromium is not installed (apt-get install chromium chromium-driver)"
    if _which(CHROMEDRIVER_CANDIDATES) is None:
        return "chromedriver is not installed (apt-get install chromium-driver)"
    return None


def require_browser() -> None:
    """Skip the calling test when there is no browser; fail instead when GWP_REQUIRE_BROWSER=1."""
    reason = browser_unavailable_reason()
    if reason is None:
        return
    if os.environ.get("GWP_REQUIRE_BROWSER", "").strip() in ("1", "true", "yes"):
        pytest.fail(f"GWP_REQUIRE_BROWSER=1 but the browser tests cannot run: {reason}")
    pytest.skip(f"browser tests skipped: {reason}")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A static file handler that records requests instead of printing them to stderr."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base class
        self.server.request_log.append(self.requestline)  # type: ignore[attr-defined]

    def end_headers(self) -> None:
        # Always fresh: a test re-rendering into the same folder must not see a cached page.
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


@contextmanager
def serve_directory(directory: Path, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve ``directory`` over HTTP on a free port of 127.0.0.1 in a daemon thread; yield the base URL.

    Port 0 lets the kernel pick a free port, so parallel test workers never collide. What the server
    answered is available from :func:`served_requests`.
    """
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer((host, 0), handler)
    server.request_log = []  # type: ignore[attr-defined]
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name=f"http-{directory.name}", daemon=True)
    thread.start()
    port = server.server_address[1]
    base_url = f"http://{host}:{port}"
    _SERVERS[base_url] = server
    try:
        yield base_url
    finally:
        _SERVERS.pop(base_url, None)
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


_SERVERS: dict[str, http.server.ThreadingHTTPServer] = {}


def served_requests(base_url: str) -> list[str]:
    """Request lines (``GET /index.html HTTP/1.1``) the server started by :func:`serve_directory` answered."""
    server = _SERVERS.get(base_url)
    return list(server.request_log) if server else []  # type: ignore[attr-defined]


def make_driver(profile_dir: Path, *, width: int = 1366, height: int = 900) -> Any:
    """A headless Chromium WebDriver with console and network logging on and a fresh profile.

    The driver and browser binaries are given explicitly, so Selenium Manager never goes to the
    network to look for them.
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium = _which(CHROMIUM_CANDIDATES)
    chromedriver = _which(CHROMEDRIVER_CANDIDATES)
    if chromium is None or chromedriver is None:
        raise RuntimeError(browser_unavailable_reason() or "no browser")
    profile_dir.mkdir(parents=True, exist_ok=True)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile_dir}")
    options.add_argument(f"--window-size={width},{height}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    options.add_experimental_option("perfLoggingPrefs", {"enableNetwork": True, "enablePage": False})
    service = Service(executable_path=chromedriver, log_output=str(profile_dir / "chromedriver.log"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(30)
    return driver


def is_local_url(url: str) -> bool:
    """True when fetching ``url`` cannot leave this machine (localhost, or data:/blob:/about: and the like)."""
    parts = urlsplit(url)
    if parts.scheme.lower() in LOCAL_SCHEMES or not parts.scheme:
        return True
    return (parts.hostname or "").lower() in LOCAL_HOSTS


@dataclass
class BrowserSession:
    """A driver plus everything it logged, accumulated across pages (reading a Chrome log drains it)."""

    driver: Any
    artifacts: Path
    console: list[dict[str, Any]] = field(default_factory=list)
    network_urls: list[str] = field(default_factory=list)
    resource_urls: list[str] = field(default_factory=list)

    def open(self, url: str) -> None:
        """Navigate and wait for the load event; records the previous page's resources first."""
        self.collect()
        self.driver.get(url)
        self.collect()

    def collect(self) -> None:
        """Drain the browser console and DevTools network logs and the page's resource timing entries."""
        with contextlib.suppress(Exception):  # a driver without the log type simply has nothing to add
            self.console.extend(self.driver.get_log("browser"))
        try:
            for entry in self.driver.get_log("performance"):
                message = json.loads(entry.get("message", "{}")).get("message", {})
                if message.get("method") == "Network.requestWillBeSent":
                    url = message.get("params", {}).get("request", {}).get("url")
                    if url:
                        self.network_urls.append(url)
        except Exception:  # noqa: BLE001
            pass
        try:
            urls = self.driver.execute_script(
                "return performance.getEntriesByType('resource').map(function (e) { return e.name; })"
                ".concat(performance.getEntriesByType('navigation').map(function (e) { return e.name; }));"
            )
            self.resource_urls.extend(u for u in urls or [] if u not in self.resource_urls)
        except Exception:  # noqa: BLE001 - no page loaded yet
            pass

    def severe_console_entries(self) -> list[dict[str, Any]]:
        """Console entries at level SEVERE: script errors, CSP violations, failed loads (404s)."""
        self.collect()
        return [e for e in self.console if e.get("level") == "SEVERE"]

    def external_requests(self) -> list[str]:
        """Every URL the browser asked for that was not on localhost (page resources and DevTools log)."""
        self.collect()
        return sorted({u for u in self.resource_urls + self.network_urls if not is_local_url(u)})

    def screenshot(self, target: Path | str, *, full_page: bool = True) -> Path:
        """Save a PNG: a bare name goes into the session's artifacts folder, a path is used as given.

        ``full_page`` grows the window to the document's height for the shot, then restores it.
        """
        path = Path(target) if isinstance(target, Path) or "/" in str(target) else self.artifacts / f"{target}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        size = self.driver.get_window_size()
        if full_page:
            height = int(self.driver.execute_script("return Math.ceil(document.documentElement.scrollHeight);"))
            self.driver.set_window_size(size["width"], max(size["height"], min(height + 20, 12000)))
        try:
            self.driver.save_screenshot(str(path))
        finally:
            if full_page:
                self.driver.set_window_size(size["width"], size["height"])
        return path


@contextmanager
def chromium(artifacts: Path, *, width: int = 1366, height: int = 900) -> Iterator[BrowserSession]:
    """A :class:`BrowserSession` whose profile and screenshots live under ``artifacts``; always quits."""
    artifacts.mkdir(parents=True, exist_ok=True)
    driver = make_driver(artifacts / "chromium-profile", width=width, height=height)
    try:
        yield BrowserSession(driver=driver, artifacts=artifacts)
    finally:
        driver.quit()
