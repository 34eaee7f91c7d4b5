"""Reading the published views into the dashboard's ReportData and rendering the static site.

The dashboard reads only the views of spec 5, like any BI tool would, so it shows exactly what the
published interface says.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import text

from gwp_monitor.domain.rates import load_wage_floors
from gwp_monitor.report import ReportData, render_site
from gwp_monitor.report.data import OPTIONAL_VIEW_NAMES, VIEW_NAMES
from gwp_monitor.store.database import Database, view_columns
from gwp_monitor.validate.data_docs import page_name


def latest_as_of(db: Database) -> date | None:
    with db.engine.connect() as conn:
        value = conn.execute(text("SELECT as_of FROM runs WHERE status <> 'running' ORDER BY run_id DESC")).scalar()
    return None if value is None else pd.Timestamp(value).date()


def abandoned_runs(db: Database) -> int:
    """How many runs were interrupted (killed, or lost their machine) before they finished."""
    with db.engine.connect() as conn:
        return int(conn.execute(text("SELECT COUNT(*) FROM runs WHERE status = 'abandoned'")).scalar() or 0)


def data_docs_links(db: Database, out_dir: Path | None) -> dict[int, str]:
    """submission_id -> relative link to the Data Docs page of the run and kind that validated it."""
    if out_dir is None:
        return {}
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT submission_id, run_id, kind FROM submissions WHERE kind IS NOT NULL")).all()
    links = {}
    for submission_id, run_id, kind in rows:
        name = page_name(run_id, kind, "quality")
        if (Path(out_dir) / name).is_file():
            links[int(submission_id)] = name
    return links


def rates_warning(as_of: date) -> str | None:
    """The console's wage-rate staleness warning, for the dashboard too; None when the table is current
    or cannot be read (the run that wrote the data has already reported an unreadable table)."""
    try:
        return load_wage_floors().staleness_warning(as_of)
    except (OSError, ValueError):
        return None


def load_report_data(db: Database, as_of: date | None = None, out_dir: Path | None = None) -> ReportData:
    frames = {}
    with db.engine.connect() as conn:
        # The columns come from the view SQL shipped with this code, not from the database: a database
        # whose views are older than the code fails here, naming the column, rather than rendering blanks.
        columns = view_columns()
        for field_name, view in {**VIEW_NAMES, **OPTIONAL_VIEW_NAMES}.items():
            frames[field_name] = pd.read_sql(text(f"SELECT {', '.join(columns[view])} FROM {view}"), conn)
        frames["register"] = pd.read_sql(
            text("SELECT contract_ref, title, contract_manager, supplier_contact FROM contracts WHERE in_register = 1"),
            conn,
        )
        frames["register_commitments"] = pd.read_sql(
            text(
                "SELECT m.contract_ref, m.commitment, m.severity FROM commitments m "
                "JOIN contracts c ON c.contract_ref = m.contract_ref WHERE c.in_register = 1"
            ),
            conn,
        )
    received = pd.to_datetime(frames["submissions"]["received_at"], utc=True)
    freshness = None if received.dropna().empty else received.max().to_pydatetime()
    as_of = as_of or latest_as_of(db) or date.today()
    return ReportData(
        **frames,
        generated_at=datetime.now(UTC),
        as_of=as_of,
        rates_warning=rates_warning(as_of),
        data_freshness=freshness,
        data_docs_href=data_docs_links(db, out_dir),
        abandoned_runs=abandoned_runs(db),
    )


def build_report(db: Database, out_dir: Path, as_of: date | None = None) -> Path:
    """Render the dashboard from the database into `out_dir`; returns index.html."""
    return render_site(load_report_data(db, as_of, Path(out_dir)), Path(out_dir))
