"""Problems a supplier can act on: which column, which rule in plain words, how many rows, which rows.

Row numbers are the ones the supplier sees in their own file: the header is row 1, so the first data
row is row 2, in CSV and Excel alike. A problem never carries a cell's value (spec 6): the row number
is enough for the supplier to find it, and values would copy pay data into logs and the database.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

#: How many row numbers a problem keeps: enough to find the pattern, short enough to read.
FIRST_ROWS_KEPT = 10


@dataclass(frozen=True)
class Problem:
    column: str
    rule: str
    rows: int = 0
    first_rows: tuple[int, ...] = field(default_factory=tuple)

    def describe(self) -> str:
        where = ""
        if self.rows:
            shown = ", ".join(str(r) for r in self.first_rows)
            more = "" if self.rows <= len(self.first_rows) else ", ..."
            where = f" ({self.rows} row{'s' if self.rows != 1 else ''}: {shown}{more})"
        return f"{self.column}: {self.rule}{where}"


def file_problem(rule: str, column: str = "(file)") -> Problem:
    """A problem with the file as a whole, not with particular rows."""
    return Problem(column=column, rule=rule)


def row_problem(column: str, rule: str, row_numbers: Sequence[int]) -> Problem:
    rows = sorted(int(r) for r in row_numbers)
    return Problem(column=column, rule=rule, rows=len(rows), first_rows=tuple(rows[:FIRST_ROWS_KEPT]))


def problems_to_json(problems: Iterable[Problem]) -> str:
    return json.dumps([{**asdict(p), "first_rows": list(p.first_rows)} for p in problems])


def problems_to_text(problems: Iterable[Problem]) -> str:
    """One problem a line: what v_submissions.errors holds and what e-mails quote."""
    return "\n".join(p.describe() for p in problems)
