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


# --- docs/supplier-guide.md: the supplier's one page --------------------------------------------------

SUPPLIER_GUIDE = ROOT / "docs" / "supplier-guide.md"


def _guide_table(kind: str) -> list[tuple[str, ...]]:
    """The rows of the table under '### <Kind> return' of the supplier guide, as cells."""
    text = SUPPLIER_GUIDE.read_text(encoding="utf-8")
    section = re.search(rf"^### {kind.capitalize()} return\n(.*?)(?=^#|\Z)", text, flags=re.M | re.S)
    assert section, f"docs/supplier-guide.md has no '### {kind.capitalize()} return' section"
    lines = [ln for ln in section.group(1).splitlines() if ln.startswith("| ")][2:]  # past header and rule
    return [tuple(cell.strip() for cell in ln.strip("|").split(" | ")) for ln in lines]


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_supplier_guide_describes_every_column_as_the_definitions_do(kind: str) -> None:
    """The guide's column tables say what the template definitions say (the XLSX explanation sheet reads
    the same definitions): a changed description or example fails here until the guide is updated."""
    from gwp_monitor.domain.templates import type_words

    expected = [
        (c.name, "yes" if c.required else "no", type_words(c), c.description, c.example) for c in TEMPLATES[kind]
    ]
    assert _guide_table(kind) == expected


def _product_texts() -> str:
    """Every message the product can give a supplier: the suites' rules and the library's source."""
    import json

    rules = [
        e.get("meta", {}).get("rule", "")
        for suite in (ROOT / "expectations").glob("*.json")
        for e in json.loads(suite.read_text(encoding="utf-8")).get("expectations", [])
    ]
    sources = [p.read_text(encoding="utf-8") for p in (ROOT / "gwp_monitor").rglob("*.py")]
    return "\n".join(rules + sources)


def test_supplier_guide_quotes_only_problems_the_product_really_gives() -> None:
    text = SUPPLIER_GUIDE.read_text(encoding="utf-8")
    section = re.search(r"^## 4\. What the problems mean.*?(?=^## |\Z)", text, flags=re.M | re.S)
    assert section, "docs/supplier-guide.md has no '## 4. What the problems mean' section"
    quoted = re.findall(r'^\| "([^"]+)" \|', section.group(0), flags=re.M)
    assert len(quoted) >= 20
    product = _product_texts()
    assert [q for q in quoted if q not in product] == []


def test_supplier_guide_commands_are_real_commands() -> None:
    """Every `gwp-monitor ...` the guide shows parses with the real command line (nothing is run)."""
    import shlex

    from gwp_monitor.cli import build_parser

    text = SUPPLIER_GUIDE.read_text(encoding="utf-8")
    commands = re.findall(r"(?:^|`)(gwp-monitor [^`\n]+)", text, flags=re.M)
    assert len(commands) >= 4
    parser = build_parser()
    for command in commands:
        parser.parse_args(shlex.split(command)[1:])  # SystemExit(2) on an unknown command or flag


def test_readme_links_the_supplier_guide() -> None:
    assert "docs/supplier-guide.md" in (ROOT / "README.md").read_text(encoding="utf-8")
