// The text of the site's code blocks (`.highlight pre`: Pygments' spans), checked directly in
// place of axe-core's color-contrast rule: test_accessibility.py runs axe without these blocks,
// which saves 1-1.4 s of a 5 s audit on a chapter page (13,000-14,000 spans).
//
// A code block may hold only what these checks cover: <pre> (attributes class, id, tabindex; its
// id unique on the page) and <span class> inside it, with no ::before or ::after content. So no
// link, role, ARIA or style attribute is left there for axe's other rules. Every element of a
// block that has text of its own (a text node not only whitespace) is checked, hidden or not (a
// folded cell or solution is checked as it looks unfolded):
//   * its text colour over its effective background has a contrast ratio above 4.5:1, or above
//     3:1 for large text (18 pt, or 14 pt bold, rounded as axe rounds them): WCAG 2.1's 1.4.3
//     as axe 4.12 decides it (axe also fails a ratio equal to the threshold). The background is
//     the background colours of the element and its ancestors, composited down to the first
//     opaque one, which must lie inside the `.highlight` block (so nothing positioned beneath it
//     can show through); axe takes the stack under the text from the page's layout instead;
//   * nothing that would make that computation wrong, on the element or any ancestor: an
//     opacity strictly between 0 and 1, a filter, a blend mode, a background image, a text
//     shadow, a text fill or stroke of its own, a colour not in rgb()/rgba() (oklch, color()).
// Where axe would only ask for a review (a pseudo-element, text over an image) this check fails,
// and it checks hidden text, which axe skips. A block that scrolls must be reachable by the
// keyboard (tabindex >= 0; axe's scrollable-region-focusable).
// Returns {faults: one sentence per fault (at most 20), checked: how many elements' text was,
// lowest: the lowest contrast ratio found, blocks: how many code blocks there are}.
(root) => {
  const faults = [];
  const fault = (el, what) => {
    if (faults.length < 20) {
      const cls = el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '';
      faults.push(`<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${cls}> "${(el.textContent || '').trim().slice(0, 40)}"`
                  + ` in a code block: ${what}`);
    }
  };
  const rgba = (text) => {
    const m = /^rgba?\(\s*([\d.]+)[ ,]+([\d.]+)[ ,]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/.exec(text);
    if (!m) return null;
    let a = m[4] === undefined ? 1 : parseFloat(m[4]);
    if (m[4] && m[4].endsWith('%')) a /= 100;
    return [+m[1], +m[2], +m[3], a];
  };
  const over = (top, below) => [0, 1, 2].map(i => top[i] * top[3] + below[i] * (1 - top[3])).concat([1]);
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map(v => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const ALLOWED = {PRE: new Set(['class', 'id', 'tabindex']), SPAN: new Set(['class'])};
  const name = (e) => `<${e.tagName.toLowerCase()}>`;

  // What the computation ignores, on e or an ancestor: a sentence, or null (memoised: the walk
  // from every span up to the root would otherwise repeat for each of 14,000 spans).
  const ignoredMemo = new Map();
  const ignored = (e) => {
    if (!e) return null;
    if (ignoredMemo.has(e)) return ignoredMemo.get(e);
    const s = getComputedStyle(e), opacity = parseFloat(s.opacity);
    let why = null;
    // opacity 0 is a folded solution (sphinx-togglebutton shows it at opacity 1): checked as shown
    if (opacity > 0 && opacity < 1) why = `opacity ${s.opacity} on ${name(e)}`;
    else if (s.filter !== 'none') why = `filter ${s.filter} on ${name(e)}`;
    else if (s.mixBlendMode !== 'normal') why = `mix-blend-mode ${s.mixBlendMode} on ${name(e)}`;
    else if (s.backgroundImage !== 'none') why = `a background image on ${name(e)}`;
    else why = ignored(e.parentElement);
    ignoredMemo.set(e, why);
    return why;
  };

  // e's background over those below it, down to the first opaque one: [r, g, b, 1], or null if
  // none is opaque at or below `block`.
  const backgroundMemo = new Map();
  const background = (e, block) => {
    if (backgroundMemo.has(e)) return backgroundMemo.get(e);
    const own = rgba(getComputedStyle(e).backgroundColor);
    let result = null;
    if (own !== null && own[3] >= 1) result = own;
    else if (own !== null && e !== block && e.parentElement) {
      const below = background(e.parentElement, block);
      result = below === null ? null : over(own, below);
    }
    backgroundMemo.set(e, result);
    return result;
  };

  const blocks = (root || document).querySelectorAll('.highlight pre');
  let checked = 0, lowest = Infinity;
  for (const pre of blocks) {
    const block = pre.closest('.highlight');
    for (const el of [pre, ...pre.querySelectorAll('*')]) {
      const allowed = ALLOWED[el.tagName];
      if (!allowed || (el === pre) !== (el.tagName === 'PRE')) {
        fault(el, 'a code block may hold only a <pre> and <span>s inside it'); continue;
      }
      const extra = Array.from(el.attributes).map(a => a.name).filter(n => !allowed.has(n));
      if (extra.length) fault(el, `attribute ${extra.join(', ')} (a ${name(el)} here may have only ${[...allowed].join(', ')})`);
      if (el.id && document.querySelectorAll('#' + CSS.escape(el.id)).length !== 1) fault(el, `id ${el.id} is not unique`);
      const s = getComputedStyle(el);
      for (const pseudo of ['::before', '::after']) {
        const content = getComputedStyle(el, pseudo).content;
        if (content !== 'none' && content !== 'normal') fault(el, `${pseudo} content ${content}`);
      }
      if ((['auto', 'scroll'].includes(s.overflowX) && el.scrollWidth > el.clientWidth
           || ['auto', 'scroll'].includes(s.overflowY) && el.scrollHeight > el.clientHeight) && !(el.tabIndex >= 0)) {
        fault(el, 'it scrolls but cannot be reached by the keyboard (no tabindex)');
      }
      if (!Array.from(el.childNodes).some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim())) continue;
      const why = ignored(el)
        || (s.textShadow !== 'none' ? `text-shadow ${s.textShadow}` : null)
        || (s.webkitTextFillColor !== s.color ? `-webkit-text-fill-color ${s.webkitTextFillColor}` : null)
        || (parseFloat(s.webkitTextStrokeWidth) !== 0 ? `-webkit-text-stroke-width ${s.webkitTextStrokeWidth}` : null);
      if (why) { fault(el, `contrast cannot be computed: ${why}`); continue; }
      const fg = rgba(s.color), bg = background(el, block);
      if (fg === null) { fault(el, `contrast cannot be computed: color ${s.color}`); continue; }
      if (bg === null) { fault(el, 'contrast cannot be computed: no opaque rgb() background inside its .highlight block'); continue; }
      const points = Math.ceil(parseFloat(s.fontSize) * 72) / 96, bold = parseFloat(s.fontWeight) >= 700;
      const need = (bold ? points >= 14 : points >= 18) ? 3 : 4.5;
      const r = ratio(over(fg, bg), bg);
      lowest = Math.min(lowest, r);
      if (!(r > need)) fault(el, `contrast ${r.toFixed(2)}:1 (${s.color} on rgb(${bg.slice(0, 3).map(Math.round).join(', ')})), not above ${need}:1`);
      checked += 1;
    }
  }
  return {faults, checked, lowest: checked ? lowest : null, blocks: blocks.length};
}
