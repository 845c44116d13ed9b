"""The static backend of ``explore``: every frame rendered ahead of time, swapped in the page.

A page built without a kernel cannot redraw a figure, but an explorer's sliders take only a
finite grid of values, so the build renders one frame per value (per pair of values for
two sliders) and the page swaps frames as the reader moves a slider.  The result is one
self-contained block of HTML: native ``<input type="range">`` sliders with labels (so the
keyboard and screen readers work), an ``<img>`` with the explorer's alternative text, the
frames as WebP data URIs, and a few lines of inline script.  Nothing is loaded from
anywhere, so the page works offline.
"""

from __future__ import annotations

import base64
import hashlib
import html as _html
import io
import json

import numpy as np
from PIL import Image

#: Budget for one explorer's block of HTML (the page-weight budget is 1 MB per explorer).
MAX_BYTES = 950_000
#: WebP qualities tried in turn until the frames fit the budget.
QUALITIES = (80, 65, 50, 35)

_SCRIPT = """<script>(function(root){
var frames=JSON.parse(root.querySelector('.descend-explorer-frames').textContent);
var img=root.querySelector('img'),inputs=root.querySelectorAll('input[type=range]');
function show(){var k=0;inputs.forEach(function(inp){
var vals=JSON.parse(inp.dataset.values),i=+inp.value;k=k*vals.length+i;
var out=root.querySelector('output[for="'+inp.id+'"]');out.textContent=vals[i];
inp.setAttribute('aria-valuetext',vals[i]);});img.src=frames[k];root.dataset.frame=k;}
inputs.forEach(function(inp){inp.addEventListener('input',show);});show();
var btn=root.querySelector('button.descend-explorer-play');if(btn){var timer=null,inp=inputs[+btn.dataset.slider];
function stop(){clearInterval(timer);timer=null;btn.textContent='\u25B6 Play';btn.setAttribute('aria-pressed','false');}
btn.addEventListener('click',function(){if(timer){stop();return;}
if(+inp.value>=+inp.max){inp.value=0;show();}btn.textContent='\u275A\u275A Pause';btn.setAttribute('aria-pressed','true');
timer=setInterval(function(){if(+inp.value>=+inp.max){stop();return;}inp.value=+inp.value+1;show();},+btn.dataset.interval);});}
})(document.currentScript.parentElement);</script>"""


def _webp(rgba: np.ndarray, quality: int) -> str:
    buf = io.BytesIO()
    Image.fromarray(rgba).convert("RGB").save(buf, format="WEBP", quality=quality, method=2)  # method 6 is 5× slower for 2% less
    return "data:image/webp;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


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
        If the frames cannot be made to fit :data:`MAX_BYTES` even at the lowest quality;
        the message says how many frames there are, so the author can coarsen a slider.
    """
    images = [explorer.rgba(values) for values in explorer.grid()]
    _check_every_slider_matters(explorer, images)
    for quality in QUALITIES:
        frames = [_webp(img, quality) for img in images]
        if sum(map(len, frames)) <= MAX_BYTES:
            break
    else:
        raise ValueError(
            f"the explorer {explorer.alt!r} needs {sum(map(len, frames)) / 1e6:.1f} MB for "
            f"{len(frames)} frames even at WebP quality {QUALITIES[-1]}; coarsen its sliders' step")

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
    return (
        f'<div class="descend-explorer" id="{uid}" data-frame="{start}">'
        f'<div class="descend-explorer-controls">{"".join(controls)}</div>'
        f'<img class="descend-explorer-frame" src="{frames[start]}" alt="{alt}">'
        f'<script type="application/json" class="descend-explorer-frames">{json.dumps(frames)}</script>'
        f"{_SCRIPT}</div>"
    )
