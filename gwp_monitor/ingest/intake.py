"""From files on disk to submissions that are accepted or rejected with every problem listed.

Shared by the supplier's pre-submission `check` and by the scheduled `run`, so both say exactly the
same thing about the same file. Per kind, all files are validated together in one GX run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from gwp_monitor.config.register import Register
from gwp_monitor.domain.problems import Problem, file_problem
from gwp_monitor.domain.templates import KINDS, Kind
from gwp_monitor.ingest.landed import delivery_of
from gwp_monitor.ingest.prepare import PreparedReturns, prepare
from gwp_monitor.ingest.reading import ReadLimits, ReturnFile, read_return_file
from gwp_monitor.ingest.whole_files import reject_whole_files
from gwp_monitor.validate.expectations import validate

Progress = Callable[[str, int, int], None]

#: What a check without the contract register cannot say (spec 2.1, 2.4): told to the supplier, with
#: how to get their part of the register, so a clean check without one is never taken for "accepted".
CONTRACT_RULES_NEEDING_REGISTER: tuple[str, ...] = (
    "contract_ref is one of the council's contracts (a row naming any other contract rejects the whole file)",
    "the period is one of the contract's return periods: the contract expects this return, monthly or "
    "quarterly as agreed, between the contract's start and end dates",
    "commitments (Real Living Wage, zero-hours share and the others) are decided by the council after it "
    "accepts the return; check never decides them",
)
#: The column name the suites (meta.column) and the register's period check give period problems.
_PERIOD_COLUMN = "period_start/period_end"


@dataclass
class Submission:
    """One (contract_ref, kind, period) group of one file: the unit that is accepted or rejected."""

    submission_key: int
    file_name: str
    file_path: Path
    received_at: datetime
    kind: Kind | None
    contract_ref: str | None
    period_start: date | None
    period_end: date | None
    row_count: int
    content_sha256: str
    problems: list[Problem] = field(default_factory=list)
    #: Told to the supplier, never rejecting: columns ignored, personal-looking columns, what was normalised.
    warnings: list[Problem] = field(default_factory=list)
    #: Where the return came from (spec 9): folder, sftp, portal...
    source: str = "folder"

    @property
    def status(self) -> str:
        return "rejected" if self.problems else "accepted"


@dataclass
class Intake:
    submissions: list[Submission]
    prepared: dict[Kind, PreparedReturns]
    gx_results: dict[Kind, object]

    def accepted_rows(self, kind: Kind) -> pd.DataFrame:
        """Typed rows of the accepted submissions of `kind`; `_submission` is the submission_key."""
        prepared = self.prepared.get(kind)
        if prepared is None:
            return pd.DataFrame()
        accepted = {s.submission_key for s in self.submissions if s.kind == kind and s.status == "accepted"}
        frame = prepared.frame
        offset = _key_offset(kind)
        keep = (frame["_submission"] + offset).isin(accepted).to_numpy()
        return _rows(frame, keep).assign(_submission=lambda f: f["_submission"] + offset)


#: Up to this many runs of kept rows, `_rows` slices instead of taking.
_MAX_RUNS = 64


def _rows(frame: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """`frame[keep]`. A submission's rows usually sit together in its file, so the accepted rows are a
    few runs: slicing those and joining them moves blocks of memory, where a take gathers every
    column of a million-row frame row by row."""
    edges = np.flatnonzero(np.diff(np.concatenate(([False], keep, [False])).astype(np.int8)))
    starts, ends = edges[::2], edges[1::2]
    if len(starts) == 0 or len(starts) > _MAX_RUNS:
        return frame[keep]
    return pd.concat([frame.iloc[start:end] for start, end in zip(starts, ends, strict=False)])


def _key_offset(kind: Kind) -> int:
    """Submission keys are unique across kinds within one intake."""
    return KINDS.index(kind) * 1_000_000_000


def return_files(landing: Path) -> list[Path]:
    """Candidate files in a landing folder, oldest first so that later files supersede earlier ones.

    Oldest by received time: the one the deliverer recorded (ingest.landed), else the modification
    time. Hidden files (delivery records, downloads in progress) are never candidates. Only regular
    files inside the folder: a symbolic link (to a file or a folder) is never followed, as it could
    point anywhere the service can read (see `refused_links`)."""
    files = [p for p in _walk(landing)[0] if not p.name.startswith((".", "~$"))]
    return sorted(files, key=lambda p: (_received(p), str(p)))


def _received(path: Path) -> datetime:
    delivery = delivery_of(path)
    return delivery.received_at if delivery else datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


def refused_links(landing: Path) -> list[str]:
    """One reason per symbolic link in the landing folder, none of which is read."""
    return [
        f"{link.relative_to(landing)}: refused, it is a symbolic link (to {os.readlink(link)}); "
        "put the file itself in the landing folder"
        for link in _walk(landing)[1]
    ]


def outside_landing(path: Path, landing: Path) -> str | None:
    """Why `path` (given by name, e.g. to a mapped Airflow task) may not be read as a landing file, or None."""
    if path.is_symlink():
        return f"{path.name}: refused, it is a symbolic link; put the file itself in the landing folder"
    if not path.resolve().is_relative_to(landing.resolve()):
        return f"{path.name}: refused, it is outside the landing folder {landing}"
    return None


def _walk(landing: Path) -> tuple[list[Path], list[Path]]:
    """(regular files, symbolic links) under `landing`, never descending through a link."""
    files: list[Path] = []
    links: list[Path] = []
    for folder, dirs, names in os.walk(landing, followlinks=False):
        here = Path(folder)
        links.extend(here / d for d in dirs if (here / d).is_symlink())
        for name in names:
            path = here / name
            if path.is_symlink():
                links.append(path)
            elif path.is_file():
                files.append(path)
    return files, sorted(links)


def take_in(
    paths: Iterable[Path],
    register: Register | None,
    as_of: date | None = None,
    limits: ReadLimits | None = None,
    progress: Progress | None = None,
) -> Intake:
    """Read, type and validate every file; nothing a file holds can make this raise."""
    paths = list(paths)
    limits = limits or ReadLimits.from_settings()
    files: list[ReturnFile] = []
    for i, path in enumerate(paths, 1):
        files.append(read_return_file(path, limits))
        if progress:
            progress("reading", i, len(paths))
    submissions = [_unreadable(i, f) for i, f in enumerate(files) if f.unreadable]
    prepared: dict[Kind, PreparedReturns] = {}
    gx_results: dict[Kind, object] = {}
    for kind in KINDS:
        of_kind = [f for f in files if not f.unreadable and f.kind == kind]
        if not of_kind:
            continue
        if progress:
            progress(f"validating {kind}", 0, 1)
        ready = prepare(of_kind, kind)
        outcome = validate(ready, register.contracts.keys() if register else None)
        prepared[kind], gx_results[kind] = ready, outcome.gx_result
        of_this_kind = _submissions_of(ready, outcome.problems, register, as_of)
        reject_whole_files(of_this_kind, register)
        submissions.extend(of_this_kind)
        if progress:
            progress(f"validating {kind}", 1, 1)
    submissions.sort(key=lambda s: (s.received_at, s.file_name, s.submission_key))
    return Intake(submissions, prepared, gx_results)


def _unreadable(index: int, f: ReturnFile) -> Submission:
    return Submission(
        submission_key=-(index + 1),
        file_name=f.name,
        file_path=f.path,
        received_at=f.received_at,
        kind=None,
        contract_ref=None,
        period_start=None,
        period_end=None,
        row_count=0,
        content_sha256=f.file_sha256,
        problems=list(f.problems),
        warnings=list(f.warnings),
        source=f.source,
    )


def _submissions_of(
    ready: PreparedReturns, problems: dict[int, list[Problem]], register: Register | None, as_of: date | None
) -> list[Submission]:
    frame = ready.frame
    firsts = frame.groupby("_submission", sort=True)[["period_start", "period_end"]].first()
    out = []
    for sid, row in ready.submissions.iterrows():
        source = ready.files[int(row["_file"])]
        start, end = _as_date(firsts.at[sid, "period_start"]), _as_date(firsts.at[sid, "period_end"])
        contract_ref = row["contract_ref"] if isinstance(row["contract_ref"], str) else None
        # A column missing from the header is one file problem, not "is required" on every row too.
        found = list(source.problems) + [
            p for p in problems.get(int(sid), []) if not (p.rows and p.column in source.missing_columns)
        ]
        why = None
        if register is not None and contract_ref is not None and contract_ref in register.contracts and start and end:
            why = register.contracts[contract_ref].period_problem(ready.kind, start, end, as_of)
        elif register is None and as_of is not None and end is not None and end > as_of:
            why = f"period {start} to {end} has not ended by {as_of}"  # as a contract would say; needs none
        # A period the suite already refused (not one calendar month/quarter) is reported once.
        if why and not any(p.column == _PERIOD_COLUMN for p in found):
            found.append(file_problem(why, _PERIOD_COLUMN))
        out.append(
            Submission(
                submission_key=int(sid) + _key_offset(ready.kind),
                file_name=source.name,
                file_path=source.path,
                received_at=source.received_at,
                kind=ready.kind,
                contract_ref=contract_ref,
                period_start=start,
                period_end=end,
                row_count=int(row["row_count"]),
                content_sha256=row["content_sha256"],
                problems=found,
                warnings=list(source.warnings) + ready.notes.get(int(sid), []),
                source=source.source,
            )
        )
    return out


def _as_date(value) -> date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()
