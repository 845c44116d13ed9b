"""Sphinx extension for the book's site: static explorers and a MathJax served locally.

* Notebooks executed for the site render ``dd.explore`` sliders as static HTML (frames
  swapped in the page), so they work without a kernel.  The kernel inherits this process's
  environment, so setting the backend here covers every way of running the build.  Their
  frames, data URIs in the notebook's output, become files of the site (``_frames/``).
* The chapters' figures are stored as lossless WebP (the same pixels, half the bytes of PNG),
  and the theme's source maps and message catalogs, which no reader's browser fetches, are dropped.
* Launch buttons appear only once ``repository.url`` is set in ``_config.yml``.
* A file of ``book/_static`` edited alone has every page written again, so that it is copied
  and the pages name the new checksum of a script or stylesheet (Sphinx would find no page out
  of date).
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

import base64
import hashlib
import os
import re
import shutil
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

# The parts of MathJax 3 that tex-chtml.js loads: itself, its fonts, the TeX extensions it
# can autoload, and the menu and accessibility components the reader can switch on. The
# accessibility explorer (speech, Braille) also loads the MathML input and the speech rule
# engine's rules for each language of the menu (sre/mathmaps, 3.9 MB): without them, switching
# it on left every formula of the page untypeset. Of ui/, only the menu: the lazy-typesetting
# and safe extensions are not used (descend-lazy-math.js hands MathJax the formulas).
_MATHJAX_PARTS = ("tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions", "input/mml.js", "ui/menu.js",
                  "a11y", "sre/mathmaps")
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


_EXPLORER = re.compile(r'<div class="descend-explorer" .*?</script></div>', re.S)
_FRAME_URI = re.compile(r"data:image/webp;base64,([A-Za-z0-9+/=]+)")


def _frames_as_files(app, pagename, templatename, context, doctree):
    """Move each explorer's frames out of the page into ``_frames/`` of the site.

    The kernel writes them as data URIs (so a notebook's output is self-contained); inline, they
    were most of a page's bytes and all parsed with it. As files named by their content, the
    page carries only their addresses: the browser fetches the starting frame with the page and
    the others when the reader turns to the explorer (``descend._static``), and caches them.
    The addresses are relative, so the site still works offline and from any folder.
    """
    body = context.get("body")
    if not isinstance(body, str) or "descend-explorer" not in body:
        return
    folder = Path(app.outdir) / "_frames"
    up = "../" * pagename.count("/")

    def to_file(match):
        data = base64.b64decode(match.group(1))
        name = hashlib.sha256(data).hexdigest()[:20] + ".webp"
        target = folder / name
        if not target.is_file():
            folder.mkdir(exist_ok=True)
            target.write_bytes(data)
        return f"{up}_frames/{name}"

    context["body"] = _EXPLORER.sub(lambda block: _FRAME_URI.sub(to_file, block.group(0)), body)


def _drop_unused_frames(app, exception):
    """Remove the frames no page names any more (a rebuilt page's old frames): the site stays its size."""
    folder = Path(app.outdir) / "_frames"
    if exception is not None or app.builder.format != "html" or not folder.is_dir():
        return
    named = set()
    for page in Path(app.outdir).rglob("*.html"):
        named.update(re.findall(r"_frames/([0-9a-f]{20}\.webp)", page.read_text(encoding="utf-8")))
    for frame in folder.iterdir():
        if frame.name not in named:
            frame.unlink()


def _figures_as_webp(app, exception):
    """Store the chapters' figures (``_images/*.png``) as lossless WebP where that is smaller, and
    point the pages at them: the same pixels (of 8-bit images, as matplotlib writes) in about half
    the bytes (5.6 MB -> 2.7 MB measured on the book's figures)."""
    images = Path(app.outdir) / "_images"
    if exception is not None or app.builder.format != "html" or not images.is_dir():
        return
    from PIL import Image

    renamed = {}
    for png in sorted(images.glob("*.png")):
        webp = png.with_suffix(".webp")
        with Image.open(png) as im:
            im.save(webp, format="WEBP", lossless=True, method=4)
        if webp.stat().st_size < png.stat().st_size:
            png.unlink()
            renamed[f"_images/{png.name}"] = f"_images/{webp.name}"
        else:
            webp.unlink()
    if renamed:
        pattern = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, renamed)) + ")")
        for page in Path(app.outdir).rglob("*.html"):
            text = page.read_text(encoding="utf-8")
            new = pattern.sub(lambda m: renamed[m.group(0)], text)
            if new != text:
                page.write_text(new, encoding="utf-8")


def _build_only(name: str) -> bool:
    """Whether ``_drop_build_only_files`` removes a file of ``_static`` (``name`` relative to it)."""
    return name.endswith(".map") or name.startswith("locales/")


def _drop_build_only_files(app, exception):
    """Remove what no reader's browser fetches: the theme's source maps (``*.map``, 3.4 MB), which
    only a browser's developer tools read, and sphinx-book-theme's message catalogs
    (``_static/locales``, 131 kB of ``.po`` and ``.mo`` files), which translate its labels
    when Sphinx writes the pages."""
    if exception is None and app.builder.format == "html":
        static = Path(app.outdir) / "_static"
        for path in [p for p in static.rglob("*") if p.is_file() and _build_only(p.relative_to(static).as_posix())]:
            path.unlink()
        shutil.rmtree(static / "locales", ignore_errors=True)   # and its folders


def _static_files_changed(app) -> list[Path]:
    """The book's own files of ``html_static_path`` whose copy in the site's ``_static`` is
    missing or differs: of its entries given relative to the book (an extension adds its own
    folder by absolute path), the files Sphinx copies as they are (not those its
    ``exclude_patterns`` or a leading dot exclude, nor templates, which it renders under another
    name), less those the build drops afterwards (``_drop_build_only_files``)."""
    from sphinx.util.fileutil import _template_basename
    from sphinx.util.matching import Matcher

    excluded = Matcher([*app.config.exclude_patterns, "**/.*"])
    static, changed = Path(app.outdir) / "_static", []
    for entry in app.config.html_static_path:
        if Path(entry).is_absolute():
            continue
        source = Path(app.confdir) / entry
        if source.is_file():
            files = [(source, source.name)]
        else:   # as Sphinx walks it: an excluded folder is skipped whole
            files = []
            for folder, dirs, names in os.walk(source):
                here = Path(folder).relative_to(source)
                dirs[:] = sorted(d for d in dirs if not excluded((here / d).as_posix()))
                files += [(Path(folder) / n, (here / n).as_posix()) for n in sorted(names)]
        for path, name in files:
            if excluded(name) or _template_basename(path) is not None or _build_only(name):
                continue
            copy = static / name
            if not copy.is_file() or copy.read_bytes() != path.read_bytes():
                changed.append(path)
    return changed


def _pages_follow_the_static_files(app):
    """Sphinx copies ``html_static_path`` into the site only when it writes a page, and every page
    names the scripts and stylesheets of ``html_js_files`` and ``html_css_files`` with a checksum
    (``descend-a11y.js?v=...``): a file edited alone was neither copied nor named anew ("no
    targets are out of date"). Where one differs from its copy in the site, the pages are
    removed, so that Sphinx writes every one again from its saved environment (it reads no
    source again) and copies the files."""
    if app.builder.format != "html" or not (Path(app.outdir) / "_static").is_dir():
        return   # a first build writes everything
    changed = _static_files_changed(app)
    if changed:
        logger.info("static files changed (%s): every page is written again", ", ".join(p.name for p in changed))
        for docname in app.env.all_docs:
            Path(app.builder.get_outfilename(docname)).unlink(missing_ok=True)


def _font_awesome_css_first(app, pagename, templatename, context, doctree):
    """Link Font Awesome's stylesheet in the head, where the theme's Font Awesome script would
    insert it once the page is parsed (before the first stylesheet). Inserted then, its custom
    properties on :root made chromium restyle the whole page: 73 ms of chapter 7's load on a
    2-core Xeon (a trace). descend-a11y.js tells the script not to insert it."""
    href = context["pathto"]("_static/descend-fontawesome.css", 1)
    context["metatags"] = context.get("metatags", "") + f'\n<link rel="stylesheet" href="{href}" />'


def setup(app):
    os.environ["DESCEND_EXPLORE"] = "static"
    app.connect("config-inited", _launch_buttons_need_a_repository)
    app.connect("builder-inited", _pages_follow_the_static_files)
    app.setup_extension("descend_pdf")  # book/_ext/descend_pdf.py: `make pdf` and the site's PDF button
    app.connect("html-page-context", _accessible_body)
    app.connect("html-page-context", _frames_as_files)
    app.connect("html-page-context", _font_awesome_css_first)
    if not (_mathjax_source() / "tex-chtml.js").is_file():
        raise RuntimeError("MathJax files not found: install requirements.txt (django-static-mathjax)")
    app.connect("build-finished", _copy_mathjax)
    app.connect("build-finished", _copy_student_homework)
    app.connect("build-finished", _drop_build_only_files)
    app.connect("build-finished", _drop_unused_frames)
    app.connect("build-finished", _figures_as_webp)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
