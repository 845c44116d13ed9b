/* Accessible names of the theme's buttons (axe-core rule label-content-name-mismatch, WCAG 2.5.3),
 * and the role of Sphinx's index tables (td-has-header).
 *
 * A control's accessible name must contain its visible text, so that a reader who speaks
 * what they see ("click Search") reaches it. The theme's search button is named "Search" but
 * also shows its shortcut, "Ctrl+K": it is named by its text instead, and the shortcut is
 * declared (aria-keyshortcuts). The colour-mode button is named "Color mode" but holds icons
 * titled "Light", "Dark" and "System settings": the icons become decoration.
 * Font Awesome replaces the icons after load, so this runs again whenever a button changes.
 */
(function () {
  "use strict";

  // Font Awesome's stylesheet is linked in the head (book/_ext/descend_site.py): its script,
  // deferred and so run after this one, must not insert it again, which made chromium restyle
  // the whole page. The script still replaces the icons and watches for new ones.
  window.FontAwesomeConfig = Object.assign(window.FontAwesomeConfig || {}, { autoAddCss: false });

  function fix(root) {
    // the search button shows "Search Ctrl+K": named by that text, not by "Search" alone
    root.querySelectorAll(".search-button__button[aria-label]").forEach(function (button) {
      button.removeAttribute("aria-label");
      button.setAttribute("aria-keyshortcuts", "Control+K");
    });
    // the colour-mode button keeps its name, "Color mode"; its icons are decoration
    root.querySelectorAll(".theme-switch-button svg, .theme-switch-button i").forEach(function (icon) {
      icon.setAttribute("aria-hidden", "true");
      icon.removeAttribute("role");
      icon.removeAttribute("aria-labelledby");
      icon.querySelectorAll("title").forEach(function (title) { title.remove(); });
    });
  }

  function start() {
    fix(document);
    // td-has-header: Sphinx's domain indices (the proof index) lay out letters and entries in
    // a table without headers, a layout table
    document.querySelectorAll("table.modindextable").forEach(function (table) {
      table.setAttribute("role", "presentation");
    });
    // watch only the buttons themselves (Font Awesome swaps their icons), not the whole page
    var watch = new MutationObserver(function () { fix(document); });
    document.querySelectorAll(".theme-switch-button, .search-button__button").forEach(function (button) {
      watch.observe(button, { childList: true, subtree: true });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

/* Code blocks and outputs whose content overflows are tab stops, so that a keyboard reader can
 * scroll them (axe-core rule scrollable-region-focusable, WCAG 2.1.1): the theme's rule, without
 * measuring the folded cells.
 *
 * The theme (pydata-sphinx-theme 0.17.1) sets each block's tabIndex to 0 if its content
 * overflows and to -1 if not, in its load handler and again 300 ms after the main content last
 * changed. It reads the size of every block, also of those inside folded cells (closed
 * <details>), and chromium lays out a closed <details>'s hidden content on its own for each such
 * read: chapter 9's 45 folded blocks took 270-300 ms of its load event (chromium trace), the
 * 195 others 1 ms; the pass ran again, as long, each time the background typesetting of formulas
 * paused. (A block in a closed cell cannot take the focus, whatever its tabIndex.)
 *
 * This script takes the theme's handler out (recognised by its exact source in 0.17.1: after a
 * theme upgrade it is not, the theme's handler runs as before, and test_chapter_page fails until
 * THEMES below is updated) and applies the same rule to the blocks a reader can see: at the load
 * event; to a folded cell's blocks when it opens; and to all of them again 300 ms after the
 * window was resized or the main content last changed.
 */
(function () {
  "use strict";
  var SCROLLABLE = "pre, .nboutput > .output_area, .cell_output > .output, .jp-RenderedHTMLCommon, " +
    ".pst-scrollable-table-container";   // the theme's list
  var THEMES = 'function I(){const e=()=>{document.querySelectorAll(["pre",".nboutput > .output_area",' +
    '".cell_output > .output",".jp-RenderedHTMLCommon",".pst-scrollable-table-container"].join(", "))' +
    '.forEach(e=>{e.tabIndex=e.scrollWidth>e.clientWidth||e.scrollHeight>e.clientHeight?0:-1})},' +
    't=_(e,300);window.addEventListener("resize",t),new MutationObserver(t).observe(document.' +
    'getElementById("main-content"),{subtree:!0,childList:!0}),e()}';

  // Shown unless inside a closed <details> (its <summary> aside).
  function shown(el) {
    for (var d = el.parentElement && el.parentElement.closest("details"); d;
         d = d.parentElement && d.parentElement.closest("details")) {
      var summary = d.querySelector(":scope > summary");
      if (!d.open && !(summary && summary.contains(el))) return false;
    }
    return true;
  }

  function apply(root) {
    var blocks = Array.from(root.querySelectorAll(SCROLLABLE)).filter(shown);
    var stops = blocks.map(function (el) {
      return el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight ? "0" : "-1";
    });
    blocks.forEach(function (el, i) {
      if (el.getAttribute("tabindex") !== stops[i]) el.setAttribute("tabindex", stops[i]);
    });
  }

  function debounce(fn, wait) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, wait); };
  }

  function start() {
    apply(document);
    var again = debounce(function () { apply(document); }, 300);
    window.addEventListener("resize", again);
    var main = document.getElementById("main-content");
    if (main) new MutationObserver(again).observe(main, { subtree: true, childList: true });
    document.addEventListener("toggle", function (event) {   // toggle does not bubble: captured
      if (event.target.open) apply(event.target);
    }, true);
  }

  var addListener = window.addEventListener;
  function wrapped(type, listener) {
    if (type === "load" && typeof listener === "function" &&
        Function.prototype.toString.call(listener) === THEMES) {
      if (window.addEventListener === wrapped) delete window.addEventListener;
      document.documentElement.dataset.tabStopsBy = "descend";
      addListener.call(window, "load", start);
      return undefined;
    }
    return addListener.apply(this || window, arguments);
  }
  window.addEventListener = wrapped;
})();
