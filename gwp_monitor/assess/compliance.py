"""Deciding, per contract, commitment and period, whether the supplier kept its word (spec 3, 4).

Each commitment type's `Rule` (in the catalogue) turns into one Great Expectations expectation over
the accepted rows of a run: the observed value per row against a limit per row, where the limit
comes from the register (the contract's `max`, `min`...) or, for wages, from the wage-floor tables.
The rows GX reports as unexpected ARE the breaches: verdicts, workers below and arrears are derived
from GX's row ids, not from a second hand-written comparison. Pandas adds only what GX does not
compute: counts per submission, the lowest rate, and arrears in pounds.

Hourly rates and floors are compared in ten-thousandths of a pound with floating-point noise rounded
away, so a rate exactly equal to the floor is compliant however the arithmetic rounded; a rate the
supplier gives is used as given (only a derived rate is rounded to 4 decimal places, spec 4).
Arrears are rounded to the penny after summing, half a penny up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from gwp_monitor.domain.catalogue import CATALOGUE, STATUTORY_MINIMUM_WAGE, CommitmentType
from gwp_monitor.domain.rates import WageFloors
from gwp_monitor.config.register import Register

RLW = "real_living_wage"
SCALE = 10_000  # rates in ten-thousandths of a pound (spec: rates rounded to 4 decimal places)
NOISE_DP = 6  # decimals kept when rounding away floating-point noise (4-dp rates x 2-dp hours are exact at 6)
PENNY = Decimal("0.01")

VERDICT_COLUMNS = [
    "submission_key", "contract_ref", "commitment", "period_start", "period_end",
    "status", "severity", "observed_value", "threshold", "detail",
]
WAGE_COLUMNS = [
    "submission_key", "contract_ref", "period_start", "period_end", "rate_type", "band", "required_rate",
    "workers_assessed", "workers_below", "lowest_rate", "arrears_gbp", "upcoming_rate", "workers_below_upcoming",
]


@dataclass
class Assessment:
    verdicts: pd.DataFrame
    wages: pd.DataFrame
    gx_result: object = None


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


def limits_by_contract(register: Register, kind: str) -> pd.DataFrame:
    """One row per contract, one column per commitment type of `kind`: the contract's limit, or NaN
    where the contract has no such commitment. Wage types carry 1.0 (the floor itself is per row)."""
    records = []
    for ref, contract in register.contracts.items():
        row: dict[str, object] = {"contract_ref": ref}
        for commitment in contract.commitments:
            spec = CATALOGUE[commitment.type]
            if spec.source_kind != kind:
                continue
            rule = spec.rule
            row[commitment.type] = float(commitment.params[rule.limit]) if isinstance(rule.limit, str) else float(rule.limit)
            if commitment.type == RLW:
                row["rlw_include_apprentices"] = bool(commitment.params.get("include_apprentices", False))
        records.append(row)
    types = [name for name, spec in CATALOGUE.items() if spec.source_kind == kind]
    frame = pd.DataFrame.from_records(records, columns=["contract_ref", *types] + (["rlw_include_apprentices"] if kind == "payroll" else []))
    return frame.set_index("contract_ref")


def expectation_for(spec: CommitmentType, observed: str, limit: str):
    """The GX expectation that decides `spec` for every row with both an observed value and a limit."""
    import great_expectations as gx

    a, b = (observed, limit) if spec.rule.comparison == "at_least" else (limit, observed)
    return gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=a,
        column_B=b,
        or_equal=True,
        ignore_row_if="either_value_is_missing",
        meta={"commitment": spec.name, "observed": observed},
    )


def _run(frame: pd.DataFrame, expectations: list) -> tuple[object, dict[str, np.ndarray]]:
    """Failing row ids per observed column, straight from GX."""
    from gwp_monitor.validate.expectations import run_expectations

    if frame.empty or not expectations:
        return None, {}
    result, failures = run_expectations(frame, expectations, name="commitments")
    failing = {config.meta["observed"]: row_ids for config, row_ids in failures}
    return result, failing


def _mask(n: int, row_ids: np.ndarray | None) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    if row_ids is not None and len(row_ids):
        mask[row_ids] = True
    return mask


def _dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).dt.date


# --- workforce ---------------------------------------------------------------------------------------

def assess_workforce(rows: pd.DataFrame, register: Register) -> Assessment:
    """Verdicts for every workforce commitment of every accepted workforce submission."""
    if rows.empty:
        return Assessment(_empty(VERDICT_COLUMNS), _empty(WAGE_COLUMNS))
    frame = rows.reset_index(drop=True)
    limits = limits_by_contract(register, "workforce").reindex(frame["contract_ref"]).reset_index(drop=True)
    work = pd.DataFrame(index=frame.index)
    expectations, types = [], []
    for name in limits.columns:
        if limits[name].isna().all():
            continue
        spec = CATALOGUE[name]
        work[f"{name}__observed"] = spec.rule.observe(frame).astype("float64").round(9)
        work[f"{name}__limit"] = limits[name].to_numpy(dtype="float64")
        expectations.append(expectation_for(spec, f"{name}__observed", f"{name}__limit"))
        types.append(name)
    result, failing = _run(work, expectations)
    parts = []
    for name in types:
        spec = CATALOGUE[name]
        observed, limit = work[f"{name}__observed"], work[f"{name}__limit"]
        applies = limit.notna().to_numpy()
        breach = _mask(len(frame), failing.get(f"{name}__observed"))
        assessable = observed.notna().to_numpy()
        status = np.where(~assessable, "not_assessable", np.where(breach, "breach", "compliant"))
        part = pd.DataFrame(
            {
                "submission_key": frame["_submission"].to_numpy(),
                "contract_ref": frame["contract_ref"].to_numpy(),
                "commitment": name,
                "period_start": _dates(frame["period_start"]).to_numpy(),
                "period_end": _dates(frame["period_end"]).to_numpy(),
                "status": status,
                "severity": spec.severity,
                "observed_value": observed.where(assessable).to_numpy(),
                "threshold": limit.where(assessable).to_numpy(),
                "detail": np.where(assessable, "", spec.rule.missing),
            }
        )[applies]
        parts.append(part)
    verdicts = pd.concat(parts, ignore_index=True) if parts else _empty(VERDICT_COLUMNS)
    verdicts["detail"] = _workforce_detail(verdicts)
    return Assessment(verdicts[VERDICT_COLUMNS], _empty(WAGE_COLUMNS), result)


def _workforce_detail(verdicts: pd.DataFrame) -> pd.Series:
    words = verdicts["commitment"].map(lambda t: CATALOGUE[t].summary)
    kept = np.where(verdicts["status"] == "compliant", "Kept: ", np.where(verdicts["status"] == "breach", "Not kept: ", "Cannot tell: "))
    return pd.Series(
        np.where(verdicts["detail"].astype(str) != "", kept + verdicts["detail"].astype(str), kept + words),
        index=verdicts.index,
    )


# --- payroll -----------------------------------------------------------------------------------------

def _bands(frame: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per rate type, each worker's band as (codes, names): names sorted (the order the figures are
    grouped in), codes indexing them, -1 for no band. Integers, not a million strings to group on."""
    apprentice = frame["apprentice"].fillna(False).to_numpy(dtype=bool)
    age_codes, ages = pd.factorize(frame["age_band"])  # a handful of distinct values; missing -> -1
    names = np.array(sorted({str(a) for a in ages} | {"apprentice"}), dtype=object)
    rank = {name: i for i, name in enumerate(names)}
    age_rank = np.array([rank[str(a)] for a in ages] + [-1], dtype=np.int64)  # the extra -1 is for age_codes == -1
    statutory = np.where(apprentice, rank["apprentice"], age_rank[age_codes])
    london = frame["london"].fillna(False).to_numpy(dtype=bool)
    return {STATUTORY_MINIMUM_WAGE: (statutory, names), RLW: (np.where(london, 0, 1), np.array(["london", "uk"], dtype=object))}


def payroll_floors(frame: pd.DataFrame, register: Register, floors: WageFloors, as_of: date) -> pd.DataFrame:
    """Per worker: hourly rate and the floors that apply to them, in pounds (NaN: no floor applies)."""
    hours = frame["hours_paid"]
    hourly = frame["hourly_rate"].where(frame["hourly_rate"].notna(), (frame["basic_pay"] / hours.where(hours > 0)).round(4))
    assessed = (hours > 0).to_numpy()
    # Per contract, then spread to its workers: a few contracts, not a million lookups by text.
    contract, refs = pd.factorize(frame["contract_ref"])  # missing -> -1, which picks the extra row below
    limits = limits_by_contract(register, "payroll").reindex(refs)
    has_rlw = np.append(limits[RLW].notna().to_numpy(), False)[contract]
    include_apprentices = np.append(limits["rlw_include_apprentices"].fillna(False).astype(bool).to_numpy(), False)[contract]
    apprentice = frame["apprentice"].fillna(False).astype(bool)
    london = frame["london"].fillna(False).astype(bool)
    in_rlw_scope = assessed & has_rlw & (frame["age_band"] != "under_18").to_numpy() & (include_apprentices | ~apprentice.to_numpy())
    # The floors depend on the period and the band only: looked up once per distinct combination.
    start = frame["period_start"]
    statutory = _per_distinct({"start": start, "age_band": frame["age_band"], "apprentice": apprentice},
                              lambda k: floors.statutory_series(k["start"], k["age_band"], k["apprentice"]))
    rlw = _per_distinct({"start": start, "london": london}, lambda k: floors.rlw_series(k["start"], k["london"]))
    upcoming = _per_distinct({"start": start, "london": london}, lambda k: floors.upcoming_rlw_series(k["start"], k["london"], as_of))
    return pd.DataFrame(
        {
            "hourly": hourly.to_numpy(dtype="float64"),
            STATUTORY_MINIMUM_WAGE: np.where(assessed, statutory, np.nan),
            RLW: np.where(in_rlw_scope, rlw, np.nan),
            "upcoming": np.where(in_rlw_scope, upcoming, np.nan),
        },
        copy=False,  # fresh arrays: not stacked into a copy
    )


def _per_distinct(keys: dict[str, pd.Series], lookup) -> np.ndarray:
    """`lookup` (row-wise over a frame of `keys`) evaluated on each distinct combination of the keys
    once, and spread back to every row, as float64."""
    frame = pd.DataFrame({name: values.array for name, values in keys.items()}, copy=False)
    group = frame.groupby(list(frame.columns), sort=False, dropna=False).ngroup().to_numpy()  # numbered by first appearance
    firsts = pd.Series(group).drop_duplicates().index.to_numpy()  # so group i's first row is firsts[i]
    distinct = frame.iloc[firsts].reset_index(drop=True)
    return np.asarray(lookup(distinct), dtype="float64")[group]


def _scaled(values: pd.Series | np.ndarray) -> np.ndarray:
    """Pounds as ten-thousandths, noise removed but not rounded to whole units: a given rate of
    12.20996 stays below a 12.21 floor (rounding it to 122100 would make it compliant)."""
    return np.round(np.asarray(values, dtype="float64") * SCALE, NOISE_DP)


def _to_pennies(amounts: pd.Series) -> pd.Series:
    """Sums of pounds to the penny, half a penny up, after rounding away floating-point noise, so
    (12.60 - 12.59) x 12.5 h and (12.21 - 12.20) x 12.5 h both give 0.13, not 0.12 or 0.13 by chance."""
    pennies = amounts.map(lambda x: float(Decimal(repr(round(float(x), NOISE_DP))).quantize(PENNY, ROUND_HALF_UP)))
    return pennies.astype("float64")


def assess_payroll(rows: pd.DataFrame, register: Register, floors: WageFloors, as_of: date) -> Assessment:
    """Wage verdicts and wage figures for every accepted payroll submission, in one GX run."""
    if rows.empty:
        return Assessment(_empty(VERDICT_COLUMNS), _empty(WAGE_COLUMNS))
    frame = rows.reset_index(drop=True)
    pay = payroll_floors(frame, register, floors, as_of)
    work = pd.DataFrame({"hourly_e4": _scaled(pay["hourly"])})
    expectations = []
    for name in (STATUTORY_MINIMUM_WAGE, RLW, "upcoming"):
        work[f"{name}__floor_e4"] = _scaled(pay[name])
        spec = CATALOGUE[RLW if name == "upcoming" else name]
        expectation = expectation_for(spec, "hourly_e4", f"{name}__floor_e4")
        expectation.meta = {"commitment": spec.name, "observed": name}
        expectations.append(expectation)
    result, failing = _run(work, expectations)
    bands = _bands(frame)
    submission = frame["_submission"].to_numpy()
    # Contract and period are the submission's own: grouped on (submission, band) and looked up after,
    # rather than grouping a million rows on three more keys, two of them text.
    keyed = (frame["contract_ref"].notna() & frame["period_start"].notna() & frame["period_end"].notna()).to_numpy()
    _, first_row = np.unique(submission, return_index=True)
    of_submission = frame.iloc[first_row].set_index("_submission")[["contract_ref", "period_start", "period_end"]]
    hourly, hours = pay["hourly"].to_numpy(), frame["hours_paid"].to_numpy(dtype="float64", na_value=np.nan)
    wage_parts = []
    for rate_type in (STATUTORY_MINIMUM_WAGE, RLW):
        floor = pay[rate_type].to_numpy()
        codes, names = bands[rate_type]
        rows = np.flatnonzero(~np.isnan(floor) & keyed & (codes >= 0))
        below = _mask(len(frame), failing.get(rate_type))
        below_upcoming = _mask(len(frame), failing.get("upcoming")) if rate_type == RLW else np.zeros(len(frame), bool)
        shortfall = np.where(below, (floor - hourly) * hours, 0.0)
        upcoming = pay["upcoming"].to_numpy() if rate_type == RLW else np.full(len(frame), np.nan)
        per_worker = pd.DataFrame(
            {
                "submission_key": submission[rows],
                "band": codes[rows],
                "required_rate": floor[rows],
                "hourly": hourly[rows],
                "below": below[rows],
                "shortfall": shortfall[rows],
                "upcoming": upcoming[rows],
                "below_upcoming": below_upcoming[rows],
            },
            copy=False,
        )
        grouped = per_worker.groupby(["submission_key", "band"], sort=True)
        figures = grouped.agg(
            required_rate=("required_rate", "max"),
            workers_assessed=("hourly", "size"),
            workers_below=("below", "sum"),
            lowest_rate=("hourly", "min"),
            arrears_gbp=("shortfall", "sum"),
            upcoming_rate=("upcoming", "max"),
            workers_below_upcoming=("below_upcoming", "sum"),
        ).reset_index()
        figures["band"] = pd.array(names[figures["band"].to_numpy()], dtype="str")
        keys = of_submission.loc[figures["submission_key"]]
        for column in ("contract_ref", "period_start", "period_end"):
            figures[column] = keys[column].array
        figures["rate_type"] = rate_type
        figures["arrears_gbp"] = _to_pennies(figures["arrears_gbp"])
        if rate_type == RLW:
            none_upcoming = figures["upcoming_rate"].isna()
            figures["workers_below_upcoming"] = figures["workers_below_upcoming"].astype("Int64").mask(none_upcoming)
        else:
            figures["workers_below_upcoming"] = pd.array([pd.NA] * len(figures), dtype="Int64")
        wage_parts.append(figures)
    wages = pd.concat(wage_parts, ignore_index=True)
    for column in ("period_start", "period_end"):
        wages[column] = _dates(wages[column])
    wages = wages[WAGE_COLUMNS]
    verdicts = _wage_verdicts(frame, register, wages)
    return Assessment(verdicts, wages, result)


def _wage_verdicts(frame: pd.DataFrame, register: Register, wages: pd.DataFrame) -> pd.DataFrame:
    """One verdict per submission and wage commitment the contract has, summed over bands."""
    subs = frame.groupby("_submission", sort=True).agg(
        contract_ref=("contract_ref", "first"), period_start=("period_start", "first"), period_end=("period_end", "first")
    )
    subs["period_start"], subs["period_end"] = _dates(subs["period_start"]), _dates(subs["period_end"])
    totals = wages.groupby(["submission_key", "rate_type"]).agg(
        assessed=("workers_assessed", "sum"), below=("workers_below", "sum"), arrears=("arrears_gbp", "sum")
    )
    records = []
    for key, sub in subs.iterrows():  # one iteration per submission, not per worker
        contract = register.contracts[sub["contract_ref"]]
        for commitment in contract.commitments:
            spec = CATALOGUE[commitment.type]
            if spec.source_kind != "payroll":
                continue
            total = totals.loc[(key, commitment.type)] if (key, commitment.type) in totals.index else None
            record = {
                "submission_key": key, "contract_ref": sub["contract_ref"], "commitment": commitment.type,
                "period_start": sub["period_start"], "period_end": sub["period_end"], "severity": spec.severity,
            }
            if total is None or total["assessed"] == 0:
                record.update(status="not_assessable", observed_value=None, threshold=None,
                              detail=_no_wage_assessment(commitment.type, sub["period_start"]))
            else:
                below = int(total["below"])
                record.update(
                    status="breach" if below else "compliant",
                    observed_value=float(below),
                    threshold=0.0,
                    detail=(
                        f"{below} of {int(total['assessed'])} workers paid below the {spec.rule.label}; "
                        f"arrears £{total['arrears']:,.2f}" if below
                        else f"All {int(total['assessed'])} workers assessed are paid at least the {spec.rule.label}"
                    ),
                )
            records.append(record)
    return pd.DataFrame.from_records(records, columns=VERDICT_COLUMNS)


def _no_wage_assessment(commitment: str, period_start: date) -> str:
    return (
        f"Cannot tell: no worker with hours paid in scope, or no {CATALOGUE[commitment].rule.label} "
        f"in the rates tables for a period starting {period_start}"
    )


# --- returns that never came ---------------------------------------------------------------------------

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
                    "submission_key": None, "contract_ref": gap.contract_ref, "commitment": commitment.type,
                    "period_start": pd.Timestamp(gap.period_start).date(), "period_end": pd.Timestamp(gap.period_end).date(),
                    "status": "not_assessable", "severity": spec.severity, "observed_value": None, "threshold": None,
                    "detail": f"Cannot tell: the {gap.kind} return for this period {why}",
                }
            )
    return pd.DataFrame.from_records(records, columns=VERDICT_COLUMNS)
