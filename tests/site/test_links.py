"""Every internal link and anchor of the built site resolves (Sphinx itself runs nitpicky with -W)."""

from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key) and (key == "id" or tag == "a"):
                self.ids.add(attrs[key])
        for key in ("href", "src"):
            if attrs.get(key) and tag in ("a", "link", "script", "img", "iframe", "source"):
                self.links.append((tag, attrs[key]))


@lru_cache(maxsize=None)
def parse(path: Path) -> Refs:
    refs = Refs()
    refs.feed(path.read_text(encoding="utf-8", errors="replace"))
    return refs


def broken_links(site: Path) -> list[str]:
    broken = []
    # the theme ships Jinja macro files as _static/*.html; they are templates, not pages
    pages = [p for p in sorted(site.rglob("*.html")) if "_static" not in p.relative_to(site).parts]
    for page in pages:
        for tag, url in parse(page).links:
            parts = urlsplit(url)
            if parts.scheme or url.startswith(("//", "mailto:", "javascript:", "data:")) or not url.strip():
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            where = f"{page.relative_to(site)}: <{tag}> {url}"
            if not target.exists():
                broken.append(f"{where} (no such file)")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in parse(target).ids:
                broken.append(f"{where} (no anchor #{parts.fragment})")
    return broken


def test_internal_links_and_anchors_resolve(site):
    broken = broken_links(site)
    assert not broken, "broken internal links:\n" + "\n".join(broken[:20])


def test_the_checker_finds_a_broken_link(tmp_path):
    (tmp_path / "a.html").write_text('<a id="top" href="b.html#missing">x</a><a href="c.html">y</a><a href="#top">z</a>')
    (tmp_path / "b.html").write_text('<h1 id="here">b</h1>')
    found = broken_links(tmp_path)
    assert len(found) == 2 and any("no anchor #missing" in f for f in found) and any("c.html" in f for f in found)
