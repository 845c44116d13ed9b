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

/* Code blocks and outputs whose content overflows are tab stops, so that a keyboard reader can
 * scroll them (axe-core rule scrollable-region-focusable, WCAG 2.1.1): the theme's rule, without
 * laying out the folded cells.
 *
 * The theme (pydata-sphinx-theme 0.17.1) sets each block's tabIndex to 0 if its content
 * overflows and to -1 if not, in its load handler and again 300 ms after any change to the main
 * content. It reads the size of every block, also of those inside folded cells (closed
 * <details>), and chromium lays out a closed <details>'s hidden content on its own for each such
 * read: chapter 9's 45 folded blocks took 270-300 ms of its load event (chromium trace), the
 * 195 others 1 ms, and the pass ran again after each batch of formulas typeset in the
 * background. This script takes the theme's handler out (recognised by its selector list; if a
 * theme version changes it, the theme's handler runs as before and the browser test says so) and
 * applies the same rule to the blocks a reader can see, reading every size before setting any
 * tabIndex; to a folded cell's blocks when it is opened; to all of them again when the window is
 * resized; and to a block whose content changes. <html> gets data-tab-stops="set" once the
 * load event's pass is done.
 */
(function () {
  "use strict";
  var SCROLLABLE = "pre, .nboutput > .output_area, .cell_output > .output, .jp-RenderedHTMLCommon, " +
    ".pst-scrollable-table-container";   // the theme's list
  var THEMES = "pst-scrollable-table-container";   // a string of the theme's handler's source

  function shown(el) {
    return !(el.parentElement && el.parentElement.closest("details:not([open])"));
  }

  function apply(elements) {
    elements = elements.filter(shown);
    var stops = elements.map(function (el) {   // every size first: one layout, not one per block
      return el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight ? "0" : "-1";
    });
    elements.forEach(function (el, i) {
      if (el.getAttribute("tabindex") !== stops[i]) el.setAttribute("tabindex", stops[i]);
    });
  }

  function within(root) {
    return Array.from(root.querySelectorAll(SCROLLABLE));
  }

  function debounce(fn, wait) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, wait); };
  }

  function start() {
    apply(within(document));
    document.documentElement.dataset.tabStops = "set";
    window.addEventListener("resize", debounce(function () { apply(within(document)); }, 300));
    document.addEventListener("toggle", function (event) {   // toggle does not bubble: captured
      if (event.target.open) apply(within(event.target));
    }, true);
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
      document.documentElement.dataset.tabStopsBy = "descend";
      if (document.readyState === "complete") start();
      else addListener.call(window, "load", start);
      return undefined;
    }
    return addListener.apply(this || window, arguments);
  };
})();
