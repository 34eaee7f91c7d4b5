"""Wage commitments (spec 4): statutory minimum wage and Real Living Wage, per worker, in one GX run.

Each worker's hourly rate is checked against the floors that apply to them (from the rates tables:
their age band or apprenticeship for the statutory minimum, London or UK for the Real Living Wage
when the contract commits to it); GX's failing rows are the workers below. Pandas adds only what GX
does not compute: counts per submission and band, the lowest rate, and arrears in pounds.

Hourly rates and floors are compared in ten-thousandths of a pound with floating-point noise rounded
away, so a rate exactly equal to the floor is compliant however the arithmetic rounded; a rate the
supplier gives is used as given (only a derived rate is rounded to 4 decimal places, spec 4).
Arrears are rounded to the penny after summing, half a penny up.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from gwp_monitor.assess.verdicts import (
    OWED_COLUMNS,
    VERDICT_COLUMNS,
    WAGE_COLUMNS,
    Assessment,
    as_dates,
    expectation_for,
    limits_by_contract,
    no_assessment,
    row_mask,
    run_rules,
)
from gwp_monitor.config.register import Register
from gwp_monitor.domain.catalogue import CATALOGUE, REAL_LIVING_WAGE, STATUTORY_MINIMUM_WAGE
from gwp_monitor.domain.formatting import format_gbp
from gwp_monitor.domain.rates import WageFloors

SCALE = 10_000  # rates in ten-thousandths of a pound (spec: rates rounded to 4 decimal places)
NOISE_DP = 6  # decimals kept when rounding away floating-point noise (4-dp rates x 2-dp hours are exact at 6)
PENNY = Decimal("0.01")
# Plain strings, not enum members: they become the rate_type column written to the database.
SMW, RLW = STATUTORY_MINIMUM_WAGE.value, REAL_LIVING_WAGE.value


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
    return {SMW: (statutory, names), RLW: (np.where(london, 0, 1), np.array(["london", "uk"], dtype=object))}


def payroll_floors(frame: pd.DataFrame, register: Register, floors: WageFloors, as_of: date) -> pd.DataFrame:
    """Per worker: hourly rate and the floors that apply to them, in pounds (NaN: no floor applies)."""
    hours = frame["hours_paid"]
    hourly = frame["hourly_rate"].where(
        frame["hourly_rate"].notna(), (frame["basic_pay"] / hours.where(hours > 0)).round(4)
    )
    assessed = (hours > 0).to_numpy()
    # Per contract, then spread to its workers: a few contracts, not a million lookups by text.
    contract, refs = pd.factorize(frame["contract_ref"])  # missing -> -1, which picks the extra row below
    limits = limits_by_contract(register, "payroll").reindex(refs)
    has_rlw = np.append(limits[RLW].notna().to_numpy(), False)[contract]
    include_apprentices = np.append(limits["rlw_include_apprentices"].fillna(False).astype(bool).to_numpy(), False)[
        contract
    ]
    apprentice = frame["apprentice"].fillna(False).astype(bool)
    london = frame["london"].fillna(False).astype(bool)
    in_rlw_scope = (
        assessed
        & has_rlw
        & (frame["age_band"] != "under_18").to_numpy()
        & (include_apprentices | ~apprentice.to_numpy())
    )
    # The floors depend on the period and the band only: looked up once per distinct combination. The
    # rate in force is the one for the pay period's start where a row gives its own pay period (spec 3).
    start = frame["period_start"]
    if "pay_period_start" in frame and frame["pay_period_start"].notna().any():
        start = frame["pay_period_start"].fillna(start)
    statutory = _per_distinct(
        {"start": start, "age_band": frame["age_band"], "apprentice": apprentice},
        lambda k: floors.statutory_series(k["start"], k["age_band"], k["apprentice"]),
    )
    rlw = _per_distinct({"start": start, "london": london}, lambda k: floors.rlw_series(k["start"], k["london"]))
    upcoming = _per_distinct(
        {"start": start, "london": london}, lambda k: floors.upcoming_rlw_series(k["start"], k["london"], as_of)
    )
    return pd.DataFrame(
        {
            "hourly": hourly.to_numpy(dtype="float64"),
            SMW: np.where(assessed, statutory, np.nan),
            RLW: np.where(in_rlw_scope, rlw, np.nan),
            "upcoming": np.where(in_rlw_scope, upcoming, np.nan),
        },
        copy=False,  # fresh arrays: not stacked into a copy
    )


def _per_distinct(keys: dict[str, pd.Series], lookup) -> np.ndarray:
    """`lookup` (row-wise over a frame of `keys`) evaluated on each distinct combination of the keys
    once, and spread back to every row, as float64."""
    frame = pd.DataFrame({name: values.array for name, values in keys.items()}, copy=False)
    group = (
        frame.groupby(list(frame.columns), sort=False, dropna=False).ngroup().to_numpy()
    )  # numbered by first appearance
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
        return no_assessment()
    frame = rows.reset_index(drop=True)
    pay = payroll_floors(frame, register, floors, as_of)
    work = pd.DataFrame({"hourly_e4": _scaled(pay["hourly"])})
    expectations = []
    for name in (SMW, RLW, "upcoming"):
        work[f"{name}__floor_e4"] = _scaled(pay[name])
        spec = CATALOGUE[RLW if name == "upcoming" else name]
        expectation = expectation_for(spec, "hourly_e4", f"{name}__floor_e4")
        expectation.meta = {"commitment": spec.name.value, "observed": name}
        expectations.append(expectation)
    result, failing = run_rules(work, expectations)
    bands = _bands(frame)
    submission = frame["_submission"].to_numpy()
    # Contract and period are the submission's own: grouped on (submission, band) and looked up after,
    # rather than grouping a million rows on three more keys, two of them text.
    keyed = (frame["contract_ref"].notna() & frame["period_start"].notna() & frame["period_end"].notna()).to_numpy()
    _, first_row = np.unique(submission, return_index=True)
    of_submission = frame.iloc[first_row].set_index("_submission")[["contract_ref", "period_start", "period_end"]]
    hourly, hours = pay["hourly"].to_numpy(), frame["hours_paid"].to_numpy(dtype="float64", na_value=np.nan)
    wage_parts, totals = [], []
    worker = _worker_codes(frame)
    for rate_type in (SMW, RLW):
        floor = pay[rate_type].to_numpy()
        codes, names = bands[rate_type]
        rows = np.flatnonzero(~np.isnan(floor) & keyed & (codes >= 0))
        below = row_mask(len(frame), failing.get(rate_type))
        below_upcoming = (
            row_mask(len(frame), failing.get("upcoming")) if rate_type == RLW else np.zeros(len(frame), bool)
        )
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
        if worker is not None:  # several rows per worker: count distinct workers; arrears stay summed over rows
            per_worker["worker"] = worker[rows]
            for column, flag in (
                ("workers_assessed", None),
                ("workers_below", "below"),
                ("workers_below_upcoming", "below_upcoming"),
            ):
                figures[column] = _distinct_workers(per_worker, ["submission_key", "band"], flag, figures)
        totals.append(_submission_totals(per_worker, figures, rate_type, worker is not None))
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
        wages[column] = as_dates(wages[column])
    wages = wages[WAGE_COLUMNS]
    verdicts = _wage_verdicts(frame, register, pd.concat(totals))
    owed = _owed_to_workers(frame, pay, failing, worker, floors, as_of)
    return Assessment(verdicts, wages, gx_result=result, owed=owed)


def _owed_to_workers(frame, pay, failing, worker, floors: WageFloors, as_of: date) -> pd.DataFrame:
    """Per submission (spec 4): what is owed to workers, once per row at the larger shortfall, with the
    distinct workers owed; and the uplift cost to the upcoming Real Living Wage, with its pay-from date."""
    n = len(frame)
    hourly, hours = pay["hourly"].to_numpy(), frame["hours_paid"].to_numpy(dtype="float64", na_value=np.nan)
    below_smw, below_rlw = row_mask(n, failing.get(SMW)), row_mask(n, failing.get(RLW))
    below_up = row_mask(n, failing.get("upcoming"))
    smw_gap = np.where(below_smw, pay[SMW].to_numpy() - hourly, 0.0)
    rlw_gap = np.where(below_rlw, pay[RLW].to_numpy() - hourly, 0.0)
    owed = np.maximum(np.maximum(smw_gap, rlw_gap), 0.0) * np.nan_to_num(hours)
    uplift = np.where(below_up, (pay["upcoming"].to_numpy() - hourly) * np.nan_to_num(hours), 0.0)
    start = frame["period_start"]
    if "pay_period_start" in frame and frame["pay_period_start"].notna().any():
        start = frame["pay_period_start"].fillna(start)
    uplift_from = floors.upcoming_rlw_from_series(start, as_of)
    uplift_from[np.isnan(pay["upcoming"].to_numpy())] = np.datetime64("NaT")
    assessed = ~np.isnan(pay[SMW].to_numpy()) | ~np.isnan(pay[RLW].to_numpy())
    rows = pd.DataFrame(
        {
            "submission_key": frame["_submission"].to_numpy(),
            "worker": np.arange(n) if worker is None else worker,
            "assessed": assessed,
            "owed_row": below_smw | below_rlw,
            "below_up": below_up,
            "owed": owed,
            "uplift": uplift,
            "uplift_from": uplift_from,
        },
        copy=False,
    )
    grouped = rows.groupby("submission_key", sort=True)
    out = grouped.agg(
        owed_gbp=("owed", "sum"), uplift_cost_gbp=("uplift", "sum"), uplift_from=("uplift_from", "min")
    ).reset_index()
    for column, flag in (
        ("workers_assessed", "assessed"),
        ("workers_owed", "owed_row"),
        ("workers_below_uplift", "below_up"),
    ):
        out[column] = _distinct_workers(rows, ["submission_key"], flag, out)
    out["owed_gbp"] = _to_pennies(out["owed_gbp"])
    none = out["uplift_from"].isna()
    out["uplift_cost_gbp"] = _to_pennies(out["uplift_cost_gbp"]).mask(none)
    out["workers_below_uplift"] = out["workers_below_uplift"].astype("Int64").mask(none)
    out["uplift_from"] = as_dates(out["uplift_from"])
    return out[OWED_COLUMNS]


def _worker_codes(frame: pd.DataFrame) -> np.ndarray | None:
    """Each row's worker as an integer, or None when every row is a different worker (no pay periods or
    jobs given: rows are unique on worker_ref within a submission, so rows count workers, for free)."""
    several = any(name in frame and frame[name].notna().any() for name in ("pay_period_start", "job_ref"))
    return pd.factorize(frame["worker_ref"])[0] if several else None


def _distinct_workers(per_worker: pd.DataFrame, keys: list[str], flag: str | None, figures: pd.DataFrame) -> np.ndarray:
    """Distinct workers per `keys` group (among rows where `flag` is True), aligned with `figures`."""
    rows = per_worker if flag is None else per_worker[per_worker[flag].to_numpy(dtype=bool)]
    counts = rows[[*keys, "worker"]].drop_duplicates().groupby(keys).size()
    index = pd.MultiIndex.from_frame(figures[keys]) if len(keys) > 1 else pd.Index(figures[keys[0]])
    return counts.reindex(index, fill_value=0).to_numpy()


def _submission_totals(per_worker: pd.DataFrame, figures: pd.DataFrame, rate_type: str, several: bool) -> pd.DataFrame:
    """Per submission: workers assessed and below (distinct over bands: a worker with a London job and a
    UK job is one worker) and arrears, for the verdict."""
    totals = figures.groupby("submission_key").agg(
        assessed=("workers_assessed", "sum"), below=("workers_below", "sum"), arrears=("arrears_gbp", "sum")
    )
    if several:
        by_sub = totals.reset_index()[["submission_key"]]
        totals["assessed"] = _distinct_workers(per_worker, ["submission_key"], None, by_sub)
        totals["below"] = _distinct_workers(per_worker, ["submission_key"], "below", by_sub)
    totals["rate_type"] = rate_type
    return totals.reset_index().set_index(["submission_key", "rate_type"])


def _wage_verdicts(frame: pd.DataFrame, register: Register, totals: pd.DataFrame) -> pd.DataFrame:
    """One verdict per submission and wage commitment the contract has, summed over bands."""
    subs = frame.groupby("_submission", sort=True).agg(
        contract_ref=("contract_ref", "first"),
        period_start=("period_start", "first"),
        period_end=("period_end", "first"),
    )
    subs["period_start"], subs["period_end"] = as_dates(subs["period_start"]), as_dates(subs["period_end"])
    records = []
    for key, sub in subs.iterrows():  # one iteration per submission, not per worker
        contract = register.contracts[sub["contract_ref"]]
        for commitment in contract.commitments:
            spec = CATALOGUE[commitment.type]
            if spec.source_kind != "payroll":
                continue
            total = totals.loc[(key, commitment.type)] if (key, commitment.type) in totals.index else None
            record = {
                "submission_key": key,
                "contract_ref": sub["contract_ref"],
                "commitment": commitment.type,
                "period_start": sub["period_start"],
                "period_end": sub["period_end"],
                "severity": spec.severity,
            }
            if total is None or total["assessed"] == 0:
                record.update(
                    status="not_assessable",
                    observed_value=None,
                    threshold=None,
                    detail=_no_wage_assessment(commitment.type, sub["period_start"]),
                )
            else:
                below = int(total["below"])
                record.update(
                    status="breach" if below else "compliant",
                    observed_value=float(below),
                    threshold=0.0,
                    detail=(
                        f"{below} of {int(total['assessed'])} workers paid below the {spec.rule.label}; "
                        f"arrears {format_gbp(total['arrears'])}"
                        if below
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
