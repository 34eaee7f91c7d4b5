"""The contract managers' dashboard: a static, self-contained HTML site rendered from the views.

Callers read the published views of spec 5 into a :class:`ReportData` and call :func:`render_site`;
this package never touches the database, so it can be rendered from any source of the same columns
(SQLite, PostgreSQL, hand-made frames in tests).
"""

from gwp_monitor.report.data import VIEW_COLUMNS, VIEW_NAMES, ReportData
from gwp_monitor.report.names import contract_file_name
from gwp_monitor.report.render import build_site
from gwp_monitor.report.site import render_site

__all__ = ["VIEW_COLUMNS", "VIEW_NAMES", "ReportData", "build_site", "contract_file_name", "render_site"]
