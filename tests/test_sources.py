"""Landing sources (spec 9, issue 14) against real servers started here: OpenSSH's sshd serving SFTP
and Dovecot serving IMAP over TLS, on free localhost ports (skipped, with the reason, only when the
binaries are missing; ./dev test installs them).

Fetched files land with their source's received time (the SFTP modification time, the e-mail's
Date), exactly once by identity and by content; a server killed mid-download leaves nothing the
pipeline reads and the next fetch lands the file once; an IMAP message is marked read only when all
its attachments are landed or refused; a source that is down fails alone with one line.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from source_servers import Dovecot, Sshd, free_port

from gwp_monitor.cli import main
from gwp_monitor.config.settings import Settings
from gwp_monitor.ingest.intake import return_files
from gwp_monitor.ingest.landed import delivery_of
from gwp_monitor.sources.run import fetch_all
from gwp_monitor.sources.urls import parse_source
from gwp_monitor.store.database import open_database

#: paramiko's prefetch thread dies with EOFError when the test kills the server mid-download: expected.
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")

MARCH = datetime(2026, 3, 5, 10, 30, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    server = Sshd(tmp_path_factory.mktemp("sshd")).start()
    yield server
    server.kill()


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    server = Dovecot().start()
    yield server
    server.stop()


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'reporting.db'}"


def settings_for(tmp_path: Path, db_url: str, *sources: str, **env: str) -> Settings:
    environ = {
        "GWP_LANDING_DIR": str(tmp_path / "landing"),
        "GWP_DATABASE_URL": db_url,
        "GWP_SOURCES": ",".join(sources),
        "GWP_SOURCE_SETTLE_SECONDS": "0",
        "GWP_SOURCE_TIMEOUT": "5",
        **env,
    }
    return Settings.load(environ=environ)


def fetch(settings: Settings):
    reports = fetch_all([parse_source(u) for u in settings.sources], settings, open_database(settings.database_url))
    return {r.source: r for r in reports}


def csv_bytes(returns, tmp_path: Path, worker: int, period=("2026-02-01", "2026-02-28")) -> bytes:
    path = tmp_path / f"return-{worker}.csv"
    returns.csv(path, [returns.payroll_row(period, worker)])
    return path.read_bytes()


def put(folder: Path, name: str, data: bytes, when: datetime = MARCH) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


def landed(tmp_path: Path) -> list[Path]:
    return return_files(tmp_path / "landing")


# --- SFTP ------------------------------------------------------------------------------------------


def test_sftp_files_land_with_the_servers_modification_time_once(sshd, tmp_path, db_url, returns):
    remote = tmp_path / "remote"
    put(remote, "payroll feb.csv", csv_bytes(returns, tmp_path, 1), MARCH)
    put(remote, "chart.png", PNG)
    put(remote, ".upload-in-progress.csv", b"half")
    put(remote, "later.csv.filepart", b"half")
    settings = settings_for(tmp_path, db_url, sshd.url(remote), **sshd.env())

    report = fetch(settings)[settings.sources[0]]
    assert report.error is None and len(report.landed) == 1, report.summary()
    assert report.rejected == ["chart.png: refused, not a return file; send returns as CSV or XLSX"]
    (path,) = landed(tmp_path)
    delivery = delivery_of(path)
    assert delivery is not None
    assert (delivery.received_at, delivery.source, delivery.label) == (MARCH, "sftp", "payroll feb.csv")
    assert path.read_bytes() == (remote / "payroll feb.csv").read_bytes()

    again = fetch(settings)[settings.sources[0]]
    assert (again.landed, again.already, again.rejected) == ([], 2, []), again.summary()
    assert landed(tmp_path) == [path]


def test_the_same_file_offered_twice_is_fetched_once(sshd, tmp_path, db_url, returns):
    data = csv_bytes(returns, tmp_path, 2)
    remote, folder = tmp_path / "remote", tmp_path / "shared"
    put(remote, "march.csv", data)
    put(remote, "march (1).csv", data)  # the supplier uploaded it twice
    put(folder, "march-copy.csv", data)  # and e-mailed/copied it to a second source
    settings = settings_for(tmp_path, db_url, sshd.url(remote), folder.as_uri(), **sshd.env())

    reports = fetch(settings)
    sftp, local = reports[settings.sources[0]], reports[settings.sources[1]]
    assert (len(sftp.landed), sftp.duplicates, len(local.landed), local.duplicates) == (1, 1, 0, 1)
    assert len(landed(tmp_path)) == 1

    put(remote, "march.csv", data, datetime(2026, 3, 6, tzinfo=UTC))  # touched again: a new identity
    again = fetch(settings)[settings.sources[0]]
    assert (again.landed, again.duplicates) == ([], 1)
    assert len(landed(tmp_path)) == 1
    assert not list((tmp_path / "landing").glob(".*.part")), "a duplicate's download is removed"


def test_sftp_server_killed_mid_download_leaves_no_file_and_the_next_fetch_lands_it_once(tmp_path, db_url):
    server = Sshd(tmp_path / "sshd").start()
    remote = tmp_path / "remote"
    big = put(remote, "big.csv", b"contract_ref,period_start\n" + os.urandom(96 * 1024 * 1024))
    settings = settings_for(tmp_path, db_url, server.url(remote), **server.env())
    landing = tmp_path / "landing"

    def kill_when_partly_downloaded() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            parts = list(landing.glob(".*.part")) if landing.is_dir() else []
            if parts and parts[0].stat().st_size > 4 * 1024 * 1024:
                server.kill()
                return
            time.sleep(0.002)

    killer = threading.Thread(target=kill_when_partly_downloaded)
    killer.start()
    try:
        report = fetch(settings)[settings.sources[0]]
    finally:
        killer.join()
        server.kill()
    assert report.error and "connection to 127.0.0.1" in report.error and "lost" in report.error, report.summary()
    assert "\n" not in report.error
    assert landed(tmp_path) == [], "a partial download must never be visible to the landing scan"
    (part,) = landing.glob(".*.part")
    assert 0 < part.stat().st_size < big.stat().st_size

    server.start()  # back up: the next fetch takes the whole file, once
    try:
        first = fetch(settings)[settings.sources[0]]
        second = fetch(settings)[settings.sources[0]]
    finally:
        server.kill()
    assert (len(first.landed), first.error, second.landed, second.already) == (1, None, [], 1)
    (path,) = landed(tmp_path)
    assert hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(big.read_bytes()).digest()
    assert not list(landing.glob(".*.part"))


def test_a_source_that_is_down_fails_with_one_line_and_the_others_still_land(sshd, tmp_path, db_url, returns):
    dead_port = free_port()
    folder = tmp_path / "shared"
    put(folder, "ok.csv", csv_bytes(returns, tmp_path, 3))
    remote = tmp_path / "remote"
    put(remote, "also-ok.csv", csv_bytes(returns, tmp_path, 4))
    dead = f"sftp://nobody@127.0.0.1:{dead_port}/returns"
    unknown_host = sshd.url(remote)  # no known_hosts given: the host key is not trusted
    settings = settings_for(
        tmp_path, db_url, dead, folder.as_uri(), unknown_host, GWP_SOURCE_KEY_127_0_0_1=str(sshd.user_key)
    )

    reports = fetch(settings)
    assert (
        reports[dead].error
        == f"cannot connect to 127.0.0.1:{dead_port} (Connection refused): is the server up and reachable?"
    )
    assert "host key of 127.0.0.1" in (reports[settings.sources[2]].error or "") and "GWP_SOURCE_KNOWN_HOSTS" in (
        reports[settings.sources[2]].error or ""
    )
    assert len(reports[settings.sources[1]].landed) == 1
    assert [delivery_of(p).label for p in landed(tmp_path)] == ["ok.csv"]  # type: ignore[union-attr]

    # The command line: the down source in one line on stderr, exit 2, the other source's file landed.
    code = main(
        [
            "fetch",
            "--landing",
            str(tmp_path / "landing2"),
            "--db",
            db_url,
            "--source",
            dead,
            "--source",
            folder.as_uri(),
        ]
    )
    assert code == 2
    assert len(return_files(tmp_path / "landing2")) == 0  # the folder's file was fetched before: once only


# --- IMAP ------------------------------------------------------------------------------------------


def mail(subject: str, date: str, attachments: list[tuple[str, bytes, str]], message_id: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "payroll@supplier.example"
    message["To"] = "returns@council.example"
    message["Subject"] = subject
    message["Date"] = date
    message["Message-ID"] = message_id
    message.set_content("Please find our returns attached.")
    for name, data, mime in attachments:
        maintype, subtype = mime.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message


def test_a_message_with_three_attachments_lands_two_refuses_the_png_and_is_then_marked_read(
    dovecot, tmp_path, db_url, returns
):
    feb, mar = csv_bytes(returns, tmp_path, 5), csv_bytes(returns, tmp_path, 6, ("2026-03-01", "2026-03-31"))
    dovecot.deliver(
        mail(
            "Returns",
            "Tue, 03 Mar 2026 09:15:00 +0000",
            [("feb.csv", feb, "text/csv"), ("logo.png", PNG, "image/png"), ("mar.csv", mar, "text/csv")],
            "<returns-1@supplier.example>",
        ),
        "m1",
    )
    settings = settings_for(tmp_path, db_url, dovecot.url(), **dovecot.env())
    assert dovecot.seen_flags() == [""]

    report = fetch(settings)[settings.sources[0]]
    assert report.error is None, report.summary()
    assert len(report.landed) == 2 and report.marked_read == 1
    assert report.rejected == ["logo.png (image/png): refused, not a return file; send returns as CSV or XLSX"]
    deliveries = sorted((delivery_of(p) for p in landed(tmp_path)), key=lambda d: d.label)  # type: ignore[arg-type, return-value]
    assert [(d.label, d.source, d.received_at) for d in deliveries] == [
        ("feb.csv", "imap", datetime(2026, 3, 3, 9, 15, tzinfo=UTC)),
        ("mar.csv", "imap", datetime(2026, 3, 3, 9, 15, tzinfo=UTC)),
    ]
    assert sorted(p.read_bytes() for p in landed(tmp_path)) == sorted([feb, mar])
    assert dovecot.seen_flags() == ["S"], "marked read once every attachment was handled"

    # The same attachment in a second e-mail (sent again "in case"): landed once, that message read too.
    dovecot.deliver(
        mail("Again", "Wed, 04 Mar 2026 08:00:00 +0100", [("feb.csv", feb, "text/csv")], "<r-2@s.example>"), "m2"
    )
    again = fetch(settings)[settings.sources[0]]
    assert (again.landed, again.duplicates, again.marked_read) == ([], 1, 1)
    assert dovecot.seen_flags() == ["S", "S"]
    assert len(landed(tmp_path)) == 2


def test_a_message_stays_unread_until_its_attachments_are_landed(dovecot, tmp_path, db_url, returns):
    data = csv_bytes(returns, tmp_path, 8)
    dovecot.deliver(
        mail("Return", "Mon, 02 Mar 2026 12:00:00 +0000", [("r.csv", data, "text/csv")], "<r-3@s.example>"), "m3"
    )
    settings = settings_for(tmp_path, db_url, dovecot.url(), **dovecot.env())
    (tmp_path / "landing").write_text("not a folder")  # the landing folder cannot be written to

    failed = fetch(settings)[settings.sources[0]]
    assert failed.error and failed.error.startswith("could not write") and "check the landing folder" in failed.error
    assert dovecot.seen_flags() == [""], "a message whose files were not landed must stay unread"

    (tmp_path / "landing").unlink()
    done = fetch(settings)[settings.sources[0]]
    assert (len(done.landed), done.marked_read, dovecot.seen_flags()) == (1, 1, ["S"])


def test_a_mailbox_with_the_wrong_password_fails_with_one_line(dovecot, tmp_path, db_url):
    settings = settings_for(
        tmp_path, db_url, dovecot.url(), GWP_SOURCE_PASSWORD_127_0_0_1="wrong", GWP_SOURCE_CA_FILE=str(dovecot.cert)
    )
    report = fetch(settings)[settings.sources[0]]
    assert report.error == (
        f"login refused for returns@127.0.0.1:{dovecot.port}: check GWP_SOURCE_PASSWORD_127_0_0_1 / "
        "GWP_SOURCE_KEY_127_0_0_1 or the Airflow connection"
    )
    untrusted = settings_for(tmp_path, db_url, dovecot.url(), GWP_SOURCE_PASSWORD_127_0_0_1=dovecot.password)
    assert "is not trusted" in (fetch(untrusted)[untrusted.sources[0]].error or "")


# --- End to end: `gwp-monitor run` fetches, processes, moves to the processed area; purge deletes -----


@pytest.mark.slow  # a full run with Great Expectations, three times: about 10 s
def test_run_fetches_from_sftp_stores_the_servers_time_and_moves_the_file_to_processed(
    sshd, tmp_path, db_url, returns, register_path, monkeypatch, db_rows
):
    remote = tmp_path / "remote"
    put(remote, "feb.csv", csv_bytes(returns, tmp_path, 7), MARCH)
    for name, value in {**sshd.env(), "GWP_SOURCES": sshd.url(remote), "GWP_SOURCE_SETTLE_SECONDS": "0"}.items():
        monkeypatch.setenv(name, value)
    landing = tmp_path / "landing"
    landing.mkdir()
    args = [
        "run",
        "--contracts",
        str(register_path),
        "--landing",
        str(landing),
        "--db",
        db_url,
        "--as-of",
        "2026-03-10",
    ]

    assert main([*args, "--quiet"]) == 0
    database = open_database(db_url)
    stored = db_rows(database, "SELECT file_name, received_at, source, status FROM v_submissions")
    assert [(r["source"], r["status"], str(r["received_at"])[:19]) for r in stored] == [
        ("sftp", "accepted", "2026-03-05T10:30:00")
    ]
    assert stored[0]["file_name"] == "feb.csv", "the supplier's own name is what people see"
    assert return_files(landing) == [], "processed files leave the landing folder"
    (moved,) = (tmp_path / "processed").glob("*/*.csv")
    assert delivery_of(moved) is not None and delivery_of(moved).received_at == MARCH  # type: ignore[union-attr]

    assert main([*args, "--quiet"]) == 0  # again: fetched before, nothing new
    assert len(db_rows(database, "SELECT * FROM v_submissions")) == 1
    assert len(list((tmp_path / "processed").glob("*/*.csv"))) == 1

    # --no-fetch: the source is not contacted (it is down now), the run succeeds.
    sshd_down = f"sftp://nobody@127.0.0.1:{free_port()}/x"
    monkeypatch.setenv("GWP_SOURCES", sshd_down)
    assert main([*args, "--quiet", "--no-fetch"]) == 0
    assert main([*args, "--quiet"]) == 2, "a source that is down makes the run exit 2 after processing"
