"""Register snapshots and returned figures in the reporting database.

One snapshot per reporting year: a file's records are split by year, and each year is stored in one
transaction (its employers with one bulk insert) unless its content hash equals the stored
snapshot's, so importing the same file again changes nothing. A newer file for a year replaces that
year's snapshot whole: the register only grows as late employers file, and the checks read the
latest. No person is stored: ResponsiblePerson never leaves the reader.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import delete, insert, select

from gwp_monitor.public_registers.gpg_source import STORED
from gwp_monitor.store.database import Database
from gwp_monitor.store.upsert import insert_or_ignore
from gwp_monitor.store.writes import _records, _ts, utcnow


@dataclass(frozen=True)
class YearOutcome:
    reporting_year: int
    employers: int
    status: str  # "imported" | "replaced" | "unchanged"


def content_sha256(rows: pd.DataFrame) -> str:
    """SHA-256 of a year's stored columns as canonical CSV: the same register content, whatever the
    file's column order, date style or line endings, hashes alike."""
    canonical = rows[STORED].sort_values(["company_number", "employer_name"], na_position="first")
    return hashlib.sha256(canonical.to_csv(index=False, lineterminator="\n").encode("utf-8")).hexdigest()


def save_snapshots(db: Database, frame: pd.DataFrame, source: str) -> list[YearOutcome]:
    """Store each reporting year of a validated register frame; returns what happened to each year."""
    snapshots, employers = db.table("gpg_snapshots"), db.table("gpg_employers")
    outcomes = []
    for year, rows in frame.groupby("reporting_year", sort=True):
        year = int(year)
        sha = content_sha256(rows)
        with db.engine.begin() as conn:
            current = conn.execute(
                select(snapshots.c.content_sha256).where(snapshots.c.reporting_year == year)
            ).scalar()
            if current == sha:
                outcomes.append(YearOutcome(year, len(rows), "unchanged"))
                continue
            if current is not None:
                conn.execute(delete(employers).where(employers.c.reporting_year == year))
                conn.execute(delete(snapshots).where(snapshots.c.reporting_year == year))
            conn.execute(
                insert(snapshots).values(
                    reporting_year=year,
                    source=source[:1000],
                    content_sha256=sha,
                    employers=len(rows),
                    imported_at=_ts(db, utcnow()),
                )
            )
            stored = rows[[*STORED, "employer_name_key"]].assign(
                reporting_year=year,
                source_row=rows.index.to_numpy() + 2,
                due_date=rows["due_date"].dt.date,
                date_submitted=rows["date_submitted"].dt.date,
                submitted_late=rows["submitted_late"].astype(bool),
            )
            conn.execute(insert(employers), _records(stored))
        outcomes.append(YearOutcome(year, len(rows), "replaced" if current is not None else "imported"))
    return outcomes


def record_workforce_figures(db: Database, rows: pd.DataFrame, stored: Iterable[tuple[int, object, str]]) -> int:
    """Keep the aggregate figures of the workforce submissions just stored (accepted or superseded),
    for the register checks; `rows` are the run's accepted workforce rows (`_submission` = key)."""
    ids = {
        submission.submission_key: submission_id  # type: ignore[attr-defined]
        for submission_id, submission, outcome in stored
        if outcome in ("accepted", "superseded") and getattr(submission, "kind", None) == "workforce"
    }
    if rows.empty or not ids:
        return 0
    figures = rows[rows["_submission"].isin(list(ids))]
    figures = figures.groupby("_submission", sort=False).first().reset_index()
    frame = pd.DataFrame(
        {
            "submission_id": figures["_submission"].map(ids).astype("int64"),
            "contract_ref": figures["contract_ref"],
            "period_start": pd.to_datetime(figures["period_start"]).dt.date,
            "period_end": pd.to_datetime(figures["period_end"]).dt.date,
            "headcount": pd.to_numeric(figures["headcount"], errors="coerce").astype("Int64"),
            "gender_pay_gap_median_pct": pd.to_numeric(figures["gender_pay_gap_median_pct"], errors="coerce"),
            "gender_pay_gap_mean_pct": pd.to_numeric(figures["gender_pay_gap_mean_pct"], errors="coerce"),
        }
    )
    with db.engine.begin() as conn:
        insert_or_ignore(conn, db.table("workforce_figures"), _records(frame), key=["submission_id"])
    return len(frame)


def read_frame(db: Database, statement) -> pd.DataFrame:  # noqa: ANN001 - a SQLAlchemy select
    with db.engine.connect() as conn:
        result = conn.execute(statement)
        return pd.DataFrame(result.all(), columns=list(result.keys()))
