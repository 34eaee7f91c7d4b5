"""Alerts go out once (issue 16, item 7): a delivery is claimed in an outbox before it is sent, so two
senders at once send it once and raise nothing; a database failure right after the server accepted a
message is retried, so the next run does not send it again. The Message-ID is stable across resends."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from gwp_monitor.notify.events import return_alert
from gwp_monitor.notify.lifecycle import dispatch
from gwp_monitor.notify.render import render_email
from gwp_monitor.store.database import open_database


class SlowChannel:
    """Accepts every alert after a pause (an SMTP server's round trip), remembering what it was given."""

    name = "email"

    def __init__(self) -> None:
        self.sent: list[str] = []

    def handles(self, alert) -> bool:
        return True

    def send(self, alert) -> None:
        time.sleep(0.3)
        self.sent.append(alert.event_key)


def alerts(n: int = 3):
    return [
        return_alert(
            "return_overdue",
            contract_ref=f"A-{i}",
            contract_title="Care",
            supplier_name="Acme Ltd",
            kind="payroll",
            period_start=date(2025, 9, 1),
            period_end=date(2025, 9, 30),
            due_date=date(2025, 10, 15),
            contract_manager="cm@council.example",
            supplier_contact="s@acme.example",
        )
        for i in range(1, n + 1)
    ]


@pytest.fixture
def db(reporting_db_url):
    database = open_database(reporting_db_url)
    yield database
    database.engine.dispose()


def test_two_senders_at_once_send_each_alert_once_and_raise_nothing(db):
    channel, errors = SlowChannel(), []

    def sender() -> None:
        try:
            dispatch(db, alerts(), [channel])
        except Exception as exc:  # noqa: BLE001 - the test reports any
            errors.append(exc)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(channel.sent) == sorted(a.event_key for a in alerts())
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM alert_log")).scalar() == 3
        assert conn.execute(text("SELECT COUNT(*) FROM alert_outbox")).scalar() == 3  # claims stay


def test_a_database_failure_after_the_server_accepted_does_not_send_it_again(db):
    channel = SlowChannel()
    failures = {"left": 1}

    def fail_once(_conn, _cursor, statement, *_args) -> None:
        if "INSERT INTO alert_log" in statement and failures["left"]:
            failures["left"] -= 1
            raise OperationalError(statement, {}, Exception("server closed the connection unexpectedly"))

    event.listen(db.engine, "before_cursor_execute", fail_once)
    try:
        report = dispatch(db, alerts(1), [channel])
    finally:
        event.remove(db.engine, "before_cursor_execute", fail_once)
    assert failures["left"] == 0 and report.sent == 1
    again = dispatch(db, alerts(1), [channel])
    assert (again.sent, again.already_sent) == (0, 1)
    assert len(channel.sent) == 1


def test_the_message_id_is_the_same_for_every_send_of_an_alert():
    first, second = alerts(1)[0], alerts(1)[0]
    a = render_email(first, sender="gwp@council.example")
    b = render_email(second, sender="gwp@council.example")
    assert a["Message-ID"] == b["Message-ID"] and a["Message-ID"].startswith("<")
