"""Return timeliness (spec 4): for every expected return, was it received on time, late, is it
overdue, or not yet due.

Decisions (written in the docstring of ``return_timeliness`` too):

* A receipt's day is its UK calendar day (Europe/London), because due dates are UK dates: a return
  received at 23:30 UTC on 30 June during British Summer Time arrived on 1 July for the council.
  Naive ``received_at`` values are taken as UTC.
* Submissions received after the end of the as-of day are ignored, so re-running for an earlier
  as-of date gives the answer that was true then.
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd

UK_TIMEZONE = "Europe/London"
STATUSES = ("received_on_time", "received_late", "overdue", "awaiting")
KEY = ["contract_ref", "kind", "period_start", "period_end"]
COLUMNS = KEY + ["due_date", "status"]


def _dates(values: pd.Series) -> pd.Series:
    """datetime64[ns] at midnight, so keys from different sources compare equal."""
    return pd.to_datetime(values).dt.normalize().astype("datetime64[ns]")


def _uk_receipt_day(received_at: pd.Series) -> pd.Series:
    ts = pd.to_datetime(received_at, utc=True)
    return ts.dt.tz_convert(UK_TIMEZONE).dt.tz_localize(None).dt.normalize().astype("datetime64[ns]")


def return_timeliness(expected: pd.DataFrame, accepted: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Status of every expected return as of ``as_of``.

    ``expected`` is ``Register.expected_returns(as_of)``; ``accepted`` holds one row per ACCEPTED
    submission (contract_ref, kind, period_start, period_end, received_at); rejected ones must not
    be passed. For each expected period the EARLIEST accepted receipt counts (a later replacement
    does not make an on-time return late). Received on or before the due date (UK calendar day) is
    ``received_on_time``, after it ``received_late``; with nothing received, ``overdue`` once the
    as-of date is past the due date, else ``awaiting``. Receipts after the as-of day are ignored.
    Returns the expected rows in their order with their due_date and a status column.
    """
    as_day = np.datetime64(as_of.date() if isinstance(as_of, datetime) else as_of, "ns")
    out = expected[KEY + ["due_date"]].copy()
    for col in ("period_start", "period_end", "due_date"):
        out[col] = _dates(out[col])
    if len(accepted):
        received = accepted[KEY].copy()
        for col in ("period_start", "period_end"):
            received[col] = _dates(received[col])
        received["received_day"] = _uk_receipt_day(accepted["received_at"])
        received = received[received["received_day"] <= as_day]
        first = received.groupby(KEY, as_index=False, sort=False)["received_day"].min()
        out = out.merge(first, on=KEY, how="left", validate="many_to_one")
    else:
        out["received_day"] = pd.Series(np.datetime64("NaT", "ns"), index=out.index)
    got = out["received_day"].notna().to_numpy()
    on_time = (out["received_day"] <= out["due_date"]).to_numpy()
    past_due = (out["due_date"] < as_day).to_numpy()
    out["status"] = np.select(
        [got & on_time, got, past_due],
        ["received_on_time", "received_late", "overdue"],
        default="awaiting",
    )
    return out[COLUMNS].reset_index(drop=True)
