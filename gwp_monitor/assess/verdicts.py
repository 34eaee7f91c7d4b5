"""The verdict frame every assessor returns, and the one way a commitment rule is run through GX.

Each commitment type's `Rule` (in the catalogue) turns into one Great Expectations expectation over
the accepted rows of a run: the observed value per row against a limit per row, where the limit
comes from the register (the contract's `max`, `min`...) or, for wages, from the wage-floor tables.
The rows GX reports as unexpected ARE the breaches: verdicts, workers below and arrears are derived
from GX's row ids, not from a second hand-written comparison.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from gwp_monitor.config.register import Register
from gwp_monitor.domain.catalogue import CATALOGUE, REAL_LIVING_WAGE, CommitmentSpec
from gwp_monitor.domain.templates import Kind

VERDICT_COLUMNS = [
    "submission_key",
    "contract_ref",
    "commitment",
    "period_start",
    "period_end",
    "status",
    "severity",
    "observed_value",
    "threshold",
    "detail",
]
WAGE_COLUMNS = [
    "submission_key",
    "contract_ref",
    "period_start",
    "period_end",
    "rate_type",
    "band",
    "required_rate",
    "workers_assessed",
    "workers_below",
    "lowest_rate",
    "arrears_gbp",
    "upcoming_rate",
    "workers_below_upcoming",
]


#: Owed to workers and uplift cost per submission (spec 4, v_owed_to_workers).
OWED_COLUMNS = [
    "submission_key",
    "workers_assessed",
    "workers_owed",
    "owed_gbp",
    "uplift_from",
    "workers_below_uplift",
    "uplift_cost_gbp",
]


@dataclass
class Assessment:
    """Verdicts and wage figures, with the Great Expectations results behind them for Data Docs.

    An assessor of one kind sets ``gx_result``; the pipeline's assessment of both kinds carries
    theirs in ``gx_results``, by kind.
    """

    verdicts: pd.DataFrame
    wages: pd.DataFrame
    gx_result: object = None
    gx_results: dict[Kind, object] = field(default_factory=dict)
    owed: pd.DataFrame | None = None  # OWED_COLUMNS, payroll only


def empty_frame(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


def no_assessment() -> Assessment:
    """What an assessor returns for no rows: empty verdict and wage frames with their columns."""
    return Assessment(empty_frame(VERDICT_COLUMNS), empty_frame(WAGE_COLUMNS))


def limits_by_contract(register: Register, kind: str) -> pd.DataFrame:
    """One row per contract, one column per commitment type of `kind`: the contract's limit, or NaN
    where the contract has no such commitment. Wage types carry 1.0 (the floor itself is per row)."""
    records = []
    for ref, contract in register.contracts.items():
        row: dict[str, object] = {"contract_ref": ref}
        for commitment in contract.commitments:
            spec = CATALOGUE[commitment.type]
            if spec.source_kind != kind or spec.evidence != "return":
                continue
            rule = spec.rule
            row[commitment.type] = (
                float(commitment.params[rule.limit]) if isinstance(rule.limit, str) else float(rule.limit)
            )
            if commitment.type == REAL_LIVING_WAGE:
                row["rlw_include_apprentices"] = bool(commitment.params.get("include_apprentices", False))
        records.append(row)
    types = [name for name, spec in CATALOGUE.items() if spec.source_kind == kind and spec.evidence == "return"]
    frame = pd.DataFrame.from_records(
        records, columns=["contract_ref", *types] + (["rlw_include_apprentices"] if kind == "payroll" else [])
    )
    return frame.set_index("contract_ref")


def expectation_for(spec: CommitmentSpec, observed: str, limit: str) -> Any:
    """The GX expectation that decides `spec` for every row with both an observed value and a limit."""
    import great_expectations as gx

    a, b = (observed, limit) if spec.rule.comparison == "at_least" else (limit, observed)
    return gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=a,
        column_B=b,
        or_equal=True,
        ignore_row_if="either_value_is_missing",
        meta={"commitment": spec.name.value, "observed": observed},
    )


def run_rules(frame: pd.DataFrame, expectations: list) -> tuple[object, dict[str, np.ndarray]]:
    """Failing row ids per observed column, straight from GX."""
    from gwp_monitor.validate.expectations import run_expectations

    if frame.empty or not expectations:
        return None, {}
    result, failures = run_expectations(frame, expectations, name="commitments")
    failing = {config.meta["observed"]: row_ids for config, row_ids in failures}
    return result, failing


def row_mask(n: int, row_ids: np.ndarray | None) -> np.ndarray:
    """Boolean mask over `n` rows, True at `row_ids` (GX's unexpected rows)."""
    mask = np.zeros(n, dtype=bool)
    if row_ids is not None and len(row_ids):
        mask[row_ids] = True
    return mask


def as_dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).dt.date
