"""Seeded, realistic sample data: a contract register, supplier returns and a demo landing folder.

The demo (``gwp-monitor demo``), the tests and the benchmarks all run on what this module makes, so it
has to be three things at once:

* **deterministic**: the same seed gives byte-identical data. Every random draw comes from a generator
  seeded by (seed, purpose, contract_ref, month), never from one shared stream, so a contract's workers
  and a month's pay are the same whichever other contracts or months are generated in the same call.
  That is what lets the demo write one file per contract and month, and makes a corrected
  resubmission differ from the original only where it is meant to.
* **realistic**: most workers are paid at or just above the Real Living Wage, hours look like part-time,
  full-time, zero-hours and casual work, a configurable share of workers is underpaid, and injected
  data-quality problems are the ones suppliers really make (an NI number as worker id, "£12.50" in a
  number column, a 4-weekly payroll period ...). Wage floors come from ``gwp_monitor.domain.rates`` (the same
  tables the checks use), never from figures restated here, so sample pay follows an administrator's
  rate update.
* **fast**: rows are made with numpy in vectorised blocks and turned into Arrow columns without a
  Python loop per row, so ``write_payroll_csv`` writes a million rows in about a second.

The register has no field for where the work is done (spec 2.1), but the payroll ``london`` flag must be
consistent per contract, so ``demo_register`` names the place of work in each title ("Office cleaning,
Southwark"), as councils' contract titles often do, and ``contract_in_london`` reads it back. Pass
``london={ref: bool}`` to override it for registers written by hand.
"""

from __future__ import annotations

import math
import os
import re
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import yaml

from gwp_monitor.domain.catalogue import CATALOGUE
from gwp_monitor.domain.periods import Period, is_calendar_month, is_calendar_quarter, periods_between
from gwp_monitor.domain.rates import WageFloors, load_wage_floors
from gwp_monitor.domain.templates import (
    AGE_BANDS,
    BOOLEAN_FALSE,
    BOOLEAN_TRUE,
    CONTRACT_TYPES,
    EMPLOYMENT_TYPES,
    GENDERS,
    Kind,
    column_names,
    columns,
)

__all__ = [
    "PROBLEM_KINDS",
    "DemoFiles",
    "ExpectedReturn",
    "InjectedProblem",
    "LandingFile",
    "PayrollCsv",
    "PlantedBreach",
    "contract_in_london",
    "contract_periods",
    "demo_register",
    "injected_problems",
    "make_payroll",
    "make_workforce",
    "planted_breaches",
    "write_demo_landing",
    "write_payroll_csv",
    "write_register",
]

PeriodLike = tuple[date, date] | Period  # either spelling of a return period
ShareArg = float | Mapping[str, float]

#: Standard full-time month: 37.5 hours a week x 52 / 12. Used for FTE in workforce returns.
_FTE_MONTH_HOURS = 37.5 * 52 / 12
#: Monthly probability that a worker leaves the contract (about 26% a year, typical for care/cleaning).
_ATTRITION = 0.025
#: Rows per generated block when streaming a CSV: big enough for numpy to be efficient, small enough
#: to keep memory flat whatever n_rows is.
_CHUNK_ROWS = 250_000


# --- seeding ----------------------------------------------------------------------------------------


def _key(part: object) -> int:
    """A non-negative integer for one seed component (strings via CRC32, stable across runs)."""
    if isinstance(part, (int, np.integer)) and not isinstance(part, bool):
        return int(part) % (1 << 63)
    return zlib.crc32(str(part).encode("utf-8"))


def _rng(seed: int, *parts: object) -> np.random.Generator:
    """An independent generator for one purpose; see the module docstring for why not one stream."""
    return np.random.default_rng(np.random.SeedSequence([_key(seed), *(_key(p) for p in parts)]))


# --- dates and periods ------------------------------------------------------------------------------


def _to_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip())


def _as_period(p: PeriodLike) -> tuple[date, date]:
    """(start, end) from a tuple or a gwp_monitor.domain.periods.Period."""
    if hasattr(p, "start") and hasattr(p, "end"):
        return _to_date(p.start), _to_date(p.end)
    start, end = p
    return _to_date(start), _to_date(end)


def _month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


def _month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def _month_end(index: int) -> date:
    return _month_start(index + 1) - timedelta(days=1)


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def contract_periods(contract: Mapping[str, Any], kind: Kind, until: date) -> list[tuple[date, date]]:
    """The contract's return periods of ``kind`` that have ended by ``until`` (spec 2.1).

    Empty when the contract does not expect that kind. Uses gwp_monitor.domain.periods so the sample data
    has exactly the periods the register will expect.
    """
    schedule = (contract.get("returns") or {}).get(kind)
    if not schedule:
        return []
    last = until
    if contract.get("end_date"):
        last = min(last, _to_date(contract["end_date"]))
    return [(p.start, p.end) for p in periods_between(schedule["frequency"], _to_date(contract["start_date"]), last)]


# --- sectors, places and names ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Sector:
    """A kind of outsourced public service and the shape of its workforce.

    Shares are of people on the contract; ``young`` is the share aged under 21; ``premium`` the mean
    pay premium above the wage floor for those paid above it. Rough figures for UK low-paid services.
    """

    keywords: tuple[str, ...]
    titles: tuple[str, ...]
    supplier_suffixes: tuple[str, ...]
    female: float
    zero_hours: float
    agency: float
    subcontractor: float
    part_time: float
    young: float
    premium: float


_SECTORS: tuple[_Sector, ...] = (
    _Sector(("home care", "domiciliary"), ("Home care, lot {lot}", "Domiciliary care, lot {lot}"),
            ("Care Ltd", "Homecare Ltd", "Care Services Ltd"), 0.82, 0.30, 0.06, 0.03, 0.55, 0.05, 0.05),
    _Sector(("cleaning",), ("Office cleaning", "School cleaning", "Civic buildings cleaning"),
            ("Cleaning Services Ltd", "Cleaning Ltd", "Facility Services Ltd"), 0.62, 0.10, 0.10, 0.15, 0.70, 0.05, 0.03),
    _Sector(("catering", "restaurant", "meals"), ("School catering", "Staff restaurant catering", "Meals on wheels"),
            ("Catering Ltd", "Food Services Ltd"), 0.85, 0.08, 0.05, 0.04, 0.75, 0.10, 0.04),
    _Sector(("waste", "recycling", "cleansing"), ("Waste collection", "Street cleansing", "Household recycling centres"),
            ("Environmental Services Ltd", "Recycling Ltd"), 0.10, 0.03, 0.22, 0.08, 0.08, 0.06, 0.10),
    _Sector(("security", "cctv"), ("Security services", "CCTV monitoring"),
            ("Security Ltd", "Guarding Services Ltd"), 0.15, 0.12, 0.10, 0.20, 0.25, 0.05, 0.05),
    _Sector(("grounds", "parks"), ("Grounds maintenance", "Parks and open spaces maintenance"),
            ("Landscapes Ltd", "Grounds Maintenance Ltd"), 0.20, 0.06, 0.15, 0.15, 0.20, 0.08, 0.08),
    _Sector(("leisure", "swimming"), ("Leisure centre management", "Swimming pools operation"),
            ("Leisure Trust", "Leisure Ltd"), 0.55, 0.25, 0.03, 0.05, 0.60, 0.18, 0.05),
    _Sector(("supported living", "extra care"), ("Supported living, lot {lot}", "Extra care housing support"),
            ("Support Ltd", "Care Group Ltd"), 0.75, 0.22, 0.08, 0.02, 0.45, 0.05, 0.05),
    _Sector(("facilities", "porterage", "reception"), ("Facilities management", "Reception and porterage"),
            ("Facilities Management Ltd", "Property Services Ltd"), 0.45, 0.06, 0.08, 0.25, 0.35, 0.05, 0.08),
)
_DEFAULT_SECTOR = _SECTORS[-1]

#: Places of work named in contract titles; the London ones put a contract on the London Living Wage.
_LONDON_PLACES = ("Southwark", "Camden", "Hackney", "Lambeth", "Croydon", "Islington", "Haringey", "Newham")
_OTHER_PLACES = ("Gateshead", "North Tyneside", "Sunderland", "Durham", "Leeds", "Wakefield", "Bolton", "Salford")
_LONDON_PATTERN = re.compile(r"\b(" + "|".join(("London",) + _LONDON_PLACES) + r")\b", re.IGNORECASE)

_NAME_STEMS = (
    "Tyneside", "Riverside", "Northgate", "Brightwell", "Oakfield", "Harbourside", "Meadowbank", "Kingsway",
    "Greenline", "Summit", "Ashdown", "Beacon", "Cedarwood", "Elmbridge", "Fairway", "Hillcrest", "Lakeside",
    "Millbrook", "Pennine", "Thameside", "Wessex", "Whitfield", "Castlegate", "Bridgewater",
)
_SUBCONTRACTOR_SUFFIXES = ("Support Services Ltd", "Specialist Services Ltd", "Maintenance Ltd")
_AGENCY_SUFFIXES = ("Recruitment Ltd", "Staffing Ltd", "Personnel Ltd")
_SURNAMES = ("khan", "smith", "patel", "jones", "okafor", "nowak", "campbell", "evans", "murphy", "taylor", "ali", "brown")
_BUYERS = (("NCC", "northcity.example"), ("WMC", "westmere.example"), ("SVC", "severnvale.example"), ("EDC", "eastdale.example"))


def contract_in_london(contract: Mapping[str, Any]) -> bool:
    """True when the contract's title names London or a London borough: its work is paid at the London
    Living Wage. The register has no location field (spec 2.1), so the title is the only place for it."""
    return bool(_LONDON_PATTERN.search(str(contract.get("title", ""))))


def _sector_of(title: str) -> _Sector:
    lowered = title.lower()
    for sector in _SECTORS:
        if any(k in lowered for k in sector.keywords):
            return sector
    return _DEFAULT_SECTOR


def _slug(name: str) -> str:
    words = [w for w in re.sub(r"[^a-z0-9 ]", "", name.lower()).split() if w not in ("ltd", "limited", "plc")]
    return "".join(words[:2]) or "supplier"


# --- register ---------------------------------------------------------------------------------------


def _commitment_entries(rng: np.random.Generator, workforce_monthly: bool) -> dict[str, dict[str, Any]]:
    """Random workforce commitments with the parameters councils typically set, keyed by type."""
    out: dict[str, dict[str, Any]] = {}
    draws = rng.random(9)
    if draws[0] < 0.6:
        out["max_zero_hours_share"] = {"max": float(rng.choice([0.05, 0.10, 0.15]))}
    if draws[1] < 0.4:
        out["max_agency_share"] = {"max": float(rng.choice([0.10, 0.15, 0.20]))}
    if draws[2] < 0.5:
        out["min_apprentices"] = {"min": int(rng.choice([1, 2]))}
    if draws[3] < 0.5:
        out["min_local_resident_share"] = {"min": float(rng.choice([0.25, 0.30, 0.40, 0.50]))}
    if draws[4] < 0.7:
        out["worker_voice"] = {}
    if draws[5] < 0.5:
        out["flexible_working"] = {}
    if draws[6] < 0.4:
        out["gender_pay_gap_reported"] = {}
    if draws[7] < 0.3:
        out["max_gender_pay_gap"] = {"max_pct": float(rng.choice([5.0, 10.0, 15.0]))}
    if draws[8] < 0.4:
        out["min_training_hours_per_fte"] = {"min": _training_min(rng, workforce_monthly)}
    return out


def _training_min(rng: np.random.Generator, workforce_monthly: bool) -> float:
    """Training hours per FTE per return period: the period is a month or a quarter."""
    return float(rng.choice([1.5, 2.0])) if workforce_monthly else float(rng.choice([4.0, 6.0, 8.0]))


def _default_params(type_name: str, rng: np.random.Generator, workforce_monthly: bool) -> dict[str, Any]:
    """Parameters for a commitment added only so that every catalogue type appears in the register."""
    entries = {
        "max_zero_hours_share": {"max": 0.10},
        "max_agency_share": {"max": 0.15},
        "min_apprentices": {"min": 1},
        "min_local_resident_share": {"min": 0.30},
        "max_gender_pay_gap": {"max_pct": 10.0},
        "min_training_hours_per_fte": {"min": _training_min(rng, workforce_monthly)},
    }
    return dict(entries.get(type_name, {}))


def demo_register(seed: int = 42, n_contracts: int = 6, start: date = date(2025, 4, 1)) -> dict[str, Any]:
    """A contract register as plain YAML-able data (spec 2.1), realistic and deterministic for a seed.

    Most contracts carry the Real Living Wage (one with ``include_apprentices: true``), all have
    monthly payroll returns due in 15 days and quarterly workforce returns due in 30 days except one
    with monthly workforce returns, one starts two months after the others and one has no end date.
    Titles name the place of work, London or not (see ``contract_in_london``). With three or more
    contracts every commitment type of the catalogue appears at least once, so the demo exercises every
    check. statutory_minimum_wage is never listed: it is always on.
    """
    if n_contracts < 1:
        raise ValueError("n_contracts must be at least 1")
    rng = _rng(seed, "register", n_contracts)
    code, buyer_domain = _BUYERS[int(rng.integers(len(_BUYERS)))]
    n = n_contracts
    sector_idx = np.resize(rng.permutation(len(_SECTORS)), n)
    # About a third in London, at least one of each when there are two or more contracts.
    london = rng.random(n) < 0.35
    if n >= 2:
        london[0], london[1] = True, False
        london = london[rng.permutation(n)]
    numbers = 101 + rng.choice(9898, size=n, replace=False)
    supplier_ids = 1_000_000 + rng.choice(15_000_000, size=n, replace=False)  # 8 digits, leading zero mostly
    has_rlw = rng.random(n) < 0.85
    if n >= 3:
        has_rlw[int(rng.integers(n))] = False  # one contract without: its low pay is not a breach
        if has_rlw.sum() < n - 1:
            has_rlw[:] = True
            has_rlw[int(rng.integers(n))] = False
    rlw_positions = np.flatnonzero(has_rlw)
    include_apprentices = int(rng.choice(rlw_positions)) if n >= 4 and len(rlw_positions) else -1
    monthly_workforce = int(rng.integers(n)) if n >= 2 else -1
    late_start = int(rng.integers(n)) if n >= 4 else -1
    rolling = int(rng.integers(n)) if n >= 3 else -1

    used_names: set[str] = set()
    stems = rng.permutation(len(_NAME_STEMS))
    contracts: list[dict[str, Any]] = []
    workforce_commitments: list[dict[str, dict[str, Any]]] = []
    for i in range(n):
        sector = _SECTORS[int(sector_idx[i])]
        title = str(rng.choice(sector.titles)).format(lot=int(rng.integers(1, 7)))
        place = str(rng.choice(_LONDON_PLACES if london[i] else _OTHER_PLACES))
        title = f"{title} ({place})" if "lot" in title else f"{title}, {place}"
        stem = _NAME_STEMS[int(stems[i % len(stems)])]
        name = f"{stem} {rng.choice(sector.supplier_suffixes)}"
        k = 2
        while name in used_names:
            name = f"{stem} {k} {rng.choice(sector.supplier_suffixes)}"
            k += 1
        used_names.add(name)
        c_start = _month_start(_month_index(start) + 2) if i == late_start else start
        years = int(rng.choice([3, 4, 5]))
        contract: dict[str, Any] = {
            "contract_ref": f"{code}-{c_start.year}-{int(numbers[i]):04d}",
            "title": title,
            "supplier": {"supplier_id": f"{int(supplier_ids[i]):08d}", "name": name},
            "start_date": c_start,
        }
        if i != rolling:
            contract["end_date"] = _add_years(c_start, years) - timedelta(days=1)
        contract["returns"] = {
            "payroll": {"frequency": "monthly", "due_days": 15},
            "workforce": {"frequency": "monthly", "due_days": 15} if i == monthly_workforce
            else {"frequency": "quarterly", "due_days": 30},
        }
        manager = f"{chr(97 + int(rng.integers(26)))}.{rng.choice(_SURNAMES)}@{buyer_domain}"
        mailbox = str(rng.choice(["returns", "payroll", "contracts", "hr"]))
        contract["contacts"] = {"contract_manager": manager, "supplier": f"{mailbox}@{_slug(name)}.example"}
        contracts.append(contract)
        workforce_commitments.append(_commitment_entries(rng, i == monthly_workforce))

    # Every catalogue type at least once (when there is room), so the demo shows every check.
    if n >= 3:
        for type_name, spec in CATALOGUE.items():
            if spec.implicit or spec.source_kind != "workforce":
                continue
            if not any(type_name in wc for wc in workforce_commitments):
                j = int(rng.integers(n))
                workforce_commitments[j][type_name] = _default_params(type_name, rng, j == monthly_workforce)
    for i, contract in enumerate(contracts):
        entries: list[dict[str, Any]] = []
        if has_rlw[i]:
            entries.append({"type": "real_living_wage", **({"include_apprentices": True} if i == include_apprentices else {})})
        for type_name in CATALOGUE:  # catalogue order, so registers read the same way every time
            if type_name in workforce_commitments[i]:
                entries.append({"type": type_name, **workforce_commitments[i][type_name]})
        contract["commitments"] = entries
    contracts.sort(key=lambda c: c["contract_ref"])
    return {"contracts": contracts}


class _FlowMap(dict):
    """A mapping written on one line ({type: max_zero_hours_share, max: 0.05}), as in the spec."""


class _RegisterDumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        # Contracts share date objects; "&id001 2025-04-01" anchors would confuse a human editor.
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # All-digit identifiers (Companies House numbers like 08064685) are quoted: a YAML 1.2 reader or a
    # spreadsheet would otherwise read them as numbers and drop the leading zero.
    style = '"' if value.isdigit() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_RegisterDumper.add_representer(str, _represent_str)
_RegisterDumper.add_representer(
    _FlowMap, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=True)
)


def write_register(path: str | Path, data: Mapping[str, Any]) -> Path:
    """Write register data (as from ``demo_register``) as YAML that ``register.load_register`` reads.

    Return schedules and parameterised commitments are written on one line each, as in spec 2.1, so
    the file reads like one an administrator wrote.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    contracts = []
    for contract in data["contracts"]:
        c = dict(contract)
        if "returns" in c:
            c["returns"] = {k: _FlowMap(v) for k, v in c["returns"].items()}
        c["commitments"] = [
            dict(e) if set(e) == {"type"} else _FlowMap(e) for e in c.get("commitments", [])
        ]
        contracts.append(c)
    text = yaml.dump({"contracts": contracts}, Dumper=_RegisterDumper, sort_keys=False, allow_unicode=True, width=120)
    header = "# Contract register (spec 2.1): sample data made by gwp_monitor.demo.sample.\n"
    path.write_text(header + text, encoding="utf-8")
    return path


# --- per-contract profile ---------------------------------------------------------------------------

#: Spellings of true/false a supplier's payroll system may use; all are accepted (spec 2.2).
_BOOL_STYLES: tuple[tuple[str, str], ...] = tuple(
    dict.fromkeys(
        style for t, f in zip(BOOLEAN_TRUE, BOOLEAN_FALSE) for style in ((t, f), (t.upper(), f.upper()), (t.title(), f.title()))
    )
)  # ordered and de-duplicated ("1"/"0" has no upper case), so a seed picks the same style in every process


def _code(vocabulary: Sequence[str], name: str) -> int:
    """Index of a template enumeration value; fails loudly if the template renamed it."""
    return list(vocabulary).index(name)


_E = {n: _code(EMPLOYMENT_TYPES, n) for n in ("direct", "subcontractor", "agency")}
_C = {n: _code(CONTRACT_TYPES, n) for n in ("permanent", "fixed_term", "zero_hours", "minimum_hours", "casual", "annualised")}
_A = {n: _code(AGE_BANDS, n) for n in ("under_18", "18_20", "21_plus")}
_G = {n: _code(GENDERS, n) for n in ("female", "male", "other", "not_disclosed")}


@dataclass(frozen=True)
class _Profile:
    """How one supplier's workforce on one contract looks and how its payroll system writes files."""

    contract_ref: str
    supplier_name: str
    supplier_domain: str
    london: bool
    sector: _Sector
    start_month: int
    zero_hours: float
    agency: float
    subcontractor: float
    apprentice_rate: float
    rlw_covers_apprentices: bool
    local_share: float
    bool_style: tuple[str, str]
    hourly_rate_share: float
    employer_blank: float
    gender_blank: float
    employers: tuple[str, ...]  # [supplier, subcontractors..., agencies...]
    n_subcontractors: int
    id_base: int
    union: bool
    forum: bool
    flexible: bool
    reports_diversity: bool
    reports_gpg: bool
    reports_training: bool
    commitments: Mapping[str, Mapping[str, Any]] = field(hash=False)


def _commitment_map(contract: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for entry in contract.get("commitments") or []:
        entry = dict(entry)
        out[str(entry.pop("type"))] = entry
    return out


def _profile(contract: Mapping[str, Any], seed: int, workers: int, london: Mapping[str, bool] | None) -> _Profile:
    ref = str(contract["contract_ref"])
    rng = _rng(seed, "profile", ref)
    supplier = str((contract.get("supplier") or {}).get("name") or "Supplier Ltd")
    sector = _sector_of(str(contract.get("title", "")))
    commitments = _commitment_map(contract)
    zero_hours = sector.zero_hours
    if "max_zero_hours_share" in commitments:
        zero_hours = min(zero_hours, float(commitments["max_zero_hours_share"]["max"]) * rng.uniform(0.3, 0.8))
    agency = sector.agency
    if "max_agency_share" in commitments:
        agency = min(agency, float(commitments["max_agency_share"]["max"]) * rng.uniform(0.3, 0.8))
    apprentice_rate = 0.03
    if "min_apprentices" in commitments:
        apprentice_rate = max(apprentice_rate, (int(commitments["min_apprentices"]["min"]) + 1.5) / max(workers, 1))
    local_share = float(rng.uniform(0.35, 0.8))
    if "min_local_resident_share" in commitments:
        local_share = min(0.95, float(commitments["min_local_resident_share"]["min"]) + rng.uniform(0.08, 0.25))
    stems = rng.permutation(len(_NAME_STEMS))
    n_sub, n_agency = int(rng.integers(1, 3)), int(rng.integers(1, 3))
    subs = tuple(f"{_NAME_STEMS[int(stems[i])]} {rng.choice(_SUBCONTRACTOR_SUFFIXES)}" for i in range(n_sub))
    agencies = tuple(f"{_NAME_STEMS[int(stems[n_sub + i])]} {rng.choice(_AGENCY_SUFFIXES)}" for i in range(n_agency))
    rlw = commitments.get("real_living_wage", {})
    draws = rng.random(8)
    return _Profile(
        contract_ref=ref,
        supplier_name=supplier,
        supplier_domain=f"{_slug(supplier)}.example",
        london=bool(london[ref]) if london is not None and ref in london else contract_in_london(contract),
        sector=sector,
        start_month=_month_index(_to_date(contract.get("start_date", date(2025, 4, 1)))),
        zero_hours=float(zero_hours),
        agency=float(agency),
        subcontractor=sector.subcontractor,
        apprentice_rate=float(apprentice_rate),
        rlw_covers_apprentices=bool(rlw.get("include_apprentices", False)),
        local_share=local_share,
        bool_style=_BOOL_STYLES[int(rng.integers(len(_BOOL_STYLES)))],
        hourly_rate_share=float(rng.choice([1.0, 0.0, 0.6], p=[0.45, 0.30, 0.25])),
        employer_blank=float(rng.choice([0.0, 0.02])),
        gender_blank=float(rng.choice([0.0, 0.03, 0.08])),
        employers=(supplier, *subs, *agencies),
        n_subcontractors=n_sub,
        id_base=int(rng.integers(1, 400_000)),
        union=bool(draws[0] < 0.4),
        forum=bool(draws[1] < 0.6),
        flexible=bool(draws[2] < 0.6),
        reports_diversity=bool(draws[3] < 0.7),
        reports_gpg=bool(draws[4] < 0.6),
        reports_training=bool(draws[5] < 0.6),
        commitments=commitments,
    )


def _id_width(profile: _Profile, workers: int) -> int:
    """Digits of worker numbers: six ("W000123") unless the contract is huge; fixed per contract so a
    worker's ref is the same in every month."""
    return max(6, len(str(profile.id_base + 4 * workers + 10)))


# --- workers ----------------------------------------------------------------------------------------


def _pick(u: np.ndarray, codes: Sequence[int], probs: Sequence[float]) -> np.ndarray:
    """Categorical draw by inverse CDF from uniforms ``u`` (vectorised)."""
    cum = np.cumsum(np.asarray(probs, dtype=float))
    cum /= cum[-1]
    k = np.minimum(np.searchsorted(cum, u, side="right"), len(codes) - 1)
    return np.asarray(codes, dtype=np.int8)[k]


def _draw_workers(rng: np.random.Generator, n: int, p: _Profile) -> dict[str, np.ndarray]:
    """Stable attributes of ``n`` new workers: what stays the same from month to month."""
    s = p.sector
    u = rng.random((24, n))  # one row of uniforms per attribute; spare rows keep old draws stable when one is added
    agency_share = p.agency
    sub_share = min(p.subcontractor, 0.95 - agency_share)
    employment = _pick(u[0], [_E["direct"], _E["subcontractor"], _E["agency"]],
                       [1 - agency_share - sub_share, sub_share, agency_share])
    # Agency staff are mostly on zero-hours or casual terms; solve for the rest so the contract's
    # overall zero-hours share is about the profile's.
    z = float(np.clip((p.zero_hours - agency_share * 0.35) / max(1 - agency_share, 1e-9), 0, 0.9))
    direct_ct = _pick(u[1], [_C["zero_hours"], _C["minimum_hours"], _C["casual"], _C["fixed_term"], _C["annualised"], _C["permanent"]],
                      [z, 0.08, 0.04, 0.07, 0.04, max(1 - z - 0.23, 0.01)])
    agency_ct = _pick(u[1], [_C["zero_hours"], _C["casual"], _C["fixed_term"]], [0.35, 0.35, 0.30])
    contract_type = np.where(employment == _E["agency"], agency_ct, direct_ct).astype(np.int8)
    age = _pick(u[2], [_A["under_18"], _A["18_20"], _A["21_plus"]], [s.young * 0.15, s.young * 0.85, 1 - s.young])
    young = age != _A["21_plus"]
    apprentice = (employment == _E["direct"]) & (u[3] < p.apprentice_rate * np.where(young, 2.5, 0.8))
    # Apprentices are on an apprenticeship agreement: fixed term (or permanent), full time.
    contract_type = np.where(apprentice, np.where(u[4] < 0.7, _C["fixed_term"], _C["permanent"]), contract_type).astype(np.int8)
    part_time = (u[4] < s.part_time) & ~apprentice
    full_time_weekly = np.array([35.0, 37.5, 37.5, 39.0, 40.0])[np.minimum((u[5] * 5).astype(int), 4)]
    part_time_weekly = 8.0 + np.floor(u[5] * 45) / 2  # 8 to 30 hours in half hours
    minimum_weekly = np.array([8.0, 10.0, 12.0, 16.0, 20.0])[np.minimum((u[5] * 5).astype(int), 4)]
    weekly = np.where(contract_type == _C["minimum_hours"], minimum_weekly, np.where(part_time, part_time_weekly, full_time_weekly))
    salaried = ((contract_type == _C["permanent"]) & ~part_time) | (contract_type == _C["annualised"])
    female = min(max(s.female, 0.0), 0.95)
    gender = _pick(u[6], [_G["female"], _G["male"], _G["other"], _G["not_disclosed"]], [female, 0.96 - female, 0.005, 0.035])
    premium = np.where(u[9] < 0.45, 0.0, -np.log1p(-u[10] * 0.999) * s.premium)
    premium = np.minimum(premium + np.where(u[11] < 0.06, 0.12 + 0.23 * u[12], 0.0), 0.8)  # supervisors
    n_sub = p.n_subcontractors
    n_agency = len(p.employers) - 1 - n_sub
    employer = np.where(
        employment == _E["direct"], 0,
        np.where(employment == _E["subcontractor"], 1 + np.floor(u[16] * n_sub), 1 + n_sub + np.floor(u[16] * n_agency)),
    ).astype(np.int16)
    return {
        "employment": employment,
        "contract_type": contract_type,
        "age": age,
        "apprentice": apprentice,
        "weekly": weekly,
        "monthly": np.round(weekly * 52 / 12, 2),
        "salaried": salaried,
        "gender": gender,
        "gender_blank": u[7] < p.gender_blank,
        "pay_u": u[8],
        "premium": premium,
        "outscope_extra": 0.25 * u[13],
        "local": u[14] < p.local_share,
        "disabled": u[15] < 0.09,
        "ethnic_minority": u[17] < (0.45 if p.london else 0.12),
        "employer": employer,
        "employer_blank": u[18] < p.employer_blank,
        "rate_given": u[19] < p.hourly_rate_share,
        "below_fraction": 0.05 + 0.85 * u[20],
        "shortfall": 0.10 + 1.40 * u[21],
    }


def _take(w: Mapping[str, np.ndarray], idx: np.ndarray) -> dict[str, np.ndarray]:
    return {k: v[idx] for k, v in w.items()}


@dataclass
class _Pool:
    """Everyone who worked on one contract from its start to ``last_month``, joiners included."""

    ids: np.ndarray
    join: np.ndarray
    leave: np.ndarray  # first month no longer on the contract
    w: dict[str, np.ndarray]

    def active(self, month: int, start_month: int) -> np.ndarray:
        m = max(month, start_month)  # before the contract started: the staff it started with
        return np.flatnonzero((self.join <= m) & (self.leave > m))


def _pool(p: _Profile, seed: int, workers: int, last_month: int) -> _Pool:
    """Build the contract's workforce month by month: the starting staff, then leavers and joiners.

    Each month's joiners come from their own seeded generator, so the pool up to a month is the same
    whatever later months are asked for, and a worker keeps their ref in every month they work.
    """
    parts: list[dict[str, np.ndarray]] = []
    joins, leaves = [], []
    for month in range(p.start_month, max(last_month, p.start_month) + 1):
        rng = _rng(seed, "cohort", p.contract_ref, workers, month)
        n = workers if month == p.start_month else int(rng.poisson(_ATTRITION * workers))
        if n == 0:
            continue
        stay = rng.geometric(_ATTRITION, n)
        parts.append(_draw_workers(rng, n, p))
        joins.append(np.full(n, month))
        leaves.append(month + stay)
    w = {k: np.concatenate([part[k] for part in parts]) for k in parts[0]} if parts else {}
    join = np.concatenate(joins) if joins else np.empty(0, dtype=int)
    ids = p.id_base + np.arange(len(join))
    return _Pool(ids, join, np.concatenate(leaves) if leaves else np.empty(0, dtype=int), w)


# --- hours and pay ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Floors:
    """The wage floors for one pay period, looked up through gwp_monitor.domain.rates."""

    rlw_uk: float
    rlw_london: float
    statutory: np.ndarray  # by template age code
    apprentice: float


def _period_floors(floors: WageFloors, period_start: date, cache: dict[date, _Floors]) -> _Floors:
    if period_start in cache:
        return cache[period_start]
    ts = pd.Timestamp(period_start)
    rlw = floors.rlw_series(pd.Series([ts, ts]), pd.Series([False, True])).to_numpy()
    bands = list(AGE_BANDS)
    n = len(bands) + 1
    statutory = floors.statutory_series(
        pd.Series([ts] * n), pd.Series(bands + [bands[-1]]), pd.Series([False] * len(bands) + [True])
    ).to_numpy()
    if np.isnan(statutory).any():
        raise ValueError(
            f"the statutory minimum wage table has no rate for a period starting {period_start}: "
            "sample pay needs it (add the rate to the rates data or pick a later period)"
        )
    out = _Floors(float(rlw[0]), float(rlw[1]), statutory[: len(bands)], float(statutory[-1]))
    cache[period_start] = out
    return out


def _ceil_penny(x: np.ndarray) -> np.ndarray:
    # round(..., 6) first: 12.6 * 100 is 1260.0000000000002 in floating point, which is not a penny more.
    return np.ceil(np.round(x * 100, 6)) / 100


def _floor_penny(x: np.ndarray) -> np.ndarray:
    return np.floor(np.round(x * 100, 6)) / 100


def _lowest(eligible: np.ndarray, u: np.ndarray, k: int) -> np.ndarray:
    """Mask of the ``k`` eligible rows with the lowest ``u``: the same workers month after month."""
    out = np.zeros(len(u), dtype=bool)
    if k <= 0:
        return out
    keys = np.where(eligible, u, np.inf)
    order = np.argpartition(keys, k - 1)[:k] if k < len(keys) else np.arange(len(keys))  # O(n), not a sort
    out[order[eligible[order]]] = True
    return out


def _how_many(share: float, of: int) -> int:
    """Workers to underpay for a requested share: at least one when a share is asked for at all."""
    if share <= 0 or of <= 0:
        return 0
    return min(of, max(1, int(round(share * of))))


@dataclass
class _Month:
    hours: np.ndarray
    rate: np.ndarray
    pay: np.ndarray
    below_rlw: np.ndarray
    below_statutory: np.ndarray


def _month_pay(
    rng: np.random.Generator, w: Mapping[str, np.ndarray], p: _Profile, period: tuple[date, date],
    fl: _Floors, breach_share: float, minimum_share: float,
) -> _Month:
    """Hours, hourly rate and basic pay of each worker for one calendar month.

    Pay is built from the floors: workers meant to be compliant get floor x (1 + their premium),
    rounded up to the penny, and their basic pay is rounded up too, so basic_pay / hours_paid never
    dips below the floor by rounding (which would be a false breach). The underpaid are the workers
    with the lowest stable ``pay_u``, so an underpaid worker stays underpaid in the following months.
    """
    n = len(w["weekly"])
    start, end = period
    weeks = np.busday_count(start, end + timedelta(days=1)) / 5.0
    u = rng.random((3, n))
    noise = rng.normal(1.0, 0.04, n)
    ct = w["contract_type"]
    hours = np.where(w["salaried"], w["monthly"], w["weekly"] * weeks * noise)
    hours = np.where(ct == _C["zero_hours"], np.where(u[0] < 0.12, 0.0, (4 + 34 * u[1]) * weeks), hours)
    hours = np.where(ct == _C["casual"], np.where(u[0] < 0.25, 0.0, (3 + 21 * u[1]) * weeks), hours)
    hours = np.where(ct == _C["minimum_hours"], (w["weekly"] + 12 * u[1]) * weeks, hours)
    hours = np.where(w["salaried"], hours, np.round(hours * 4) / 4)  # hourly-paid: quarter hours
    hours = np.where((hours > 0) & (hours < 1), 1.0, hours)

    statutory = np.where(w["apprentice"], fl.apprentice, fl.statutory[w["age"]])
    rlw = np.full(n, fl.rlw_london if p.london else fl.rlw_uk)
    # Real Living Wage scope (spec 3.1): 18 and over; apprentices only if the commitment says so.
    in_scope = (w["age"] != _A["under_18"]) & (~w["apprentice"] | p.rlw_covers_apprentices) & ~np.isnan(rlw)
    worked = hours > 0
    below_statutory = _lowest(worked, w["pay_u"], _how_many(minimum_share, int(worked.sum())))
    gap = rlw - statutory
    can_be_below = worked & in_scope & ~below_statutory & (gap >= 0.02)
    below_rlw = _lowest(can_be_below, w["pay_u"], _how_many(breach_share, int((worked & in_scope).sum())))

    floor_in = np.fmax(rlw, statutory)
    rate = np.where(in_scope, _ceil_penny(floor_in * (1 + w["premium"])),
                    _ceil_penny(statutory * (1 + w["premium"] + w["outscope_extra"])))
    under_rlw = np.clip(_floor_penny(statutory + w["below_fraction"] * np.nan_to_num(gap)), statutory, rlw - 0.01)
    rate = np.where(below_rlw, under_rlw, rate)
    rate = np.where(below_statutory, np.maximum(_floor_penny(statutory - w["shortfall"]), 1.0), rate)
    exact = rate * hours
    underpaid = below_rlw | below_statutory
    pay = np.where(underpaid, np.round(exact, 2), _ceil_penny(exact))
    return _Month(hours, rate, pay, below_rlw, below_statutory)


# --- Arrow columns ----------------------------------------------------------------------------------


def _refs(prefix: str, ids: np.ndarray, width: int) -> pa.Array:
    """"W000123"-style strings for integer ids, built as one byte buffer (no Python loop)."""
    n = len(ids)
    if n:
        width = max(width, len(str(int(ids.max()))))
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    row = len(head) + width
    buf = np.empty((n, row), dtype=np.uint8)
    buf[:, : len(head)] = head
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    buf[:, len(head):] = (ids.astype(np.int64)[:, None] // powers) % 10 + 48
    offsets = np.arange(0, (n + 1) * row, row, dtype=np.int64)
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(buf.ravel())).cast(pa.string())


def _labels(vocabulary: Sequence[str], codes: np.ndarray, blank: np.ndarray | None = None) -> pa.Array:
    indices = pa.array(codes.astype(np.int32), mask=blank)
    return pc.take(pa.array(list(vocabulary), type=pa.string()), indices)


def _numbers(values: np.ndarray, blank: np.ndarray | None = None) -> pa.Array:
    return pa.array(values.astype(float), type=pa.float64(), mask=blank)


def _payroll_table(
    p: _Profile, period: tuple[date, date], ids: np.ndarray, width: int, w: Mapping[str, np.ndarray], m: _Month,
) -> pa.Table:
    """One (contract, month) block in the payroll template's columns and order."""
    n = len(ids)
    start, end = period
    true_s, false_s = p.bool_style
    yes_no = pa.array([false_s, true_s], type=pa.string())
    rate_blank = ~w["rate_given"] | (m.hours <= 0)
    values: dict[str, pa.Array] = {
        "contract_ref": pa.repeat(pa.scalar(p.contract_ref, pa.string()), n),
        "period_start": pa.repeat(pa.scalar(start.isoformat(), pa.string()), n),
        "period_end": pa.repeat(pa.scalar(end.isoformat(), pa.string()), n),
        "worker_ref": _refs("W", ids, width),
        "employer": _labels(p.employers, w["employer"], w["employer_blank"]),
        "employment_type": _labels(EMPLOYMENT_TYPES, w["employment"]),
        "contract_type": _labels(CONTRACT_TYPES, w["contract_type"]),
        "age_band": _labels(AGE_BANDS, w["age"]),
        "apprentice": pc.take(yes_no, pa.array(w["apprentice"].astype(np.int8))),
        "london": pa.repeat(pa.scalar(true_s if p.london else false_s, pa.string()), n),
        "hours_paid": _numbers(m.hours),
        "basic_pay": _numbers(m.pay),
        "hourly_rate": _numbers(m.rate, rate_blank),
        "gender": _labels(GENDERS, w["gender"], w["gender_blank"]),
    }
    return pa.table({name: values[name] for name in column_names("payroll")})


# --- payroll ----------------------------------------------------------------------------------------

#: The data-quality problems ``broken_rows`` injects, in the order they are used.
PROBLEM_KINDS: tuple[str, ...] = (
    "missing_required",
    "unknown_enum",
    "negative_hours",
    "text_in_number",
    "ni_number_as_worker_ref",
    "email_as_worker_ref",
    "duplicate_worker_ref",
    "hourly_rate_inconsistent",
    "period_not_calendar_month",
    "bad_boolean",
)


@dataclass(frozen=True)
class InjectedProblem:
    """One deliberate data-quality problem: at frame position ``row`` (0-based), in ``column``.

    ``other_row`` is the row whose worker_ref a duplicate copies (that row is unchanged, but a
    uniqueness check flags both). ``file_row`` is the row number a supplier sees in a CSV or XLSX
    written from the frame (header = row 1).
    """

    row: int
    column: str
    kind: str
    other_row: int | None = None

    @property
    def file_row(self) -> int:
        return self.row + 2


@dataclass(frozen=True)
class PlantedBreach:
    """A commitment deliberately not kept in the sample data, for one contract and period."""

    contract_ref: str
    commitment: str
    period_start: date
    period_end: date
    detail: str = ""


def injected_problems(frame: pd.DataFrame) -> tuple[InjectedProblem, ...]:
    """The problems ``make_payroll(..., broken_rows=N)`` put in ``frame`` (empty for a clean frame)."""
    return tuple(frame.attrs.get("problems", ()))


def planted_breaches(frame: pd.DataFrame) -> tuple[PlantedBreach, ...]:
    """The commitments a frame from ``make_payroll`` or ``make_workforce`` breaches on purpose."""
    return tuple(frame.attrs.get("breaches", ()))


def _share_for(share: ShareArg, ref: str) -> float:
    value = share.get(ref, 0.0) if isinstance(share, Mapping) else share
    value = float(value)
    if not 0 <= value <= 1:
        raise ValueError(f"a share must be between 0 and 1 (got {value} for {ref})")
    return value


@dataclass
class _PayrollBlock:
    table: pa.Table
    below_rlw: int
    below_statutory: int


def _payroll_blocks(
    contracts: Sequence[Mapping[str, Any]], periods: Sequence[PeriodLike], seed: int, workers: int,
    breach_share: ShareArg, minimum_wage_share: ShareArg, london: Mapping[str, bool] | None, floors: WageFloors | None,
) -> list[tuple[Mapping[str, Any], tuple[date, date], _PayrollBlock]]:
    if workers < 1:
        raise ValueError("workers_per_contract must be at least 1")
    months = [_as_period(p) for p in periods]
    for start, end in months:
        if not is_calendar_month(start, end):
            raise ValueError(f"payroll periods are calendar months (spec 2.2); {start} to {end} is not one")
    floors = floors or load_wage_floors()
    cache: dict[date, _Floors] = {}
    out = []
    for contract in contracts:
        p = _profile(contract, seed, workers, london)
        last = max((_month_index(s) for s, _ in months), default=p.start_month)
        pool = _pool(p, seed, workers, last)
        width = _id_width(p, workers)
        rlw_share = _share_for(breach_share, p.contract_ref)
        min_share = _share_for(minimum_wage_share, p.contract_ref)
        for period in months:
            month = _month_index(period[0])
            idx = pool.active(month, p.start_month)
            w = _take(pool.w, idx)
            rng = _rng(seed, "month", p.contract_ref, workers, month)
            m = _month_pay(rng, w, p, period, _period_floors(floors, period[0], cache), rlw_share, min_share)
            table = _payroll_table(p, period, pool.ids[idx], width, w, m)
            out.append((contract, period, _PayrollBlock(table, int(m.below_rlw.sum()), int(m.below_statutory.sum()))))
    return out


def make_payroll(
    contracts: Sequence[Mapping[str, Any]],
    periods: Sequence[PeriodLike],
    seed: int = 0,
    workers_per_contract: int = 40,
    breach_share: ShareArg = 0.0,
    broken_rows: int = 0,
    *,
    minimum_wage_share: ShareArg = 0.0,
    london: Mapping[str, bool] | None = None,
    floors: WageFloors | None = None,
) -> pd.DataFrame:
    """Payroll return rows (spec 2.2) for each contract (register dicts) and calendar month.

    Columns are exactly the payroll template's, holding what a supplier's file holds: text for
    references, dates (ISO), enumerations and booleans (each supplier has its own spelling of
    yes/no, all accepted by the spec), floats for hours and money (hourly_rate NaN where the supplier
    left it blank). About ``workers_per_contract`` people work each month; they leave and join over
    time, keep their pseudonymous ref ("W000123") from month to month, and are ordered by ref.

    ``breach_share`` is the share of Real Living Wage-scope workers (18+, not apprentices unless the
    commitment includes them) paid below the Real Living Wage but at or above the statutory minimum;
    ``minimum_wage_share`` the share of workers paid below the statutory minimum. Either may be a
    mapping contract_ref -> share. A positive share underpays at least one worker; a worker cannot be
    underpaid against the Real Living Wage in a month when it is not above their statutory minimum
    (e.g. April, before the new rate must be paid), so those months may have fewer. Everyone else is
    paid at least max(Real Living Wage, statutory minimum) if in scope, the statutory minimum if not.

    ``broken_rows`` (0 to len(PROBLEM_KINDS)) injects that many data-quality problems, each of a
    different kind, at distinct rows; ``injected_problems(frame)`` lists them. A frame with problems
    holds text in the number column that received text. ``planted_breaches(frame)`` lists the
    contract-months with underpaid workers.
    """
    if not 0 <= broken_rows <= len(PROBLEM_KINDS):
        raise ValueError(f"broken_rows must be between 0 and {len(PROBLEM_KINDS)} (one problem of each kind)")
    blocks = _payroll_blocks(contracts, periods, seed, workers_per_contract, breach_share, minimum_wage_share, london, floors)
    if blocks:
        frame = pa.concat_tables([b.table for _, _, b in blocks]).to_pandas()
    else:
        frame = pa.table({c.name: pa.array([], type=pa.float64() if c.type == "decimal" else pa.string())
                          for c in columns("payroll")}).to_pandas()
    breaches: list[PlantedBreach] = []
    for contract, (start, end), block in blocks:
        ref = str(contract["contract_ref"])
        if block.below_statutory:
            breaches.append(PlantedBreach(ref, "statutory_minimum_wage", start, end, f"{block.below_statutory} workers below"))
        if block.below_rlw and "real_living_wage" in _commitment_map(contract):
            breaches.append(PlantedBreach(ref, "real_living_wage", start, end, f"{block.below_rlw} workers below"))
    frame.attrs["breaches"] = tuple(breaches)
    frame.attrs["problems"] = ()
    if broken_rows:
        frame.attrs["problems"] = _inject_problems(frame, _rng(seed, "broken", broken_rows), broken_rows)
    return frame


def _inject_problems(frame: pd.DataFrame, rng: np.random.Generator, count: int) -> tuple[InjectedProblem, ...]:
    """Put ``count`` problems of different kinds into distinct rows of ``frame`` (in place).

    Each change makes exactly one rule fail: e.g. a negative hours_paid also blanks hourly_rate so the
    1% consistency rule does not fire as well, and text in hourly_rate is the correct rate with a
    pound sign, so only "not a number" applies. Loops over at most ten problems, never over rows.
    """
    hours = pd.to_numeric(frame["hours_paid"], errors="coerce").to_numpy()
    candidates = np.flatnonzero(hours > 0)
    if len(candidates) < count + 1:
        raise ValueError(f"need at least {count + 1} rows with hours to inject {count} problems")
    rows = [int(r) for r in rng.choice(candidates, size=count, replace=False)]
    used = set(rows)
    problems: list[InjectedProblem] = []
    for kind, row in zip(PROBLEM_KINDS, rows):
        pay, hrs = float(frame.at[row, "basic_pay"]), float(frame.at[row, "hours_paid"])
        other: int | None = None
        if kind == "missing_required":
            column, value = "employment_type", None
        elif kind == "unknown_enum":
            column, value = "contract_type", "bank"  # NHS-style bank staff: not a template value
        elif kind == "negative_hours":
            column, value = "hours_paid", -hrs
            frame.at[row, "hourly_rate"] = None
        elif kind == "text_in_number":
            column, value = "hourly_rate", f"£{pay / hrs:.2f}"
        elif kind == "ni_number_as_worker_ref":
            column, value = "worker_ref", f"QQ{int(rng.integers(0, 1_000_000)):06d}{'ABCD'[int(rng.integers(4))]}"
        elif kind == "email_as_worker_ref":
            domain = _slug(str(frame.at[row, "employer"]) if pd.notna(frame.at[row, "employer"]) else "staff") + ".example"
            column, value = "worker_ref", f"{chr(97 + int(rng.integers(26)))}.{rng.choice(_SURNAMES)}@{domain}"
        elif kind == "duplicate_worker_ref":
            same = (
                (frame["contract_ref"] == frame.at[row, "contract_ref"])
                & (frame["period_start"] == frame.at[row, "period_start"])
                & (frame["period_end"] == frame.at[row, "period_end"])
            ).to_numpy(copy=True)
            same[list(used)] = False
            partners = np.flatnonzero(same)
            if not len(partners):
                raise ValueError("need a second row in the same contract and period to duplicate a worker_ref")
            other = int(rng.choice(partners))
            used.add(other)
            column, value = "worker_ref", frame.at[other, "worker_ref"]
        elif kind == "hourly_rate_inconsistent":
            column, value = "hourly_rate", round(pay / hrs * 1.08, 2)  # 8% off: well outside the 1% rule
        elif kind == "period_not_calendar_month":
            start = date.fromisoformat(str(frame.at[row, "period_start"]))
            column, value = "period_end", (start + timedelta(days=27)).isoformat()  # a 4-weekly pay period
        elif kind == "bad_boolean":
            column, value = "apprentice", "maybe"
        else:  # pragma: no cover - PROBLEM_KINDS and this chain are kept in step
            raise AssertionError(kind)
        if isinstance(value, str) and pd.api.types.is_float_dtype(frame[column].dtype):
            frame[column] = frame[column].astype(object)  # a number column now holds text, as in the file
        frame.at[row, column] = value
        problems.append(InjectedProblem(row, column, kind, other))
    return tuple(problems)


# --- workforce --------------------------------------------------------------------------------------


def _workforce_periods(periods: Sequence[PeriodLike] | Mapping[str, Sequence[PeriodLike]], ref: str) -> list[tuple[date, date]]:
    chosen = periods.get(ref, []) if isinstance(periods, Mapping) else periods
    out = [_as_period(p) for p in chosen]
    for start, end in out:
        if not (is_calendar_month(start, end) or is_calendar_quarter(start, end)):
            raise ValueError(f"workforce periods are calendar quarters or months (spec 2.3); {start} to {end} is neither")
    return out


def _gap_pct(rates: np.ndarray, gender: np.ndarray, blank: np.ndarray, stat: str) -> float:
    """(men - women) / men x 100 of the median or mean hourly rate; NaN without both men and women."""
    men = rates[(gender == _G["male"]) & ~blank]
    women = rates[(gender == _G["female"]) & ~blank]
    if not len(men) or not len(women):
        return math.nan
    f = np.median if stat == "median" else np.mean
    m, w = float(f(men)), float(f(women))
    return round((m - w) / m * 100, 1) if m > 0 else math.nan


def make_workforce(
    contracts: Sequence[Mapping[str, Any]],
    periods: Sequence[PeriodLike] | Mapping[str, Sequence[PeriodLike]],
    seed: int = 0,
    breach_share: ShareArg = 0.15,
    workers_per_contract: int = 40,
    *,
    london: Mapping[str, bool] | None = None,
    floors: WageFloors | None = None,
) -> pd.DataFrame:
    """Workforce return rows (spec 2.3): one per contract and period, all template columns.

    ``periods`` is one list for every contract, or a mapping contract_ref -> that contract's periods
    (quarters or months, per its schedule; see ``contract_periods``). Figures come from the same
    simulated workforce as ``make_payroll`` with the same seed and workers_per_contract (headcount =
    people paid for hours in the period, FTE from their hours, gender pay gaps from their rates), so
    the two returns tell one story. Every count is <= headcount.

    Each workforce commitment in the register is then kept, or, with probability ``breach_share``
    (float, or mapping contract_ref -> share) per contract, period and commitment, breached on purpose;
    ``planted_breaches(frame)`` lists the breaches. A commitment that cannot be broken (a minimum of
    0, a maximum share of 1) is always kept.
    """
    floors = floors or load_wage_floors()
    cache: dict[date, _Floors] = {}
    rows: list[dict[str, Any]] = []
    breaches: list[PlantedBreach] = []
    for contract in contracts:
        p = _profile(contract, seed, workers_per_contract, london)
        ref = p.contract_ref
        chosen = _workforce_periods(periods, ref)
        if not chosen:
            continue
        pool = _pool(p, seed, workers_per_contract, max(_month_index(e) for _, e in chosen))
        share = _share_for(breach_share, ref)
        for start, end in chosen:
            row, broken = _workforce_row(p, pool, (start, end), seed, workers_per_contract, floors, cache, share)
            rows.append(row)
            breaches.extend(PlantedBreach(ref, name, start, end, detail) for name, detail in broken)
    frame = pd.DataFrame(rows, columns=column_names("workforce"))
    for col in columns("workforce"):
        if col.type == "integer":
            frame[col.name] = frame[col.name].astype("Int64")
        elif col.type == "decimal":
            frame[col.name] = frame[col.name].astype(float)
        else:
            frame[col.name] = frame[col.name].astype("str")
    frame.attrs["breaches"] = tuple(breaches)
    frame.attrs["problems"] = ()
    return frame


def _workforce_row(
    p: _Profile, pool: _Pool, period: tuple[date, date], seed: int, workers: int, floors: WageFloors,
    cache: dict[date, _Floors], share: float,
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The workforce figures of one contract and period, then each commitment kept or broken."""
    start, end = period
    first, last = _month_index(start), _month_index(end)
    hours_total = np.zeros(len(pool.ids))
    last_rate = np.full(len(pool.ids), np.nan)
    for month in range(first, last + 1):  # one to three months: vectorised over workers inside
        idx = pool.active(month, p.start_month)
        rng = _rng(seed, "month", p.contract_ref, workers, month)
        m = _month_pay(rng, _take(pool.w, idx), p, (_month_start(month), _month_end(month)),
                       _period_floors(floors, _month_start(month), cache), 0.0, 0.0)
        hours_total[idx] += m.hours
        last_rate[idx] = np.where(m.hours > 0, m.rate, last_rate[idx])
    worked = np.flatnonzero(hours_total > 0)
    w = _take(pool.w, worked)
    months = last - first + 1
    headcount = len(worked)
    fte = round(float(hours_total[worked].sum()) / (_FTE_MONTH_HOURS * months), 2)
    rng = _rng(seed, "workforce", p.contract_ref, workers, first, months)
    row: dict[str, Any] = {
        "contract_ref": p.contract_ref,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "headcount": headcount,
        "fte": fte,
        "zero_hours_workers": int((w["contract_type"] == _C["zero_hours"]).sum()),
        "agency_workers": int((w["employment"] == _E["agency"]).sum()),
        "apprentices": int(w["apprentice"].sum()),
        "local_residents": int(w["local"].sum()),
        "disabled_workers": int(w["disabled"].sum()) if p.reports_diversity else None,
        "ethnic_minority_workers": int(w["ethnic_minority"].sum()) if p.reports_diversity else None,
        "female_workers": int(((w["gender"] == _G["female"]) & ~w["gender_blank"]).sum()),
        "gender_pay_gap_median_pct": math.nan,
        "gender_pay_gap_mean_pct": math.nan,
        "recognised_trade_union": p.union,
        "worker_voice_forum": p.forum,
        "flexible_working_from_day_one": p.flexible,
        "training_hours": round(fte * months * float(rng.uniform(0.8, 3.0)), 1),
    }
    committed = p.commitments
    if p.reports_gpg or "gender_pay_gap_reported" in committed or "max_gender_pay_gap" in committed:
        rates = last_rate[worked]
        median = _gap_pct(rates, w["gender"], w["gender_blank"], "median")
        mean = _gap_pct(rates, w["gender"], w["gender_blank"], "mean")
        row["gender_pay_gap_median_pct"] = median if not math.isnan(median) else round(float(rng.normal(6, 5)), 1)
        row["gender_pay_gap_mean_pct"] = mean if not math.isnan(mean) else round(row["gender_pay_gap_median_pct"] + float(rng.normal(1.5, 2)), 1)
    if not (p.reports_training or "min_training_hours_per_fte" in committed):
        row["training_hours"] = math.nan

    broken: list[tuple[str, str]] = []
    for name, params in committed.items():
        if name not in _ENFORCE:
            continue
        want_breach = bool(rng.random() < share)
        detail = _ENFORCE[name](row, params, want_breach, rng)
        if detail is not None:
            broken.append((name, detail))
    for name in ("recognised_trade_union", "worker_voice_forum", "flexible_working_from_day_one"):
        row[name] = p.bool_style[0] if row[name] else p.bool_style[1]
    return row, broken


def _max_count(limit: float, headcount: int) -> int:
    """Largest count whose share of headcount is <= limit, safe against float rounding."""
    k = math.floor(limit * headcount + 1e-9)
    while k > 0 and k / headcount > limit:
        k -= 1
    return k


def _min_count(limit: float, headcount: int) -> int:
    """Smallest count whose share of headcount is >= limit, safe against float rounding."""
    k = math.ceil(limit * headcount - 1e-9)
    while k < headcount and k / headcount < limit:
        k += 1
    return k


#: Makes one workforce row keep (or, when asked, break) one commitment; returns a breach detail or None.
_Enforcer = Callable[[dict[str, Any], Mapping[str, Any], bool, np.random.Generator], "str | None"]


def _share_cap(column: str, key: str) -> _Enforcer:
    def enforce(row: dict[str, Any], params: Mapping[str, Any], breach: bool, rng: np.random.Generator) -> str | None:
        hc = row["headcount"]
        if hc == 0:
            return None
        limit = _max_count(float(params[key]), hc)
        if breach and limit < hc:
            row[column] = min(hc, limit + 1 + int(rng.integers(0, 3)))
            return f"{row[column]} of {hc}"
        row[column] = min(row[column], limit)
        return None
    return enforce


def _enforce_min_apprentices(row: dict[str, Any], params: Mapping[str, Any], breach: bool, rng: np.random.Generator) -> str | None:
    need = int(params["min"])
    if breach and need >= 1:
        row["apprentices"] = min(row["apprentices"], int(rng.integers(0, need)))
        return f"{row['apprentices']} apprentices"
    row["apprentices"] = min(max(row["apprentices"], need), row["headcount"])
    return "fewer people than apprentices required" if row["apprentices"] < need else None


def _enforce_local(row: dict[str, Any], params: Mapping[str, Any], breach: bool, rng: np.random.Generator) -> str | None:
    hc = row["headcount"]
    if hc == 0:
        return None
    need = _min_count(float(params["min"]), hc)
    if breach and need >= 1:
        row["local_residents"] = min(row["local_residents"], max(0, need - 1 - int(rng.integers(0, 3))))
        return f"{row['local_residents']} of {hc}"
    row["local_residents"] = max(row["local_residents"], need)
    return None


def _enforce_voice(row: dict[str, Any], params: Mapping[str, Any], breach: bool, rng: np.random.Generator) -> str | None:
    if breach:
        row["recognised_trade_union"] = row["worker_voice_forum"] = False
        return "no union, no forum"
    if not (row["recognised_trade_union"] or row["worker_voice_forum"]):
        row["worker_voice_forum"] = True
    return None


def _enforce_flexible(row: dict[str, Any], params: Mapping[str, Any], breach: bool, rng: np.random.Generator) -> str | None:
    row["flexible_working_from_day_one"] = not breach
    return "not from day one" if breach else None


def _enforce_gpg_reported(row: dict[str, Any], params: Mapping[str, Any], breach: bool, rng: np.random.Generator) -> str | None:
    if breach:
        row["gender_pay_gap_mean_pct"] = math.nan  # the median stays, so max_gender_pay_gap can still be assessed
        return "mean gap not reported"
    return None


def _enforce_gpg_max(row: dict[str, Any], params: Mapping[str, Any], breach: bool, rng: np.random.Generator) -> str | None:
    cap = float(params["max_pct"])
    median = row["gender_pay_gap_median_pct"]
    if breach and cap < 99:
        new = round(min(100.0, cap + float(rng.uniform(0.5, 8))), 1)
        row["gender_pay_gap_mean_pct"] = (
            row["gender_pay_gap_mean_pct"] if math.isnan(row["gender_pay_gap_mean_pct"])
            else round(min(100.0, new + float(rng.normal(1, 1.5))), 1)
        )
        row["gender_pay_gap_median_pct"] = new
        return f"median gap {new}%"
    if median > cap:
        row["gender_pay_gap_median_pct"] = round(max(-100.0, cap - float(rng.uniform(0.5, 3))), 1)
    return None


def _enforce_training(row: dict[str, Any], params: Mapping[str, Any], breach: bool, rng: np.random.Generator) -> str | None:
    fte, need = row["fte"], float(params["min"])
    if fte <= 0:
        return None
    if breach and need > 0:
        row["training_hours"] = math.floor(need * fte * float(rng.uniform(0.3, 0.85)) * 10) / 10
        return f"{row['training_hours']} hours for {fte} FTE"
    if math.isnan(row["training_hours"]) or row["training_hours"] / fte < need:
        row["training_hours"] = math.ceil(need * fte * float(rng.uniform(1.02, 1.4)) * 10) / 10
    return None


_ENFORCE: dict[str, _Enforcer] = {
    "max_zero_hours_share": _share_cap("zero_hours_workers", "max"),
    "max_agency_share": _share_cap("agency_workers", "max"),
    "min_apprentices": _enforce_min_apprentices,
    "min_local_resident_share": _enforce_local,
    "worker_voice": _enforce_voice,
    "flexible_working": _enforce_flexible,
    "gender_pay_gap_reported": _enforce_gpg_reported,
    "max_gender_pay_gap": _enforce_gpg_max,
    "min_training_hours_per_fte": _enforce_training,
}


# --- benchmark CSV ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PayrollCsv:
    """What ``write_payroll_csv`` wrote: the file, its row count and a register that covers it."""

    path: Path
    rows: int
    period: tuple[date, date]
    register: dict[str, Any]


def write_payroll_csv(
    path: str | Path,
    n_rows: int,
    seed: int = 0,
    n_contracts: int = 20,
    period: PeriodLike = (date(2025, 6, 1), date(2025, 6, 30)),
    *,
    breach_share: float = 0.02,
    floors: WageFloors | None = None,
) -> PayrollCsv:
    """Stream a valid payroll CSV of exactly ``n_rows`` rows for one month, for benchmarks.

    Rows are spread evenly over ``n_contracts`` contracts of ``demo_register(seed, n_contracts)``
    (starting two months before ``period``, so the period is one every contract expects); the
    returned ``register`` is that register, for ``write_register``. Each contract is generated in
    blocks of up to 250,000 rows with the same worker and pay model as ``make_payroll`` (without
    month-to-month churn: one month only) and written with pyarrow's CSV writer, so memory stays
    flat and a million rows take about a second.
    """
    if n_rows < 0:
        raise ValueError("n_rows must be >= 0")
    start, end = _as_period(period)
    if not is_calendar_month(start, end):
        raise ValueError(f"payroll periods are calendar months (spec 2.2); {start} to {end} is not one")
    register = demo_register(seed, n_contracts, start=_month_start(_month_index(start) - 2))
    floors = floors or load_wage_floors()
    fl = _period_floors(floors, start, {})
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    per_contract = np.full(n_contracts, n_rows // n_contracts)
    per_contract[: n_rows % n_contracts] += 1
    schema = pa.schema([(c.name, pa.float64() if c.type == "decimal" else pa.string()) for c in columns("payroll")])
    options = pacsv.WriteOptions(quoting_style="none", quoting_header="none")
    written = 0
    with pacsv.CSVWriter(str(path), schema, write_options=options) as writer:
        for contract, total in zip(register["contracts"], per_contract):
            p = _profile(contract, seed, int(total), None)
            width = _id_width(p, int(total))
            for block, offset in enumerate(range(0, int(total), _CHUNK_ROWS)):
                n = min(_CHUNK_ROWS, int(total) - offset)
                rng = _rng(seed, "bench", p.contract_ref, block)
                w = _draw_workers(rng, n, p)
                m = _month_pay(rng, w, p, (start, end), fl, breach_share, 0.0)
                ids = p.id_base + offset + np.arange(n)
                writer.write_table(_payroll_table(p, (start, end), ids, width, w, m).cast(schema))
                written += n
    return PayrollCsv(path, written, (start, end), register)


# --- demo landing folder ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpectedReturn:
    """A return the register expects that is deliberately not in the landing folder."""

    contract_ref: str
    kind: Kind
    period_start: date
    period_end: date
    due_date: date


@dataclass(frozen=True)
class LandingFile:
    """One supplier file written to the landing folder; its mtime is ``received_at`` (UTC)."""

    path: Path
    kind: Kind
    contract_ref: str
    period_start: date
    period_end: date
    due_date: date
    received_at: datetime
    format: Literal["csv", "xlsx"]
    rows: int
    problems: tuple[InjectedProblem, ...] = ()
    breaches: tuple[PlantedBreach, ...] = ()  # commitments this file's content breaks on purpose
    supersedes: Path | None = None  # a resubmission: the earlier file for the same contract and period
    superseded_by: Path | None = None

    @property
    def late(self) -> bool:
        """Received after its due date (a return received on the due date is on time, spec 2.1)."""
        return self.received_at.date() > self.due_date

    @property
    def broken(self) -> bool:
        return bool(self.problems)


@dataclass(frozen=True)
class DemoFiles:
    """What ``write_demo_landing`` wrote, so the demo can narrate it and tests can assert on it."""

    directory: Path
    register_path: Path
    landing: Path
    as_of: date
    seed: int
    register: dict[str, Any]
    files: tuple[LandingFile, ...]
    overdue: tuple[ExpectedReturn, ...]  # past due and deliberately not sent
    awaiting: tuple[ExpectedReturn, ...]  # ended but not yet due, so not sent yet
    breaches: tuple[PlantedBreach, ...]  # commitments broken on purpose in the files as finally corrected

    @property
    def broken(self) -> tuple[LandingFile, ...]:
        return tuple(f for f in self.files if f.broken)

    @property
    def late(self) -> tuple[LandingFile, ...]:
        return tuple(f for f in self.files if f.late)

    @property
    def resubmissions(self) -> tuple[LandingFile, ...]:
        return tuple(f for f in self.files if f.supersedes is not None)

    @property
    def xlsx(self) -> tuple[LandingFile, ...]:
        return tuple(f for f in self.files if f.format == "xlsx")

    def summary(self) -> str:
        """A few plain lines on what the demo data holds, for the demo command to print."""
        kinds = {k: sum(1 for f in self.files if f.kind == k) for k in ("payroll", "workforce")}
        lines = [
            f"{len(self.register['contracts'])} contracts in {self.register_path}",
            f"{len(self.files)} supplier files in {self.landing} ({kinds['payroll']} payroll, {kinds['workforce']} workforce, "
            f"{len(self.xlsx)} XLSX), as of {self.as_of}",
            f"{len(self.late)} received late, {len(self.broken)} with data-quality problems, "
            f"{len(self.resubmissions)} corrected resubmission(s)",
            f"{len(self.overdue)} return(s) overdue on purpose, {len(self.awaiting)} not yet due",
            f"{len(self.breaches)} commitment breach(es) planted",
        ]
        return "\n".join(lines)


@dataclass
class _PlannedFile:
    contract: Mapping[str, Any]
    kind: Kind
    period: tuple[date, date]
    due: date
    received: datetime
    fmt: Literal["csv", "xlsx"]
    name: str
    breach_share: float = 0.0
    minimum_share: float = 0.0
    broken_rows: int = 0
    supersedes: str | None = None
    superseded_by: str | None = None


def _default_start(as_of: date) -> date:
    """1 April of a financial year that gives the demo at least six months of returns."""
    year = as_of.year if as_of >= date(as_of.year, 10, 1) else as_of.year - 1
    return date(year, 4, 1)


def _at(day: date, rng: np.random.Generator) -> datetime:
    """A working-hours time on ``day`` in UTC: when a supplier's e-mail or upload would arrive."""
    return datetime.combine(day, time(int(rng.integers(8, 18)), int(rng.integers(0, 60))), tzinfo=timezone.utc)


def _received(rng: np.random.Generator, period_end: date, due: date, as_of: date, late: bool) -> datetime:
    """On time: 1 to due_days days after the period; late: 1 to 20 days after the due date. Always
    before the as-of date, since a file in the folder has been received by then."""
    room = (as_of - due).days - 1  # days after the due date still before as_of
    if late and room >= 1:
        return _at(due + timedelta(days=int(rng.integers(1, min(20, room) + 1))), rng)
    span = max((due - period_end).days, 1)
    day = period_end + timedelta(days=int(rng.integers(1, span + 1)))
    return _at(min(day, as_of - timedelta(days=1)), rng)


def _file_name(contract: Mapping[str, Any], kind: Kind, period: tuple[date, date], fmt: str, suffix: str = "") -> str:
    ref = str(contract["contract_ref"])
    start, end = period
    quarter = _month_index(end) - _month_index(start) == 2
    label = f"{start.year}-Q{(start.month - 1) // 3 + 1}" if quarter else f"{start:%Y-%m}"
    if fmt == "xlsx":  # the Excel supplier names files by hand
        when = f"{start.year} Q{(start.month - 1) // 3 + 1}" if quarter else f"{start:%b %Y}"
        return f"{ref} {kind} return {when}{suffix}.xlsx"
    return f"{_slug(contract['supplier']['name'])}_{ref}_{kind}_{label}{suffix}.csv"


def write_demo_landing(
    directory: str | Path,
    seed: int = 42,
    as_of: date | None = None,
    *,
    n_contracts: int = 6,
    workers_per_contract: int = 40,
    start: date | None = None,
    overwrite: bool = False,
    floors: WageFloors | None = None,
) -> DemoFiles:
    """Write ``register.yaml`` and ``landing/`` with the supplier files a council would have by ``as_of``.

    One payroll file per contract and month and one workforce file per contract and period whose
    return is past due by ``as_of``; months and quarters that have ended but are not yet due are left
    absent (``awaiting``). On purpose: one contract's latest past-due payroll return is missing
    (``overdue``); one supplier sends every return as XLSX (first sheet, plain values, title-case
    headers); one file has a row of every data-quality problem kind; one month is sent, then
    corrected by a later file (the original underpaid workers against the Real Living Wage, the
    correction applies the uplift); about one file in eight arrives after its due date, at least one;
    one contract underpays the Real Living Wage in its last three months and another the statutory
    minimum in its last month; workforce commitments are broken at random (see ``breaches``). Every
    file's mtime is its received time (UTC), which the pipeline reads as the submission time.

    ``start`` defaults to 1 April of a financial year with at least six months before ``as_of``
    (default: today, UTC). With ``overwrite`` the CSV/XLSX files already in landing/ are removed
    first; otherwise a non-empty landing/ is refused, so an old run's files never mix with these.
    """
    as_of = as_of or datetime.now(timezone.utc).date()
    directory = Path(directory)
    landing = directory / "landing"
    if landing.exists() and any(landing.iterdir()):
        if not overwrite:
            raise FileExistsError(f"{landing} is not empty; pass overwrite=True to replace its CSV and XLSX files")
        for old in landing.iterdir():
            if old.is_file() and old.suffix.lower() in (".csv", ".xlsx"):
                old.unlink()
    landing.mkdir(parents=True, exist_ok=True)
    register = demo_register(seed, n_contracts, start or _default_start(as_of))
    register_path = write_register(directory / "register.yaml", register)
    floors = floors or load_wage_floors()
    cache: dict[date, _Floors] = {}
    contracts = register["contracts"]
    rng = _rng(seed, "demo", as_of.isoformat())

    # Which return is due by as_of, and which is not yet.
    def schedule(contract: Mapping[str, Any], kind: Kind) -> tuple[list[tuple[tuple[date, date], date]], list[tuple[tuple[date, date], date]]]:
        due_days = int(contract["returns"][kind]["due_days"])
        periods = [(p, p[1] + timedelta(days=due_days)) for p in contract_periods(contract, kind, as_of - timedelta(days=1))]
        return [x for x in periods if x[1] < as_of], [x for x in periods if x[1] >= as_of]

    past: dict[str, list[tuple[tuple[date, date], date]]] = {}
    awaiting: list[ExpectedReturn] = []
    for contract in contracts:
        for kind in ("payroll", "workforce"):
            done, pending = schedule(contract, kind)
            if kind == "payroll":
                past[contract["contract_ref"]] = done
            awaiting.extend(ExpectedReturn(contract["contract_ref"], kind, s, e, d) for (s, e), d in pending)

    # Roles: which contract carries which story. Loops are over contracts, not rows.
    order = [contracts[int(i)] for i in rng.permutation(len(contracts))]
    taken: set[str] = set()

    def rlw_above_floor(contract: Mapping[str, Any], period: tuple[date, date]) -> bool:
        fl = _period_floors(floors, period[0], cache)
        rlw = fl.rlw_london if contract_in_london(contract) else fl.rlw_uk
        return bool(rlw > fl.statutory[_A["21_plus"]])

    def take(need_rlw: bool, min_months: int) -> Mapping[str, Any] | None:
        fits = [c for c in order if len(past[c["contract_ref"]]) >= min_months
                and (not need_rlw or "real_living_wage" in _commitment_map(c))]
        free = [c for c in fits if c["contract_ref"] not in taken]
        chosen = (free or fits or [None])[0]
        if chosen is not None:
            taken.add(chosen["contract_ref"])
        return chosen

    rlw_breach = take(True, 3)
    resubmit = take(True, 2)
    statutory = take(False, 1)
    broken = take(False, 1)
    overdue_c = take(False, 1)
    excel = take(False, 0)

    plans: list[_PlannedFile] = []
    overdue: list[ExpectedReturn] = []
    for contract in contracts:
        ref = contract["contract_ref"]
        fmt: Literal["csv", "xlsx"] = "xlsx" if contract is excel else "csv"
        commits = _commitment_map(contract)
        no_rlw_share = 0.0 if "real_living_wage" in commits else 0.3  # no commitment: some paid at the legal minimum
        months = past[ref]
        for i, (period, due) in enumerate(months):
            from_end = len(months) - i  # 1 = latest past-due month
            if contract is overdue_c and from_end == 1:
                overdue.append(ExpectedReturn(ref, "payroll", period[0], period[1], due))
                continue
            frng = _rng(seed, "received", ref, "payroll", period[0].isoformat())
            late = bool(frng.random() < 0.12) and contract is not broken and contract is not resubmit
            plan = _PlannedFile(contract, "payroll", period, due, _received(frng, period[1], due, as_of, late), fmt,
                                _file_name(contract, "payroll", period, fmt), breach_share=no_rlw_share)
            if contract is rlw_breach and from_end <= 3:
                plan.breach_share = 0.10
            if contract is statutory and from_end == 1:
                plan.minimum_share = 0.05
            if contract is broken and from_end == 1:
                plan.broken_rows = len(PROBLEM_KINDS)
            plans.append(plan)
        for period, due in schedule(contract, "workforce")[0]:
            frng = _rng(seed, "received", ref, "workforce", period[0].isoformat())
            wfmt: Literal["csv", "xlsx"] = fmt
            plans.append(_PlannedFile(contract, "workforce", period, due,
                                      _received(frng, period[1], due, as_of, bool(frng.random() < 0.12)), wfmt,
                                      _file_name(contract, "workforce", period, wfmt)))

    # The resubmission: a month whose first file missed the Real Living Wage for some workers,
    # corrected by a later file. Prefer a month where the Real Living Wage is above the legal minimum
    # for everyone, so the original really shows the underpayment.
    if resubmit is not None:
        candidates = [pl for pl in plans if pl.contract is resubmit and pl.kind == "payroll" and not pl.broken_rows]
        room = [pl for pl in candidates if (as_of - pl.received.date()).days >= 3]
        good = [pl for pl in room[:-1] if rlw_above_floor(resubmit, pl.period)] or room
        if good:
            original = good[-min(3, len(good))]
            original.breach_share = 0.25
            frng = _rng(seed, "resubmission", resubmit["contract_ref"])
            days = (as_of - original.received.date()).days - 1
            when = _at(original.received.date() + timedelta(days=int(frng.integers(1, max(2, min(20, days) + 1)))), frng)
            when = min(when, datetime.combine(as_of - timedelta(days=1), time(17, 0), tzinfo=timezone.utc))
            if when <= original.received:
                when = original.received + timedelta(hours=2)
            name = _file_name(resubmit, "payroll", original.period, original.fmt, "_corrected" if original.fmt == "csv" else " corrected")
            correction = _PlannedFile(resubmit, "payroll", original.period, original.due, when, original.fmt, name,
                                      breach_share=0.0, supersedes=original.name)
            original.superseded_by = name
            plans.append(correction)

    # At least one late file: make the one with the most room after its due date late.
    if not any(pl.received.date() > pl.due for pl in plans):
        movable = [pl for pl in plans if not pl.broken_rows and pl.supersedes is None and pl.superseded_by is None
                   and (as_of - pl.due).days >= 2]
        if movable:
            pl = max(movable, key=lambda x: (as_of - x.due).days)
            pl.received = _received(_rng(seed, "late", pl.name), pl.period[1], pl.due, as_of, True)

    written: list[LandingFile] = []
    breaches: list[PlantedBreach] = []
    for pl in plans:
        path = landing / pl.name
        if pl.kind == "payroll":
            frame = make_payroll([pl.contract], [pl.period], seed, workers_per_contract, pl.breach_share, pl.broken_rows,
                                 minimum_wage_share=pl.minimum_share, floors=floors)
        else:
            frame = make_workforce([pl.contract], [pl.period], seed, 0.15, workers_per_contract, floors=floors)
        if pl.superseded_by is None:
            breaches.extend(planted_breaches(frame))
        if pl.fmt == "xlsx":
            _write_xlsx(path, frame, f"{pl.kind.title()} return")
        else:
            frame.to_csv(path, index=False, float_format="%.2f", lineterminator="\n")
        stamp = pl.received.timestamp()
        os.utime(path, (stamp, stamp))
        written.append(LandingFile(
            path, pl.kind, pl.contract["contract_ref"], pl.period[0], pl.period[1], pl.due, pl.received, pl.fmt,
            len(frame), injected_problems(frame), planted_breaches(frame),
            supersedes=landing / pl.supersedes if pl.supersedes else None,
            superseded_by=landing / pl.superseded_by if pl.superseded_by else None,
        ))
    written.sort(key=lambda f: (f.contract_ref, f.kind, f.period_start, f.received_at))
    return DemoFiles(directory, register_path, landing, as_of, seed, register, tuple(written), tuple(overdue),
                     tuple(awaiting), tuple(breaches))


def _write_xlsx(path: Path, frame: pd.DataFrame, sheet: str) -> None:
    """First sheet, plain values: dates as date cells, numbers as numbers, text as text, no formulas.

    Headers are title case ("Contract_Ref"), as an Excel user retypes them; the spec matches column
    names case-insensitively.
    """
    import openpyxl  # only the demo's Excel supplier needs it

    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    ws.append([name.title() for name in frame.columns])
    out = frame.astype(object).where(frame.notna(), None)
    for col in ("period_start", "period_end"):
        out[col] = [date.fromisoformat(v) if isinstance(v, str) else v for v in out[col]]
    for values in out.itertuples(index=False, name=None):
        ws.append(list(values))
    book.save(path)
