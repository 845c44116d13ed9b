"""axe-core on every page of the site, in the light and the dark theme: no serious or critical
violation of the WCAG 2.1 A/AA rules (experimental rules included). Each page is loaded on a
light screen, audited, switched to the dark theme as a reader switches it and audited again;
a test shows that the switched page has the colours of one loaded on a dark screen.

axe-core 4.12.1 comes inside the pinned ``axe-playwright-python`` wheel (requirements.txt), so
the audit runs offline. The fixes it needed live in ``book/_static/descend.css`` (link and
index-table colours), ``book/_static/descend-a11y.js`` (the theme's buttons, index tables)
and ``book/_ext/descend_site.py`` (folded cells, bibliography); the keyboard and the sliders'
names and values are tested in ``test_browser.py``.
"""

from __future__ import annotations

import pytest

from conftest import HTML
from test_browser import REASON, Page, browser, server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.skipif(REASON is not None, reason=f"BROWSER TESTS SKIPPED: {REASON}")

RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "experimental"]},
         "resultTypes": ["violations"]}
GRAVE = ("serious", "critical")


def pages() -> list[str]:
    """Every page of the site but redirects (index.html only sends the reader to the intro)."""
    return sorted(p.relative_to(HTML).as_posix() for p in HTML.rglob("*.html")
                  if "_static" not in p.parts and 'http-equiv="Refresh"' not in p.read_text()[:300])


def audit(page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().run(page, options=RULES).response["violations"]


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


SETTLE = ("() => document.fonts.ready.then(() => new Promise(r => "
          "requestAnimationFrame(() => requestAnimationFrame(r))))")

# the theme's figures recoloured for the dark page (book/_static/descend-theme.js), and every
# colour transition of the switch (the header's buttons, the theme icons) run to its end
SWITCHED = """async () => {
  const figures = () => Array.from(document.querySelectorAll('img[data-light-src]'));
  for (let i = 0; i < 300 && !figures().every(i => i.classList.contains('descend-dark')); i++)
    await new Promise(r => setTimeout(r, 50));
  const transitions = document.getAnimations().filter(a => a instanceof CSSTransition);  // (animations may be endless)
  await Promise.race([Promise.allSettled(transitions.map(a => a.finished)), new Promise(r => setTimeout(r, 5000))]);
  return figures().filter(i => !i.classList.contains('descend-dark')).length;
}"""


def to_dark(page) -> None:
    """Switch a page loaded on a light screen to the dark theme, as a reader does who presses the
    theme button (auto → dark) and whose screen setting then turns dark too, so that the
    stylesheets' ``prefers-color-scheme`` rules apply as well as the theme's ``data-theme``
    ones. The button is pressed with the keyboard and then left (no hover, no focus, no
    tooltip), and the figures are recoloured before this returns.
    ``test_the_dark_switch_gives_the_dark_page`` shows that this page has the colours of one
    loaded on a dark screen; it differs in the theme's mode (``dark``, not ``auto``: the
    button's icon)."""
    page.focus(".theme-switch-button:visible")
    page.keyboard.press("Enter")
    page.evaluate("document.activeElement.blur()")   # a focused button would show its tooltip
    page.emulate_media(color_scheme="dark")
    page.wait_for_function("matchMedia('(prefers-color-scheme: dark)').matches && "
                           "document.documentElement.dataset.theme === 'dark' && "
                           "document.documentElement.dataset.mode === 'dark'", timeout=10_000)
    unread = page.evaluate(SWITCHED)
    assert unread == 0, f"{unread} figures were not recoloured for the dark theme within 15 s"


@pytest.mark.parametrize("path", pages() if HTML.is_dir() else [])
def test_no_serious_or_critical_violations(browser, server, path):
    """Each page is loaded once on a light screen and audited, then switched to the dark theme
    (``to_dark``) and audited again: a second page load was much of what a dark audit took."""
    page = Page(browser, server, path, color_scheme="light")
    try:
        grave = {}
        for theme in ("light", "dark"):
            if theme == "dark":
                try:
                    to_dark(page.page)
                except Exception as e:
                    light = report(grave["light"]) or "no serious or critical violation"
                    raise AssertionError(f"{path}: not switched to the dark theme ({e}); "
                                         f"in the light theme:\n{light}") from e
            assert page.page.evaluate("document.documentElement.dataset.theme") == theme
            page.page.evaluate(SETTLE)  # let fonts, icons and the theme's colours settle before measuring contrast
            grave[theme] = [v for v in audit(page.page) if v["impact"] in GRAVE]
        assert not any(grave.values()), "\n".join(f"{path} in the {theme} theme:\n{report(found)}"
                                                 for theme, found in grave.items() if found)
    finally:
        page.close()


# Every element outside the formulas (MathJax typesets those in the background, so their number
# changes), the page's root included: where it is, its classes, and the colours and effects an
# audit or a reader sees, of the element and of its ::before and ::after.
LOOKS = """() => {
  const props = ['color', 'background-color', 'background-image', 'border-top-color', 'border-right-color',
                 'border-bottom-color', 'border-left-color', 'outline-color', 'text-decoration-color',
                 'box-shadow', 'filter', 'opacity', 'display', 'visibility'];
  const where = e => e.id ? '#' + e.id : e.tagName.toLowerCase() + (e.parentElement ? ' in ' + where(e.parentElement) : '');
  const els = [document.documentElement, ...document.body.querySelectorAll('*')].filter(e => !e.closest('mjx-container'));
  return els.map(e => {
    // the theme button shows the icon of its mode (dark after the switch, auto on a dark screen)
    const shown = e.closest('.theme-switch-button') ? props.filter(k => k !== 'display') : props;
    const looks = [null, '::before', '::after'].map(p => { const s = getComputedStyle(e, p);
      return shown.map(k => s.getPropertyValue(k)).join('|'); });
    return {where: where(e), cls: typeof e.className === 'string' ? e.className : '', looks: looks.join(' ; ')};
  });
}"""


@pytest.mark.parametrize("path", ["notebooks/04_momentum.html", "genindex.html", "prf-prf.html", "book/notation.html"])
def test_the_dark_switch_gives_the_dark_page(browser, server, path):
    """``to_dark`` gives the colours of a page a reader loads on a dark screen: every element
    outside the formulas has the same classes, colours, borders, shadows, filters, opacity and
    display, of itself and of its ``::before`` and ``::after``, on a chapter with explorers and
    figures and on the pages with index tables and a notation table. (The theme button's icons
    differ in which one is displayed: the mode's.)"""
    switched = Page(browser, server, path, color_scheme="light")
    loaded = Page(browser, server, path, color_scheme="dark")
    try:
        to_dark(switched.page)
        assert loaded.page.evaluate(SWITCHED) == 0, "figures were not recoloured on the page loaded dark"
        for page in (switched, loaded):
            page.page.evaluate(SETTLE)
            page.page.wait_for_timeout(700)   # after the theme button's tooltip delay (500 ms): none may come
        a, b = switched.page.evaluate(LOOKS), loaded.page.evaluate(LOOKS)
        assert len(a) > 100, f"{path}: only {len(a)} elements"
        assert [x["where"] for x in a] == [y["where"] for y in b], (
            f"{path}: the switched page has other elements: {[x['where'] for x in a][:3]} …, {len(a)} against {len(b)}")
        differ = [(x["where"], x["cls"], x["looks"], y["cls"], y["looks"]) for x, y in zip(a, b) if x != y]
        assert not differ, f"{path}: {len(differ)} elements differ, switched against loaded dark: {differ[:5]}"
    finally:
        switched.close()
        loaded.close()


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
