// Formulas typeset near the screen first, and the rest in the background.
//
// MathJax's own typesetting of a page (with or without its lazy-typesetting extension, ui/lazy)
// finds, measures and sets up every formula of the page before the page is ready: chapter 9's
// 1003 took 380-430 ms of its load on a 2-core Xeon, 150 ms of it measuring each formula's
// surroundings (chromium traces). So MathJax starts without typesetting anything
// (_config.yml: startup.typeset false), and this script hands it the formulas in turn:
//
//  1. when MathJax has started (before DOMContentLoaded, as MathJax is a deferred script), the
//     formulas from a screen above to two screens below where the page opens (its top, or the
//     anchor it was opened at);
//  2. any formula that comes within a screen of the window, as the reader scrolls or jumps;
//  3. once the page has loaded, all the others in order, a few at a time while the browser is
//     idle, so that scrolling and the explorers stay responsive; then one pass over the whole
//     page for any TeX outside Sphinx's math elements. <html> then gets data-math="typeset".
//
// A formula not typeset yet shows its TeX source, which screen readers and the browser's
// find-in-page would read as such: step 3 ends that within seconds of loading. A reader who has
// switched on MathJax's speech, Braille or explorer in its menu gets them too: remembered (in
// localStorage), MathJax loads its explorer first and then typesets the page
// (test_mathjax_speech_works_offline); switched on while reading, the menu re-renders the
// formulas typeset so far and the rest are typeset with it (test_mathjax_explorer_switched_on_
// from_the_menu). Printing typesets whatever is left when it starts. The
// book defines no TeX macros or equation labels in its formulas, so typesetting them out of
// order changes nothing. (This script runs after the page's MathJax configuration and before
// the deferred MathJax itself.)
(function () {
  "use strict";
  var FORMULA = "span.math, div.math";   // Sphinx's and MyST's math elements
  var BATCH = 30;
  if (!window.MathJax || typeof window.MathJax !== "object") return;   // a page without math

  // The site ships MathJax's CHTML output only (book/_ext/descend_site.py): its menu's other
  // renderer, SVG, would be fetched and not found, and MathJax would wait for it for ever with
  // no formula typeset, on every page, as the menu remembers the choice. So a remembered SVG is
  // forgotten here, and the menu's SVG item is disabled once MathJax has started.
  try {
    var settings = JSON.parse(window.localStorage.getItem("MathJax-Menu-Settings") || "{}");
    if (settings.renderer && settings.renderer !== "CHTML") {
      delete settings.renderer;
      window.localStorage.setItem("MathJax-Menu-Settings", JSON.stringify(settings));
    }
  } catch (e) { /* no localStorage (private mode): nothing remembered */ }

  function onlyCHTML() {
    var menu = MathJax.startup.document && MathJax.startup.document.menu;
    var svg = menu && menu.menu && menu.menu.findID("Settings", "Renderer", "SVG");
    if (svg) svg.disable();
  }

  function theMenu() {   // MathJax's Menu class (ui/menu, part of tex-chtml.js)
    var ui = MathJax._ && MathJax._.ui;
    return ui && ui.menu && ui.menu.Menu && ui.menu.Menu.Menu;
  }

  var waiting = null;          // the formulas not handed to MathJax yet
  var queue = Promise.resolve();
  var rerendering = null;      // the menu's re-render of the page, while it runs

  function delay(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  // While MathJax's menu loads an extension the reader has switched on (the explorer, say), a
  // typesetting pass that started would make the menu leave the re-rendering of the page to that
  // pass (ui/menu's loadA11y), which covers its own formulas only: the ones typeset before would
  // never get the extension. So no pass starts while the menu loads or re-renders the page, for
  // at most 15 s each, so that a slow load does not hold the formulas back for ever (after a load
  // that failed, MathJax's own passes wait for ever). A pass that has already started and waits
  // for MathJax to load something (the speech rules, with the explorer on) when the reader
  // switches on another extension is not covered.
  function menuSettled(since) {
    var Menu = theMenu();
    since = since || Date.now();
    if (Date.now() - since > 15000) return null;
    if (Menu && Menu.loading) return delay(50).then(function () { return menuSettled(since); });
    if (rerendering) {
      return Promise.race([rerendering, delay(15000)]).then(function () {
        return menuSettled(rerendering ? since - 15000 : null);   // a re-render that hangs: give up
      });
    }
    return null;
  }

  function typeset(elements) {
    elements = elements.filter(function (el) { return waiting.delete(el); });
    if (elements.length) {
      queue = queue.then(function () { return menuSettled(); })
        .then(function () { return MathJax.typesetPromise(elements); })
        .catch(function (err) { console.error("MathJax:", err); });
    }
    return queue;
  }

  // Where the page opens, in page coordinates: its anchor's element (the browser may not have
  // scrolled there yet when MathJax starts), or where it is scrolled to.
  function opening() {
    var id = "";
    try { id = decodeURIComponent(window.location.hash.slice(1)); } catch (e) { /* malformed */ }
    var target = id && document.getElementById(id);
    return target ? target.getBoundingClientRect().top + window.scrollY : window.scrollY;
  }

  function near(el, top) {   // within a screen above and two below top, and laid out
    var r = el.getBoundingClientRect(), h = window.innerHeight, y = r.top + window.scrollY;
    return (r.width || r.height) && y + r.height > top - h && y < top + 2 * h;
  }

  function whenIdle(fn) {
    if (window.requestIdleCallback) window.requestIdleCallback(fn, { timeout: 500 });
    else setTimeout(fn, 30);
  }

  function start() {
    onlyCHTML();
    var formulas = Array.from(document.querySelectorAll(FORMULA));
    waiting = new Set(formulas);
    var observer = new IntersectionObserver(function (entries) {
      var shown = entries.filter(function (e) { return e.isIntersecting; }).map(function (e) {
        observer.unobserve(e.target);
        return e.target;
      });
      typeset(shown);
    }, { rootMargin: "100% 0px" });
    formulas.forEach(function (el) { observer.observe(el); });
    // Printing typesets at once every formula not typeset yet, queued or not (typesetting one
    // twice finds no TeX in it the second time). Not while the menu loads an extension: MathJax
    // would stop before finding any formula and still make the menu skip its re-render, so the
    // rest print as TeX rather than spoil the extension.
    window.addEventListener("beforeprint", function () {
      var Menu = theMenu();
      if (Menu && Menu.loading) return;
      try {
        MathJax.typeset(formulas.filter(function (el) { return !el.querySelector("mjx-container"); }));
      } catch (err) { console.error("MathJax:", err); }
      finally { waiting.clear(); }   // whatever is left, the final pass over the page typesets
    });

    function theRest() {
      var rest = formulas.filter(function (el) { return waiting.has(el); });
      function next() {
        var batch = rest.splice(0, BATCH);
        if (batch.length) {
          typeset(batch).then(function () { whenIdle(next); });
          return;
        }
        observer.disconnect();
        queue = queue.then(function () { return menuSettled(); })
          .then(function () { return MathJax.typesetPromise(); })   // TeX elsewhere
          .catch(function (err) { console.error("MathJax:", err); })
          .then(function () { document.documentElement.dataset.math = "typeset"; });
      }
      whenIdle(next);
    }
    if (document.readyState === "complete") theRest();
    else window.addEventListener("load", theRest);

    var top = opening();
    return typeset(formulas.filter(function (el) { return near(el, top); }));
  }

  // When a reader switches on MathJax 3.2.2's explorer (Accessibility > Activate), its menu
  // loads the explorer and then re-renders the page synchronously; but the speech rules the
  // explorer needs load asynchronously, so the re-render stops at MathJax's "retry" signal and
  // leaves every formula empty (mathjax/MathJax#3124, fixed in MathJax 4). The work-around of
  // MathJax's maintainer: re-render with MathJax's own retry handling. No pass starts while it
  // runs (menuSettled), so that the formulas are not set again at each of its retries.
  function rerenderWithRetries() {
    var Menu = theMenu(), mathjax = MathJax._.mathjax && MathJax._.mathjax.mathjax;
    if (!Menu || !mathjax) return;
    var rerender = Menu.prototype.rerender;
    Menu.prototype.rerender = function (state) {
      var menu = this;
      var done = mathjax.handleRetriesFor(function () { rerender.call(menu, state); })
        .catch(function (err) { console.error("MathJax:", err); })
        .then(function () { if (rerendering === done) rerendering = null; });
      rerendering = done;
      return done;
    };
  }

  var config = window.MathJax;   // startup.typeset is false there (_config.yml)
  config.startup = config.startup || {};
  var ready = config.startup.ready;
  config.startup.ready = function () {
    rerenderWithRetries();
    return ready ? ready() : MathJax.startup.defaultReady();
  };
  var pageReady = config.startup.pageReady;
  config.startup.pageReady = function () {
    var first = pageReady ? pageReady() : MathJax.startup.defaultPageReady();
    return Promise.resolve(first).then(start);
  };
})();
