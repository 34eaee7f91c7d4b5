"""The supplier guide (docs/supplier-guide.md, shipped with the package) as HTML for the portal."""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from markupsafe import Markup

from gwp_monitor import resources

GUIDE = "supplier-guide.md"


@cache
def supplier_guide_html() -> Markup:
    """The guide rendered with raw HTML off (CommonMark + tables): nothing in it can be markup we did not write."""
    try:
        text = (resources.docs_dir() / GUIDE).read_text(encoding="utf-8")
    except (OSError, resources.ResourceMissing):
        text = (
            "# Supplier guide\n\nThe guide is not installed with this copy of gwp-monitor: ask your contract manager."
        )
    return Markup(MarkdownIt("commonmark", {"html": False}).enable("table").render(text))  # noqa: S704 - html off
