"""axe-core on every page of the site, in the light and the dark theme: no serious or critical
violation of the WCAG 2.1 A/AA rules (experimental rules included).

axe-core 4.12.1 comes inside the pinned ``axe-playwright-python`` wheel (requirements.txt), so
the audit runs offline. The fixes it needed live in ``book/_static/descend.css`` (link and
index-table colours), ``book/_static/descend-a11y.js`` (the theme's buttons, index tables)
and ``book/_ext/descend_site.py`` (folded cells, bibliography); the keyboard and the sliders'
names and values are tested in ``test_browser.py``.

axe runs without the code blocks (``.highlight pre``: Pygments' 13,000–14,000 spans a chapter),
which takes a chapter's audit from about 5.0 s to 3.6–4.1 s, the check below included.
``code_contrast.js`` checks them instead, directly and a little more strictly than axe's
color-contrast rule: every span's colour against its effective background, above 4.5:1 (3:1
for large text), hidden text too, and anything it cannot compute is a fault; a block that scrolls
must be reachable by the keyboard. It also fails if a code block ever holds anything else that
axe's other rules would have to check (a link, a role, an ARIA or style attribute, a repeated
id). ``test_the_code_check_finds_what_it_should`` shows it flags what axe flags, either side of
the thresholds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import HTML
from test_browser import REASON, Page, browser, server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.skipif(REASON is not None, reason=f"BROWSER TESTS SKIPPED: {REASON}")

RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "experimental"]},
         "resultTypes": ["violations"]}
GRAVE = ("serious", "critical")
CODE = ".highlight pre"                     # what axe leaves to CODE_CHECK
CODE_CHECK = (Path(__file__).with_name("code_contrast.js")).read_text(encoding="utf-8")


def pages() -> list[str]:
    """Every page of the site but redirects (index.html only sends the reader to the intro)."""
    return sorted(p.relative_to(HTML).as_posix() for p in HTML.rglob("*.html")
                  if "_static" not in p.parts and 'http-equiv="Refresh"' not in p.read_text()[:300])


def audit(page, code: bool = True) -> list[dict]:
    """axe's violations on the page; with ``code=False``, not in the code blocks (CODE)."""
    from axe_playwright_python.sync_playwright import Axe

    context = None if code else {"exclude": [CODE]}
    return Axe().run(page, context=context, options=RULES).response["violations"]


def check_code(page) -> dict:
    """code_contrast.js on the page: ``{faults, checked, lowest, blocks}``."""
    return page.evaluate(CODE_CHECK, None)


def report(violations) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            why = [c["message"] for c in node.get("any", []) + node.get("all", []) + node.get("none", [])]
            lines.append(f"    {node['target']}: {node['html'][:120]} | {why[:1]}")
    return "\n".join(lines)


def test_the_site_has_pages():
    assert len(pages()) >= 15, pages()


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("path", pages() if HTML.is_dir() else [])
def test_no_serious_or_critical_violations(browser, server, path, theme):
    page = Page(browser, server, path, color_scheme=theme)
    try:
        assert page.page.evaluate("document.documentElement.dataset.theme") == theme
        # let fonts, icons and the theme's colours settle before measuring contrast
        page.page.evaluate("() => document.fonts.ready.then(() => new Promise(r => "
                           "requestAnimationFrame(() => requestAnimationFrame(r))))")
        grave = [v for v in audit(page.page, code=False) if v["impact"] in GRAVE]
        assert not grave, f"{path} in the {theme} theme:\n{report(grave)}"
        code = check_code(page.page)
        assert not code["faults"], f"{path} in the {theme} theme, code blocks:\n" + "\n".join(code["faults"])
        assert code["checked"] > 0 or code["blocks"] == 0, code
    finally:
        page.close()


def test_the_audit_finds_what_it_should(browser):
    """The audit is not vacuous: a page with the faults it guards against fails it."""
    context = browser.new_context()
    page = context.new_page()
    page.set_content("""<html lang="en"><head><title>t</title></head><body><main>
        <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
        <div role="list"><a href="#x">not a list item</a></div>
        <p style="color:#777;background:#888">low contrast</p>
        <button aria-label="Colour">Search</button>
        </main></body></html>""")
    found = {v["id"] for v in audit(page) if v["impact"] in GRAVE}
    context.close()
    assert {"image-alt", "aria-required-children", "color-contrast", "label-content-name-mismatch"} <= found, found


# Spans either side of the 4.5:1 and 3:1 lines (large: 18 pt, or 14 pt bold), with alpha in the
# text or the background: axe's color-contrast rule and code_contrast.js must flag the same ones.
BOUNDARY = """<html lang="en"><head><title>t</title><style>
  body { background: #fff; margin: 0 } .highlight { background: #fff }
  .a { color: #777 }                  /* 4.48:1 */
  .b { color: #767676 }               /* 4.54:1 */
  .c { color: rgba(0, 0, 0, 0.5) }    /* 3.98:1 */
  .d { color: rgba(0, 0, 0, 0.6) }    /* 5.74:1 */
  .g { color: #969696; font-size: 24px }                        /* 2.96:1, large */
  .h { color: #949494; font-size: 24px }                        /* 3.03:1, large */
  .i { color: #949494; font-size: 19px; font-weight: bold }     /* 3.03:1, large (14.25 pt bold) */
  .j { color: #949494; font-size: 18px; font-weight: bold }     /* 3.03:1, small (13.5 pt bold) */
  .k { color: #949494; font-size: 23.99px }                     /* 3.03:1, large (axe rounds up to 18 pt) */
  #p2 { background: rgba(0, 0, 0, 0.5) }
  .e { color: #fff }                  /* 3.98:1 on the grey the two layers make */
  .f { color: #000 }                  /* 5.28:1 */
</style></head><body><main>
  <div class="highlight"><pre id="p1" tabindex="0"><span class="a">text a</span> <span class="b">text b</span> <span class="c">text c</span>
<span class="d">text d</span> <span class="g">text g</span> <span class="h">text h</span>
<span class="i">text i</span> <span class="j">text j</span> <span class="k">text k</span></pre></div>
  <div class="highlight"><pre id="p2" tabindex="0"><span class="e">text e</span> <span class="f">text f</span></pre></div>
  </main></body></html>"""

# What the direct check cannot compute or does not cover: each must be a fault.
UNCHECKABLE = """<html lang="en"><head><title>t</title><style>
  body { background: #fff } .highlight { background: #fff }
  .faded { opacity: 0.5 } .blurred { filter: blur(0.5px) } .blended { mix-blend-mode: multiply }
  .shadowed { text-shadow: 1px 1px #000 } .stroked { -webkit-text-stroke: 1px #000 }
  .oklch { color: oklch(40% 0 0) } .marked::before { content: "> " }
  .scrolls { width: 60px; overflow: auto } .imaged { background-image: linear-gradient(#fff, #eee) }
  .bare, .bare pre { background: transparent }
</style></head><body><main>
  <div class="highlight"><pre><span class="faded"><span class="k">faded</span></span> <span class="blurred">blurred</span>
<span class="blended">blended</span> <span class="shadowed">shadowed</span> <span class="stroked">stroked</span>
<span class="oklch">oklch</span> <span class="marked">marked</span> <span style="color:#000">styled</span>
<span aria-label="x">labelled</span> <a href="#x">a link</a></pre></div>
  <div class="highlight"><pre class="scrolls">a line far wider than its block</pre></div>
  <div class="highlight"><pre class="imaged">imaged</pre></div>
  <div class="highlight bare"><pre>bare</pre></div>
  <div class="highlight"><pre id="twice" tabindex="0">one</pre></div><div class="highlight"><pre id="twice" tabindex="0">two</pre></div>
  </main></body></html>"""


def test_the_code_check_finds_what_it_should(browser):
    """code_contrast.js flags exactly the spans axe's color-contrast rule flags either side of
    the lines, and reports as faults what it cannot compute or does not cover."""
    import re

    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context()
    page = context.new_page()
    try:
        page.set_content(BOUNDARY)
        only = {"runOnly": {"type": "rule", "values": ["color-contrast"]}, "resultTypes": ["violations"]}
        by_axe = {re.search(r'class="(\w+)"', n["html"]).group(1)
                  for v in Axe().run(page, options=only).response["violations"] for n in v["nodes"]}
        result = check_code(page)
        by_us = {re.match(r"<span\.(\w+)>", f).group(1) for f in result["faults"]}
        assert by_axe == {"a", "c", "e", "g", "j"}, by_axe
        assert by_us == by_axe, result["faults"]
        assert result["checked"] == 11 and 2.9 < result["lowest"] < 3.0, result
        assert not audit(page, code=False), "axe still audits the code blocks"

        page.set_content(UNCHECKABLE)
        faults = check_code(page)["faults"]
        assert len(faults) == 15, "\n".join(faults)     # the list below, the duplicate id twice
        faults = "\n".join(faults)
        for what in ('<span.k> "faded" in a code block: contrast cannot be computed: opacity 0.5 on <span>',
                     '<span.blurred> "blurred" in a code block: contrast cannot be computed: filter blur',
                     '<span.blended> "blended" in a code block: contrast cannot be computed: mix-blend-mode multiply',
                     '<span.shadowed> "shadowed" in a code block: contrast cannot be computed: text-shadow',
                     '<span.stroked> "stroked" in a code block: contrast cannot be computed: -webkit-text-stroke-width',
                     '<span.oklch> "oklch" in a code block: contrast cannot be computed: color oklch',
                     '<span.marked> "marked" in a code block: ::before content',
                     '<span> "styled" in a code block: attribute style',
                     '<span> "labelled" in a code block: attribute aria-label',
                     '<a> "a link" in a code block: a code block may hold only',
                     '<pre.scrolls> "a line far wider than its block" in a code block: it scrolls but cannot',
                     '<pre.imaged> "imaged" in a code block: contrast cannot be computed: a background image',
                     '<pre> "bare" in a code block: contrast cannot be computed: no opaque',
                     '<pre#twice> "one" in a code block: id twice is not unique'):
            assert what in faults, f"{what!r} not in\n{faults}"
    finally:
        context.close()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_low_contrast_token_fails_on_a_chapter(browser, server, theme):
    """On a real chapter, Pygments' keywords in a colour of about 2:1 against their blocks are flagged."""
    page = Page(browser, server, "notebooks/04_momentum.html", color_scheme=theme)
    try:
        assert not check_code(page.page)["faults"]
        page.page.evaluate("""theme => {
          const s = document.createElement('style');
          s.textContent = '.highlight .k { color: ' + (theme === 'light' ? '#aaa' : '#555') + ' !important }';
          document.head.append(s);
        }""", theme)
        faults = check_code(page.page)["faults"]
        assert len(faults) == 20 and all(f.startswith("<span.k>") and "not above 4.5:1" in f for f in faults), faults
    finally:
        page.close()


SPEECH = ("localStorage.setItem('MathJax-Menu-Settings', "
          "JSON.stringify({explorer: true, speech: true, braille: true, assistiveMml: true}))")


def test_mathjax_speech_works_offline(browser, server):
    """A reader who switches on MathJax's accessibility explorer (speech and Braille, in its
    menu, remembered in localStorage) gets spoken formulas from the site's own files: the
    rules of the speech engine come from _static/mathjax/sre, nothing from another host."""
    context = browser.new_context()
    context.add_init_script(SPEECH)
    page, external, loaded, failed = context.new_page(), [], [], []

    def route(r):
        url = r.request.url
        if url.startswith(server) or url.startswith("data:"):
            loaded.append(url)
            r.continue_()
        else:
            external.append(url)
            r.abort()

    page.route("**/*", route)
    page.on("response", lambda r: failed.append((r.status, r.url)) if r.status >= 400 else None)
    try:
        page.goto(f"{server}/notebooks/01_derivatives.html", wait_until="load")
        # formulas out of view are typeset after the load event, in the background
        page.wait_for_function("() => Array.from(document.querySelectorAll('mjx-container[sre-explorer-id]'))"
                               ".slice(0, 50).filter(m => (m.getAttribute('aria-label') || '').trim()).length >= 40",
                               timeout=60_000)
        spoken = page.evaluate("() => Array.from(document.querySelectorAll('mjx-container[sre-explorer-id]'))"
                               ".slice(0, 50).map(m => m.getAttribute('aria-label') || '')")
        assert external == [] and failed == [], (external, failed)
        assert any(u.endswith("/sre/mathmaps/en.json") for u in loaded), "the English speech rules were not loaded"
        assert sum(1 for s in spoken if s.strip()) >= 40, spoken
        assert any(" " in s for s in spoken), "no formula was spoken as words"
    finally:
        context.close()
