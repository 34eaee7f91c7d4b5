"""The payroll rules of the product written as plain, vectorised pandas: the floor of the validation benchmark.

Same input as the product's typing + Great Expectations path (the trimmed text table `read_return_file`
gives), same rules, same outputs: every failing row per (submission, column, rule), which submissions
are accepted, and the wage figures per submission, rate type and band. No Great Expectations, no
per-row Python; what a competent engineer would write without a validation framework.

The rule list mirrors expectations/payroll.json plus the register rule; `rules_match_suite` checks
that mechanically (every suite expectation has exactly one baseline rule), and the benchmark compares
the baseline's answers with the product's on a return with injected problems, so the floor cannot
quietly check less than the product does. Rule wording is taken from the suite's meta only to label
the comparison. This file is a benchmark, not product code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent

# [0-9] is what the product's decimal and date patterns mean: it matches them with pyarrow (RE2), where \d is
# ASCII-only. Spelling it out also keeps pandas on its pyarrow path for columns that hold a "£".
DECIMAL = r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$"
ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
TRUE = ("true", "yes", "y", "1")
FALSE = ("false", "no", "n", "0")
EMPLOYMENT = ("direct", "subcontractor", "agency")
CONTRACT = ("permanent", "fixed_term", "zero_hours", "minimum_hours", "casual", "annualised")
AGE = ("under_18", "18_20", "21_plus")
GENDER = ("female", "male", "other", "not_disclosed")
CONTRACT_REF = r"^[A-Za-z0-9._/-]{1,64}$"
NI_NUMBER = r"(?i)^[A-Z]{2}\s*\d{2}\s*\d{2}\s*\d{2}\s*[A-D]$"
FORMULA = r"^[=+\-@]"
COLUMNS = (
    "contract_ref",
    "period_start",
    "period_end",
    "worker_ref",
    "employer",
    "employment_type",
    "contract_type",
    "age_band",
    "apprentice",
    "london",
    "hours_paid",
    "basic_pay",
    "hourly_rate",
    "gender",
)


@dataclass
class Rule:
    """One rule: the suite expectation it mirrors (type, column, regex) and a vectorised check giving
    the failing rows as a boolean mask over the frame."""

    type: str
    column: str
    regex: str | None
    failing: Callable[[Typed], np.ndarray]


@dataclass
class Typed:
    """Typed columns as numpy arrays, plus `present` (a value was given) and `ok` (it parsed) masks."""

    text: pd.DataFrame
    present: dict[str, np.ndarray]
    ok: dict[str, np.ndarray]
    num: dict[str, np.ndarray]
    dates: dict[str, np.ndarray]  # datetime64[D], NaT where unusable
    flags: dict[str, np.ndarray]  # True only where the value parsed as yes
    enums: dict[str, pd.Series]
    submission: np.ndarray
    contract_refs: set[str]


def type_frame(table, contract_refs) -> Typed:
    """Text -> typed columns and parse flags, vectorised (pandas string methods, Arrow casts, to_datetime per distinct date)."""
    text = table.to_pandas()
    for name in COLUMNS:
        if name not in text:
            text[name] = pd.Series(None, index=text.index, dtype="str")
    present = {name: text[name].notna().to_numpy() for name in COLUMNS}
    ok, num, dates, flags = {}, {}, {}, {}
    for name in ("hours_paid", "basic_pay", "hourly_rate"):
        ok[name] = present[name] & text[name].str.contains(DECIMAL, regex=True).to_numpy(dtype=bool)
        num[name] = text[name].where(ok[name]).astype("double[pyarrow]").to_numpy(dtype=float, na_value=np.nan)
    for name in ("period_start", "period_end"):
        # returns repeat a handful of dates: parse each distinct text once (2025-02-30 becomes NaT), spread back
        codes, distinct = pd.factorize(text[name])
        shaped = pd.Series(distinct).str.contains(ISO_DATE, regex=True).to_numpy(dtype=bool)
        parsed = pd.to_datetime(pd.Series(distinct).where(shaped), format="%Y-%m-%d", errors="coerce").to_numpy(
            dtype="datetime64[D]"
        )
        dates[name] = np.where(
            codes >= 0, parsed[np.maximum(codes, 0)] if len(parsed) else np.datetime64("NaT"), np.datetime64("NaT")
        )
        ok[name] = ~np.isnat(dates[name])
    for name in ("apprentice", "london"):
        lowered = text[name].str.lower()
        is_true = lowered.isin(TRUE).to_numpy(dtype=bool)
        ok[name] = is_true | lowered.isin(FALSE).to_numpy(dtype=bool)
        flags[name] = is_true
    enums = {name: text[name].str.lower() for name in ("employment_type", "contract_type", "age_band", "gender")}
    keys = text[["contract_ref", "period_start", "period_end"]]
    submission = keys.groupby(list(keys.columns), dropna=False, sort=False).ngroup().to_numpy()
    return Typed(text, present, ok, num, dates, flags, enums, submission, set(contract_refs))


def _required(name: str) -> Callable[[Typed], np.ndarray]:
    return lambda t: ~t.present[name]


def _parses(name: str) -> Callable[[Typed], np.ndarray]:
    return lambda t: t.present[name] & ~t.ok[name]


def _in_set(name: str, allowed: tuple[str, ...]) -> Callable[[Typed], np.ndarray]:
    return lambda t: t.present[name] & ~t.enums[name].isin(allowed).to_numpy(dtype=bool)


def _regex(name: str, pattern: str, match: bool) -> Callable[[Typed], np.ndarray]:
    def failing(t: Typed) -> np.ndarray:
        found = t.text[name].str.contains(pattern, regex=True).to_numpy(dtype=bool)
        return t.present[name] & (~found if match else found)

    return failing


def _between(
    name: str, low: float, high: float | None = None, strict_low: bool = False
) -> Callable[[Typed], np.ndarray]:
    def failing(t: Typed) -> np.ndarray:
        v = t.num[name]
        with np.errstate(invalid="ignore"):
            bad = (v <= low) if strict_low else (v < low)
            if high is not None:
                bad |= v > high
        return bad  # NaN compares False: blanks and unparseable values are other rules' business

    return failing


def _unique_worker(t: Typed) -> np.ndarray:
    worker, _ = pd.factorize(t.text["worker_ref"])  # one integer key per (submission, worker): cheap to hash
    key = pd.Series(t.submission.astype(np.int64) * (int(worker.max(initial=0)) + 1) + worker)
    return key.duplicated(keep=False).to_numpy() & t.present["worker_ref"]


def _hourly_consistent(t: Typed) -> np.ndarray:
    hours, pay, rate = t.num["hours_paid"], t.num["basic_pay"], t.num["hourly_rate"]
    with np.errstate(divide="ignore", invalid="ignore"):
        implied = pay / np.where(hours > 0, hours, np.nan)
        known = ~np.isnan(implied) & ~np.isnan(rate)
        return known & ~(np.abs(rate - implied) <= 0.01 * implied)


def _calendar_month(t: Typed) -> np.ndarray:
    s, e = t.dates["period_start"], t.dates["period_end"]
    month = s.astype("datetime64[M]")
    first, last = month.astype("datetime64[D]"), (month + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
    return ~np.isnat(s) & ~np.isnat(e) & ~((s == first) & (e == last))


def _in_register(t: Typed) -> np.ndarray:
    return t.present["contract_ref"] & ~t.text["contract_ref"].isin(t.contract_refs).to_numpy(dtype=bool)


RULES: list[Rule] = [
    Rule("expect_column_values_to_not_be_null", "contract_ref", None, _required("contract_ref")),
    Rule("expect_column_values_to_not_be_null", "period_start__valid", None, _required("period_start")),
    Rule("expect_column_values_to_be_in_set", "period_start__valid", None, _parses("period_start")),
    Rule("expect_column_values_to_not_be_null", "period_end__valid", None, _required("period_end")),
    Rule("expect_column_values_to_be_in_set", "period_end__valid", None, _parses("period_end")),
    Rule("expect_column_values_to_not_be_null", "worker_ref", None, _required("worker_ref")),
    Rule("expect_column_values_to_not_be_null", "employment_type", None, _required("employment_type")),
    Rule("expect_column_values_to_be_in_set", "employment_type", None, _in_set("employment_type", EMPLOYMENT)),
    Rule("expect_column_values_to_not_be_null", "contract_type", None, _required("contract_type")),
    Rule("expect_column_values_to_be_in_set", "contract_type", None, _in_set("contract_type", CONTRACT)),
    Rule("expect_column_values_to_not_be_null", "age_band", None, _required("age_band")),
    Rule("expect_column_values_to_be_in_set", "age_band", None, _in_set("age_band", AGE)),
    Rule("expect_column_values_to_not_be_null", "apprentice__valid", None, _required("apprentice")),
    Rule("expect_column_values_to_be_in_set", "apprentice__valid", None, _parses("apprentice")),
    Rule("expect_column_values_to_not_be_null", "london__valid", None, _required("london")),
    Rule("expect_column_values_to_be_in_set", "london__valid", None, _parses("london")),
    Rule("expect_column_values_to_not_be_null", "hours_paid__valid", None, _required("hours_paid")),
    Rule("expect_column_values_to_be_in_set", "hours_paid__valid", None, _parses("hours_paid")),
    Rule("expect_column_values_to_not_be_null", "basic_pay__valid", None, _required("basic_pay")),
    Rule("expect_column_values_to_be_in_set", "basic_pay__valid", None, _parses("basic_pay")),
    Rule("expect_column_values_to_be_in_set", "hourly_rate__valid", None, _parses("hourly_rate")),
    Rule("expect_column_values_to_be_in_set", "gender", None, _in_set("gender", GENDER)),
    Rule(
        "expect_column_values_to_match_regex", "contract_ref", CONTRACT_REF, _regex("contract_ref", CONTRACT_REF, True)
    ),
    Rule("expect_column_values_to_not_match_regex", "worker_ref", NI_NUMBER, _regex("worker_ref", NI_NUMBER, False)),
    Rule("expect_column_values_to_not_match_regex", "worker_ref", "@", _regex("worker_ref", "@", False)),
    Rule("expect_column_values_to_not_match_regex", "worker_ref", FORMULA, _regex("worker_ref", FORMULA, False)),
    Rule("expect_column_values_to_not_match_regex", "employer", FORMULA, _regex("employer", FORMULA, False)),
    Rule("expect_compound_columns_to_be_unique", "_submission,worker_ref", None, _unique_worker),
    Rule("expect_column_values_to_be_between", "hours_paid", None, _between("hours_paid", 0, 744)),
    Rule("expect_column_values_to_be_between", "basic_pay", None, _between("basic_pay", 0)),
    Rule("expect_column_values_to_be_between", "hourly_rate", None, _between("hourly_rate", 0, strict_low=True)),
    Rule("expect_column_values_to_be_in_set", "hourly_rate__consistent", None, _hourly_consistent),
    Rule("expect_column_values_to_be_in_set", "period__calendar_month", None, _calendar_month),
]
REGISTER_RULE = Rule("expect_column_values_to_be_in_set", "contract_ref", "register", _in_register)


def _suite_key(spec: dict) -> tuple[str, str, str | None]:
    kw = spec["kwargs"]
    column = kw.get("column") or ",".join(kw.get("column_list", []))
    return spec["type"], column, kw.get("regex")


def suite_labels(path: Path | None = None) -> dict[tuple[str, str, str | None], tuple[str, str]]:
    """(type, column, regex) -> (meta.column, meta.rule) of the suite, to label the comparison."""
    suite = json.loads((path or ROOT / "expectations" / "payroll.json").read_text(encoding="utf-8"))
    return {_suite_key(s): (s["meta"]["column"], s["meta"]["rule"]) for s in suite["expectations"]}


def rules_match_suite(path: Path | None = None) -> bool:
    suite = json.loads((path or ROOT / "expectations" / "payroll.json").read_text(encoding="utf-8"))
    keys = [_suite_key(s) for s in suite["expectations"]]
    return sorted(keys, key=str) == sorted(((r.type, r.column, r.regex) for r in RULES), key=str) and len(
        set(keys)
    ) == len(keys)


@dataclass
class BaselineResult:
    submissions: pd.DataFrame  # per submission: contract_ref, period_start_text, period_end_text, rejected
    failures: dict[tuple[str, str, str | None], np.ndarray]  # rule key -> failing row positions
    problems: dict[int, list[tuple[tuple, int, np.ndarray]]]  # submission -> (rule key, rows, first 10 row positions)
    wages: pd.DataFrame  # per accepted submission, rate type and band
    submission_of_row: np.ndarray


def check(table, register, floors, as_of: date) -> BaselineResult:
    """Every payroll rule, then the wage commitments on the accepted submissions."""
    t = type_frame(table, register.contracts.keys())
    failures: dict[tuple[str, str, str | None], np.ndarray] = {}
    rejected = np.zeros(int(t.submission.max(initial=-1)) + 1, dtype=bool)
    for rule in [*RULES, REGISTER_RULE]:
        rows = np.flatnonzero(rule.failing(t))
        if len(rows):
            failures[(rule.type, rule.column, rule.regex)] = rows
            rejected[np.unique(t.submission[rows])] = True
    text = t.text
    firsts = (
        pd.DataFrame(
            {
                "submission": t.submission,
                "contract_ref": text["contract_ref"],
                "period_start_text": text["period_start"],
                "period_end_text": text["period_end"],
                "period_start": t.dates["period_start"],
                "period_end": t.dates["period_end"],
            }
        )
        .groupby("submission", sort=True)
        .first()
    )
    firsts["rejected"] = rejected
    for sid, sub in firsts.iterrows():  # per submission, not per row: the register's period rule
        contract = register.contracts.get(sub["contract_ref"])
        dated = not pd.isna(sub["period_start"]) and not pd.isna(sub["period_end"])
        if (
            contract is not None
            and dated
            and contract.period_problem("payroll", sub["period_start"].date(), sub["period_end"].date(), as_of)
        ):
            firsts.at[sid, "rejected"] = True
    accepted = ~firsts["rejected"].to_numpy()[t.submission]
    return BaselineResult(
        firsts, failures, _problems(failures, t.submission), _wages(t, accepted, register, floors, as_of), t.submission
    )


def _problems(failures: dict, submission: np.ndarray) -> dict[int, list]:
    """Failing rows split by submission, as the product reports them: per rule, how many and the first ten."""
    out: dict[int, list] = {}
    for key, rows in failures.items():
        subs = submission[rows]
        order = np.argsort(subs, kind="stable")
        subs, ordered = subs[order], rows[order]
        cuts = np.flatnonzero(np.diff(subs)) + 1
        for chunk_subs, chunk_rows in zip(np.split(subs, cuts), np.split(ordered, cuts), strict=False):
            out.setdefault(int(chunk_subs[0]), []).append((key, len(chunk_rows), np.sort(chunk_rows)[:10]))
    return out


def _per_value(keys: pd.DataFrame, lookup: Callable) -> np.ndarray:
    """`lookup` evaluated once per distinct key combination and spread back to the rows."""
    codes = (
        keys.groupby(list(keys.columns), sort=False, dropna=False).ngroup().to_numpy()
    )  # numbered by first appearance
    distinct = keys.drop_duplicates()  # in order of first appearance too
    values = np.array([lookup(*row) for row in distinct.itertuples(index=False, name=None)], dtype=float)
    return values[codes] if len(values) else np.full(len(keys), np.nan)


def _f(x) -> float:
    return np.nan if x is None else float(x)


def _wages(t: Typed, accepted: np.ndarray, register, floors, as_of: date) -> pd.DataFrame:
    rows = np.flatnonzero(accepted)
    hours, pay, rate = (t.num[c][rows] for c in ("hours_paid", "basic_pay", "hourly_rate"))
    with np.errstate(divide="ignore", invalid="ignore"):
        implied = np.round(pay / np.where(hours > 0, hours, np.nan), 4)
    hourly = np.where(np.isnan(rate), implied, rate)
    assessed = hours > 0
    apprentice, london = t.flags["apprentice"][rows], t.flags["london"][rows]
    age = t.enums["age_band"].to_numpy(dtype=object)[rows]
    start = pd.Series(t.dates["period_start"][rows])
    refs = t.text["contract_ref"].iloc[rows]
    rlw = {
        ref: next((m for m in c.commitments if m.type == "real_living_wage"), None)
        for ref, c in register.contracts.items()
    }
    has_rlw = refs.isin([k for k, m in rlw.items() if m is not None]).to_numpy(dtype=bool)
    include_apprentices = refs.isin(
        [k for k, m in rlw.items() if m and m.params.get("include_apprentices", False)]
    ).to_numpy(dtype=bool)
    band = np.where(apprentice, "apprentice", age)
    statutory = _per_value(
        pd.DataFrame({"s": start, "b": band}),
        lambda s, b: (
            _f(floors.statutory(s.date(), b)) if b in ("21_plus", "18_20", "under_18", "apprentice") else np.nan
        ),
    )
    required = _per_value(
        pd.DataFrame({"s": start, "l": london}), lambda s, ldn: _f(floors.real_living_wage(s.date(), bool(ldn)))
    )
    upcoming = _per_value(
        pd.DataFrame({"s": start, "l": london}),
        lambda s, ldn: _f(floors.upcoming_real_living_wage(s.date(), as_of, bool(ldn))),
    )
    in_rlw = assessed & has_rlw & (age != "under_18") & (include_apprentices | ~apprentice)
    scaled = np.round(hourly * 10_000, 6)  # ten-thousandths of a pound, float noise removed (as the product)
    parts = []
    for rate_type, floor, scope, bands in (
        ("statutory_minimum_wage", statutory, assessed, band),
        ("real_living_wage", required, in_rlw, np.where(london, "london", "uk")),
    ):
        floor = np.where(scope, floor, np.nan)
        keep = ~np.isnan(floor)
        below = keep & (scaled < np.round(floor * 10_000, 6))
        up = np.where(scope, upcoming, np.nan) if rate_type == "real_living_wage" else np.full(len(rows), np.nan)
        below_up = ~np.isnan(up) & (scaled < np.round(up * 10_000, 6))
        frame = pd.DataFrame(
            {
                "submission": t.submission[rows],
                "band": bands,
                "required_rate": floor,
                "hourly": hourly,
                "below": below,
                "shortfall": np.where(below, (floor - hourly) * hours, 0.0),
                "upcoming": up,
                "below_upcoming": below_up,
            }
        )[keep]
        figures = (
            frame.groupby(["submission", "band"], sort=True)
            .agg(
                required_rate=("required_rate", "max"),
                workers_assessed=("hourly", "size"),
                workers_below=("below", "sum"),
                lowest_rate=("hourly", "min"),
                arrears_gbp=("shortfall", "sum"),
                upcoming_rate=("upcoming", "max"),
                workers_below_upcoming=("below_upcoming", "sum"),
            )
            .reset_index()
        )
        # to the penny after summing, half up (one Decimal per submission and band, not per worker)
        figures["arrears_gbp"] = [
            float(Decimal(repr(round(x, 6))).quantize(Decimal("0.01"), ROUND_HALF_UP)) for x in figures["arrears_gbp"]
        ]
        figures["rate_type"] = rate_type
        parts.append(figures)
    return pd.concat(parts, ignore_index=True)
