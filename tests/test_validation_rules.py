"""Every column rule of spec 2.2/2.3 (each expectation of the payroll and workforce suites, plus the
register rules of 2.1), table-driven: a good row with one cell changed must get exactly the expected
problems, each naming the column, the rule in the supplier's words and the supplier's row numbers.

Every case is its own submission (its own period), and all cases of both kinds are checked in one
`take_in`, so the whole table costs one GX validation per kind. `test_every_suite_rule_has_a_case`
keeps the table complete when an expectation is added to a suite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest

from gwp_monitor.domain.templates import HEADCOUNT_BOUNDED
from gwp_monitor.ingest.intake import Intake, Submission, take_in
from gwp_monitor.validate.expectations import load_suite_json, register_expectation

REQUIRED = "is required"
NUMBER = "must be a"  # number / an amount, "such as ..."
WHOLE = "must be a whole number"
YES_NO = "must be yes or no"
DATE = "must be a real date written YYYY-MM-DD or DD/MM/YYYY"
NOT_NEGATIVE = "must be 0 or more"
WITHIN_HEADCOUNT = "must not be more than headcount"
REF_PATTERN = "1 to 64 letters, digits"
NOT_REGISTERED = "is not a contract in the register"
FORMULA = "must not start with = + - or @"
AGREE = "must agree with basic_pay / hours_paid within 1%"
PERIOD = "period_start/period_end"
PAY_PERIOD = "pay_period_start/pay_period_end"
M2023 = {
    m: (date(2023, m, 1).isoformat(), (date(2023 + m // 12, m % 12 + 1, 1) - timedelta(days=1)).isoformat())
    for m in range(1, 13)
}


@dataclass(frozen=True)
class Case:
    id: str
    cells: dict[str, str]
    expect: tuple[tuple[str, str], ...] = ()  # (column, words of the rule); () = accepted
    twice: bool = False  # write the row twice: the uniqueness rules need a second row
    whole_submission: bool = False  # a problem with the submission's period, reported without rows
    period: tuple[str, str] | None = None  # default: a month/quarter of its own


def bad(id: str, cells: dict[str, str], *expect: tuple[str, str], **kw) -> Case:
    return Case(id, cells, tuple(expect), **kw)


def good(id: str, cells: dict[str, str], **kw) -> Case:
    return Case(id, cells, (), **kw)


PAYROLL_CASES = [
    good("good_row", {}),
    good("booleans_any_case", {"apprentice": "YES", "london": "n"}),
    good("booleans_as_digits_and_words", {"apprentice": "1", "london": "False"}),
    good(
        "categories_any_case", {"employment_type": "Agency", "contract_type": "Zero_Hours", "gender": "Not_Disclosed"}
    ),
    good("optional_columns_blank", {"employer": "", "hourly_rate": "", "gender": ""}),
    good("hourly_rate_within_1pct", {"hourly_rate": "13.63"}),
    good("zero_hours_paid_kept", {"hours_paid": "0", "basic_pay": "0", "hourly_rate": "12.00"}),
    good("hours_at_744_limit", {"hours_paid": "744", "basic_pay": "10044.00"}),
    bad("contract_ref_missing", {"contract_ref": ""}, ("contract_ref", REQUIRED)),
    # a reference that breaks the pattern cannot be in the register either
    bad(
        "contract_ref_pattern",
        {"contract_ref": "TST 001"},
        ("contract_ref", REF_PATTERN),
        ("contract_ref", NOT_REGISTERED),
    ),
    bad("contract_ref_not_registered", {"contract_ref": "NOPE-999"}, ("contract_ref", NOT_REGISTERED)),
    bad("period_start_missing", {"period_start": ""}, ("period_start", REQUIRED)),
    bad("period_start_not_a_date", {"period_start": "2010-02-30"}, ("period_start", DATE)),
    bad("period_end_missing", {"period_end": ""}, ("period_end", REQUIRED)),
    bad("period_end_year_first_slashes", {"period_end": "2010/13/01"}, ("period_end", DATE)),
    bad("period_end_month_first", {"period_end": "01/31/2010"}, ("period_end", DATE)),
    bad("period_not_one_month", {}, (PERIOD, "must be one calendar month"), period=("2024-06-01", "2024-06-29")),
    bad("worker_ref_missing", {"worker_ref": ""}, ("worker_ref", REQUIRED)),
    bad("worker_ref_ni_number", {"worker_ref": "AB 12 34 56 C"}, ("worker_ref", "National Insurance number")),
    bad("worker_ref_email", {"worker_ref": "jo.bloggs@example.com"}, ("worker_ref", "e-mail address")),
    bad("worker_ref_formula", {"worker_ref": "=cmd|' /C calc'!A0"}, ("worker_ref", FORMULA)),
    bad("worker_ref_twice", {}, ("worker_ref", "must be unique within a contract and month"), twice=True),
    bad("employer_formula", {"employer": "@SUM(A1:A9)"}, ("employer", FORMULA)),
    bad("employment_type_missing", {"employment_type": ""}, ("employment_type", REQUIRED)),
    bad(
        "employment_type_unknown",
        {"employment_type": "temp"},
        ("employment_type", "must be one of: direct, subcontractor, agency"),
    ),
    bad("contract_type_missing", {"contract_type": ""}, ("contract_type", REQUIRED)),
    bad(
        "contract_type_unknown",
        {"contract_type": "full_time"},
        ("contract_type", "must be one of: permanent, fixed_term"),
    ),
    bad("age_band_missing", {"age_band": ""}, ("age_band", REQUIRED)),
    bad("age_band_unknown", {"age_band": "25_plus"}, ("age_band", "must be one of: under_18, 18_20, 21_plus")),
    bad("apprentice_missing", {"apprentice": ""}, ("apprentice", REQUIRED)),
    bad("apprentice_not_yes_no", {"apprentice": "maybe"}, ("apprentice", YES_NO)),
    bad("london_missing", {"london": ""}, ("london", REQUIRED)),
    bad("london_not_yes_no", {"london": "2"}, ("london", YES_NO)),
    bad("hours_paid_missing", {"hours_paid": ""}, ("hours_paid", REQUIRED)),
    bad("hours_paid_with_units", {"hours_paid": "150 hrs"}, ("hours_paid", NUMBER)),
    bad("hours_paid_negative", {"hours_paid": "-1"}, ("hours_paid", "must be between 0 and 744")),
    # 2025.00 / 745 h is 2.72 an hour, so the given 13.50 no longer agrees either
    bad(
        "hours_paid_over_744",
        {"hours_paid": "745"},
        ("hours_paid", "must be between 0 and 744"),
        ("hourly_rate", AGREE),
    ),
    bad("basic_pay_missing", {"basic_pay": ""}, ("basic_pay", REQUIRED)),
    good("basic_pay_pounds_and_commas", {"basic_pay": "£2,025.00", "hourly_rate": "£13.50"}),
    bad("basic_pay_decimal_comma", {"basic_pay": "2.025,00"}, ("basic_pay", NUMBER)),
    bad("basic_pay_commas_out_of_place", {"basic_pay": "20,25.00"}, ("basic_pay", NUMBER)),
    bad("hours_paid_pound_sign", {"hours_paid": "£150"}, ("hours_paid", NUMBER)),
    bad("basic_pay_negative", {"basic_pay": "-2025.00"}, ("basic_pay", NOT_NEGATIVE), ("hourly_rate", AGREE)),
    bad("hourly_rate_not_a_number", {"hourly_rate": "13.50/h"}, ("hourly_rate", NUMBER)),
    bad("hourly_rate_zero", {"hourly_rate": "0"}, ("hourly_rate", "must be more than 0"), ("hourly_rate", AGREE)),
    bad("hourly_rate_disagrees", {"hourly_rate": "15.00"}, ("hourly_rate", AGREE)),
    bad("gender_unknown", {"gender": "f"}, ("gender", "must be one of: female, male, other, not_disclosed")),
    # spec 2.2: pay periods (weekly, fortnightly, four-weekly, monthly) inside the month; boundaries
    good("weekly_pay_period", {"pay_period_start": "2023-01-02", "pay_period_end": "2023-01-08"}, period=M2023[1]),
    good(
        "pay_period_ends_on_months_last_day",
        {"pay_period_start": "2023-02-22", "pay_period_end": "2023-02-28"},
        period=M2023[2],
    ),
    bad(
        "pay_period_ends_the_next_day",
        {"pay_period_start": "2023-02-23", "pay_period_end": "2023-03-01"},
        (PAY_PERIOD, "must fall inside the return's month"),
        period=M2023[12],
    ),
    good("pay_period_35_days", {"pay_period_start": "2023-02-25", "pay_period_end": "2023-03-31"}, period=M2023[3]),
    bad(
        "pay_period_36_days",
        {"pay_period_start": "2023-03-26", "pay_period_end": "2023-04-30"},
        (PAY_PERIOD, "at most 35 days"),
        period=M2023[4],
    ),
    bad("pay_period_start_only", {"pay_period_start": "2023-05-01"}, (PAY_PERIOD, "give both"), period=M2023[5]),
    bad(
        "pay_period_backwards",
        {"pay_period_start": "2023-06-20", "pay_period_end": "2023-06-13"},
        (PAY_PERIOD, "on or after pay_period_start"),
        period=M2023[6],
    ),
    bad(
        "pay_period_start_not_a_date",
        {"pay_period_start": "2023-07-32", "pay_period_end": "2023-07-07"},
        ("pay_period_start", DATE),
        period=M2023[7],
    ),
    bad(
        "pay_period_end_not_a_date",
        {"pay_period_start": "2023-08-01", "pay_period_end": "someday"},
        ("pay_period_end", DATE),
        period=M2023[8],
    ),
    bad("job_ref_formula", {"job_ref": "=1+1"}, ("job_ref", FORMULA), period=M2023[9]),
    # a week written as the return's period is told where a week goes
    bad(
        "week_as_the_return_period",
        {},
        (PERIOD, "pay_period_start/pay_period_end"),
        period=("2023-10-02", "2023-10-08"),
    ),
    # spec 2.1: the period must be one of the contract's periods
    bad(
        "period_before_contract",
        {},
        (PERIOD, "starts before the contract starts"),
        period=("2009-06-01", "2009-06-30"),
        whole_submission=True,
    ),
    bad(
        "period_not_ended_by_as_of",
        {},
        (PERIOD, "has not ended by"),
        period=("2026-06-01", "2026-06-30"),
        whole_submission=True,
    ),
]

_EVERY_BOUNDED_COUNT_EXCEEDS = tuple((c, WITHIN_HEADCOUNT) for c in HEADCOUNT_BOUNDED)

WORKFORCE_CASES = [
    good("good_row", {}),
    good(
        "booleans_any_case",
        {"recognised_trade_union": "TRUE", "worker_voice_forum": "No", "flexible_working_from_day_one": "y"},
    ),
    good(
        "booleans_as_digits",
        {"recognised_trade_union": "0", "worker_voice_forum": "1", "flexible_working_from_day_one": "N"},
    ),
    good(
        "optional_columns_blank",
        {
            c: ""
            for c in (
                "disabled_workers",
                "ethnic_minority_workers",
                "female_workers",
                "gender_pay_gap_median_pct",
                "gender_pay_gap_mean_pct",
                "training_hours",
            )
        },
    ),
    good(
        "counts_equal_headcount_and_whole_decimals",
        {"headcount": "40.0", "zero_hours_workers": "40", "local_residents": "40"},
    ),
    good("gaps_at_limits", {"gender_pay_gap_median_pct": "-100", "gender_pay_gap_mean_pct": "100"}),
    bad("contract_ref_missing", {"contract_ref": ""}, ("contract_ref", REQUIRED)),
    bad(
        "contract_ref_pattern",
        {"contract_ref": "TST#001"},
        ("contract_ref", REF_PATTERN),
        ("contract_ref", NOT_REGISTERED),
    ),
    bad("contract_ref_not_registered", {"contract_ref": "NOPE-999"}, ("contract_ref", NOT_REGISTERED)),
    bad("period_start_missing", {"period_start": ""}, ("period_start", REQUIRED)),
    bad("period_start_not_a_date", {"period_start": "2010-13-01"}, ("period_start", DATE)),
    bad("period_end_missing", {"period_end": ""}, ("period_end", REQUIRED)),
    bad("period_end_not_a_date", {"period_end": "2010-06-31"}, ("period_end", DATE)),
    bad("period_two_months", {}, (PERIOD, "must be one calendar quarter"), period=("2024-04-01", "2024-05-31")),
    bad("headcount_missing", {"headcount": ""}, ("headcount", REQUIRED)),
    bad("headcount_in_words", {"headcount": "forty"}, ("headcount", WHOLE)),
    # a negative headcount is also below every count it bounds
    bad("headcount_negative", {"headcount": "-1"}, ("headcount", NOT_NEGATIVE), *_EVERY_BOUNDED_COUNT_EXCEEDS),
    bad("fte_missing", {"fte": ""}, ("fte", REQUIRED)),
    bad("fte_decimal_comma", {"fte": "32,5"}, ("fte", NUMBER)),
    bad("fte_negative", {"fte": "-0.5"}, ("fte", NOT_NEGATIVE)),
    bad("zero_hours_workers_missing", {"zero_hours_workers": ""}, ("zero_hours_workers", REQUIRED)),
    bad("zero_hours_workers_fraction", {"zero_hours_workers": "1.5"}, ("zero_hours_workers", WHOLE)),
    bad("zero_hours_workers_negative", {"zero_hours_workers": "-1"}, ("zero_hours_workers", NOT_NEGATIVE)),
    bad("zero_hours_workers_over_headcount", {"zero_hours_workers": "41"}, ("zero_hours_workers", WITHIN_HEADCOUNT)),
    bad("agency_workers_missing", {"agency_workers": ""}, ("agency_workers", REQUIRED)),
    bad("agency_workers_in_words", {"agency_workers": "three"}, ("agency_workers", WHOLE)),
    bad("agency_workers_negative", {"agency_workers": "-3"}, ("agency_workers", NOT_NEGATIVE)),
    bad("agency_workers_over_headcount", {"agency_workers": "41"}, ("agency_workers", WITHIN_HEADCOUNT)),
    bad("apprentices_missing", {"apprentices": ""}, ("apprentices", REQUIRED)),
    bad("apprentices_fraction", {"apprentices": "2.5"}, ("apprentices", WHOLE)),
    bad("apprentices_negative", {"apprentices": "-2"}, ("apprentices", NOT_NEGATIVE)),
    bad("apprentices_over_headcount", {"apprentices": "50"}, ("apprentices", WITHIN_HEADCOUNT)),
    bad("local_residents_missing", {"local_residents": ""}, ("local_residents", REQUIRED)),
    bad("local_residents_with_words", {"local_residents": "20 people"}, ("local_residents", WHOLE)),
    bad("local_residents_negative", {"local_residents": "-20"}, ("local_residents", NOT_NEGATIVE)),
    bad("local_residents_over_headcount", {"local_residents": "41"}, ("local_residents", WITHIN_HEADCOUNT)),
    bad("disabled_workers_not_a_number", {"disabled_workers": "n/a"}, ("disabled_workers", WHOLE)),
    bad("disabled_workers_negative", {"disabled_workers": "-4"}, ("disabled_workers", NOT_NEGATIVE)),
    bad("disabled_workers_over_headcount", {"disabled_workers": "41"}, ("disabled_workers", WITHIN_HEADCOUNT)),
    bad("ethnic_minority_workers_not_a_number", {"ethnic_minority_workers": "?"}, ("ethnic_minority_workers", WHOLE)),
    bad(
        "ethnic_minority_workers_negative", {"ethnic_minority_workers": "-6"}, ("ethnic_minority_workers", NOT_NEGATIVE)
    ),
    bad(
        "ethnic_minority_workers_over_headcount",
        {"ethnic_minority_workers": "41"},
        ("ethnic_minority_workers", WITHIN_HEADCOUNT),
    ),
    bad("female_workers_not_a_number", {"female_workers": "half"}, ("female_workers", WHOLE)),
    bad("female_workers_negative", {"female_workers": "-22"}, ("female_workers", NOT_NEGATIVE)),
    bad("female_workers_over_headcount", {"female_workers": "41"}, ("female_workers", WITHIN_HEADCOUNT)),
    good("gap_median_percent_sign", {"gender_pay_gap_median_pct": "4.5%", "gender_pay_gap_mean_pct": "-2 %"}),
    bad("gap_mean_percent_in_words", {"gender_pay_gap_mean_pct": "4.5 percent"}, ("gender_pay_gap_mean_pct", NUMBER)),
    good("fte_thousands", {"fte": "1,032.5", "headcount": "1,200"}),
    bad("gap_median_decimal_comma", {"gender_pay_gap_median_pct": "4,5%"}, ("gender_pay_gap_median_pct", NUMBER)),
    bad(
        "gap_median_over_100",
        {"gender_pay_gap_median_pct": "100.5"},
        ("gender_pay_gap_median_pct", "between -100 and 100"),
    ),
    bad("gap_mean_in_words", {"gender_pay_gap_mean_pct": "six"}, ("gender_pay_gap_mean_pct", NUMBER)),
    bad(
        "gap_mean_under_minus_100",
        {"gender_pay_gap_mean_pct": "-101"},
        ("gender_pay_gap_mean_pct", "between -100 and 100"),
    ),
    bad("recognised_trade_union_missing", {"recognised_trade_union": ""}, ("recognised_trade_union", REQUIRED)),
    bad("recognised_trade_union_not_yes_no", {"recognised_trade_union": "maybe"}, ("recognised_trade_union", YES_NO)),
    bad("worker_voice_forum_missing", {"worker_voice_forum": ""}, ("worker_voice_forum", REQUIRED)),
    bad("worker_voice_forum_not_yes_no", {"worker_voice_forum": "2"}, ("worker_voice_forum", YES_NO)),
    bad("flexible_working_missing", {"flexible_working_from_day_one": ""}, ("flexible_working_from_day_one", REQUIRED)),
    bad(
        "flexible_working_not_yes_no",
        {"flexible_working_from_day_one": "sometimes"},
        ("flexible_working_from_day_one", YES_NO),
    ),
    bad("training_hours_with_units", {"training_hours": "120h"}, ("training_hours", NUMBER)),
    bad("training_hours_negative", {"training_hours": "-1"}, ("training_hours", NOT_NEGATIVE)),
    bad("two_rows_for_one_period", {}, ("contract_ref", "one row per contract and period"), twice=True),
    # spec 2.1: the register says which periods (and kinds) a contract owes
    bad(
        "monthly_where_quarterly_due",
        {},
        (PERIOD, "cover one calendar quarter"),
        period=("2024-07-01", "2024-07-31"),
        whole_submission=True,
    ),
    bad(
        "kind_not_expected_by_contract",
        {"contract_ref": "TST-002"},
        (PERIOD, "does not expect workforce returns"),
        whole_submission=True,
    ),
]


@dataclass
class Checked:
    intake: Intake
    files: dict[str, Path]
    #: case id -> (its submission, the supplier's row numbers of its row(s))
    payroll: dict[str, tuple[Submission, tuple[int, ...]]] = field(default_factory=dict)
    workforce: dict[str, tuple[Submission, tuple[int, ...]]] = field(default_factory=dict)
    mixed: tuple[Submission, tuple[int, ...]] | None = None  # good, bad, good rows in one submission


def _key(row: dict[str, str]) -> tuple:
    def as_date(text: str):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None

    return (row["contract_ref"] or None, as_date(row["period_start"]), as_date(row["period_end"]))


@pytest.fixture(scope="module")
def checked(tmp_path_factory, returns, register) -> Checked:
    folder = tmp_path_factory.mktemp("rules")
    plans, alone = {}, []
    for kind, cases, make_row, nth in (
        ("payroll", PAYROLL_CASES, returns.payroll_row, returns.nth_month),
        ("workforce", WORKFORCE_CASES, returns.workforce_row, returns.nth_quarter),
    ):
        rows, placed = [], {}
        for i, case in enumerate(cases):
            row = make_row(period=case.period or nth(i), **case.cells)
            if _file_wide(case):  # its problem rejects the rest of its file (spec 2.4): a file of its own
                own = [row, row] if case.twice else [row]
                alone.append(returns.csv(folder / f"{kind}_{case.id}.csv", own, list(row)))
                placed[case.id] = (_key(row), tuple(range(2, len(own) + 2)))
                continue
            first = len(rows) + 2  # header is row 1
            rows += [row, row] if case.twice else [row]
            placed[case.id] = (_key(row), tuple(range(first, len(rows) + 2)))
        if kind == "payroll":  # one submission of three workers, the middle one with a bad age band
            period = nth(len(cases))
            first = len(rows) + 2
            rows += [
                make_row(period=period, worker=1),
                make_row(period=period, worker=2, age_band="40"),
                make_row(period=period, worker=3),
            ]
            placed["_mixed"] = (_key(rows[-1]), (first + 1,))
        header = list(dict.fromkeys(name for row in rows for name in row))  # optional columns some cases add
        plans[kind] = (returns.csv(folder / f"{kind}_cases.csv", rows, header), placed)
    files = {kind: path for kind, (path, _) in plans.items()}
    intake = take_in([*files.values(), *alone], register, as_of=returns.as_of)
    by_key = {}
    for s in intake.submissions:
        key = (s.kind, s.contract_ref, s.period_start, s.period_end)
        assert key not in by_key, f"two submissions share {key}: the case table needs distinct periods"
        by_key[key] = s
    out = Checked(intake, files)
    for kind, (_, placed) in plans.items():
        for case_id, (key, rows) in placed.items():
            found = (by_key[(kind, *key)], rows)
            if case_id == "_mixed":
                out.mixed = found
            else:
                getattr(out, kind)[case_id] = found
    assert len(intake.submissions) == len(by_key) == sum(len(p) for _, p in plans.values())
    return out


def _file_wide(case: Case) -> bool:
    """A case whose problem rejects every submission of its file for its contract, or the whole file:
    an unknown contract, a row that cannot be placed in one of the contract's periods (spec 2.4)."""
    return case.whole_submission or any(
        c in ("contract_ref", PERIOD, "period_start", "period_end") for c, _ in case.expect
    )


def _assert_case(case: Case, submission: Submission, rows: tuple[int, ...]) -> None:
    shown = "\n".join(p.describe() for p in submission.problems) or "(no problems)"
    assert len(submission.problems) == len(case.expect), f"{case.id} got:\n{shown}"
    for column, words in case.expect:
        matches = [p for p in submission.problems if p.column == column and words in p.rule]
        assert len(matches) == 1, f"{case.id}: expected one '{column}: ...{words}...' problem, got:\n{shown}"
        problem = matches[0]
        if case.whole_submission:
            assert (problem.rows, problem.first_rows) == (0, ())
        else:
            assert problem.first_rows == rows and problem.rows == len(rows), f"{case.id}: {problem.describe()}"
    assert submission.status == ("rejected" if case.expect else "accepted")
    assert submission.row_count == len(rows)


@pytest.mark.parametrize("case", PAYROLL_CASES, ids=lambda c: c.id)
def test_payroll_rule(checked: Checked, case: Case):
    _assert_case(case, *checked.payroll[case.id])


@pytest.mark.parametrize("case", WORKFORCE_CASES, ids=lambda c: c.id)
def test_workforce_rule(checked: Checked, case: Case):
    _assert_case(case, *checked.workforce[case.id])


def test_a_submission_with_one_bad_row_is_rejected_whole_while_others_go_on(checked: Checked):
    mixed, bad_row = checked.mixed
    assert mixed.status == "rejected" and mixed.row_count == 3
    assert [(p.column, p.first_rows) for p in mixed.problems] == [("age_band", bad_row)]
    # the good submissions in the same file and in the other file are accepted ...
    assert checked.payroll["good_row"][0].status == "accepted"
    assert checked.workforce["good_row"][0].status == "accepted"
    # ... and only their rows go on to assessment
    accepted = checked.intake.accepted_rows("payroll")
    accepted_periods = set(accepted["period_start"].dt.date)
    good_periods = {checked.payroll[c.id][0].period_start for c in PAYROLL_CASES if not c.expect}
    assert accepted_periods == good_periods
    assert len(accepted) == sum(1 for c in PAYROLL_CASES if not c.expect)
    assert mixed.period_start not in accepted_periods


def test_problem_text_names_column_rule_and_rows(checked: Checked):
    submission, rows = checked.payroll["worker_ref_twice"]
    (problem,) = submission.problems
    text = problem.describe()
    assert text.startswith("worker_ref: must be unique within a contract and month: one row per worker per pay period")
    assert "pay_period_start/pay_period_end" in text and "job_ref" in text  # how to fix it, in the message
    assert text.endswith(f"(2 rows: {rows[0]}, {rows[1]})")


def test_every_suite_rule_has_a_case():
    """Adding an expectation to a suite without a case here fails this test."""
    for kind, cases in (("payroll", PAYROLL_CASES), ("workforce", WORKFORCE_CASES)):
        metas = [e["meta"] for e in load_suite_json(kind)["expectations"]] + [register_expectation([]).meta]
        covered = [pair for case in cases for pair in case.expect]
        missing = [m for m in metas if not any(col == m["column"] and words in m["rule"] for col, words in covered)]
        assert not missing, f"{kind} rules without a case: {missing}"


def test_submissions_carry_a_content_hash_across_files(tmp_path, returns, register):
    june = [returns.payroll_row(worker=i) for i in (1, 2)]
    july = [returns.payroll_row(period=returns.month(2025, 7), worker=i) for i in (1, 2)]
    first = returns.csv(tmp_path / "june.csv", june)
    again = returns.csv(
        tmp_path / "june_and_july.csv", [july[0], *june, july[1]], columns=list(reversed(list(june[0])))
    )
    changed = returns.csv(
        tmp_path / "june_fixed.csv", [june[0], {**june[1], "basic_pay": "2025.10", "hourly_rate": "13.50"}]
    )
    intake = take_in([first, again, changed], register, as_of=returns.as_of)
    hashes = {(s.file_name, s.period_start.month): s.content_sha256 for s in intake.submissions}
    assert len(hashes) == 4 and all(s.status == "accepted" for s in intake.submissions)
    assert hashes[("june.csv", 6)] == hashes[("june_and_july.csv", 6)]
    assert hashes[("june_fixed.csv", 6)] != hashes[("june.csv", 6)]
    assert hashes[("june_and_july.csv", 7)] not in (hashes[("june.csv", 6)], hashes[("june_fixed.csv", 6)])
