"""The register file's data quality, decided by its own Great Expectations suite.

``expectations/gpg_register.json`` is loaded like the returns' suites (with their count check) and
run in the process's one GX context (validate/expectations.py), with row ids only. Any failing rule
refuses the whole file: a register half taken in would turn "not published" into a false breach for
every employer on the rows left out.
"""

from __future__ import annotations

from typing import cast

from gwp_monitor.domain.problems import Problem, row_problem
from gwp_monitor.domain.templates import Kind
from gwp_monitor.public_registers.gpg_source import RegisterFrame
from gwp_monitor.validate.expectations import load_suite, run_expectations

SUITE = cast(Kind, "gpg_register")  # a suite name beside the return kinds' ("payroll", "workforce")


def check_register(register: RegisterFrame) -> list[Problem]:
    """Every problem of the file, as column, rule, row count and first rows; empty when it is good.

    A file missing columns is checked for its columns only: rules over absent columns say nothing more.
    """
    suite = load_suite(SUITE)
    expectations = [
        e for e in suite.expectations if not register.missing or e.expectation_type == "expect_column_to_exist"
    ]
    frame = register.frame.reset_index(drop=True)
    result, failures = run_expectations(frame, expectations, name=suite.name)
    problems = []
    row_numbers = register.row_numbers.to_numpy()
    for outcome in result.results:
        if outcome.success:
            continue
        config = outcome.expectation_config
        ids = next((ids for c, ids in failures if c is config), None)
        column, rule = config.meta["column"], config.meta["rule"]
        problems.append(
            row_problem(column, rule, row_numbers[ids]) if ids is not None else Problem(column, rule, 0, ())
        )
    return sorted(problems, key=lambda p: (p.first_rows[:1] or (0,), p.column))
