"""Typing the text a supplier sent, once, into the frame Great Expectations validates.

Every template column keeps its name and gets its type (number, date, yes/no, lower-cased category).
A typed column that could not be parsed from a present value gets a companion `<column>__valid`
(True parsed, False present but unparseable, <NA> blank), so GX reports "not a number" separately from
"missing" and never twice for one cell. Rules GX has no built-in expectation for become derived
columns computed here in one vectorised pass (`period__calendar_month`, `hourly_rate__consistent`)
and are still checked by GX.

Several files of one kind are validated together in one frame (one GX run per kind per pipeline run,
not per file): `_file` and `_submission` say where each row came from, and the frame's index is a row
id that maps back to the supplier's row number.
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from gwp_monitor.domain.periods import calendar_month_mask, calendar_quarter_mask
from gwp_monitor.domain.problems import Problem
from gwp_monitor.domain.templates import KEY_COLUMNS, MAX_PAY_PERIOD_DAYS, Kind, columns
from gwp_monitor.ingest.reading import ReturnFile
from gwp_monitor.ingest.values import normalised_note, parse_boolean, parse_date, parse_number

_NORMALISED = "__normalised"
_TO_PANDAS = {pa.bool_(): pd.BooleanDtype()}.get
HOURLY_RATE_TOLERANCE = 0.01
_WORKERS = min(4, os.cpu_count() or 1)


@dataclass
class PreparedReturns:
    """All rows of one kind from the files of a run, typed, with where each row came from."""

    kind: Kind
    frame: pd.DataFrame
    files: list[ReturnFile]
    row_numbers: np.ndarray  # index (row id) -> the supplier's row number in its file
    submissions: pd.DataFrame  # one row per submission, indexed by submission id
    #: What was read from a UK form, per submission id (told to the supplier, never rejecting).
    notes: dict[int, list[Problem]] = field(default_factory=dict)


def prepare(files: list[ReturnFile], kind: Kind) -> PreparedReturns:
    """Type and stack the usable files of one kind. Files must be readable and of `kind`."""
    tables, file_ids, rows = [], [], []
    for number, f in enumerate(files):
        assert f.table is not None and f.kind == kind
        tables.append(_conform(f.table, kind))
        file_ids.append(np.full(f.table.num_rows, number, dtype=np.int32))
        rows.append(f.row_numbers)
    raw = pa.concat_tables(tables) if tables else _conform(pa.table({}), kind)
    file_id = np.concatenate(file_ids) if file_ids else np.empty(0, dtype=np.int32)
    row_numbers = np.concatenate(rows) if rows else np.empty(0, dtype=np.int64)

    # Arrow's kernels, its CSV writer and SHA-256 release the GIL: the columns are typed and the
    # submissions hashed on every core, while pandas groups the submissions on this thread.
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        pending = [pool.submit(_type_column, col, raw.column(col.name)) for col in columns(kind)]
        submission_id, submissions = _group_submissions(raw, file_id, files, kind, pool)
        typed: dict[str, pa.Array | pa.ChunkedArray] = {}
        for done in pending:
            typed.update(done.result())
    normalised = {n[: -len(_NORMALISED)]: typed.pop(n) for n in list(typed) if n.endswith(_NORMALISED)}
    frame = pa.table(typed).to_pandas(types_mapper=_TO_PANDAS)
    frame["_file"] = file_id
    frame["_submission"] = submission_id
    _derive(frame, kind)
    return PreparedReturns(kind, frame, files, row_numbers, submissions, _notes(normalised, submission_id, kind))


def _type_column(col, values: pa.ChunkedArray) -> dict[str, pa.Array | pa.ChunkedArray]:
    """One template column typed: the column itself, `<name>__valid` for parsed types, and
    `<name>__normalised` (cells read from a UK form) when there were any."""
    if col.type == "text":
        return {col.name: values}
    if col.type == "enum":
        return {col.name: pc.utf8_lower(values)}
    if col.type == "date":
        parsed, valid, normalised = parse_date(values)
    elif col.type == "boolean":
        parsed, valid, normalised = parse_boolean(values)
    else:
        parsed, valid, normalised = parse_number(values, col.type, col.unit)
    typed = {col.name: parsed, f"{col.name}__valid": valid}
    if normalised is not None:
        typed[f"{col.name}{_NORMALISED}"] = normalised
    return typed


def _notes(normalised: dict[str, pa.ChunkedArray], submission_id: np.ndarray, kind: Kind) -> dict[int, list[Problem]]:
    """What was normalised, per submission: "3 dates read as day/month/year" (counts, no values)."""
    notes: dict[int, list[Problem]] = {}
    by_name = {c.name: c for c in columns(kind)}
    for name, mask in normalised.items():
        rows = pc.fill_null(mask, False).to_numpy(zero_copy_only=False)
        counts = np.bincount(submission_id[rows], minlength=int(submission_id.max(initial=-1)) + 1)
        col = by_name[name]
        for sid in np.flatnonzero(counts):
            notes.setdefault(int(sid), []).append(Problem(name, normalised_note(col.type, col.unit, int(counts[sid]))))
    return notes


def _conform(table: pa.Table, kind: Kind) -> pa.Table:
    """Every template column present (absent optional columns as blanks), in template order."""
    n = table.num_rows
    return pa.table(
        {
            c.name: table.column(c.name) if c.name in table.column_names else pa.nulls(n, pa.string())
            for c in columns(kind)
        }
    )


def _derive(frame: pd.DataFrame, kind: Kind) -> None:
    """Columns for rules GX has no built-in expectation for; <NA> where an input is unusable."""
    # Periods repeat (one or two per submission): the period rules are worked out per distinct pair.
    periods = pd.DataFrame({"start": frame["period_start"].array, "end": frame["period_end"].array})
    pair = (
        periods.groupby(["start", "end"], sort=False, dropna=False).ngroup().to_numpy()
    )  # numbered by first appearance
    distinct = periods.iloc[pd.Series(pair).drop_duplicates().index.to_numpy()].reset_index(drop=True)
    start, end = distinct["start"], distinct["end"]
    if kind == "payroll":
        frame["period__calendar_month"] = calendar_month_mask(start, end).array.take(pair)
        hours, pay, rate = frame["hours_paid"], frame["basic_pay"], frame["hourly_rate"]
        implied = pay / hours.where(hours > 0)
        consistent = pd.array((rate - implied).abs() <= HOURLY_RATE_TOLERANCE * implied, dtype="boolean")
        consistent[(implied.isna() | rate.isna()).to_numpy()] = pd.NA
        frame["hourly_rate__consistent"] = consistent
        _derive_pay_periods(frame)
    else:
        frame["period__calendar_quarter_or_month"] = (
            calendar_month_mask(start, end) | calendar_quarter_mask(start, end)
        ).array.take(pair)


def _all_blank(n: int) -> pd.arrays.BooleanArray:
    return pd.arrays.BooleanArray(np.zeros(n, dtype=bool), np.ones(n, dtype=bool))


def _derive_pay_periods(frame: pd.DataFrame) -> None:
    """Pay-period rules (spec 2.2) and the uniqueness key (worker_ref, job_ref, pay_period_start).

    A return without pay periods or jobs (most) pays nothing here: the rule columns are all blank and
    the key columns constant, so the rows are unique on worker_ref within the month, as before.
    """
    n = len(frame)
    start_given = frame["pay_period_start__valid"].notna().to_numpy()
    end_given = frame["pay_period_end__valid"].notna().to_numpy()
    job = frame["job_ref"]
    frame["job_ref__key"] = pd.factorize(job)[0] if job.notna().any() else np.zeros(n, dtype=np.int8)
    if not (start_given.any() or end_given.any()):
        for name in ("pay_period__pair", "pay_period__in_month", "pay_period__length"):
            frame[name] = _all_blank(n)
        frame["pay_period_start__key"] = np.zeros(n, dtype=np.int8)
        return
    pair = pd.array(start_given == end_given, dtype="boolean")
    pair[~(start_given | end_given)] = pd.NA
    frame["pay_period__pair"] = pair
    pstart, pend = frame["pay_period_start"], frame["pay_period_end"]
    both = (pstart.notna() & pend.notna()).to_numpy()
    in_month = pd.array(
        ((pend >= frame["period_start"]) & (pend <= frame["period_end"]) & (pstart <= pend)).to_numpy(), dtype="boolean"
    )
    in_month[~(both & frame["period_start"].notna().to_numpy() & frame["period_end"].notna().to_numpy())] = pd.NA
    frame["pay_period__in_month"] = in_month
    ordered = both & (pstart <= pend).to_numpy()
    length = pd.array(((pend - pstart).dt.days + 1 <= MAX_PAY_PERIOD_DAYS).to_numpy(), dtype="boolean")
    length[~ordered] = pd.NA
    frame["pay_period__length"] = length
    frame["pay_period_start__key"] = pstart.fillna(frame["period_start"]).to_numpy(dtype="datetime64[s]").view("int64")


def _group_submissions(
    raw: pa.Table, file_id: np.ndarray, files: list[ReturnFile], kind: Kind, pool: ThreadPoolExecutor | None = None
) -> tuple[np.ndarray, pd.DataFrame]:
    """Submission = (file, contract_ref, period_start, period_end) as written, so bad keys still group."""
    keys = pd.DataFrame({"_file": file_id})
    for name in KEY_COLUMNS:
        keys[name] = raw.column(name).to_pandas()
    submission_id = keys.groupby(["_file", *KEY_COLUMNS], dropna=False, sort=False).ngroup().to_numpy()
    order = np.argsort(submission_id, kind="stable")
    counts = np.bincount(submission_id, minlength=int(submission_id.max(initial=-1)) + 1)
    bounds = np.concatenate(([0], np.cumsum(counts)))
    parts = [_rows_of(raw, order[bounds[sid] : bounds[sid + 1]]) for sid in range(len(counts))]
    hashes = list(pool.map(_content_sha256, parts) if pool is not None else map(_content_sha256, parts))
    records = []
    for sid in range(len(counts)):
        idx = order[bounds[sid] : bounds[sid + 1]]
        first = idx[0]
        records.append(
            {
                "submission": sid,
                "_file": int(file_id[first]),
                "file_name": files[int(file_id[first])].name,
                "kind": kind,
                "contract_ref": keys.at[first, "contract_ref"],
                "period_start_text": keys.at[first, "period_start"],
                "period_end_text": keys.at[first, "period_end"],
                "row_count": len(idx),
                "content_sha256": hashes[sid],
            }
        )
    subs = (
        pd.DataFrame.from_records(records).set_index("submission")
        if records
        else pd.DataFrame(
            columns=[
                "_file",
                "file_name",
                "kind",
                "contract_ref",
                "period_start_text",
                "period_end_text",
                "row_count",
                "content_sha256",
            ]
        )
    )
    return submission_id, subs


def _rows_of(raw: pa.Table, idx: np.ndarray) -> pa.Table:
    """A submission's rows (`idx`, ascending): a zero-copy slice when they are together, as they
    usually are; otherwise taken from the slice they span, never from the whole table (taking from a
    table of many files' chunks cost time in proportion to the number of files, per submission)."""
    first, span = int(idx[0]), int(idx[-1] - idx[0]) + 1
    window = raw.slice(first, span)
    return window if span == len(idx) else window.take(pa.array(idx - first))


def _content_sha256(rows: pa.Table) -> str:
    """SHA-256 of the submission's rows as canonical CSV: the same content in any file hashes the same."""
    sink = pa.BufferOutputStream()
    pacsv.write_csv(rows, sink)
    return hashlib.sha256(sink.getvalue()).hexdigest()  # the Arrow buffer is hashed in place, not copied
