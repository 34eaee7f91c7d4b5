"""`gwp-monitor check`: the supplier's pre-submission check. Exit 0 clean, 1 problems, 2 operational
(invalid register, missing file, broken suite); `--format json` output shape; and it writes nothing."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from factories import QUARTERLY_WORKFORCE, contract, register_yaml

from gwp_monitor.cli import main
from gwp_monitor.validate import expectations as validation

SUBMISSION_KEYS = {
    "file",
    "kind",
    "contract_ref",
    "period_start",
    "period_end",
    "rows",
    "status",
    "problems",
    "warnings",
    "not_checked",
}
PROBLEM_KEYS = {"column", "rule", "rows", "first_rows"}


@pytest.fixture(scope="module")
def files(tmp_path_factory, returns) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("check")
    june, july = returns.month(2025, 6), returns.month(2025, 7)
    pay = [returns.payroll_row(period=june, worker=i) for i in (1, 2, 3)]
    bad = [
        returns.payroll_row(period=july, worker=1),
        returns.payroll_row(period=july, worker=2, basic_pay="2.025,00"),  # a decimal comma stays ambiguous
        returns.payroll_row(period=july, worker=3, hours_paid="-5"),
        returns.payroll_row(period=july, worker=4, basic_pay="£2 025.00"),
    ]
    return {
        "good_csv": returns.csv(folder / "payroll-june.csv", pay),
        "good_xlsx": returns.xlsx(folder / "payroll-june.xlsx", [returns.excel_typed(r, "payroll") for r in pay]),
        "workforce": returns.csv(folder / "workforce-q2.csv", [returns.workforce_row()]),
        "bad": returns.csv(folder / "payroll-july.csv", bad),
        "unreadable": _write(folder / "notes.csv", b"\x00\x01binary"),
    }


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def check(capsys, *argv) -> tuple[int, str, str]:
    code = main(["check", *map(str, argv)])
    out = capsys.readouterr()
    return code, out.out, out.err


def check_json(capsys, register_path, *files) -> tuple[int, list[dict]]:
    code, out, err = check(capsys, *files, "--contracts", register_path, "--as-of", "2026-01-31", "--format", "json")
    assert err == ""
    return code, json.loads(out)


def test_good_csv_and_good_xlsx_are_both_accepted(capsys, register_path, files):
    code, report = check_json(capsys, register_path, files["good_csv"], files["good_xlsx"], files["workforce"])
    assert code == 0
    assert sorted((s["file"], s["kind"], s["status"], s["rows"], s["problems"]) for s in report) == [
        ("payroll-june.csv", "payroll", "accepted", 3, []),
        ("payroll-june.xlsx", "payroll", "accepted", 3, []),
        ("workforce-q2.csv", "workforce", "accepted", 1, []),
    ]


def test_json_output_shape(capsys, register_path, files):
    code, report = check_json(capsys, register_path, files["bad"], files["unreadable"])
    assert code == 1
    assert isinstance(report, list) and len(report) == 2
    for s in report:
        assert set(s) == SUBMISSION_KEYS
        assert s["not_checked"] == []  # with the register every contract rule is checked
        for p in s["problems"]:
            assert set(p) == PROBLEM_KEYS
            assert isinstance(p["rows"], int) and all(isinstance(r, int) for r in p["first_rows"])
    by_file = {s["file"]: s for s in report}
    bad = by_file["payroll-july.csv"]
    assert (bad["kind"], bad["contract_ref"], bad["period_start"], bad["period_end"]) == (
        "payroll",
        "TST-001",
        "2025-07-01",
        "2025-07-31",
    )
    assert (bad["rows"], bad["status"]) == (4, "rejected")
    assert [(p["column"], p["rows"], p["first_rows"]) for p in bad["problems"]] == [
        ("basic_pay", 2, [3, 5]),
        ("hours_paid", 1, [4]),
    ]
    assert "must be an amount such as" in bad["problems"][0]["rule"]
    unreadable = by_file["notes.csv"]
    assert unreadable["kind"] is None and unreadable["rows"] == 0 and unreadable["status"] == "rejected"
    assert [p["column"] for p in unreadable["problems"]] == ["(file)"]
    assert "£" not in json.dumps(report)  # the supplier's values are never echoed


def test_exit_1_and_table_lists_the_rows_to_fix(capsys, register_path, files):
    code, out, err = check(
        capsys, files["good_csv"], files["bad"], "--contracts", register_path, "--as-of", "2026-01-31"
    )
    assert code == 1
    assert "1 of 2 submission(s) would be rejected" in out
    assert "payroll-july.csv" in out and "3, 5" in out


def test_exit_0_says_ready_to_send(capsys, register_path, files):
    code, out, _ = check(capsys, files["good_csv"], "--contracts", register_path, "--as-of", "2026-01-31")
    assert code == 0
    assert "All 1 submission(s) are ready to send" in out


def test_register_from_environment(capsys, monkeypatch, register_path, files):
    """The register is found (exit 1, the file's problems, not 2, no register); an unreadable file
    needs no validation run to say so."""
    monkeypatch.setenv("GWP_REGISTER", str(register_path))
    code, out, err = check(capsys, files["unreadable"], "--as-of", "2026-01-31")
    assert (code, err) == (1, "")
    assert "notes.csv" in out


INVALID_REGISTER = register_yaml(
    contract(
        "BAD-1",
        title="Ends before it starts",
        supplier_id="1",
        supplier_name="A Ltd",
        start_date="2025-04-01",
        end_date="2025-01-01",
        commitments=["living_wage_ish"],
    ),
    contract(
        "BAD-1",
        title="Duplicate reference and a commitment without its parameter",
        supplier_id="2",
        supplier_name="B Ltd",
        start_date="2025-04-01",
        payroll=None,
        workforce=QUARTERLY_WORKFORCE,
        commitments=["max_zero_hours_share"],
    ),
)


def test_invalid_register_exits_2_listing_every_problem(capsys, tmp_path, files):
    path = tmp_path / "register.yaml"
    path.write_text(INVALID_REGISTER)
    expected = (
        "contracts[0] (BAD-1): end_date 2025-01-01 is before start_date 2025-04-01",
        "contracts[0] (BAD-1): commitments[0]: unknown commitment type 'living_wage_ish'",
        "contracts[1] (BAD-1): commitments[0]: max_zero_hours_share needs 'max'",
        "contracts[1] (BAD-1): contract_ref BAD-1 is already used by contracts[0]",
    )
    # table format: a readable list on stdout, one line on stderr
    code, out, err = check(capsys, files["good_csv"], "--contracts", path)
    assert code == 2
    (line,) = err.strip().splitlines()  # one-line reason
    assert (
        line.startswith("gwp-monitor: error: contract register") and "is invalid" in line and "nothing was done" in line
    )
    listed = [ln for ln in out.splitlines() if ln.strip().startswith("- ")]
    assert len(listed) == 4 and "(4 problem(s))" in line
    text = " ".join(out.split())  # the console may wrap long lines
    for words in expected:
        assert words in text, text
    # json format: stdout stays one JSON document with every problem
    code, out, err = check(capsys, files["good_csv"], "--contracts", path, "--format", "json")
    assert code == 2 and len(err.strip().splitlines()) == 1
    document = json.loads(out)
    assert document["error"] == "invalid contract register" and len(document["problems"]) == 4
    for words in expected:
        assert any(words in p for p in document["problems"]), document


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["{good}", "--contracts", "{missing}"], "file not found"),
        (["{missing}", "--contracts", "{register}"], "no such file"),
    ],
)
def test_operational_failures_exit_2_with_one_line(capsys, monkeypatch, tmp_path, register_path, files, argv, words):
    monkeypatch.delenv("GWP_REGISTER", raising=False)
    values = {"good": files["good_csv"], "missing": tmp_path / "nope.csv", "register": register_path}
    code, out, err = check(capsys, *[a.format(**values) for a in argv])
    assert code == 2
    (line,) = err.strip().splitlines()
    assert line.startswith("gwp-monitor: error:") and words in " ".join((out + err).split())


def test_bad_size_limit_setting_exits_2(capsys, monkeypatch, register_path, files):
    monkeypatch.setenv("GWP_MAX_FILE_BYTES", "10MB")
    code, _, err = check(capsys, files["good_csv"], "--contracts", register_path)
    assert code == 2 and "GWP_MAX_FILE_BYTES" in err


def test_file_over_the_size_limit_is_rejected_not_an_error(capsys, monkeypatch, register_path, files):
    monkeypatch.setenv("GWP_MAX_FILE_BYTES", "100")
    code, report = check_json(capsys, register_path, files["good_csv"])
    assert code == 1
    assert "limit" in report[0]["problems"][0]["rule"] and report[0]["kind"] is None


def test_broken_suite_exits_2_not_1(capsys, monkeypatch, tmp_path, register_path, files, fresh_suites):
    suites = tmp_path / "expectations"
    shutil.copytree(validation.expectations_dir(), suites)
    spec = json.loads((suites / "payroll.json").read_text())
    spec["expectations"][0]["kwargs"]["colum"] = spec["expectations"][0]["kwargs"].pop("column")
    (suites / "payroll.json").write_text(json.dumps(spec))
    monkeypatch.setenv("GWP_EXPECTATIONS_DIR", str(suites))
    code, _, err = check(capsys, files["good_csv"], "--contracts", register_path)
    assert code == 2
    (line,) = err.strip().splitlines()
    assert "payroll suite" in line


def test_help_documents_the_exit_codes(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert "Exit 0 when clean, 1 when there are problems, 2 when the register is invalid" in " ".join(text.split())


def _snapshot(*roots: Path) -> dict[str, tuple[int, int, str]]:
    out = {}
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                out[str(path)] = (
                    path.stat().st_size,
                    path.stat().st_mtime_ns,
                    hashlib.sha256(path.read_bytes()).hexdigest(),
                )
            else:
                out[str(path)] = (0, 0, "dir")
    return out


CHECKED = ("good_csv", "bad", "good_xlsx")
CHECK_ARGV = [
    "check",
    "payroll-june.csv",
    "payroll-july.csv",
    "payroll-june.xlsx",
    "--contracts",
    "register.yaml",
    "--as-of",
    "2026-01-31",
    "--format",
    "json",
]
CHECK_STATUSES = [("payroll-july.csv", "rejected"), ("payroll-june.csv", "accepted"), ("payroll-june.xlsx", "accepted")]


def _sandbox(tmp_path: Path, register_path: Path, files: dict[str, Path]) -> tuple[Path, dict[str, str]]:
    """An empty working directory holding the files to check, and an environment of its own (TMPDIR,
    HOME, caches under tmp_path) with no GWP_* settings, so `_snapshot(tmp_path)` sees every write."""
    work, tmp, home = tmp_path / "cwd", tmp_path / "tmp", tmp_path / "home"
    for d in (work, tmp, home):
        d.mkdir()
    for key in CHECKED:
        shutil.copy2(files[key], work)
    shutil.copy2(register_path, work / "register.yaml")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GWP_")}
    env.update(TMPDIR=str(tmp), HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"), MPLCONFIGDIR=str(home / ".mpl"))
    return work, env


def test_check_writes_nothing(capsys, monkeypatch, tmp_path, register_path, files):
    """In this process: nothing in the working directory, the temporary folder or HOME changes."""
    work, env = _sandbox(tmp_path, register_path, files)
    before = _snapshot(tmp_path)
    monkeypatch.chdir(work)
    for key in [k for k in os.environ if k.startswith("GWP_")]:
        monkeypatch.delenv(key)
    for key in ("TMPDIR", "HOME", "XDG_CACHE_HOME", "MPLCONFIGDIR"):
        monkeypatch.setenv(key, env[key])
    monkeypatch.setattr(tempfile, "tempdir", env["TMPDIR"])
    code = main(CHECK_ARGV)
    assert code == 1
    assert sorted((s["file"], s["status"]) for s in json.loads(capsys.readouterr().out)) == CHECK_STATUSES
    assert _snapshot(tmp_path) == before


@pytest.mark.slow
def test_check_writes_nothing_from_a_fresh_process(tmp_path, register_path, files, console_script):
    """A real process (GX imported and set up from scratch) run through the installed console script:
    exit 1 for problems, JSON on stdout, and still nothing written anywhere."""
    work, env = _sandbox(tmp_path, register_path, files)
    before = _snapshot(tmp_path)
    proc = subprocess.run(
        [*console_script, *CHECK_ARGV], cwd=work, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 1, proc.stderr
    assert sorted((s["file"], s["status"]) for s in json.loads(proc.stdout)) == CHECK_STATUSES
    assert _snapshot(tmp_path) == before
