"""The PDF edition of the book (``make pdf``) and the site's button that links it.

``make pdf`` runs Jupyter Book's LaTeX route, ``jupyter-book build . --builder pdflatex``:
Sphinx's LaTeX builder with sphinx-jupyterbook-latex, compiled by XeLaTeX (the text is
Unicode: θ, η, ≤, ×, —).  It builds under ``_build/pdf`` with its own doctrees, so it never
invalidates the site's, but reads the notebooks' outputs from the site's execution cache
(:func:`_share_the_execution_cache`): after ``make book`` nothing is executed again.

What this extension adds, for the LaTeX builder only (the HTML build is unchanged):

* the fonts, and fallbacks for the few characters they lack (:data:`_PREAMBLE`);
* figures placed where the text puts them (it says "the figure below"), also inside
  exercises and solutions, where LaTeX cannot float them;
* each explorer as a figure: its starting frame (the ``image/png`` that
  ``descend._static.bundle`` adds to the static output), captioned with its alternative text,
  the starting values of its sliders and the page of the website where it is live
  (:class:`ExplorerFigures`);
* display equations with ``\\tag`` typeset without the ``split`` that Sphinx wraps them in
  (amsmath refuses a tag there; MathJax does not care) (:class:`TaggedEquations`);
* the reference pages after ``\\appendix``, lettered A, B, ... rather than numbered on from
  the chapters (:class:`ReferenceAppendix`);
* sphinx-jupyterbook-latex's document class without ``bbm`` (:func:`_latex_class_without_bbm`).

On the site, every page gets a "PDF" button beside the download menu that links
``descend.pdf`` at the site's root, where ``make pdf`` copies the book (:func:`_pdf_button`).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Where ``make pdf`` puts the book in the built site (tests/site/test_pdf.py checks it).
PDF_NAME = "descend.pdf"


def _share_the_execution_cache(app, config):
    """Every builder reads the notebooks' outputs from ``_build/.jupyter_cache``.

    myst-nb's default is ``.jupyter_cache`` next to the output folder: the same folder for
    ``make book`` (output ``_build/html``), but ``make pdf`` builds in ``_build/pdf/_build``
    and must reuse the site's executed notebooks rather than run them again.
    """
    if not config.nb_execution_cache_path:
        config.nb_execution_cache_path = str(Path(app.srcdir) / "_build" / ".jupyter_cache")


def _latex_class_without_bbm(app):
    """Rewrite sphinx-jupyterbook-latex's document class without the ``bbm`` package.

    The class loads ``bbm`` for ``\\mathbbm`` (its ``\\RR``, ``\\NN``, ... macros, which the book
    never uses), and Debian ships ``bbm`` only in texlive-fonts-extra (about 1 GB); ``\\mathbb``
    draws the same letters.  Runs after the extension has copied its class.
    """
    if app.builder.format != "latex":
        return
    cls = Path(app.outdir) / "jupyterBook.cls"
    text = cls.read_text(encoding="utf-8")
    if "\\RequirePackage{bbm}" not in text:
        raise RuntimeError(f"{cls} no longer loads bbm: check _latex_class_without_bbm against it")
    cls.write_text(text.replace("\\RequirePackage{bbm}", "\\providecommand{\\mathbbm}[1]{\\mathbb{#1}}"),
                   encoding="utf-8")


#: Fonts: FreeSerif and FreeSans (Sphinx's choice for XeLaTeX, fonts-freefont-otf) with TeX Gyre
#: Termes Math, a Times to match them; DejaVu Sans Mono for code and outputs, which print
#: θₜ, xᵢ and Aᵀ (FreeMono has none of those).
_FONTS = r"""
\setmainfont{FreeSerif}[Extension=.otf, UprightFont=*, ItalicFont=*Italic, BoldFont=*Bold, BoldItalicFont=*BoldItalic]
\setsansfont{FreeSans}[Extension=.otf, UprightFont=*, ItalicFont=*Oblique, BoldFont=*Bold, BoldItalicFont=*BoldOblique]
\setmonofont{DejaVu Sans Mono}[Scale=MatchLowercase]
"""

#: Characters that some of the fonts above lack, each printed from the current font when it
#: has the glyph and otherwise as given here (a font without the glyph would print nothing
#: and only log "Missing character"; tests/site/test_pdf.py fails on that line).
_FALLBACKS = {
    "\u2099": r"\textsubscript{n}",          # ₙ
    "\u209c": r"\textsubscript{t}",          # ₜ
    "\u1d40": r"\textsuperscript{T}",        # ᵀ
    "\u1d4f": r"\textsuperscript{k}",        # ᵏ
    "\u1d57": r"\textsuperscript{t}",        # ᵗ
    "\u1d62": r"\textsubscript{i}",          # ᵢ
    "\u2c7c": r"\textsubscript{j}",          # ⱼ
    "\u2113": r"\ensuremath{\ell}",          # ℓ
    "\u274c": r'{\descendsymbolfont\char"274C\relax}',   # ❌ (FreeSerif has it)
    "\u2713": r'{\descendsymbolfont\char"2713\relax}',   # ✓
}


def _preamble() -> str:
    lines = [r"\usepackage{newunicodechar}", r"\newfontfamily\descendsymbolfont{FreeSerif}[Extension=.otf]",
             r"\renewcommand{\sphinxstyleindexentry}[1]{#1}"]   # index terms in the text's font, not typewriter
    for char, fallback in _FALLBACKS.items():
        code = f"{ord(char):04X}"
        lines.append(rf'\newunicodechar{{{char}}}{{\iffontchar\font"{code}\relax\char"{code}\relax\else{fallback}\fi}}')
    return "\n".join(lines)


def _latex_settings(app, config):
    """Sphinx's LaTeX options for the book; runs after sphinx-jupyterbook-latex's (priority)."""
    config.latex_engine = "xelatex"
    config.latex_use_xindy = False         # makeindex: Debian's xindy is another package, and the index is ASCII
    config.latex_domain_indices = False    # sphinx-proof's index lists labels (thm-newton-local), not terms
    config.latex_show_urls = "footnote"    # a printed link shows where it goes
    elements = config.latex_elements
    elements.setdefault("fontpkg", _FONTS)
    # After sphinx-jupyterbook-latex's block, which loads unicode-math:
    elements["preamble"] = elements.get("preamble", "") + "\n\\setmathfont{TeX Gyre Termes Math}\n" + _preamble() + "\n"
    # "H": where the text puts it ("the figure below"); inside an exercise or a solution (framed
    # boxes), a float is an error, and sphinx-exercise does not tell Sphinx so.
    elements.setdefault("figure_align", "H")


def _page_of(node) -> str | None:
    """The docname of the page a node of the assembled LaTeX doctree comes from.

    Sphinx marks every section of an inlined page with its ``docname`` (its ``start_of_file``
    takes the page's children without re-parenting them, so the way up stops at the page).
    """
    while node is not None:
        if "docname" in node.attributes:
            return node["docname"]
        node = node.parent
    return None


def _explorer_values(block: str) -> list[str]:
    """``"η = 0.015"`` for each slider of an explorer's static HTML, at its starting value."""
    labels = re.findall(r'<label for="([^"]+)">(.*?)</label>', block)
    outputs = dict(re.findall(r'<output for="([^"]+)">(.*?)</output>', block))
    return [f"{html.unescape(label)} = {html.unescape(outputs.get(uid, '?'))}" for uid, label in labels]


def explorer_caption(alt: str, values: list[str], page: str) -> str:
    """The caption of an explorer in the PDF: what it shows, where it starts, where it is live.

    >>> explorer_caption("A valley.", ["η = 0.1", "β = 0.9"], "notebooks/04_momentum.html")
    'A valley. Shown at η = 0.1, β = 0.9; the sliders are live on the website, page notebooks/04_momentum.html.'
    """
    start = f"Shown at {', '.join(values)}; the" if values else "The"
    return f"{alt.rstrip()} {start} sliders are live on the website, page {page}."


class ExplorerFigures(SphinxPostTransform):
    """In LaTeX, each explorer becomes a figure of its starting frame with :func:`explorer_caption`.

    Runs before myst-nb's ``SelectMimeType`` (priority 4), while the output still holds both
    the explorer's HTML (for its alternative text and sliders) and its PNG.  An explorer
    already inside a figure (a cell with a ``mystnb: figure`` caption) keeps that caption, with
    the sentence appended.
    """

    default_priority = 3
    formats = ("latex",)

    def run(self, **kwargs):
        for bundle in list(self.document.findall(nodes.container)):
            if bundle.get("nb_element") != "mime_bundle":
                continue
            by_type = {child.get("mime_type"): child for child in bundle.children}
            block = by_type.get("text/html")
            if block is None or 'class="descend-explorer"' not in block.astext():
                continue
            images = list(by_type["image/png"].findall(nodes.image)) if "image/png" in by_type else []
            if not images:
                logger.warning("an explorer's output has no image/png for the PDF: re-run `make book` "
                               "(descend._static.bundle adds it)", location=bundle)
                continue
            text = block.astext()
            alt = html.unescape(re.search(r'<img class="descend-explorer-frame" src="[^"]*" alt="([^"]*)"', text).group(1))
            docname = _page_of(bundle) or self.env.docname
            base = (self.config.html_baseurl or "").rstrip("/")
            page = f"{base}/{docname}.html" if base else f"{docname}.html"
            image = images[0]
            image["alt"] = alt
            figure = next((a for a in _ancestors(bundle) if isinstance(a, nodes.figure)), None)
            if figure is not None:
                caption = next(iter(figure.findall(nodes.caption)), None)
                if caption is not None:
                    caption += nodes.Text(" " + explorer_caption("", _explorer_values(text), page).lstrip())
                    bundle.replace_self(image)
                    continue
            new = nodes.figure("", image, nodes.caption("", explorer_caption(alt, _explorer_values(text), page)))
            new["classes"].append("descend-explorer-figure")
            bundle.replace_self(new)


def _ancestors(node):
    node = node.parent
    while node is not None:
        yield node
        node = node.parent


class TaggedEquations(SphinxPostTransform):
    r"""A one-line display with ``\tag`` goes into ``equation*`` alone, not Sphinx's ``split``.

    amsmath stops with "\tag not allowed here" inside ``split``; MathJax renders both alike.
    """

    default_priority = 500
    formats = ("latex",)

    def run(self, **kwargs):
        for math in list(self.document.findall(nodes.math_block)):
            text = math.astext()
            if math.get("nowrap") or "\\tag" not in text or "\\\\" in text or math.get("label"):
                continue
            math["nowrap"] = True
            math.children = []
            math += nodes.Text("\\begin{equation*}\n" + text.strip() + "\n\\end{equation*}")


#: The heading of the root page in the PDF.
PREFACE = ("\\chapter*{About this book}\\addcontentsline{toc}{chapter}{About this book}"
           "\\markboth{About this book}{About this book}\n")


class ReferenceAppendix(SphinxPostTransform):
    r"""``\appendix`` before the second part (the reference pages), so they are lettered A, B, ...

    sphinx-jupyterbook-latex turns each caption of ``_toc.yml`` into a part ("Chapters",
    "Reference"); without this the reference pages would be chapters 12, 13, ...
    """

    default_priority = 800   # after sphinx-jupyterbook-latex has made the parts (700)
    formats = ("latex",)

    def run(self, **kwargs):
        parts = [node for node in self.document.children if isinstance(node, nodes.compound)
                 and "toctree-wrapper" in node["classes"] and node.get("docname") is None]
        if len(parts) > 1:
            parts[1].insert(0, nodes.raw("", "\\appendix\n", format="latex"))
        # The root page (book/intro) opens the book after the contents; its title is the
        # book's, so it gets a heading of its own, in the contents and the running head.
        self.document.insert(0, nodes.raw("", PREFACE, format="latex"))


class ChapterLabels(SphinxPostTransform):
    r"""Labels that sphinx-proof and sphinx-exercise get wrong in LaTeX, made right.

    * sphinx-proof finds a theorem's chapter by the section whose names include the chapter's
      title in lower case; the names come from the source ("Newton's"), the title from after
      SmartQuotes ("Newton’s"), so in chapters 2, 5 and 9 the theorems were labelled
      ``None:thm-...`` (every reference to one undefined) and printed without their number.
      Each chapter's section gets its title among its names.
    * sphinx-exercise labels an exercise ``exercise:<label>`` only; a plain ``{ref}`` to it
      (from another page) points at ``<docname>:<label>``.  Each numbered exercise gets that
      label too, carrying its number for ``
ef``.
    """

    default_priority = 800   # after sphinx-jupyterbook-latex's arrangement (700)
    formats = ("latex",)

    def run(self, **kwargs):
        from sphinx_exercise.nodes import exercise_enumerable_node

        for start in self.document.findall(addnodes.start_of_file):
            docname = start["docname"]
            for section in (c for c in start.children if isinstance(c, nodes.section)):
                title = self.env.titles[docname].astext().lower() if docname in self.env.titles else None
                if title and title not in section["names"]:
                    section["names"].append(title)
        for exercise in list(self.document.findall(exercise_enumerable_node)):
            docname, ids = _page_of(exercise), exercise.get("ids", [])
            if docname is None or not ids:
                continue
            numbers = self.env.toc_fignumbers.get(docname, {})
            number = next((".".join(map(str, n[ids[0]])) for n in numbers.values() if ids[0] in n), "")
            label = f"{docname}:{exercise['label']}"
            exercise.parent.insert(exercise.parent.index(exercise), nodes.raw(
                "", f"{{\\phantomsection\\expandafter\\def\\csname @currentlabel\\endcsname{{{number}}}"
                    f"\\label{{\\detokenize{{{label}}}}}}}\n", format="latex"))


def _pdf_button(app, pagename, templatename, context, doctree):
    """A "PDF" button in every page's header, after the theme's download menu."""
    buttons = context.get("header_buttons")
    if buttons is None:
        return
    button = {"type": "link", "url": context["pathto"](PDF_NAME, 1), "text": "PDF",
              "tooltip": "The whole book as a PDF", "icon": "fas fa-file-pdf", "label": "book-pdf-button"}
    where = next((i + 1 for i, b in enumerate(buttons) if b.get("label") == "download-buttons"), len(buttons))
    buttons.insert(where, button)


def setup(app):
    app.connect("config-inited", _share_the_execution_cache)
    app.connect("config-inited", _latex_settings, priority=600)
    app.connect("builder-inited", _latex_class_without_bbm, priority=900)
    app.add_post_transform(ExplorerFigures)
    app.add_post_transform(TaggedEquations)
    app.add_post_transform(ReferenceAppendix)
    app.add_post_transform(ChapterLabels)
    app.connect("html-page-context", _pdf_button, priority=502)  # after the theme's buttons (501)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
