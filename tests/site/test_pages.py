"""The built pages: every chapter is there, figures have alt text, solutions are folded."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from conftest import ROOT, chapter_files


class Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images, self.solutions = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs)
        if tag == "div" and "solution" in (attrs.get("class") or "").split():
            self.solutions.append(attrs.get("class"))


def parse(path):
    c = Collector()
    c.feed(path.read_text(encoding="utf-8"))
    return c


def test_every_chapter_in_the_toc_is_built(site):
    chapters = chapter_files()
    assert chapters, "_toc.yml lists no chapters"
    for name in chapters:
        assert (site / f"{name}.html").is_file(), name
        assert (ROOT / f"{name}.ipynb").is_file(), name


def test_every_notebook_is_in_the_toc():
    listed = set(chapter_files())
    for nb in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"):
        assert f"notebooks/{nb.stem}" in listed, f"{nb.name} is not in _toc.yml"


@pytest.mark.parametrize("name", chapter_files())
def test_figures_have_alt_text(site, name):
    images = parse(site / f"{name}.html").images
    assert images, f"{name} has no figures"
    for img in images:
        alt = (img.get("alt") or "").strip()
        assert len(alt) >= 15, f"{name}: image {img.get('src', '')[:60]} has no useful alt text ({alt!r})"


@pytest.mark.parametrize("name", chapter_files())
def test_exercises_have_folded_solutions(site, name):
    page = site / f"{name}.html"
    text = page.read_text(encoding="utf-8")
    exercises = len(re.findall(r'class="[^"]*\bexercise\b[^"]*"', text))
    solutions = parse(page).solutions
    assert exercises >= 4, f"{name} has {exercises} exercises; every chapter needs at least four"
    assert len(solutions) >= exercises, f"{name}: {exercises} exercises but {len(solutions)} solutions"
    assert all("dropdown" in s for s in solutions), f"{name}: a solution is not folded"


@pytest.mark.parametrize("name", chapter_files())
def test_no_error_output_in_pages(site, name):
    text = (site / f"{name}.html").read_text(encoding="utf-8")
    for marker in ("Traceback (most recent call last)", "RuntimeWarning", "DeprecationWarning", 'class="output stderr"'):
        assert marker not in text, f"{name} shows {marker!r}"


def test_every_page_names_an_icon_the_site_has(site):
    """Each page links its icon, so that no browser asks for a /favicon.ico the site lacks."""
    for page in sorted(site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        if "_static" in page.relative_to(site).parts or 'http-equiv="Refresh"' in text[:300]:
            continue   # a theme's template fragment; a redirect
        icons = re.findall(r'<link rel="(?:shortcut )?icon" href="([^"]+)"', text)
        assert icons, f"{page.relative_to(site)} links no icon"
        assert all((page.parent / icon).resolve().is_file() for icon in icons), (page, icons)


def test_no_formula_begins_with_a_space(site):
    """No formula of the site, inline or displayed, begins with a TeX space (``\\,``, ``\\;``,
    ``\\quad``, a kern...): MathJax 3.2.2's explorer gave such a formula no spoken label (checked
    for ``\\,``: 15 of chapter 8's formulas, each ``$\\,\\eta$`` written after a glued number,
    had none once a reader switched it on; chapter 7 had 18 such), so the space goes outside the
    formula, as text (a no-break space)."""
    spaced = re.compile(r'class="math[^"]*"[^>]*>\s*\\[(\[]\s*\\(,|;|:|!|>| |quad|qquad|enspace|enskip|thinspace|'
                        r'medspace|thickspace|negthinspace|hspace|kern|mkern|mspace|hskip|mskip)')
    assert spaced.search('<div class="math notranslate nohighlight">\n\\[\n\\,\\eta\n\\]</div>')   # displayed
    assert spaced.search('<span class="math notranslate nohighlight">\\(\\,\\eta\\)</span>')        # inline
    found = {page.relative_to(site).as_posix(): len(spaced.findall(page.read_text(encoding="utf-8")))
             for page in sorted(site.rglob("*.html")) if "_static" not in page.parts}
    assert sum(found.values()) == 0, {p: n for p, n in found.items() if n}
