"""Sphinx extension for the book's site: static explorers and a MathJax served locally.

* Notebooks executed for the site render ``dd.explore`` sliders as static HTML (frames
  swapped in the page), so they work without a kernel.  The kernel inherits this process's
  environment, so setting the backend here covers every way of running the build.
* Launch buttons appear only once ``repository.url`` is set in ``_config.yml``.
* MathJax comes from the pinned ``django-static-mathjax`` package (it only carries the
  MathJax 3 files) and is copied into ``_static/mathjax``: the pages load nothing from a CDN.
* The student editions of the homework (``_build/homework/student/*.ipynb``, written by
  ``make homework``) are copied into ``homework/`` of the site, where each chapter's
  "Homework" section links them, together with the library's wheel
  (``_build/homework/wheel/descend-*.whl``), which students install instead of cloning the
  repository (book/homework.md links it). Only these are copied: the solutions and the
  autograders (hidden tests) never reach the site, and ``notebooks/homework`` is excluded
  from the Sphinx build in ``_config.yml``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

# The parts of MathJax 3 that tex-chtml.js loads: itself, its fonts, the TeX extensions it
# can autoload, and the menu and accessibility components the reader can switch on. The
# accessibility explorer (speech, Braille) also loads the MathML input and the speech rule
# engine's rules for each language of the menu (sre/mathmaps, 3.9 MB): without them, switching
# it on left every formula of the page untypeset.
_MATHJAX_PARTS = ("tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions", "input/mml.js", "ui", "a11y",
                  "sre/mathmaps")
# The speech rule engine names jsdelivr for its rules, for Internet Explorer's rules and for an
# XPath polyfill: defaults that MathJax overrides (it points the engine at sre/mathmaps) or that
# no current browser uses. The copies served by the site name no other host.
_CDN = "https://cdn.jsdelivr.net/npm/"
_OFFLINE = "/mathjax-offline-unavailable/"


def _mathjax_source() -> Path:
    import mathjax  # the django-static-mathjax package

    return Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"


def _copy_mathjax(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    source, target = _mathjax_source(), Path(app.outdir) / "_static" / "mathjax"
    for part in _MATHJAX_PARTS:
        src, dst = source / part, target / part
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dst)
    for script in target.rglob("*.js"):
        text = script.read_text(encoding="utf-8")
        if _CDN in text:
            script.write_text(text.replace(_CDN, _OFFLINE), encoding="utf-8")


def _copy_student_homework(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    root = Path(app.srcdir)
    built = root / "_build" / "homework" / "student"
    stems = [p.stem for p in sorted((root / "notebooks" / "homework").glob("hw*.ipynb"))]
    missing = [s for s in stems if not (built / f"{s}.ipynb").is_file()]
    if missing:
        logger.warning(f"no student edition of {', '.join(missing)} in {built}: run `make homework` first")
    target = Path(app.outdir) / "homework"
    shutil.rmtree(target, ignore_errors=True)
    for stem in stems:
        if stem not in missing:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(built / f"{stem}.ipynb", target / f"{stem}.ipynb")
    if stems:  # a book with homework publishes the library's wheel with it
        _copy_wheel(built.parent / "wheel", target)


def _copy_wheel(wheels: Path, target: Path) -> None:
    """Publish the library's wheel (``make homework`` builds exactly one) in ``target``."""
    found = sorted(wheels.glob("descend-*.whl"))
    if len(found) != 1:
        logger.warning(f"expected one descend wheel in {wheels}, found {len(found)}: run `make homework` first")
        return
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(found[0], target / found[0].name)


def _launch_buttons_need_a_repository(app, config):
    """With ``repository.url`` empty, drop the launch buttons (the theme cannot build them)."""
    options = config.html_theme_options
    if not options.get("repository_url"):
        buttons = dict(options.get("launch_buttons", {}))
        for key in ("binderhub_url", "colab_url", "jupyterhub_url", "deepnote_url"):
            buttons[key] = ""
        options["launch_buttons"] = buttons


#: Fixes of the HTML that Sphinx and its extensions write into a page's body, for axe-core's
#: WCAG 2.1 A/AA rules: (what, the exact markup, its replacement). Each names the rule it meets.
_ACCESSIBLE_BODY = (
    # label-content-name-mismatch: myst-nb names every folded cell's toggle "Toggle hidden
    # content", which hides its visible text ("Show the code that checks ..."); without the
    # label the visible text is the name.
    ("folded cells", '<summary aria-label="Toggle hidden content">', "<summary>"),
    # aria-required-children: docutils marks the bibliography a list whose children are
    # citations and anchors, not list items (and doc-biblioentry is a deprecated role).
    ("bibliography", '<div role="list" class="citation-list">', '<div class="citation-list">'),
    ("bibliography", ' role="doc-biblioentry"', ""),
)
# (The proof index's layout table, which Sphinx's template writes outside the body, is marked
# as such by _static/descend-a11y.js.)


def _accessible_body(app, pagename, templatename, context, doctree):
    """Apply :data:`_ACCESSIBLE_BODY` to the page's body."""
    body = context.get("body")
    if isinstance(body, str):
        for _, markup, replacement in _ACCESSIBLE_BODY:
            body = body.replace(markup, replacement)
        context["body"] = body


def setup(app):
    os.environ["DESCEND_EXPLORE"] = "static"
    app.connect("config-inited", _launch_buttons_need_a_repository)
    app.setup_extension("descend_pdf")  # book/_ext/descend_pdf.py: `make pdf` and the site's PDF button
    app.connect("html-page-context", _accessible_body)
    if not (_mathjax_source() / "tex-chtml.js").is_file():
        raise RuntimeError("MathJax files not found: install requirements.txt (django-static-mathjax)")
    app.connect("build-finished", _copy_mathjax)
    app.connect("build-finished", _copy_student_homework)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
