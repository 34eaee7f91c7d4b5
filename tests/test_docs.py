"""The supplier-facing docs are checked against the definitions they describe, so they cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gwp_monitor.domain.templates import TEMPLATES

ROOT = Path(__file__).resolve().parents[1]
RETURNS_DOC = ROOT / "docs" / "returns.md"


def _documented_columns(kind: str) -> dict[str, str]:
    """{column: "yes"|"no"} from the table under the '## <Kind> return' heading of docs/returns.md."""
    text = RETURNS_DOC.read_text(encoding="utf-8")
    section = re.search(rf"^## {kind.capitalize()} return.*?(?=^## |\Z)", text, flags=re.M | re.S)
    assert section, f"docs/returns.md has no '## {kind.capitalize()} return' section"
    rows = re.findall(r"^\| ([a-z_]+) \| [^|]+ \| (yes|no) \|", section.group(0), flags=re.M)
    return dict(rows)


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_returns_doc_lists_every_template_column_with_its_requirement(kind: str) -> None:
    documented = _documented_columns(kind)
    expected = {c.name: "yes" if c.required else "no" for c in TEMPLATES[kind]}
    assert documented == expected


def test_no_project_file_points_outside_the_repository() -> None:
    """Users never see the team's shared folder: nothing shipped may send them there."""
    shipped = [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "gwp_monitor").rglob("*.py")]
    offenders = [str(p.relative_to(ROOT)) for p in shipped if "../shared" in p.read_text(encoding="utf-8")]
    assert offenders == []
