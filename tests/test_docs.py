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


ALERTS_DOC = ROOT / "docs" / "alerts.md"


def _event_table() -> dict[str, list[str]]:
    """{event: its row's cells} from the '## Every event' table of docs/alerts.md."""
    text = ALERTS_DOC.read_text(encoding="utf-8")
    section = re.search(r"^## Every event.*?(?=^## |\Z)", text, flags=re.M | re.S)
    assert section, "docs/alerts.md has no '## Every event' section"
    rows = re.findall(r"^\| `([a-z_]+)` \|(.*)\|$", section.group(0), flags=re.M)
    return {event: [c.strip() for c in cells.split("|")] for event, cells in rows}


def test_alerts_doc_names_every_event_and_no_other() -> None:
    from gwp_monitor.notify.events import EVENTS

    assert sorted(_event_table()) == sorted(EVENTS)
    text = ALERTS_DOC.read_text(encoding="utf-8")
    named = set(re.findall(r"`([a-z]+(?:_[a-z]+)+)`", text))
    events_like = {n for n in named if n.split("_")[0] in ("breach", "return", "submission", "verdict", "channel")}
    assert events_like <= set(EVENTS), sorted(events_like - set(EVENTS))


def test_alerts_doc_says_who_gets_each_event_as_the_code_decides() -> None:
    from gwp_monitor.notify.content import audience_words
    from gwp_monitor.notify.webhook import DEFAULT_WEBHOOK_EVENTS

    for event, (_, to, webhook, _once) in _event_table().items():
        if event != "channel_test":
            assert to == audience_words(event), event
            assert webhook == ("yes" if event in DEFAULT_WEBHOOK_EVENTS else "no"), event


def test_alerts_doc_examples_are_what_the_renderer_writes() -> None:
    """Regenerate with: python -m gwp_monitor.notify.examples (and paste over the examples)."""
    from gwp_monitor.notify.examples import BEGIN, END, examples_markdown

    text = ALERTS_DOC.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    assert text[start:end] + "\n" == examples_markdown()
