"""Return timeliness (spec 4): on time, late, overdue, awaiting, at every boundary."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from gwp_monitor.assess.timeliness import return_timeliness
from gwp_monitor.config.register import parse_register

D = date
ACCEPTED_COLUMNS = ["contract_ref", "kind", "period_start", "period_end", "received_at"]


def expected_may(due_days: int = 15) -> pd.DataFrame:
    """One expected payroll return: May 2025, due 15 June 2025."""
    reg = parse_register(
        {
            "contracts": [
                {
                    "contract_ref": "C-1",
                    "title": "t",
                    "supplier": {"supplier_id": "1", "name": "S"},
                    "start_date": D(2025, 5, 1),
                    "end_date": D(2025, 5, 31),
                    "returns": {"payroll": {"frequency": "monthly", "due_days": due_days}},
                }
            ]
        }
    )
    return reg.expected_returns(D(2025, 12, 31))


MAY_START, MAY_END = D(2025, 5, 1), D(2025, 5, 31)


def accepted(*received_at: str, start: date = MAY_START, end: date = MAY_END) -> pd.DataFrame:
    n = len(received_at)
    return pd.DataFrame(
        {
            "contract_ref": ["C-1"] * n,
            "kind": ["payroll"] * n,
            "period_start": [start] * n,
            "period_end": [end] * n,
            "received_at": pd.to_datetime(list(received_at), utc=True),
        },
        columns=ACCEPTED_COLUMNS,
    )


@pytest.mark.parametrize(
    "received, as_of, status",
    [
        ((), D(2025, 6, 1), "awaiting"),
        ((), D(2025, 6, 15), "awaiting"),  # the due date itself: still time
        ((), D(2025, 6, 16), "overdue"),  # a day past the due date
        (("2025-06-15T12:00:00Z",), D(2025, 6, 15), "received_on_time"),  # on the due date
        (("2025-06-15T22:59:00Z",), D(2025, 7, 1), "received_on_time"),  # 23:59 BST on the due date
        (("2025-06-15T23:00:00Z",), D(2025, 7, 1), "received_late"),  # 00:00 BST the next day
        (("2025-06-16T09:00:00Z",), D(2025, 6, 16), "received_late"),  # a day late
        (("2025-06-01T00:00:00Z",), D(2025, 6, 5), "received_on_time"),  # early, before due
        (("2025-06-20T09:00:00Z", "2025-06-10T09:00:00Z"), D(2025, 7, 1), "received_on_time"),  # earliest counts
        (("2025-06-20T09:00:00Z",), D(2025, 6, 19), "overdue"),  # received after as_of: not yet received
        (("2025-06-10T09:00:00Z",), D(2025, 6, 9), "awaiting"),  # received after as_of, not due yet
    ],
)
def test_status(received: tuple[str, ...], as_of: date, status: str) -> None:
    out = return_timeliness(expected_may(), accepted(*received), as_of)
    assert out["status"].tolist() == [status]
    assert list(out.columns) == ["contract_ref", "kind", "period_start", "period_end", "due_date", "status"]
    assert out["due_date"].iloc[0] == pd.Timestamp("2025-06-15")


def test_winter_receipts_use_gmt() -> None:
    # Period ending 31 January, due 0 days later: 31 January is GMT, so 23:30 UTC is still that day.
    reg = parse_register(
        {
            "contracts": [
                {
                    "contract_ref": "C-1",
                    "title": "t",
                    "supplier": {"supplier_id": "1", "name": "S"},
                    "start_date": D(2025, 1, 1),
                    "returns": {"payroll": {"frequency": "monthly", "due_days": 0}},
                }
            ]
        }
    )
    expected = reg.expected_returns(D(2025, 1, 31))
    got = accepted("2025-01-31T23:30:00Z", start=D(2025, 1, 1), end=D(2025, 1, 31))
    assert return_timeliness(expected, got, D(2025, 2, 1))["status"].tolist() == ["received_on_time"]


def test_naive_received_at_is_utc() -> None:
    acc = accepted("2025-06-15T22:59:00Z")
    acc["received_at"] = acc["received_at"].dt.tz_localize(None)
    assert return_timeliness(expected_may(), acc, D(2025, 7, 1))["status"].tolist() == ["received_on_time"]


def test_submissions_for_other_periods_or_kinds_do_not_count() -> None:
    other = pd.concat(
        [
            accepted("2025-06-01T00:00:00Z", start=D(2025, 6, 1), end=D(2025, 6, 30)),
            accepted("2025-06-01T00:00:00Z").assign(kind="workforce"),
            accepted("2025-06-01T00:00:00Z").assign(contract_ref="C-2"),
        ]
    )
    assert return_timeliness(expected_may(), other, D(2025, 7, 1))["status"].tolist() == ["overdue"]


def test_many_periods_keep_expected_order_and_date_inputs() -> None:
    reg = parse_register(
        {
            "contracts": [
                {
                    "contract_ref": ref,
                    "title": "t",
                    "supplier": {"supplier_id": "1", "name": "S"},
                    "start_date": D(2025, 1, 1),
                    "returns": {
                        "payroll": {"frequency": "monthly", "due_days": 10},
                        "workforce": {"frequency": "quarterly", "due_days": 30},
                    },
                }
                for ref in ("A", "B")
            ]
        }
    )
    as_of = D(2025, 4, 20)
    expected = reg.expected_returns(as_of)
    acc = pd.DataFrame(
        {
            "contract_ref": ["A", "A", "B", "A"],
            "kind": ["payroll", "payroll", "workforce", "workforce"],
            # python dates on this side, datetime64 on the other: keys must still match
            "period_start": [D(2025, 1, 1), D(2025, 2, 1), D(2025, 1, 1), D(2025, 1, 1)],
            "period_end": [D(2025, 1, 31), D(2025, 2, 28), D(2025, 3, 31), D(2025, 3, 31)],
            "received_at": pd.to_datetime(
                ["2025-02-10T08:00Z", "2025-03-11T08:00Z", "2025-04-02T08:00Z", "2025-04-30T08:00Z"]
            ),
        }
    )
    out = return_timeliness(expected, acc, as_of)
    assert [(r.contract_ref, r.kind, r.period_start.month, r.status) for r in out.itertuples()] == [
        ("A", "payroll", 1, "received_on_time"),
        ("A", "payroll", 2, "received_late"),
        ("A", "payroll", 3, "overdue"),  # due 10 April
        ("A", "workforce", 1, "awaiting"),  # due 30 April; the 30 April receipt is after as_of
        ("B", "payroll", 1, "overdue"),
        ("B", "payroll", 2, "overdue"),
        ("B", "payroll", 3, "overdue"),
        ("B", "workforce", 1, "received_on_time"),
    ]


def test_empty_inputs() -> None:
    expected = expected_may()
    assert return_timeliness(expected.iloc[:0], accepted(), D(2025, 7, 1)).empty
    empty = pd.DataFrame(columns=ACCEPTED_COLUMNS)
    assert return_timeliness(expected, empty, D(2025, 7, 1))["status"].tolist() == ["overdue"]
