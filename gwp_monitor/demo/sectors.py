"""What the sample contracts are about: services, places of work and the names of suppliers and people.

The register has no field for where the work is done (spec 2.1), but the payroll ``london`` flag must
be consistent per contract, so ``register.demo_register`` names the place of work in each title
("Office cleaning, Southwark"), as councils' contract titles often do, and ``contract_in_london``
reads it back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Sector:
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


SECTORS: tuple[Sector, ...] = (
    Sector(
        ("home care", "domiciliary"),
        ("Home care, lot {lot}", "Domiciliary care, lot {lot}"),
        ("Care Ltd", "Homecare Ltd", "Care Services Ltd"),
        0.82,
        0.30,
        0.06,
        0.03,
        0.55,
        0.05,
        0.05,
    ),
    Sector(
        ("cleaning",),
        ("Office cleaning", "School cleaning", "Civic buildings cleaning"),
        ("Cleaning Services Ltd", "Cleaning Ltd", "Facility Services Ltd"),
        0.62,
        0.10,
        0.10,
        0.15,
        0.70,
        0.05,
        0.03,
    ),
    Sector(
        ("catering", "restaurant", "meals"),
        ("School catering", "Staff restaurant catering", "Meals on wheels"),
        ("Catering Ltd", "Food Services Ltd"),
        0.85,
        0.08,
        0.05,
        0.04,
        0.75,
        0.10,
        0.04,
    ),
    Sector(
        ("waste", "recycling", "cleansing"),
        ("Waste collection", "Street cleansing", "Household recycling centres"),
        ("Environmental Services Ltd", "Recycling Ltd"),
        0.10,
        0.03,
        0.22,
        0.08,
        0.08,
        0.06,
        0.10,
    ),
    Sector(
        ("security", "cctv"),
        ("Security services", "CCTV monitoring"),
        ("Security Ltd", "Guarding Services Ltd"),
        0.15,
        0.12,
        0.10,
        0.20,
        0.25,
        0.05,
        0.05,
    ),
    Sector(
        ("grounds", "parks"),
        ("Grounds maintenance", "Parks and open spaces maintenance"),
        ("Landscapes Ltd", "Grounds Maintenance Ltd"),
        0.20,
        0.06,
        0.15,
        0.15,
        0.20,
        0.08,
        0.08,
    ),
    Sector(
        ("leisure", "swimming"),
        ("Leisure centre management", "Swimming pools operation"),
        ("Leisure Trust", "Leisure Ltd"),
        0.55,
        0.25,
        0.03,
        0.05,
        0.60,
        0.18,
        0.05,
    ),
    Sector(
        ("supported living", "extra care"),
        ("Supported living, lot {lot}", "Extra care housing support"),
        ("Support Ltd", "Care Group Ltd"),
        0.75,
        0.22,
        0.08,
        0.02,
        0.45,
        0.05,
        0.05,
    ),
    Sector(
        ("facilities", "porterage", "reception"),
        ("Facilities management", "Reception and porterage"),
        ("Facilities Management Ltd", "Property Services Ltd"),
        0.45,
        0.06,
        0.08,
        0.25,
        0.35,
        0.05,
        0.08,
    ),
)
_DEFAULT_SECTOR = SECTORS[-1]

#: Places of work named in contract titles; the London ones put a contract on the London Living Wage.
LONDON_PLACES = ("Southwark", "Camden", "Hackney", "Lambeth", "Croydon", "Islington", "Haringey", "Newham")
OTHER_PLACES = ("Gateshead", "North Tyneside", "Sunderland", "Durham", "Leeds", "Wakefield", "Bolton", "Salford")
_LONDON_PATTERN = re.compile(r"\b(" + "|".join(("London",) + LONDON_PLACES) + r")\b", re.IGNORECASE)

NAME_STEMS = (
    "Tyneside",
    "Riverside",
    "Northgate",
    "Brightwell",
    "Oakfield",
    "Harbourside",
    "Meadowbank",
    "Kingsway",
    "Greenline",
    "Summit",
    "Ashdown",
    "Beacon",
    "Cedarwood",
    "Elmbridge",
    "Fairway",
    "Hillcrest",
    "Lakeside",
    "Millbrook",
    "Pennine",
    "Thameside",
    "Wessex",
    "Whitfield",
    "Castlegate",
    "Bridgewater",
)
SUBCONTRACTOR_SUFFIXES = ("Support Services Ltd", "Specialist Services Ltd", "Maintenance Ltd")
AGENCY_SUFFIXES = ("Recruitment Ltd", "Staffing Ltd", "Personnel Ltd")
SURNAMES = (
    "khan",
    "smith",
    "patel",
    "jones",
    "okafor",
    "nowak",
    "campbell",
    "evans",
    "murphy",
    "taylor",
    "ali",
    "brown",
)
#: Councils buying the services: contract_ref prefix and e-mail domain.
BUYERS = (
    ("NCC", "northcity.example"),
    ("WMC", "westmere.example"),
    ("SVC", "severnvale.example"),
    ("EDC", "eastdale.example"),
)


def contract_in_london(contract: Mapping[str, Any]) -> bool:
    """True when the contract's title names London or a London borough: its work is paid at the London
    Living Wage. The register has no location field (spec 2.1), so the title is the only place for it."""
    return bool(_LONDON_PATTERN.search(str(contract.get("title", ""))))


def sector_of(title: str) -> Sector:
    """The sector a contract title's keywords name; facilities management when none matches."""
    lowered = title.lower()
    for sector in SECTORS:
        if any(k in lowered for k in sector.keywords):
            return sector
    return _DEFAULT_SECTOR


def slug(name: str) -> str:
    """A supplier's short name for file names and e-mail domains ("tynesidecleaning")."""
    words = [w for w in re.sub(r"[^a-z0-9 ]", "", name.lower()).split() if w not in ("ltd", "limited", "plc")]
    return "".join(words[:2]) or "supplier"
