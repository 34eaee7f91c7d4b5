"""Wage floors (spec 3): the shipped figures, the lookup rule at every boundary, vectorised lookups,
the upcoming rate, staleness and the CSV checks."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gwp_monitor.domain.rates import (
    RLW_FILE,
    STATUTORY_FILE,
    RatesError,
    WageFloors,
    default_rates_dir,
    load_wage_floors,
)

D = date
DATA = Path(__file__).resolve().parents[1] / "gwp_monitor" / "domain" / "data"


@pytest.fixture(scope="module")
def floors() -> WageFloors:
    return load_wage_floors(DATA)


def test_shipped_tables_hold_exactly_spec_3(floors: WageFloors) -> None:
    assert [(r.year, r.uk, r.london, r.announced, r.pay_from) for r in floors.rlw_rates] == [
        ("2022/23", Decimal("10.90"), Decimal("11.95"), D(2022, 9, 22), D(2023, 5, 14)),
        ("2023/24", Decimal("12.00"), Decimal("13.15"), D(2023, 10, 24), D(2024, 5, 1)),
        ("2024/25", Decimal("12.60"), Decimal("13.85"), D(2024, 10, 23), D(2025, 5, 1)),
        ("2025/26", Decimal("13.45"), Decimal("14.80"), D(2025, 10, 22), D(2026, 5, 1)),
    ]
    assert [(r.start, r.band, r.rate) for r in floors.statutory_rates] == [
        (D(2023, 4, 1), "21_plus", Decimal("10.18")),
        (D(2023, 4, 1), "18_20", Decimal("7.49")),
        (D(2023, 4, 1), "under_18", Decimal("5.28")),
        (D(2023, 4, 1), "apprentice", Decimal("5.28")),
        (D(2024, 4, 1), "21_plus", Decimal("11.44")),
        (D(2024, 4, 1), "18_20", Decimal("8.60")),
        (D(2024, 4, 1), "under_18", Decimal("6.40")),
        (D(2024, 4, 1), "apprentice", Decimal("6.40")),
        (D(2025, 4, 1), "21_plus", Decimal("12.21")),
        (D(2025, 4, 1), "18_20", Decimal("10.00")),
        (D(2025, 4, 1), "under_18", Decimal("7.55")),
        (D(2025, 4, 1), "apprentice", Decimal("7.55")),
        (D(2026, 4, 1), "21_plus", Decimal("12.71")),
        (D(2026, 4, 1), "18_20", Decimal("10.85")),
        (D(2026, 4, 1), "under_18", Decimal("8.00")),
        (D(2026, 4, 1), "apprentice", Decimal("8.00")),
    ]
    assert all("Living Wage Foundation" in r.source for r in floors.rlw_rates)
    assert all("GOV.UK" in r.source for r in floors.statutory_rates)


RLW_CASES = [
    # period_start, london, required rate (None: older than every rate)
    (D(2023, 5, 13), False, None),
    (D(2023, 5, 14), False, "10.90"),
    (D(2023, 5, 14), True, "11.95"),
    (D(2023, 5, 1), False, None),  # a monthly period starting before the first pay_from
    (D(2024, 4, 30), False, "10.90"),
    (D(2024, 5, 1), False, "12.00"),
    (D(2024, 5, 1), True, "13.15"),
    (D(2025, 4, 30), True, "13.15"),
    (D(2025, 5, 1), False, "12.60"),
    (D(2025, 5, 1), True, "13.85"),
    (D(2026, 4, 30), False, "12.60"),
    (D(2026, 5, 1), False, "13.45"),
    (D(2026, 5, 1), True, "14.80"),
    (D(2030, 1, 1), True, "14.80"),
]


@pytest.mark.parametrize("period_start, london, rate", RLW_CASES)
def test_real_living_wage_boundaries(floors: WageFloors, period_start: date, london: bool, rate: str | None) -> None:
    assert floors.real_living_wage(period_start, london) == (Decimal(rate) if rate else None)


def test_rlw_series_matches_scalar(floors: WageFloors) -> None:
    ps = pd.Series(pd.to_datetime([c[0] for c in RLW_CASES]), index=range(100, 100 + len(RLW_CASES)))
    london = pd.Series([c[1] for c in RLW_CASES], index=ps.index)
    got = floors.rlw_series(ps, london)
    assert list(got.index) == list(ps.index) and got.dtype == float
    want = [float(c[2]) if c[2] else np.nan for c in RLW_CASES]
    np.testing.assert_array_equal(got.to_numpy(), np.array(want))


def test_rlw_series_missing_inputs_give_nan(floors: WageFloors) -> None:
    ps = pd.Series(pd.to_datetime(["2025-06-01", None, "2025-06-01"]))
    london = pd.Series([pd.NA, True, False], dtype="boolean")
    assert floors.rlw_series(ps, london).isna().tolist() == [True, True, False]


STATUTORY_CASES = [
    # period_start, age_band, apprentice, rate
    (D(2023, 3, 31), "21_plus", False, None),
    (D(2023, 4, 1), "21_plus", False, "10.18"),  # 21-22 rate, not the 23+ 10.42
    (D(2024, 3, 1), "21_plus", False, "10.18"),
    (D(2024, 3, 31), "18_20", False, "7.49"),
    (D(2024, 4, 1), "21_plus", False, "11.44"),
    (D(2024, 4, 1), "18_20", False, "8.60"),
    (D(2025, 3, 31), "under_18", False, "6.40"),
    (D(2025, 4, 1), "under_18", False, "7.55"),
    (D(2025, 4, 1), "21_plus", True, "7.55"),  # every apprentice gets the apprentice rate
    (D(2025, 4, 1), "18_20", False, "10.00"),
    (D(2026, 3, 31), "21_plus", False, "12.21"),
    (D(2026, 4, 1), "21_plus", False, "12.71"),
    (D(2026, 4, 1), "18_20", True, "8.00"),
    (D(2026, 4, 1), "under_18", False, "8.00"),
]


@pytest.mark.parametrize("period_start, band, apprentice, rate", STATUTORY_CASES)
def test_statutory_boundaries(
    floors: WageFloors, period_start: date, band: str, apprentice: bool, rate: str | None
) -> None:
    assert floors.statutory(period_start, "apprentice" if apprentice else band) == (Decimal(rate) if rate else None)


def test_statutory_series_matches_scalar(floors: WageFloors) -> None:
    ps = pd.Series(pd.to_datetime([c[0] for c in STATUTORY_CASES]))
    band = pd.Series([c[1] for c in STATUTORY_CASES], dtype="category")
    apprentice = pd.Series([c[2] for c in STATUTORY_CASES])
    got = floors.statutory_series(ps, band, apprentice)
    want = [float(c[3]) if c[3] else np.nan for c in STATUTORY_CASES]
    np.testing.assert_array_equal(got.to_numpy(), np.array(want))


def test_statutory_series_unknown_band_or_missing_apprentice_give_nan(floors: WageFloors) -> None:
    ps = pd.Series(pd.to_datetime(["2025-06-01"] * 4))
    band = pd.Series(["21_plus", "over_65", None, "21_plus"])
    apprentice = pd.Series([pd.NA, False, False, False], dtype="boolean")
    assert floors.statutory_series(ps, band, apprentice).isna().tolist() == [True, True, True, False]


def test_statutory_refuses_unknown_band(floors: WageFloors) -> None:
    with pytest.raises(ValueError, match="over_65"):
        floors.statutory(D(2025, 6, 1), "over_65")  # type: ignore[arg-type]


UPCOMING_CASES = [
    # period_start, as_of, london, upcoming
    (D(2025, 6, 1), D(2025, 10, 21), False, None),  # 2025/26 not yet announced
    (D(2025, 6, 1), D(2025, 10, 22), False, "13.45"),  # announced today
    (D(2025, 6, 1), D(2025, 10, 22), True, "14.80"),
    (D(2026, 4, 1), D(2026, 4, 20), False, "13.45"),  # the day before pay_from is still at risk
    (D(2026, 5, 1), D(2026, 5, 20), False, None),  # now required, nothing newer announced
    (D(2024, 6, 1), D(2025, 11, 1), False, "12.60"),  # several ahead: the next one
    (D(2023, 5, 1), D(2023, 6, 1), False, "10.90"),  # older than every rate: the first is upcoming
]


@pytest.mark.parametrize("period_start, as_of, london, rate", UPCOMING_CASES)
def test_upcoming_real_living_wage(
    floors: WageFloors, period_start: date, as_of: date, london: bool, rate: str | None
) -> None:
    assert floors.upcoming_real_living_wage(period_start, as_of, london) == (Decimal(rate) if rate else None)
    got = floors.upcoming_rlw_series(pd.Series(pd.to_datetime([period_start])), pd.Series([london]), as_of)
    assert (got.iloc[0] == float(rate)) if rate else np.isnan(got.iloc[0])


@pytest.mark.parametrize(
    "as_of, stale",
    [
        (D(2026, 11, 22), False),  # exactly 13 months after 2025-10-22
        (D(2026, 11, 23), True),
        (D(2025, 10, 21), False),  # 2024-10-23 is within 13 months
        (D(2022, 9, 21), True),  # nothing announced yet
    ],
)
def test_staleness_warning(floors: WageFloors, as_of: date, stale: bool) -> None:
    warning = floors.staleness_warning(as_of)
    assert (warning is not None) is stale
    if stale:
        assert str(as_of) in warning and RLW_FILE in warning


def test_vectorised_lookups_scale_to_payroll_frames(floors: WageFloors) -> None:
    n = 1_000_000
    rng = np.random.default_rng(1)
    ps = pd.Series(pd.to_datetime("2023-01-01") + pd.to_timedelta(rng.integers(0, 48, n) * 30, unit="D"))
    london = pd.Series(rng.integers(0, 2, n).astype(bool))
    band = pd.Series(rng.choice(["21_plus", "18_20", "under_18"], n))
    rlw = floors.rlw_series(ps, london)
    stat = floors.statutory_series(ps, band, london)
    assert len(rlw) == len(stat) == n
    sample = rng.integers(0, n, 50)
    for i in sample:
        want = floors.real_living_wage(ps.iloc[i].date(), bool(london.iloc[i]))
        assert (rlw.iloc[i] == float(want)) if want else np.isnan(rlw.iloc[i])


# --- the files --------------------------------------------------------------------------------------


@pytest.fixture
def rates_dir(tmp_path: Path) -> Path:
    for name in (RLW_FILE, STATUTORY_FILE):
        shutil.copy(DATA / name, tmp_path / name)
    return tmp_path


def test_env_var_overrides_default_directory(rates_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with (rates_dir / RLW_FILE).open("a", encoding="utf-8") as f:
        f.write("2026/27,14.00,15.00,2026-10-20,2027-05-01,test,\n")
    monkeypatch.setenv("GWP_RATES_DIR", str(rates_dir))
    assert default_rates_dir() == rates_dir
    assert load_wage_floors().real_living_wage(D(2027, 5, 1), False) == Decimal("14.00")
    monkeypatch.delenv("GWP_RATES_DIR")
    assert load_wage_floors().real_living_wage(D(2027, 5, 1), False) == Decimal("13.45")


def test_comments_and_blank_lines_are_ignored(rates_dir: Path) -> None:
    path = rates_dir / STATUTORY_FILE
    path.write_text("# checked 2026-04-01\n" + path.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    assert len(load_wage_floors(rates_dir).statutory_rates) == 16


@pytest.mark.parametrize(
    "name, line, message",
    [
        (
            RLW_FILE,
            "2026/27,14.OO,15.00,2026-10-20,2027-05-01,x,",
            "line 6: uk '14.OO' is not a positive amount like 12.60",
        ),
        (
            RLW_FILE,
            "2026/27,15.00,14.00,2026-10-20,2027-05-01,x,",
            "line 6: london 14.00 is below uk 15.00; are the columns swapped?",
        ),
        (
            RLW_FILE,
            "2026/27,14.00,15.00,2027-10-20,2027-05-01,x,",
            "line 6: announced 2027-10-20 is after pay_from 2027-05-01",
        ),
        (
            RLW_FILE,
            "2026/27,14.00,15.00,2026-10-20,2026-05-01,x,",
            "line 6: pay_from 2026-05-01 is already used on line 5",
        ),
        (
            RLW_FILE,
            "2026/27,14.00,15.00,2026-10-20,1/5/2027,x,",
            "line 6: pay_from '1/5/2027' is not a date like 2025-05-01",
        ),
        (RLW_FILE, "2026/27,14.00,15.00,2026-10-20,2027-05-01,,", "line 6: source is empty"),
        (RLW_FILE, "2026/27,14.00", "line 6: has 2 fields, the header has 7"),
        (STATUTORY_FILE, "2027-04-01,21_plus,-1,x,", "line 18: rate '-1' is not a positive amount like 12.60"),
        (
            STATUTORY_FILE,
            "2026-04-01,over_21,13.00,x,",
            "line 18: band 'over_21' is not one of 21_plus, 18_20, under_18, apprentice",
        ),
        (STATUTORY_FILE, "2026-04-01,18_20,13.00,x,", "line 18: 18_20 from 2026-04-01 is already given on line 15"),
        (
            STATUTORY_FILE,
            "2027-04-01,21_plus,13.00,x,",
            "rates from 2027-04-01 lack the band(s) 18_20, under_18, apprentice",
        ),
    ],
)
def test_bad_lines_are_named(rates_dir: Path, name: str, line: str, message: str) -> None:
    path = rates_dir / name
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    with pytest.raises(RatesError) as err:
        load_wage_floors(rates_dir)
    assert str(path) in str(err.value)
    assert message in str(err.value)


def test_every_bad_line_is_listed(rates_dir: Path) -> None:
    path = rates_dir / RLW_FILE
    path.write_text(
        path.read_text(encoding="utf-8") + "a,x,1,2026-10-20,2027-05-01,s,\nb,1,y,2026-10-20,2028-05-01,s,\n",
        encoding="utf-8",
    )
    with pytest.raises(RatesError) as err:
        load_wage_floors(rates_dir)
    assert (
        str(err.value).count(str(path)) == 2 and "line 6: uk" in str(err.value) and "line 7: london" in str(err.value)
    )


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "empty; expected a header line"),
        ("year,uk,london,announced,pay_from\n", "line 1: header must have columns"),
        ("year,uk,london,announced,pay_from,source,colour\n", "unknown ['colour']"),
        ("year,uk,london,announced,pay_from,source\n", "has a header but no rates"),
    ],
)
def test_bad_files(rates_dir: Path, content: str, message: str) -> None:
    (rates_dir / RLW_FILE).write_text(content, encoding="utf-8")
    with pytest.raises(RatesError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_wage_floors(rates_dir)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RatesError, match="rates file not found"):
        load_wage_floors(tmp_path)


def test_a_year_without_a_rate_is_stale_in_the_shipped_table(floors: WageFloors) -> None:
    # The shipped table goes stale 13 months after the 2025 announcement unless the next is added.
    newest = max(r.announced for r in floors.rlw_rates)
    assert floors.staleness_warning(newest + timedelta(days=400)) is not None
