// MathJax typesets a formula when it scrolls into view (its lazy typesetting, loaded by
// _config.yml), so that a chapter with hundreds of formulas is ready in well under a second.
// A formula not typeset yet is an empty placeholder, which a screen reader, the browser's
// find-in-page and MathJax's own speech explorer cannot read. So once the page has loaded,
// this script typesets the rest in the background: a few formulas at a time, each batch when
// the browser is idle, so scrolling and the explorers stay responsive meanwhile.
//
// MathJax 3.2's speech and Braille (the accessibility explorer in its menu) stay silent on
// formulas typeset lazily, so a reader who has switched them on gets every formula typeset up
// front, as before. (This script runs after the page's MathJax configuration and before the
// deferred MathJax itself.)
(function () {
  "use strict";
  var BATCH = 30;

  try {
    var menu = JSON.parse(window.localStorage.getItem("MathJax-Menu-Settings") || "{}");
    var load = window.MathJax && window.MathJax.loader && window.MathJax.loader.load;
    if ((menu.explorer || menu.speech || menu.braille) && Array.isArray(load)) {
      window.MathJax.loader.load = load.filter(function (c) { return c !== "ui/lazy"; });
    }
  } catch (e) { /* no localStorage (private mode): keep lazy typesetting */ }

  function whenIdle(fn) {
    if (window.requestIdleCallback) window.requestIdleCallback(fn, { timeout: 500 });
    else setTimeout(fn, 30);
  }

  function typesetTheRest() {
    var doc = MathJax.startup.document;
    if (!doc || !doc.lazyList || !doc.lazySet) return; // not lazy: all typeset already
    var ids = Array.from(doc.lazyList.items.keys());
    function waiting(id) {
      var item = doc.lazyList.get(id);
      return item && (item.lazyCompile || item.lazyTypeset);
    }
    function next() {
      var batch = [];
      while (ids.length && batch.length < BATCH) {
        var id = ids.shift();
        if (waiting(id)) batch.push(id);
      }
      if (!batch.length) return;
      batch.forEach(function (id) { doc.lazySet.add(id); });
      doc.lazyHandleSet();
      doc.lazyPromise.then(function () { whenIdle(next); });
    }
    whenIdle(next);
  }

  window.addEventListener("load", function () {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
      MathJax.startup.promise.then(typesetTheRest);
    }
  });
})();
