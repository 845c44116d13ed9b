/* Figures in the dark theme.
 *
 * Matplotlib draws the book's figures as ink on white paper. In the dark theme each figure is
 * re-composited, in the browser, as the same ink on the page's dark paper: every pixel is read
 * as a colour F laid over white with coverage a (1 - min(r, g, b) for grey ink, more for a light
 * but clearly coloured pixel), so that pixel = a F + (1 - a) white; then it is drawn as a F' + (1 - a) background, where F' is the
 * page's text colour for black or grey ink, and for coloured ink F lifted towards white the more
 * the darker it is (so a dark blue line still reads on the dark page). Hues, colour maps and
 * their order of lightness survive; black lines and text turn light; the white paper turns dark.
 * Nothing extra is downloaded: the light images are the only images. An image the browser will
 * not let a script read (a page opened from file://) keeps its light version on a light frame.
 */
(function () {
  "use strict";
  var LIFT = 0.25, FULL_CHROMA = 0.33, NOISE = 0.06;

  function clamp(x) { return x < 0 ? 0 : x > 1 ? 1 : x; }
  var cache = new Map();          // light src -> dark object URL (or null if unreadable)
  var pending = new Map();        // light src -> Promise of the dark URL

  function dark() { return document.documentElement.dataset.theme === "dark"; }

  function rgb(name, fallback) {
    var probe = document.createElement("span");
    probe.style.color = "var(" + name + ", " + fallback + ")";
    document.body.appendChild(probe);
    var m = getComputedStyle(probe).color.match(/\d+(\.\d+)?/g);
    probe.remove();
    return m ? [+m[0], +m[1], +m[2]] : [0, 0, 0];
  }

  function recolour(data, paper, ink) {
    for (var i = 0; i < data.length; i += 4) {
      var r = data[i] / 255, g = data[i + 1] / 255, b = data[i + 2] / 255;
      var lo = Math.min(r, g, b), hi = Math.max(r, g, b);
      // coverage: grey ink covers the paper by 1 - lo; a light but clearly coloured pixel (sky
      // blue, yellow) is ink too, not a thin wash of a darker colour, and its chroma says so
      // (a chroma below NOISE is compression noise of the frames, not colour)
      var c = Math.max(0, hi - lo - NOISE);
      var a = Math.max(1 - lo, Math.min(1, c / FULL_CHROMA));
      var fr = 0, fg = 0, fb = 0;
      if (a > 1e-3) {
        fr = clamp((r - 1 + a) / a); fg = clamp((g - 1 + a) / a); fb = clamp((b - 1 + a) / a);
        var chroma = c / a;
        // lift dark colours towards white, the darker the more, so thin coloured lines read on
        // the dark page; lightness stays in the same order (the lift is monotonic for LIFT < 1/2)
        var lift = LIFT * (1 - (0.2126 * fr + 0.7152 * fg + 0.0722 * fb));
        fr += lift * (1 - fr); fg += lift * (1 - fg); fb += lift * (1 - fb);
        // grey ink (chroma 0) becomes the text colour; coloured ink keeps its colour
        var t = Math.min(1, Math.max(0, (chroma - 0.12) / 0.2));
        fr = t * fr * 255 + (1 - t) * ink[0];
        fg = t * fg * 255 + (1 - t) * ink[1];
        fb = t * fb * 255 + (1 - t) * ink[2];
      }
      data[i] = a * fr + (1 - a) * paper[0];
      data[i + 1] = a * fg + (1 - a) * paper[1];
      data[i + 2] = a * fb + (1 - a) * paper[2];
    }
  }

  function darkVersion(src) {
    if (cache.has(src)) return Promise.resolve(cache.get(src));
    if (pending.has(src)) return pending.get(src);
    var job = new Promise(function (resolve) {
      var im = new Image();
      im.onload = function () {
        try {
          var c = document.createElement("canvas");
          c.width = im.naturalWidth; c.height = im.naturalHeight;
          var cx = c.getContext("2d");
          cx.drawImage(im, 0, 0);
          var px = cx.getImageData(0, 0, c.width, c.height);
          recolour(px.data, rgb("--pst-color-background", "#121212"), rgb("--pst-color-text-base", "#ced6dd"));
          cx.putImageData(px, 0, 0);
          c.toBlob(function (blob) { resolve(blob ? URL.createObjectURL(blob) : null); });
        } catch (e) { resolve(null); }        // a tainted canvas (file://): keep the light image
      };
      im.onerror = function () { resolve(null); };
      im.src = src;
    }).then(function (url) { cache.set(src, url); pending.delete(src); return url; });
    pending.set(src, job);
    return job;
  }

  function show(img) {
    var light = img.dataset.lightSrc;
    if (!light) return;
    if (!dark()) {
      if (img.getAttribute("src") !== light) img.setAttribute("src", light);
      img.classList.remove("descend-dark", "dark-light");
      return;
    }
    darkVersion(light).then(function (url) {
      if (!dark() || img.dataset.lightSrc !== light) return;     // theme or frame changed meanwhile
      // dark-light is the theme's own mark for an image made for the dark page: no dimming filter
      if (url) { img.setAttribute("src", url); img.classList.add("descend-dark", "dark-light"); }
      else img.classList.remove("descend-dark", "dark-light");
    });
  }

  function adopt(img) {
    img.dataset.lightSrc = img.getAttribute("src");
    // An explorer swaps its frame by setting src: remember the new light frame, then recolour it.
    new MutationObserver(function () {
      var src = img.getAttribute("src");
      if (src && src.indexOf("blob:") !== 0 && src !== img.dataset.lightSrc) {
        img.dataset.lightSrc = src;
        show(img);
      }
    }).observe(img, { attributes: true, attributeFilter: ["src"] });
    show(img);
  }

  function start() {
    var imgs = document.querySelectorAll(".bd-content .cell_output img, .bd-content img.descend-explorer-frame");
    imgs.forEach(adopt);
    new MutationObserver(function () { imgs.forEach(show); })
      .observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
