"""Writing one supplier return to disk as the supplier would send it: CSV, or an Excel workbook.

The file's modification time is set to when it was received, which the pipeline reads as the
submission time.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import Literal

import pandas as pd

from gwp_monitor.domain.templates import Kind, columns


def write_return(path: Path, frame: pd.DataFrame, kind: Kind, fmt: Literal["csv", "xlsx"], received: datetime) -> None:
    """Write ``frame`` as a ``kind`` return in ``fmt`` and stamp the file with its received time (UTC)."""
    if fmt == "xlsx":
        write_xlsx(path, frame, kind)
    else:
        frame.to_csv(path, index=False, float_format="%.2f", lineterminator="\n")
    stamp = received.timestamp()
    os.utime(path, (stamp, stamp))


def write_xlsx(path: Path, frame: pd.DataFrame, kind: Kind) -> None:
    """First sheet, plain values: dates as date cells, numbers as numbers, text as text, no formulas.

    Headers are title case ("Contract_Ref"), as an Excel user retypes them; the spec matches column
    names case-insensitively. The sheet is named after the return ("Payroll return").
    """
    import openpyxl  # only the demo's Excel supplier needs it

    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet(f"{kind.title()} return")
    ws.append([name.title() for name in frame.columns])
    out = frame.astype(object).where(frame.notna(), None)
    for col in (c.name for c in columns(kind) if c.type == "date" and c.name in frame):
        out[col] = [date.fromisoformat(v) if isinstance(v, str) else v for v in out[col]]
    for values in out.itertuples(index=False, name=None):
        ws.append(list(values))
    book.save(path)
