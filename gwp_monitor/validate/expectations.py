"""Data-quality validation of returns with Great Expectations.

One ephemeral GX context per process (GX import and context set-up cost seconds; see `gx_context`).
The suites are JSON under expectations/ and are loaded with a count check, because GX drops an
expectation it cannot parse without a word. Results are asked for with row ids only
(`exclude_unexpected_values`): the ids map back to the supplier's row numbers, and no cell value —
pay, worker_ref — is ever copied into a result (spec 6).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gwp_monitor import resources
from gwp_monitor.config.settings import Settings, current_settings
from gwp_monitor.domain.problems import Problem, row_problem
from gwp_monitor.domain.templates import Kind
from gwp_monitor.ingest.prepare import PreparedReturns

if TYPE_CHECKING:
    import great_expectations as gx

#: Row ids, never values. SUMMARY with an unbounded partial count lists every failing row id.
ROW_IDS_ONLY: dict[str, Any] = {
    "result_format": "SUMMARY",
    "partial_unexpected_count": 10**12,
    "exclude_unexpected_values": True,
    "include_unexpected_rows": False,
    "return_unexpected_index_query": False,
}


class SuiteError(RuntimeError):
    """A suite file is broken: an operational failure, not a supplier's problem."""


def expectations_dir(settings: Settings | None = None) -> Path:
    """GWP_EXPECTATIONS_DIR, else the suites shipped with the package."""
    return (settings or current_settings()).expectations_dir or resources.suites_dir()


@cache
def gx_context():
    """The process's one GX context, with the pandas batch definition every validation uses."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    for name in ("great_expectations", "great_expectations._docs_decorators"):
        logging.getLogger(name).setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    asset = context.data_sources.add_pandas("gwp_returns").add_dataframe_asset("return_rows")
    batch_definition = asset.add_batch_definition_whole_dataframe("whole_frame")
    return context, batch_definition


def load_suite_json(kind: Kind, directory: Path | None = None) -> dict:
    path = (directory or expectations_dir()) / f"{kind}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SuiteError(f"cannot load the {kind} suite {path}: {exc}") from exc


@cache
def load_suite(kind: Kind, directory: Path | None = None) -> gx.ExpectationSuite:
    """The kind's suite as a GX object; refuses one that lost an expectation on the way in."""
    import great_expectations as gx

    raw = load_suite_json(kind, directory)
    declared = raw.get("expectations", [])
    for i, spec in enumerate(declared):
        meta = spec.get("meta", {})
        if not meta.get("column") or not meta.get("rule"):
            raise SuiteError(f"{kind} suite expectation {i} has no meta.column/meta.rule to explain it to suppliers")
    try:
        suite = gx.ExpectationSuite(name=raw["name"], expectations=declared, meta=raw.get("meta", {}))
    except Exception as exc:  # GX raises pydantic/config errors for bad kwargs; a broken suite is operational
        raise SuiteError(f"the {kind} suite cannot be built ({type(exc).__name__}): {exc}") from exc
    if len(suite.expectations) != len(declared):
        raise SuiteError(
            f"the {kind} suite declares {len(declared)} expectations but GX loaded {len(suite.expectations)}: "
            "one has an unknown type or bad arguments"
        )
    return suite


def register_expectation(contract_refs: Iterable[str]) -> gx.expectations.Expectation:
    """contract_ref must be in the register: a runtime expectation, since the register is per deployment."""
    import great_expectations as gx

    return gx.expectations.ExpectColumnValuesToBeInSet(
        column="contract_ref",
        value_set=sorted(contract_refs),
        meta={
            "column": "contract_ref",
            "rule": "is not a contract in the register: check the reference with your contract manager",
        },
    )


@dataclass
class ValidationOutcome:
    """Problems per submission id, plus the privacy-safe GX result for Data Docs and audit."""

    problems: dict[int, list[Problem]] = field(default_factory=dict)
    gx_result: Any = None
    expectations_run: int = 0


def validate(prepared: PreparedReturns, contract_refs: Iterable[str] | None = None) -> ValidationOutcome:
    """Run the kind's suite over every row of the run at once; split failures back to submissions."""

    outcome = ValidationOutcome()
    if prepared.frame.empty:
        return outcome
    base = load_suite(prepared.kind)
    expectations = [
        e.copy() if hasattr(e, "copy") else e for e in base.expectations if not _blank_in(e, prepared.frame)
    ]
    if contract_refs is not None:
        expectations.append(register_expectation(contract_refs))
    result, failures = run_expectations(prepared.frame, expectations, name=base.name)
    outcome.gx_result = result
    outcome.expectations_run = len(result.results)
    submission_of_row = prepared.frame["_submission"].to_numpy()
    for config, row_ids in failures:
        for sid, ids in _split_by_submission(row_ids, submission_of_row):
            outcome.problems.setdefault(int(sid), []).append(
                row_problem(config.meta["column"], config.meta["rule"], prepared.row_numbers[ids])
            )
    for problems in outcome.problems.values():
        problems.sort(key=lambda p: (p.first_rows[:1] or (0,), p.column))
    return outcome


def _blank_in(expectation, frame) -> bool:
    """An expectation marked `only_when_present` over a column with no value at all: it cannot fail (the
    rule ignores blanks), so it is not run: a return without pay periods pays nothing for their rules."""
    if not (expectation.meta or {}).get("only_when_present"):
        return False
    column = expectation.configuration.kwargs.get("column")
    return column in frame.columns and not frame[column].notna().any()


def run_expectations(frame, expectations: list, name: str = "gwp") -> tuple[Any, list[tuple[Any, np.ndarray]]]:
    """Validate `frame` (positional row ids as its index) and list each failed expectation's row ids.

    The one place GX runs, for data quality and commitments alike. A GX error on an expectation is
    our bug, not the supplier's, so it raises instead of passing silently.
    """
    result = _validate(frame, expectations, name)
    failures = []
    for expectation_result in result.results:
        config = expectation_result.expectation_config
        if expectation_result.exception_info.get("raised_exception"):
            raise SuiteError(
                f"GX could not evaluate {config.type} on {config.kwargs.get('column') or config.kwargs}: "
                f"{expectation_result.exception_info.get('exception_message')}"
            )
        if not expectation_result.success:
            row_ids = _row_ids(expectation_result.result.get("partial_unexpected_index_list") or [])
            if len(row_ids):
                failures.append((config, row_ids))
    return result, failures


def _validate(frame, expectations: list, name: str):
    """The suite result for `expectations` over `frame`, from one GX batch of `gx_view(frame)`."""
    with _GX_LOCK:
        _, batch_definition = gx_context()
        return _validate_locked(batch_definition, frame, expectations, name)


#: The process has one GX context and one in-memory batch definition (gx_context): two threads validating
#: at once (the portal checks uploads in a thread pool) read each other's frames, so a clean return came
#: back with another supplier's problems. One validation at a time; processes (Airflow tasks) are apart anyway.
_GX_LOCK = threading.Lock()


def _validate_locked(batch_definition, frame, expectations: list, name: str):  # noqa: ANN001
    import great_expectations as gx
    from great_expectations.validator.v1_validator import Validator

    # What Batch.validate does, minus its first batch: that one was loaded, and the whole frame hashed
    # for its fingerprint, only to be dropped for a second load inside the validator.
    validator = Validator(
        batch_definition, result_format=ROW_IDS_ONLY, batch_parameters={"dataframe": gx_view(frame, expectations)}
    )
    return validator.validate_expectation_suite(gx.ExpectationSuite(name=name, expectations=expectations))


def _columns(expectation) -> list[str]:
    kwargs = expectation.configuration.kwargs
    found = (kwargs.get("column"), kwargs.get("column_A"), kwargs.get("column_B"), *kwargs.get("column_list", ()))
    return [name for name in found if name]


def gx_view(frame, expectations: list):
    """The frame as GX is given it: the columns the expectations read, positional row ids, in forms
    pandas filters cheaply.

    GX filters the whole batch (every column) for each expectation on a column with blanks, up to three
    times (condition, unexpected values, row ids), so the batch's width and its columns' cost to filter
    are paid per expectation: a million-row return had ~15 such filters of 25 columns. Text columns
    become one contiguous Arrow array, and those with few distinct values (codes, categories, contract
    references) pandas categoricals, whose filtering moves small integer codes. Values are unchanged,
    so every expectation sees what it saw on the full frame; a column an expectation names that the
    frame lacks is left out, for GX to report as before.
    """
    import pandas as pd
    import pyarrow as pa

    names: list[str] = []
    for expectation in expectations:
        for name in _columns(expectation):
            if name in frame.columns and name not in names:
                names.append(name)
    view = frame[names].reset_index(drop=True)  # copy-on-write: nothing is copied here
    for name in names:
        column = view[name]
        if isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow":
            text = pa.array(column.array)  # the Arrow data the column wraps, not a copy
            if isinstance(text, pa.ChunkedArray):
                text = text.combine_chunks()
            sample = text.slice(0, 10_000)
            if len(sample) and len(sample.unique()) <= len(sample) // 10:
                text = text.dictionary_encode()
            view[name] = text.to_pandas().array
    return view


def _row_ids(index_list: list) -> np.ndarray:
    """GX gives plain ids for single columns and {column: [ids]} dicts for some multi-column rules."""
    if index_list and isinstance(index_list[0], dict):
        ids: list[int] = []
        for entry in index_list:
            for value in entry.values():
                ids.extend(value if isinstance(value, list) else [value])
        return np.unique(np.asarray(ids, dtype=np.int64))
    return np.asarray(index_list, dtype=np.int64)


def _split_by_submission(row_ids: np.ndarray, submission_of_row: np.ndarray):
    subs = submission_of_row[row_ids]
    order = np.argsort(subs, kind="stable")
    subs, row_ids = subs[order], row_ids[order]
    cuts = np.flatnonzero(np.diff(subs)) + 1
    for chunk_subs, chunk_ids in zip(np.split(subs, cuts), np.split(row_ids, cuts), strict=False):
        yield chunk_subs[0], chunk_ids
