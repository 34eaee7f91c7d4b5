"""Wage floors (spec 3) held as data: the Real Living Wage and statutory minimum wage tables.

The figures live in two CSV files (``gwp_monitor/domain/data`` by default, or the directory in the
``GWP_RATES_DIR`` environment variable) so an administrator updates a rate each year by editing one
file, without touching code; see docs/rates.md. The files are small, so they are read with the csv
module and checked line by line; the per-row lookups over payroll frames are vectorised with
``numpy.searchsorted`` over the sorted rate dates.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from gwp_monitor import resources
from gwp_monitor.config.settings import Settings, current_settings

RLW_FILE = "real_living_wage.csv"
STATUTORY_FILE = "statutory_minimum_wage.csv"
StatutoryBand = Literal["21_plus", "18_20", "under_18", "apprentice"]
STATUTORY_BANDS: tuple[StatutoryBand, ...] = ("21_plus", "18_20", "under_18", "apprentice")
#: A Real Living Wage table with nothing announced in this many months is probably out of date.
STALE_AFTER_MONTHS = 13

_RLW_COLUMNS = ("year", "uk", "london", "announced", "pay_from", "source")
_STATUTORY_COLUMNS = ("from", "band", "rate", "source")
_OPTIONAL_COLUMNS = ("note",)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class RatesError(ValueError):
    """A rates file is missing or wrong; the message names the file and every bad line."""


@dataclass(frozen=True)
class LivingWageRate:
    year: str
    uk: Decimal
    london: Decimal
    announced: date
    pay_from: date
    source: str


@dataclass(frozen=True)
class StatutoryRate:
    start: date
    band: StatutoryBand
    rate: Decimal
    source: str


def default_rates_dir(settings: Settings | None = None) -> Path:
    """``GWP_RATES_DIR`` when set, otherwise the package's own data directory."""
    return (settings or current_settings()).rates_dir or resources.rates_dir()


def _read_rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) for every data line; blank lines and lines starting with # are skipped."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise RatesError(f"{path}: rates file not found") from None
    except OSError as exc:
        raise RatesError(f"{path}: cannot be read ({exc.strerror})") from None
    with handle:
        reader = csv.reader(handle)
        try:
            lines = [(reader.line_num, row) for row in reader]
        except (csv.Error, UnicodeDecodeError) as exc:
            raise RatesError(f"{path} line {reader.line_num + 1}: cannot be read as CSV ({exc})") from None
    lines = [(n, row) for n, row in lines if any(c.strip() for c in row) and not row[0].lstrip().startswith("#")]
    if not lines:
        raise RatesError(f"{path}: empty; expected a header line {','.join(required)}")
    header_line, header = lines[0]
    names = [h.strip().lower() for h in header]
    missing = [c for c in required if c not in names]
    unknown = [c for c in names if c not in required + _OPTIONAL_COLUMNS]
    if missing or unknown:
        raise RatesError(
            f"{path} line {header_line}: header must have columns {','.join(required)} (and optionally note);"
            f" missing {missing or 'none'}, unknown {unknown or 'none'}"
        )
    out = []
    problems = []
    for n, row in lines[1:]:
        if len(row) != len(names):
            problems.append(f"{path} line {n}: has {len(row)} fields, the header has {len(names)}")
            continue
        out.append((n, {k: v.strip() for k, v in zip(names, row, strict=False)}))
    if problems:
        raise RatesError("\n".join(problems))
    if not out:
        raise RatesError(f"{path}: has a header but no rates")
    return out


class _Line:
    """Field parsers for one CSV line that collect problems instead of stopping at the first."""

    def __init__(self, path: Path, n: int, row: dict[str, str], problems: list[str]) -> None:
        self.path, self.n, self.row, self.problems = path, n, row, problems

    def fail(self, message: str) -> None:
        self.problems.append(f"{self.path} line {self.n}: {message}")

    def text(self, key: str) -> str:
        if not self.row[key]:
            self.fail(f"{key} is empty")
        return self.row[key]

    def money(self, key: str) -> Decimal | None:
        try:
            value = Decimal(self.row[key])
            if value.is_finite() and value > 0:
                return value
        except InvalidOperation:
            pass
        self.fail(f"{key} {self.row[key]!r} is not a positive amount like 12.60")
        return None

    def day(self, key: str) -> date | None:
        value = self.row[key]
        if _DATE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(f"{key} {value!r} is not a date like 2025-05-01")
        return None


def _load_rlw(path: Path) -> tuple[LivingWageRate, ...]:
    problems: list[str] = []
    rates: list[LivingWageRate] = []
    seen: dict[date, int] = {}
    for n, row in _read_rows(path, _RLW_COLUMNS):
        f = _Line(path, n, row, problems)
        year, source = f.text("year"), f.text("source")
        uk, london, announced, pay_from = f.money("uk"), f.money("london"), f.day("announced"), f.day("pay_from")
        # Cross-field checks only between values that parsed, so one typo is reported once.
        if uk is not None and london is not None and london < uk:
            f.fail(f"london {london} is below uk {uk}; are the columns swapped?")
        if announced is not None and pay_from is not None and announced > pay_from:
            f.fail(f"announced {announced} is after pay_from {pay_from}")
        if pay_from is not None:
            if pay_from in seen:
                f.fail(f"pay_from {pay_from} is already used on line {seen[pay_from]}")
            seen.setdefault(pay_from, n)
        if uk is not None and london is not None and announced is not None and pay_from is not None:
            rates.append(LivingWageRate(year, uk, london, announced, pay_from, source))
    if problems:
        raise RatesError("\n".join(problems))
    return tuple(sorted(rates, key=lambda r: r.pay_from))


def _load_statutory(path: Path) -> tuple[StatutoryRate, ...]:
    problems: list[str] = []
    rates: list[StatutoryRate] = []
    seen: dict[tuple[date, str], int] = {}
    for n, row in _read_rows(path, _STATUTORY_COLUMNS):
        f = _Line(path, n, row, problems)
        band, start, rate, source = row["band"], f.day("from"), f.money("rate"), f.text("source")
        if band not in STATUTORY_BANDS:
            f.fail(f"band {band!r} is not one of {', '.join(STATUTORY_BANDS)}")
        elif start is not None:
            if (start, band) in seen:
                f.fail(f"{band} from {start} is already given on line {seen[(start, band)]}")
            seen.setdefault((start, band), n)
        if start is not None and rate is not None and band in STATUTORY_BANDS:
            rates.append(StatutoryRate(start, band, rate, source))
    # A date missing a band would silently fall back to the previous year's rate for that band.
    for start in sorted({s for s, _ in seen}):
        absent = [b for b in STATUTORY_BANDS if (start, b) not in seen]
        if absent:
            problems.append(
                f"{path}: rates from {start} lack the band(s) {', '.join(absent)}; every date needs all four"
            )
    if problems:
        raise RatesError("\n".join(problems))
    return tuple(sorted(rates, key=lambda r: (r.start, STATUTORY_BANDS.index(r.band))))


def load_wage_floors(directory: str | Path | None = None) -> WageFloors:
    """Read and check both rate tables from ``directory`` (default: see default_rates_dir)."""
    base = Path(directory) if directory is not None else default_rates_dir()
    return WageFloors(_load_rlw(base / RLW_FILE), _load_statutory(base / STATUTORY_FILE), str(base))


def _dt64(values: pd.Series) -> np.ndarray:
    """datetime64[ns] array at midnight; non-dates become NaT."""
    if not pd.api.types.is_datetime64_any_dtype(values):
        values = pd.to_datetime(values, errors="coerce")
    return values.dt.normalize().to_numpy(dtype="datetime64[ns]")


def _months_before(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last_day = (date(year + (month == 12), month % 12 + 1, 1) - date(year, month, 1)).days
    return date(year, month, min(d.day, last_day))


def _as_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


@dataclass(frozen=True)
class WageFloors:
    """Both rate tables, sorted by date, with scalar and vectorised lookups.

    Rule for every lookup (spec 3): the rate in force for a pay period is the newest one whose
    start date is on or before the period's first day; none when the period is older than the table.
    """

    rlw_rates: tuple[LivingWageRate, ...]
    statutory_rates: tuple[StatutoryRate, ...]
    directory: str = "<memory>"

    # --- scalar -----------------------------------------------------------------------------------

    def _rlw_in_force(self, period_start: date) -> LivingWageRate | None:
        period_start = _as_date(period_start)
        return next((r for r in reversed(self.rlw_rates) if r.pay_from <= period_start), None)

    def real_living_wage(self, period_start: date, london: bool) -> Decimal | None:
        """The Real Living Wage required for a period starting on ``period_start``, or None."""
        rate = self._rlw_in_force(period_start)
        return None if rate is None else (rate.london if london else rate.uk)

    def upcoming_real_living_wage(self, period_start: date, as_of: date, london: bool) -> Decimal | None:
        """The next rate workers are at risk against: announced by ``as_of``, not yet required.

        Of the rates announced on or before ``as_of`` whose pay_from is after ``period_start``, the
        one with the EARLIEST pay_from (the next rate to come in, which the supplier must plan for
        first); None when there is none. A period older than every rate can still have one.
        """
        period_start, as_of = _as_date(period_start), _as_date(as_of)
        rate = next((r for r in self.rlw_rates if r.announced <= as_of and r.pay_from > period_start), None)
        return None if rate is None else (rate.london if london else rate.uk)

    def statutory(self, period_start: date, band: StatutoryBand) -> Decimal | None:
        """The statutory minimum for ``band`` in force on ``period_start``, or None if older."""
        if band not in STATUTORY_BANDS:
            raise ValueError(f"unknown statutory band {band!r}; expected one of {', '.join(STATUTORY_BANDS)}")
        period_start = _as_date(period_start)
        rate = next((r for r in reversed(self.statutory_rates) if r.band == band and r.start <= period_start), None)
        return None if rate is None else rate.rate

    def staleness_warning(self, as_of: date) -> str | None:
        """A warning when no Real Living Wage rate was announced in the 13 months before ``as_of``.

        The Living Wage Foundation announces each autumn; a table that missed an announcement
        would assess against an old rate, so the administrator is told to add it.
        """
        as_of = _as_date(as_of)
        cutoff = _months_before(as_of, STALE_AFTER_MONTHS)
        announced = [r.announced for r in self.rlw_rates if r.announced <= as_of]
        if announced and max(announced) >= cutoff:
            return None
        newest = f"the newest was announced on {max(announced)}" if announced else "none was announced by then"
        return (
            f"The Real Living Wage table has no rate announced in the {STALE_AFTER_MONTHS} months before {as_of} "
            f"({newest}). Check the Living Wage Foundation's announcement and add it to "
            f"{Path(self.directory) / RLW_FILE} (see docs/rates.md)."
        )

    # --- vectorised -------------------------------------------------------------------------------

    @cached_property
    def _rlw_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        pay_from = np.array([r.pay_from for r in self.rlw_rates], dtype="datetime64[ns]")
        announced = np.array([r.announced for r in self.rlw_rates], dtype="datetime64[ns]")
        uk = np.array([float(r.uk) for r in self.rlw_rates], dtype=float)
        london = np.array([float(r.london) for r in self.rlw_rates], dtype=float)
        return pay_from, announced, uk, london

    @staticmethod
    def _pick(
        period_start: pd.Series, london: pd.Series, idx: np.ndarray, ok: np.ndarray, uk: np.ndarray, ldn: np.ndarray
    ) -> pd.Series:
        london_na = pd.isna(london).to_numpy()
        in_london = london.fillna(False).to_numpy(dtype=bool)
        safe = np.clip(idx, 0, max(len(uk) - 1, 0))
        values = np.where(in_london, ldn[safe], uk[safe]) if len(uk) else np.full(len(idx), np.nan)
        return pd.Series(np.where(ok & ~london_na, values, np.nan), index=period_start.index, dtype=float)

    def rlw_series(self, period_start: pd.Series, london: pd.Series) -> pd.Series:
        """Row-wise ``real_living_wage``: float rate per row, NaN when none (or NaT / NA london)."""
        pay_from, _, uk, ldn = self._rlw_arrays
        ps = _dt64(period_start)
        idx = np.searchsorted(pay_from, ps, side="right") - 1
        return self._pick(period_start, london, idx, (idx >= 0) & ~np.isnat(ps), uk, ldn)

    def upcoming_rlw_series(self, period_start: pd.Series, london: pd.Series, as_of: date) -> pd.Series:
        """Row-wise ``upcoming_real_living_wage``: float rate per row, NaN when none."""
        pay_from, announced, uk, ldn = self._rlw_arrays
        known = announced <= np.datetime64(_as_date(as_of), "ns")
        pay_from, uk, ldn = pay_from[known], uk[known], ldn[known]
        ps = _dt64(period_start)
        idx = np.searchsorted(pay_from, ps, side="right")  # first rate with pay_from > period start
        return self._pick(period_start, london, idx, (idx < len(pay_from)) & ~np.isnat(ps), uk, ldn)

    def upcoming_rlw_from_series(self, period_start: pd.Series, as_of: date) -> np.ndarray:
        """Row-wise pay-from date of ``upcoming_rlw_series``'s rate (datetime64[ns], NaT when none)."""
        pay_from, announced, _, _ = self._rlw_arrays
        pay_from = pay_from[announced <= np.datetime64(_as_date(as_of), "ns")]
        ps = _dt64(period_start)
        idx = np.searchsorted(pay_from, ps, side="right")
        ok = (idx < len(pay_from)) & ~np.isnat(ps)
        out = np.full(len(ps), np.datetime64("NaT"), dtype="datetime64[ns]")
        out[ok] = pay_from[idx[ok]]
        return out

    @cached_property
    def _statutory_arrays(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for band in STATUTORY_BANDS:
            rows = [r for r in self.statutory_rates if r.band == band]
            out[band] = (
                np.array([r.start for r in rows], dtype="datetime64[ns]"),
                np.array([float(r.rate) for r in rows], dtype=float),
            )
        return out

    def statutory_series(self, period_start: pd.Series, age_band: pd.Series, apprentice: pd.Series) -> pd.Series:
        """Row-wise statutory floor: every apprentice gets the apprentice rate, others their age band's.

        NaN where the period is older than the table, the date is NaT, apprentice is NA, or the age
        band is not one of the template's bands.
        """
        ps = _dt64(period_start)
        apprentice_na = pd.isna(apprentice).to_numpy()
        band = np.where(apprentice.fillna(False).to_numpy(dtype=bool), "apprentice", age_band.astype(object).to_numpy())
        out = np.full(len(ps), np.nan)
        for name, (starts, rates) in self._statutory_arrays.items():
            rows = np.flatnonzero((band == name) & ~apprentice_na & ~np.isnat(ps))
            if not len(rows) or not len(starts):
                continue
            idx = np.searchsorted(starts, ps[rows], side="right") - 1
            found = idx >= 0
            out[rows[found]] = rates[idx[found]]
        return pd.Series(out, index=period_start.index, dtype=float)
