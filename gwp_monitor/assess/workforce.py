"""Workforce commitments (spec 4): one verdict per accepted workforce return and commitment type.

Each type's rule (catalogue) gives the observed value per row; the contract's parameter is the
limit; GX decides. A row whose observed value cannot be worked out (headcount 0, a missing answer)
is not_assessable, with the rule's reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gwp_monitor.assess.verdicts import (
    VERDICT_COLUMNS,
    WAGE_COLUMNS,
    Assessment,
    as_dates,
    empty_frame,
    expectation_for,
    limits_by_contract,
    no_assessment,
    row_mask,
    run_rules,
)
from gwp_monitor.config.register import Register
from gwp_monitor.domain.catalogue import CATALOGUE


def assess_workforce(rows: pd.DataFrame, register: Register) -> Assessment:
    """Verdicts for every workforce commitment of every accepted workforce submission."""
    if rows.empty:
        return no_assessment()
    frame = rows.reset_index(drop=True)
    limits = limits_by_contract(register, "workforce").reindex(frame["contract_ref"]).reset_index(drop=True)
    work = pd.DataFrame(index=frame.index)
    expectations, types = [], []
    for name in limits.columns:
        if limits[name].isna().all():
            continue
        spec = CATALOGUE[name]
        observe = spec.rule.observe
        if observe is None:  # only the wage types lack one, and they are payroll commitments
            raise ValueError(f"commitment type {name} has no observation rule for workforce returns")
        work[f"{name}__observed"] = observe(frame).astype("float64").round(9)
        work[f"{name}__limit"] = limits[name].to_numpy(dtype="float64")
        expectations.append(expectation_for(spec, f"{name}__observed", f"{name}__limit"))
        types.append(name)
    result, failing = run_rules(work, expectations)
    parts = []
    for name in types:
        spec = CATALOGUE[name]
        observed, limit = work[f"{name}__observed"], work[f"{name}__limit"]
        applies = limit.notna().to_numpy()
        breach = row_mask(len(frame), failing.get(f"{name}__observed"))
        assessable = observed.notna().to_numpy()
        status = np.where(~assessable, "not_assessable", np.where(breach, "breach", "compliant"))
        part = pd.DataFrame(
            {
                "submission_key": frame["_submission"].to_numpy(),
                "contract_ref": frame["contract_ref"].to_numpy(),
                "commitment": name,
                "period_start": as_dates(frame["period_start"]).to_numpy(),
                "period_end": as_dates(frame["period_end"]).to_numpy(),
                "status": status,
                "severity": spec.severity,
                "observed_value": observed.where(assessable).to_numpy(),
                "threshold": limit.where(assessable).to_numpy(),
                "detail": np.where(assessable, "", spec.rule.missing),
            }
        )[applies]
        parts.append(part)
    verdicts = pd.concat(parts, ignore_index=True) if parts else empty_frame(VERDICT_COLUMNS)
    verdicts["detail"] = _workforce_detail(verdicts)
    return Assessment(verdicts[VERDICT_COLUMNS], empty_frame(WAGE_COLUMNS), gx_result=result)


def _workforce_detail(verdicts: pd.DataFrame) -> pd.Series:
    """'Kept: <the type's summary>', 'Not kept: ...', or 'Cannot tell: <why>'."""
    words = verdicts["commitment"].map(lambda t: CATALOGUE[t].summary)
    kept = np.where(
        verdicts["status"] == "compliant",
        "Kept: ",
        np.where(verdicts["status"] == "breach", "Not kept: ", "Cannot tell: "),
    )
    return pd.Series(
        np.where(verdicts["detail"].astype(str) != "", kept + verdicts["detail"].astype(str), kept + words),
        index=verdicts.index,
    )
