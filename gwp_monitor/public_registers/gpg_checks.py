"""Every contract's accepted workforce periods set beside the gender pay gap register, and the verdicts
of the two register commitments (catalogue: gpg_published, gpg_consistent).

A period belongs to the reporting year its last day falls in (years run from the 5 April snapshot:
Jan-Mar 2018 is 2017-18, Apr-Jun 2018 is 2018-19). The year's figures are due by 4 April of the next
year; until then a supplier missing from the register is not yet late, so the period gets no verdict
(as a return not yet due has none), only its row in v_public_register_checks.

Matching is by Companies House number alone (companies.py). Where the contract register gives no
usable number, a register entry whose name normalises alike is shown as ``name_suggestion`` for a
person to confirm, and the verdicts stay not_assessable: a name never decides one.

The checks are recomputed whole from the database (workforce figures, commitments, snapshots) after
each run and each register import, so a register that arrives after the return still counts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import and_, delete, insert, select

from gwp_monitor.assess.verdicts import expectation_for, row_mask, run_rules
from gwp_monitor.domain.catalogue import CATALOGUE, CommitmentSpec, CommitmentType
from gwp_monitor.domain.formatting import DASH, PERCENT, as_decimal
from gwp_monitor.public_registers.companies import looks_like_company_number, normalise_company_number, normalise_name
from gwp_monitor.public_registers.gpg_store import read_frame
from gwp_monitor.store.database import Database
from gwp_monitor.store.writes import _records, _ts, utcnow

REGISTER_TYPES = [name for name, spec in CATALOGUE.items() if spec.evidence == "gpg_register"]
PUBLISHED, CONSISTENT = CommitmentType.GPG_PUBLISHED.value, CommitmentType.GPG_CONSISTENT.value
#: Employers of this many people must publish (Equality Act 2010 (Gender Pay Gap Information) Regulations 2017).
MUST_PUBLISH_FROM = 250
#: Where a person looks an employer up.
REGISTER_SITE = "https://gender-pay-gap.service.gov.uk/"


def year_label(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def reporting_year(period_end: pd.Series) -> pd.Series:
    """The reporting year (its 5 April snapshot's calendar year) a period's last day falls in."""
    end = pd.to_datetime(period_end)
    before_snapshot = (end.dt.month < 4) | ((end.dt.month == 4) & (end.dt.day < 5))
    return (end.dt.year - before_snapshot.astype(int)).astype("int64")


def publication_due(year: int) -> date:
    """The day after the later of the two deadlines (30 March public bodies, 4 April others)."""
    return date(year + 1, 4, 5)


@dataclass(frozen=True)
class CheckSummary:
    periods: int
    published: int
    verdicts: int


def build_checks(periods: pd.DataFrame, employers: pd.DataFrame, years: set[int], as_of: date) -> pd.DataFrame:
    """One row per contract and accepted workforce period: the match, the published and returned figures,
    and what each register commitment observes (NaN with a reason where it cannot be told; `due` False
    where the year's figures are not due yet and the employer is not found, so no verdict is made).

    `periods`: submission_id, contract_ref, period_start, period_end, headcount, returned_median_pct,
    supplier_id, supplier_name. `employers`: the register rows that may concern these suppliers.
    """
    checks = periods.copy()
    checks["reporting_year"] = reporting_year(checks["period_end"])
    checks["company_number"] = [
        normalise_company_number(s) if looks_like_company_number(s) else None for s in checks["supplier_id"]
    ]
    checks["name_key"] = [normalise_name(n) for n in checks["supplier_name"]]
    latest = employers.sort_values("date_submitted").drop_duplicates(["company_number", "reporting_year"], keep="last")
    found = checks.merge(
        latest.rename(columns={"company_number": "company_number_found"}),
        left_on=["company_number", "reporting_year"],
        right_on=["company_number_found", "reporting_year"],
        how="left",
    )
    checks = found.set_index(checks.index)
    checks["found"] = checks["company_number_found"].notna()
    checks["submitted_late"] = pd.Series(
        [None if pd.isna(v) else bool(v) for v in checks["submitted_late"]], index=checks.index, dtype="object"
    )
    checks["imported"] = checks["reporting_year"].isin(years)
    checks["due"] = [as_of >= publication_due(int(y)) for y in checks["reporting_year"]]
    numbered = checks["company_number"].notna()
    checks["matched_by"] = np.where(checks["found"], "company_number", "none")
    known_absent = numbered & checks["imported"] & checks["due"]
    checks["published"] = pd.Series(True, index=checks.index, dtype="boolean").where(
        checks["found"], pd.Series(False, index=checks.index, dtype="boolean").where(known_absent, pd.NA)
    )
    checks["published_median_pct"] = checks["diff_median_hourly_pct"].astype("float64")
    checks["published_mean_pct"] = checks["diff_mean_hourly_pct"].astype("float64")
    checks["difference_pct"] = (checks["returned_median_pct"] - checks["published_median_pct"]).round(2)
    checks["name_suggestion"] = _suggestions(checks, employers)
    checks["register_link"] = checks["link"].where(checks["link"].notna(), REGISTER_SITE)
    big = checks["headcount"].fillna(0) >= MUST_PUBLISH_FROM
    checks["gpg_published__observed"] = np.where(checks["found"], 1.0, np.where(big, 0.0, np.nan))
    checks["note"] = _notes(checks, big)
    checks["gpg_published__observed"] = checks["gpg_published__observed"].where(
        checks["found"] | (numbered & checks["imported"])
    )
    checks["gender_pay_gap_median_pct"] = checks["returned_median_pct"]
    return checks


def _suggestions(checks: pd.DataFrame, employers: pd.DataFrame) -> pd.Series:
    """'NAME (company 01234567)' where the supplier is not matched by number but a name agrees."""
    by_name = employers.dropna(subset=["employer_name_key"]).groupby(["employer_name_key", "reporting_year"])
    names = {
        key: "; ".join(
            f"{r.employer_name} (company {r.company_number or 'number not given'})" for r in rows.itertuples()
        )
        for key, rows in by_name
    }
    return pd.Series(
        [
            None if found else names.get((key, year))
            for found, key, year in zip(checks["found"], checks["name_key"], checks["reporting_year"], strict=True)
        ],
        index=checks.index,
        dtype="object",
    )


def _notes(checks: pd.DataFrame, big: pd.Series) -> pd.Series:
    """Why the register could not settle a period, in words a contract manager can act on; '' when it could."""
    notes = []
    for row, is_big in zip(checks.itertuples(), big, strict=True):  # one per contract period: a handful
        year = year_label(row.reporting_year)
        if row.found:
            note = ""
        elif row.company_number is None:
            note = (
                f"the contract register gives no Companies House number for {row.supplier_name} "
                f"(supplier_id {row.supplier_id!r}), so the {year} register cannot be searched"
            )
            if row.name_suggestion:
                note += f"; the register lists {row.name_suggestion}: if that is the supplier, add its number"
        elif not row.imported:
            note = f"the {year} gender pay gap register has not been imported"
        elif not row.due:
            note = f"{year} figures are not due until {publication_due(row.reporting_year):%d %B %Y}"
        elif not is_big:
            staff = "an unknown number of" if pd.isna(row.headcount) else f"{int(row.headcount)}"
            note = (
                f"company {row.company_number} is not in the {year} register and the return reports {staff} "
                f"staff on the contract (under {MUST_PUBLISH_FROM}): it may not have to publish"
            )
        else:
            note = f"company {row.company_number} is not in the {year} register"
        if note and row.company_number is not None and row.name_suggestion:
            note += f" (the register lists {row.name_suggestion}: check the number in the contract register)"
        notes.append(note)
    return pd.Series(notes, index=checks.index, dtype="object")


def decide(checks: pd.DataFrame, commitments: pd.DataFrame) -> pd.DataFrame:
    """The verdict rows of the register commitments (one GX run for both types), submission_id keyed."""
    frame = checks[checks["found"] | checks["due"]].reset_index(drop=True)
    work = pd.DataFrame(index=frame.index)
    expectations, types = [], []
    for name in REGISTER_TYPES:
        spec = CATALOGUE[name]
        of_type = commitments[commitments["commitment"] == name]
        if of_type.empty or frame.empty:
            continue
        limit = 1.0 if not isinstance(spec.rule.limit, str) else None
        limits = of_type.set_index("contract_ref")["params"].map(
            lambda p, spec=spec, limit=limit: limit if limit is not None else _param(spec, p)
        )
        work[f"{name}__limit"] = frame["contract_ref"].map(limits).astype("float64")
        observe = spec.rule.observe
        assert observe is not None  # the register types' rules observe the checks' columns
        work[f"{name}__observed"] = observe(frame).astype("float64").round(6)
        expectations.append(expectation_for(spec, f"{name}__observed", f"{name}__limit"))
        types.append(name)
    _, failing = run_rules(work, expectations)
    parts = []
    for name in types:
        spec = CATALOGUE[name]
        observed, limit = work[f"{name}__observed"], work[f"{name}__limit"]
        applies = limit.notna().to_numpy()
        assessable = observed.notna().to_numpy()
        breach = row_mask(len(frame), failing.get(f"{name}__observed"))
        status = np.where(~assessable, "not_assessable", np.where(breach, "breach", "compliant"))
        part = pd.DataFrame(
            {
                "submission_id": frame["submission_id"].to_numpy(),
                "contract_ref": frame["contract_ref"].to_numpy(),
                "commitment": name,
                "period_start": frame["period_start"].to_numpy(),
                "period_end": frame["period_end"].to_numpy(),
                "status": status,
                "severity": spec.severity,
                "observed_value": observed.where(assessable).to_numpy(),
                "threshold": limit.where(assessable).to_numpy(),
                "detail": _details(name, frame, status, limit),
            }
        )[applies]
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=["submission_id", "contract_ref", "commitment", "period_start", "period_end"])
    return pd.concat(parts, ignore_index=True)


def _param(spec: CommitmentSpec, params: str) -> float:
    """The contract's parameter as synced to the database (JSON), else the catalogue's default."""
    name = str(spec.rule.limit)
    value = json.loads(params or "{}").get(name)
    param = spec.param(name)
    return float(value if value is not None else (param.default if param else "nan"))


def _pct(value: object) -> str:
    figure = as_decimal(value)
    return DASH if figure is None else PERCENT.show(figure)


def _details(name: str, frame: pd.DataFrame, status: np.ndarray, limit: pd.Series) -> list[str]:
    out = []
    for i, row in enumerate(frame.itertuples()):
        year = year_label(row.reporting_year)
        published = f"median {_pct(row.published_median_pct)}, mean {_pct(row.published_mean_pct)}"
        late = "; filed after the deadline" if row.submitted_late is True else ""
        if status[i] == "not_assessable":
            why = row.note or (
                "the return gives no median gender pay gap"
                if pd.isna(row.returned_median_pct)
                else "the published median is missing"
            )
            out.append(f"Cannot tell: {why}")
        elif name == PUBLISHED and status[i] == "compliant":
            out.append(f"Kept: {row.employer_name} published its {year} figures ({published}){late}")
        elif name == PUBLISHED:
            out.append(
                f"Not kept: {int(row.headcount)} staff on the contract, but {row.note}: an employer of "
                f"{MUST_PUBLISH_FROM} or more must publish"
            )
        else:
            words = "within" if status[i] == "compliant" else "outside"
            out.append(
                f"{'Kept' if status[i] == 'compliant' else 'Not kept'}: the return's median gap "
                f"{_pct(row.returned_median_pct)} against {_pct(row.published_median_pct)} published "
                f"for {year}, {abs(row.difference_pct):.1f} points apart, {words} the tolerance of "
                f"{limit.iloc[i]:g} points{late}"
            )
    return out


def check_public_registers(db: Database, as_of: date) -> CheckSummary:
    """Recompute every check and the register commitments' verdicts, in one transaction."""
    periods = _periods(db)
    commitments = read_frame(
        db,
        select(
            db.table("commitments").c.contract_ref,
            db.table("commitments").c.commitment,
            db.table("commitments").c.params,
        ).where(db.table("commitments").c.commitment.in_(REGISTER_TYPES)),
    )
    snapshots, employers_table = db.table("gpg_snapshots"), db.table("gpg_employers")
    years = set(read_frame(db, select(snapshots.c.reporting_year))["reporting_year"].astype(int))
    numbers = sorted({n for n in (normalise_company_number(s) for s in periods["supplier_id"]) if n})
    names = sorted({normalise_name(n) for n in periods["supplier_name"]})
    e = employers_table.c
    employers = read_frame(
        db,
        select(
            e.reporting_year,
            e.company_number,
            e.employer_name,
            e.employer_name_key,
            e.diff_median_hourly_pct,
            e.diff_mean_hourly_pct,
            e.link,
            e.submitted_late,
            e.date_submitted,
        ).where(e.company_number.in_(numbers) | e.employer_name_key.in_(names)),
    )
    checks = build_checks(periods, employers, years, as_of) if len(periods) else periods
    verdicts = decide(checks, commitments) if len(periods) else pd.DataFrame()
    _write(db, checks, verdicts)
    published = int(checks["found"].sum()) if len(periods) else 0
    return CheckSummary(len(periods), published, len(verdicts))


def _periods(db: Database) -> pd.DataFrame:
    subs, figures = db.table("submissions"), db.table("workforce_figures")
    contracts, suppliers = db.table("contracts"), db.table("suppliers")
    frame = read_frame(
        db,
        select(
            figures.c.submission_id,
            figures.c.contract_ref,
            figures.c.period_start,
            figures.c.period_end,
            figures.c.headcount,
            figures.c.gender_pay_gap_median_pct.label("returned_median_pct"),
            suppliers.c.supplier_id,
            suppliers.c.name.label("supplier_name"),
        )
        .join(subs, and_(subs.c.submission_id == figures.c.submission_id, subs.c.status == "accepted"))
        .join(contracts, contracts.c.contract_ref == figures.c.contract_ref)
        .join(suppliers, suppliers.c.supplier_id == contracts.c.supplier_id)
        .where(contracts.c.in_register == 1),
    )
    for column in ("returned_median_pct", "headcount"):
        frame[column] = pd.to_numeric(frame[column]).astype("float64")
    for column in ("period_start", "period_end"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


CHECK_COLUMNS = [
    "contract_ref", "period_start", "period_end", "submission_id", "supplier_id", "company_number",
    "reporting_year", "matched_by", "published", "published_median_pct", "published_mean_pct",
    "returned_median_pct", "difference_pct", "submitted_late", "employer_name", "register_link",
    "name_suggestion", "note",
]  # fmt: skip


def _write(db: Database, checks: pd.DataFrame, verdicts: pd.DataFrame) -> None:
    now = _ts(db, utcnow())
    table, verdict_table, subs = db.table("gpg_checks"), db.table("verdicts"), db.table("submissions")
    rows = (
        _records(checks[CHECK_COLUMNS].assign(note=checks["note"].replace("", None)), checked_at=now)
        if len(checks)
        else []
    )
    accepted = select(subs.c.submission_id).where(subs.c.status == "accepted", subs.c.kind == "workforce")
    with db.engine.begin() as conn:
        conn.execute(delete(table))
        if rows:
            conn.execute(insert(table), rows)
        conn.execute(
            delete(verdict_table).where(
                verdict_table.c.commitment.in_(REGISTER_TYPES), verdict_table.c.submission_id.in_(accepted)
            )
        )
        if len(verdicts):
            conn.execute(insert(verdict_table), _records(verdicts, assessed_at=now))
