"""The UK gender pay gap register as published: fetched from a path or URL, read by column name, typed.

The government publishes one CSV per reporting year (https://gender-pay-gap.service.gov.uk/). Fields
are quoted, names hold doubled quotes (``""Bryanston School"",Incorporated``) and addresses and SIC
codes run over several lines, so the file is read by a CSV parser, never line by line. Years differ:
from 2018-19 on the files add ``EmployerId`` and ``PostCode``, write dates as yyyy/mm/dd instead of
dd/mm/yyyy, and may order columns differently; columns are therefore found by name (any case), and
both date forms are accepted.

Only what the checks need is kept: the employer's name, number, figures, link, size, dates and
whether it was late. ``ResponsiblePerson`` names a person and is never read into the frame, nor are
the address, post code and SIC codes (of no use to a contract manager here).

Values are typed once; a value present but not parseable sets ``<column>__valid`` False, for the
register's GX suite to report with the file's row numbers (header = row 1, one row per record as a
spreadsheet shows it).
"""

from __future__ import annotations

import hashlib
import io
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from gwp_monitor.public_registers.companies import WELL_FORMED, normalise_company_numbers, normalise_names

#: The register's column -> our name; every one must be present.
REQUIRED = {
    "EmployerName": "employer_name",
    "CompanyNumber": "company_number_given",
    "DiffMeanHourlyPercent": "diff_mean_hourly_pct",
    "DiffMedianHourlyPercent": "diff_median_hourly_pct",
    "DiffMeanBonusPercent": "diff_mean_bonus_pct",
    "DiffMedianBonusPercent": "diff_median_bonus_pct",
    "MaleBonusPercent": "male_bonus_pct",
    "FemaleBonusPercent": "female_bonus_pct",
    "MaleLowerQuartile": "male_lower_quartile_pct",
    "FemaleLowerQuartile": "female_lower_quartile_pct",
    "MaleLowerMiddleQuartile": "male_lower_middle_quartile_pct",
    "FemaleLowerMiddleQuartile": "female_lower_middle_quartile_pct",
    "MaleUpperMiddleQuartile": "male_upper_middle_quartile_pct",
    "FemaleUpperMiddleQuartile": "female_upper_middle_quartile_pct",
    "MaleTopQuartile": "male_top_quartile_pct",
    "FemaleTopQuartile": "female_top_quartile_pct",
    "CompanyLinkToGPGInfo": "link",
    "EmployerSize": "employer_size",
    "SubmittedAfterTheDeadline": "submitted_late_given",
    "DueDate": "due_date_given",
    "DateSubmitted": "date_submitted_given",
}
#: Read when present (later years).
OPTIONAL = {"EmployerId": "employer_id", "CurrentName": "current_name"}
HOURLY = ["diff_mean_hourly_pct", "diff_median_hourly_pct"]
BONUS_GAPS = ["diff_mean_bonus_pct", "diff_median_bonus_pct"]
BONUS_SHARES = ["male_bonus_pct", "female_bonus_pct"]
QUARTILES = [
    ("male_lower_quartile_pct", "female_lower_quartile_pct"),
    ("male_lower_middle_quartile_pct", "female_lower_middle_quartile_pct"),
    ("male_upper_middle_quartile_pct", "female_upper_middle_quartile_pct"),
    ("male_top_quartile_pct", "female_top_quartile_pct"),
]
QUARTILE_COLUMNS = [c for pair in QUARTILES for c in pair]
#: Quartile shares are published to one decimal place: a pair may miss 100 by rounding.
QUARTILE_SUM_TOLERANCE = 1.0
#: The columns stored per employer (gpg_store), beside reporting_year and the source row number.
STORED = [
    "company_number",
    "employer_name",
    "employer_id",
    "employer_size",
    "diff_median_hourly_pct",
    "diff_mean_hourly_pct",
    "diff_median_bonus_pct",
    "diff_mean_bonus_pct",
    "female_top_quartile_pct",
    "link",
    "submitted_late",
    "due_date",
    "date_submitted",
]


class SourceError(RuntimeError):
    """The register cannot be fetched or is not a CSV at all: one plain reason, nothing stored."""


@dataclass(frozen=True)
class Fetched:
    source: str  # what was asked for, without any query string (it may carry a token)
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def shown_source(source: str) -> str:
    """The source as it may be shown and stored: a URL without query or credentials."""
    parts = urlsplit(source)
    if parts.scheme in ("http", "https"):
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{host}{port}{parts.path}"
    return source


def fetch(source: str | Path, max_bytes: int, timeout: float = 60.0) -> Fetched:
    """The file's bytes from a local path or an http(s):// URL, refusing more than `max_bytes`."""
    text = str(source)
    scheme = urlsplit(text).scheme.lower()
    if scheme in ("http", "https"):
        try:
            request = urllib.request.Request(text, headers={"User-Agent": "gwp-monitor"})
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only
                content = response.read(max_bytes + 1)
        except OSError as exc:  # URLError, HTTPError and timeouts are all OSErrors
            raise SourceError(f"cannot download {shown_source(text)}: {getattr(exc, 'reason', exc)}") from exc
    elif scheme in ("", "file") or len(scheme) == 1:  # a path (a Windows drive letter looks like a scheme)
        path = Path(urlsplit(text).path if scheme == "file" else text)
        try:
            with path.open("rb") as handle:
                content = handle.read(max_bytes + 1)
        except OSError as exc:
            raise SourceError(f"cannot read {path}: {exc.strerror or exc}") from exc
    else:
        raise SourceError(f"{text!r} is neither a file nor an http(s):// URL")
    if len(content) > max_bytes:
        raise SourceError(f"{shown_source(text)} is larger than {max_bytes} bytes (GWP_MAX_FILE_BYTES)")
    return Fetched(shown_source(text), content)


@dataclass
class RegisterFrame:
    """The register's records, typed; `missing` lists required columns the file lacks (by their names)."""

    frame: pd.DataFrame
    missing: list[str]

    @property
    def row_numbers(self) -> pd.Series:
        """The spreadsheet row of each record: the header is row 1."""
        return pd.Series(self.frame.index + 2, index=self.frame.index)


def read_register(content: bytes) -> RegisterFrame:
    """Parse the CSV (UTF-8, with or without BOM), find columns by name, type every value once."""
    try:
        raw = pd.read_csv(
            io.BytesIO(content),
            dtype=str,
            keep_default_na=False,
            encoding="utf-8-sig",
            skipinitialspace=False,
        )
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise SourceError(f"not a readable CSV file: {str(exc).splitlines()[0]}") from exc
    by_name = {str(c).strip().lower(): c for c in raw.columns}
    wanted = {**REQUIRED, **OPTIONAL}
    found = {ours: by_name[theirs.lower()] for theirs, ours in wanted.items() if theirs.lower() in by_name}
    missing = [theirs for theirs, ours in REQUIRED.items() if ours not in found]
    frame = pd.DataFrame({ours: raw[column].str.strip() for ours, column in found.items()}, index=raw.index)
    if missing:
        return RegisterFrame(frame, missing)
    return RegisterFrame(_typed(frame), [])


def _number(frame: pd.DataFrame, column: str, required: bool) -> None:
    text = frame[column]
    value = pd.to_numeric(text.str.replace(",", "", regex=False).str.rstrip("%"), errors="coerce")
    blank = text.eq("")
    frame[column] = value.astype("float64")
    frame[f"{column}__valid"] = value.notna() | (blank & (not required))


def _dates(text: pd.Series) -> pd.Series:
    """dd/mm/yyyy (2017-18 file) or yyyy/mm/dd (later years), with or without a time."""
    day = text.str.slice(0, 10)
    first = pd.to_datetime(day, format="%d/%m/%Y", errors="coerce")
    second = pd.to_datetime(day.str.replace("-", "/", regex=False), format="%Y/%m/%d", errors="coerce")
    return first.fillna(second)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    for name in ("employer_id", "current_name"):
        if name not in frame:
            frame[name] = ""
    frame["employer_name"] = frame["employer_name"].replace("", None)
    for column in HOURLY + QUARTILE_COLUMNS:
        _number(frame, column, required=True)
    for column in BONUS_GAPS + BONUS_SHARES:
        _number(frame, column, required=False)
    frame["quartiles__valid"] = frame[[f"{c}__valid" for c in QUARTILE_COLUMNS]].all(axis=1)
    frame["bonus__valid"] = frame[[f"{c}__valid" for c in BONUS_GAPS + BONUS_SHARES]].all(axis=1)
    sums = [(frame[m] + frame[f] - 100).abs() <= QUARTILE_SUM_TOLERANCE for m, f in QUARTILES]
    frame["quartiles__sum_ok"] = pd.concat(sums, axis=1).all(axis=1) | ~frame["quartiles__valid"]
    frame["company_number"] = normalise_company_numbers(frame["company_number_given"])
    frame["company_number__valid"] = frame["company_number"].isna() | frame["company_number"].str.fullmatch(
        WELL_FORMED
    ).fillna(False).astype(bool)
    late = frame["submitted_late_given"].str.lower()
    frame["submitted_late"] = late.map({"true": True, "false": False}).astype("boolean")
    frame["submitted_late__valid"] = frame["submitted_late"].notna()
    for ours, given in (("due_date", "due_date_given"), ("date_submitted", "date_submitted_given")):
        frame[ours] = _dates(frame[given])
        frame[f"{ours}__valid"] = frame[ours].notna()
    # A reporting year's figures are due on 30 March (public bodies) or 4/5 April (others) of the next
    # year, and deadlines moved only later in the year (2020-21: October), so the due date's year - 1
    # is the reporting year (2017 for the 2017-18 register).
    frame["reporting_year"] = (frame["due_date"].dt.year - 1).astype("Int64")
    link = frame["link"]
    frame["link"] = link.where(link.str.match(r"^https?://[^\s\"'<>]+$"), None)  # never javascript: or junk
    frame["employer_name_key"] = normalise_names(frame["employer_name"].fillna(""))
    for name in ("employer_id", "current_name", "employer_size"):
        frame[name] = frame[name].replace("", None)
    return frame
