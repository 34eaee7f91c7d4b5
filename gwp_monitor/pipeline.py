"""The end-to-end run: landing folder + register -> verdicts in the reporting database (spec 2.4, 4, 5).

`run_pipeline` is what `gwp-monitor run`, the demo and the Airflow DAG all call. It is idempotent:
files already read are not read again, submissions whose content was processed are skipped, and the
as-of-dependent facts (timeliness, verdicts for missing returns) are recomputed in place.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from gwp_monitor.assess.verdicts import VERDICT_COLUMNS, WAGE_COLUMNS, Assessment
from gwp_monitor.assess.wages import assess_payroll
from gwp_monitor.assess.workforce import assess_workforce
from gwp_monitor.config.register import Register, load_register
from gwp_monitor.config.settings import current_settings
from gwp_monitor.domain.rates import WageFloors, load_wage_floors
from gwp_monitor.ingest.intake import (
    Intake,
    Progress,
    Submission,
    outside_landing,
    refused_links,
    return_files,
    take_in,
)
from gwp_monitor.public_registers.gpg_checks import check_public_registers
from gwp_monitor.public_registers.gpg_store import record_workforce_figures
from gwp_monitor.sources.retention import retire
from gwp_monitor.store import writes as store
from gwp_monitor.store.database import Database, DatabaseError, brief_error, open_database
from gwp_monitor.store.retry import is_transient
from gwp_monitor.store.runs import serialised

log = logging.getLogger(__name__)


@dataclass
class RunSummary:
    run_id: int
    as_of: date
    files_found: int = 0
    files_read: int = 0
    outcomes: Counter = field(default_factory=Counter)  # accepted / rejected / superseded / skipped
    stored: list[tuple[int, Submission, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Per file name: how many of its submissions ended how (and "already read" for a file read before).
    file_outcomes: dict[str, Counter] = field(default_factory=dict)
    #: GX results per (kind, stage), one per batch, for the run's Data Docs (only when asked for).
    gx_results: dict[tuple[str, str], list] = field(default_factory=dict)

    @property
    def skipped(self) -> int:
        return self.outcomes["skipped"]

    def count(self, file_name: str, outcome: str) -> None:
        """One submission of `file_name` ended as `outcome` (accepted, rejected, superseded, skipped, failed)."""
        if outcome not in ("failed", "already read"):
            self.outcomes[outcome] += 1
        self.file_outcomes.setdefault(file_name, Counter())[outcome] += 1

    def file_lines(self) -> list[str]:
        """One line per file: what became of it (for logs a person reads)."""
        return [
            f"{name}: " + ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
            for name, counts in self.file_outcomes.items()
        ]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def assess(intake: Intake, register: Register, floors: WageFloors, as_of: date) -> Assessment:
    """Verdicts and wage figures for every accepted submission of the intake."""
    payroll = assess_payroll(intake.accepted_rows("payroll"), register, floors, as_of)
    workforce = assess_workforce(intake.accepted_rows("workforce"), register)
    verdicts = pd.concat(
        [f for f in (payroll.verdicts, workforce.verdicts) if not f.empty] or [payroll.verdicts], ignore_index=True
    )
    return Assessment(
        verdicts[VERDICT_COLUMNS],
        payroll.wages[WAGE_COLUMNS],
        gx_results={"payroll": payroll.gx_result, "workforce": workforce.gx_result},
        owed=payroll.owed,
    )


def batches(paths: list[Path], limit: int) -> list[list[Path]]:
    """`paths` in order, grouped so each group's files add up to at most `limit` bytes (a larger file
    is a group of its own)."""
    groups: list[list[Path]] = []
    size = 0
    for path in paths:
        length = path.stat().st_size if path.exists() else 0
        if not groups or size + length > limit:
            groups.append([])
            size = 0
        groups[-1].append(path)
        size += length
    return groups


def plan_batches(paths: list[str], parallelism: int, min_files: int, max_files: int) -> list[list[str]]:
    """`paths` (oldest first) split into contiguous batches for parallel tasks.

    As many batches as may run at once (`parallelism`), unless that would leave a batch fewer than
    `min_files` files (a task's start-up then outweighs its work), and more when a batch would exceed
    `max_files`. Sizes differ by at most one file.
    """
    if not paths:
        return []
    count = max(1, min(parallelism, len(paths) // max(min_files, 1)))
    count = max(count, math.ceil(len(paths) / max(max_files, 1)))
    size, extra = divmod(len(paths), count)
    out, start = [], 0
    for i in range(count):
        end = start + size + (1 if i < extra else 0)
        out.append(paths[start:end])
        start = end
    return out


def _store_batch(
    files: list[Path],
    register: Register,
    floors: WageFloors,
    as_of: date,
    database: Database,
    run_id: int,
    summary: RunSummary,
    known: set[str],
    hashes: dict[Path, str],
    progress: Progress | None = None,
    store_hook: Callable | None = None,
    keep_gx: bool = False,
) -> set[Path]:
    """Read, assess and store one batch of files; returns the files some submission of which failed.

    Validation runs once per kind for the whole batch; with `keep_gx` its results are added to
    ``summary.gx_results`` for the run's one set of Data Docs."""
    intake = take_in(files, register, as_of=as_of, progress=progress)
    fresh = []
    for submission in intake.submissions:
        if submission.kind is None and not submission.file_path.exists():
            # Moved away since it was listed: an overlapping run stored it and moved it to the
            # processed area. Not a supplier's unreadable file, so no rejection is stored for it.
            summary.count(submission.file_name, "already read")
            continue
        if not submission.content_sha256:  # refused unread (too large): the file's own hash
            submission.content_sha256 = hashes.get(submission.file_path) or file_sha256(submission.file_path)
        if submission.content_sha256 in known:
            summary.count(submission.file_name, "skipped")
        else:
            known.add(submission.content_sha256)
            fresh.append(submission)
    assessment = assess(intake, register, floors, as_of)
    if keep_gx and intake.submissions:
        for stage, results in (("quality", intake.gx_results), ("commitments", assessment.gx_results)):
            for kind, result in results.items():
                if result is not None:
                    summary.gx_results.setdefault((kind, stage), []).append(result)
    verdicts_by = dict(tuple(assessment.verdicts.groupby("submission_key")))
    wages_by = dict(tuple(assessment.wages.groupby("submission_key")))
    empty_v, empty_w = assessment.verdicts.iloc[0:0], assessment.wages.iloc[0:0]
    owed_by = dict(tuple(assessment.owed.groupby("submission_key"))) if assessment.owed is not None else {}
    failed_files: set[Path] = set()
    stored_before = len(summary.stored)
    for i, submission in enumerate(fresh, 1):
        try:
            submission_id, outcome = store.store_submission_once(
                database,
                run_id,
                submission,
                verdicts_by.get(submission.submission_key, empty_v),
                wages_by.get(submission.submission_key, empty_w),
                hook=store_hook,
                owed=owed_by.get(submission.submission_key),
            )
        except Exception as exc:  # noqa: BLE001 - one submission's failure must not sink the run
            if is_transient(exc):  # the database is still unavailable after the retries: so is it for the rest
                raise DatabaseError(
                    f"the reporting database stopped answering while {submission.file_name} was stored and did not "
                    f"come back ({brief_error(exc)}): what was stored before is kept; run again once it answers"
                ) from exc
            failed_files.add(submission.file_path)
            summary.count(submission.file_name, "failed")
            summary.warnings.append(
                f"{submission.file_name}: could not be stored ({brief_error(exc)}); it will be retried next run"
            )
            continue
        summary.count(submission.file_name, outcome)
        if submission_id is not None:  # None: another run or task stored the same content first
            summary.stored.append((submission_id, submission, outcome))
        if progress:
            progress("storing", i, len(fresh))
    record_workforce_figures(database, intake.accepted_rows("workforce"), summary.stored[stored_before:])
    return failed_files


def ingest_into(
    summary: RunSummary,
    register: Register,
    landing: Path,
    database: Database,
    floors: WageFloors,
    paths: list[Path] | None = None,
    progress: Progress | None = None,
    store_hook: Callable | None = None,
    keep_gx: bool = False,
    processed_dir: Path | None = None,
) -> set[Path]:
    """Read, validate, assess and store the new files among `paths` (default: the landing folder) as
    part of run ``summary.run_id``; returns the files some submission of which could not be stored.
    With `processed_dir`, every file stored (or already read before) moves there (sources.retention).

    The run's bookkeeping (its `runs` row, the as-of refresh, Data Docs) is the caller's: a direct
    run does it around one call, the Airflow DAG around several batch tasks' calls.
    """
    run_id, as_of = summary.run_id, summary.as_of
    candidates = paths if paths is not None else (return_files(landing) if landing.is_dir() else [])
    if paths is None and landing.is_dir():
        summary.warnings.extend(refused_links(landing))
    refused = {p: outside_landing(p, landing) for p in candidates}
    summary.warnings.extend(reason for reason in refused.values() if reason)
    candidates = [p for p in candidates if not refused[p]]
    summary.files_found += len(candidates)
    seen = store.seen_files(database)
    hashes = {}
    for path in candidates:
        try:
            hashes[path] = file_sha256(path)
        except OSError as exc:  # moved or deleted since it was listed: next run sees it again
            summary.warnings.append(f"{path.name}: could not be read now ({exc.strerror}); it will be tried next run")
    candidates = [p for p in candidates if p in hashes]
    for path in candidates:
        if hashes[path] in seen:
            summary.count(path.name, "already read")
    new_files = [p for p in candidates if hashes[p] not in seen]
    summary.files_read += len(new_files)
    first_with: dict[str, Path] = {}  # a file whose bytes an earlier file of this run has is not read again
    for path in new_files:
        first = first_with.setdefault(hashes[path], path)
        if first is not path:
            summary.warnings.append(f"{path.name}: the same bytes as {first.name}; read once")
    known = store.known_contents(database)
    failed_files: set[Path] = set()
    for batch in batches(list(first_with.values()), current_settings().batch_bytes):
        # Each batch is read, assessed, stored and remembered before the next is read: memory is
        # bounded by the batch (at least the largest file), not by the backlog, and a run killed
        # midway keeps what its finished batches stored.
        failed = _store_batch(
            batch,
            register,
            floors,
            as_of,
            database,
            run_id,
            summary,
            known,
            hashes,
            progress=progress,
            store_hook=store_hook,
            keep_gx=keep_gx,
        )
        done = {p for p in batch if p not in failed}
        store.mark_files_seen(
            database, run_id, [(hashes[p], p.name) for p in new_files if first_with[hashes[p]] in done]
        )
        failed_files |= failed
    if processed_dir is not None:  # a file whose storing failed stays, to be read again next run
        retire(landing, processed_dir, [p for p in candidates if first_with.get(hashes[p], p) not in failed_files])
    return failed_files


@serialised  # one run at a time per database; runs killed earlier are marked abandoned
def run_pipeline(
    register: Register | Path | str,
    landing: Path | str,
    db: Database | str | None = None,
    as_of: date | None = None,
    paths: list[Path] | None = None,
    progress: Progress | None = None,
    store_hook: Callable | None = None,
    refresh: bool = True,
    sync: bool = True,
    data_docs_dir: Path | None = None,
    on_wait: Callable[[str], None] | None = None,
    processed_dir: Path | None = None,
) -> RunSummary:
    """Read, validate, assess and store every new submission in `landing`, then refresh as-of facts.

    `paths` restricts the run to given files; by default the whole folder. `sync`/`refresh` off skip
    syncing the register and refreshing as-of facts. With `data_docs_dir` (the dashboard folder), the
    run's GX Data Docs are written there: one page per kind and stage, however many batches it took.
    `on_wait` is told when another run holds the database (`serialised` waits for it).
    With `processed_dir`, every file stored (or already read before) moves there (sources.retention).
    """
    as_of = as_of or date.today()
    register = register if isinstance(register, Register) else load_register(register)
    database = db if isinstance(db, Database) else open_database(db)
    floors = load_wage_floors()
    landing = Path(landing)
    if sync:
        store.sync_register(database, register)
    run_id = store.start_run(database, as_of, str(landing))
    summary = RunSummary(run_id=run_id, as_of=as_of)
    warning = floors.staleness_warning(as_of)
    if warning:
        summary.warnings.append(warning)
    status = "failed"
    try:
        failed_files = ingest_into(
            summary,
            register,
            landing,
            database,
            floors,
            paths,
            progress=progress,
            store_hook=store_hook,
            keep_gx=data_docs_dir is not None,
            processed_dir=processed_dir,
        )
        if data_docs_dir is not None and summary.gx_results:
            from gwp_monitor.validate.data_docs import write_run_data_docs

            write_run_data_docs(summary.gx_results, data_docs_dir, run_id)
        if refresh:
            store.refresh_as_of(database, register, as_of)
            check_public_registers(database, as_of)
        status = "succeeded" if not failed_files else "partial"
    finally:
        try:
            store.finish_run(database, run_id, status, summary.files_read, len(summary.stored), summary.skipped)
        except Exception as exc:
            if status != "failed":
                raise
            # The run's own error is the one to report; left "running", the run is marked abandoned next run.
            log.warning("run %s could not be marked failed (%s)", run_id, brief_error(exc))
    return summary
