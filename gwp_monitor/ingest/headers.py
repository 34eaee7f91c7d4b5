"""Matching a supplier's header row to a template, as UK payroll exports really write it (spec 2.2).

Names are matched after trimming, ignoring case and reading spaces, hyphens and dots as underscores.
A column outside the template is ignored (its values are never read further, so never stored) with a
warning; one whose name looks like personal data gets a warning asking for it to be removed. A
required column that is missing is one problem, saying "did you mean ...?" when a header is close to
it, so a misnamed column is fixed in one round instead of "is required" on every row.

Header names are not cell values: quoting them back to the supplier is safe.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from gwp_monitor.domain.problems import Problem, file_problem
from gwp_monitor.domain.templates import KINDS, Kind, canonical_header, column_names, required_names

#: Words that, as a whole part of a column name, say the column holds who a worker is.
_PERSONAL_WORDS = frozenset(
    {
        "name",
        "names",
        "forename",
        "forenames",
        "surname",
        "firstname",
        "lastname",
        "fullname",
        "email",
        "nino",
        "ni",
        "nin",
        "dob",
        "birth",
        "birthday",
        "address",
        "postcode",
        "phone",
        "mobile",
        "telephone",
    }
)
_PERSONAL_PHRASES = re.compile(r"e_mail|national_insurance|post_code|date_of_birth|birth_date|home_address")
#: How close a header must be to a template column to be offered as "did you mean".
_CLOSE = 0.75


@dataclass
class HeaderMatch:
    """What the header says: the kind, which positions are which template column, and what to tell."""

    kind: Kind | None
    keep: list[tuple[int, str]] = field(default_factory=list)  # (position, template column)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    missing: frozenset[str] = frozenset()
    duplicate: str | None = None  # a reason the file cannot be used at all


def looks_personal(name: str) -> bool:
    """True for a column name that suggests names, e-mail, NI numbers, dates of birth or addresses."""
    canonical = canonical_header(name)
    return bool(set(canonical.split("_")) & _PERSONAL_WORDS or _PERSONAL_PHRASES.search(canonical))


def detect_kind(names: list[str]) -> Kind | None:
    """The template whose distinctive columns the header shares most; ties and no overlap are None."""
    scores = {}
    for kind in KINDS:
        distinctive = set(column_names(kind)) - {"contract_ref", "period_start", "period_end"}
        scores[kind] = len(distinctive & set(names))
    best = max(scores.values())
    winners = [k for k, s in scores.items() if s == best]
    return winners[0] if best > 0 and len(winners) == 1 else None


def match_header(header: list[str], has_values: Callable[[int], bool]) -> HeaderMatch:
    """Match `header` (as written) to a template; `has_values(i)` says whether column i holds any value."""
    names = [canonical_header(h) for h in header]
    kind = detect_kind(names)
    match = HeaderMatch(kind)
    if kind is None:
        return match
    known = column_names(kind)
    seen: dict[str, int] = {}
    renamed: list[str] = []
    extras: list[tuple[int, str]] = []
    for i, (written, name) in enumerate(zip(header, names, strict=True)):
        if name in known:
            if name in seen:
                match.duplicate = f"column '{name}' appears twice (columns {seen[name] + 1} and {i + 1}): keep one"
                return match
            seen[name] = i
            match.keep.append((i, name))
            if written.strip() != name:
                renamed.append(f"'{written.strip()}' as {name}")
        elif name or has_values(i):
            extras.append((i, written.strip()))
    absent = [n for n in known if n not in seen]
    suggested: dict[int, str] = {}
    for i, written in extras:
        close = difflib.get_close_matches(canonical_header(written), absent, n=1, cutoff=_CLOSE)
        if close and close[0] not in suggested.values():
            suggested[i] = close[0]
    required = set(required_names(kind))
    for i, written in extras:
        guess = suggested.get(i)
        if guess in required:
            match.problems.append(
                file_problem(
                    f"required column is missing; the header has '{written}': did you mean {guess}? "
                    "Rename that column and send the file again",
                    guess,
                )
            )
            continue
        label = f"'{written}'" if written else f"column {i + 1} (no header)"
        if looks_personal(written):
            why = (
                f"{label} looks like personal data (names, e-mail, NI numbers, dates of birth, addresses): "
                "it was ignored and not stored; please remove it from future returns"
            )
        elif guess:
            why = f"{label} is not a {kind} template column and was ignored: did you mean {guess}? Rename it to have it read"
        else:
            why = f"{label} is not a {kind} template column: it was ignored and not stored"
        match.warnings.append(file_problem(why, "(header)"))
    for name in absent:
        if name in required and name not in suggested.values():
            match.problems.append(file_problem(f"required column is missing from the {kind} template header", name))
    if renamed:
        match.warnings.insert(0, file_problem(f"column names read as the template's: {', '.join(renamed)}", "(header)"))
    match.missing = frozenset(n for n in absent if n in required)
    return match
