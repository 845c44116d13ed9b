"""An explorer's start frame on a high-density screen, before and after issue 19's frames.

*Before* is today's figure drawn and encoded as 8f249db's pipeline did: at 100 dpi (640×400 px
for a 6.4×4 in figure), lossy WebP at quality 80, then 65, 50 and 35 until the explorer's data
URIs fit 950,000 bytes (the quality that rule picks for today's slider grid). *After* is the
frame the built site shows (``make book``). Chromium shows both in the built page at device
scale factor 2, in the light and the dark theme (the page recolours a frame for the dark
theme; that came after 8f249db, so the dark "before" is the old encoding through today's
recolouring). A region of each is cropped, enlarged twice more with nearest-neighbour, and
the two are stacked, before above after, into
``OUT/<chapter>-<theme>.png``::

    python bench/frames.py 01_derivatives 0 150,90,600,290 --out bench/frames
    python bench/frames.py 04_momentum 0 560,280,1010,500 --out bench/frames

The region is in the screenshot's pixels (twice the CSS pixels).
"""

from __future__ import annotations

import argparse
import html
import io
import os
import re
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"

# Run after the chapter's cells in its kernel: 8f249db's encoding of an explorer's frames, lossy
# WebP as the library still makes it (the quality and method 2 of its "lossy" encodings).
BEFORE = r"""
import descend as dd
from descend import _static
ex = dd.widgets.created()[EXPLORER_INDEX]
grid = list(ex.grid())
images = [ex.rgba(values, 100) for values in grid]
for quality in (80, 65, 50, 35):
    frames = [_static.frame_uri(rgba, ("lossy", quality)) for rgba in images]
    if sum(map(len, frames)) <= 950_000:
        break
print("QUALITY", quality)
print("ALT", " ".join(ex.alt.split()))
print("URI", frames[grid.index(ex.initial)])
"""


def before_uri(chapter: str, k: int) -> tuple[str, int, str]:
    """Explorer ``k`` of ``chapter``'s start frame as 8f249db encoded it, the WebP quality, and
    the explorer's alternative text."""
    path = ROOT / "notebooks" / f"{chapter}.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(BEFORE.replace("EXPLORER_INDEX", str(k))))
    os.environ["DESCEND_EXPLORE"] = "static"   # as the build executes a chapter
    NotebookClient(nb, timeout=900, resources={"metadata": {"path": str(path.parent)}}).execute()
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    lines = dict(line.split(" ", 1) for line in text.splitlines() if line[:3] in ("QUA", "URI", "ALT"))
    return lines["URI"], int(lines["QUALITY"]), lines["ALT"]


def screenshots(chapter: str, k: int, uri: str, theme: str) -> tuple[Image.Image, Image.Image, str]:
    """Explorer ``k``'s image in the built page at device scale 2: with ``uri``, then as built;
    and the built frame's size against the box it is shown in (CSS pixels)."""
    from bench import site_browser

    shots, size = [], ""
    with site_browser(HTML) as (site, browser):
        for old in (uri, None):
            page = browser.new_page(device_scale_factor=2, viewport={"width": 1200, "height": 900},
                                    color_scheme=theme)
            page.goto(f"{site}/notebooks/{chapter}.html")
            page.evaluate(f"document.documentElement.dataset.theme = '{theme}'")
            img = page.locator(".descend-explorer").nth(k).locator("img")
            img.scroll_into_view_if_needed()
            if old:  # the old frame at its natural size, as 8f249db's page showed it
                img.evaluate("""(img, uri) => { for (const a of ['srcset', 'width', 'height', 'data-src2x'])
                                  img.removeAttribute(a); img.src = uri; }""", old)
            # shown: decoded, and in the dark theme recoloured (a blob: URL) by the page's script
            img.evaluate("""async (img) => { await img.decode().catch(() => {}); for (let i = 0; i < 100; i++) {
                if (img.complete && img.naturalWidth && (document.documentElement.dataset.theme !== 'dark'
                    || img.currentSrc.startsWith('blob:'))) return; await new Promise(r => setTimeout(r, 50)); }
                throw new Error('the explorer image was not shown within 5 s'); }""")
            shots.append(Image.open(io.BytesIO(img.screenshot())).convert("RGB"))
            size = img.evaluate("i => `${i.naturalWidth}x${i.naturalHeight} px in a ${i.clientWidth}x${i.clientHeight} box`")
            page.close()
    return shots[0], shots[1], size


def side_by_side(before: Image.Image, after: Image.Image, box, captions) -> Image.Image:
    """The region ``box`` of each, enlarged twice with nearest-neighbour, before above after."""
    a, b = (im.crop(box) for im in (before, after))
    w, h = a.size
    a, b = (im.resize((2 * w, 2 * h), Image.NEAREST) for im in (a, b))
    out = Image.new("RGB", (2 * w, 4 * h + 40), "white")
    draw = ImageDraw.Draw(out)
    draw.text((5, 3), captions[0], fill="black")
    out.paste(a, (0, 18))
    draw.text((5, 2 * h + 23), captions[1], fill="black")
    out.paste(b, (0, 2 * h + 38))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapter", help="a chapter's file name without .ipynb, e.g. 01_derivatives")
    parser.add_argument("explorer", type=int, help="the explorer's index on the page, from 0")
    parser.add_argument("box", help="the region to compare: left,top,right,bottom in screenshot pixels")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "frames")
    args = parser.parse_args()
    page = HTML / "notebooks" / f"{args.chapter}.html"
    if not page.is_file():
        parser.error(f"chapter: no page {page.name} in {page.parent} (run make book)")
    alts = re.findall(r'<div class="descend-explorer".*?<img [^>]*?alt="([^"]*)"', page.read_text(), flags=re.S)
    if not alts:
        parser.error(f"chapter: {page.name} has no explorer")
    if not 0 <= args.explorer < len(alts):
        parser.error(f"explorer: an index from 0 to {len(alts) - 1}: the page has {len(alts)} explorer(s)")
    try:
        box = tuple(int(v) for v in args.box.split(","))
    except ValueError:
        box = ()
    if len(box) != 4 or min(box) < 0 or box[0] >= box[2] or box[1] >= box[3]:
        parser.error(f"box: four integers left,top,right,bottom with left < right and top < bottom, not {args.box!r}")
    uri, quality, alt = before_uri(args.chapter, args.explorer)
    if " ".join(html.unescape(alts[args.explorer]).split()) != alt:
        raise SystemExit(f"frames: explorer {args.explorer} of the notebook is not that of the page "
                         "(build the book again: make book)")
    args.out.mkdir(parents=True, exist_ok=True)
    for theme in ("light", "dark"):
        before, after, size = screenshots(args.chapter, args.explorer, uri, theme)
        if before.size != after.size:
            raise SystemExit(f"frames: the page showed the old frame at {before.width}×{before.height} and "
                             f"its own at {after.width}×{after.height} device pixels: they cannot be compared")
        if box[2] > before.width or box[3] > before.height:
            raise SystemExit(f"frames: the box {args.box} must lie inside the screenshots, "
                             f"{before.width}×{before.height} device pixels")
        captions = (f"before (8f249db): drawn at 100 dpi, lossy WebP q{quality}, on a 2x screen",
                    f"after: as the site shows it, {size}, {theme} theme")
        path = args.out / f"{args.chapter}-{theme}.png"
        side_by_side(before, after, box, captions).save(path, optimize=True)
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: WebP q{quality} before")
    return 0


if __name__ == "__main__":
    sys.exit(main())
