"""The demo's contract register: realistic contracts for a seed, and the YAML an administrator would write.

``demo_register`` is the scenario every other part of the demo builds on (which services, where,
which commitments, which return schedules); ``write_register`` writes it in the layout of spec 2.1.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from gwp_monitor.demo.dates import add_years, first_of_month_after
from gwp_monitor.demo.sectors import BUYERS, LONDON_PLACES, NAME_STEMS, OTHER_PLACES, SECTORS, SURNAMES, slug
from gwp_monitor.demo.seeding import seeded_rng
from gwp_monitor.domain.catalogue import CATALOGUE


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
    entries: dict[str, dict[str, float]] = {
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
    rng = seeded_rng(seed, "register", n_contracts)
    code, buyer_domain = BUYERS[int(rng.integers(len(BUYERS)))]
    n = n_contracts
    sector_idx = np.resize(rng.permutation(len(SECTORS)), n)
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
    stems = rng.permutation(len(NAME_STEMS))
    contracts: list[dict[str, Any]] = []
    workforce_commitments: list[dict[str, dict[str, Any]]] = []
    for i in range(n):
        sector = SECTORS[int(sector_idx[i])]
        title = str(rng.choice(sector.titles)).format(lot=int(rng.integers(1, 7)))
        place = str(rng.choice(LONDON_PLACES if london[i] else OTHER_PLACES))
        title = f"{title} ({place})" if "lot" in title else f"{title}, {place}"
        stem = NAME_STEMS[int(stems[i % len(stems)])]
        name = f"{stem} {rng.choice(sector.supplier_suffixes)}"
        k = 2
        while name in used_names:
            name = f"{stem} {k} {rng.choice(sector.supplier_suffixes)}"
            k += 1
        used_names.add(name)
        c_start = first_of_month_after(start, 2) if i == late_start else start
        years = int(rng.choice([3, 4, 5]))
        contract: dict[str, Any] = {
            "contract_ref": f"{code}-{c_start.year}-{int(numbers[i]):04d}",
            "title": title,
            "supplier": {"supplier_id": f"{int(supplier_ids[i]):08d}", "name": name},
            "start_date": c_start,
        }
        if i != rolling:
            contract["end_date"] = add_years(c_start, years) - timedelta(days=1)
        contract["returns"] = {
            "payroll": {"frequency": "monthly", "due_days": 15},
            "workforce": {"frequency": "monthly", "due_days": 15}
            if i == monthly_workforce
            else {"frequency": "quarterly", "due_days": 30},
        }
        manager = f"{chr(97 + int(rng.integers(26)))}.{rng.choice(SURNAMES)}@{buyer_domain}"
        mailbox = str(rng.choice(["returns", "payroll", "contracts", "hr"]))
        contract["contacts"] = {"contract_manager": manager, "supplier": f"{mailbox}@{slug(name)}.example"}
        contracts.append(contract)
        workforce_commitments.append(_commitment_entries(rng, i == monthly_workforce))

    # Every catalogue type at least once (when there is room), so the demo shows every check; not those
    # checked against the public gender pay gap register, which the demo does not import.
    if n >= 3:
        for type_name, spec in CATALOGUE.items():
            if spec.implicit or spec.source_kind != "workforce" or spec.evidence != "return":
                continue
            if not any(type_name in wc for wc in workforce_commitments):
                j = int(rng.integers(n))
                workforce_commitments[j][type_name] = _default_params(type_name, rng, j == monthly_workforce)
    for i, contract in enumerate(contracts):
        entries: list[dict[str, Any]] = []
        if has_rlw[i]:
            extra = {"include_apprentices": True} if i == include_apprentices else {}
            entries.append({"type": "real_living_wage", **extra})
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
    """Write register data (as from ``demo_register``) as YAML that ``gwp_monitor.config.register.load_register`` reads.

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
        c["commitments"] = [dict(e) if set(e) == {"type"} else _FlowMap(e) for e in c.get("commitments", [])]
        contracts.append(c)
    text = yaml.dump({"contracts": contracts}, Dumper=_RegisterDumper, sort_keys=False, allow_unicode=True, width=120)
    header = "# Contract register: sample data made by `gwp-monitor demo` (gwp_monitor.demo).\n"
    path.write_text(header + text, encoding="utf-8")
    return path


def commitment_map(contract: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """A contract's commitments keyed by type, parameters only: how the generator asks "is X promised?"."""
    out: dict[str, dict[str, Any]] = {}
    for entry in contract.get("commitments") or []:
        entry = dict(entry)
        out[str(entry.pop("type"))] = entry
    return out
