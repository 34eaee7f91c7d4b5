"""The people on a sample contract: each supplier's profile, and a workforce that joins and leaves.

A contract's workers are drawn once, with attributes that stay the same from month to month (age
band, contract type, usual hours, where they sit in the pay distribution), so a worker keeps their
ref and their story across a supplier's returns. Draws are vectorised with numpy: no Python loop per
worker.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from gwp_monitor.demo.dates import month_index, to_date
from gwp_monitor.demo.register import commitment_map
from gwp_monitor.demo.sectors import (
    AGENCY_SUFFIXES,
    NAME_STEMS,
    SUBCONTRACTOR_SUFFIXES,
    Sector,
    contract_in_london,
    sector_of,
    slug,
)
from gwp_monitor.demo.seeding import seeded_rng
from gwp_monitor.domain.templates import (
    AGE_BANDS,
    BOOLEAN_FALSE,
    BOOLEAN_TRUE,
    CONTRACT_TYPES,
    EMPLOYMENT_TYPES,
    GENDERS,
)

#: Monthly probability that a worker leaves the contract (about 26% a year, typical for care/cleaning).
_ATTRITION = 0.025

#: Spellings of true/false a supplier's payroll system may use; all are accepted (spec 2.2).
_BOOL_STYLES: tuple[tuple[str, str], ...] = tuple(
    dict.fromkeys(
        style
        for t, f in zip(BOOLEAN_TRUE, BOOLEAN_FALSE, strict=False)
        for style in ((t, f), (t.upper(), f.upper()), (t.title(), f.title()))
    )
)  # ordered and de-duplicated ("1"/"0" has no upper case), so a seed picks the same style in every process


def _code(vocabulary: Sequence[str], name: str) -> int:
    """Index of a template enumeration value; fails loudly if the template renamed it."""
    return list(vocabulary).index(name)


#: Integer codes of the template enumerations the generator uses (index into the template's tuple).
EMPLOYMENT = {n: _code(EMPLOYMENT_TYPES, n) for n in ("direct", "subcontractor", "agency")}
CONTRACT = {
    n: _code(CONTRACT_TYPES, n)
    for n in ("permanent", "fixed_term", "zero_hours", "minimum_hours", "casual", "annualised")
}
AGE = {n: _code(AGE_BANDS, n) for n in ("under_18", "18_20", "21_plus")}
GENDER = {n: _code(GENDERS, n) for n in ("female", "male", "other", "not_disclosed")}


@dataclass(frozen=True)
class Profile:
    """How one supplier's workforce on one contract looks and how its payroll system writes files."""

    contract_ref: str
    supplier_name: str
    supplier_domain: str
    london: bool
    sector: Sector
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


def contract_profile(
    contract: Mapping[str, Any], seed: int, workers: int, london: Mapping[str, bool] | None
) -> Profile:
    """The supplier's workforce shape and file habits for one contract, from its own seeded generator.

    Commitments in the register pull the shape towards compliance (a zero-hours cap lowers the
    zero-hours share ...), so the breaches in the sample are the ones planted on purpose.
    ``london`` overrides, per contract_ref, the place of work read from the title.
    """
    ref = str(contract["contract_ref"])
    rng = seeded_rng(seed, "profile", ref)
    supplier = str((contract.get("supplier") or {}).get("name") or "Supplier Ltd")
    sector = sector_of(str(contract.get("title", "")))
    commitments = commitment_map(contract)
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
    stems = rng.permutation(len(NAME_STEMS))
    n_sub, n_agency = int(rng.integers(1, 3)), int(rng.integers(1, 3))
    subs = tuple(f"{NAME_STEMS[int(stems[i])]} {rng.choice(SUBCONTRACTOR_SUFFIXES)}" for i in range(n_sub))
    agencies = tuple(f"{NAME_STEMS[int(stems[n_sub + i])]} {rng.choice(AGENCY_SUFFIXES)}" for i in range(n_agency))
    rlw = commitments.get("real_living_wage", {})
    draws = rng.random(8)
    return Profile(
        contract_ref=ref,
        supplier_name=supplier,
        supplier_domain=f"{slug(supplier)}.example",
        london=bool(london[ref]) if london is not None and ref in london else contract_in_london(contract),
        sector=sector,
        start_month=month_index(to_date(contract.get("start_date", date(2025, 4, 1)))),
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


def id_width(profile: Profile, workers: int) -> int:
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


def draw_workers(rng: np.random.Generator, n: int, p: Profile) -> dict[str, np.ndarray]:
    """Stable attributes of ``n`` new workers: what stays the same from month to month."""
    s = p.sector
    E, C, A, G = EMPLOYMENT, CONTRACT, AGE, GENDER  # noqa: N806 - short names keep the formulas readable
    u = rng.random((24, n))  # one row of uniforms per attribute; spare rows keep old draws stable when one is added
    agency_share = p.agency
    sub_share = min(p.subcontractor, 0.95 - agency_share)
    employment = _pick(
        u[0], [E["direct"], E["subcontractor"], E["agency"]], [1 - agency_share - sub_share, sub_share, agency_share]
    )
    # Agency staff are mostly on zero-hours or casual terms; solve for the rest so the contract's
    # overall zero-hours share is about the profile's.
    z = float(np.clip((p.zero_hours - agency_share * 0.35) / max(1 - agency_share, 1e-9), 0, 0.9))
    direct_ct = _pick(
        u[1],
        [C["zero_hours"], C["minimum_hours"], C["casual"], C["fixed_term"], C["annualised"], C["permanent"]],
        [z, 0.08, 0.04, 0.07, 0.04, max(1 - z - 0.23, 0.01)],
    )
    agency_ct = _pick(u[1], [C["zero_hours"], C["casual"], C["fixed_term"]], [0.35, 0.35, 0.30])
    contract_type = np.where(employment == E["agency"], agency_ct, direct_ct).astype(np.int8)
    age = _pick(u[2], [A["under_18"], A["18_20"], A["21_plus"]], [s.young * 0.15, s.young * 0.85, 1 - s.young])
    young = age != A["21_plus"]
    apprentice = (employment == E["direct"]) & (u[3] < p.apprentice_rate * np.where(young, 2.5, 0.8))
    # Apprentices are on an apprenticeship agreement: fixed term (or permanent), full time.
    contract_type = np.where(apprentice, np.where(u[4] < 0.7, C["fixed_term"], C["permanent"]), contract_type).astype(
        np.int8
    )
    part_time = (u[4] < s.part_time) & ~apprentice
    full_time_weekly = np.array([35.0, 37.5, 37.5, 39.0, 40.0])[np.minimum((u[5] * 5).astype(int), 4)]
    part_time_weekly = 8.0 + np.floor(u[5] * 45) / 2  # 8 to 30 hours in half hours
    minimum_weekly = np.array([8.0, 10.0, 12.0, 16.0, 20.0])[np.minimum((u[5] * 5).astype(int), 4)]
    weekly = np.where(
        contract_type == C["minimum_hours"], minimum_weekly, np.where(part_time, part_time_weekly, full_time_weekly)
    )
    salaried = ((contract_type == C["permanent"]) & ~part_time) | (contract_type == C["annualised"])
    female = min(max(s.female, 0.0), 0.95)
    gender = _pick(
        u[6], [G["female"], G["male"], G["other"], G["not_disclosed"]], [female, 0.96 - female, 0.005, 0.035]
    )
    premium = np.where(u[9] < 0.45, 0.0, -np.log1p(-u[10] * 0.999) * s.premium)
    premium = np.minimum(premium + np.where(u[11] < 0.06, 0.12 + 0.23 * u[12], 0.0), 0.8)  # supervisors
    n_sub = p.n_subcontractors
    n_agency = len(p.employers) - 1 - n_sub
    employer = np.where(
        employment == E["direct"],
        0,
        np.where(employment == E["subcontractor"], 1 + np.floor(u[16] * n_sub), 1 + n_sub + np.floor(u[16] * n_agency)),
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


def subset(w: Mapping[str, np.ndarray], idx: np.ndarray) -> dict[str, np.ndarray]:
    """The attributes of the workers at positions ``idx`` (e.g. those active in one month)."""
    return {k: v[idx] for k, v in w.items()}


@dataclass
class Pool:
    """Everyone who worked on one contract from its start to ``last_month``, joiners included."""

    ids: np.ndarray
    join: np.ndarray
    leave: np.ndarray  # first month no longer on the contract
    w: dict[str, np.ndarray]

    def active(self, month: int, start_month: int) -> np.ndarray:
        m = max(month, start_month)  # before the contract started: the staff it started with
        return np.flatnonzero((self.join <= m) & (self.leave > m))


def build_pool(p: Profile, seed: int, workers: int, last_month: int) -> Pool:
    """Build the contract's workforce month by month: the starting staff, then leavers and joiners.

    Each month's joiners come from their own seeded generator, so the pool up to a month is the same
    whatever later months are asked for, and a worker keeps their ref in every month they work.
    """
    parts: list[dict[str, np.ndarray]] = []
    joins, leaves = [], []
    for month in range(p.start_month, max(last_month, p.start_month) + 1):
        rng = seeded_rng(seed, "cohort", p.contract_ref, workers, month)
        n = workers if month == p.start_month else int(rng.poisson(_ATTRITION * workers))
        if n == 0:
            continue
        stay = rng.geometric(_ATTRITION, n)
        parts.append(draw_workers(rng, n, p))
        joins.append(np.full(n, month))
        leaves.append(month + stay)
    w = {k: np.concatenate([part[k] for part in parts]) for k in parts[0]} if parts else {}
    join = np.concatenate(joins) if joins else np.empty(0, dtype=int)
    ids = p.id_base + np.arange(len(join))
    return Pool(ids, join, np.concatenate(leaves) if leaves else np.empty(0, dtype=int), w)
