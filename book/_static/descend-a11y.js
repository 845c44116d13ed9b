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

/* Scrollable code blocks and outputs are tab stops, so that a keyboard reader can scroll them
 * (axe-core rule scrollable-region-focusable, WCAG 2.1.1): the theme's rule, applied without a
 * layout of the whole page in the load event.
 *
 * The theme (pydata-sphinx-theme 0.17) reads the size of every code block and output in its
 * load handler, one after the other, and sets each one's tabIndex: each read forces the layout
 * of the page, and with descend.css's sections laid out only near the screen
 * (content-visibility), of every section. On chapter 9 that handler took 371 ms of a 1.9 s load
 * (measured in a chromium trace). This script takes the theme's handler out (it is recognised by
 * its selector list; if a theme version changes it, the theme's handler runs as before) and
 * applies the same rule a section at a time while the browser is idle, reading the sizes of a
 * section's elements before setting any tabIndex. Like the theme, it applies it again when the
 * window is resized, and to a code block or output whose content changes. When every section is
 * done, <html> gets data-tab-stops="set" (the accessibility test waits for it).
 */
(function () {
  "use strict";
  var SCROLLABLE = "pre, .nboutput > .output_area, .cell_output > .output, .jp-RenderedHTMLCommon, " +
    ".pst-scrollable-table-container";   // the theme's list
  var SECTION = "article.bd-article > section > section";
  var THEMES = "pst-scrollable-table-container";   // a string of the theme's handler's source

  function whenIdle(fn) {
    if (window.requestIdleCallback) window.requestIdleCallback(fn, { timeout: 1000 });
    else setTimeout(fn, 30);
  }

  function apply(elements) {
    var scrolls = elements.map(function (el) {
      return el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight;
    });
    elements.forEach(function (el, i) { el.tabIndex = scrolls[i] ? 0 : -1; });
  }

  var pending = null;
  function applyAll() {
    var groups = new Map();
    document.querySelectorAll(SCROLLABLE).forEach(function (el) {
      var section = el.closest(SECTION);
      if (!groups.has(section)) groups.set(section, []);
      groups.get(section).push(el);
    });
    var queue = Array.from(groups.values()), run = {};
    pending = run;
    document.documentElement.dataset.tabStops = "setting";
    function next(deadline) {
      if (pending !== run) return;   // a resize started again
      do { apply(queue.shift()); } while (queue.length && deadline && deadline.timeRemaining && deadline.timeRemaining() > 8);
      if (queue.length) whenIdle(next);
      else document.documentElement.dataset.tabStops = "set";
    }
    if (queue.length) whenIdle(next);
    else document.documentElement.dataset.tabStops = "set";
  }

  function debounce(fn, wait) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, wait); };
  }

  function start() {
    applyAll();
    window.addEventListener("resize", debounce(applyAll, 300));
    var changed = new Set();
    var applyChanged = debounce(function () {
      var elements = Array.from(changed).filter(function (el) { return el.isConnected; });
      changed.clear();
      apply(elements);
    }, 300);
    var main = document.getElementById("main-content");
    if (main) {
      new MutationObserver(function (records) {
        records.forEach(function (r) {
          var el = r.target.nodeType === 1 ? r.target.closest(SCROLLABLE) : null;
          if (el) { changed.add(el); applyChanged(); }
        });
      }).observe(main, { subtree: true, childList: true });
    }
  }

  var addListener = window.addEventListener;
  window.addEventListener = function (type, listener) {
    if (type === "load" && typeof listener === "function" && String(listener).indexOf(THEMES) >= 0) {
      window.addEventListener = addListener;
      if (document.readyState === "complete") start();
      else addListener.call(window, "load", start);
      return undefined;
    }
    return addListener.apply(this, arguments);
  };
})();
