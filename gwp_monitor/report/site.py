"""Writing the rendered dashboard into a folder that people may be reading at the same time."""

from __future__ import annotations

from pathlib import Path

from gwp_monitor.report.data import ReportData
from gwp_monitor.report.environment import GENERATOR_META
from gwp_monitor.report.names import CONTRACT_DIR
from gwp_monitor.report.render import build_site


def render_site(data: ReportData, out_dir: Path) -> Path:
    """Write the dashboard into ``out_dir`` and return the path of its ``index.html``.

    Contract pages left by an earlier render for contracts no longer monitored are removed, but only
    files this renderer wrote (recognised by its generator tag), so nothing else in ``out_dir`` is touched.
    """
    out_dir = Path(out_dir)
    pages = build_site(data)
    (out_dir / CONTRACT_DIR).mkdir(parents=True, exist_ok=True)
    for relative, content in pages.items():
        target = out_dir / relative
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(content, encoding="utf-8")
        tmp.replace(target)  # readers of a shared folder never see a half-written page
    for old in (out_dir / CONTRACT_DIR).glob("*.html"):
        if f"{CONTRACT_DIR}/{old.name}" in pages:
            continue
        try:
            head = old.read_text(encoding="utf-8", errors="replace")[:4096]
        except OSError:
            continue
        if GENERATOR_META in head:
            old.unlink()
    return out_dir / "index.html"
