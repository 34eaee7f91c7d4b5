"""The GX suites under expectations/: each loads with exactly the expectations its JSON declares, every
expectation explains itself to suppliers and points at a column the prepared frame has, and a broken
suite is refused with SuiteError (an operational failure), never loaded short."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from gwp_monitor.domain.templates import KINDS, column_names
from gwp_monitor.ingest.prepare import prepare
from gwp_monitor.ingest.reading import read_return_file
from gwp_monitor.validate import expectations as validation
from gwp_monitor.validate.expectations import SuiteError, load_suite

SUITE_DIR = Path(__file__).resolve().parent.parent / "expectations"


def declared(kind: str, directory: Path = SUITE_DIR) -> list[dict]:
    return json.loads((directory / f"{kind}.json").read_text(encoding="utf-8"))["expectations"]


pytestmark = pytest.mark.usefixtures("fresh_suites")


@pytest.mark.parametrize("kind", KINDS)
def test_suite_loads_with_exactly_the_declared_expectations(kind):
    suite = load_suite(kind)
    specs = declared(kind)
    assert len(specs) > 0
    assert len(suite.expectations) == len(specs)
    assert [e.expectation_type for e in suite.expectations] == [s["type"] for s in specs]
    assert suite.name == f"{kind}_return"


@pytest.mark.parametrize("kind", KINDS)
def test_every_expectation_names_a_template_column_and_a_frame_column(kind, returns, tmp_path):
    row = returns.payroll_row() if kind == "payroll" else returns.workforce_row()
    frame = prepare([read_return_file(returns.csv(tmp_path / "r.csv", [row]))], kind).frame
    shown = set(column_names(kind)) | {"period_start/period_end", "pay_period_start/pay_period_end"}
    for spec in declared(kind):
        assert spec["meta"]["column"] in shown, spec
        kwargs = spec["kwargs"]
        used = [kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs] + kwargs.get("column_list", [])
        assert used and set(used) <= set(frame.columns), spec


def _corrupt_copy(tmp_path: Path, kind: str, change) -> Path:
    directory = tmp_path / "expectations"
    shutil.copytree(SUITE_DIR, directory, dirs_exist_ok=True)
    raw = json.loads((directory / f"{kind}.json").read_text())
    change(raw)
    (directory / f"{kind}.json").write_text(json.dumps(raw))
    return directory


def _unknown_type(raw):
    raw["expectations"][5]["type"] = "expect_column_values_to_be_purple"


def _misspelt_kwarg(raw):
    raw["expectations"][5]["kwargs"]["colunm"] = raw["expectations"][5]["kwargs"].pop("column")


def _no_rule(raw):
    del raw["expectations"][5]["meta"]["rule"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("change", "words"),
    [(_unknown_type, "GX loaded"), (_misspelt_kwarg, "cannot be built"), (_no_rule, "no meta.column/meta.rule")],
    ids=["unknown_type", "misspelt_kwarg", "no_rule"],
)
def test_a_broken_suite_is_refused(kind, change, words, tmp_path):
    directory = _corrupt_copy(tmp_path, kind, change)
    with pytest.raises(SuiteError, match=words):
        load_suite(kind, directory)


def test_gwp_expectations_dir_chooses_the_suites(tmp_path, monkeypatch):
    good = load_suite("payroll")
    validation.load_suite.cache_clear()
    monkeypatch.setenv("GWP_EXPECTATIONS_DIR", str(_corrupt_copy(tmp_path, "payroll", _unknown_type)))
    with pytest.raises(
        SuiteError, match=f"declares {len(good.expectations)} expectations but GX loaded {len(good.expectations) - 1}"
    ):
        load_suite("payroll")


@pytest.mark.parametrize(
    ("content", "words"), [(None, "cannot load the payroll suite"), ("{not json", "cannot load the payroll suite")]
)
def test_a_missing_or_unparseable_suite_file_is_refused(tmp_path, content, words):
    if content is not None:
        (tmp_path / "payroll.json").write_text(content)
    with pytest.raises(SuiteError, match=words):
        load_suite("payroll", tmp_path)
