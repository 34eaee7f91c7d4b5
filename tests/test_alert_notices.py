"""Supplier notices and `gwp-monitor run --send-alerts` (spec 9), against a real SMTP server (aiosmtpd)
and a real HTTP webhook receiver started in the test process.

Each notice kind goes once per event and channel; an SMTP server that answers 451 then 250 delivers a
rejection exactly once across runs; a rejection lists every problem as `gwp-monitor check` words them;
no notice, log line, printed line or orchestration return value holds a pay figure or a worker_ref.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from factories import contract, register_yaml
from helpers_mail_http import (
    ReceivedMail,
    SMTPRecorder,
    WebhookRecorder,
    running_smtp_server,
    running_webhook_receiver,
)
from sqlalchemy import text

from gwp_monitor.cli import main
from gwp_monitor.config.register import load_register
from gwp_monitor.ingest.intake import take_in
from gwp_monitor.notify.events import EVENTS
from gwp_monitor.store.database import open_database

SEP, OCT = ("2025-09-01", "2025-09-30"), ("2025-10-01", "2025-10-31")
AS_OF = "2025-11-10"  # September's payroll was due 15 Oct (overdue if missing); October's falls due 15 Nov


def contacts(n: int) -> dict[str, str]:
    return {"contract_manager": f"cm{n}@council.example", "supplier": f"returns{n}@supplier{n}.example"}


def notice_register(folder: Path, supplier_name: str = "N Care Ltd", title: str = "Home care") -> Path:
    """N-1 (Real Living Wage), N-2 and N-3: three suppliers with their own returns contacts."""
    path = folder / "register.yaml"
    path.write_text(
        register_yaml(
            contract(
                "N-1",
                title=title,
                supplier_id="10000001",
                supplier_name=supplier_name,
                start_date="2025-09-01",
                commitments=["real_living_wage"],
                contacts=contacts(1),
            ),
            *(
                contract(
                    f"N-{i}",
                    title=f"Contract {i}",
                    supplier_id=f"1000000{i}",
                    supplier_name=f"Supplier {i} Ltd",
                    start_date="2025-09-01",
                    contacts=contacts(i),
                )
                for i in (2, 3)
            ),
        ),
        encoding="utf-8",
    )
    return path


def run(register: Path, landing: Path, db: str, *options: str, as_of: str = AS_OF) -> int:
    return main(
        [
            "run",
            *("--contracts", str(register), "--landing", str(landing), "--db", db),
            *("--as-of", as_of, "--quiet", "--send-alerts"),
            *options,
        ]
    )


def use_channels(monkeypatch: pytest.MonkeyPatch, smtp: SMTPRecorder, hook: WebhookRecorder | None = None, **env):
    for key, value in {**smtp.env(), **(hook.env() if hook else {}), **env}.items():
        monkeypatch.setenv(key, str(value))


def keys(mails: list[ReceivedMail]) -> list[str]:
    return sorted(str(m.message["X-GWP-Event-Key"]) for m in mails)


def submission_ids(db_url: str) -> dict[tuple[str, str], int]:
    """{(contract_ref, status): submission_id} of the stored submissions."""
    return {
        (r[0], r[1]): int(r[2]) for r in _query(db_url, "SELECT contract_ref, status, submission_id FROM v_submissions")
    }


def logged(db_url: str) -> list[tuple[str, str]]:
    return sorted((r[0], r[1]) for r in _query(db_url, "SELECT event_key, channel FROM alert_log"))


def _query(db_url: str, sql: str) -> list:
    engine = open_database(db_url, upgrade_schema=False).engine
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql)).all())
    finally:
        engine.dispose()


# --------------------------------------------------------------------------------------------
# Each notice kind, once per event and channel
# --------------------------------------------------------------------------------------------


@pytest.mark.slow  # four runs of the pipeline
def test_each_notice_goes_once_to_its_audience_and_a_rerun_sends_nothing_new(
    tmp_path: Path, returns, new_landing, monkeypatch
) -> None:
    with running_smtp_server() as smtp, running_webhook_receiver() as hook:
        _each_notice_once(tmp_path, returns, new_landing, monkeypatch, smtp, hook)


def _each_notice_once(
    tmp_path: Path, returns, new_landing, monkeypatch, smtp_server: SMTPRecorder, webhook_receiver: WebhookRecorder
) -> None:
    register = notice_register(tmp_path)
    land = new_landing(tmp_path / "landing")
    db = f"sqlite:///{tmp_path / 'reporting.db'}"
    use_channels(monkeypatch, smtp_server, webhook_receiver, GWP_REMINDER_DAYS_BEFORE=7)
    # N-1: accepted, one worker below the Real Living Wage (12.60) but above the statutory 12.21.
    land(
        "n1-sep.csv", [returns.paid_row("N-1", SEP, 1, "12.40"), returns.paid_row("N-1", SEP, 2, "13.00")], "2025-10-03"
    )
    # N-2: rejected (an age band the template does not have); N-3 sends nothing.
    land("n2-sep.csv", [returns.payroll_row(SEP, 1, contract_ref="N-2", age_band="adult")], "2025-10-04")

    assert run(register, land.folder, db) == 0
    ids = submission_ids(db)
    oct_soon = [f"return_due_soon:N-{i}:payroll:2025-10-01:2025-10-31:d7" for i in (1, 2, 3)]
    overdue = [f"return_overdue:N-{i}:payroll:2025-09-01:2025-09-30" for i in (2, 3)]
    first = {
        f"submission_accepted:{ids['N-1', 'accepted']}",
        f"submission_rejected:{ids['N-2', 'rejected']}",
        "breach_opened:N-1:real_living_wage:2025-09-01",
        *overdue,
        *oct_soon,
    }
    mails = smtp_server.wait_for(len(first))
    assert keys(mails) == sorted(first)
    by_key = {str(m.message["X-GWP-Event-Key"]): m for m in mails}
    for key, mail in by_key.items():
        event, ref = key.split(":")[0], _ref(key, ids)
        expected = {
            "submission_accepted": (contacts(1)["supplier"],),
            "submission_rejected": (contacts(2)["supplier"],),
            "breach_opened": (contacts(1)["contract_manager"],),
            "return_overdue": (contacts(int(ref[-1]))["supplier"], contacts(int(ref[-1]))["contract_manager"]),
            "return_due_soon": (contacts(int(ref[-1]))["supplier"],),
        }[event]
        assert mail.rcpt_tos == expected, key
        assert mail.message["X-GWP-Event"] == event
    receipt = by_key[f"submission_accepted:{ids['N-1', 'accepted']}"]
    assert str(receipt.message["Subject"]) == "[gwp-monitor] RECEIVED: N-1 payroll return Sep 2025"
    assert "n1-sep.csv" in receipt.text() and "3 Oct 2025" in receipt.text() and "was accepted" in receipt.text()
    # The webhook is the council's channel: what contract managers are told, not suppliers' own notices.
    council = {k for k in first if k.split(":")[0] in ("breach_opened", "return_overdue")}
    assert sorted(json.dumps(b) for b in webhook_receiver.bodies) and len(webhook_receiver.bodies) == len(council)
    assert logged(db) == sorted([(k, "email") for k in first] + [(k, "webhook") for k in council])

    # Again over the same landing folder: nothing new happened, nothing is sent.
    assert run(register, land.folder, db) == 0
    assert len(smtp_server.messages) == len(first) and len(webhook_receiver.requests) == len(council)

    # N-1 corrects September: a receipt for the correction, the resubmission change and the resolved breach.
    land("n1-sep-fixed.csv", [returns.paid_row("N-1", SEP, w, "13.00") for w in (1, 2)], "2025-10-20")
    assert run(register, land.folder, db) == 0
    fixed = submission_ids(db)["N-1", "accepted"]
    second = {
        f"submission_accepted:{fixed}",
        f"verdict_changed_by_resubmission:N-1:real_living_wage:{fixed}",
        "breach_resolved:N-1:real_living_wage:2025-09-01",
    }
    mails = smtp_server.wait_for(len(first) + len(second))
    assert keys(mails) == sorted(first | second), "each event once, the earlier ones not again"
    for mail in mails[len(first) :]:
        assert mail.rcpt_tos == (
            (contacts(1)["supplier"],)
            if "submission_accepted" in str(mail.message["X-GWP-Event-Key"])
            else (contacts(1)["contract_manager"],)
        )
    assert run(register, land.folder, db) == 0
    assert len(smtp_server.messages) == len(first | second)
    assert {k.split(":")[0] for k in first | second} == set(EVENTS) - {"breach_reminder", "channel_test"}


def _ref(key: str, ids: dict[tuple[str, str], int]) -> str:
    """The contract an event key is about (submission keys carry the submission's id)."""
    event, rest = key.split(":", 1)
    if event.startswith("submission_"):
        return next(ref for (ref, _), sid in ids.items() if str(sid) == rest)
    return rest.split(":")[0]


# --------------------------------------------------------------------------------------------
# 451, then 250: the rejection is delivered exactly once across runs
# --------------------------------------------------------------------------------------------


def test_rejection_is_delivered_exactly_once_when_the_server_answers_451_then_250(
    tmp_path: Path, returns, new_landing, monkeypatch, capsys, reporting_db_url: str
) -> None:
    with running_smtp_server() as smtp:
        _451_then_250(tmp_path, returns, new_landing, monkeypatch, capsys, smtp, reporting_db_url)


def _451_then_250(
    tmp_path: Path, returns, new_landing, monkeypatch, capsys, smtp_server: SMTPRecorder, db: str
) -> None:
    register = notice_register(tmp_path)
    land = new_landing(tmp_path / "landing")
    use_channels(monkeypatch, smtp_server, GWP_REMINDER_DAYS_BEFORE=0)
    rows = [
        returns.payroll_row(SEP, 1, contract_ref="N-2", hourly_rate="13,0 0"),
        returns.payroll_row(SEP, 2, contract_ref="N-2", age_band="adult"),
        returns.payroll_row(SEP, 3, contract_ref="N-2", age_band="adult", hours_paid=""),
    ]
    bad = land("n2-sep.csv", rows, "2025-10-04")
    checked = take_in([bad], load_register(register), as_of=date(2025, 10, 5)).submissions
    problems = [p.describe() for s in checked for p in s.problems]
    smtp_server.fail_next(1, "451 4.3.0 [bold red]Greylisted[/], try again later")

    assert run(register, land.folder, db, as_of="2025-10-05") == 2  # due 15 Oct: no reminder, no overdue
    err = capsys.readouterr()
    assert smtp_server.messages == [] and logged(db) == []
    assert "451" in err.err and "offered again by the next run" in err.err
    assert "[bold red]Greylisted[/]" in err.out, "a server's reply is shown as it is, never read as Rich markup"

    assert run(register, land.folder, db, as_of="2025-10-05") == 0
    mail = smtp_server.wait_for(1)[0]
    rejected = submission_ids(db)["N-2", "rejected"]
    assert str(mail.message["X-GWP-Event-Key"]) == f"submission_rejected:{rejected}"
    assert mail.rcpt_tos == (contacts(2)["supplier"],)
    # Every problem, in the words of the supplier's own pre-submission check (made before the run,
    # which moves the file to the processed area).
    assert len(problems) >= 3
    body = re.sub(r"\s+", " ", mail.text())
    for line in problems:
        assert f"- {line}" in body
        assert line in re.sub(r"\s+", " ", mail.html())
    assert f"rejected with {len(problems)} problems" in body
    assert "13,0 0" not in body and "adult" not in body, "a rejection never quotes a cell"

    for _ in range(2):
        assert run(register, land.folder, db, as_of="2025-10-05") == 0
    assert len(smtp_server.messages) == 1
    assert logged(db) == [(f"submission_rejected:{rejected}", "email")]


# --------------------------------------------------------------------------------------------
# Privacy: a distinctive file, and everything a person or Airflow could read afterwards
# --------------------------------------------------------------------------------------------

WORKER_REFS = ("WRK-ZZQ-991", "WRK-ZZQ-992", "WRK-ZZQ-993", "WRK-ZZQ-994")
#: Every individual figure of the file, and the forms a renderer could round them to.
PAY_FIGURES = (
    "13.4567",
    "11.9876",
    "1345.67",
    "1,345.67",
    "1198.76",
    "1,198.76",
    "8765.43",
    "8,765.43",
    "13.46",
    "11.99",
    "13.457",
    "11.988",
)
MARKUP_NAME = "[bold red]Evil[/] <b>Care</b> & Co"


def test_no_notice_log_line_or_return_value_holds_a_pay_figure_or_worker_ref(
    tmp_path: Path, returns, new_landing, monkeypatch, capsys, caplog
) -> None:
    from gwp_monitor import orchestration
    from gwp_monitor.config.settings import Settings, use_settings

    register = notice_register(tmp_path, supplier_name=MARKUP_NAME, title="[link=http://x.example]lot 3[/link]")
    land = new_landing(tmp_path / "landing")
    sep = [
        returns.paid_row("N-1", SEP, 1, "13.4567", worker_ref=WORKER_REFS[0]),
        returns.paid_row("N-1", SEP, 2, "11.9876", worker_ref=WORKER_REFS[1]),
    ]
    land("[bold]n1[not bold]-sep.csv", sep, "2025-10-03")
    bad = [
        returns.paid_row("N-2", SEP, 1, "13.4567", worker_ref=WORKER_REFS[2], basic_pay="8765.43"),
        returns.paid_row("N-2", SEP, 2, "11.9876", worker_ref=WORKER_REFS[3], age_band="13.4567"),
    ]
    land("n2-sep.csv", bad, "2025-10-04")
    caplog.set_level(logging.DEBUG)
    with running_smtp_server() as smtp, running_webhook_receiver() as hook:
        use_channels(monkeypatch, smtp, hook, GWP_REMINDER_DAYS_BEFORE=7, GWP_WEBHOOK_EVENTS=",".join(EVENTS))
        dag_landing = tmp_path / "dag-landing"  # the CLI run moves what it stores to the processed area
        shutil.copytree(land.folder, dag_landing)
        db = f"sqlite:///{tmp_path / 'cli.db'}"
        assert run(register, land.folder, db) == 0
        assert main(["alerts", "test", "--to", "privacy@council.example"]) == 0
        printed = capsys.readouterr()

        # The same through the orchestration functions the DAG tasks call: their return values are XCom.
        settings = Settings.load(
            register=register, landing_dir=dag_landing, database_url=f"sqlite:///{tmp_path / 'dag.db'}", as_of=AS_OF
        )
        with use_settings(settings):
            opened = orchestration.open_run(settings)
            assert len(opened["files"]) == 2, opened
            xcom: list[object] = [opened]
            xcom += [orchestration.ingest_batch(settings, opened["run_id"], paths) for paths in opened["batches"]]
            xcom += [orchestration.close_run(settings, opened["run_id"], opened["files"])]
            xcom += [orchestration.send_alerts(settings), orchestration.send_return_alerts(settings)]
        mails, posts = smtp.messages, hook.requests

    events = {str(m.message["X-GWP-Event"]) for m in mails}
    assert {"submission_accepted", "submission_rejected", "breach_opened", "return_overdue", "channel_test"} <= events
    posted = " ".join(r.body.decode("utf-8") for r in posts)
    assert "Event submission_accepted:" in posted and "Event submission_rejected:" in posted
    readable = {
        **{f"e-mail {i}": m.raw.decode("utf-8", "replace") + m.text() + m.html() for i, m in enumerate(mails)},
        **{f"webhook {i}": r.body.decode("utf-8") for i, r in enumerate(posts)},
        "stdout": printed.out,
        "stderr": printed.err,
        # mail.log is the test's own SMTP server (aiosmtpd), which logs what it receives
        "log": "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log")),
        "orchestration return values": json.dumps(xcom),
    }
    assert len(mails) >= 2 * 8 and len(posts) >= 2 * 4 and caplog.records
    for where, content in readable.items():
        for secret in WORKER_REFS + PAY_FIGURES:
            assert secret not in content, f"{secret} in {where}"
    # Register text and file names arrive as written: never read as Rich markup, escaped in HTML.
    notice = next(m for m in mails if m.message["X-GWP-Event"] == "submission_accepted")
    assert MARKUP_NAME in notice.text() and "[bold]n1[not bold]-sep.csv" in notice.text()
    assert "[link=http://x.example]lot 3[/link]" in notice.text()
    assert "&lt;b&gt;Care&lt;/b&gt; &amp; Co" in notice.html()


# --------------------------------------------------------------------------------------------
# gwp-monitor alerts test
# --------------------------------------------------------------------------------------------


def test_alerts_test_sends_an_email_and_a_webhook_post_and_says_what_happened(monkeypatch, capsys) -> None:
    with running_smtp_server() as smtp, running_webhook_receiver() as hook:
        use_channels(monkeypatch, smtp, hook, GWP_WEBHOOK_EVENTS="breach_opened")  # the test posts whatever the filter
        assert main(["alerts", "test", "--to", "me@council.example"]) == 0
        out = capsys.readouterr().out
        mail = smtp.wait_for(1)[0]
        post = hook.wait_for(1)[0]
    assert mail.rcpt_tos == ("me@council.example",) and mail.message["X-GWP-Event"] == "channel_test"
    assert str(mail.message["Subject"]) == "[gwp-monitor] TEST message" and "No action is needed" in mail.text()
    assert "test message from gwp-monitor" in post.json["text"]
    lines = out.strip().splitlines()
    assert len(lines) == 2, out
    assert lines[0].startswith(f"ok  email: SMTP server 127.0.0.1:{smtp.port}: sent to me@council.example")
    assert lines[1].startswith("ok  webhook: webhook http://127.0.0.1:") and "posted" in lines[1]
    assert hook.path not in out, "the webhook URL's secret path is never printed"


def test_alerts_test_reports_each_failure_and_exits_2(monkeypatch, capsys) -> None:
    with running_smtp_server(refuse=["nobody@council.example"]) as smtp, running_webhook_receiver(status=404) as hook:
        use_channels(monkeypatch, smtp, hook)
        assert main(["alerts", "test", "--to", "nobody@council.example"]) == 2
        printed = capsys.readouterr()
    lines = printed.out.strip().splitlines()
    assert lines[0].startswith("FAILED  email:") and "refused every recipient (nobody@council.example)" in lines[0]
    assert lines[1].startswith("FAILED  webhook:") and "HTTP 404" in lines[1] and hook.path not in printed.out
    assert printed.err.startswith("gwp-monitor: error: 2 of 2 channel test(s) failed")
    assert smtp.messages == []


def test_alerts_test_and_send_alerts_without_a_channel_say_what_to_set(tmp_path: Path, monkeypatch, capsys) -> None:
    for name in ("GWP_SMTP_HOST", "GWP_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    assert main(["alerts", "test", "--to", "me@council.example"]) == 2
    printed = capsys.readouterr()
    assert "FAILED  e-mail: -: not configured: set GWP_SMTP_HOST and GWP_ALERT_FROM" in printed.out
    assert "webhook: -: not configured (GWP_WEBHOOK_URL unset)" in printed.out
    register, landing = notice_register(tmp_path), tmp_path / "landing"
    landing.mkdir()
    assert run(register, landing, f"sqlite:///{tmp_path / 'r.db'}") == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("gwp-monitor: error: --send-alerts, but no alert channel is configured: set GWP_SMTP_HOST")
    assert err.endswith("nothing was done") and len(err.splitlines()) == 1
    assert not (tmp_path / "r.db").exists(), "a run that cannot send its alerts fails before it reads anything"


# --------------------------------------------------------------------------------------------
# From a file's arrival to its notice, with the real command
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_time_from_a_files_arrival_to_its_notice_with_run_send_alerts(
    tmp_path: Path, returns, console_script: list[str]
) -> None:
    """A 200-row payroll return lands (atomically, with its delivery record) in the landing folder of a
    deployment that has run before; `gwp-monitor run --send-alerts` (a fresh process, as cron would start
    it) reads it and the supplier's receipt is accepted by the SMTP server. Measured: landing to 250."""
    import os
    import subprocess
    import time
    from datetime import UTC, datetime

    from gwp_monitor.ingest.landed import Delivery, land_bytes

    register = notice_register(tmp_path)
    landing, db = tmp_path / "landing", f"sqlite:///{tmp_path / 'reporting.db'}"
    landing.mkdir()
    rows = [returns.paid_row("N-1", SEP, w, "13.00") for w in range(1, 201)]
    data = returns.csv(tmp_path / "n1-sep.csv", rows).read_bytes()
    command = [*console_script, "run", "--contracts", str(register), "--landing", str(landing), "--db", db]
    command += ["--as-of", "2025-10-05", "--quiet", "--send-alerts"]
    with running_smtp_server() as smtp:
        env = {**os.environ, **smtp.env(), "GWP_REMINDER_DAYS_BEFORE": "0"}
        warm = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        assert warm.returncode == 0, warm.stderr  # the database exists and is up to date, as in production
        arrived = time.monotonic()
        land_bytes(landing, data, Delivery(received_at=datetime.now(UTC), source="folder", label="n1-sep.csv"), ".csv")
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        mail = smtp.wait_for(1, timeout=300)[0]
        accepted = time.monotonic()
        out, err = process.communicate(timeout=300)
        finished = time.monotonic()
    assert process.returncode == 0, err
    assert mail.message["X-GWP-Event"] == "submission_accepted" and mail.rcpt_tos == (contacts(1)["supplier"],)
    assert "n1-sep.csv" in mail.text()
    figure = (
        f"landing to receipt accepted by the SMTP server: {accepted - arrived:.2f} s "
        f"(the command exits {finished - accepted:.2f} s later); 200-row payroll return, SQLite, "
        f"`gwp-monitor run --send-alerts` started after landing"
    )
    print("\n" + figure)
    (tmp_path / "landing-to-notice.txt").write_text(figure + "\n", encoding="utf-8")
    assert accepted - arrived < 120


# --------------------------------------------------------------------------------------------
# The notice values and their renderings (no server)
# --------------------------------------------------------------------------------------------


def test_a_rejection_needs_its_problems_and_may_lack_a_readable_period() -> None:
    from gwp_monitor.domain.problems import Problem
    from gwp_monitor.notify import Alert, render_text, submission_event_key

    base = {
        "event": "submission_rejected",
        "event_key": submission_event_key("submission_rejected", 7),
        "contract_ref": "N-2",
        "contract_title": "Contract 2",
        "supplier_name": "Supplier 2 Ltd",
        "severity": "low",
        "submission_id": 7,
        "recipients": (contacts(2)["supplier"],),
    }
    with pytest.raises(ValueError, match="needs the problems"):
        Alert(**base, period_start=None, period_end=None)
    with pytest.raises(ValueError, match="submission_id"):
        Alert(**{**base, "submission_id": None}, period_start=None, period_end=None, problems=(Problem("x", "y"),))
    with pytest.raises(ValueError, match="must be dates"):  # only a submission may have no period
        Alert(**{**base, "event": "return_overdue", "event_key": "k"}, period_start=None, period_end=None)
    problem = Problem("period_start", "must be a real date written YYYY-MM-DD or DD/MM/YYYY", 2, (2, 3))
    alert = Alert(**base, period_start=None, period_end=None, problems=(problem,), file_name="x.csv")
    text = render_text(alert)
    assert "A return on contract N-2 (Contract 2) in the file x.csv was rejected with 1 problem" in text
    assert "Period:   period not readable" in text and f"- {problem.describe()}" in text


@pytest.mark.parametrize("style", ["slack", "teams"])
def test_webhook_bodies_carry_every_problem_of_a_rejection(style: str) -> None:
    from gwp_monitor.notify import render_webhook
    from gwp_monitor.notify.examples import example_alerts

    alert = example_alerts()["submission_rejected"]
    body = json.dumps(render_webhook(alert, style), ensure_ascii=False)
    for problem in alert.problems:
        assert problem.describe().replace("<", "&lt;").replace(">", "&gt;") in body


def test_stored_problems_read_back_as_check_words_them() -> None:
    from gwp_monitor.domain.problems import Problem, problems_to_json, problems_to_text
    from gwp_monitor.notify.notices import stored_problems

    problems = (
        Problem("age_band", "must be one of: under_18, 18_20, 21_plus", 12, tuple(range(2, 12))),
        Problem("(file)", "empty"),
    )
    assert stored_problems(problems_to_json(problems), problems_to_text(problems)) == problems
    # A row stored before the structured column was written: its text, one problem a line.
    legacy = stored_problems(None, problems_to_text(problems))
    assert [p.describe() for p in legacy] == [p.describe() for p in problems]


def test_notices_cover_recent_submissions_of_known_contracts_only(tmp_path: Path, returns, new_landing) -> None:
    """A database that predates notices does not write to suppliers about old returns; a file naming a
    contract the register does not have has no supplier contact, so no notice."""
    from datetime import UTC, datetime, timedelta

    from gwp_monitor.notify.notices import NOTICE_WINDOW, submission_notices

    register = notice_register(tmp_path)
    land = new_landing(tmp_path / "landing")
    land("n1.csv", [returns.payroll_row(SEP, 1, contract_ref="N-1")], "2025-10-03")
    land("x.csv", [returns.payroll_row(SEP, 1, contract_ref="NOT-IN-REGISTER")], "2025-10-03")
    db = f"sqlite:///{tmp_path / 'r.db'}"
    assert main(["run", "--contracts", str(register), "--landing", str(land.folder), "--db", db, "--quiet"]) == 0
    database = open_database(db)
    assert {s for _, s in submission_ids(db)} == {"accepted", "rejected"}
    (receipt,) = submission_notices(database)
    assert receipt.event == "submission_accepted" and receipt.contract_ref == "N-1"
    later = datetime.now(UTC) + NOTICE_WINDOW + timedelta(minutes=1)
    assert submission_notices(database, now=later) == []
    database.engine.dispose()
