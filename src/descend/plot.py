"""Plots the book draws again and again: curves, contour maps, surfaces, paths, loss curves.

Every function takes ``ax=None`` (a new figure is made when it is None) and returns the
axes it drew on; windows come from the problem's ``bounds`` and the traces, never from
numbers hidden here.  Nothing here changes global style except :func:`use_book_style`.
Colours are the Okabe–Ito palette, which stays distinguishable under the common forms of
colour-vision deficiency.
"""

from __future__ import annotations

from itertools import cycle

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from . import _checks
from .problems import Problem, _window
from .run import Sweep, Trace

__all__ = ["PALETTE", "use_book_style", "curve", "contour", "surface", "path", "loss", "legend", "tangent", "gradients",
           "rate_map", "sliced_surface", "level_map", "match_contours", "path_and_loss",
           "loss_by_epoch", "line_search", "race", "race_scene",
           "surface_and_map", "critical_points", "match_scene"]

#: Okabe & Ito (2008), "Color universal design": blue, vermillion, bluish green, orange,
#: reddish purple, sky blue, yellow, black.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")


def use_book_style() -> None:
    """Set the book's matplotlib defaults: palette, sizes, white background, light grid."""
    mpl.rcParams.update({
        "axes.prop_cycle": mpl.cycler(color=PALETTE),
        "figure.figsize": (6.4, 4.0),
        "figure.dpi": 100,
        "savefig.dpi": 100,
        "figure.facecolor": "white",
        "axes.facecolor": "white",
        "savefig.facecolor": "white",
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "font.size": 10,
        "legend.frameon": False,
        "image.cmap": "viridis",
    })


def _axes(ax, projection=None):
    if ax is not None:
        return ax
    fig = plt.figure()
    return fig.add_subplot(projection=projection)


def _check_problem(problem, dim=None):
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a descend.Problem, got {type(problem).__name__}")
    if dim is not None and problem.dim != dim:
        raise ValueError(f"this plot needs a {dim}-D problem; {problem.name!r} has dim={problem.dim}")


def _as_traces(traces):
    if isinstance(traces, Trace):
        traces = [traces]
    elif isinstance(traces, (list, tuple)):
        traces = list(traces)
    else:
        traces = []
    if not traces or not all(isinstance(t, Trace) for t in traces):
        raise TypeError("traces must be a Trace or a list of Traces from descend.run")
    return traces


def curve(problem: Problem, ax=None, *, bounds=None, n: int = 400, color="0.25", label=None):
    """Plot a 1-D loss :math:`L(\\theta)` over its window."""
    _check_problem(problem, 1)
    ax = _axes(ax)
    ((lo, hi),) = _window(problem, None if bounds is None else (tuple(bounds),))
    theta = np.linspace(lo, hi, _checks.count("n", n, minimum=2))
    with np.errstate(all="ignore"):
        ax.plot(theta, problem.f(theta[None]), color=color, lw=1.5, label=label)
    ax.set(xlim=(lo, hi), xlabel="θ", ylabel="L(θ)")
    return ax


def contour(problem: Problem, ax=None, *, bounds=None, levels: int = 25, n: int = 200,
            log: bool = True, filled: bool = False, mark_minima: bool = True):
    """Draw the contour map of a 2-D loss.

    Parameters
    ----------
    levels : int
        Number of level curves.
    log : bool
        Space the levels evenly in :math:`\\log(L - L_{\\min})`, which shows both the floor of
        a valley and its steep walls; False spaces them evenly in L.
    filled : bool
        Fill between levels (``contourf``) as well as drawing the lines.
    """
    _check_problem(problem, 2)
    levels = _checks.count("levels", levels, minimum=2)
    ax = _axes(ax)
    X, Y, Z = problem.grid(n, bounds)
    Z = np.where(np.isfinite(Z), Z, np.nan)
    lo, hi = np.nanmin(Z), np.nanmax(Z)
    if log and hi > lo:
        span = hi - lo
        lv = lo + np.geomspace(span * 1e-4, span, levels)
    else:
        lv = np.linspace(lo, hi, levels + 2)[1:-1]
    if filled:
        ax.contourf(X, Y, Z, levels=np.concatenate([[lo], lv]), cmap="viridis", alpha=0.35)
    ax.contour(X, Y, Z, levels=lv, cmap="viridis", linewidths=0.8)
    if mark_minima:
        for m in problem.minima:
            ax.plot(*m, marker="*", color="black", ms=10, ls="none", zorder=5)
    ax.set(xlim=(X.min(), X.max()), ylim=(Y.min(), Y.max()), xlabel="$x_1$", ylabel="$x_2$")
    ax.set_aspect("auto")
    return ax


def surface(problem: Problem, ax=None, *, bounds=None, n: int = 80, clip: float | None = None):
    """Draw a 2-D loss as a 3-D surface; ``clip`` caps the height so steep walls do not dwarf the valley."""
    _check_problem(problem, 2)
    ax = _axes(ax, projection="3d")
    X, Y, Z = problem.grid(n, bounds)
    if clip is not None:
        Z = np.minimum(Z, _checks.real("clip", clip))
    ax.plot_surface(X, Y, Z, cmap="viridis", linewidth=0, antialiased=True, alpha=0.9)
    ax.set(xlabel="$x_1$", ylabel="$x_2$", zlabel="L")
    return ax


def path(traces, ax=None, *, problem: Problem | None = None, colors=None, markers: bool = True,
         labels=None):
    """Draw the iterates of one or more traces.

    For a 2-D problem the path is drawn in the plane (over a :func:`contour` map, say); for
    a 1-D problem pass ``problem`` and the iterates are drawn as points on the curve
    :math:`(\\theta_t, L(\\theta_t))`.  A trace that diverged, or left the window of the axes,
    ends in a cross labelled with the step at which it went.
    """
    traces = _as_traces(traces)
    ax = _axes(ax)
    colors = cycle(colors or PALETTE)
    labels = list(labels) if labels is not None else [t.label for t in traces]
    n_notes = 0
    for trace, color, label in zip(traces, colors, labels):
        if trace.xs.shape[1] == 1:
            if problem is None:
                raise ValueError("problem must be given to draw a 1-D path on its curve")
            xs, ys = trace.xs[:, 0], trace.fs
        elif trace.xs.shape[1] == 2:
            xs, ys = trace.xs[:, 0], trace.xs[:, 1]
        else:
            raise ValueError(f"path draws 1-D or 2-D traces; this one has dim={trace.xs.shape[1]}")
        left = _left_window(ax, xs, ys)
        shown = slice(None) if left is None else slice(0, left + 1)  # up to the first point outside
        ax.plot(xs[shown], ys[shown], color=color, lw=1.5, marker="o" if markers else None, ms=3,
                label=label, zorder=4)
        ax.plot(xs[0], ys[0], marker="o", ms=7, mfc="white", color=color, zorder=6)
        if trace.diverged or left is not None:
            notes = [f"left the plot at step {left}"] if left is not None else []
            if trace.diverged:
                notes.append(f"diverged at step {trace.diverged_at}")
            i = len(xs) - 1 if left is None else left
            x_end = np.clip(xs[i], *sorted(ax.get_xlim()))
            y_end = np.clip(ys[i], *sorted(ax.get_ylim()))
            ax.plot(x_end, y_end, marker="X", ms=10, color=color, mec="black", zorder=7, clip_on=False)
            # the note sits beside the cross, on the side towards the middle of the axes
            (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
            right = (x_end - x0) > 0.5 * (x1 - x0)
            top = (y_end - y0) > 0.5 * (y1 - y0)
            ax.annotate("; ".join(notes), (x_end, y_end), xytext=(-8 if right else 8, (-10 if top else 10) - 14 * n_notes),
                        textcoords="offset points", ha="right" if right else "left", va="top" if top else "bottom",
                        color=color, fontsize=9, fontweight="bold", zorder=7,
                        bbox=dict(boxstyle="round,pad=0.2", fc="white", ec=color, alpha=0.9))
            n_notes += 1
    return ax


def _loss_label(f_star) -> str:
    return "L(θₜ) − L*" if f_star is not None else "L(θₜ)"


def _scale(ax, scale: str) -> None:
    """Set the y scale unless it is already so: setting it again resets the ticks, which would
    make an explorer that keeps its figure repaint the whole figure (see :mod:`descend._scene`)."""
    if ax.get_yscale() != scale:
        ax.set_yscale(scale)


def legend(ax, colors, labels, **kwargs):
    """A legend with one line of each colour, for paths drawn later (by an explorer's update, say).

    A legend made once, before the paths, stays put while a slider redraws them.  Keyword
    arguments go to :meth:`matplotlib.axes.Axes.legend`.

    Examples
    --------
    >>> import matplotlib.pyplot as plt, descend as dd
    >>> fig, ax = plt.subplots()
    >>> [t.get_text() for t in dd.plot.legend(ax, ["black", "red"], ["gd", "adam"]).get_texts()]
    ['gd', 'adam']
    """
    colors, labels = list(colors), list(labels)
    if len(colors) != len(labels) or not labels:
        raise ValueError(f"colors and labels must be non-empty and of one length, got {len(colors)} and {len(labels)}")
    handles = [mpl.lines.Line2D([], [], color=c, lw=1.5, label=str(lab)) for c, lab in zip(colors, labels)]
    return ax.legend(handles=handles, **kwargs)


def _left_window(ax, xs, ys):
    """The first index whose point lies outside the current axes window, if the axes have one."""
    if not ax.get_autoscalex_on() and not ax.get_autoscaley_on():
        (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
        outside = (xs < x0) | (xs > x1) | (ys < y0) | (ys > y1)
        if outside.any():
            return int(np.argmax(outside))
    return None


def loss(traces, ax=None, *, log: bool = True, f_star: float | None = None, colors=None, labels=None):
    """Plot the loss against the step for one or more traces.

    With ``f_star`` the gap :math:`L(\\theta_t) - L^\\star` is plotted instead, which on a log
    scale turns linear convergence into a straight line.  A diverged trace ends in a cross.
    """
    traces = _as_traces(traces)
    ax = _axes(ax)
    colors = cycle(colors or PALETTE)
    labels = list(labels) if labels is not None else [t.label for t in traces]
    for trace, color, label in zip(traces, colors, labels):
        # a diverging run reaches ~1e308; beyond ~1e200 log-scale ticks overflow, so cap the view
        ys = np.minimum(trace.fs - (f_star if f_star is not None else 0.0), 1e200)
        ax.plot(np.arange(len(ys)), ys, color=color, lw=1.5, label=label)
        if trace.diverged:
            ax.plot(len(ys) - 1, ys[-1], marker="X", ms=9, color=color, mec="black")
            ax.annotate(f"diverged at step {trace.diverged_at}", (len(ys) - 1, ys[-1]), xytext=(-6, 6),
                        textcoords="offset points", ha="right", color=color, fontsize=9, fontweight="bold")
    if log:
        positive = np.concatenate([t.fs - (f_star or 0.0) for t in traces])
        _scale(ax, "log" if np.all(positive > 0) else "symlog")
    ax.set(xlabel="step t", ylabel=_loss_label(f_star))
    return ax


def tangent(problem: Problem, theta: float, ax=None, *, eta: float | None = None, width: float | None = None,
            color=PALETTE[1]):
    """Draw the tangent line to a 1-D loss at θ, and, with ``eta``, the gradient step from θ.

    The tangent is :math:`L(\\theta) + L'(\\theta)(\\vartheta - \\theta)`; the arrow goes from
    θ to :math:`\\theta - \\eta L'(\\theta)`, against the slope.
    """
    _check_problem(problem, 1)
    ax = _axes(ax)
    theta = _checks.real("theta", theta)
    x = np.array([theta])
    f0, g0 = float(problem.f(x)), float(problem.grad(x)[0])
    ((lo, hi),) = _window(problem)
    half = width if width is not None else 0.15 * (hi - lo)
    t = np.linspace(theta - half, theta + half, 2)
    ylim = ax.get_ylim() if ax.has_data() else None
    ax.plot(t, f0 + g0 * (t - theta), color=color, lw=2, label=f"tangent, slope {g0:+.3g}")
    ax.plot(theta, f0, "o", color=color, ms=7, zorder=5)
    if eta is not None:
        eta = _checks.positive("eta", eta)
        target = theta - eta * g0
        ax.annotate("", xy=(target, f0), xytext=(theta, f0),
                    arrowprops=dict(arrowstyle="-|>", color=PALETTE[0], lw=2, mutation_scale=15))
        ax.plot([], [], color=PALETTE[0], lw=2, label=f"step −ηL′(θ) = {-eta * g0:+.3g}")
    if ylim is not None:
        ax.set_ylim(ylim)  # keep the curve's window; a steep tangent is clipped, not zoomed out
    return ax


def gradients(problem: Problem, points, ax=None, *, length: float | None = None, color=PALETTE[1]):
    """Draw the gradient at each of ``points`` (shape ``(k, 2)``) as an arrow of fixed length.

    Arrows show direction only; their length is ``length`` (default 6% of the window's width).
    """
    _check_problem(problem, 2)
    ax = _axes(ax)
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    g = np.asarray(problem.grad(points.T), dtype=np.float64).T
    norms = np.linalg.norm(g, axis=1, keepdims=True)
    unit = np.divide(g, norms, out=np.zeros_like(g), where=norms > 0)
    (x0, x1), _ = _window(problem)
    length = length if length is not None else 0.06 * (x1 - x0)
    ax.quiver(points[:, 0], points[:, 1], unit[:, 0] * length, unit[:, 1] * length, color=color,
              angles="xy", scale_units="xy", scale=1, width=0.004, zorder=6)
    return ax


_AXIS_LABELS = {"eta": "learning rate η", "beta": "momentum β", "beta1": "β₁", "beta2": "β₂", "eps": "ε"}


def rate_map(result: Sweep, ax=None, *, rates=None, levels=(0.8, 0.9, 0.95, 0.99),
             colorbar: bool = True):
    r"""Draw the linear rate of a sweep over two hyperparameters as a map.

    Each cell is one run of :func:`descend.sweep`, coloured by its rate :math:`\rho` (the factor
    by which :math:`\lVert x_t - x^\star\rVert` shrinks per step, :meth:`Sweep.rate`): dark
    for fast convergence, light for slow.  Settings that do not converge
    (:math:`\rho \ge 1`, divergence included) are grey.  Labelled lines mark the ``levels``
    of ρ.  The first hyperparameter of the sweep is the horizontal axis.

    Parameters
    ----------
    result : Sweep
        A sweep over exactly two hyperparameters, e.g. ``eta`` and ``beta``.
    rates : array_like of the sweep's grid shape, optional
        The rates to draw instead of ``result.rate()`` (for instance the theory's).
    levels : sequence of float
        Contour levels of ρ, each in (0, 1).
    colorbar : bool
        Add a colour bar.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> res = dd.sweep(dd.momentum, dd.ill_conditioned(kappa=10.0), [1.0, 1.0], steps=100,
    ...                eta=np.linspace(0.02, 0.3, 15), beta=np.linspace(0.0, 0.9, 10))
    >>> ax = dd.plot.rate_map(res)
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('learning rate η', 'momentum β')

    Notes
    -----
    Taught in chapter 4, where the map of heavy-ball momentum is compared with the theory of
    :mod:`descend.theory`.
    """
    if not isinstance(result, Sweep):
        raise TypeError(f"result must be a descend.Sweep from descend.sweep, got {type(result).__name__}")
    if len(result.grid) != 2:
        raise ValueError("rate_map needs a sweep over two hyperparameters; "
                         f"this one swept {list(result.grid)}")
    (xname, x), (yname, y) = result.grid.items()
    rho = result.rate() if rates is None else np.asarray(rates, dtype=np.float64)
    if rho.shape != (len(x), len(y)):
        raise ValueError(f"rates must have the sweep's grid shape {(len(x), len(y))}, got {rho.shape}")
    levels = [_checks.real("levels", v, lo=0.0, hi=1.0, lo_open=True, hi_open=True) for v in levels]
    ax = _axes(ax)
    converges = np.isfinite(rho) & (rho < 1.0)
    shown = np.ma.masked_where(~converges, rho).T
    cmap = mpl.colormaps["viridis"].with_extremes(bad="0.85")
    lo = float(rho[converges].min()) if converges.any() else 0.0
    mesh = ax.pcolormesh(x, y, shown, shading="nearest", cmap=cmap, vmin=lo, vmax=1.0, rasterized=True)
    inside = [v for v in sorted(levels) if lo < v < 1.0]
    if inside and converges.sum() > 3:
        lines = ax.contour(x, y, np.where(converges, rho, 1.0).T, levels=inside, colors="white",
                           linewidths=0.8)
        ax.clabel(lines, fmt="%.2f", fontsize=8)
    ax.fill_between([], [], color="0.85", label="no convergence (ρ ≥ 1)")
    ax.set(xlabel=_AXIS_LABELS.get(xname, xname), ylabel=_AXIS_LABELS.get(yname, yname),
           xlim=(x.min(), x.max()), ylim=(y.min(), y.max()))
    ax.grid(False)
    if colorbar:
        ax.figure.colorbar(mesh, ax=ax, label="rate ρ (smaller is faster)")
    return ax


# --------------------------------------------------------------------------- level sets (chapter 3)


def _heights(heights) -> np.ndarray:
    """Heights of level curves: a non-empty increasing sequence of finite numbers."""
    if np.ndim(heights) == 0:
        raise TypeError(f"heights must be a sequence of numbers such as [0.1, 0.2, 0.3], got {heights!r}")
    values = np.array([_checks.real("heights", h) for h in heights])
    if values.size == 0 or np.any(np.diff(values) <= 0):
        raise ValueError(f"heights must be a non-empty increasing sequence, got {list(heights)}")
    return values


def _height_colors(heights: np.ndarray):
    """One viridis colour per height (dark = low, yellow = high), shared by the 3-D and 2-D views."""
    norm = mpl.colors.Normalize(heights[0], heights[-1] if heights[-1] > heights[0] else heights[0] + 1)
    return [mpl.colormaps["viridis"](norm(h)) for h in heights]


def sliced_surface(problem: Problem, heights, ax=None, *, bounds=None, n: int = 60, floor: bool = True):
    r"""Draw a 2-D loss as a 3-D surface sliced by horizontal planes at the given heights.

    Each slice is the level curve :math:`\{\theta : L(\theta) = c\}`, drawn on the surface at
    height :math:`c`; with ``floor`` it is also drawn flat on the floor of the box, which is
    the contour map (:func:`level_map`) seen through the surface.  The slices take the same
    colours as in :func:`level_map`, so the two pictures can be read side by side.

    Parameters
    ----------
    problem : Problem
        A 2-D problem.
    heights : sequence of float
        The heights :math:`c_1 < c_2 < \dots` of the slices, often equally spaced.
    bounds : sequence of (lo, hi), optional
        The window; the problem's by default.
    n : int
        Grid points per side for the surface (the slices are traced on a finer grid).
    floor : bool
        Also draw every slice on the floor of the box.

    Returns
    -------
    Axes3D

    Examples
    --------
    >>> import descend as dd
    >>> ax = dd.plot.sliced_surface(dd.quadratic([[1.0, 0.0], [0.0, 4.0]]), [0.5, 1.0, 1.5])
    >>> ax.name, len(ax.lines)          # three slices, each on the surface and on the floor
    ('3d', 6)

    Notes
    -----
    Taught in chapter 3.
    """
    from .calculus import level_curve

    _check_problem(problem, 2)
    heights = _heights(heights)
    n = _checks.count("n", n, minimum=2)
    ax = _axes(ax, projection="3d")
    ax.computed_zorder = False  # draw in call order: slices stay visible on the surface
    X, Y, Z = problem.grid(n, bounds)
    z_lo, z_hi = float(np.nanmin(Z)), float(np.nanmax(Z))
    z_floor = z_lo - 0.4 * (z_hi - z_lo)  # below the surface, so the floor map stands apart
    ax.plot_surface(X, Y, Z, color="0.85", edgecolor="0.6", linewidth=0.2, alpha=0.6, shade=True,
                    rstride=max(1, n // 20), cstride=max(1, n // 20))
    for c, color in zip(heights, _height_colors(heights)):
        for piece in level_curve(problem, float(c), n=4 * n, bounds=bounds):
            ax.plot(piece[:, 0], piece[:, 1], np.full(len(piece), c), color=color, lw=1.8)
            if floor:
                ax.plot(piece[:, 0], piece[:, 1], np.full(len(piece), z_floor), color=color, lw=1.0)
    ax.set(xlim=(X.min(), X.max()), ylim=(Y.min(), Y.max()), zlim=(z_floor if floor else z_lo, z_hi),
           xlabel="$x_1$", ylabel="$x_2$", zlabel="L")
    tol = 1e-9 * (z_hi - z_lo)
    ax.set_zticks([z for z in ax.get_zticks() if z_lo - tol <= z <= z_hi])  # no heights below the surface
    return ax


def level_map(problem: Problem, heights, ax=None, *, bounds=None, n: int = 200, labels: bool = True,
              mark_minima: bool = True):
    r"""Draw the contour map of a 2-D loss at exactly the given heights.

    Unlike :func:`contour`, which chooses its levels, this draws the level curves
    :math:`L(\theta) = c` for the heights you give, so that equally spaced heights make a map
    on which the distance between neighbouring curves measures the slope.  The colours match
    :func:`sliced_surface`.

    Parameters
    ----------
    heights : sequence of float
        The heights of the level curves, increasing.
    labels : bool
        Write each curve's height on it.
    mark_minima : bool
        Mark the problem's known minimizers with a star.

    Examples
    --------
    >>> import descend as dd
    >>> ax = dd.plot.level_map(dd.quadratic([[1.0, 0.0], [0.0, 4.0]]), [0.5, 1.0, 1.5])
    >>> [float(c) for c in ax.collections[0].levels]
    [0.5, 1.0, 1.5]

    Notes
    -----
    Taught in chapter 3.
    """
    _check_problem(problem, 2)
    heights = _heights(heights)
    ax = _axes(ax)
    X, Y, Z = problem.grid(n, bounds)
    Z = np.where(np.isfinite(Z), Z, np.nan)
    lines = ax.contour(X, Y, Z, levels=heights, colors=_height_colors(heights), linewidths=1.0)
    if labels:
        ax.clabel(lines, fmt="%g", fontsize=8)
    if mark_minima:
        for m in problem.minima:
            ax.plot(*m, marker="*", color="black", ms=10, ls="none", zorder=5)
    ax.set(xlim=(X.min(), X.max()), ylim=(Y.min(), Y.max()), xlabel="$x_1$", ylabel="$x_2$")
    return ax


def match_contours(problems, order, *, levels: int = 8, fig=None):
    r"""A quiz figure: surfaces labelled A, B, … on top, their contour maps shuffled below.

    Surface ``i`` (letter ``"ABCD…"[i]``) is ``problems[i]``; the map numbered ``j + 1`` is
    the contour map of ``problems[order[j]]``.  Every map has ``levels`` equally spaced
    heights between the lowest and highest value of its loss in the window, so the spacing
    of the curves shows the slope.  No minimizers are marked.

    Parameters
    ----------
    problems : sequence of Problem
        Two to six 2-D problems, each with a window (``bounds``).
    order : sequence of int
        A permutation of ``range(len(problems))``: which surface each map shows.
    levels : int
        Number of level curves per map.
    fig : Figure, optional
        The figure to draw into; a new one by default.

    Returns
    -------
    Figure
        With the surfaces as ``fig.axes[:k]`` and the maps as ``fig.axes[k:]``.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> bowl, saddle = dd.quadratic(np.eye(2)), dd.quadratic(np.diag([1.0, -1.0]))
    >>> fig = dd.plot.match_contours([bowl, saddle], order=[1, 0])
    >>> [ax.get_title() for ax in fig.axes]
    ['A', 'B', '1', '2']

    Notes
    -----
    Taught in chapter 3, where the reader matches each map to its surface.
    """
    problems = list(problems)
    if not 2 <= len(problems) <= 6:
        raise ValueError(f"problems must hold two to six problems, got {len(problems)}")
    for p in problems:
        _check_problem(p, 2)
    k = len(problems)
    if np.ndim(order) != 1:
        raise TypeError(f"order must be a sequence of integers, got {order!r}")
    order = [_checks.count("order", i) for i in order]
    if sorted(order) != list(range(k)):
        raise ValueError(f"order must be a permutation of 0..{k - 1}, got {order}")
    levels = _checks.count("levels", levels, minimum=2)
    fig = fig if fig is not None else plt.figure(figsize=(2.4 * k, 5.0), layout="constrained")
    grid = fig.add_gridspec(2, k)
    for i, p in enumerate(problems):
        ax = surface(p, fig.add_subplot(grid[0, i], projection="3d"), n=40)
        ax.set(xticklabels=[], yticklabels=[], zticklabels=[], xlabel="", ylabel="", zlabel="")
        ax.set_box_aspect(None, zoom=1.2)  # without tick labels the box can fill its cell
        ax.set_title("ABCDEF"[i], fontweight="bold")
    for j, i in enumerate(order):
        X, Y, Z = problems[i].grid(120)
        heights = np.linspace(np.nanmin(Z), np.nanmax(Z), levels + 2)[1:-1]
        ax = level_map(problems[i], heights, fig.add_subplot(grid[1, j]), n=120, labels=False,
                       mark_minima=False)
        ax.set(xticks=[], yticks=[], xlabel="", ylabel="", aspect="equal")
        ax.set_title(str(j + 1), fontweight="bold")
    return fig


def path_and_loss(problem: Problem, traces, *, heights=None, levels: int = 25, f_star: float | None = None,
                  log: bool = True, fig=None):
    r"""Side by side: the paths of ``traces`` on the contour map, and their losses against the step.

    The map is :func:`level_map` at ``heights`` if given, else :func:`contour` with ``levels``
    curves; the paths are drawn by :func:`path` and the losses by :func:`loss` (with
    ``f_star``, the gap :math:`L(\theta_t) - L^\star`; with ``log`` on a log scale).
    With ``traces=None`` only the map and the empty loss axes are drawn, for an explorer that
    draws the paths per frame.

    Returns
    -------
    Figure
        With the map as ``fig.axes[0]`` and the loss curve as ``fig.axes[1]``.

    Examples
    --------
    >>> import descend as dd
    >>> p = dd.ill_conditioned(kappa=10.0)
    >>> fig = dd.plot.path_and_loss(p, dd.run(dd.gd(eta=0.15), p, [2.5, 1.0], steps=30))
    >>> [ax.get_ylabel() for ax in fig.axes]
    ['$x_2$', 'L(θₜ)']

    Notes
    -----
    Taught in chapter 3, whose explorer moves the start and the learning rate.
    """
    _check_problem(problem, 2)
    traces = None if traces is None else _as_traces(traces)
    fig = fig if fig is not None else plt.figure(figsize=(9.6, 4.0))
    # fixed margins rather than a layout engine: explorers redraw this figure dozens of times
    margins = dict(left=0.08, right=0.98, bottom=0.13, top=0.9, wspace=0.25)
    ax_map, ax_loss = fig.subplots(1, 2, gridspec_kw=margins)
    if heights is None:
        contour(problem, ax_map, levels=levels)
    else:
        level_map(problem, heights, ax_map, labels=False)
    if traces is None:
        ax_loss.set(xlabel="step t", ylabel=_loss_label(f_star))
        return fig
    path(traces, ax_map)
    loss(traces, ax_loss, f_star=f_star, log=log)
    return fig


def loss_by_epoch(traces, ax=None, *, log: bool = True, f_star: float | None = None,
                  smooth: float | None = None, colors=None, labels=None):
    r"""Plot the loss against the number of passes over the data (epochs) for one or more traces.

    Runs with different batch sizes make different numbers of steps per epoch (N/B of them),
    so the fair x-axis is the work done, ``trace.epochs``.  A trace without batches (full
    gradients) makes one pass per step.  With ``f_star`` the gap :math:`L(\theta_t) - L^\star`
    is plotted instead.  A diverged trace ends in a cross, as in :func:`loss`.

    The loss of a stochastic run jumps from step to step.  With ``smooth`` (a width in
    epochs) each curve is the running mean of the loss over that many epochs' worth of
    steps instead — an estimate of the mean loss, which is what the noise hides; a run with
    fewer steps than that per window is drawn unsmoothed.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> X, y = dd.data.regression(n=100)
    >>> p = dd.least_squares(X, y)
    >>> trace = dd.run(dd.gd(eta=0.05), p, [0.0, 0.0], steps=20, batch_size=10)
    >>> ax = dd.plot.loss_by_epoch(trace, f_star=p.f_star)
    >>> float(ax.lines[0].get_xdata()[-1])                   # 20 steps of 10 examples out of 100
    2.0

    Notes
    -----
    Taught in chapter 5.
    """
    traces = _as_traces(traces)
    ax = _axes(ax)
    colors = cycle(colors or PALETTE)
    labels = list(labels) if labels is not None else [t.label for t in traces]
    if smooth is not None:
        smooth = _checks.positive("smooth", smooth)
    for trace, color, label in zip(traces, colors, labels):
        epochs = trace.epochs if trace.epochs is not None else np.arange(len(trace.fs), dtype=float)
        ys = np.minimum(trace.fs - (f_star if f_star is not None else 0.0), 1e200)
        if smooth is not None and len(ys) > 1:
            width = int(round(smooth / np.mean(np.diff(epochs))))  # steps per window
            if 1 < width <= len(ys):
                ys = np.convolve(ys, np.ones(width) / width, mode="valid")
                epochs = epochs[width - 1:]
        ax.plot(epochs, ys, color=color, lw=1.5, label=label)
        if trace.diverged:
            ax.plot(epochs[-1], ys[-1], marker="X", ms=9, color=color, mec="black")
            ax.annotate(f"diverged at step {trace.diverged_at}", (epochs[-1], ys[-1]), xytext=(-6, 6),
                        textcoords="offset points", ha="right", color=color, fontsize=9, fontweight="bold")
    if log:
        positive = np.concatenate([t.fs - (f_star or 0.0) for t in traces])
        _scale(ax, "log" if np.all(positive > 0) else "symlog")
    ax.set(xlabel="epochs (passes over the data)",
           ylabel=_loss_label(f_star))
    return ax


# --------------------------------------------------------------------------- line search (chapter 6)


def _runs(mask: np.ndarray, x: np.ndarray):
    """The intervals [x_a, x_b] of x over which ``mask`` holds."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(int), [0]])))
    return [(x[a], x[b - 1]) for a, b in zip(edges[::2], edges[1::2])]


def line_search(problem: Problem, x, opt, ax=None, *, eta_max: float | None = None, c2: float | None = None,
                n: int = 400):
    r"""Draw one line search: the loss along the line, the Armijo line, and the trial points.

    From ``x`` with gradient :math:`g`, one update of the line search ``opt`` is made, and drawn
    are :math:`\phi(\eta) = L(x - \eta g)`, its tangent :math:`\phi(0) - \eta\, g^\top g`, and, for
    :func:`descend.backtracking`, the Armijo line :math:`\phi(0) - c\,\eta\, g^\top g` with the
    step sizes that pass the test marked under the axis.  The trials are numbered in the order
    tried; rejected ones are open circles, the accepted one a filled star.  A trial outside the
    window is drawn as a triangle on the edge it lies beyond.

    Parameters
    ----------
    problem : Problem
        The loss.
    x : array_like
        The point the search starts from.
    opt : Optimizer
        A line search: :func:`descend.backtracking`, :func:`descend.grid_line_search` or
        :func:`descend.exact_line_search`.
    eta_max : float, optional
        The right end of the η axis; by default a little beyond the largest trial.
    c2 : float, optional
        Also mark the step sizes that satisfy the weak curvature condition
        :math:`\phi'(\eta) \ge c_2 \phi'(0)`, and those that satisfy both Wolfe conditions
        (with :math:`c_1` = the optimizer's ``c``, or 1e-4).
    n : int
        Number of points on the curve.

    Returns
    -------
    Axes

    Examples
    --------
    >>> import descend as dd
    >>> p = dd.ill_conditioned(kappa=10.0, scale=0.3)
    >>> ax = dd.plot.line_search(p, [2.0, 1.0], dd.backtracking(c=0.3))
    >>> ax.get_xlabel()
    'step size η'

    Notes
    -----
    Taught in chapter 6, whose explorer moves the Armijo constant and the shrink factor.
    """
    from .linesearch import LineSearchState

    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a descend.Problem, got {type(problem).__name__}")
    x = _checks.vector("x", x, dim=problem.dim)
    if not getattr(opt, "needs_problem", False):
        raise TypeError(f"opt must be a line search such as descend.backtracking(), got {opt!r}")
    n = _checks.count("n", n, minimum=2)
    g = np.asarray(problem.grad(x), dtype=np.float64)
    step, state = opt.update(g, opt.init(x), x, problem=problem)
    if not isinstance(state, LineSearchState):
        raise TypeError(f"opt must be a line search such as descend.backtracking(), got {opt!r}")
    trials, trial_fs, eta = state.trials, state.trial_fs, state.eta
    if eta_max is None:
        eta_max = 1.1 * max([*trials, 2.0 * eta, 1e-12])
    eta_max = _checks.positive("eta_max", eta_max)
    c1 = opt.hyper.get("c")
    if c2 is not None:
        c2 = _checks.real("c2", c2, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
        if not (c1 if c1 is not None else 1e-4) < c2:
            raise ValueError(f"c2 must be larger than the Armijo constant c = {c1:g}, got {c2:g}")
    ax = _axes(ax)
    etas = np.linspace(0.0, eta_max, n)
    gg = float(g @ g)
    with np.errstate(over="ignore", invalid="ignore"):
        points = x[:, None] - etas[None, :] * g[:, None]
        phi = np.asarray(problem.f(points), dtype=np.float64)
        dphi = -np.einsum("i...,i->...", np.asarray(problem.grad(points), dtype=np.float64), g)
    phi0 = float(problem.f(x))
    low = float(np.min(phi[np.isfinite(phi)], initial=phi0))
    span = max(phi0 - low, 1e-12 * max(1.0, abs(phi0)))
    lo_y = low - (0.35 if c1 is not None else 0.08) * span      # room for the bands
    hi_y = phi0 + 0.45 * span
    ax.plot(etas, phi, color="0.2", lw=1.8, label="φ(η) = L(x − ηg)")
    ax.plot(etas, phi0 - etas * gg, ":", color="0.5", lw=1.2, label="tangent φ(0) − η‖g‖²")
    if c1 is not None:
        ax.plot(etas, phi0 - c1 * etas * gg, "--", color=PALETTE[1], lw=1.5,
                label=f"Armijo line φ(0) − cη‖g‖², c = {c1:g}")
        armijo = phi <= phi0 - c1 * etas * gg
        _band(ax, _runs(armijo, etas), 0.03, PALETTE[1], "passes Armijo")
        if c2 is not None:
            curvature = dphi >= c2 * dphi[0]
            _band(ax, _runs(curvature, etas), 0.09, PALETTE[5], f"passes curvature (c₂ = {c2:g})")
            _band(ax, _runs(armijo & curvature, etas), 0.15, PALETTE[2], "passes both (Wolfe)")
    hits = np.flatnonzero(trials == eta)
    accepted = int(hits[-1]) if hits.size and eta > 0 else None
    for i, (e, f) in enumerate(zip(trials, trial_fs)):
        # a trial outside the window sits on its edge, as a triangle pointing the way it lies
        marker = ">" if e > eta_max else "^" if not (np.isfinite(f) and f <= hi_y) else None
        e_shown = min(e, eta_max)
        y = float(np.clip(f, lo_y, hi_y)) if np.isfinite(f) else hi_y
        if i == accepted:
            style = dict(marker=marker or "*", ms=16, mfc=PALETTE[2], mec="black", mew=0.8)
        else:
            style = dict(marker=marker or "o", ms=8, mfc="white", mec=PALETTE[0], mew=1.5)
        ax.plot(e_shown, y, ls="none", zorder=6, clip_on=False, **style)
        ax.annotate(str(i + 1), (e_shown, y), xytext=(5, 5), textcoords="offset points", fontsize=9,
                    color=PALETTE[0], annotation_clip=False)
    if trials.size:
        ax.plot([], [], "o", ms=8, mfc="white", mec=PALETTE[0], mew=1.5, label="trials, numbered in order")
    if accepted is None and eta > 0:           # a computed step (exact line search): no trials
        ax.plot(eta, float(problem.f(x + step)), "*", ms=16, color=PALETTE[2], mec="black", mew=0.8, zorder=6)
    if eta > 0:
        which = "" if accepted is None else f", trial {accepted + 1}"
        ax.plot([], [], "*", ms=12, color=PALETTE[2], mec="black", mew=0.8,
                label=f"accepted: η = {eta:.3g}{which}")
    ax.set(xlim=(0.0, eta_max), ylim=(lo_y, hi_y), xlabel="step size η", ylabel="φ(η)")
    return ax


def _band(ax, runs, y, color, label):
    """Mark intervals of η under the curve, at height ``y`` in axes coordinates."""
    transform = ax.get_xaxis_transform()
    for i, (a, b) in enumerate(runs):
        ax.plot([a, b], [y, y], transform=transform, color=color, lw=5, solid_capstyle="butt",
                label=label if i == 0 else None)


def line_search_scene(problem: Problem, x, search, *, eta_max: float | None = None, c2: float | None = None,
                      n: int = 400, fig=None):
    r"""A figure for :func:`line_search` with its legend beside the axes, and a function that draws a search.

    Returns ``(figure, update)``: ``update(**values)`` draws
    ``line_search(problem, x, search(**values), ax, eta_max=eta_max, c2=c2, n=n)`` and its
    legend, to the right of the axes.  This is the form :func:`descend.explore` redraws
    quickly, with the sliders named as the arguments of ``search``; a static figure is one call
    of ``update``.

    Parameters
    ----------
    problem : Problem
        The loss.
    x : array_like
        The point the search starts from.
    search : callable
        Takes the slider values by name and returns the line search to draw: for instance
        :func:`descend.backtracking` itself, or ``functools.partial(dd.backtracking, eta0=0.8)``
        for sliders ``c`` and ``shrink``.
    eta_max, c2, n
        As for :func:`line_search`.  Give ``eta_max`` to keep the η axis fixed from frame to
        frame.
    fig : Figure, optional
        The figure to draw in (a new one, 7.6 by 3.6 inches, by default).

    Returns
    -------
    (Figure, callable)

    Examples
    --------
    >>> import descend as dd
    >>> fig, update = dd.plot.line_search_scene(dd.ill_conditioned(kappa=10.0), [2.0, 1.0],
    ...                                         dd.backtracking, eta_max=1.0)
    >>> update(c=0.3, shrink=0.5); [float(v) for v in fig.axes[0].get_xlim()]
    [0.0, 1.0]
    >>> plt.close(fig)

    Notes
    -----
    Taught in chapter 6, whose explorer moves the Armijo constant and the shrink factor.
    """
    _check_problem(problem)
    _checks.callable_("search", search)
    fig = fig if fig is not None else plt.figure(figsize=(7.6, 3.6))
    ax = fig.add_subplot()
    # fixed margins, no layout engine: an explorer redraws this figure for every slider move
    fig.subplots_adjust(left=0.08, right=0.62, bottom=0.14, top=0.95)

    def update(**values):
        line_search(problem, x, search(**values), ax, eta_max=eta_max, c2=c2, n=n)
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8)

    return fig, update


__all__ += ["line_search_scene"]


def race(problems, traces, t: int, *, windows=None, titles=None, colors=None, labels=None,
         levels: int = 15, n: int = 80, fig=None):
    r"""A race on several surfaces: each panel shows one contour map and every path up to step ``t``.

    Panels sit in a grid of two columns.  On panel ``i``, the traces ``traces[i]`` are drawn
    from their start (an open circle, black if all runs share it) to their iterate at step
    ``t`` (a filled circle);
    the same optimizers, in the same order, on every panel, so one legend below the panels
    serves them all.  The level curves are grey, so that the paths stand out.  A path
    that diverged before step ``t`` ends in a cross.  Moving ``t`` with
    :func:`descend.animate` makes the race run.

    Parameters
    ----------
    problems : sequence of Problem
        One to six 2-D problems.
    traces : sequence of sequences of Trace
        ``traces[i]`` holds the runs on ``problems[i]``, the same number on every panel.
    t : int
        The step to draw up to, ≥ 0 (a run shorter than ``t`` is drawn whole).
    windows : sequence of bounds, optional
        The window of each panel; each problem's own ``bounds`` by default.
    titles : sequence of str, optional
        Panel titles; the problems' names by default.
    colors, labels : sequences, optional
        One colour and one legend label per optimizer; the book's palette and the traces'
        names on the first panel by default.
    levels, n : int
        Number of contour levels, and grid points per side for the contour map.
    fig : Figure, optional
        The figure to draw into; a new one by default.

    Returns
    -------
    Figure
        With one axes per problem.

    Examples
    --------
    >>> import descend as dd
    >>> p = dd.ill_conditioned(kappa=10.0)
    >>> runs = [[dd.run(dd.gd(eta=0.1), p, [2.0, 1.0], 20), dd.run(dd.adam(eta=0.1), p, [2.0, 1.0], 20)]]
    >>> fig = dd.plot.race([p], runs, t=10)
    >>> [line.get_label() for line in fig.legends[0].get_lines()]
    ['gd', 'adam']

    Notes
    -----
    Taught in chapter 7, whose animation races six optimizers on four surfaces.
    """
    fig, update = race_scene(problems, traces, windows=windows, titles=titles, colors=colors, labels=labels,
                             levels=levels, n=n, fig=fig)
    update(t)
    return fig


def race_scene(problems, traces, *, windows=None, titles=None, colors=None, labels=None,
               levels: int = 15, n: int = 80, fig=None):
    r"""The figure of :func:`race` without its paths, and a function that draws them up to step ``t``.

    Takes the arguments of :func:`race` but ``t``, and returns ``(figure, update)``: the
    contour maps, start markers and legend are drawn once, and ``update(t)`` draws the paths
    up to step ``t``.  This is the form :func:`descend.animate` redraws quickly.

    Examples
    --------
    >>> import descend as dd
    >>> p = dd.ill_conditioned(kappa=10.0)
    >>> runs = [[dd.run(dd.gd(eta=0.1), p, [2.0, 1.0], 20)]]
    >>> fig, update = dd.plot.race_scene([p], runs)
    >>> update(5); len(fig.axes[0].lines[-1].get_xdata())    # the marker at step 5
    1
    """
    problems = list(problems)
    if not 1 <= len(problems) <= 6:
        raise ValueError(f"problems must hold one to six problems, got {len(problems)}")
    for p in problems:
        _check_problem(p, 2)
    if not isinstance(traces, (list, tuple)) or len(traces) != len(problems):
        raise ValueError(f"traces must hold one list of traces per problem ({len(problems)})")
    traces = [_as_traces(list(row) if isinstance(row, (list, tuple)) else row) for row in traces]
    k = len(traces[0])
    if any(len(row) != k for row in traces):
        raise ValueError("traces must hold the same number of runs for every problem")
    windows = [None] * len(problems) if windows is None else list(windows)
    titles = [p.name for p in problems] if titles is None else list(titles)
    colors = list(colors) if colors is not None else [PALETTE[i % len(PALETTE)] for i in range(k)]
    labels = list(labels) if labels is not None else [tr.name for tr in traces[0]]
    if not (len(windows) == len(titles) == len(problems)) or not (len(colors) >= k and len(labels) == k):
        raise ValueError("windows and titles need one entry per problem; colors and labels one per run")
    rows = (len(problems) + 1) // 2
    cols = 1 if len(problems) == 1 else 2
    height = 2.35 * rows + 0.55
    fig = fig if fig is not None else plt.figure(figsize=(2.5 * cols, height))
    # fixed margins, no layout engine: an animation redraws this figure dozens of times
    axes = fig.subplots(rows, cols, squeeze=False,
                        gridspec_kw=dict(left=0.02, right=0.98, top=1 - 0.25 / height, bottom=0.55 / height,
                                         hspace=0.3 / 2.1, wspace=0.05)).ravel()
    for ax in axes[len(problems):]:
        ax.remove()
    axes = axes[: len(problems)]
    for ax, problem, row, window, title in zip(axes, problems, traces, windows, titles):
        contour(problem, ax, bounds=window, levels=levels, n=n)
        for lines in ax.collections:   # grey level curves, so that the coloured paths stand out
            lines.set_edgecolor("0.72")
        # no ticks or grid: a race is read from the paths, and ticks cost most of a frame's time
        ax.set(xlabel="", ylabel="", xticks=[], yticks=[], title=title)
        ax.grid(False)
        ax.title.set_fontsize(9)
        ax.set_autoscale_on(False)
        if all(np.array_equal(tr.xs[0], row[0].xs[0]) for tr in row):   # one start marker for all
            ax.plot(*row[0].xs[0], marker="o", ms=6, mfc="white", color="black", zorder=5)
        else:
            for trace, color in zip(row, colors):
                ax.plot(*trace.xs[0], marker="o", ms=5, mfc="white", color=color, zorder=5)
    handles = [mpl.lines.Line2D([], [], color=c, lw=2, label=lab) for c, lab in zip(colors, labels)]
    fig.legend(handles=handles, loc="lower center", ncol=min(k, 3), fontsize=8, frameon=False,
               borderaxespad=0.1, handlelength=1.5, columnspacing=1.2, labelspacing=0.2)

    def update(t):
        t = _checks.count("t", int(t) if isinstance(t, float) and t.is_integer() else t)
        for ax, row in zip(axes, traces):
            for trace, color in zip(row, colors):
                xs = trace.xs[: t + 1]
                ax.plot(xs[:, 0], xs[:, 1], color=color, lw=1.3, zorder=4)
                ended = trace.diverged and t >= len(trace.xs) - 1
                ax.plot(*xs[-1], marker="X" if ended else "o", ms=8 if ended else 5, color=color,
                        mec="black", mew=0.5, zorder=6)

    return fig, update


# --------------------------------------------------------------------------- convolution (chapter 10)


def accuracy_curves(curves, ax=None, *, colors=None, labels=None, ylim=None):
    r"""Training (solid) and test (dashed) accuracy against epochs, for one or more runs.

    Parameters
    ----------
    curves : dict or list of dict
        Each with ``epoch``, ``train_acc`` and ``test_acc``, as :func:`descend.nn.cnn_curves`
        returns.
    ax : Axes, optional
    colors : list of colours, optional
        One per run (the book's palette by default).
    labels : list of str, optional
        One per run; its lines are labelled "label, train" and "label, test" (unlabelled by
        default).
    ylim : (float, float), optional
        The accuracy axis; by default from the lowest accuracy, rounded down to a tenth, to
        just above 1.

    Returns
    -------
    Axes

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> r = dict(epoch=np.arange(3.0), train_acc=np.array([0.3, 0.8, 1.0]), test_acc=np.array([0.3, 0.7, 0.9]))
    >>> ax = dd.plot.accuracy_curves(r, labels=["net"])
    >>> [line.get_label() for line in ax.lines], ax.get_ylim()
    (['net, train', 'net, test'], (np.float64(0.2), np.float64(1.02)))
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)

    Notes
    -----
    Taught in chapter 10.
    """
    curves = [curves] if isinstance(curves, dict) else list(curves)
    if not curves:
        raise ValueError("curves must hold at least one run")
    ax = _axes(ax)
    colors = list(colors) if colors is not None else [PALETTE[i % len(PALETTE)] for i in range(len(curves))]
    labels = list(labels) if labels is not None else [None] * len(curves)
    for r, color, label in zip(curves, colors, labels):
        ax.plot(r["epoch"], r["train_acc"], color=color, label=None if label is None else f"{label}, train")
        ax.plot(r["epoch"], r["test_acc"], "--", color=color, label=None if label is None else f"{label}, test")
    if ylim is None:
        lowest = min(float(np.min(np.concatenate([r["train_acc"], r["test_acc"]]))) for r in curves)
        ylim = (max(0.0, np.floor(10 * lowest - 1e-9) / 10), 1.02)
    ax.set(xlabel="epochs", ylabel="accuracy", ylim=ylim)
    return ax


def training_curves(traces, curves, *, colors=None, labels=None, ylabel="cross-entropy", fig=None):
    r"""Two panels for training a classifier: its loss, and its accuracy, against epochs.

    Left, for each run, the training loss at every step (a thin line, ``trace.fs`` against
    ``trace.epochs``, on a log scale) and the test loss where it was evaluated (dots); right,
    the training (solid) and test (dashed) accuracy, as :func:`accuracy_curves` draws them.
    A run whose entry of ``curves`` is None is a reference: its training loss is drawn
    dotted, and nothing else.  One legend, below the panels, names the runs.

    Parameters
    ----------
    traces : list of Trace
    curves : list of (dict or None)
        One per trace, as :func:`descend.nn.cnn_curves` returns (``epoch``, ``test_loss``,
        ``train_acc``, ``test_acc``).
    colors, labels : lists, optional
        One per trace (the palette and the traces' own labels by default).
    ylabel : str, optional
        The loss's name.
    fig : Figure, optional

    Returns
    -------
    Figure
        With the loss and accuracy axes as ``fig.axes[0:2]``.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> images, labels = dd.data.bars(n=300, seed=0)
    >>> train, test = (images[:200], labels[:200]), (images[200:], labels[200:])
    >>> trace = dd.run(dd.adam(eta=0.05), dd.cnn_classifier(*train), dd.cnn_init(), steps=20, batch_size=20)
    >>> fig = dd.plot.training_curves([trace], [dd.nn.cnn_curves(trace, train, test, every=10)])
    >>> [ax.get_ylabel() for ax in fig.axes]
    ['cross-entropy', 'accuracy']
    >>> import matplotlib.pyplot as plt; plt.close(fig)

    Notes
    -----
    Taught in chapter 10.
    """
    traces = _as_traces(traces)
    curves = list(curves)
    if len(curves) != len(traces):
        raise ValueError(f"curves must have one entry (or None) per trace: {len(traces)} traces, {len(curves)} curves")
    colors = list(colors) if colors is not None else [PALETTE[i % len(PALETTE)] for i in range(len(traces))]
    labels = list(labels) if labels is not None else [t.label for t in traces]
    fig = fig if fig is not None else plt.figure(figsize=(9.6, 4.4))
    left, right = fig.subplots(1, 2)
    fig.subplots_adjust(bottom=0.25, wspace=0.25)
    for trace, r, color, label in zip(traces, curves, colors, labels):
        epochs = trace.epochs if trace.epochs is not None else np.arange(len(trace.fs), dtype=float)
        left.plot(epochs, trace.fs, color=color, lw=1, ls="-" if r is not None else ":", label=label)
        if r is not None:
            left.plot(r["epoch"], r["test_loss"], "o", color=color, ms=3.5, mec="white", mew=0.5)
    shown = [(r, c) for r, c in zip(curves, colors) if r is not None]
    if shown:
        accuracy_curves([r for r, _ in shown], right, colors=[c for _, c in shown])
    left.set(yscale="log", xlabel="epochs", ylabel=ylabel)
    fig.legend(*left.get_legend_handles_labels(), loc="lower center", ncol=len(traces))
    return fig


__all__ += ["accuracy_curves", "training_curves"]


def feature_map(image, kernel, *, at=None, fig=None):
    r"""Three panels: an image, a kernel, and the feature map ``dd.conv2d(image, kernel)``.

    The image is drawn in grey (dark = large); the kernel and the map in red for positive and
    blue for negative values, on fixed symmetric scales: the kernel's largest
    :math:`|K_{ab}|`, and for the map the largest response any image with pixels in
    :math:`[0, \max|X|]` could give, :math:`\max|X| \cdot \max\bigl(\sum_{a,b} K_{ab}^+,
    \sum_{a,b} K_{ab}^-\bigr)`.  So maps drawn for different images and kernels compare
    directly.

    Parameters
    ----------
    image : (H, W) array_like
    kernel : (kh, kw) array_like
    at : (int, int), optional
        A window position (i, j): its window is outlined on the image and the map's pixel
        :math:`Y_{ij}`, which is the sum of the window times the kernel, is outlined too.
    fig : Figure, optional
        The figure to draw in (a new one by default).

    Returns
    -------
    Figure
        With the image, kernel and map as ``fig.axes[0:3]``.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> image = np.zeros((6, 6)); image[2, :] = 1.0                  # a horizontal line
    >>> fig = dd.plot.feature_map(image, [[-1, -1, -1], [2, 2, 2], [-1, -1, -1]], at=(1, 0))
    >>> [ax.get_title() for ax in fig.axes]
    ['image', 'kernel', 'feature map, Y[1, 0] = 6']

    Notes
    -----
    Taught in chapter 10, whose explorer turns the kernel and shifts the image.
    """
    fig, show = feature_map_scene(fig=fig)
    show(image, kernel, at=at)
    return fig


def feature_map_scene(*, fig=None):
    r"""The three panels of :func:`feature_map`, empty, and a function that draws in them.

    Returns ``(figure, show)``, where ``show(image, kernel, at=None)`` draws as
    :func:`feature_map` does; an explorer calls it per frame and the panels are made once.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> fig, show = dd.plot.feature_map_scene()
    >>> show(np.eye(5), np.eye(3)); fig.axes[2].get_title()
    'feature map'
    """
    fig = fig if fig is not None else plt.figure(figsize=(9.6, 3.4))
    # fixed margins rather than a layout engine: explorers redraw this figure dozens of times
    axes = fig.subplots(1, 3, gridspec_kw=dict(left=0.02, right=0.98, bottom=0.03, top=0.9, wspace=0.12))
    for ax in axes:
        ax.set(xticks=[], yticks=[])
        ax.grid(False)

    def show(image, kernel, at=None):
        from .nn import conv2d

        image = np.asarray(image, dtype=np.float64)
        kernel = np.asarray(kernel, dtype=np.float64)
        if image.ndim != 2 or kernel.ndim != 2:
            raise ValueError(f"image and kernel must be 2-D, got shapes {image.shape} and {kernel.shape}")
        out = conv2d(image, kernel)
        k_max = max(float(np.abs(kernel).max()), 1e-12)
        y_max = max(float(np.abs(image).max()) * max(kernel.clip(min=0).sum(), (-kernel).clip(min=0).sum()),
                    1e-12)
        axes[0].imshow(image, cmap="Greys", vmin=min(0.0, float(image.min())))
        axes[1].imshow(kernel, cmap="RdBu_r", vmin=-k_max, vmax=k_max)
        axes[2].imshow(out, cmap="RdBu_r", vmin=-y_max, vmax=y_max)
        titles = ["image", "kernel", "feature map"]
        if at is not None:
            i, j = (_checks.count("at", int(v)) for v in at)
            if i >= out.shape[0] or j >= out.shape[1]:
                raise ValueError(f"at must be a window position inside the map of shape {out.shape}, got {at}")
            kh, kw = kernel.shape
            for ax, (h, w) in ((axes[0], (kh, kw)), (axes[2], (1, 1))):
                ax.add_patch(mpl.patches.Rectangle((j - 0.5, i - 0.5), w, h, fill=False, ec=PALETTE[3], lw=2.5))
            titles[2] += f", Y[{i}, {j}] = {out[i, j]:.3g}"
        for ax, title in zip(axes, titles):
            ax.set_title(title)

    return fig, show


__all__ += ["feature_map", "feature_map_scene"]


# --------------------------------------------------------------------------- bias correction (chapter 8)


def _adam_betas(beta1, beta2):
    return (_checks.unit_interval("beta1", beta1), _checks.unit_interval("beta2", beta2))


_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def bias_correction_scene(*, t_max: int = 20_000, step_range=(0.2, 200.0), fig=None):
    r"""Two empty panels for Adam's bias correction, and a function that draws them for β₁, β₂.

    Left, the expected averages of Adam without the correction as fractions of the truth,
    :math:`\mathbb E[m_t]/\mathbb E[g] = 1 - \beta_1^t` and
    :math:`\mathbb E[v_t]/\mathbb E[g^2] = 1 - \beta_2^t` (when every gradient has the same mean
    and mean square); right, the step on a constant gradient in units of η,

    .. math:: r_t = \frac{1 - \beta_1^t}{\sqrt{1 - \beta_2^t}}

    without the correction (neglecting ε). With the correction both are 1 at every step (the
    dotted lines). Both panels use a log scale in t from 1 to ``t_max``.

    Parameters
    ----------
    t_max : int
        The last step shown.
    step_range : (float, float)
        The fixed limits of the right panel's log axis (an explorer's frames keep them).
    fig : Figure, optional
        The figure to draw in (a new one by default).

    Returns
    -------
    (Figure, callable)
        The figure and ``update(beta1, beta2)``, which draws the curves and a title with the
        first and the largest uncorrected step; this is the form :func:`descend.explore`
        redraws quickly.

    Examples
    --------
    >>> import descend as dd
    >>> fig, update = dd.plot.bias_correction_scene(t_max=1000)
    >>> update(0.9, 0.999); round(float(fig.axes[1].lines[0].get_ydata()[0]), 4)   # r₁ = √10
    3.1623
    >>> import matplotlib.pyplot as plt; plt.close(fig)

    Notes
    -----
    Taught in chapter 8 (Adam's steps without the correction), whose explorer moves β₁ and β₂.
    """
    t_max = _checks.count("t_max", t_max, minimum=2)
    lo, hi = (_checks.positive("step_range", v) for v in step_range)
    if not lo < hi:
        raise ValueError(f"step_range must be (low, high) with low < high, got {step_range}")
    t = np.unique(np.geomspace(1, t_max, 120).astype(int))
    fig = fig if fig is not None else plt.figure(figsize=(9, 3.5))
    # fixed margins rather than a layout engine: explorers redraw this figure dozens of times
    left, right = fig.subplots(1, 2, gridspec_kw=dict(left=0.08, right=0.98, bottom=0.15, top=0.88, wspace=0.3))
    # saturated colours and lw 2: the explorer's compressed frames must read on the dark page too
    m_line, = left.plot([], [], color=PALETTE[0], lw=2, label="E[mₜ] / E[g]")
    v_line, = left.plot([], [], color=PALETTE[1], lw=2, label="E[vₜ] / E[g²]")
    r_line, = right.plot([], [], color=PALETTE[2], lw=2, label="uncorrected")
    for ax in (left, right):
        ax.axhline(1, ls=":", color="black", lw=1, label="corrected")
    left.set(xscale="log", ylim=(-0.05, 1.1), ylabel="fraction of the truth")
    left.legend(loc="lower right", fontsize=8)
    right.set(xscale="log", yscale="log", ylim=(lo, hi), ylabel="step / η (constant gradient)")
    right.legend(loc="upper right", fontsize=8)
    ticks = [v for v in (0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000) if lo <= v <= hi]
    right.set_yticks(ticks, [f"{v:g}" for v in ticks])
    decades = [10**k for k in range(int(np.log10(t_max)) + 1)]
    for ax in (left, right):           # few ticks, so that the frames draw quickly
        ax.set(xlim=(t[0], t[-1]), xlabel="step t")
        ax.set_xticks(decades, [f"{d:g}" if d < 10_000 else "10" + str(k).translate(_SUPERSCRIPTS)
                                for k, d in enumerate(decades)])
        ax.minorticks_off()

    def update(beta1, beta2):
        beta1, beta2 = _adam_betas(beta1, beta2)
        r_t = (1 - beta1**t) / np.sqrt(1 - beta2**t)
        m_line.set_data(t, 1 - beta1**t)
        v_line.set_data(t, 1 - beta2**t)
        r_line.set_data(t, r_t)
        fig.suptitle(f"β₁ = {beta1:g}, β₂ = {beta2:.5g}: uncorrected first step "
                     f"{r_t[0]:.3g} η, largest {r_t.max():.3g} η", fontsize=10)

    return fig, update


__all__ += ["bias_correction_scene"]


# --------------------------------------------------------------------------- momentum (chapter 4)


def paths_scene(problem: Problem, runs, *, labels, colors=None, bounds=None, levels: int = 15, n: int = 100,
                equal_aspect: bool = False, figsize=(5.6, 4.4), legend_loc: str = "upper left", title=None):
    r"""An explorer's map of paths: the contour map and the legend drawn once, the paths per frame.

    Returns ``(figure, update)``, the form :func:`descend.explore` repaints quickly:
    ``update(**values)`` calls ``runs(**values)`` for the slider values and draws the traces
    it returns with :func:`path`, one colour per trace, over the :func:`contour` map.

    Parameters
    ----------
    problem : Problem
        A 2-D problem.
    runs : callable
        ``runs(**values) -> list of Trace``: the runs to draw for the slider values, always
        the same number, in the order of ``labels``.
    labels : sequence of str
        The legend's label of each run.
    colors : sequence, optional
        One colour per run; the book's palette by default.
    bounds : ((x_lo, x_hi), (y_lo, y_hi)), optional
        The window; the problem's by default.  It stays fixed while the sliders move.
    levels, n : int
        Number of contour levels, and grid points per side for the map.
    equal_aspect : bool
        Draw both axes to one scale (a narrow valley then looks narrow).
    figsize : (float, float)
        Figure size in inches.
    legend_loc : str
        Where the legend goes (:meth:`matplotlib.axes.Axes.legend`'s ``loc``).
    title : callable, optional
        ``title(traces, **values) -> str``, a title set at every frame.

    Examples
    --------
    >>> import descend as dd
    >>> p = dd.ill_conditioned(kappa=10.0)
    >>> def runs(eta):
    ...     return [dd.run(dd.gd(eta=eta), p, [2.0, 1.0], 20), dd.run(dd.momentum(eta=eta), p, [2.0, 1.0], 20)]
    >>> fig, update = dd.plot.paths_scene(p, runs, labels=["gd", "momentum"])
    >>> update(eta=0.1); [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['gd', 'momentum']

    Notes
    -----
    Taught in chapter 4, whose explorer draws gradient descent, momentum and Nesterov in a
    narrow valley for the chosen η and β.
    """
    _check_problem(problem, 2)
    _checks.callable_("runs", runs)
    labels = [str(label) for label in labels]
    colors = list(colors) if colors is not None else [PALETTE[i % len(PALETTE)] for i in range(len(labels))]
    if title is not None:
        _checks.callable_("title", title)
    fig, ax = plt.subplots(figsize=figsize)
    contour(problem, ax, levels=levels, bounds=bounds, n=n)
    if equal_aspect:
        ax.set_aspect("equal")
    legend(ax, colors, labels, loc=legend_loc, fontsize=8)

    def update(**values):
        traces = _as_traces(runs(**values))
        if len(traces) != len(labels):
            raise ValueError(f"runs returned {len(traces)} traces for {len(labels)} labels")
        path(traces, ax, colors=colors)
        if title is not None:
            ax.set_title(title(traces, **values), fontsize=10)

    return fig, update


_SYMBOLS = {"eta": "η", "beta": "β", "beta1": "β₁", "beta2": "β₂", "eps": "ε"}


def rate_map_scene(result: Sweep, *, rates=None, levels=(0.8, 0.9, 0.95), optimum=None, steps: int = 100):
    r"""An explorer's :func:`rate_map`: the map drawn once, one setting circled per frame.

    Returns ``(figure, update)``.  ``update(**values)``, with the values of the sweep's two
    hyperparameters, circles that setting and writes in the title the rate :math:`\rho` of
    the grid point nearest to it and the factor :math:`\rho^{\text{steps}}` by which it
    shrinks the error in ``steps`` steps, or "no convergence" if :math:`\rho \ge 1`.

    Parameters
    ----------
    result : Sweep
        A sweep over two hyperparameters, as for :func:`rate_map`.
    rates : array_like of the sweep's grid shape, optional
        The rates to draw and quote; ``result.rate()`` by default.
    levels : sequence of float
        Contour levels of ρ.
    optimum : (float, float), optional
        A setting to mark with a star, the theory's best for instance.
    steps : int
        The number of steps whose shrink factor the title quotes.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> res = dd.sweep(dd.momentum, dd.ill_conditioned(kappa=10.0), [1.0, 1.0], steps=100,
    ...                eta=np.linspace(0.02, 0.3, 15), beta=np.linspace(0.0, 0.9, 10))
    >>> fig, update = dd.plot.rate_map_scene(res)
    >>> update(eta=0.1, beta=0.5); fig.axes[0].get_title()[:21]
    'η = 0.1, β = 0.5: ρ ='

    Notes
    -----
    Taught in chapter 4, on the map of heavy-ball momentum's rate over (η, β).
    """
    steps = _checks.count("steps", steps, minimum=1)
    fig, ax = plt.subplots()
    rate_map(result, ax, rates=rates, levels=levels, colorbar=False)   # checks the sweep and the rates
    (xname, x), (yname, y) = result.grid.items()
    rho = result.rate() if rates is None else np.asarray(rates, dtype=np.float64)
    if optimum is not None:
        ax.plot(*optimum, "*", ms=13, color="white", mec="black")

    def update(**values):
        a, b = values[xname], values[yname]
        i, j = int(np.argmin(np.abs(x - a))), int(np.argmin(np.abs(y - b)))
        ax.plot(a, b, "o", ms=11, mfc="none", mec="red", mew=2.5)
        verdict = "no convergence"
        if rho[i, j] < 1:
            verdict = f"ρ = {rho[i, j]:.3f}: error ×{rho[i, j] ** steps:.1e} in {steps} steps"
        setting = ", ".join(f"{_SYMBOLS.get(k, k)} = {values[k]:g}" for k in (xname, yname))
        ax.set_title(f"{setting}: {verdict}", fontsize=10)

    return fig, update


__all__ += ["paths_scene", "rate_map_scene"]


def path_and_loss_scene(problem: Problem, runs, *, labels, steps: int, loss_limits, colors=None, bounds=None,
                        f_star: float | None = None, markers: bool = False, levels: int = 15, n: int = 100,
                        level_color=None, axis_labels=None, title=None, figsize=(9.6, 3.8)):
    r"""An explorer's paths and losses side by side: map, axes and legend drawn once, the runs per frame.

    The form of :func:`path_and_loss` that :func:`descend.explore` repaints quickly: it
    returns ``(figure, update)``, and ``update(**values)`` calls ``runs(**values)`` for the
    slider values, draws the paths it returns with :func:`path` over the :func:`contour` map
    (left) and their losses with :func:`loss` on fixed log axes (right), one colour per run.

    Parameters
    ----------
    problem : Problem
        A 2-D problem.
    runs : callable
        ``runs(**values) -> list of Trace``: the runs to draw for the slider values, always
        the same number, in the order of ``labels``.
    labels : sequence of str
        The legend's label of each run (the legend sits on the loss axes).
    steps : int
        The x-range of the loss axes, 0 to ``steps``.
    loss_limits : (float, float)
        The y-range of the loss axes, both > 0 (a log scale); it stays fixed while the sliders
        move, so choose it to hold the losses at every slider value.
    colors : sequence, optional
        One colour per run; the book's palette by default.
    bounds : ((x_lo, x_hi), (y_lo, y_hi)), optional
        The window of the map; the problem's by default.
    f_star : float, optional
        Plot the gap :math:`L(\theta_t) - L^\star` rather than the loss.
    markers : bool
        Mark every iterate on the paths (off by default: runs of hundreds of steps).
    levels, n : int
        Number of contour levels, and grid points per side for the map.
    level_color : color, optional
        One colour for every level curve (a grey, say, so that the paths stand out); by
        default they are coloured by height.
    axis_labels : (str, str), optional
        The names of the two coordinates on the map (``$x_1$`` and ``$x_2$`` by default).
    title : callable, optional
        ``title(traces, **values) -> str``, the map's title, set at every frame.
    figsize : (float, float)
        Figure size in inches.

    Examples
    --------
    >>> import matplotlib.pyplot as plt, descend as dd
    >>> p = dd.rosenbrock()
    >>> def runs(eta):
    ...     return [dd.run(dd.adagrad(eta=eta), p, [-1.5, 2.0], 100), dd.run(dd.adam(eta=eta), p, [-1.5, 2.0], 100)]
    >>> fig, update = dd.plot.path_and_loss_scene(p, runs, labels=["AdaGrad", "Adam"], steps=100,
    ...                                           loss_limits=(1e-6, 1e3), title=lambda traces, eta: f"η = {eta:g}")
    >>> update(eta=0.1); fig.axes[0].get_title(), [float(y) for y in fig.axes[1].get_ylim()]
    ('η = 0.1', [1e-06, 1000.0])
    >>> plt.close(fig)

    Notes
    -----
    Taught in chapter 7, whose explorers set AdaGrad against RMSProp on a sparse feature and
    move Adam's η and β₁ on Rosenbrock's function.
    """
    _check_problem(problem, 2)
    _checks.callable_("runs", runs)
    labels = [str(label) for label in labels]
    if not labels:
        raise ValueError("labels must name at least one run")
    colors = list(colors) if colors is not None else [PALETTE[i % len(PALETTE)] for i in range(len(labels))]
    if len(colors) != len(labels):
        raise ValueError(f"colors and labels must be of one length, got {len(colors)} and {len(labels)}")
    steps = _checks.count("steps", steps, minimum=1)
    lo, hi = (_checks.positive("loss_limits", v) for v in loss_limits)
    if not lo < hi:
        raise ValueError(f"loss_limits must be (lo, hi) with 0 < lo < hi, got {loss_limits}")
    if title is not None:
        _checks.callable_("title", title)
    fig = plt.figure(figsize=figsize)
    # fixed margins rather than a layout engine: explorers redraw this figure dozens of times
    ax_map, ax_loss = fig.subplots(1, 2, gridspec_kw=dict(left=0.08, right=0.98, bottom=0.13, top=0.9, wspace=0.25))
    contour(problem, ax_map, bounds=bounds, levels=levels, n=n)
    if level_color is not None:
        for lines in ax_map.collections:
            lines.set_edgecolor(level_color)
    if axis_labels is not None:
        ax_map.set(xlabel=axis_labels[0], ylabel=axis_labels[1])
    ax_loss.set(yscale="log", xlim=(0, steps), ylim=(lo, hi), xlabel="step t", ylabel=_loss_label(f_star))
    legend(ax_loss, colors, labels, loc="upper right", fontsize=8)

    def update(**values):
        traces = _as_traces(runs(**values))
        if len(traces) != len(labels):
            raise ValueError(f"runs returned {len(traces)} traces for {len(labels)} labels")
        path(traces, ax_map, colors=colors, markers=markers)
        loss(traces, ax_loss, colors=colors, f_star=f_star)
        if title is not None:
            ax_map.set_title(title(traces, **values), fontsize=10)

    return fig, update


__all__ += ["path_and_loss_scene"]


def surface_and_map(problem: Problem, heights, *, fig=None, bounds=None, labels: bool = True,
                    mark_minima: bool = True):
    r"""Side by side: the surface sliced at ``heights`` in 3-D, and the contour map of the same slices.

    The left panel is :func:`sliced_surface` (each slice drawn on the surface and on the floor
    of the box), the right one :func:`level_map`, in the same colours, so that each curve of
    the map can be found on the surface.

    Parameters
    ----------
    problem : Problem
        A 2-D problem.
    heights : sequence of float
        The heights of the slices, increasing.
    fig : Figure, optional
        The figure to draw into; a new one, 9 × 4 inches, by default.
    bounds : sequence of (lo, hi), optional
        The window; the problem's by default.
    labels : bool
        Write each curve's height on the map.
    mark_minima : bool
        Mark the problem's known minimizers on the map with a star.

    Returns
    -------
    Figure
        With the surface as ``fig.axes[0]`` and the map as ``fig.axes[1]``.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> fig = dd.plot.surface_and_map(dd.quadratic(np.diag([1.0, 4.0])), [0.5, 1.0, 1.5])
    >>> [ax.name for ax in fig.axes], [float(c) for c in fig.axes[1].collections[0].levels]
    (['3d', 'rectilinear'], [0.5, 1.0, 1.5])

    Notes
    -----
    Taught in chapter 3, where a surface becomes its contour map.
    """
    _check_problem(problem, 2)
    fig = fig if fig is not None else plt.figure(figsize=(9, 4))
    left = fig.add_axes((-0.04, 0.04, 0.56, 0.96), projection="3d")
    right = fig.add_axes((0.6, 0.12, 0.38, 0.83))
    sliced_surface(problem, heights, left, bounds=bounds)
    level_map(problem, heights, right, bounds=bounds, labels=labels, mark_minima=mark_minima)
    left.set_box_aspect(None, zoom=0.95)
    return fig


#: How :func:`critical_points` marks each kind of the second-derivative test.
CRITICAL_MARKERS = {"minimum": ("*", "black", 12), "maximum": ("^", PALETTE[1], 9),
                    "saddle": ("X", PALETTE[4], 9), "inconclusive": ("o", "0.4", 7)}


def critical_points(points, kinds, ax=None, *, legend: bool = True):
    r"""Mark critical points on a map, one marker per kind: minimum ★, maximum ▲, saddle ✕.

    Parameters
    ----------
    points : (k, 2) array_like
        The critical points.
    kinds : sequence of str
        Each point's kind, as :func:`descend.second_derivative_test` names them:
        ``"minimum"``, ``"maximum"``, ``"saddle"`` or ``"inconclusive"``.
    ax : Axes, optional
        The axes to draw on; new axes in a new figure by default.
    legend : bool
        Add a legend with one entry per kind present.

    Returns
    -------
    Axes

    Examples
    --------
    >>> import descend as dd
    >>> ax = dd.plot.critical_points([[0.0, 1.0], [0.0, 0.0]], ["minimum", "saddle"])
    >>> [line.get_marker() for line in ax.lines]
    ['*', 'X']

    Notes
    -----
    Taught in chapter 3, where minima, maxima and saddles are read off the level sets.
    """
    points = np.atleast_2d(np.asarray(points, dtype=np.float64))
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"points must have shape (k, 2), got {points.shape}")
    kinds = list(kinds)
    if len(kinds) != len(points):
        raise ValueError(f"kinds must give one kind per point: {len(points)} points, {len(kinds)} kinds")
    unknown = sorted(set(kinds) - set(CRITICAL_MARKERS))
    if unknown:
        raise ValueError(f"unknown kinds {unknown}; use {list(CRITICAL_MARKERS)}")
    ax = _axes(ax)
    for kind, (marker, color, size) in CRITICAL_MARKERS.items():
        at = points[[k == kind for k in kinds]]
        if len(at):
            ax.plot(at[:, 0], at[:, 1], marker=marker, color=color, mec="white", mew=0.8, ms=size, ls="none",
                    zorder=6, label=kind)
    if legend:
        ax.legend(loc="upper left", fontsize=8, framealpha=0.9, frameon=True)
    return ax


def match_scene(problems, order, *, levels: int = 8, fig=None):
    r"""A quiz for an explorer: one surface at a time in 3-D, beside all the contour maps, shuffled.

    The maps are drawn once: map ``j + 1`` is the contour map of ``problems[order[j]]``, with
    ``levels`` equally spaced heights strictly between the lowest and highest value of its
    loss in the window, dark for low and yellow for high, and no minimizer marked. The
    returned ``update(surface)`` draws the surface numbered ``surface`` (1 for the first
    problem, titled A, 2 for B, …), coloured by height in the same colours. Each surface is
    drawn over its window scaled to the unit square and with its heights scaled to [0, 1],
    so the 3-D axes keep fixed limits (an explorer then repaints only the surface).

    Parameters
    ----------
    problems : sequence of Problem
        Two to six 2-D problems, each with a window (``bounds``).
    order : sequence of int
        A permutation of ``range(len(problems))``: which surface each map shows.
    levels : int
        Number of level curves per map.
    fig : Figure, optional
        The figure to draw into; a new one by default.

    Returns
    -------
    (Figure, callable)
        The figure, with the 3-D axes as ``fig.axes[0]`` and the maps after it, and
        ``update(surface)``.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> bowl, pass_ = dd.quadratic(np.eye(2)), dd.quadratic(np.diag([1.0, -1.0]))
    >>> fig, update = dd.plot.match_scene([bowl, pass_], order=[1, 0])
    >>> update(2)
    >>> fig.axes[0].texts[0].get_text(), [ax.get_title() for ax in fig.axes[1:]]
    ('Surface B', ['1', '2'])

    Notes
    -----
    Taught in chapter 3, whose quiz matches surfaces to maps as an explorer:
    ``dd.explore(lambda: dd.plot.match_scene(problems, order), surface=dd.slider(1, k, 1), alt=...)``.
    """
    problems = list(problems)
    if not 2 <= len(problems) <= 6:
        raise ValueError(f"problems must hold two to six problems, got {len(problems)}")
    for p in problems:
        _check_problem(p, 2)
    k = len(problems)
    if np.ndim(order) != 1:
        raise TypeError(f"order must be a sequence of integers, got {order!r}")
    order = [_checks.count("order", i) for i in order]
    if sorted(order) != list(range(k)):
        raise ValueError(f"order must be a permutation of 0..{k - 1}, got {order}")
    levels = _checks.count("levels", levels, minimum=2)
    fig = fig if fig is not None else plt.figure(figsize=(9.6, 4.4))
    # fixed positions rather than a layout engine: an explorer redraws this figure per frame
    ax3 = fig.add_axes((-0.02, 0.02, 0.44, 0.9), projection="3d")
    cols = 3 if k > 4 else 2
    rows = -(-k // cols)
    width, height = 0.54 / cols, 0.86 / rows
    for j, i in enumerate(order):
        r, c = divmod(j, cols)
        ax = fig.add_axes((0.44 + c * width + 0.01, 0.96 - (r + 1) * height + 0.01, width - 0.02, height - 0.07))
        X, Y, Z = problems[i].grid(120)
        heights = np.linspace(np.nanmin(Z), np.nanmax(Z), levels + 2)[1:-1]
        level_map(problems[i], heights, ax, n=120, labels=False, mark_minima=False)
        ax.set(xticks=[], yticks=[], xlabel="", ylabel="")
        ax.set_title(str(j + 1), fontweight="bold", fontsize=10, pad=2)
    ax3.set(xlim=(0, 1), ylim=(0, 1), zlim=(0, 1), xticklabels=[], yticklabels=[], zticklabels=[])
    ax3.computed_zorder = False  # one surface: drawn in call order, the same in every frame
    ax3.set_box_aspect(None, zoom=1.05)
    # Every surface made and projected once, here: projecting 2,401 faces takes a tenth of a
    # second (matplotlib 3.10), and the view never changes, so a slider move only repaints
    # one; the set-up takes that much longer.  The projection is the one a draw computes
    # (Axes3D.draw sets M so); an explorer repaints a surface alone, without the full draw
    # that would project it.
    ax3.M = ax3.get_proj()
    surfaces = []
    for p in problems:
        X, Y, Z = p.grid(50)
        scale = lambda a: (a - np.nanmin(a)) / (np.nanmax(a) - np.nanmin(a))  # noqa: E731
        poly = ax3.plot_surface(scale(X), scale(Y), scale(Z), cmap="viridis", vmin=0.0, vmax=1.0, linewidth=0,
                                antialiased=True, rstride=1, cstride=1)
        poly.do_3d_projection()
        poly.remove()
        surfaces.append(poly)

    def update(surface):
        i = int(surface) - 1
        if not 0 <= i < k:
            raise ValueError(f"surface must be 1 … {k}, got {surface}")
        if surfaces[i].axes is None:   # not already shown (update called twice on one figure)
            ax3.add_collection(surfaces[i], autolim=False)
        # a text at a fixed place, not the title, whose position a full draw would move
        ax3.text2D(0.5, 1.0, f"Surface {'ABCDEF'[i]}", transform=ax3.transAxes, ha="center", va="top",
                   fontweight="bold", fontsize=12)

    return fig, update
