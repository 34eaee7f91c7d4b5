"""Configuration mistakes fail at once with one line saying what to fix, before any file is read or
anything is stored (issue 16, item 10)."""

from __future__ import annotations

import pytest
from factories import contract, register_yaml

from gwp_monitor.cli import main


@pytest.fixture
def setup(tmp_path, returns):
    (tmp_path / "register.yaml").write_text(register_yaml(contract("C-1", start_date="2025-09-01")), encoding="utf-8")
    landing = tmp_path / "landing"
    landing.mkdir()
    returns.csv(landing / "c1.csv", [returns.paid_row("C-1", ("2025-09-01", "2025-09-30"), 1, "13.00")])
    return tmp_path


def run(setup, *extra: str) -> list[str]:
    return ["run", "--contracts", str(setup / "register.yaml"), "--as-of", "2025-11-10", "--quiet", *extra]


def error_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and err.startswith("gwp-monitor: error: "), err
    return err


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://gwp:pw@db/gwp", "has 'mysql': use sqlite:///FILE or postgresql://"),
        ("postgres://gwp:pw@db/gwp", "write postgresql:// instead of postgres://"),
        ("gwp.db", "has no scheme: use sqlite:///FILE"),
    ],
)
def test_an_unsupported_database_url_says_what_to_write(setup, url, expected, capsys, monkeypatch):
    monkeypatch.setenv("GWP_DATABASE_URL", url)
    assert main(run(setup, "--landing", str(setup / "landing"))) == 2
    line = error_line(capsys)
    assert "GWP_DATABASE_URL is not valid" in line and expected in line and "pw" not in line
    assert "MySQLdb" not in line and "NoSuchModule" not in line


def test_a_wrong_sql_dir_is_named_not_a_key_error(setup, capsys, monkeypatch):
    monkeypatch.setenv("GWP_SQL_DIR", str(setup))
    db = f"sqlite:///{(setup / 'r.db').as_posix()}"
    assert main(run(setup, "--landing", str(setup / "landing"), "--db", db)) == 2
    line = error_line(capsys)
    assert f"GWP_SQL_DIR={setup} is not a gwp-monitor SQL folder" in line and "KeyError" not in line


def test_a_max_file_bytes_that_is_not_a_number_is_named(setup, capsys, monkeypatch):
    monkeypatch.setenv("GWP_MAX_FILE_BYTES", "abc")
    assert main(run(setup, "--landing", str(setup / "landing"))) == 2
    assert "GWP_MAX_FILE_BYTES='abc' is not valid: input should be a valid integer" in error_line(capsys)


def test_a_landing_path_that_is_a_file_says_so(setup, capsys):
    assert main(run(setup, "--landing", str(setup / "register.yaml"))) == 2
    assert "is a file, not a folder" in error_line(capsys)


def test_an_unwritable_report_folder_is_found_before_any_file_is_read(setup, capsys):
    db = setup / "r.db"
    blocked = setup / "register.yaml" / "report"  # under a file: cannot be made, even by root
    args = run(setup, "--landing", str(setup / "landing"), "--db", f"sqlite:///{db.as_posix()}")
    assert main([*args, "--report-dir", str(blocked)]) == 2
    assert f"report folder {blocked} cannot be written to" in error_line(capsys)
    assert not db.exists(), "nothing was read or stored"
