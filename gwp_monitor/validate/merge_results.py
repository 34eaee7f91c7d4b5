"""One validation result per kind and stage for a whole run, however its files were split.

A run validates its files in batches (bounded memory in `pipeline.run_pipeline`, parallel batch tasks
in the Airflow DAG), so GX gives one suite result per batch. Data Docs are one set per run: the batch
results are merged here, as plain JSON dicts (what ``result.to_json_dict()`` gives and what a batch
task can leave on disk for the task that closes the run), before rendering.

Per expectation (same type and arguments), counts add up, percentages are recomputed, success is
every batch's success, and row ids are shifted by the rows of the batches before, so they stay
positions in the run's rows. An expectation a batch did not run (an optional column none of its files
has) is merged from the batches that did, the other batches' rows counted as missing values, as one
validation of all the rows would count them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

_COUNTS = ("element_count", "unexpected_count", "missing_count")


def _key(result: dict[str, Any]) -> str:
    config = result["expectation_config"]
    kwargs = {k: v for k, v in config.get("kwargs", {}).items() if k != "batch_id"}
    return json.dumps([config.get("type"), kwargs], sort_keys=True, default=str)


def _percent(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


def _merge_one(results: list[tuple[int, dict[str, Any]]], absent_rows: int = 0) -> dict[str, Any]:
    """One expectation's results from several batches (each with the row offset of its batch);
    `absent_rows`: the rows of the batches that did not run it."""
    first = results[0][1]
    merged = {**first, "result": dict(first.get("result") or {})}
    merged["success"] = all(r.get("success") for _, r in results)
    raised = [r for _, r in results if (r.get("exception_info") or {}).get("raised_exception")]
    if raised:
        merged["exception_info"] = raised[0]["exception_info"]
    out = merged["result"]
    for name in _COUNTS:
        if any(name in (r.get("result") or {}) for _, r in results):
            out[name] = sum(int((r.get("result") or {}).get(name) or 0) for _, r in results)
    for name in ("element_count", "missing_count"):
        if name in out:
            out[name] += absent_rows
    ids = [
        offset + i for offset, r in results for i in (r.get("result") or {}).get("partial_unexpected_index_list") or []
    ]
    if "partial_unexpected_index_list" in out:
        out["partial_unexpected_index_list"] = ids
    failing = [r for _, r in results if not r.get("success") and "observed_value" in (r.get("result") or {})]
    if failing:
        out["observed_value"] = failing[0]["result"]["observed_value"]
    if "unexpected_count" in out:
        elements, missing, unexpected = (
            out.get("element_count", 0),
            out.get("missing_count", 0),
            out["unexpected_count"],
        )
        nonmissing = elements - missing
        out["unexpected_percent"] = _percent(unexpected, nonmissing)
        if "unexpected_percent_total" in out:
            out["unexpected_percent_total"] = _percent(unexpected, elements)
        if "unexpected_percent_nonmissing" in out:
            out["unexpected_percent_nonmissing"] = _percent(unexpected, nonmissing)
        if "missing_percent" in out:
            out["missing_percent"] = _percent(missing, elements)
    return merged


def merge_result_dicts(results: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Suite results (JSON dicts) of one suite over consecutive batches, as one suite result."""
    batches = list(results)
    if not batches:
        raise ValueError("no validation results to merge")
    if len(batches) == 1:
        return batches[0]
    grouped: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    rows_run: dict[str, int] = {}  # per expectation: the rows of the batches that ran it
    offset = 0
    for batch in batches:
        results = batch.get("results", [])
        rows = max((int((r.get("result") or {}).get("element_count") or 0) for r in results), default=0)
        for result in results:
            key = _key(result)
            grouped.setdefault(key, []).append((offset, result))
            rows_run[key] = rows_run.get(key, 0) + rows
        offset += rows
    merged = [_merge_one(group, offset - rows_run[key]) for key, group in grouped.items()]
    passed = sum(1 for r in merged if r["success"])
    return {
        **batches[0],
        "success": all(b.get("success") for b in batches),
        "results": merged,
        "statistics": {
            "evaluated_expectations": len(merged),
            "successful_expectations": passed,
            "unsuccessful_expectations": len(merged) - passed,
            "success_percent": _percent(passed, len(merged)),
        },
        "id": None,
    }


def result_from_dict(data: dict[str, Any]) -> Any:
    """The GX result object for a JSON dict (for the Data Docs renderer)."""
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResultSchema

    return ExpectationSuiteValidationResultSchema().load(data)


def merged_result(results: list[Any]) -> Any:
    """GX result objects or JSON dicts of one suite's batches, as one GX result object; a single
    result object is returned as it is."""
    if len(results) == 1 and not isinstance(results[0], dict):
        return results[0]
    dicts = [r if isinstance(r, dict) else r.to_json_dict() for r in results]
    return result_from_dict(json.loads(json.dumps(merge_result_dicts(dicts), default=str)))
