"""A file is never half-taken (spec 2.4).

Every row of a file that names a contract and a kind must belong to one of that contract's
submissions of that kind. A row that cannot be placed in a valid period (a wrong or week-long
period_start/period_end, a period before the contract's start) rejects every submission of that file
for that contract and kind; a row naming a contract that is not in the register (or none) rejects the
whole file. Otherwise a worker could silently drop out of an accepted return: a weekly-paid worker's
rows written with week dates as the period made their own rejected submissions while the month's
other rows were accepted, and the verdict counted everyone else.

Each submission rejected for another's sake says which rows to fix, never a value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from gwp_monitor.domain.problems import FIRST_ROWS_KEPT, Problem, file_problem

if TYPE_CHECKING:
    from gwp_monitor.config.register import Register
    from gwp_monitor.ingest.intake import Submission

#: Problems that mean a row has no valid period of its contract to go to.
PLACEMENT_COLUMNS = frozenset({"period_start/period_end", "period_start", "period_end"})


def reject_whole_files(submissions: Iterable[Submission], register: Register | None) -> None:
    """Add, in place, the problem that rejects the rest of a file (or of its contract and kind)."""
    by_file: dict[tuple[str, str | None], list[Submission]] = defaultdict(list)
    for s in submissions:
        if s.kind is not None:
            by_file[(str(s.file_path), s.kind)].append(s)
    for subs in by_file.values():
        unknown = [s for s in subs if register is not None and (s.contract_ref not in register.contracts)]
        if unknown:
            rows = _rows(p for s in unknown for p in s.problems if p.column == "contract_ref")
            why = (
                f"{where(rows)} of this file name a contract that is not in the register (or none): "
                "nothing in the file is taken until they are corrected or removed, so that no worker "
                "drops out of an accepted return"
            )
            for s in subs:
                if all(s is not u for u in unknown):
                    s.problems.append(file_problem(why, "(file)"))
            continue
        by_contract: dict[str | None, list[Submission]] = defaultdict(list)
        for s in subs:
            by_contract[s.contract_ref].append(s)
        for contract_ref, group in by_contract.items():
            unplaced = [s for s in group if any(p.column in PLACEMENT_COLUMNS for p in s.problems)]
            if not unplaced or len(unplaced) == len(group):
                continue
            rows = _rows(p for s in unplaced for p in s.problems if p.column in PLACEMENT_COLUMNS)
            why = (
                f"{where(rows)} of this file for {contract_ref} cannot be placed in one of its {group[0].kind} "
                f"periods: nothing of this file is taken for {contract_ref} until they are corrected, so that "
                "no worker drops out of an accepted return (weekly or fortnightly pay: the period is the "
                "month; give each pay period in pay_period_start/pay_period_end)"
            )
            for s in group:
                if all(s is not u for u in unplaced):
                    s.problems.append(file_problem(why, "(file)"))


def _rows(problems: Iterable[Problem]) -> list[int]:
    return sorted({r for p in problems for r in p.first_rows})


def where(rows: list[int]) -> str:
    if not rows:
        return "Rows"
    shown = ", ".join(map(str, rows[:FIRST_ROWS_KEPT]))
    return f"Row{'s' if len(rows) > 1 else ''} {shown}{', ...' if len(rows) > FIRST_ROWS_KEPT else ''}"
