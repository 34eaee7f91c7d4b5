"""The steps the Airflow DAGs run, as plain functions of `Settings` (tested without Airflow).

Each returns only small, JSON-safe summaries (paths, counts): that is all that may travel through
XCom. Operational failures raise `OperationalError` (retried by Airflow); a supplier's bad data is an
outcome stored in the database and never raises.
"""

from __future__ import annotations

import logging
from pathlib import Path

from gwp_monitor.config.register import Register, RegisterError, load_register
from gwp_monitor.config.settings import Settings
from gwp_monitor.ingest.intake import return_files
from gwp_monitor.notify.channels import channels_from_settings
from gwp_monitor.notify.delivery import OperationalError
from gwp_monitor.notify.events import Alert
from gwp_monitor.notify.lifecycle import breach_alerts, dispatch, resubmission_alerts, return_alerts
from gwp_monitor.notify.notices import submission_notices
from gwp_monitor.pipeline import file_sha256
from gwp_monitor.public_registers.gpg_checks import check_public_registers
from gwp_monitor.store import writes as store
from gwp_monitor.store.database import Database, DatabaseError, open_database

log = logging.getLogger(__name__)


class ConfigurationError(OperationalError):
    """Wrong settings (e.g. an invalid register): retrying will not help until a person fixes it."""


def _open(settings: Settings) -> Database:
    try:
        return open_database(settings.database_url)
    except DatabaseError as exc:
        raise OperationalError(str(exc)) from exc


def _register(settings: Settings) -> Register:
    try:
        return load_register(settings.contract_register)
    except RegisterError as exc:
        raise ConfigurationError(str(exc)) from exc


def pending_files(settings: Settings) -> list[str]:
    """Sync the register into the database and list landing files not read before (oldest first)."""
    return _pending_files(settings, _open(settings))


def _pending_files(settings: Settings, db: Database) -> list[str]:
    store.sync_register(db, _register(settings))
    if not settings.landing_dir.is_dir():
        raise ConfigurationError(f"landing folder {settings.landing_dir} does not exist")
    seen = store.seen_files(db)
    return [str(p) for p in return_files(settings.landing_dir) if file_sha256(p) not in seen]


def landing_sources(settings: Settings) -> list[str]:
    """The URLs of every configured source (GWP_SOURCES, then the register's suppliers'), for the
    DAG's fetch tasks: no credentials, safe for XCom."""
    from gwp_monitor.sources.run import configured_sources

    register = _register(settings)
    return [s.url for s in configured_sources(settings, (c.supplier.source for c in register.contracts.values()))]


def fetch_source(settings: Settings, url: str) -> dict:
    """Fetch one source into the landing folder (a mapped task): names and counts only. A source that
    is down raises OperationalError (one line; Airflow retries it) and the other sources' tasks carry on."""
    from gwp_monitor.sources.credentials import credentials_for
    from gwp_monitor.sources.fetch import SourceDown
    from gwp_monitor.sources.run import fetch_source as fetch
    from gwp_monitor.sources.urls import SourceUrlError, parse_source

    try:
        source = parse_source(url)
    except SourceUrlError as exc:
        raise ConfigurationError(str(exc)) from exc
    try:
        report = fetch(source, settings, _open(settings), credentials_for(source, settings, airflow=True))
    except SourceDown as exc:
        raise OperationalError(str(exc)) from exc
    log.info("%s", report.summary())
    return report.as_dict()


def purge_processed(settings: Settings) -> dict:
    """Daily: delete processed files older than GWP_RETENTION_DAYS, and downloads abandoned by a crash."""
    from gwp_monitor.sources.retention import purge

    report = purge(settings.processed_folder, settings.retention_days, landing=settings.landing_dir)
    log.info("retention: %d day folder(s), %d file(s) deleted", len(report.days), report.files)
    return report.as_dict()


def open_run(settings: Settings) -> dict:
    """List the landing files not read before (syncing the register first), open the one `runs` row
    of a DAG run and split the files into batches for parallel tasks.

    Returns {"run_id": ..., "files": [path, ...], "batches": [[path, ...], ...]}: every batch task
    attaches to that run, and `close_run` closes it, so a DAG run is one run in the database however
    its files are split. Listing and opening are one task because each task of a DAG run costs a
    scheduler round trip (docs/performance.md).
    """
    from gwp_monitor.domain.rates import load_wage_floors
    from gwp_monitor.pipeline import plan_batches

    db = _open(settings)
    files = _pending_files(settings, db)
    warning = load_wage_floors().staleness_warning(settings.today)
    if warning:
        log.warning("%s", warning)
    run_id = store.start_run(db, settings.today, str(settings.landing_dir))
    planned = plan_batches(
        files, settings.ingest_parallelism, settings.ingest_batch_min_files, settings.ingest_batch_max_files
    )
    log.info("run %d: %d new file(s) in %d batch(es)", run_id, len(files), len(planned))
    return {"run_id": run_id, "files": files, "batches": planned}


def ingest_batch(settings: Settings, run_id: int, paths: list[str]) -> dict:
    """Validate, assess and store one batch of files as part of run `run_id` (a mapped task).

    Each kind is validated once for the batch, each submission stored in its own transaction; one
    bad file never fails the others. A file already stored (by an earlier try of this task, or by an
    overlapping run) is not stored again: the database's unique content hash decides. The GX results
    are left for `close_run`, which renders the run's Data Docs once.
    """
    from gwp_monitor.domain.rates import load_wage_floors
    from gwp_monitor.pipeline import RunSummary, ingest_into
    from gwp_monitor.validate.data_docs import save_batch_results

    db, register = _open(settings), _register(settings)
    summary = RunSummary(run_id=run_id, as_of=settings.today)
    failed = ingest_into(
        summary,
        register,
        settings.landing_dir,
        db,
        load_wage_floors(),
        [Path(p) for p in paths],
        keep_gx=True,
        processed_dir=settings.processed_folder,
    )
    save_batch_results(summary.gx_results, settings.report_dir, run_id)
    store.add_to_run(db, run_id, summary.files_read, len(summary.stored), summary.skipped)
    for line in summary.file_lines():
        log.info("%s", line)
    for warning in summary.warnings:
        log.warning("%s", warning)
    return {
        "files": len(paths),
        "files_failed": len(failed),
        **{k: int(v) for k, v in summary.outcomes.items()},
    }


def close_run(settings: Settings, run_id: int, files: list[str]) -> dict:
    """Close run `run_id`: "succeeded" when every file it listed is now stored, else "partial" (the
    others are read again next run); render the run's Data Docs once from its batches' results; then
    refresh timeliness and the verdicts for missing returns (`refresh_status`), in the same task so a
    DAG run pays one scheduler round trip less."""
    from gwp_monitor.validate.data_docs import render_saved_results

    db = _open(settings)
    seen = store.seen_files(db)
    waiting = []
    for path in map(Path, files):
        if not path.exists():  # stored, then moved to the processed area (sources.retention)
            continue
        try:
            if file_sha256(path) not in seen:
                waiting.append(path.name)
        except OSError:
            waiting.append(path.name)
    pages = render_saved_results(settings.report_dir, run_id)
    status = "partial" if waiting else "succeeded"
    store.close_run(db, run_id, status)
    if waiting:
        log.warning("run %d: %d file(s) not stored, to be read next run: %s", run_id, len(waiting), ", ".join(waiting))
    log.info("run %d %s: %d file(s), %d Data Docs page(s)", run_id, status, len(files), len(pages))
    returns = _refresh_status(settings, db)
    log.info("returns as of %s: %s", settings.today, ", ".join(f"{n} {k}" for k, n in returns.items()) or "none due")
    return {"run_id": run_id, "files": len(files), "waiting": len(waiting), "data_docs_pages": len(pages), **returns}


def refresh_status(settings: Settings) -> dict:
    """Recompute timeliness and verdicts for missing returns as of today."""
    return _refresh_status(settings, _open(settings))


def _refresh_status(settings: Settings, db: Database) -> dict:
    timeliness = store.refresh_as_of(db, _register(settings), settings.today)
    check_public_registers(db, settings.today)
    return {k: int(v) for k, v in timeliness["status"].value_counts().items()}


def import_public_registers(settings: Settings) -> dict:
    """Monthly: import the gender pay gap register from GWP_GPG_REGISTER_SOURCE and re-check contracts.

    A refused file fails the task with its problems (retrying the same file cannot help); a download
    that fails is retried.
    """
    from gwp_monitor.public_registers.gpg_source import SourceError
    from gwp_monitor.public_registers.importing import import_gpg

    source = settings.gpg_register_source
    if not source:
        raise ConfigurationError("no gender pay gap register configured: set GWP_GPG_REGISTER_SOURCE (path or URL)")
    try:
        result = import_gpg(_open(settings), source, as_of=settings.today, max_bytes=settings.max_file_bytes)
    except SourceError as exc:
        raise OperationalError(str(exc)) from exc
    if result.problems:
        raise ConfigurationError(result.summary() + ": " + "; ".join(p.describe() for p in result.problems[:10]))
    return {
        "employers": result.employers,
        **{str(y.reporting_year): y.status for y in result.years},
        "periods_checked": result.checks.periods if result.checks else 0,
    }


def send_alerts(settings: Settings, *, deadlines: bool = False) -> dict:
    """After a run: supplier receipts and rejection notices, breaches opened, reminded and resolved,
    and resubmissions that changed a verdict (the returns DAG's alert task). ``deadlines`` adds the
    due-soon reminders and overdue notices the daily DAG sends, for ``gwp-monitor run --send-alerts``
    outside Airflow. Each goes once per event and channel (the alert log); what fails is raised as a
    DeliveryError after everything else was tried, and offered again next time. Counts only."""
    db = _open(settings)
    alerts = (
        submission_notices(db)
        + breach_alerts(db, settings.today, settings.breach_reminder_days or None)
        + resubmission_alerts(db)
    )
    if deadlines:
        alerts += _deadline_alerts(db, settings)
    report = dispatch(db, alerts, channels_from_settings(settings))
    return {"sent": report.sent, "already_sent": report.already_sent}


def send_return_alerts(settings: Settings) -> dict:
    """Daily: refresh timeliness, then overdue notices and reminders before due dates."""
    db = _open(settings)
    _refresh_status(settings, db)
    report = dispatch(db, _deadline_alerts(db, settings), channels_from_settings(settings))
    return {"sent": report.sent, "already_sent": report.already_sent}


def _deadline_alerts(db: Database, settings: Settings) -> list[Alert]:
    """Due-soon reminders (GWP_REMINDER_DAYS_BEFORE) and overdue notices for returns not received."""
    return without_overdue_while_waiting(
        return_alerts(db, settings.today, settings.reminder_days_before), _pending_files(settings, db)
    )


def without_overdue_while_waiting(alerts: list[Alert], waiting: list[str]) -> list[Alert]:
    """No overdue notice while a landing file waits to be stored (it could be that very return, held
    up by a database outage): the notice goes out on a later day if the return is still missing."""
    if not waiting:
        return alerts
    held = [a for a in alerts if a.event == "return_overdue"]
    if held:
        log.warning("%d overdue notice(s) held: %d landing file(s) are waiting to be stored", len(held), len(waiting))
    return [a for a in alerts if a.event != "return_overdue"]


def build_report(settings: Settings) -> str:
    """Refresh the static dashboard; returns the path of its index page."""
    from gwp_monitor.report.build import build_report as render

    return str(render(_open(settings), settings.report_dir, settings.today))
