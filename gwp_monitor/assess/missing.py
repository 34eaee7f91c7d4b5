"""Verdicts for returns that never came: every commitment checked from a missing or rejected return
is not_assessable for that period (spec 4), so a gap never reads as compliance."""

from __future__ import annotations

import pandas as pd

from gwp_monitor.assess.verdicts import VERDICT_COLUMNS
from gwp_monitor.config.register import Register
from gwp_monitor.domain.catalogue import CATALOGUE


def gap_verdicts(gaps: pd.DataFrame, register: Register) -> pd.DataFrame:
    """not_assessable verdicts for expected periods with no accepted return (missing or rejected).

    `gaps` has contract_ref, kind, period_start, period_end, reason ('missing' | 'rejected').
    """
    records = []
    for gap in gaps.itertuples(index=False):  # one per missing return, a handful per run
        contract = register.contracts.get(gap.contract_ref)
        if contract is None:
            continue
        for commitment in contract.commitments:
            spec = CATALOGUE[commitment.type]
            if spec.source_kind != gap.kind:
                continue
            why = "was rejected (see its problems)" if gap.reason == "rejected" else "has not been received"
            records.append(
                {
                    "submission_key": None,
                    "contract_ref": gap.contract_ref,
                    "commitment": commitment.type,
                    "period_start": pd.Timestamp(gap.period_start).date(),
                    "period_end": pd.Timestamp(gap.period_end).date(),
                    "status": "not_assessable",
                    "severity": spec.severity,
                    "observed_value": None,
                    "threshold": None,
                    "detail": f"Cannot tell: the {gap.kind} return for this period {why}",
                }
            )
    return pd.DataFrame.from_records(records, columns=VERDICT_COLUMNS)
