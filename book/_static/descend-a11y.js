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
