"""The returns a register's contracts owe by a date, as one frame (spec 2.1): the register's
calendar arithmetic vectorised with pandas, kept apart from the register's validation."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from gwp_monitor.domain.periods import expand_periods

if TYPE_CHECKING:
    from gwp_monitor.config.register import Contract

EXPECTED_RETURNS_COLUMNS = ["contract_ref", "kind", "period_start", "period_end", "due_date"]


def expected_returns(contracts: Iterable[Contract], as_of: date) -> pd.DataFrame:
    """One row per return the contracts owe by ``as_of`` (see ``Register.expected_returns``)."""
    as_of = _as_date(as_of)
    windows = [
        (c.contract_ref, kind, s.frequency, s.due_days, c.start_date, min(c.end_date, as_of) if c.end_date else as_of)
        for c in contracts
        for kind, s in c.returns.items()
    ]
    cols = ["contract_ref", "kind", "frequency", "due_days", "start", "end"]
    w = pd.DataFrame(windows, columns=cols)
    parts = []
    for frequency, group in w.groupby("frequency", sort=False):
        group = group.reset_index(drop=True)
        periods = expand_periods(frequency, pd.to_datetime(group["start"]), pd.to_datetime(group["end"]))
        rows = group.iloc[periods["row"].to_numpy()].reset_index(drop=True)
        due = periods["period_end"].to_numpy() + rows["due_days"].to_numpy().astype("timedelta64[D]")
        parts.append(
            pd.DataFrame(
                {
                    "contract_ref": rows["contract_ref"],
                    "kind": rows["kind"],
                    "period_start": periods["period_start"],
                    "period_end": periods["period_end"],
                    "due_date": due.astype("datetime64[ns]"),
                }
            )
        )
    if not parts:
        return _empty_expected()
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["contract_ref", "kind", "period_start"], ignore_index=True)


def _empty_expected() -> pd.DataFrame:
    empty_dates = np.array([], dtype="datetime64[ns]")
    return pd.DataFrame(
        {
            "contract_ref": pd.Series([], dtype="str"),
            "kind": pd.Series([], dtype="str"),
            "period_start": empty_dates,
            "period_end": empty_dates,
            "due_date": empty_dates,
        }
    )


def _as_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value
