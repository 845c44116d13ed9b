"""The static backend of ``explore``: every frame rendered ahead of time, swapped in the page.

A page built without a kernel cannot redraw a figure, but an explorer's sliders take only a
finite grid of values, so the build renders one frame per value (per pair of values for
two sliders) and the page swaps frames as the reader moves a slider.  The result is one
self-contained block of HTML: native ``<input type="range">`` sliders with labels (so the
keyboard and screen readers work), an ``<img>`` with the explorer's alternative text, the
frames as WebP data URIs, and a few lines of inline script.  Nothing is loaded from
anywhere, so the page works offline.  (The site moves the frames into files of its own,
``_frames/``: the page fetches the starting frame with itself, the others when the reader
points at or focuses the explorer:
book/_ext/descend_site.py.)

Frames are drawn at the size they are shown: a figure wider than :data:`DISPLAY_WIDTH`, the
book's text column, is drawn at the resolution that makes it that wide.  A second set at twice
the resolution is shown on high-density screens (two or more device pixels per CSS pixel), where the
first would be upscaled and soft, if it fits its budget (:data:`MAX_BYTES_2X`, :data:`ENCODINGS_2X`);
an encoding is given up as soon as the bytes of its frames so far, plus the standard set's bytes
of the frames to come times :data:`RATIO_2X`, exceed that budget (before the first frame: not tried).

Frames are stored as lossless WebP of the frame reduced to its own palette of at most 256
colours (:func:`_palette`): plots are mostly flat colour, so this keeps lines and text sharp
and, measured on chapter 4's explorers, is 24–40 % smaller than lossy WebP at quality 80.
Only a frame set too large for the budget that way falls back to lossy WebP (standard frames)
or to fewer colours (high-density frames).  The block records each set's encoding and the
largest and mean error of its frames against the lossless render, and the site tests bound
them.
"""

from __future__ import annotations

import base64
import hashlib
import html as _html
import io
import json

import numpy as np
from PIL import Image

#: Budget for one explorer's standard frames (bytes of their data URIs; the page-weight budget
#: is 1 MB per explorer).
MAX_BYTES = 950_000
#: Budget for one explorer's high-density frames, lower than :data:`MAX_BYTES`: chosen on the
#: book's chapters so that each, read on a high-density screen with every frame of every explorer
#: fetched, stays within the 2.5 MB of ``make bench``'s budget (it measured 2.2 MB at most).
MAX_BYTES_2X = 850_000
#: The widest a frame is shown: the book's text column in a 1920-px window (790 CSS px; 688 in a
#: 1280-px one). A wider figure is drawn at a lower resolution so that its frames have this width.
DISPLAY_WIDTH = 790
#: Encodings tried in turn until the frames fit the budget: ``("palette", colours)`` is the
#: lossless WebP of a palette image, ``("lossy", quality)`` lossy WebP.
ENCODINGS = (("palette", 256), ("lossy", 80), ("lossy", 65), ("lossy", 50), ("lossy", 35))
#: Encodings of the high-density frames (twice the resolution, for screens of two or more device
#: pixels per CSS pixel), tried in turn; if none fits :data:`MAX_BYTES_2X`, the explorer has none and
#: every screen gets the standard frames. Fewer colours rather than lossy WebP, which at twice the
#: resolution measured larger than the 256-colour palette on five of six explorers of chapters 4
#: and 7 (up to 1.9×), and smears text; 64 colours measured an error of 57 of 255 on chapter 4.
ENCODINGS_2X = (("palette", 256), ("palette", 128))
#: Measured lower bounds on the ratio of high-density frames' bytes, in each of
#: :data:`ENCODINGS_2X`, to the bytes of the same frames in the standard set as a 256-colour
#: palette. An encoding is given up as soon as the bytes of the high-density frames encoded so
#: far, plus the standard bytes of the frames still to come times the bound, exceed
#: :data:`MAX_BYTES_2X`; before its first frame this is the standard set's bytes times the bound,
#: and an encoding it rules out is not tried at all (its frames, with four times the pixels, are
#: neither drawn nor encoded). On the book's 17 explorers the ratio of whole sets measured
#: 1.89–2.43 at 256 colours and 1.66–2.14 at 128, and of the frames from any one on to the last
#: (down to the last frame alone) at least 1.857 and 1.639: the bounds are below these, by 3 and
#: 9 %, so that none of these sets that would fit is given up. They are not guaranteed for a new
#: explorer: one whose frames compress better at high density than these can lose a set that
#: would have fitted, and is then shown with its standard frames (softer, never wrong). A
#: standard set that is not a palette (more than :data:`MAX_BYTES` as one) rules out every
#: encoding, since :data:`MAX_BYTES` times either bound is more than :data:`MAX_BYTES_2X`.
RATIO_2X = {("palette", 256): 1.8, ("palette", 128): 1.5}

# The frames are parsed from their JSON when the reader first points at, focuses or moves the
# explorer, not while the page loads: the block's
# HTML already shows the starting frame and the sliders' starting values (unless the browser
# restored other slider positions, coming back to the page: then they are shown at once). On a
# screen of two or more device pixels per CSS pixel the high-density set is shown, if there is one.
# Frames that are files (the site's, book/_ext/descend_site.py) are fetched when the reader
# first points at or focuses the explorer, so a move finds its frame in the cache.
_SCRIPT = """<script>(function(root){
var img=root.querySelector('img'),inputs=root.querySelectorAll('input[type=range]'),sets=null;
var hi=window.devicePixelRatio>=2&&img.dataset.src2x?'2':'1';if(hi==='2')img.src=img.dataset.src2x;
function set(){sets=sets||JSON.parse(root.querySelector('.descend-explorer-frames').textContent);return sets[hi];}
function show(){var k=0;inputs.forEach(function(inp){
var vals=JSON.parse(inp.dataset.values),i=+inp.value;k=k*vals.length+i;
var out=root.querySelector('output[for="'+inp.id+'"]');out.textContent=vals[i];
inp.setAttribute('aria-valuetext',vals[i]);});img.src=set()[k];root.dataset.frame=k;}
function warm(){root.removeEventListener('pointerenter',warm);root.removeEventListener('focusin',warm);
set().forEach(function(u){if(u.lastIndexOf('data:',0)!==0)(new Image()).src=u;});}
root.addEventListener('pointerenter',warm);root.addEventListener('focusin',warm);
inputs.forEach(function(inp){inp.addEventListener('input',show);});
function sync(){if([].some.call(inputs,function(i){return i.value!==i.getAttribute('value');}))show();}
sync();window.addEventListener('pageshow',sync);
var btn=root.querySelector('button.descend-explorer-play');if(btn){var timer=null,inp=inputs[+btn.dataset.slider];
function stop(){clearInterval(timer);timer=null;btn.textContent='\u25B6 Play';btn.setAttribute('aria-pressed','false');}
btn.addEventListener('click',function(){if(timer){stop();return;}
if(+inp.value>=+inp.max){inp.value=0;show();}btn.textContent='\u275A\u275A Pause';btn.setAttribute('aria-pressed','true');
timer=setInterval(function(){if(+inp.value>=+inp.max){stop();return;}inp.value=+inp.value+1;show();},+btn.dataset.interval);});}
})(document.currentScript.parentElement);</script>"""


def _webp(rgba: np.ndarray, encoding: tuple[str, int]) -> bytes:
    """One frame as WebP bytes, in the ``encoding`` of :data:`ENCODINGS`."""
    kind, level = encoding
    image = Image.fromarray(rgba).convert("RGB")
    buf = io.BytesIO()
    if kind == "palette":
        _palette(image, level).save(buf, format="WEBP", lossless=True, method=4)
    else:
        image.save(buf, format="WEBP", quality=level, method=2)  # method 6 is 5× slower for 2% less
    return buf.getvalue()


def _palette(image: Image.Image, colours: int) -> Image.Image:
    """The RGB image (mode "RGB") with at most ``colours`` colours: ``image`` itself if it has no
    more.

    Otherwise Pillow's maximum-coverage quantiser groups the colours, without dithering (which
    adds noise that costs bytes and blurs edges), and each group is painted the mean of its
    pixels, the least-squares colour for them (Pillow paints a group's centre: white would
    become 254).  Measured on chapters 3 and 4, the largest error of a channel is 7–21 of 255,
    against 14–49 for octree and 54–102 for median cut, which drops the rare colours of thin
    lines; octree is 1–30 % smaller.
    """
    if image.getcolors(colours) is not None:
        return image
    grouped = image.quantize(colors=colours, method=Image.Quantize.MAXCOVERAGE, dither=Image.Dither.NONE)
    index = np.asarray(grouped).ravel().astype(np.intp)
    pixels = np.asarray(image).reshape(-1, 3)
    # the sum of each channel over each group, from the group's histogram of the channel's values
    # (counting integers is faster than adding floats: 16 against 25 ms on a 1280×800 frame)
    by_value = index << 8
    sums = np.stack([np.bincount(by_value | pixels[:, c], minlength=colours << 8).reshape(colours, 256)
                     @ np.arange(256.0) for c in range(3)], axis=1)
    count = np.bincount(index, minlength=colours)
    paint = np.rint(sums / np.maximum(count, 1)[:, None]).astype(np.uint8)
    grouped.putpalette(paint.tobytes())
    return grouped.convert("RGB")


def _data_uri(webp: bytes) -> str:
    return "data:image/webp;base64," + base64.b64encode(webp).decode("ascii")


def frame_dpi(width: int) -> float:
    """The resolution of an explorer's standard frames, given the width in pixels of its figure
    drawn at :data:`~descend._scene.DPI`: that resolution, lowered so that a frame is at most
    :data:`DISPLAY_WIDTH` wide (the high-density frames have twice it)."""
    from ._scene import DPI

    return DPI * min(1.0, DISPLAY_WIDTH / width)


def frame_uri(rgba: np.ndarray, encoding: tuple[str, int]) -> str:
    """One frame's pixels as :func:`bundle` stores them: a WebP data URI in ``encoding`` (the
    tests encode the frames they draw again with it, to compare them with the build's)."""
    return _data_uri(_webp(rgba, encoding))


def frame_error(rgba: np.ndarray, webp: bytes) -> np.ndarray:
    """The absolute error of each colour channel (0–255) of a stored frame against its render."""
    decoded = np.asarray(Image.open(io.BytesIO(webp)).convert("RGB"), dtype=np.int16)
    return np.abs(decoded - np.asarray(Image.fromarray(rgba).convert("RGB"), dtype=np.int16))


def _encode(images, encodings, budget, *, need=True, floor=None):
    """The frames in the first of ``encodings`` that fits ``budget`` bytes.

    An encoding is given up as soon as the frames encoded so far exceed the budget, or they and
    ``floor``'s bound on the frames still to come do, except the last when ``need`` is true,
    which is finished to say how many bytes it needs.

    Parameters
    ----------
    images : sequence of ndarray
        The frames' RGBA pixels (a :class:`_Drawn` draws each when first needed).
    encodings : sequence of (str, int)
        Encodings of :data:`ENCODINGS` or :data:`ENCODINGS_2X`, in the order to try them.
    budget : int
        The most bytes the frames' data URIs may take together.
    need : bool
        Whether to finish the last encoding when it does not fit either.
    floor : callable, optional
        ``floor(encoding, k)``: a lower bound on the bytes of frames ``k``, ``k + 1``, … to the
        last in ``encoding`` (0 past the last); none: 0.

    Returns
    -------
    tuple
        ``(data URIs, encoding, largest error of a pixel's channel, largest mean error of a
        frame)``, errors against the render on 0–255; if none is found to fit, ``(None, bytes, None,
        None)`` with the bytes the last needs (if ``need``; else those it had encoded when it
        gave up)."""
    floor = floor or (lambda encoding, k: 0)
    for n, encoding in enumerate(encodings, 1):
        webps, frames, size = [], [], 0
        finish = need and n == len(encodings)
        for k in range(len(images)):
            webps.append(_webp(images[k], encoding))
            frames.append(_data_uri(webps[-1]))
            size += len(frames[-1])
            if not finish and size + floor(encoding, k + 1) > budget:
                break
        else:
            if size <= budget:
                errors = [frame_error(images[k], w) for k, w in enumerate(webps)]
                return frames, encoding, max(int(e.max()) for e in errors), max(float(e.mean()) for e in errors)
    return None, size, None, None


def _floor_2x(frames: list[str]):
    """``floor(encoding, k)`` for :func:`_encode` of the high-density frames: the bytes of frames
    ``k``, ``k + 1``, … of the standard set ``frames`` (a 256-colour palette), times
    :data:`RATIO_2X`'s bound for the encoding."""
    rest = np.append(np.cumsum([len(f) for f in frames][::-1])[::-1], 0)   # rest[k]: frames k, k + 1, …

    def floor(encoding, k):
        return RATIO_2X[encoding] * rest[k]
    return floor


class _Drawn:
    """Frames drawn by ``draw(k)`` when first asked for, and kept.

    :func:`_encode` asks for them in order, from the first, so a drawing function that keeps
    state (a scene) draws what it would have drawn for a list; but the frames after the last
    one asked for are not drawn at all."""

    def __init__(self, draw, count):
        self.draw, self.count, self.done = draw, count, {}

    def __len__(self):
        return self.count

    def __getitem__(self, k):
        if not 0 <= k < self.count:
            raise IndexError(f"frame {k} of {self.count}")
        if k not in self.done:
            self.done[k] = self.draw(k)
        return self.done[k]


def _check_every_slider_matters(explorer, images) -> None:
    """Fail the build if some slider leaves the figure unchanged: a dead slider is a bug."""
    shape = [len(s.values) for s in explorer.sliders.values()]
    grid = np.arange(len(images)).reshape(shape)
    for axis, name in enumerate(explorer.sliders):
        lines = np.moveaxis(grid, axis, -1).reshape(-1, shape[axis])
        if not any(not np.array_equal(images[line[0]], images[k]) for line in lines for k in line[1:]):
            raise ValueError(f"moving the slider {name!r} never changes the figure of the explorer {explorer.alt!r}")


def _format(value: float) -> str:
    return f"{value:.6g}"


def html(explorer) -> str:
    """The explorer as one block of static HTML (see the module docstring).

    Raises
    ------
    ValueError
        If the frames cannot be made to fit :data:`MAX_BYTES` even in the last of
        :data:`ENCODINGS`; the message says how many frames there are, so the author can
        coarsen a slider.
    """
    return bundle(explorer)["text/html"]


def bundle(explorer) -> dict[str, str]:
    """The explorer's static display: ``text/html`` (:func:`html`) and its starting frame as
    ``image/png`` (base64, drawn at the figure's own resolution), for outputs that cannot show HTML: the PDF edition's LaTeX picks
    the PNG, a web page the HTML (myst-nb's priorities), so the site's pages do not grow.

    >>> import base64, io
    >>> import matplotlib.pyplot as plt
    >>> import descend as dd
    >>> def draw(a):
    ...     fig, ax = plt.subplots(figsize=(2, 1))
    ...     ax.plot([0, 1], [0, a])
    ...     return fig
    >>> ex = dd.explore(draw, a=dd.slider(0, 2, 1, value=1), alt="a line of slope a")
    >>> shown = bundle(ex)
    >>> sorted(shown)
    ['image/png', 'text/html']
    >>> start = np.asarray(Image.open(io.BytesIO(base64.b64decode(shown["image/png"]))))
    >>> start.shape, bool((start == ex.rgba()[..., :3]).all())   # the frame at a = 1, exactly
    ((100, 200, 3), True)
    """
    from ._scene import DPI

    grid = list(explorer.grid())
    start_png = explorer.rgba(None, DPI)  # the PDF's frame, at the resolution the figure was drawn for
    dpi = frame_dpi(start_png.shape[1])
    images = [explorer.rgba(values, dpi) for values in grid]
    _check_every_slider_matters(explorer, images)
    frames, encoding, error_max, error_mean = _encode(images, ENCODINGS, MAX_BYTES)
    if frames is None:
        raise ValueError(
            f"the explorer {explorer.alt!r} needs {encoding / 1e6:.1f} MB for {len(images)} frames even as "
            f"lossy WebP of quality {ENCODINGS[-1][1]}; coarsen its sliders' step")
    sets = {"1": frames}
    floor = _floor_2x(frames) if encoding == ("palette", 256) else None   # else: none (RATIO_2X)
    tries = [e for e in ENCODINGS_2X if floor and floor(e, 0) <= MAX_BYTES_2X]
    frames2 = None
    if tries:
        frames2, encoding2, error_max2, error_mean2 = _encode(
            _Drawn(lambda k: explorer.rgba(grid[k], 2 * dpi), len(grid)), tries, MAX_BYTES_2X, need=False,
            floor=floor)
    if frames2 is not None:
        sets["2"] = frames2

    uid = "ex-" + hashlib.sha1((explorer.alt + frames[0]).encode()).hexdigest()[:10]
    initial = explorer.initial
    controls = []
    for k, (name, s) in enumerate(explorer.sliders.items()):
        i = int(np.argmin(np.abs(s.values - initial[name])))
        labels = [_format(v) for v in s.values]
        controls.append(
            f'<div class="descend-explorer-control">'
            f'<label for="{uid}-{k}">{_html.escape(s.label or name)}</label>'
            f'<input type="range" id="{uid}-{k}" name="{_html.escape(name)}" min="0" max="{len(labels) - 1}" '
            f'step="1" value="{i}" aria-valuetext="{labels[i]}" '
            f"data-values='{json.dumps(labels)}'>"
            f'<output for="{uid}-{k}">{labels[i]}</output></div>')
    start = 0
    for name, s in explorer.sliders.items():
        start = start * len(s.values) + int(np.argmin(np.abs(s.values - initial[name])))
    alt = _html.escape(explorer.alt, quote=True)
    if explorer.play is not None:
        k = list(explorer.sliders).index(explorer.play)
        controls.append(f'<button type="button" class="descend-explorer-play" data-slider="{k}" '
                        f'data-interval="{explorer.interval}" aria-pressed="false">&#9654; Play</button>')
    hidpi, recorded2 = "", ' data-encoding-2x="none"'
    if frames2 is not None:
        hidpi = f' data-src2x="{frames2[start]}"'
        recorded2 = (f' data-encoding-2x="{encoding2[0]}-{encoding2[1]}" data-error-max-2x="{error_max2}" '
                     f'data-error-mean-2x="{error_mean2:.2f}"')
    block = (
        f'<div class="descend-explorer" id="{uid}" data-frame="{start}" '
        f'data-encoding="{encoding[0]}-{encoding[1]}" data-error-max="{error_max}" '
        f'data-error-mean="{error_mean:.2f}"{recorded2}>'
        f'<div class="descend-explorer-controls">{"".join(controls)}</div>'
        f'<img class="descend-explorer-frame" src="{frames[start]}" alt="{alt}" '
        f'width="{images[0].shape[1]}" height="{images[0].shape[0]}"{hidpi}>'
        f'<script type="application/json" class="descend-explorer-frames">{json.dumps(sets)}</script>'
        f"{_SCRIPT}</div>"
    )
    return {"text/html": block, "image/png": base64.b64encode(_png(start_png, DPI)).decode("ascii")}


def _png(rgba: np.ndarray, dpi: float) -> bytes:
    """A frame as PNG, tagged with the resolution it was drawn at (so LaTeX sizes it as the figure's inches)."""
    buf = io.BytesIO()
    Image.fromarray(rgba).convert("RGB").save(buf, format="PNG", optimize=True, dpi=(dpi, dpi))
    return buf.getvalue()
