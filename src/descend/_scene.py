"""A figure kept between an explorer's frames, redrawing only the artists that change.

Rebuilding a figure for every slider move costs most of its time in matplotlib's set-up:
axes, ticks, text layout, contour maps.  An explorer may instead be drawn in two parts::

    def scene():
        fig, ax = plt.subplots()
        dd.plot.contour(problem, ax)          # drawn once: the background
        def update(eta):
            dd.plot.path(dd.run(dd.gd(eta=eta), problem, x0, 50), ax)   # drawn per frame
            ax.set_title(f"η = {eta:g}")
        return fig, update

:class:`Scene` draws the background once, keeps its pixels, and for each frame removes the
artists the previous ``update`` added, calls ``update`` again, and paints only what it added
or changed over the saved pixels (matplotlib's *blitting*).  What changed is found, not
declared: new artists are those that were not in the figure before the call, and changed
ones are the existing artists matplotlib marked stale.  When an update moves an axes' limits,
scale, ticks or labels, the background itself has changed, so the frame is drawn whole and
its background saved again.  Each update starts from the colour cycle the set-up left, as on
a fresh figure.

The pixels of a frame are those of a fresh scene at the same values, whatever frames came
before (``tests/site/test_reruns.py`` checks this for every explorer of the book), and those
of a full draw when the changing artists lie above the rest; otherwise they differ only in
that the changing artists are painted last (a path over a minimum's star, say).
"""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FixedFormatter, FixedLocator
from PIL import Image

DPI = 100


def png(rgba: np.ndarray) -> bytes:
    """Pixels as PNG bytes, at zlib level 1: a quarter of the default's encoding time, for a
    larger file that only travels from the kernel to the browser on the same machine."""
    buf = io.BytesIO()
    Image.fromarray(rgba).convert("RGB").save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def jpeg(rgba: np.ndarray) -> bytes:
    """Pixels as JPEG bytes at quality 95 with no chroma subsampling, the live explorer's
    frames.  On an 840×360 frame of a chapter, :func:`png` takes 15 ms to encode, a third of
    a slider move on a 2-core Xeon, and this 3.5 ms, for a file about a third larger (which
    only travels from the kernel to the browser).  The error is under a level in 255 on
    average and at most a few tens along sharp edges, too little to see
    (``tests/library/test_scene.py`` bounds it)."""
    buf = io.BytesIO()
    Image.fromarray(rgba).convert("RGB").save(buf, format="JPEG", quality=95, subsampling=0)
    return buf.getvalue()


def _units(fig: Figure) -> list:
    """The artists a draw paints one by one: every child of each axes (ticks excepted) and of the figure."""
    units = []
    for child in fig.get_children():
        if child is fig.patch:
            continue
        if isinstance(child, Axes):
            units += [a for a in child.get_children() if a is not child.patch and not isinstance(a, Axis)]
        else:
            units.append(child)
    return units


def _cycle(ax):
    """The object that holds where an axes' colour cycle stands (a private part of matplotlib)."""
    lines = getattr(ax, "_get_lines", None)
    cycle = getattr(lines, "_prop_cycle", lines)  # matplotlib ≥ 3.10 keeps it one level down
    return cycle if isinstance(getattr(cycle, "_idx", None), int) else None


def _layout(fig: Figure) -> tuple:
    """What the background's axes, ticks and labels depend on; a change means a full redraw."""
    key = [fig.get_size_inches().tobytes()]
    for ax in fig.axes:
        key.append((id(ax), ax.get_visible(), ax.get_position(original=True).bounds, ax.get_xlim(),
                    ax.get_ylim(), ax.get_xscale(), ax.get_yscale(), ax.get_aspect()))
        for axis in (ax.xaxis, ax.yaxis):
            key.append((*map(_ticker, (axis.get_major_locator(), axis.get_major_formatter(),
                                       axis.get_minor_locator(), axis.get_minor_formatter())),
                        axis.get_label_text(), axis.get_visible()))
    return tuple(key)


def _ticker(ticker) -> tuple:
    """A locator or formatter by kind and fixed values: setting the same scale again makes new
    objects of the same kind, which place the same ticks."""
    locs = tuple(np.ravel(ticker.locs)) if isinstance(ticker, FixedLocator) else ()
    return type(ticker).__name__, locs, tuple(ticker.seq) if isinstance(ticker, FixedFormatter) else ()


def _unmark(units: list) -> None:
    """Mark every artist as painted as it stands.  A draw itself marks some stale and leaves
    them so (matplotlib 3.10 re-places an axes' empty side titles, which then never clear);
    that is no change by the next update, which would otherwise take them for changed and
    keep them out of the background, repainted at every frame.  This assumes that nothing
    changes an artist after a draw has painted it (no ``draw_event`` callback does: the
    library connects none)."""
    for artist in units:
        artist.stale = False


def _order(fig: Figure):
    """Sort key putting artists in the order a full draw paints them: by axes, then by z-order."""
    rank = {id(ax): (ax.get_zorder(), i) for i, ax in enumerate(fig.axes)}

    def key(artist):
        ax = artist.axes if isinstance(artist.axes, Axes) and id(artist.axes) in rank else None
        outer = rank[id(ax)] if ax is not None else (artist.get_zorder(), len(rank))
        return (*outer, artist.get_zorder())

    return key


class Scene:
    """A figure drawn once and updated per frame; see the module docstring.

    Parameters
    ----------
    setup : callable
        ``setup() -> (figure, update)``: draws the background and returns the figure and a
        function ``update(**values)`` that draws the changing part for the given slider values.
    dpi : int
        Resolution of the frames.
    """

    def __init__(self, setup, dpi: int = DPI):
        made = setup()
        if not (isinstance(made, tuple) and len(made) == 2 and callable(made[1])):
            raise TypeError("a draw function that takes no slider must return (figure, update), "
                            f"where update(**values) redraws the changing part; got {type(made).__name__}")
        fig, self.update = made
        fig = getattr(fig, "figure", fig)  # accept an Axes too
        if not isinstance(fig, Figure):
            raise TypeError(f"the draw function must return a matplotlib Figure or Axes, got {type(fig).__name__}")
        plt.close(fig)  # kept by the scene, not by pyplot (which would show it under the cell)
        if getattr(fig, "_suptitle", 0) is None:
            # made now, an update's fig.suptitle changes this text in place; made by the first
            # update, it would count as added and be removed before the next
            fig.suptitle("")
        self.fig = fig
        fig.set_dpi(dpi)
        self.canvas = FigureCanvasAgg(fig)
        self.added: list = []  # the artists the last update added (removed before the next)
        # where each axes' colour cycle stands after the set-up, so that every update starts there,
        # as on a fresh figure (``ax.plot`` without a colour takes the next one)
        self.cyclers = [(c, c._idx) for c in map(_cycle, fig.axes) if c is not None]
        self.canvas.draw()        # every artist drawn once, so each is unmarked until it changes
        _unmark(_units(fig))
        self.background = None

    def rgba(self, values: dict) -> np.ndarray:
        """The frame at the given slider values, as an (H, W, 4) uint8 array (a view, valid until the next frame)."""
        for artist in self.added:
            artist.remove()
        for cycler, index in self.cyclers:
            cycler._idx = index
        before = {id(a) for a in _units(self.fig)}
        layout = _layout(self.fig)
        self.update(**values)
        units = _units(self.fig)
        self.added = [a for a in units if id(a) not in before]
        changed = [a for a in units if id(a) in before and a.stale and not a.get_animated()]
        for artist in (*self.added, *changed):  # animated artists are left out of a full draw
            artist.set_animated(True)
        if changed or self.background is None or _layout(self.fig) != layout:
            self.canvas.draw()  # the background: every artist but the changing ones
            self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self.background)
        live = [a for a in units if a.get_animated() and a.get_visible()]
        for artist in sorted(live, key=_order(self.fig)):
            self.fig.draw_artist(artist)
        _unmark(units)
        return np.asarray(self.canvas.buffer_rgba())

    def set_dpi(self, dpi: float) -> None:
        """Draw the next frames at ``dpi``: the background is redrawn, the set-up is not run again."""
        if dpi != self.fig.get_dpi():
            self.fig.set_dpi(dpi)
            self.background = None

    def figure(self, values: dict) -> Figure:
        """The figure at the given values as an ordinary figure (nothing animated); ends the scene."""
        self.rgba(values)
        return self.ordinary()

    def ordinary(self) -> Figure:
        """The figure as the last frame left it (as the set-up drew it if no frame was drawn),
        made an ordinary figure (nothing animated); ends the scene. After
        ``frame = scene.rgba(values).copy()``, it is the figure :meth:`figure` gives at those
        values, and ``frame`` a fresh scene's frame there, from one scene."""
        for artist in _units(self.fig):
            artist.set_animated(False)
        return self.fig
