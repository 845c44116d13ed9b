"""The PDF edition (`make pdf`, which `make test` runs before these): whole, typeset, linked.

Read with poppler-utils (pdfinfo, pdftotext, pdfimages, pdftohtml) and from the LaTeX build's
own files (the .tex and XeLaTeX's log) in _build/pdf/_build/latex.  Without poppler-utils the
tests skip loudly, as the browser tests do without chromium; without the PDF they fail.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import warnings

import pytest

from conftest import HTML, ROOT, chapter_files

PDF = ROOT / "_build" / "pdf" / "descend.pdf"
LATEX = ROOT / "_build" / "pdf" / "_build" / "latex"
TOOLS = ("pdfinfo", "pdftotext", "pdfimages", "pdftohtml")

MISSING = [tool for tool in TOOLS if shutil.which(tool) is None]
REASON = f"poppler-utils is not installed ({', '.join(MISSING)} missing): `apt-get install poppler-utils`" if MISSING else None
if REASON:
    warnings.warn(f"PDF TESTS SKIPPED: {REASON}", stacklevel=1)
needs_poppler = pytest.mark.skipif(REASON is not None, reason=f"PDF TESTS SKIPPED: {REASON}")

#: Markup that must never reach the printed text: LaTeX the writer failed to typeset, and MyST
#: roles, directives and fences that were not parsed.
RAW = [r"\begin{", r"\end{", r"\frac", r"\mathbb", r"\theta", r"\eta", r"\(", r"\[", "$$", "{glue", "{prf:",
       ":::", "```", "{ref}", "{numref}", "{eq}", "{cite", "{math}", "{index}", "{doc}", "{term}", "{admonition}"]


@pytest.fixture(scope="module")
def pdf():
    if not PDF.is_file():
        pytest.fail(f"No PDF at {PDF}: run `make pdf` (make test does) before tests/site.")
    return PDF


def _run(*args) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


@functools.lru_cache(maxsize=None)
def _text(path) -> str:
    return _run("pdftotext", "-enc", "UTF-8", str(path), "-")


def _normal(text: str) -> str:
    """Whitespace collapsed, curly quotes and the PDF's hyphenation undone, for matching."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u00ad", "")
    text = re.sub(r"-\s*\n\s*", "-", text)
    return re.sub(r"\s+", " ", text).lower()


def _pages() -> list[str]:
    """The files of every page of the book (the PDF prints them all), without suffix."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]


#: Tags of code cells whose source the PDF does not print (sphinx-jupyterbook-latex drops it).
HIDDEN = {"hide-input", "remove-input", "hide-cell", "remove-cell"}


def _code_sources() -> str:
    """The code the PDF prints as written, and which may hold TeX: shown code cells, fenced
    blocks and inline code (`$\\nabla L$` in the errata shows TeX on purpose)."""
    code = []
    for page in _pages():
        path = next(p for p in (ROOT / f"{page}.ipynb", ROOT / f"{page}.md") if p.is_file())
        if path.suffix == ".ipynb":
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            code += ["".join(c["source"]) for c in cells if c["cell_type"] == "code" and not HIDDEN & set(
                c.get("metadata", {}).get("tags", []))]
            markdown = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        else:
            markdown = path.read_text(encoding="utf-8")
        code += re.findall(r"^```.*?^```", markdown, re.M | re.S)
        code += re.findall(r"`[^`\n]+`", markdown)
    return "\n".join(code)


def _without_inline_code(tex: str) -> str:
    r"""The .tex without its ``\sphinxupquote{...}`` spans (inline code, printed as written)."""
    out, at = [], 0
    for start in (m.end() for m in re.finditer(r"\\sphinxupquote\{", tex)):
        if start < at:
            continue
        out.append(tex[at:start])
        depth, i = 1, start
        while depth and i < len(tex):
            depth += {"{": 1, "}": -1}.get(tex[i], 0) if tex[i - 1] != "\\" else 0
            i += 1
        at = i
    return "".join(out) + tex[at:]


def chapter_titles() -> list[str]:
    """Each chapter's title: the first heading of its notebook."""
    titles = []
    for file in chapter_files():
        nb = json.loads((ROOT / f"{file}.ipynb").read_text(encoding="utf-8"))
        text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
        titles.append(re.search(r"^# (.+)$", text, re.M).group(1).strip())
    return titles


@needs_poppler
def test_page_count_is_a_book(pdf):
    pages = int(re.search(r"^Pages:\s+(\d+)", _run("pdfinfo", str(pdf)), re.M).group(1))
    assert 200 <= pages <= 900, f"{pages} pages"


@needs_poppler
def test_every_chapter_is_in_the_text_in_order(pdf):
    text = _normal(_text(pdf))
    titles = chapter_titles()
    assert len(titles) >= 11
    body = text[text.index("chapter one"):] if "chapter one" in text else pytest.fail("no 'Chapter One' heading")
    at = 0
    for title in titles:
        found = body.find(_normal(title), at)
        assert found >= 0, f"chapter {title!r} is not in the PDF's text after the previous chapter"
        at = found


@needs_poppler
def test_no_raw_markup_in_the_text(pdf):
    """Markup in the printed text no more often than the code it prints as written holds it."""
    text, code = _text(pdf), _code_sources()
    leaked = {raw: (text.count(raw), code.count(raw)) for raw in RAW if text.count(raw) > code.count(raw)}
    assert not leaked, f"raw TeX or MyST markup in the PDF's text (count, in code): {leaked}"


def test_no_escaped_tex_in_the_latex_source():
    r"""TeX that reached the writer as text shows in the .tex as ``\textbackslash{}frac``."""
    tex = _without_inline_code((LATEX / "descend.tex").read_text(encoding="utf-8"))
    found = re.findall(r"\\textbackslash\{\}[A-Za-z]+|\\\$\\\$", tex)
    assert not found, f"escaped TeX in descend.tex (not typeset): {sorted(set(found))[:10]}"


def test_the_inline_code_filter():
    tex = r"a \sphinxcode{\sphinxupquote{\$\textbackslash{}nabla\$}} b \textbackslash{}frac c"
    assert _without_inline_code(tex) == r"a \sphinxcode{\sphinxupquote{} b \textbackslash{}frac c"


def test_the_latex_log_is_clean(pdf):
    """Every glyph found, every reference resolved, nothing fetched (every font is installed)."""
    log = (LATEX / "descend.log").read_text(encoding="utf-8", errors="replace")
    assert "Missing character" not in log, sorted(set(re.findall(r"Missing character: There is no (.) \(U\+\w+\)", log)))
    assert not re.search(r"(Hyper )?[Rr]eference `[^']+' on page \d+\s+undefined", log), \
        re.findall(r"[Rr]eference `([^']+)' on page", log)[:10]
    assert "There were undefined references" not in log
    assert not re.search(r"mktex(tfm|pk|mf)|kpathsea: Running", log), "TeX tried to make or fetch a font"


@needs_poppler
def test_numbered_chapters_sections_and_equations(pdf):
    text = _text(pdf)
    assert "CHAPTER" in text.upper() and re.search(r"^1\.3 Finite differences", text, re.M), "numbered sections"
    tex = (LATEX / "descend.tex").read_text(encoding="utf-8")
    # Every labelled display is numbered, as on the site (the book numbers only those it refers to).
    markdown = "\n".join("".join(c["source"]) for f in chapter_files()
                         for c in json.loads((ROOT / f"{f}.ipynb").read_text(encoding="utf-8"))["cells"]
                         if c["cell_type"] == "markdown")
    labelled = (len(re.findall(r"\$\$[ \t]*\([\w:-]+\)[ \t]*$", markdown, re.M))
                + len(re.findall(r"\{math\}[^\n]*\n(?::\w+:[^\n]*\n)*?:label:", markdown)))
    assert tex.count(r"\label{equation:") >= labelled, "a labelled equation is not numbered"
    assert re.search(r"\\begin\{sphinxadmonition\}\{note\}\{Theorem \d+\.\d+\.\d+", tex), "numbered theorems"
    assert "\\appendix" in tex, "the reference pages are appendices"


@needs_poppler
def test_figures_and_explorers_are_embedded(pdf, site):
    """At least one image in the PDF for each figure and explorer of the site's chapters."""
    on_site = 0
    for file in chapter_files():
        page = (HTML / f"{file}.html").read_text(encoding="utf-8")
        on_site += len(re.findall(r'<img [^>]*src="\.\./_images/', page))
        on_site += page.count('class="descend-explorer-frame"')
    listed = _run("pdfimages", "-list", str(pdf)).splitlines()[2:]
    images = [line for line in listed if line.split()[2] == "image"]
    assert on_site > 50 and len(images) >= on_site, f"{len(images)} images in the PDF, {on_site} on the site"


@needs_poppler
def test_each_explorer_says_where_it_is_live(pdf, site):
    explorers = {}
    for file in chapter_files():
        count = (HTML / f"{file}.html").read_text(encoding="utf-8").count('class="descend-explorer-frame"')
        if count:
            explorers[f"{file}.html"] = count
    text = _normal(_text(pdf))
    for page, count in explorers.items():
        said = text.count(f"the sliders are live on the website, page {page}")
        assert said == count, f"{page}: {count} explorers on the site, {said} captions in the PDF say so"


@needs_poppler
def test_internal_links(pdf):
    """The contents, and references to figures, equations, theorems and exercises, are links."""
    xml = _run("pdftohtml", "-xml", "-i", "-q", "-stdout", "-f", "1", "-l", "40", str(pdf))
    internal = re.findall(r'<a href="[^"]*#\d+', xml)
    assert len(internal) >= 30, f"{len(internal)} internal links in the first 40 pages"
    tex = (LATEX / "descend.tex").read_text(encoding="utf-8")
    for kind in ("Fig", "Theorem", "Exercise"):
        assert re.search(rf"\\hyperref\[[^\]]+\]\{{[^}}]*{kind}", tex), f"no link to a {kind.lower()}"
    assert re.search(r"\\hyperref\[[^\]]+\]\{\\sphinxcrossref\{Theorem \d+\.\d+\.\d+", tex)


@needs_poppler
def test_bibliography_and_index(pdf):
    text = _text(pdf)
    bibliography = text[text.index("BIBLIOGRAPHY"):text.rindex("INDEX")]
    assert "Kingma" in bibliography and "Robbins" in bibliography, "the bibliography lists the cited works"
    index = text[text.rindex("INDEX"):]
    assert len(re.findall(r"\n[a-z][\w -]+, \d+", index)) >= 10, "the index lists terms with pages"


def test_the_site_links_the_pdf(pdf, site):
    """`make pdf` copied the book into the site, and every page's header links it."""
    copy = HTML / "descend.pdf"
    assert copy.is_file() and copy.read_bytes() == pdf.read_bytes(), "run `make pdf` after `make book`"
    for file in ["book/intro", *chapter_files()]:
        page = (HTML / f"{file}.html").read_text(encoding="utf-8")
        depth = file.count("/")
        assert re.search(rf'<a href="{"../" * depth}descend\.pdf"[^>]*btn-book-pdf-button', page), f"{file}: no PDF button"
