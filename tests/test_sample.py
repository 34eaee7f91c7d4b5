"""The sample-data generator: deterministic, template-exact, realistic, and honest about what it broke.

The checks here are written from the spec (2.2, 2.3, 3, 4) independently of the generator's own code:
wage floors come from gwp_monitor.domain.rates, problems are found by a small spec-based checker, and
workforce verdicts are recomputed from the catalogue's rules, so a generator bug cannot hide behind
its own bookkeeping.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml

from gwp_monitor.config.register import load_register, parse_register
from gwp_monitor.demo.big_csv import write_payroll_csv
from gwp_monitor.demo.breaches import planted_breaches
from gwp_monitor.demo.dates import contract_periods
from gwp_monitor.demo.landing import write_demo_landing
from gwp_monitor.demo.mistakes import PROBLEM_KINDS, injected_problems
from gwp_monitor.demo.payroll import make_payroll
from gwp_monitor.demo.register import demo_register, write_register
from gwp_monitor.demo.sectors import contract_in_london
from gwp_monitor.demo.workforce import make_workforce
from gwp_monitor.domain.catalogue import CATALOGUE
from gwp_monitor.domain.periods import is_calendar_month
from gwp_monitor.domain.rates import load_wage_floors
from gwp_monitor.domain.templates import BOOLEAN_FALSE, BOOLEAN_TRUE, columns, monthly_column_names

APR_2025 = (date(2025, 4, 1), date(2025, 4, 30))
JUN_2025 = (date(2025, 6, 1), date(2025, 6, 30))
JUL_2025 = (date(2025, 7, 1), date(2025, 7, 31))
JUN_2026 = (date(2026, 6, 1), date(2026, 6, 30))
DEMO_AS_OF = date(2026, 1, 10)
_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)$")


@pytest.fixture(scope="module")
def register() -> dict:
    return demo_register(seed=42)


@pytest.fixture(scope="module")
def contracts(register: dict) -> list[dict]:
    return register["contracts"]


@pytest.fixture(scope="module")
def big_payroll(contracts: list[dict]) -> pd.DataFrame:
    """Enough rows that every category should show up."""
    return make_payroll(contracts, [JUN_2025, JUL_2025], seed=7, workers_per_contract=400)


@pytest.fixture(scope="module")
def floors():
    return load_wage_floors()


# --- helpers written from the spec ------------------------------------------------------------------


def _bool(series: pd.Series) -> pd.Series:
    lowered = series.astype("str").str.lower()
    return lowered.isin(BOOLEAN_TRUE)


def _effective_rate(df: pd.DataFrame) -> pd.Series:
    """Spec 4: hourly_rate where given, otherwise basic_pay / hours_paid rounded to 4 places."""
    hours = df["hours_paid"].astype(float)
    derived = (df["basic_pay"].astype(float) / hours.where(hours > 0)).round(4)
    return df["hourly_rate"].astype(float).fillna(derived)


def _floors_of(df: pd.DataFrame, floors) -> tuple[pd.Series, pd.Series]:
    starts = pd.to_datetime(df["period_start"])
    rlw = floors.rlw_series(starts, _bool(df["london"]))
    statutory = floors.statutory_series(starts, df["age_band"], _bool(df["apprentice"]))
    return rlw, statutory


def _in_rlw_scope(df: pd.DataFrame, contracts: list[dict]) -> pd.Series:
    """Spec 3.1: 18 and over; apprentices only when the commitment includes them."""
    includes = {
        c["contract_ref"]: any(
            e.get("type") == "real_living_wage" and e.get("include_apprentices") for e in c["commitments"]
        )
        for c in contracts
    }
    apprentice_ok = ~_bool(df["apprentice"]) | df["contract_ref"].map(includes).astype(bool)
    return (df["age_band"] != "under_18") & apprentice_ok


def _problems_found(df: pd.DataFrame) -> set[tuple[int, str]]:
    """(row position, problem kind) for every rule of spec 2.2 a row breaks."""
    found: set[tuple[int, str]] = set()

    def add(mask: pd.Series | np.ndarray, kind: str) -> None:
        found.update((int(i), kind) for i in np.flatnonzero(np.asarray(mask, dtype=bool)))

    cols = columns("payroll")
    for c in cols:
        if c.required:
            add(df[c.name].isna(), "missing_required")
        if c.type == "enum":
            add(df[c.name].notna() & ~df[c.name].astype("str").str.lower().isin(c.allowed), "unknown_enum")
        if c.type == "boolean":
            add(
                df[c.name].notna() & ~df[c.name].astype("str").str.lower().isin(BOOLEAN_TRUE + BOOLEAN_FALSE),
                "bad_boolean",
            )
        if c.type == "decimal":
            text = df[c.name].map(lambda v: None if pd.isna(v) else str(v))
            add(text.notna() & ~text.fillna("0").str.match(_NUMBER), "text_in_number")
    hours = pd.to_numeric(df["hours_paid"], errors="coerce")
    pay = pd.to_numeric(df["basic_pay"], errors="coerce")
    rate = pd.to_numeric(df["hourly_rate"], errors="coerce")
    add(hours < 0, "negative_hours")
    ref = df["worker_ref"].astype("str")
    add(ref.str.upper().str.fullmatch(r"[A-Z]{2}\d{6}[A-D]"), "ni_number_as_worker_ref")
    add(ref.str.contains("@"), "email_as_worker_ref")
    add(df.duplicated(["contract_ref", "period_start", "period_end", "worker_ref"], keep=False), "duplicate_worker_ref")
    implied = pay / hours.where(hours > 0)
    add(rate.notna() & implied.notna() & ((rate - implied).abs() > 0.01 * implied), "hourly_rate_inconsistent")
    months = [
        is_calendar_month(date.fromisoformat(s), date.fromisoformat(e))
        for s, e in zip(df["period_start"], df["period_end"], strict=False)
    ]
    add(~np.array(months, dtype=bool), "period_not_calendar_month")
    return found


def _workforce_breaches(df: pd.DataFrame, contracts: list[dict]) -> set[tuple[str, str, str]]:
    """(contract_ref, commitment, period_start) for every workforce commitment of spec 4 not kept."""
    out: set[tuple[str, str, str]] = set()
    by_ref = {c["contract_ref"]: c for c in contracts}
    for row in df.to_dict("records"):
        hc = row["headcount"]
        for entry in by_ref[row["contract_ref"]]["commitments"]:
            kind = entry["type"]
            union, forum, flex = (
                str(row[k]).lower() in BOOLEAN_TRUE
                for k in ("recognised_trade_union", "worker_voice_forum", "flexible_working_from_day_one")
            )
            median, mean = row["gender_pay_gap_median_pct"], row["gender_pay_gap_mean_pct"]
            broken = {
                "max_zero_hours_share": lambda: row["zero_hours_workers"] / hc > entry["max"],
                "max_agency_share": lambda: row["agency_workers"] / hc > entry["max"],
                "min_apprentices": lambda: row["apprentices"] < entry["min"],
                "min_local_resident_share": lambda: row["local_residents"] / hc < entry["min"],
                "worker_voice": lambda: not (union or forum),
                "flexible_working": lambda: not flex,
                "gender_pay_gap_reported": lambda: pd.isna(median) or pd.isna(mean),
                "max_gender_pay_gap": lambda: (not pd.isna(median)) and median > entry["max_pct"],
                "min_training_hours_per_fte": lambda: row["training_hours"] / row["fte"] < entry["min"],
            }.get(kind)
            if broken is not None and broken():
                out.add((row["contract_ref"], kind, row["period_start"]))
    return out


# --- register ---------------------------------------------------------------------------------------


def test_demo_register_follows_spec_2_1(register: dict) -> None:
    parsed = parse_register(register)  # the project's own validator accepts it
    contracts = register["contracts"]
    assert len(contracts) == len(parsed.contracts) == 6
    refs = [c["contract_ref"] for c in contracts]
    assert len(set(refs)) == len(refs)
    assert all(re.fullmatch(r"[A-Z]{3}-2025-\d{4}", r) for r in refs)
    assert all(re.fullmatch(r"\d{8}", c["supplier"]["supplier_id"]) for c in contracts)
    assert all(addr.endswith(".example") for c in contracts for addr in c["contacts"].values())
    assert all(c["returns"]["payroll"] == {"frequency": "monthly", "due_days": 15} for c in contracts)
    workforce = [c["returns"]["workforce"] for c in contracts]
    assert sum(w == {"frequency": "monthly", "due_days": 15} for w in workforce) == 1
    assert sum(w == {"frequency": "quarterly", "due_days": 30} for w in workforce) == 5
    london = [contract_in_london(c) for c in contracts]
    assert any(london) and not all(london)

    types = [e["type"] for c in contracts for e in c["commitments"]]
    assert "statutory_minimum_wage" not in types
    assert sum(1 for c in contracts if any(e["type"] == "real_living_wage" for e in c["commitments"])) >= 4
    # The types checked against the public gender pay gap register need a register imported, which the
    # demo does not do; tests/test_public_registers.py exercises them.
    listable = {name for name, spec in CATALOGUE.items() if not spec.implicit and spec.evidence == "return"}
    assert set(types) == listable  # every check of the catalogue is exercised by the demo
    for entry in (e for c in contracts for e in c["commitments"]):
        if entry["type"] == "max_zero_hours_share":
            assert 0.05 <= entry["max"] <= 0.15


def test_demo_register_is_deterministic_per_seed() -> None:
    assert demo_register(seed=3) == demo_register(seed=3)
    assert demo_register(seed=3) != demo_register(seed=4)
    assert len(demo_register(seed=3, n_contracts=25)["contracts"]) == 25
    later = demo_register(seed=3, start=date(2026, 4, 1))
    assert all(c["start_date"] >= date(2026, 4, 1) for c in later["contracts"])


def test_write_register_round_trips_through_the_register_loader(register: dict, tmp_path: Path) -> None:
    path = write_register(tmp_path / "conf" / "register.yaml", register)
    text = path.read_text(encoding="utf-8")
    assert f'supplier_id: "{register["contracts"][0]["supplier"]["supplier_id"]}"' in text  # leading zeros safe
    assert "&id" not in text  # no YAML anchors for shared dates
    loaded = load_register(path)
    assert list(loaded.contracts) == [c["contract_ref"] for c in register["contracts"]]
    assert yaml.safe_load(text) == register


# --- payroll ----------------------------------------------------------------------------------------


def test_make_payroll_is_deterministic(contracts: list[dict]) -> None:
    a = make_payroll(contracts, [JUN_2025], seed=5, breach_share=0.1, broken_rows=4)
    b = make_payroll(contracts, [JUN_2025], seed=5, breach_share=0.1, broken_rows=4)
    pd.testing.assert_frame_equal(a, b)
    assert injected_problems(a) == injected_problems(b)
    assert planted_breaches(a) == planted_breaches(b)
    c = make_payroll(contracts, [JUN_2025], seed=6, breach_share=0.1, broken_rows=4)
    assert not a.equals(c)


def test_payroll_has_exactly_the_template_columns_and_valid_values(big_payroll: pd.DataFrame) -> None:
    df = big_payroll
    assert list(df.columns) == monthly_column_names("payroll")
    for c in columns("payroll"):
        if c.required:
            assert df[c.name].notna().all(), c.name
        if c.type == "enum":
            assert set(df[c.name].dropna()) <= set(c.allowed), c.name
        if c.type == "boolean":
            assert set(df[c.name].str.lower()) <= set(BOOLEAN_TRUE + BOOLEAN_FALSE), c.name
    assert all(
        is_calendar_month(date.fromisoformat(s), date.fromisoformat(e))
        for s, e in df[["period_start", "period_end"]].drop_duplicates().itertuples(index=False)
    )
    assert (df["hours_paid"] >= 0).all() and (df["basic_pay"] >= 0).all()
    assert (df["hourly_rate"].dropna() > 0).all()
    assert np.allclose(df["basic_pay"], df["basic_pay"].round(2))
    assert _problems_found(df) == set()


def test_payroll_looks_like_a_real_workforce(big_payroll: pd.DataFrame, contracts: list[dict]) -> None:
    df = big_payroll
    assert set(df["employment_type"]) == {
        c for col in columns("payroll") if col.name == "employment_type" for c in col.allowed
    }
    assert set(df["contract_type"]) == set(next(c.allowed for c in columns("payroll") if c.name == "contract_type"))
    assert set(df["age_band"]) == set(next(c.allowed for c in columns("payroll") if c.name == "age_band"))
    assert (df["age_band"] == "21_plus").mean() > 0.7
    assert 0 < _bool(df["apprentice"]).mean() < 0.15
    zero_hours = df[df["contract_type"] == "zero_hours"]
    assert (zero_hours["hours_paid"] == 0).any() and (zero_hours["hours_paid"] > 0).any()
    worked = df[df["hours_paid"] > 0]
    assert worked["hours_paid"].between(1, 250).all()
    assert (worked["hours_paid"] < 100).any() and (worked["hours_paid"] > 150).any()  # part- and full-time
    assert df["hourly_rate"].isna().any() and df["hourly_rate"].notna().any()
    assert df["gender"].isna().any() and df["gender"].notna().mean() > 0.9
    for c in contracts:
        rows = df[df["contract_ref"] == c["contract_ref"]]
        assert rows["london"].nunique() == 1  # consistent per contract ...
        assert _bool(rows["london"]).iloc[0] == contract_in_london(c)  # ... and where the title says
        direct = rows[rows["employment_type"] == "direct"]["employer"].dropna()
        assert set(direct) == {c["supplier"]["name"]}
        others = rows[rows["employment_type"] != "direct"]["employer"].dropna()
        assert c["supplier"]["name"] not in set(others)


def test_worker_refs_are_unique_pseudonymous_and_stable(big_payroll: pd.DataFrame, contracts: list[dict]) -> None:
    df = big_payroll
    assert not df.duplicated(["contract_ref", "period_start", "period_end", "worker_ref"]).any()
    assert df["worker_ref"].str.fullmatch(r"W\d{6}").all()
    june = df[df["period_start"] == "2025-06-01"].set_index(["contract_ref", "worker_ref"])
    july = df[df["period_start"] == "2025-07-01"].set_index(["contract_ref", "worker_ref"])
    both = june.index.intersection(july.index)
    assert len(both) > 0.85 * len(june)  # most people still work there a month later
    for col in ("employment_type", "age_band", "apprentice", "employer", "gender"):
        a, b = june.loc[both, col], july.loc[both, col]
        assert ((a == b) | (a.isna() & b.isna())).all(), col
    # A month made on its own is the same month made with others: the demo relies on it.
    alone = make_payroll(contracts[:1], [JUL_2025], seed=7, workers_per_contract=400)
    together = df[(df["contract_ref"] == contracts[0]["contract_ref"]) & (df["period_start"] == "2025-07-01")]
    pd.testing.assert_frame_equal(alone, together.reset_index(drop=True))


def test_hourly_rate_agrees_with_pay_over_hours_within_one_percent(big_payroll: pd.DataFrame) -> None:
    given = big_payroll[big_payroll["hourly_rate"].notna()]
    assert len(given) > 100
    implied = given["basic_pay"] / given["hours_paid"]
    assert ((given["hourly_rate"] - implied).abs() <= 0.01 * implied).all()
    assert (big_payroll.loc[big_payroll["hours_paid"] == 0, "hourly_rate"].isna()).all()


@pytest.mark.parametrize("period", [APR_2025, JUN_2025, JUN_2026])
def test_nobody_is_underpaid_unless_asked(contracts: list[dict], floors, period) -> None:
    df = make_payroll(contracts, [period], seed=11, workers_per_contract=200)
    rlw, statutory = _floors_of(df, floors)
    rate = _effective_rate(df)
    worked = df["hours_paid"] > 0
    assert (rate[worked] >= statutory[worked]).all()
    in_scope = worked & _in_rlw_scope(df, contracts)
    assert (rate[in_scope] >= rlw[in_scope]).all()
    assert planted_breaches(df) == ()
    # Most are paid at or just above the floor, as on a real low-paid contract.
    at_floor = (rate[in_scope] - np.fmax(rlw, statutory)[in_scope]) < 0.5
    assert at_floor.mean() > 0.5


def test_breach_share_underpays_that_share_against_the_real_living_wage(contracts: list[dict], floors) -> None:
    df = make_payroll(contracts, [JUN_2025], seed=11, workers_per_contract=200, breach_share=0.1)
    rlw, statutory = _floors_of(df, floors)
    rate = _effective_rate(df)
    worked = df["hours_paid"] > 0
    assert (rate[worked] >= statutory[worked]).all()  # still lawful
    in_scope = worked & _in_rlw_scope(df, contracts)
    below = in_scope & (rate < rlw)
    for c in contracts:
        mine = df["contract_ref"] == c["contract_ref"]
        n_scope = int((in_scope & mine).sum())
        assert int((below & mine).sum()) == max(1, round(0.1 * n_scope))
    committed = {c["contract_ref"] for c in contracts if any(e["type"] == "real_living_wage" for e in c["commitments"])}
    assert {b.contract_ref for b in planted_breaches(df)} == committed
    assert {b.commitment for b in planted_breaches(df)} == {"real_living_wage"}


def test_minimum_wage_share_underpays_the_statutory_minimum_on_chosen_contracts(contracts: list[dict], floors) -> None:
    target = contracts[2]["contract_ref"]
    df = make_payroll(
        contracts, [JUN_2025, JUL_2025], seed=11, workers_per_contract=60, minimum_wage_share={target: 0.05}
    )
    _, statutory = _floors_of(df, floors)
    rate = _effective_rate(df)
    worked = df["hours_paid"] > 0
    below = worked & (rate < statutory)
    assert set(df.loc[below, "contract_ref"]) == {target}
    for start in ("2025-06-01", "2025-07-01"):
        group = worked & (df["contract_ref"] == target) & (df["period_start"] == start)
        assert int((below & group).sum()) == max(1, round(0.05 * int(group.sum())))
    statutory_breaches = [b for b in planted_breaches(df) if b.commitment == "statutory_minimum_wage"]
    assert [(b.contract_ref, b.period_start) for b in statutory_breaches] == [
        (target, JUN_2025[0]),
        (target, JUL_2025[0]),
    ]


def test_london_can_be_overridden_for_hand_written_registers(contracts: list[dict], floors) -> None:
    ref = contracts[0]["contract_ref"]
    flipped = not contract_in_london(contracts[0])
    df = make_payroll(contracts[:1], [JUN_2025], seed=1, london={ref: flipped})
    assert set(_bool(df["london"])) == {flipped}


def test_broken_rows_are_exactly_the_problems_reported(contracts: list[dict]) -> None:
    clean = make_payroll(contracts, [JUN_2025], seed=21)
    broken = make_payroll(contracts, [JUN_2025], seed=21, broken_rows=len(PROBLEM_KINDS))
    problems = injected_problems(broken)
    assert [p.kind for p in problems] == list(PROBLEM_KINDS)
    assert len({p.row for p in problems}) == len(problems)
    expected = {(p.row, p.kind) for p in problems}
    expected |= {(p.other_row, p.kind) for p in problems if p.other_row is not None}
    assert _problems_found(broken) == expected
    assert all(p.file_row == p.row + 2 for p in problems)

    # Nothing else changed: only the reported cells (and the blanked rate on the negative-hours row).
    changed = set()
    for col in broken.columns:
        a, b = clean[col].astype(object), broken[col].astype(object)
        differs = ~((a == b) | (a.isna() & b.isna()))
        changed |= {(int(i), col) for i in np.flatnonzero(differs.to_numpy())}
    negative = next(p for p in problems if p.kind == "negative_hours")
    assert changed - {(negative.row, "hourly_rate")} == {(p.row, p.column) for p in problems}


def test_fewer_broken_rows_take_the_first_kinds_and_too_many_is_refused(contracts: list[dict]) -> None:
    df = make_payroll(contracts[:2], [JUN_2025], seed=2, broken_rows=3)
    assert [p.kind for p in injected_problems(df)] == list(PROBLEM_KINDS[:3])
    assert injected_problems(make_payroll(contracts[:1], [JUN_2025], seed=2)) == ()
    with pytest.raises(ValueError, match="broken_rows"):
        make_payroll(contracts[:1], [JUN_2025], seed=2, broken_rows=len(PROBLEM_KINDS) + 1)


def test_payroll_periods_must_be_calendar_months(contracts: list[dict]) -> None:
    with pytest.raises(ValueError, match="calendar month"):
        make_payroll(contracts[:1], [(date(2025, 6, 1), date(2025, 6, 28))])


# --- workforce --------------------------------------------------------------------------------------


def _schedules(contracts: list[dict], until: date) -> dict[str, list]:
    return {c["contract_ref"]: contract_periods(c, "workforce", until) for c in contracts}


def test_workforce_rows_follow_the_template(contracts: list[dict]) -> None:
    schedules = _schedules(contracts, date(2026, 3, 31))
    df = make_workforce(contracts, schedules, seed=4)
    assert list(df.columns) == monthly_column_names("workforce")
    assert len(df) == sum(len(v) for v in schedules.values())
    assert not df.duplicated(["contract_ref", "period_start", "period_end"]).any()
    for c in columns("workforce"):
        if c.required:
            assert df[c.name].notna().all(), c.name
        if c.type == "integer":
            assert (df[c.name].dropna() >= 0).all(), c.name
        if c.type == "boolean":
            assert set(df[c.name].str.lower()) <= set(BOOLEAN_TRUE + BOOLEAN_FALSE), c.name
    for name in (
        "zero_hours_workers",
        "agency_workers",
        "apprentices",
        "local_residents",
        "disabled_workers",
        "ethnic_minority_workers",
        "female_workers",
    ):
        assert (df[name].dropna() <= df.loc[df[name].notna(), "headcount"]).all(), name
    assert (df["headcount"] > 0).all() and (df["fte"] > 0).all() and (df["fte"] <= df["headcount"]).all()
    gaps = pd.concat([df["gender_pay_gap_median_pct"], df["gender_pay_gap_mean_pct"]]).dropna()
    assert gaps.between(-100, 100).all()
    pd.testing.assert_frame_equal(df, make_workforce(contracts, schedules, seed=4))


def test_workforce_breaches_are_exactly_the_planted_ones(contracts: list[dict]) -> None:
    schedules = _schedules(contracts, date(2026, 6, 30))
    kept = make_workforce(contracts, schedules, seed=8, breach_share=0.0)
    assert planted_breaches(kept) == ()
    assert _workforce_breaches(kept, contracts) == set()

    df = make_workforce(contracts, schedules, seed=8, breach_share=0.4)
    planted = {(b.contract_ref, b.commitment, b.period_start.isoformat()) for b in planted_breaches(df)}
    assert len(planted) >= 5
    assert _workforce_breaches(df, contracts) == planted


def test_workforce_tells_the_same_story_as_payroll(contracts: list[dict]) -> None:
    contract = next(
        c
        for c in contracts
        if c["returns"]["workforce"]["frequency"] == "quarterly" and c["start_date"] <= date(2025, 7, 1)
    )
    quarter = (date(2025, 7, 1), date(2025, 9, 30))
    months = [JUL_2025, (date(2025, 8, 1), date(2025, 8, 31)), (date(2025, 9, 1), date(2025, 9, 30))]
    payroll = make_payroll([contract], months, seed=9, workers_per_contract=50)
    workforce = make_workforce([contract], [quarter], seed=9, breach_share=0.0, workers_per_contract=50)
    worked = payroll[payroll["hours_paid"] > 0]
    assert workforce.at[0, "headcount"] == worked["worker_ref"].nunique()
    assert workforce.at[0, "fte"] == pytest.approx(payroll["hours_paid"].sum() / (37.5 * 52 / 12 * 3), abs=0.01)


# --- benchmark CSV ----------------------------------------------------------------------------------


def test_write_payroll_csv_writes_exactly_n_rows(tmp_path: Path) -> None:
    result = write_payroll_csv(tmp_path / "bench" / "payroll.csv", 50_000, seed=1, n_contracts=7)
    assert result.rows == 50_000
    with result.path.open(encoding="utf-8") as f:
        assert sum(1 for _ in f) == 50_001  # header + rows
    df = pd.read_csv(result.path, dtype=str, keep_default_na=False)
    assert list(df.columns) == monthly_column_names("payroll")
    counts = df["contract_ref"].value_counts()
    assert len(counts) == 7 and counts.max() - counts.min() <= 1
    assert not df.duplicated(["contract_ref", "worker_ref"]).any()
    assert set(df["period_start"]) == {"2025-06-01"} and set(df["period_end"]) == {"2025-06-30"}
    # The returned register expects exactly this period from every contract.
    register = parse_register(result.register)
    assert set(register.contracts) == set(counts.index)
    assert all(c.period_problem("payroll", *result.period) is None for c in register.contracts.values())
    # Same seed, same bytes.
    again = write_payroll_csv(tmp_path / "again.csv", 50_000, seed=1, n_contracts=7)
    assert hashlib.sha256(again.path.read_bytes()).digest() == hashlib.sha256(result.path.read_bytes()).digest()


def test_write_payroll_csv_values_are_valid(tmp_path: Path) -> None:
    result = write_payroll_csv(tmp_path / "p.csv", 20_000, seed=2, n_contracts=3, period=JUN_2026, breach_share=0.0)
    df = pd.read_csv(
        result.path,
        dtype={"hours_paid": float, "basic_pay": float, "hourly_rate": float},
        keep_default_na=False,
        na_values={"hourly_rate": [""], "employer": [""], "gender": [""]},
    )
    assert _problems_found(df) == set()
    rlw, statutory = _floors_of(df, load_wage_floors())
    rate = _effective_rate(df)
    worked = df["hours_paid"] > 0
    assert (rate[worked] >= statutory[worked]).all()
    in_scope = worked & _in_rlw_scope(df, result.register["contracts"])
    assert (rate[in_scope] >= rlw[in_scope]).all()


# --- demo landing folder ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    return write_demo_landing(tmp_path_factory.mktemp("demo"), seed=42, as_of=DEMO_AS_OF)


def test_demo_landing_writes_register_and_files_with_their_received_times(demo) -> None:
    register = load_register(demo.register_path)
    assert len(register.contracts) == 6
    on_disk = sorted(p.name for p in demo.landing.iterdir())
    assert on_disk == sorted(f.path.name for f in demo.files)
    for f in demo.files:
        assert f.path.stat().st_mtime == pytest.approx(f.received_at.timestamp(), abs=1e-6)
        assert f.received_at.tzinfo == UTC
        assert f.received_at < datetime.combine(DEMO_AS_OF, datetime.min.time(), tzinfo=UTC)
        assert f.received_at.date() > f.period_end
        assert f.late == (f.received_at.date() > f.due_date)
    assert demo.late and all(f.received_at.date() > f.due_date for f in demo.late)
    assert "late" in demo.summary()


def test_demo_landing_has_every_past_due_return_but_one_and_no_future_ones(demo) -> None:
    register = load_register(demo.register_path)
    expected = register.expected_returns(DEMO_AS_OF)
    present = {(f.contract_ref, f.kind, f.period_start) for f in demo.files}
    past_due = expected[expected["due_date"] < pd.Timestamp(DEMO_AS_OF)]
    missing = {(r.contract_ref, r.kind, r.period_start.date()) for r in past_due.itertuples()} - present
    assert missing == {(o.contract_ref, o.kind, o.period_start) for o in demo.overdue}
    assert len(demo.overdue) == 1 and demo.overdue[0].kind == "payroll"
    assert demo.overdue[0].due_date < DEMO_AS_OF
    not_due = expected[expected["due_date"] >= pd.Timestamp(DEMO_AS_OF)]
    assert {(r.contract_ref, r.kind, r.period_start.date()) for r in not_due.itertuples()} == {
        (a.contract_ref, a.kind, a.period_start) for a in demo.awaiting
    }
    assert demo.awaiting and not present & {(a.contract_ref, a.kind, a.period_start) for a in demo.awaiting}


def _xlsx_rows(path: Path) -> list[tuple]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return list(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()


def test_demo_landing_has_a_valid_xlsx(demo) -> None:
    assert demo.xlsx
    for f in demo.xlsx:
        rows = _xlsx_rows(f.path)
        assert [str(h).strip().lower() for h in rows[0]] == monthly_column_names(f.kind)
        assert len(rows) - 1 == f.rows
        assert all(isinstance(r[1], datetime) and r[1].date() == f.period_start for r in rows[1:])
        assert not any(isinstance(v, str) and v.startswith("=") for r in rows for v in r)  # values, not formulas


def test_demo_landing_has_one_broken_file_with_every_problem_kind(demo) -> None:
    (broken,) = demo.broken
    assert broken.kind == "payroll" and broken.path.suffix == ".csv"
    assert [p.kind for p in broken.problems] == list(PROBLEM_KINDS)
    df = pd.read_csv(broken.path, dtype=str, keep_default_na=False, na_values=[""])
    expected = {(p.row, p.kind) for p in broken.problems} | {
        (p.other_row, p.kind) for p in broken.problems if p.other_row is not None
    }
    assert _problems_found(df) == expected


def test_demo_landing_has_a_corrected_resubmission(demo) -> None:
    (correction,) = demo.resubmissions
    original = next(f for f in demo.files if f.path == correction.supersedes)
    assert original.superseded_by == correction.path
    assert (original.contract_ref, original.kind, original.period_start) == (
        correction.contract_ref,
        correction.kind,
        correction.period_start,
    )
    assert correction.path.stat().st_mtime > original.path.stat().st_mtime
    assert [b.commitment for b in original.breaches] == ["real_living_wage"]  # the original underpaid ...
    assert correction.breaches == ()  # ... the correction applied the uplift
    assert all(b not in demo.breaches for b in original.breaches)


def test_demo_landing_plants_wage_and_workforce_breaches(demo) -> None:
    kinds = {b.commitment for b in demo.breaches}
    assert {"real_living_wage", "statutory_minimum_wage"} <= kinds
    assert kinds - {"real_living_wage", "statutory_minimum_wage"}  # and some workforce ones
    rlw = [b for b in demo.breaches if b.commitment == "real_living_wage"]
    assert len({b.period_start for b in rlw}) == 3  # an open run of three months


@pytest.mark.slow
def test_demo_landing_is_deterministic_and_refuses_to_mix_with_old_files(demo, tmp_path: Path) -> None:
    again = write_demo_landing(tmp_path, seed=42, as_of=DEMO_AS_OF)
    assert [f.path.name for f in again.files] == [f.path.name for f in demo.files]
    for a, b in zip(again.files, demo.files, strict=False):
        if a.format == "xlsx":  # the zip and openpyxl stamp the save time, so compare the cells
            assert _xlsx_rows(a.path) == _xlsx_rows(b.path)
        else:
            assert a.path.read_bytes() == b.path.read_bytes()
        assert a.received_at == b.received_at
    with pytest.raises(FileExistsError):
        write_demo_landing(tmp_path, seed=42, as_of=DEMO_AS_OF)
    (tmp_path / "landing" / "stale.csv").write_text("old\n")
    replaced = write_demo_landing(tmp_path, seed=42, as_of=DEMO_AS_OF, overwrite=True)
    assert sorted(p.name for p in replaced.landing.iterdir()) == sorted(f.path.name for f in replaced.files)


@pytest.mark.slow
def test_demo_landing_passes_the_project_intake_except_the_broken_file(demo) -> None:
    """End to end through the real reader, preparer and Great Expectations suites: only the broken
    file is rejected, at exactly the rows the generator reports."""
    pytest.importorskip("great_expectations")
    from gwp_monitor.ingest.intake import return_files, take_in

    intake = take_in(return_files(demo.landing), load_register(demo.register_path), as_of=DEMO_AS_OF)
    rejected = [s for s in intake.submissions if s.problems]
    (broken,) = demo.broken
    assert {s.file_name for s in rejected} == {broken.path.name}
    flagged = {row for s in rejected for p in s.problems for row in p.first_rows}
    expected = {p.file_row for p in broken.problems} | {
        p.other_row + 2 for p in broken.problems if p.other_row is not None
    }
    assert flagged == expected
