"""Every chapter page in a real browser: Debian's chromium, driven by Playwright.

The site is served from _build/html on localhost and every request to any other host is
aborted and recorded.  For each chapter: axe finds no serious or critical violation in either
theme (test_accessibility.py's audit), no console errors or failed requests, no request leaves
localhost, the mathematics is typeset by MathJax with no raw TeX left, and every slider, moved
with the keyboard, changes the figure.  Screenshots go to _build/screenshots/: the first screen
of each chapter page, each explorer after its sliders moved, and a dark-theme page.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import socketserver
import threading
import warnings

import pytest

from conftest import HTML, ROOT, chapter_files

CHROMIUM = os.environ.get("DESCEND_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "_build" / "screenshots"

# The flags stop chromium's own background traffic (updates, sync), which this machine's
# closed network would refuse noisily; --no-sandbox because CI runs as root.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
        "--disable-background-networking", "--disable-component-update"]


def _no_browser_reason() -> str | None:
    if not os.path.exists(CHROMIUM):
        return f"Debian's chromium is not installed ({CHROMIUM} missing): `apt-get install chromium`"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing: install requirements.txt"
    return None


REASON = _no_browser_reason()
if REASON:
    # Loud: a warning in the summary and a skip reason printed by -rs; never a silent pass.
    warnings.warn(f"BROWSER TESTS SKIPPED: {REASON}", stacklevel=1)
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"BROWSER TESTS SKIPPED: {REASON}")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(_Quiet, directory=str(site))
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler) as httpd:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
        httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Page:
    """A page opened with every off-site request aborted and every console error and failed
    request (status 400 or more) kept."""

    def __init__(self, browser, server, path, color_scheme="light", scale=1, init_script=None):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=color_scheme,
                                           device_scale_factor=scale)
        self.page = self.context.new_page()
        if init_script:
            self.page.add_init_script(init_script)
        self.external, self.errors = [], []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("response", lambda r: self.errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)

        def route(r):
            url = r.request.url
            if url.startswith(server) or url.startswith("data:"):
                r.continue_()
            else:
                self.external.append(url)
                r.abort()

        self.page.route("**/*", route)
        self.page.goto(f"{server}/{path}", wait_until="load")
        # MathJax (a deferred script, so loaded by now) typesets asynchronously: wait for its promise,
        # for at most 30 s (a MathJax that never finishes starting fails the test's checks, not hangs it)
        self.page.evaluate("() => (window.MathJax && MathJax.startup) ? Promise.race([MathJax.startup.promise, "
                           "new Promise(r => setTimeout(r, 30000))]) : null")

    def close(self):
        self.context.close()


RAW_TEX = r"""() => {
  const main = document.querySelector('main') || document.body;
  const copy = main.cloneNode(true);
  copy.querySelectorAll('pre, code, script, style, mjx-container, .highlight, textarea').forEach(e => e.remove());
  const text = copy.textContent;
  const found = [];
  for (const pat of ['$$', '\\(', '\\[', '\\begin{', '\\frac', '\\theta', '\\nabla', '\\eta']) {
    if (text.includes(pat)) found.push(pat);
  }
  return found;
}"""


# MathJax starts without typesetting; _static/descend-lazy-math.js hands it the formulas near
# the screen before the load event, those the reader scrolls to, and the rest in the background
# once the page has loaded (<html data-math="typeset"> when done), so that screen readers get
# every formula. NEAR_TYPESET: the formulas in the window that are not typeset yet (as TeX).
NEAR_TYPESET = """() => Array.from(document.querySelectorAll('span.math, div.math')).filter(m => {
  const r = m.getBoundingClientRect();
  return r.bottom > 0 && r.top < window.innerHeight && (r.width || r.height) && !m.querySelector('mjx-container');
}).map(m => m.textContent.slice(0, 60))"""
# NEAR_TYPESET as it was when the load event came, in window.nearAtLoad (an init script)
NEAR_AT_LOAD = "window.addEventListener('load', () => { window.nearAtLoad = (%s)(); });" % NEAR_TYPESET
# descend-lazy-math.js typesets the formulas far from the screen in the background, in the
# browser's idle time (requestIdleCallback, which nothing else on the site uses). Held back (an
# init script), the page stays as it opens: the formulas near the top typeset, the rest as TeX.
# For tests that do not look at the formulas: the pass costs a chapter page about 3 s of CPU.
# The held callbacks are kept: RELEASE_BACKGROUND_MATH hands them to the browser, and the pass
# starts then, as it would have at the load event (test_chapter_page audits the page as it opens,
# then lets the pass run and checks every formula).
HOLD_BACKGROUND_MATH = """(() => {
  const idle = window.requestIdleCallback, held = [];
  window.requestIdleCallback = (fn, options) => { held.push([fn, options]); return 0; };
  window.descendReleaseMath = () => {
    window.requestIdleCallback = idle;
    held.splice(0).forEach(([fn, options]) => idle.call(window, fn, options));
  };
})();"""
RELEASE_BACKGROUND_MATH = "() => window.descendReleaseMath()"

# With no scrolling, none may be left waiting (folded solutions included), none typeset twice
# (a container in a container), and each has the hidden MathML screen readers read.
ALL_TYPESET = """async () => {
  const start = performance.now();
  while (document.documentElement.dataset.math !== 'typeset') {
    if (performance.now() - start > 30000) return 'the background typesetting did not finish in 30 s';
    await new Promise(r => setTimeout(r, 100));
  }
  if (window.scrollY !== 0) return 'the page scrolled';
  const left = Array.from(document.querySelectorAll('span.math, div.math')).filter(m => !m.querySelector('mjx-container'));
  if (left.length) return left.length + ' formulas left as TeX';
  if (document.querySelector('mjx-container mjx-container')) return 'a formula typeset twice';
  const bare = Array.from(document.querySelectorAll('mjx-container')).filter(m => !m.querySelector('mjx-assistive-mml math *'));
  return bare.length ? bare.length + ' formulas without assistive MathML' : 'ok';
}"""


# The theme's rule for tab stops on code blocks and outputs (pydata-sphinx-theme 0.17.1: tabindex
# 0 where the content overflows, -1 where not), which descend-a11y.js applies to the blocks a
# reader can see instead of the theme's handler. "Shown" is the browser's own verdict
# (checkVisibility: false inside a closed <details>), not the script's; the blocks shown that
# break the rule, and the number of blocks not shown that have a tabindex (the theme's pass,
# which measured them at great cost, gave them one).
SCROLLABLE = ("pre, .nboutput > .output_area, .cell_output > .output, .jp-RenderedHTMLCommon, "
              ".pst-scrollable-table-container")
TAB_STOPS = """root => {
  const blocks = Array.from(root.querySelectorAll('%s'));
  const shown = blocks.filter(b => b.checkVisibility());
  const rule = b => b.scrollWidth > b.clientWidth || b.scrollHeight > b.clientHeight ? '0' : '-1';
  return {by: document.documentElement.dataset.tabStopsBy, shown: shown.length,
          stops: shown.filter(b => b.getAttribute('tabindex') === '0').length,
          hiddenWithTabindex: blocks.filter(b => !b.checkVisibility() && b.hasAttribute('tabindex')).length,
          wrong: shown.filter(b => b.getAttribute('tabindex') !== rule(b)).map(b => b.outerHTML.slice(0, 100))};
}""" % SCROLLABLE


def tab_stops(p, root=None, settle_ms=3000) -> dict:
    """TAB_STOPS under root (the page's body by default), once the rule holds or settle_ms passed
    (the script applies it again 300 ms after the window or the content last changed)."""
    root = root or p.locator("body").element_handle()
    try:
        p.wait_for_function(f"root => ({TAB_STOPS})(root).wrong.length === 0", arg=root, timeout=settle_ms)
    except Exception:  # reported by the caller's assertion, with the blocks that break the rule
        pass
    return p.evaluate(TAB_STOPS, root)


# Each explorer's frame as shown: the set it comes from, its pixels and its size on the page.
FRAME_SIZES = """() => Array.from(document.querySelectorAll('.descend-explorer')).map(ex => {
  const img = ex.querySelector('img'), sets = JSON.parse(ex.querySelector('.descend-explorer-frames').textContent);
  return {two: '2' in sets, width: +img.getAttribute('width'), natural: img.naturalWidth, shown: img.clientWidth,
          src: img.getAttribute('src'), first2: (sets['2'] || [])[+ex.dataset.frame]};
})"""


@pytest.mark.parametrize("name", chapter_files())
def test_chapter_page(browser, server, name):
    """A chapter's page on one load: the formulas near the top typeset by the load event; axe's
    audit in both themes (test_accessibility.py's ``audit_both_themes``, with the background
    typesetting held, so on the page as it opens; then switched to the dark theme); then, the
    typesetting released, every formula typeset, no raw TeX, the tab stops, the explorers'
    frames, sliders, readouts and Play buttons, no console error, failed or off-site request.
    What the first two find is reported with the first failure of the checks after them."""
    from test_accessibility import audit_both_themes   # that module imports this one

    SHOTS.mkdir(parents=True, exist_ok=True)
    page = Page(browser, server, f"{name}.html", init_script=NEAR_AT_LOAD + HOLD_BACKGROUND_MATH)
    problems = []
    try:
        p = page.page
        if p.evaluate("window.nearAtLoad") != []:
            problems.append("formulas on the first screen were not typeset by the load event")
        problems += audit_both_themes(p, f"{name}.html")
        p.evaluate(RELEASE_BACKGROUND_MATH)
        assert p.evaluate(ALL_TYPESET) == "ok", "formulas left untypeset in the background"
        assert p.locator("mjx-container").count() > 10, "MathJax did not typeset the page"
        assert p.evaluate(RAW_TEX) == [], "raw TeX is left in the text"
        stops = tab_stops(p)
        assert stops["by"] == "descend", "descend-a11y.js did not take the theme's tab-stop handler out"
        assert stops["wrong"] == [] and stops["hiddenWithTabindex"] == 0, stops
        # the first screen of the page (a whole chapter, 20,000 to 50,000 px tall, took 12 s to capture)
        p.screenshot(path=str(SHOTS / f"{name.split('/')[-1]}.png"))

        explorers = p.locator(".descend-explorer")
        assert explorers.count() >= 1, f"{name} has no explorer"
        p.wait_for_function("() => Array.from(document.querySelectorAll('img.descend-explorer-frame'))"
                            ".every(i => i.complete && i.naturalWidth > 0)", timeout=30_000)
        for k, f in enumerate(p.evaluate(FRAME_SIZES)):  # on this ordinary screen: the standard frames, as shown
            assert f["natural"] == f["width"] and f["shown"] <= f["width"], (name, k, f)
        for i in range(explorers.count()):
            ex = explorers.nth(i)
            ex.scroll_into_view_if_needed()
            img = ex.locator("img")
            sliders = ex.locator("input[type=range]")
            assert sliders.count() >= 1
            for k in range(sliders.count()):
                s = sliders.nth(k)
                label = ex.locator(f"label[for='{s.get_attribute('id')}']")
                assert label.count() == 1 and label.inner_text().strip(), "a slider has no visible label"
                before_src, before_value = img.get_attribute("src"), s.input_value()
                s.focus()
                key = "ArrowLeft" if int(s.input_value()) == int(s.get_attribute("max")) else "ArrowRight"
                p.keyboard.press(key)
                p.keyboard.press(key)
                assert s.input_value() != before_value, "the keyboard did not move the slider"
                assert img.get_attribute("src") != before_src, f"slider {k} of explorer {i} did not change the figure"
                output = ex.locator(f"output[for='{s.get_attribute('id')}']").inner_text()
                assert output == s.get_attribute("aria-valuetext"), "the readout does not follow the slider"
            k, shown = p.evaluate(SHOWN_FRAME, ex.element_handle())
            assert shown, f"explorer {i} does not show frame {k} of its standard set after the moves"
            ex.screenshot(path=str(SHOTS / f"{name.split('/')[-1]}-explorer{i}-moved.png"))
            play = ex.locator("button.descend-explorer-play")
            if play.count():
                frame = ex.get_attribute("data-frame")
                play.focus()
                p.keyboard.press("Enter")  # the Play button works from the keyboard too
                p.wait_for_timeout(4 * int(play.get_attribute("data-interval")))
                assert play.get_attribute("aria-pressed") in ("true", "false")
                assert ex.get_attribute("data-frame") != frame, f"Play did not advance explorer {i}"
                if play.get_attribute("aria-pressed") == "true":
                    p.keyboard.press("Enter")
                    assert play.get_attribute("aria-pressed") == "false"
        assert page.external == [], f"requests left the site: {page.external}"
        assert page.errors == [], f"console errors or failed requests: {page.errors}"
    except Exception as error:
        if not problems:
            raise
        problems.append(f"{type(error).__name__}: {error}")   # reported with what the audit found
        raise AssertionError("\n".join(problems)) from error
    finally:
        page.close()
    assert not problems, "\n".join(problems)


FIGURES = "Array.from(document.querySelectorAll('.bd-content .cell_output img, .bd-content img.descend-explorer-frame'))"

# For every figure as displayed: its corner pixel, and how many of its pixels are light ink.
PIXELS = """async () => {
  const out = [];
  for (const img of %s) {
    const im = new Image(); im.src = img.src; await im.decode();
    const c = document.createElement('canvas'); c.width = im.naturalWidth; c.height = im.naturalHeight;
    const cx = c.getContext('2d'); cx.drawImage(im, 0, 0);
    const d = cx.getImageData(0, 0, c.width, c.height).data;
    let light = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] > 450) light++;
    out.push({corner: [d[0], d[1], d[2]], light: light, dark: img.classList.contains('descend-dark')});
  }
  return out;
}""" % FIGURES


def test_dark_theme_draws_figures_as_ink_on_the_dark_page(browser, server):
    """In the dark theme every figure and explorer frame is redrawn on the page's own dark colour,
    with light ink; a slider move shows a redrawn frame too; back in the light theme, the originals."""
    name = chapter_files()[0]
    page = Page(browser, server, f"{name}.html", color_scheme="dark")
    try:
        p = page.page
        p.evaluate("document.documentElement.dataset.theme = 'dark'")
        p.wait_for_function(f"() => {FIGURES}.every(i => i.classList.contains('descend-dark'))", timeout=30_000)
        paper = p.evaluate("() => getComputedStyle(document.body).backgroundColor")
        paper = [int(v) for v in paper[paper.index("(") + 1:paper.index(")")].split(",")[:3]]
        figures = p.evaluate(PIXELS)
        assert len(figures) >= 3
        for k, fig in enumerate(figures):
            assert max(abs(a - b) for a, b in zip(fig["corner"], paper)) <= 3, (k, fig["corner"], paper)
            assert fig["light"] > 100, f"figure {k} has no light ink (text, axes) on the dark page"
        p.screenshot(path=str(SHOTS / f"{name.split('/')[-1]}-dark.png"))

        ex = p.locator(".descend-explorer").first
        ex.scroll_into_view_if_needed()
        slider, img = ex.locator("input[type=range]").first, ex.locator("img")
        light_before = img.get_attribute("data-light-src")
        slider.focus()
        p.keyboard.press("ArrowLeft" if slider.input_value() == slider.get_attribute("max") else "ArrowRight")
        p.wait_for_function(
            "([i, before]) => i.dataset.lightSrc !== before && i.src.startsWith('blob:')",
            arg=[img.element_handle(), light_before], timeout=10_000)

        p.evaluate("document.documentElement.dataset.theme = 'light'")
        p.wait_for_function(f"() => {FIGURES}.every(i => !i.classList.contains('descend-dark') "
                            "&& i.getAttribute('src') === i.dataset.lightSrc)", timeout=10_000)
        assert page.errors == [], page.errors
    finally:
        page.close()


def test_formulas_are_typeset_where_the_reader_jumps(browser, server):
    """A chapter opened at its last section, and then scrolled back to the middle, shows typeset
    formulas there at once: the load event's pass starts where the page opens, and a formula
    that comes near the window is typeset before the background pass reaches it."""
    name = next(n for n in chapter_files() if n.endswith("09_newton"))
    last = re.findall(r'<section id="([^"]+)"', (HTML / f"{name}.html").read_text(encoding="utf-8"))[-1]
    page = Page(browser, server, f"{name}.html#{last}", init_script=NEAR_AT_LOAD)
    try:
        p = page.page
        assert p.evaluate("window.scrollY") > 10000, "the page did not open at its last section"
        assert p.evaluate("window.nearAtLoad") == [], "formulas where the page opened were not typeset by the load event"
        assert p.evaluate("document.documentElement.dataset.math") != "typeset"  # the background pass is not over
        p.evaluate("window.scrollTo(0, document.documentElement.scrollHeight / 2)")
        p.wait_for_function(f"() => ({NEAR_TYPESET})().length === 0", timeout=2000)
        # not the background pass, which goes in the page's order: formulas before these wait still
        waiting_before = p.evaluate("""() => Array.from(document.querySelectorAll('span.math, div.math'))
          .filter(m => m.getBoundingClientRect().bottom < -window.innerHeight && !m.querySelector('mjx-container')).length""")
        assert waiting_before > 0, "the background pass had reached the middle of the page: the test proves nothing"
        assert page.errors == [], page.errors
    finally:
        page.close()


def test_only_the_renderer_the_site_ships_is_offered(browser, server):
    """MathJax's menu offers an SVG renderer the site does not ship (only CHTML): chosen, it was
    fetched and not found, and MathJax then waited for ever, no formula typeset, on every page
    (the menu remembers the choice). A remembered SVG is forgotten, every formula is typeset,
    nothing is missing, and the menu's SVG item is disabled."""
    name = chapter_files()[-1]
    remembered = "localStorage.setItem('MathJax-Menu-Settings', JSON.stringify({renderer: 'SVG', scale: '1'}))"
    page = Page(browser, server, f"{name}.html", init_script=remembered)
    try:
        p, missing = page.page, []
        p.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
        assert p.evaluate(ALL_TYPESET) == "ok"
        assert p.evaluate("document.querySelectorAll('mjx-container[jax=CHTML]').length") == \
            p.evaluate("document.querySelectorAll('span.math, div.math').length") > 10
        assert p.evaluate("MathJax.startup.document.menu.menu.findID('Settings', 'Renderer', 'SVG').disabled")
        assert p.evaluate("JSON.parse(localStorage.getItem('MathJax-Menu-Settings'))") == {"scale": "1"}
        assert missing == [] and page.errors == [], (missing, page.errors)
    finally:
        page.close()


def test_other_pages_load_cleanly(browser, server):
    for path in ("book/intro.html", "book/notation.html", "book/bibliography.html", "search.html"):
        page = Page(browser, server, path)
        try:
            assert page.external == [], (path, page.external)
            assert page.errors == [], (path, page.errors)
        finally:
            page.close()


def test_scrollable_blocks_are_tab_stops_when_opened_resized_or_changed(browser, server):
    """The tab stops follow the theme's rule in a folded cell once it is opened (left alone while
    closed, where measuring it cost chromium a layout of its own); on every block shown when the
    window narrows; on a block whose content grows and on one added to the page. Some blocks are
    tab stops and some are not, so the rule is tested both ways; the other pages with folded cells
    or tables follow it too."""
    name = next(n for n in chapter_files() if n.endswith("11_practice"))
    page = Page(browser, server, f"{name}.html")
    try:
        p = page.page
        assert p.evaluate(ALL_TYPESET) == "ok"   # the background typesetting is over
        first = tab_stops(p)
        assert first["wrong"] == [] and 0 < first["stops"] < first["shown"], first
        # (a handle: once open, the details no longer matches the locator)
        folded = p.locator("details.hide:not([open])").filter(has=p.locator("pre")).first.element_handle()
        assert p.evaluate(TAB_STOPS, folded)["shown"] == 0
        folded.query_selector("summary").click()
        opened = tab_stops(p, folded)
        assert opened["shown"] > 0 and opened["wrong"] == [], opened
        grown = p.evaluate_handle("""() => {
          const pre = Array.from(document.querySelectorAll('.cell_output pre')).find(b => b.checkVisibility() && b.getAttribute('tabindex') === '-1');
          pre.append('x'.repeat(500) + '\\n'.repeat(100));
          const out = document.createElement('div'); out.className = 'cell_output';
          out.innerHTML = '<div class="output"><pre>' + 'y'.repeat(500) + '</pre></div>';
          document.querySelector('#main-content section').append(out);
          return [pre, out.querySelector('pre')];
        }""")
        p.wait_for_function("blocks => blocks.every(b => b.getAttribute('tabindex') === '0')", arg=grown, timeout=3000)
        p.set_viewport_size({"width": 480, "height": 900})
        narrow = tab_stops(p)
        assert narrow["wrong"] == [] and narrow["stops"] > first["stops"] + 2, (first, narrow)
        assert page.errors == [], page.errors
    finally:
        page.close()
    for path in ("book/errata.html", "book/notation.html", "book/instructors.html"):
        page = Page(browser, server, path)
        try:
            stops = tab_stops(page.page)
            assert stops["shown"] > 0 and stops["wrong"] == [] and stops["hiddenWithTabindex"] == 0, (path, stops)
        finally:
            page.close()


# Font Awesome's stylesheet as linked, the one its script would insert, and the icons it drew.
FONT_AWESOME = """async () => {
  const link = document.querySelector('head link[href$="descend-fontawesome.css"]');
  const first = document.querySelector('head link[rel=stylesheet], head style');
  const start = performance.now();
  while (document.querySelector('i.fa-solid, i.fa-brands, i.fa-regular') && performance.now() - start < 5000)
    await new Promise(r => setTimeout(r, 50));
  return {linked: link ? await (await fetch(link.href)).text() : null, first: link === first,
          own: FontAwesome.dom.css(),
          inserted: Array.from(document.querySelectorAll('style')).filter(s => s.textContent.includes('--fa-font-solid')).length,
          icons: document.querySelectorAll('svg.svg-inline--fa').length,
          left: document.querySelectorAll('i.fa-solid, i.fa-brands, i.fa-regular').length};
}"""


def test_font_awesome_stylesheet_is_linked_not_inserted(browser, server):
    """The theme's Font Awesome script inserts its stylesheet once the page is parsed, and chromium
    then restyled the whole page; the site links the same stylesheet ahead of the others instead
    (book/_static/descend-fontawesome.css). It must be the script's own CSS (a theme upgrade that
    changes it fails here), the script must not insert it again, and the icons are still drawn."""
    page = Page(browser, server, f"{chapter_files()[0]}.html")
    try:
        fa = page.page.evaluate(FONT_AWESOME)
        assert fa["linked"] is not None and fa["first"], "descend-fontawesome.css is not the head's first stylesheet"
        body = re.sub(r"^(\s*/\*.*?\*/)+\s*", "", fa["linked"], flags=re.S)
        assert body.strip() == fa["own"].strip(), "descend-fontawesome.css is not what the Font Awesome script inserts"
        assert fa["inserted"] == 0, "the Font Awesome script inserted its stylesheet again"
        assert fa["icons"] >= 5 and fa["left"] == 0, fa
        assert page.errors == [], page.errors
    finally:
        page.close()


# The frame an explorer's sliders select: its index from the sliders' positions, and its image.
SHOWN_FRAME = """root => {
  let k = 0;
  root.querySelectorAll('input[type=range]').forEach(inp => { k = k * JSON.parse(inp.dataset.values).length + (+inp.value); });
  const sets = JSON.parse(root.querySelector('.descend-explorer-frames').textContent);
  const frames = window.devicePixelRatio >= 2 && sets['2'] ? sets['2'] : sets['1'];
  return [k, root.querySelector('img').getAttribute('src') === frames[k]];
}"""


def test_an_explorer_shows_its_sliders_frame_after_going_back(browser, server):
    """The frames are parsed on the first move, not at load; a page the browser restores with the
    sliders where the reader left them must still show the frame those positions select."""
    name = chapter_files()[0]
    page = Page(browser, server, f"{name}.html")
    try:
        p = page.page
        ex = p.locator(".descend-explorer").first
        assert p.evaluate(SHOWN_FRAME, ex.element_handle()) == [int(ex.get_attribute("data-frame")), True]
        slider = ex.locator("input[type=range]").first
        slider.focus()
        for _ in range(2):
            p.keyboard.press("ArrowLeft" if slider.input_value() == slider.get_attribute("max") else "ArrowRight")
        moved = slider.input_value()
        assert moved != slider.get_attribute("value")
        p.goto(f"{server}/book/intro.html", wait_until="load")
        p.go_back(wait_until="load")
        ex = p.locator(".descend-explorer").first
        k, shown = p.evaluate(SHOWN_FRAME, ex.element_handle())
        assert shown, f"the image is not the frame its sliders select (frame {k})"
        assert page.errors == [], page.errors
    finally:
        page.close()


def frame_sets(name: str) -> list[set[str]]:
    """The densities of each explorer's frame sets on a built chapter page, in order."""
    text = (HTML / f"{name}.html").read_text(encoding="utf-8")
    return [set(json.loads(block)) for block in
            re.findall(r'class="descend-explorer-frames">(.*?)</script>', text, flags=re.S)]


def frame_cases(name: str) -> set[tuple[str, bool]]:
    """The cases of the high-density test a chapter page has: ("first", has a high-density set)
    for its first explorer (the one the test moves), ("any", ...) for each of its explorers."""
    sets = frame_sets(name)
    return ({("first", "2" in sets[0])} if sets else set()) | {("any", "2" in s) for s in sets}


def pages_with_each_case(names: list[str]) -> list[str]:
    """The fewest pages that between them have every case of ``frame_cases`` the pages have (of
    several such sets, the first in the pages' order)."""
    import itertools

    cases = {name: frame_cases(name) for name in names}
    present = set().union(*cases.values())
    for size in range(1, len(names) + 1):
        for chosen in itertools.combinations(names, size):
            if set().union(*(cases[name] for name in chosen)) == present:
                return list(chosen)
    return []


def test_explorers_show_high_density_frames_on_a_high_density_screen(browser, server):
    """On a screen of two device pixels per CSS pixel an explorer shows its high-density frames
    (twice as many pixels as it is wide on the page), before and after a move, and the standard
    ones where it has none. (On an ordinary screen, test_chapter_page checks the standard ones.)
    One script, the same on every explorer, chooses the set, so the browser runs on the fewest
    pages that between them have each case (``pages_with_each_case``: an explorer with a
    high-density set and one without, moved and not). What differs by explorer is checked on
    every one without a browser, in test_self_contained.py: the size of every frame of every set
    (``test_explorer_frames_are_files_of_the_site_drawn_at_the_size_shown``), and the frame
    each set starts on, the one the script shows at load
    (``test_each_explorer_starts_on_its_frame_in_each_set_with_a_frame_for_each_position``)."""
    scale, names = 2, chapter_files()
    assert sum("2" in s for name in names for s in frame_sets(name)) >= 5, "fewer than 5 explorers have high-density frames"
    present = set().union(*map(frame_cases, names))
    assert ("first", True) in present, present   # a page whose moved explorer has high-density frames
    for name in pages_with_each_case(names):
        page = Page(browser, server, f"{name}.html", scale=scale, init_script=HOLD_BACKGROUND_MATH)
        try:
            p = page.page
            p.wait_for_function("() => Array.from(document.querySelectorAll('img.descend-explorer-frame'))"
                                ".every(i => i.complete && i.naturalWidth > 0)", timeout=30_000)
            for k, f in enumerate(p.evaluate(FRAME_SIZES)):
                assert f["shown"] <= f["width"], (name, k, f)
                if f["two"]:
                    assert f["natural"] - 2 * f["width"] in (0, 1) and f["src"] == f["first2"], (name, k, f)
                else:
                    assert f["natural"] == f["width"], (name, k, f)
            ex = p.locator(".descend-explorer").first
            slider = ex.locator("input[type=range]").first
            slider.focus()
            p.keyboard.press("ArrowLeft" if slider.input_value() == slider.get_attribute("max") else "ArrowRight")
            k, shown = p.evaluate(SHOWN_FRAME, ex.element_handle())
            assert shown, f"{name}: the image is not frame {k} of the set for this screen"
            assert page.errors == [] and page.external == [], (page.errors, page.external)
        finally:
            page.close()
