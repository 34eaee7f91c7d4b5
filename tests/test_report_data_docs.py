"""The Data Docs cleaner on hand-written pages shaped like GX's template (no GX import, so it is fast).

The privacy and offline tests check real GX pages end to end; these pin the HTML-parser cleaning on
the cases regular expressions used to get wrong: any attribute quoting, markup inside scripts, entities.
"""

from __future__ import annotations

from html.parser import HTMLParser

from gwp_monitor.validate.data_docs import clean_page

PAGE = """<!DOCTYPE html>
<html>
<head>
<link rel='stylesheet' href='https://cdn.example/bootstrap.min.css'>
<link rel="icon" href="../../../static/images/favicon.ico" />
<link rel="icon" href="data:,">
<script src="//cdn.example/jquery.js"></script>
<script>var s = "<a href='https://x.example'>not a link</a>";</script>
<style>.logo { background: url( "//cdn.example/logo.png" ) } td { color: red }</style>
</head>
<body class="gx">
<a href="../../../../index.html"><img src="../../../static/images/logo.png" alt="GX">Home</a>
<a href='https://greatexpectations.io/'>Great Expectations</a>
<a href="../../../expectations/payroll.html">payroll suite</a>
<a href="#section-1">Jump</a>
<div style="background-image:url(https://cdn.example/bg.png)">Caf&eacute; &amp; &#163;12.60 &lt;b&gt;</div>
<!-- a comment -->
<img src="data:image/png;base64,AAAA" alt="inline">
</body>
</html>
"""


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    collect = _Collect()
    collect.feed(html)
    return collect.tags


def test_scripts_and_fetching_tags_are_removed() -> None:
    cleaned = clean_page(PAGE)
    tags = _tags(cleaned)
    assert not [t for t, _ in tags if t == "script"]
    assert "not a link" not in cleaned  # the script's text goes with it, markup inside it included
    fetched = [a.get("href") or a.get("src") for t, a in tags if t in ("link", "img")]
    assert all(url and url.startswith("data:") for url in fetched), fetched
    assert "//cdn.example" not in cleaned and "https://" not in cleaned


def test_dead_links_are_unwrapped_and_home_points_at_the_overview() -> None:
    cleaned = clean_page(PAGE)
    hrefs = [a["href"] for t, a in _tags(cleaned) if t == "a"]
    assert hrefs == ["../index.html", "#section-1"]
    assert "Great Expectations</" not in cleaned and "Great Expectations\n" in cleaned  # text kept, link gone
    assert "payroll suite" in cleaned


def test_remote_css_urls_are_neutralised_in_style_elements_and_attributes() -> None:
    cleaned = clean_page(PAGE)
    assert ".logo { background: none }" in cleaned
    assert 'style="background-image:none"' in cleaned


def test_note_and_style_are_added_and_untouched_markup_is_kept_byte_for_byte() -> None:
    cleaned = clean_page(PAGE)
    assert cleaned.index('<link rel="icon" href="data:,"><style>') < cleaned.index("</head>")
    assert '<body class="gx"><div class="gwp-note">' in cleaned
    assert "Caf&eacute; &amp; &#163;12.60 &lt;b&gt;" in cleaned
    assert "<!-- a comment -->" in cleaned
    assert cleaned.startswith("<!DOCTYPE html>\n<html>\n<head>\n")
