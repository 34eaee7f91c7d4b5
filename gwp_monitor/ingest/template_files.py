"""The return templates suppliers download: a CSV header row, or an XLSX workbook that explains itself.

Both are built from the template definitions (domain/templates.py) every time, never kept as files,
so a column added there is in the next template downloaded: the CSV's header is exactly the
template's column names in the spec's order; the workbook's first sheet ("Return") is that header,
formatted so that Excel keeps what a supplier types readable by the product (dates as dates, money
as numbers, references as text so leading zeros survive), and its "Explanation" sheet has one row per
column with what to put there and an example. The product's own reader reads the "Return" sheet
(the first one) and ignores the rest.
"""

from __future__ import annotations

import csv
import io
from typing import Literal

from gwp_monitor.domain.templates import KINDS, Column, Kind, columns, type_words

Format = Literal["csv", "xlsx"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx")

RETURN_SHEET = "Return"
EXPLANATION_SHEET = "Explanation"
EXPLANATION_HEADER = ("column", "required", "type", "what to put there", "example")
#: Rows of the "Return" sheet that get drop-down lists for yes/no and fixed-choice columns.
_VALIDATED_ROWS = 10_000

#: Excel number formats by column: dates shown day first (as UK users type them), money with two
#: decimals, references as text ("@") so 00123 stays 00123.
_DATE_FORMAT = "dd/mm/yyyy"
_MONEY_FORMAT = "#,##0.00"
_TEXT_FORMAT = "@"


class TemplateError(ValueError):
    """An unknown kind or format was asked for: the message lists the valid ones."""


def template_filename(kind: str, fmt: str) -> str:
    """The name a downloaded template is saved under, e.g. gwp-payroll-return-template.xlsx."""
    kind, fmt = _checked(kind, fmt)
    return f"gwp-{kind}-return-template.{fmt}"


def template_bytes(kind: str, fmt: str) -> bytes:
    """The template file's content: CSV (UTF-8, header row only) or XLSX (Return + Explanation sheets)."""
    checked_kind, checked_fmt = _checked(kind, fmt)
    if checked_fmt == "csv":
        return _csv(checked_kind)
    return _xlsx(checked_kind)


def _checked(kind: str, fmt: str) -> tuple[Kind, Format]:
    if kind not in KINDS:
        raise TemplateError(f"unknown return kind '{kind}': choose {' or '.join(KINDS)}")
    if fmt not in FORMATS:
        raise TemplateError(f"unknown template format '{fmt}': choose {' or '.join(FORMATS)}")
    return kind, fmt


def _csv(kind: Kind) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([c.name for c in columns(kind)])
    return buffer.getvalue().encode("utf-8")


def explanation_rows(kind: Kind) -> list[tuple[str, str, str, str, str]]:
    """One row per column, as the Explanation sheet holds it (also what `template --explain` could print)."""
    return [
        (c.name, "required" if c.required else "optional", type_words(c), c.description, c.example)
        for c in columns(kind)
    ]


def _number_format(column: Column) -> str | None:
    if column.type == "date":
        return _DATE_FORMAT
    if column.unit == "gbp":
        return _MONEY_FORMAT
    if column.type == "text":
        return _TEXT_FORMAT
    return None


def _xlsx(kind: Kind) -> bytes:
    import openpyxl  # imported here: only the XLSX template pays its import cost
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = RETURN_SHEET
    bold = Font(bold=True)
    for i, column in enumerate(columns(kind), start=1):
        cell = sheet.cell(row=1, column=i, value=column.name)
        cell.font = bold
        letter = get_column_letter(i)
        dimension = sheet.column_dimensions[letter]
        dimension.width = max(len(column.name), len(column.example), 10) + 2
        number_format = _number_format(column)
        if number_format:
            dimension.number_format = number_format  # the column's style: applies to cells typed in later
        choices = _choices(column)
        if choices:
            rule = DataValidation(
                type="list",
                formula1=f'"{",".join(choices)}"',
                allow_blank=True,
                # a fixed choice is refused at once; yes/no also takes y/n, true/false, 1/0, so only offered
                showErrorMessage=column.type == "enum",
            )
            rule.error = f"{column.name}: choose one of {', '.join(choices)}"
            rule.add(f"{letter}2:{letter}{_VALIDATED_ROWS + 1}")
            sheet.add_data_validation(rule)
    sheet.freeze_panes = "A2"

    explanation = book.create_sheet(EXPLANATION_SHEET)
    explanation.append(EXPLANATION_HEADER)
    for cell in explanation[1]:
        cell.font = bold
    for row in explanation_rows(kind):
        explanation.append(row)
    widths = (max(len(c.name) for c in columns(kind)) + 2, 10, 40, 90, 18)
    for i, width in enumerate(widths, start=1):
        explanation.column_dimensions[get_column_letter(i)].width = width
    for row_cells in explanation.iter_rows(min_row=2):
        for cell in row_cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.number_format = _TEXT_FORMAT
    explanation.freeze_panes = "A2"

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _choices(column: Column) -> tuple[str, ...]:
    if column.type == "enum":
        return column.allowed
    if column.type == "boolean":
        return ("yes", "no")
    return ()
