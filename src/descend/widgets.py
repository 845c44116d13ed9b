"""``explore``: sliders that redraw a figure.

A notebook writes one call::

    dd.explore(lambda theta: figure_at(theta), theta=dd.slider(-6, 6, 0.25, value=-5),
               alt="what the figure shows")

and gets live sliders in a running kernel.  The figure function is pure (slider values in,
matplotlib figure out) and each slider has a finite grid of values, so the same call can
also be rendered ahead of time, one frame per value, for a page that has no kernel; the
backend is chosen by the environment (``DESCEND_EXPLORE``), never by the notebook.

A figure that is costly to build (contour maps, several axes) can instead be drawn in two
parts: a function that takes no slider draws what never changes and returns ``(figure, update)``,
and ``update(**values)`` draws what the sliders change.  The explorer then keeps the figure
and repaints only the artists ``update`` adds or changes (see :mod:`descend._scene`), which
is what keeps a slider responsive in a kernel.
"""

from __future__ import annotations

import inspect
import os
from dataclasses import dataclass
from itertools import product

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg

from . import _checks
from ._scene import DPI, Scene, jpeg, png

__all__ = ["Slider", "slider", "explore", "animate", "Explorer", "created", "extremes"]

#: Environment variable that selects the backend: ``widgets`` (default) or ``static``.
BACKEND_VARIABLE = "DESCEND_EXPLORE"
_BACKENDS = ("widgets", "static")
_CREATED: list = []  # every explorer made in this process, for the reliability tests


@dataclass(frozen=True)
class Slider:
    """A slider: a label and the finite grid of values it can take, with a starting value."""

    values: np.ndarray
    value: float
    label: str | None = None

    @property
    def lo(self) -> float:
        return float(self.values[0])

    @property
    def hi(self) -> float:
        return float(self.values[-1])

    @property
    def step(self) -> float:
        return float(self.values[1] - self.values[0]) if len(self.values) > 1 else 0.0


def slider(lo: float, hi: float, step: float, value: float | None = None, label: str | None = None) -> Slider:
    """A slider from ``lo`` to ``hi`` in steps of ``step``, starting at ``value`` (default ``lo``).

    Examples
    --------
    >>> import descend as dd
    >>> s = dd.slider(0.0, 1.0, 0.25, value=0.5, label="β")
    >>> s.values, s.value
    (array([0.  , 0.25, 0.5 , 0.75, 1.  ]), 0.5)
    """
    lo = _checks.real("lo", lo)
    hi = _checks.real("hi", hi)
    if not hi > lo:
        raise ValueError(f"hi must be greater than lo, got lo={lo:g}, hi={hi:g}")
    step = _checks.real("step", step, lo=0.0, lo_open=True)
    n = int(np.floor((hi - lo) / step + 1e-9)) + 1
    if n < 2 or n > 201:
        raise ValueError(f"step must give between 2 and 201 slider values over [lo, hi]; {step:g} gives {n}")
    values = np.round(lo + step * np.arange(n), 12)
    value = lo if value is None else _checks.real("value", value, lo=lo, hi=hi)
    value = float(values[np.argmin(np.abs(values - value))])
    return Slider(values=values, value=value, label=label)


def _as_slider(name: str, spec) -> Slider:
    if isinstance(spec, Slider):
        return spec
    if isinstance(spec, tuple) and len(spec) in (3, 4):
        return slider(*spec)
    raise TypeError(f"slider {name!r} must be dd.slider(lo, hi, step, value) or a tuple (lo, hi, step[, value])")


class Explorer:
    """Sliders bound to a figure function. Displaying it in a notebook shows the sliders.

    Use :func:`explore` to make one.
    """

    def __init__(self, draw, sliders: dict[str, Slider], alt: str, play: str | None = None,
                 interval: int = 200):
        self.draw = draw
        self.sliders = sliders
        self.alt = alt
        self.play = play  # the slider a Play button advances, for animations
        self.interval = interval  # milliseconds between frames when playing
        self.scene = _is_scene(draw, sliders)  # draw() -> (figure, update) rather than draw(**values) -> figure
        self._kept = None  # the Scene kept between frames

    @property
    def initial(self) -> dict[str, float]:
        """The starting value of each slider."""
        return {name: s.value for name, s in self.sliders.items()}

    def grid(self):
        """Every combination of slider values, as dicts (the frames a static page needs)."""
        names = list(self.sliders)
        for combo in product(*(self.sliders[n].values for n in names)):
            yield dict(zip(names, map(float, combo)))

    def _values(self, values: dict | None) -> dict:
        """The starting values, overridden by ``values``, each moved to the nearest value of its slider's grid
        (a live slider can be set between them; the page without a kernel has only the grid)."""
        values = values or {}
        unknown = set(values) - set(self.sliders)
        if unknown:
            raise ValueError(f"unknown slider(s) {sorted(unknown)}; this explorer has {list(self.sliders)}")
        values = {**self.initial, **values}
        for name, s in self.sliders.items():
            value = _checks.real(name, values[name])
            values[name] = float(s.values[np.argmin(np.abs(s.values - value))])
        return values

    def figure(self, **values):
        """A new figure at the given slider values (the starting values for any left out)."""
        return self._fresh(values)[0]

    def _fresh(self, values: dict) -> tuple:
        """:meth:`figure` at ``values``, and for an explorer with a scene the frame its fresh
        scene drew on the way (a copy; None without a scene), which the rerun probe compares
        with the kept figure's frame (``tests/rerun_record.py``)."""
        values = self._values(values)
        if self.scene:
            scene = Scene(self.draw)
            frame = scene.rgba(values).copy()
            return scene.ordinary(), frame
        fig = self.draw(**values)
        fig = getattr(fig, "figure", fig)  # accept an Axes too
        if not isinstance(fig, plt.Figure):
            raise TypeError(f"the draw function must return a matplotlib Figure or Axes, got {type(fig).__name__}")
        return fig, None

    def rgba(self, values: dict | None = None, dpi: float = DPI) -> np.ndarray:
        """The frame at the given slider values as an (H, W, 4) uint8 array of pixels, drawn at
        ``dpi`` pixels per inch of the figure (the static pages draw high-density frames at twice it)."""
        values = self._values(values)
        dpi = _checks.positive("dpi", dpi)
        if self.scene:
            return self._scene(dpi).rgba(values).copy()
        fig = self.figure(**values)
        try:
            fig.set_dpi(dpi)
            canvas = FigureCanvasAgg(fig)
            canvas.draw()
            return np.asarray(canvas.buffer_rgba()).copy()
        finally:
            plt.close(fig)

    def render(self, values: dict | None = None, format: str = "png") -> bytes:
        """The frame at the given slider values as image bytes: lossless ``"png"``, or
        ``"jpeg"`` (quality 95, no chroma subsampling), which the live widget shows because
        it encodes four times faster with no error a reader can see."""
        encode = {"png": png, "jpeg": jpeg}[_checks.choice("format", format, ("png", "jpeg"))]
        return encode(self.rgba(values))

    def _scene(self, dpi: float = DPI) -> Scene:
        if self._kept is None:
            self._kept = Scene(self.draw, dpi)
        self._kept.set_dpi(dpi)
        return self._kept

    # ---------------------------------------------------------------- display

    def _repr_mimebundle_(self, include=None, exclude=None):
        backend = os.environ.get(BACKEND_VARIABLE, "widgets")
        _checks.choice(BACKEND_VARIABLE, backend, _BACKENDS)
        if backend == "static":
            from . import _static

            # text/html for web pages; the PDF edition's LaTeX, which cannot show HTML, takes
            # the image/png of the starting frame (book/_ext/descend_pdf.py captions it).
            return {**_static.bundle(self), "text/plain": repr(self)}
        return self.widget()._repr_mimebundle_(include=include, exclude=exclude)

    def widget(self):
        """Live ipywidgets: one slider per parameter above an image that is redrawn on change."""
        import ipywidgets as w

        image = w.Image(value=self.render(format="jpeg"), format="jpeg", layout=w.Layout(max_width="100%"))
        image.description = self.alt
        controls = {}
        for name, s in self.sliders.items():
            controls[name] = w.FloatSlider(
                value=s.value, min=s.lo, max=s.hi, step=s.step, description=s.label or name,
                continuous_update=True, readout_format=".3g", style={"description_width": "initial"},
                layout=w.Layout(width="min(100%, 32rem)"))

        def redraw(change=None):
            image.value = self.render({n: c.value for n, c in controls.items()}, format="jpeg")

        for c in controls.values():
            c.observe(redraw, names="value")
        if self.play is None:
            return w.VBox([*controls.values(), image])
        values = self.sliders[self.play].values
        player = w.Play(value=int(np.argmin(np.abs(values - self.sliders[self.play].value))), min=0,
                        max=len(values) - 1, interval=self.interval, description="Play")

        def follow(change):
            controls[self.play].value = float(values[change["new"]])

        player.observe(follow, names="value")
        return w.VBox([*controls.values(), player, image])

    def __repr__(self) -> str:
        spec = ", ".join(f"{n}∈[{s.lo:g}, {s.hi:g}]" for n, s in self.sliders.items())
        return f"Explorer({spec}): {self.alt}"


def _is_scene(draw, names) -> bool:
    """True for a draw function that cannot take the slider values (it draws a scene: figure and update)."""
    try:
        parameters = inspect.signature(draw).parameters
    except (TypeError, ValueError):  # no signature to read (a builtin): call it with the values
        return False
    takes_any = any(p.kind is p.VAR_KEYWORD for p in parameters.values())
    return not takes_any and not any(name in parameters for name in names)


def explore(draw, /, *, alt: str, **sliders) -> Explorer:
    """Sliders that redraw a figure.

    Parameters
    ----------
    draw : callable
        ``draw(**values) -> matplotlib Figure`` (or Axes): a pure function of the slider values.
        Or, for a figure that is costly to rebuild, a function taking no slider that draws
        the part that never changes and returns ``(figure, update)``, where
        ``update(**values)`` draws the part the sliders change; only that part is repainted
        when a slider moves.
    alt : str
        Alternative text: what the figure shows, for readers who cannot see it.
    **sliders : Slider or tuple
        One or two sliders, by the name of ``draw``'s argument: ``eta=dd.slider(0.01, 1, 0.01)``
        or ``eta=(0.01, 1, 0.01)``.

    Returns
    -------
    Explorer
        Displayed as the last expression of a cell, it shows the sliders.

    Examples
    --------
    >>> import matplotlib.pyplot as plt, descend as dd
    >>> def draw(a):
    ...     fig, ax = plt.subplots()
    ...     ax.plot([0, 1], [0, a])
    ...     return fig
    >>> ex = dd.explore(draw, a=dd.slider(0, 2, 0.5), alt="a line of slope a")
    >>> len(list(ex.grid()))
    5

    The same in two parts: the axes are drawn once, the line once per frame.

    >>> def scene():
    ...     fig, ax = plt.subplots()
    ...     ax.set(xlim=(0, 1), ylim=(0, 2))
    ...     def update(a):
    ...         ax.plot([0, 1], [0, a])
    ...     return fig, update
    >>> ex = dd.explore(scene, a=dd.slider(0, 2, 0.5), alt="a line of slope a")
    >>> ex.scene, ex.rgba({"a": 1.5}).shape
    (True, (480, 640, 4))
    """
    _checks.callable_("draw", draw)
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError("alt must be a non-empty description of the figure (alternative text)")
    if not 1 <= len(sliders) <= 2:
        raise ValueError(f"explore takes one or two sliders, got {len(sliders)}")
    explorer = Explorer(draw, {name: _as_slider(name, spec) for name, spec in sliders.items()}, alt.strip())
    _CREATED.append(explorer)
    return explorer


def animate(draw, /, *, alt: str, interval: int = 200, **slider) -> Explorer:
    """An explorer with a Play button: one slider (usually the step t) that can advance by itself.

    Parameters
    ----------
    draw : callable
        ``draw(**value) -> Figure``, as for :func:`explore`.
    alt : str
        Alternative text.
    interval : int
        Milliseconds between frames while playing (50 … 2000).
    **slider : Slider or tuple
        Exactly one slider, e.g. ``t=dd.slider(0, 100, 5)``; it can also be moved by hand.

    Examples
    --------
    >>> import matplotlib.pyplot as plt, descend as dd
    >>> def frame(t):
    ...     fig, ax = plt.subplots()
    ...     ax.plot([0, t], [0, t])
    ...     return fig
    >>> dd.animate(frame, t=dd.slider(0, 10, 1), alt="a growing line").play
    't'
    """
    interval = _checks.count("interval", interval, minimum=50)
    if interval > 2000:
        raise ValueError(f"interval must be at most 2000 ms, got {interval}")
    if len(slider) != 1:
        raise ValueError(f"animate takes exactly one slider (the one that plays), got {len(slider)}")
    explorer = explore(draw, alt=alt, **slider)
    explorer.play, explorer.interval = next(iter(slider)), interval
    return explorer


def created() -> list[Explorer]:
    """Every explorer made so far in this process (the tests drive each through its extremes)."""
    return list(_CREATED)


def extremes(explorer: Explorer) -> list[dict]:
    """The slider settings worth testing: the start, and every corner of the slider grid.

    Examples
    --------
    >>> import descend as dd
    >>> ex = dd.explore(lambda a, b: None, alt="x", a=(0, 1, 0.5), b=(2, 3, 0.5))
    >>> dd.widgets.extremes(ex)
    [{'a': 0.0, 'b': 2.0}, {'a': 0.0, 'b': 3.0}, {'a': 1.0, 'b': 2.0}, {'a': 1.0, 'b': 3.0}]
    """
    names = list(explorer.sliders)
    corners = [dict(zip(names, combo)) for combo in product(*((s.lo, s.hi) for s in explorer.sliders.values()))]
    start = explorer.initial
    return corners if start in corners else [start, *corners]
