"""The site loads nothing from another origin, and stays light.

Scans every built HTML, CSS and JS file.  Links to papers (``<a href>``) are fine; scripts,
stylesheets, fonts, images, frames and imports from another origin are not.
"""

from __future__ import annotations

import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

MB = 1_000_000
# Budgets of the website issue: one static explorer, one page, the whole site.
EXPLORER_MAX, PAGE_MAX, SITE_MAX = 1 * MB, 3 * MB, 60 * MB

EXTERNAL = re.compile(r"^\s*(https?:)?//", re.I)
# Attributes that make the browser fetch something, by tag (``a href`` is a link, not a load).
LOADING = {"script": ("src",), "img": ("src", "srcset"), "iframe": ("src",), "frame": ("src",),
           "embed": ("src",), "object": ("data",), "source": ("src", "srcset"), "video": ("src", "poster"),
           "audio": ("src",), "track": ("src",), "input": ("src",), "image": ("href",), "use": ("href",)}
LINK_LOADS = {"stylesheet", "icon", "preload", "prefetch", "modulepreload", "manifest", "apple-touch-icon",
              "shortcut", "preconnect", "dns-prefetch", "mask-icon"}

# JS strings that name another origin but are never fetched by these pages, each for a reason:
JS_ALLOWED = [
    # XML namespaces and licence/documentation links inside comments and error messages.
    r"https?://www\.w3\.org/", r"https?://(www\.)?mathjax\.org", r"https?://www\.apache\.org/licenses/", r"https?://github\.com/",
    r"https?://clipboardjs\.com", r"https?://zenorocha\.mit-license\.org", r"https?://(www\.)?sphinx-doc\.org",
    r"https?://pydata-sphinx-theme\.readthedocs\.io", r"https?://fontawesome\.com", r"https?://getbootstrap\.com",
    r"https?://popper\.js\.org", r"https?://feross\.org", r"https?://opensource\.org", r"https?://jquery\.(org|com)",
    r"https?://sizzlejs\.com", r"https?://js\.foundation", r"https?://underscorejs\.org",
    r"https?://reactjs\.org", r"https?://developer\.mozilla\.org", r"https?://tc39\.es", r"https?://bugs\.",
]


class Loads(HTMLParser):
    def __init__(self):
        super().__init__()
        self.external = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for attr in LOADING.get(tag, ()):
            for url in re.split(r",\s*", attrs.get(attr) or ""):
                if EXTERNAL.match(url):
                    self.external.append(f"<{tag} {attr}={url}>")
        if tag == "link" and attrs.get("href") and EXTERNAL.match(attrs["href"]):
            rels = set((attrs.get("rel") or "").lower().split())
            if rels & LINK_LOADS:
                self.external.append(f"<link rel={attrs.get('rel')} href={attrs['href']}>")
        style = attrs.get("style") or ""
        self.external += [f"style url({u})" for u in re.findall(r"url\(\s*['\"]?((?:https?:)?//[^)'\"]+)", style)]

    def handle_data(self, data):
        pass


def external_loads_in_html(text: str) -> list[str]:
    parser = Loads()
    parser.feed(text)
    # inline <style> blocks and @import
    found = parser.external
    found += re.findall(r"@import\s+(?:url\()?['\"]?((?:https?:)?//[^'\")\s]+)", text)
    return found


def external_loads_in_css(text: str) -> list[str]:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    found = re.findall(r"url\(\s*['\"]?((?:https?:)?//[^)'\"]+)", text)
    found += re.findall(r"@import\s+['\"]((?:https?:)?//[^'\"]+)", text)
    return found


def external_urls_in_js(text: str) -> list[str]:
    urls = re.findall(r"https?://[a-z0-9.-]+\.[a-z]{2,}[^\s'\"`)<>]*", text, flags=re.I)
    return [u for u in urls if not any(re.match(allowed, u) for allowed in JS_ALLOWED)]


def files(site: Path, suffix: str):
    return sorted(p for p in site.rglob(f"*{suffix}") if p.is_file())


def test_no_external_loads_in_html(site):
    offenders = {}
    for path in files(site, ".html"):
        found = external_loads_in_html(path.read_text(encoding="utf-8", errors="replace"))
        if found:
            offenders[str(path.relative_to(site))] = found[:5]
    assert not offenders, f"pages load from other origins: {offenders}"


def test_no_external_loads_in_css(site):
    offenders = {str(p.relative_to(site)): external_loads_in_css(p.read_text(errors="replace"))
                 for p in files(site, ".css")}
    offenders = {k: v for k, v in offenders.items() if v}
    assert not offenders, f"stylesheets load from other origins: {offenders}"


def test_no_external_urls_in_js(site):
    offenders = {}
    for path in files(site, ".js"):
        found = external_urls_in_js(path.read_text(encoding="utf-8", errors="replace"))
        if found:
            offenders[str(path.relative_to(site))] = sorted(set(found))[:5]
    assert not offenders, f"scripts name other origins (allow one in JS_ALLOWED only with a reason): {offenders}"


@pytest.mark.parametrize("snippet, bad", [
    ('<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"></script>', True),
    ('<link rel="stylesheet" href="//fonts.googleapis.com/css?family=Lato">', True),
    ('<img src="https://example.org/x.png" alt="x">', True),
    ('<iframe src="https://www.youtube.com/embed/x"></iframe>', True),
    ('<div style="background: url(https://example.org/bg.png)"></div>', True),
    ('<a href="https://arxiv.org/abs/1412.6980">Kingma and Ba</a>', False),
    ('<script src="../_static/mathjax/tex-chtml.js"></script>', False),
])
def test_the_scanner_catches_what_it_should(snippet, bad):
    assert bool(external_loads_in_html(snippet)) == bad


def test_the_css_and_js_scanners_catch_what_they_should():
    assert external_loads_in_css("@font-face { src: url('https://fonts.gstatic.com/x.woff2'); }")
    assert external_loads_in_css('@import "https://example.org/a.css";')
    assert not external_loads_in_css("a { background: url(../images/x.png); } /* https://fontawesome.com */")
    assert external_urls_in_js('s.src = "https://unpkg.com/thebe@0.8.2/lib/index.js";')
    assert not external_urls_in_js('var ns = "http://www.w3.org/2000/svg";')


def page_weight(site: Path, page: Path, density: int = 1) -> int:
    """The bytes a reader's browser fetches to see the whole page on a screen of ``density``
    device pixels per CSS pixel: its HTML, the local images it shows, and every frame of its
    explorers, from their high-density set where they have one and ``density`` is 2.

    Shared theme files and MathJax, cached across pages, are not counted.
    """
    text = page.read_text(encoding="utf-8")
    total = len(text.encode())
    sources = set(re.findall(r'<img[^>]+src="([^"]+)"', text))
    for block in re.findall(r'class="descend-explorer-frames">(.*?)</script>', text):
        sets = json.loads(block)
        sources.update(sets.get(str(density), sets["1"]))
    for src in sources:
        if not src.startswith("data:") and not EXTERNAL.match(src):
            target = (page.parent / src.split("?")[0]).resolve()
            if target.is_file():
                total += target.stat().st_size
    return total


def test_page_weights(site):
    heavy = {}
    for page in files(site, ".html"):
        text = page.read_text(encoding="utf-8")
        for block in re.findall(r'<div class="descend-explorer".*?</script></div>', text, flags=re.S):
            sets = json.loads(re.search(r'class="descend-explorer-frames">(.*?)</script>', block).group(1))
            for density, frames in sets.items():  # the block and the frame files it names
                weight = len(block.encode()) + sum((page.parent / f).stat().st_size for f in set(frames)
                                                   if not f.startswith("data:"))
                if weight > EXPLORER_MAX:
                    heavy[f"{page.relative_to(site)} explorer at {density}x"] = weight
        for density in (1, 2):
            if page_weight(site, page, density) > PAGE_MAX:
                heavy[f"{page.relative_to(site)} at {density}x"] = page_weight(site, page, density)
    assert not heavy, f"over budget (bytes): {heavy}"


#: Bounds on the frames of every explorer against their lossless render, per colour channel
#: (0–255): the build records the largest error of any pixel and the largest mean error of
#: any frame (``descend._static``).  The book's 256-colour palettes measure at most 30 and
#: 1.1 (chapters 7 and 4); lossy WebP at quality 80 reaches 120–140 on text and thin lines,
#: so a fallback to it fails here.
FRAME_ERROR_MAX = 40
FRAME_ERROR_MEAN = 1.5


def test_explorer_frames_are_sharp(site):
    blurred, count = {}, 0
    for page in files(site, ".html"):
        text = page.read_text(encoding="utf-8")
        for k, block in enumerate(re.findall(r'<div class="descend-explorer" [^>]*>', text)):
            count += 1
            for suffix in ("", "-2x"):
                encoding = re.search(rf'data-encoding{suffix}="([\w-]+)"', block).group(1)
                if encoding == "none":  # no high-density set
                    continue
                error_max = int(re.search(rf'data-error-max{suffix}="(\d+)"', block).group(1))
                error_mean = float(re.search(rf'data-error-mean{suffix}="([\d.]+)"', block).group(1))
                if error_max > FRAME_ERROR_MAX or error_mean > FRAME_ERROR_MEAN:
                    blurred[f"{page.relative_to(site)} explorer {k}{suffix}"] = (encoding, error_max, error_mean)
    assert count > 0, "no explorer found on the site"
    assert not blurred, f"explorer frames too far from their render (encoding, max, mean): {blurred}"


def test_site_weight(site):
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    assert total <= SITE_MAX, f"_build/html is {total / MB:.1f} MB (budget {SITE_MAX / MB:.0f} MB)"


def test_explorer_frames_are_files_of_the_site_drawn_at_the_size_shown(site):
    """The site's explorers name their frames as files of the site (none inline), every one of
    which exists; each standard frame is as wide as the image is on the page (at most the text
    column) and each high-density frame twice as wide and high, give or take Agg's rounding."""
    from PIL import Image

    from descend import _static

    count = 0
    for page in files(site, ".html"):
        text = page.read_text(encoding="utf-8")
        for block in re.findall(r'<div class="descend-explorer" .*?</script></div>', text, flags=re.S):
            count += 1
            assert "data:image" not in block, f"{page.relative_to(site)}: frames left inline"
            width, height = (int(v) for v in re.search(r'width="(\d+)" height="(\d+)"', block).groups())
            assert width <= _static.DISPLAY_WIDTH
            sets = json.loads(re.search(r'class="descend-explorer-frames">(.*?)</script>', block).group(1))
            for density, frames in sets.items():
                for src in set(frames):
                    target = (page.parent / src).resolve()
                    assert target.is_file() and target.parent == site.resolve() / "_frames", (page, src)
                    with Image.open(target) as im:
                        w, h = im.size
                    d = int(density)  # Agg drops the fraction of a pixel: 2x can be one wider or higher
                    assert 0 <= w - d * width < d and abs(h - d * height) <= d, (page, src, density, im.size)
    assert count > 0
    named = set(re.findall(r"_frames/([0-9a-f]{20}\.webp)", "".join(p.read_text(encoding="utf-8")
                                                                 for p in files(site, ".html"))))
    assert named == {p.name for p in (site / "_frames").iterdir()}, "frames no page names, or names but lacks"


def test_each_explorer_starts_on_its_frame_in_each_set_with_a_frame_for_each_position(site):
    """Every explorer of the site: each of its sets has one frame for each position of its
    sliders (the product of their counts), ``data-frame`` is the frame its sliders' starting
    values select (as the page's script counts), the image starts on the standard set's frame
    there, and ``data-src2x``, which the script shows on a high-density screen at load, is the
    high-density set's frame there, exactly where the explorer has that set."""
    count = 0
    for page in files(site, ".html"):
        text = page.read_text(encoding="utf-8")
        for block in re.findall(r'<div class="descend-explorer" .*?</script></div>', text, flags=re.S):
            count += 1
            where = (page.relative_to(site).as_posix(), count)
            sets = json.loads(re.search(r'class="descend-explorer-frames">(.*?)</script>', block).group(1))
            sliders = [(int(value), len(json.loads(values))) for value, values in
                       re.findall(r'<input type="range"[^>]*\svalue="(\d+)"[^>]*data-values=\'([^\']*)\'', block)]
            positions = math.prod(n for _, n in sliders)
            assert len(sliders) == block.count('<input type="range"'), where   # every slider read
            assert sliders and positions >= 2 and all(len(frames) == positions for frames in sets.values()), where
            k = 0
            for value, n in sliders:   # the frame the sliders' positions select, as the page's script counts
                assert 0 <= value < n, where
                k = k * n + value
            assert int(re.search(r'data-frame="(\d+)"', block).group(1)) == k, where
            img = re.search(r'<img class="descend-explorer-frame"[^>]*>', block).group(0)
            assert re.search(r'\ssrc="([^"]+)"', img).group(1) == sets["1"][k], where
            src2x = re.search(r'data-src2x="([^"]+)"', img)
            assert (src2x.group(1) if src2x else None) == (sets["2"][k] if "2" in sets else None), where
    assert count > 0


def test_no_build_only_files(site):
    """What no reader's browser fetches is not shipped: source maps, and message catalogs, which
    translate the theme's labels when Sphinx writes the pages (book/_ext/descend_site.py)."""
    shipped = [p.relative_to(site).as_posix() for p in site.rglob("*")
               if p.is_file() and p.suffix in (".map", ".po", ".mo")]
    assert not shipped, shipped[:10]
    assert not (site / "_static" / "locales").exists()
