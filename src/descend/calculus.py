r"""Finite differences, gradient checks and Taylor approximations.

These are how the book checks every derivative it derives by hand: ``check_grad`` compares
an analytic gradient with central differences, as :func:`scipy.optimize.check_grad` does.
"""

from __future__ import annotations

import numpy as np

from . import _checks

__all__ = [
    "forward_difference",
    "central_difference",
    "numerical_grad",
    "numerical_hessian",
    "check_grad",
    "check_hessian",
    "directional_derivative",
    "taylor",
    "level_curve",
    "nearest_on_level_set",
    "largest_hessian_norm",
    "level_gap_bounds",
    "second_derivative_test",
    "bracket_zeros",
    "level_tangents",
    "numerical_jacobian",
    "loglog_slope",
    "takes_value",
    "critical_points",
    "chord_cosines",
    "trust_interval",
    "onto_level_set",
    "chord_deviation",
    "circle_crossings",
    "angle_between",
    "saddle_lines",
    "step_to_level",
]


def forward_difference(f, x, h=1e-6):
    r"""The forward difference :math:`\dfrac{f(x + h) - f(x)}{h}`, with error :math:`O(h)`.

    ``x`` and ``h`` may be arrays (they broadcast), so one call sweeps many step sizes.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> float(dd.forward_difference(np.exp, 0.0, h=1e-3))   # e^0 = 1, error ≈ h/2
    1.0005001667083846
    """
    _checks.callable_("f", f)
    x, h = np.asarray(x, dtype=np.float64), _step(h)
    return (f(x + h) - f(x)) / h


def central_difference(f, x, h=1e-6):
    r"""The central difference :math:`\dfrac{f(x + h) - f(x - h)}{2h}`, with error :math:`O(h^2)`.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> float(dd.central_difference(np.exp, 0.0, h=1e-3))   # error ≈ h²/6
    1.0000001666666813
    """
    _checks.callable_("f", f)
    x, h = np.asarray(x, dtype=np.float64), _step(h)
    return (f(x + h) - f(x - h)) / (2 * h)


def _step(h):
    h = np.asarray(h, dtype=np.float64)
    if not np.all(np.isfinite(h)) or np.any(h <= 0):
        raise ValueError(f"h must be a positive finite step (or array of them), got {h}")
    return h


def numerical_grad(f, x, h: float = 1e-6) -> np.ndarray:
    r"""The gradient of a scalar function by central differences, one coordinate at a time.

    .. math:: \frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h}
    """
    _checks.callable_("f", f)
    x = _checks.vector("x", x)
    h = _checks.positive("h", h)
    E = np.eye(x.size) * h
    return np.array([(_scalar(f(x + e)) - _scalar(f(x - e))) / (2 * h) for e in E])


def _scalar(value) -> float:
    arr = np.asarray(value, dtype=np.float64)
    if arr.size != 1:
        raise ValueError(f"f must return a single number (a scalar loss), got an array of shape {arr.shape}")
    return float(arr.reshape(()))


def numerical_hessian(grad, x, h: float = 1e-5) -> np.ndarray:
    r"""The Hessian by central differences of the gradient, symmetrized.

    .. math:: H_{:, i} \approx \frac{\nabla f(x + h e_i) - \nabla f(x - h e_i)}{2h}
    """
    _checks.callable_("grad", grad)
    x = _checks.vector("x", x)
    h = _checks.positive("h", h)
    E = np.eye(x.size) * h
    H = np.column_stack([(np.asarray(grad(x + e)) - np.asarray(grad(x - e))) / (2 * h) for e in E])
    return 0.5 * (H + H.T)


def _relative_error(a: np.ndarray, b: np.ndarray) -> float:
    scale = max(np.linalg.norm(a), np.linalg.norm(b), 1e-8)
    return float(np.linalg.norm(a - b) / scale)


def check_grad(f, grad, x, h: float = 1e-6) -> float:
    r"""Relative error between an analytic gradient and central differences at ``x``.

    .. math:: \frac{\lVert g - \hat g\rVert}{\max(\lVert g\rVert, \lVert\hat g\rVert)}

    A correct gradient usually gives about 1e-7 or less (round-off sets the floor) and a
    wrong one something much larger, but one point proves neither: where the gradient is
    tiny, round-off in the differences can make a correct gradient score high, and a wrong
    term that happens to be small at ``x`` can score low. Check at several random points
    (chapter 1 shows both failures).

    Parameters
    ----------
    f : callable or Problem
        The function, or a :class:`~descend.Problem` (then ``grad`` may be omitted).
    grad : callable
        Its claimed gradient.
    x : array_like
        Where to compare.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> f = lambda x: np.sin(x[0]) * x[1] ** 2
    >>> right = lambda x: np.array([np.cos(x[0]) * x[1] ** 2, 2 * np.sin(x[0]) * x[1]])
    >>> wrong = lambda x: np.array([np.cos(x[0]) * x[1] ** 2, np.sin(x[0]) * x[1]])
    >>> dd.check_grad(f, right, [0.3, 1.2]) < 1e-8, dd.check_grad(f, wrong, [0.3, 1.2]) > 0.1
    (True, True)
    """
    f, grad = _unpack(f, grad, "grad")
    x = _checks.vector("x", x)
    return _relative_error(np.asarray(grad(x), dtype=np.float64), numerical_grad(f, x, h))


def check_hessian(grad, hess, x, h: float = 1e-5) -> float:
    """Relative error (Frobenius norm) between an analytic Hessian and differences of ``grad``."""
    if hasattr(grad, "grad") and hasattr(grad, "hess"):
        grad, hess = grad.grad, (hess if hess is not None else grad.hess)
    _checks.callable_("hess", hess)
    x = _checks.vector("x", x)
    return _relative_error(np.asarray(hess(x), dtype=np.float64), numerical_hessian(grad, x, h))


def _unpack(f, second, name):
    if hasattr(f, "f") and hasattr(f, "grad"):  # a Problem
        return f.f, second if second is not None else getattr(f, name)
    _checks.callable_("f", f)
    _checks.callable_(name, second)
    return f, second


def directional_derivative(grad, x, d) -> float:
    r"""The slope of f at x along the unit vector :math:`u = d / \lVert d\rVert`: :math:`\nabla f(x)^\top u`."""
    _checks.callable_("grad", grad)
    x = _checks.vector("x", x)
    d = _checks.vector("d", d, dim=x.size)
    norm = np.linalg.norm(d)
    if norm == 0:
        raise ValueError("d must be a non-zero direction")
    return float(np.asarray(grad(x)) @ (d / norm))


def taylor(problem, x0, order: int = 1):
    r"""The Taylor approximation of a problem's loss around ``x0``, as a function.

    .. math::
        L(x) \approx L(x_0) + \nabla L(x_0)^\top (x - x_0)
        \;\bigl[+ \tfrac12 (x - x_0)^\top H(x_0) (x - x_0)\bigr]

    Parameters
    ----------
    problem : Problem
    x0 : array_like
        The expansion point.
    order : {1, 2}
        First order (the tangent line or plane) or second order (needs ``problem.hess``).

    Returns
    -------
    callable
        Evaluates like ``problem.f``: on a point ``(d,)`` or a stack ``(d, *batch)``.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> p = dd.rosenbrock()
    >>> q = dd.taylor(p, [0.5, 0.5], order=2)
    >>> x = np.array([0.51, 0.49])
    >>> abs(float(q(x)) - float(p.f(x))) < 1e-3
    True
    """
    _checks.choice("order", order, (1, 2))
    x0 = _checks.vector("x0", x0, dim=problem.dim)
    f0, g0 = float(problem.f(x0)), np.asarray(problem.grad(x0), dtype=np.float64)
    if order == 2 and problem.hess is None:
        raise ValueError(f"order=2 needs a Hessian, and problem {problem.name!r} has none")
    H0 = np.asarray(problem.hess(x0), dtype=np.float64) if order == 2 else None

    def approx(x):
        dx = np.asarray(x, dtype=np.float64) - x0.reshape((-1,) + (1,) * (np.ndim(x) - 1))
        value = f0 + np.tensordot(g0, dx, axes=1)
        if H0 is not None:
            value = value + 0.5 * np.einsum("i...,ij,j...->...", dx, H0, dx)
        return value

    return approx


def level_curve(problem, level: float, *, n: int = 400, bounds=None) -> list[np.ndarray]:
    r"""Points on the level set :math:`\{x : L(x) = c\}` of a 2-D problem, inside its window.

    The curve is traced on an ``n × n`` grid by marching squares (``contourpy``, the engine of
    matplotlib's contour plots) and returned as polylines.

    Returns
    -------
    list of (k, 2) arrays
        One array of points per connected piece of the curve.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> pieces = dd.level_curve(dd.quadratic(np.eye(2)), 0.5)     # the unit circle
    >>> radii = np.linalg.norm(pieces[0], axis=1)
    >>> bool(np.allclose(radii, 1.0, atol=1e-3))
    True
    """
    import contourpy

    level = _checks.real("level", level)
    X, Y, Z = problem.grid(n, bounds)
    lines = contourpy.contour_generator(X, Y, np.where(np.isfinite(Z), Z, np.nan)).lines(level)
    return [np.asarray(piece) for piece in lines if len(piece) > 1]


def nearest_on_level_set(problem, point, level: float, *, radius: float, n: int = 301) -> np.ndarray:
    r"""The point of the level set :math:`\{x : L(x) = c\}` nearest to ``point``, of a 2-D problem.

    The level set is traced by :func:`level_curve` on an ``n × n`` grid of the square of
    half-width ``radius`` centred on ``point``, and ``point`` is projected onto every segment
    of the traced polylines; the nearest projection is returned. Every point outside the
    square is farther than ``radius``, so a nearest point found within ``radius`` is the
    nearest of the whole level set, up to the tracing error: the polylines interpolate
    linearly between grid points :math:`h = 2\,\mathrm{radius}/(n - 1)` apart, and lie
    within :math:`O(h^2)` of the true curve where the gradient is not small. The distance
    is accurate to second order in h, the position of the nearest point only to first order
    (the distance hardly changes along the curve near its minimum).

    Parameters
    ----------
    problem : Problem
        A 2-D problem (``problem.f`` evaluates on a grid).
    point : array_like, shape (2,)
        Where to measure from.
    level : float
        The height c of the level set.
    radius : float
        Half-width of the square searched; the answer must lie within this distance.
    n : int
        Grid points per side of the square.

    Returns
    -------
    (2,) array
        The nearest point found.

    Raises
    ------
    ValueError
        If the level set does not come within ``radius`` of ``point``.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> bowl = dd.quadratic(np.eye(2))                     # circles ½‖x‖² = c
    >>> q = dd.calculus.nearest_on_level_set(bowl, [0.6, 0.0], 0.5, radius=1.0)
    >>> round(float(np.linalg.norm(q - [0.6, 0.0])), 5)     # straight out to the unit circle
    0.4

    Notes
    -----
    Taught in chapter 3, where it measures the gap between neighbouring contours.
    """
    point = _checks.vector("point", point, dim=2)
    radius = _checks.positive("radius", radius)
    n = _checks.count("n", n, minimum=3)
    box = [(point[0] - radius, point[0] + radius), (point[1] - radius, point[1] + radius)]
    best, nearest = np.inf, None
    for piece in level_curve(problem, level, n=n, bounds=box):
        a, ab = piece[:-1], np.diff(piece, axis=0)
        t = np.clip(((point - a) * ab).sum(1) / np.maximum((ab * ab).sum(1), np.finfo(float).tiny), 0.0, 1.0)
        q = a + t[:, None] * ab
        d = np.linalg.norm(q - point, axis=1)
        i = int(np.argmin(d))
        if d[i] < best:
            best, nearest = d[i], q[i]
    if nearest is None or best > radius:
        raise ValueError(f"the level set L = {level:g} does not come within radius={radius:g} of {point}; "
                         "give a larger radius")
    return nearest


def largest_hessian_norm(problem, center, radius: float, *, n: int = 60) -> float:
    r"""The largest spectral norm :math:`\lVert\nabla^2 L(x)\rVert_2` measured on a disc.

    Evaluates the Hessian of a 2-D problem on a polar grid of the disc
    :math:`\lVert x - \text{center}\rVert \le \text{radius}` (``n`` radii by ``4n`` angles)
    and returns the largest :math:`\max_i |\lambda_i|`. It is a measurement, not a proof:
    between the grid points the norm can be slightly larger.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> dd.calculus.largest_hessian_norm(dd.quadratic(np.diag([1.0, -3.0])), [0.0, 0.0], 1.0)
    3.0

    Notes
    -----
    Taught in chapter 3, as the curvature M of :func:`level_gap_bounds`.
    """
    if problem.hess is None:
        raise ValueError(f"problem {problem.name!r} has no Hessian")
    center = _checks.vector("center", center, dim=2)
    radius = _checks.real("radius", radius, lo=0.0)
    n = _checks.count("n", n, minimum=2)
    r, a = np.meshgrid(np.linspace(0.0, radius, n), np.linspace(0.0, 2 * np.pi, 4 * n, endpoint=False))
    pts = np.stack([center[0] + r * np.cos(a), center[1] + r * np.sin(a)]).reshape(2, -1)
    H = np.moveaxis(np.asarray(problem.hess(pts), dtype=np.float64).reshape(2, 2, -1), -1, 0)
    return float(np.abs(np.linalg.eigvalsh(0.5 * (H + np.swapaxes(H, 1, 2)))).max())


def level_gap_bounds(grad_norm, curvature, dc):
    r"""Bounds on the distance from a point to the next contour, :math:`L = L(\theta) + \Delta c`.

    Let L be twice continuously differentiable, :math:`g = \lVert\nabla L(\theta)\rVert > 0`,
    :math:`\Delta c > 0`, and :math:`M \ge \lVert\nabla^2 L(x)\rVert_2` for every x within
    :math:`2\Delta c/g` of θ. Then the distance d from θ to the level set
    :math:`\{L = L(\theta) + \Delta c\}` satisfies

    .. math::
        \frac{2\Delta c}{g + \sqrt{g^2 + 2M\Delta c}} \;\le\; d \;\le\;
        \frac{2\Delta c}{g + \sqrt{g^2 - 2M\Delta c}},

    the upper bound when :math:`2M\Delta c \le g^2` (otherwise it is returned as ``inf``).
    Both are :math:`\frac{\Delta c}{g}\bigl(1 \mp \frac{M\Delta c}{2g^2} + O(\Delta c^2)\bigr)`:
    the first-order gap :math:`\Delta c/g` is good when :math:`M\Delta c \ll g^2`.

    Proof: by Taylor's theorem, :math:`L(x) \le L(\theta) + g r + \tfrac12 M r^2` at distance
    r, so reaching :math:`L(\theta) + \Delta c` needs r at least the lower bound; along the
    gradient :math:`L \ge L(\theta) + g s - \tfrac12 M s^2`, which reaches
    :math:`L(\theta) + \Delta c` at the upper bound.

    Parameters
    ----------
    grad_norm : float or array
        :math:`g = \lVert\nabla L(\theta)\rVert > 0`.
    curvature : float or array
        M ≥ 0.
    dc : float or array
        :math:`\Delta c > 0`.

    Returns
    -------
    (lower, upper) : floats or arrays

    Examples
    --------
    >>> import descend as dd
    >>> dd.calculus.level_gap_bounds(2.0, 0.0, 0.1)             # a plane: exactly Δc/g
    (0.05, 0.05)
    >>> lo, hi = dd.calculus.level_gap_bounds(0.05, 0.1, 0.05)  # 2MΔc > g²: no upper bound
    >>> hi
    inf

    Notes
    -----
    Taught in chapter 3 (the lemma on the gap between contours).
    """
    g = _checks.real("grad_norm", grad_norm if np.ndim(grad_norm) == 0 else np.asarray(grad_norm),
                     lo=0.0, lo_open=True)
    M = _checks.real("curvature", curvature if np.ndim(curvature) == 0 else np.asarray(curvature), lo=0.0)
    dc = _checks.real("dc", dc if np.ndim(dc) == 0 else np.asarray(dc), lo=0.0, lo_open=True)
    lower = 2 * dc / (g + np.sqrt(g * g + 2 * M * dc))
    disc = g * g - 2 * M * dc
    with np.errstate(invalid="ignore"):
        upper = np.where(disc >= 0, 2 * dc / (g + np.sqrt(np.maximum(disc, 0.0))), np.inf)
    if np.ndim(lower) == 0:
        return float(lower), float(upper)
    return lower, upper


def second_derivative_test(H, tol: float = 1e-8) -> str:
    r"""Classify a critical point (:math:`\nabla L = 0`) by the eigenvalues of its Hessian.

    At a critical point :math:`L(x^\star + \Delta) \approx L(x^\star) + \tfrac12 \sum_i \lambda_i
    (q_i^\top \Delta)^2`, with :math:`\lambda_i, q_i` the eigenpairs of H, so:

    * all :math:`\lambda_i > 0` (H positive definite): a strict local ``"minimum"``;
    * all :math:`\lambda_i < 0` (negative definite): a strict local ``"maximum"``;
    * some > 0 and some < 0: a ``"saddle"`` (up along some directions, down along others);
    * otherwise — some :math:`\lambda_i = 0` and the rest of one sign — ``"inconclusive"``:
      the second-order terms vanish along an eigenvector and higher orders decide.

    Parameters
    ----------
    H : (d, d) array_like
        The Hessian at the critical point (symmetric).
    tol : float
        Eigenvalues with :math:`|\lambda| \le` ``tol`` · :math:`\max_i |\lambda_i|` count as zero
        (a Hessian computed by finite differences is never exactly singular).

    Returns
    -------
    str
        ``"minimum"``, ``"maximum"``, ``"saddle"`` or ``"inconclusive"``.

    Examples
    --------
    >>> import descend as dd
    >>> dd.second_derivative_test([[2.0, 0.0], [0.0, -1.0]])
    'saddle'
    >>> dd.second_derivative_test([[2.0, 0.0], [0.0, 0.0]])     # x² + y⁴ and x² − y⁴ alike
    'inconclusive'

    References
    ----------
    Goodfellow, I., Bengio, Y., Courville, A. (2016). Deep Learning, section 4.3.1.
    Taught in chapter 9.
    """
    H = _checks.matrix("H", H, symmetric=True)
    tol = _checks.real("tol", tol, lo=0.0)
    lam = np.linalg.eigvalsh(H)
    zero = np.abs(lam) <= tol * np.abs(lam).max(initial=0.0)
    positive, negative = np.any((lam > 0) & ~zero), np.any((lam < 0) & ~zero)
    if positive and negative:
        return "saddle"
    if zero.any():
        return "inconclusive"
    return "minimum" if positive else "maximum"


def bracket_zeros(f, grid, slope_bound, *, df=None, curvature_bound=None) -> np.ndarray:
    r"""The grid cells that hold the zeros of a smooth function, with a proof that no zero is missed.

    Given ``df`` and ``curvature_bound`` as well, each returned cell is also proved to hold
    exactly one zero; without them a cell where f changes sign holds at least one.

    On a cell :math:`[a, b]` of the grid, of width :math:`w = b - a`, let :math:`M_1` bound
    :math:`|f'|`. If f had a zero :math:`\xi` in the cell, then
    :math:`|f(a)| \le M_1(\xi - a)` and :math:`|f(b)| \le M_1(b - \xi)`, so

    .. math:: |f(a)| + |f(b)| \le M_1 w .

    A cell where this fails and f keeps its sign therefore holds no zero. A cell where f
    changes sign holds at least one (intermediate value theorem). Given ``df`` and a bound
    :math:`M_2` of :math:`|f''|`, the same test applied to :math:`f'` shows on a cell that
    :math:`f'` keeps one sign there, so f is strictly monotone on it: then a cell where f
    changes sign holds exactly one zero, and f changes sign through it; and a cell where f
    keeps its sign holds none, even next to a zero, where the first test cannot decide. A
    cell that no test decides raises an error: refine the grid there.

    The proof assumes that ``slope_bound`` and ``curvature_bound`` are true bounds (the
    caller proves them) and that ``df`` is the derivative of ``f``. The tests compare
    floating-point values, so they also assume that the rounding errors of ``f`` and ``df``
    are far below the margins by which the cells are decided; to allow an error ε in every
    value, add :math:`2\varepsilon/w` to each bound and check that no value of f on the grid
    is within ε of zero (chapter 1 does this).

    Parameters
    ----------
    f : callable
        The function, evaluated on an array of points.
    grid : (n,) array_like
        Increasing points covering the interval.
    slope_bound : callable
        ``slope_bound(a, b)`` gives, for arrays of cell ends, a bound of :math:`|f'|` on each
        cell.
    df, curvature_bound : callable, optional
        :math:`f'` and a bound of :math:`|f''|` on each cell (same signature as
        ``slope_bound``); with them every bracket is proved to hold exactly one zero.

    Returns
    -------
    (k, 2) array
        The cells ``[a, b]`` that hold the zeros, in increasing order.

    Raises
    ------
    ValueError
        If f is exactly zero at a grid point, or a cell can be decided by neither test.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> grid = np.linspace(0.5, 10.0, 200)
    >>> one = lambda a, b: np.ones_like(a)                     # |sin'| ≤ 1 and |sin''| ≤ 1
    >>> cells = dd.calculus.bracket_zeros(np.sin, grid, one, df=np.cos, curvature_bound=one)
    >>> len(cells), [bool(a < k * np.pi < b) for k, (a, b) in zip((1, 2, 3), cells)]   # π, 2π, 3π
    (3, [True, True, True])

    Notes
    -----
    Taught in chapter 1, where it counts the stationary points of a loss.
    """
    _checks.callable_("f", f)
    _checks.callable_("slope_bound", slope_bound)
    grid = _checks.vector("grid", grid)
    if grid.size < 2 or np.any(np.diff(grid) <= 0):
        raise ValueError("grid must hold at least two strictly increasing points")
    if (df is None) != (curvature_bound is None):
        raise ValueError("give df and curvature_bound together, or neither")
    a, b, w = grid[:-1], grid[1:], np.diff(grid)

    def undecided(values, bound):
        return ~(np.abs(values[:-1]) + np.abs(values[1:]) > np.asarray(bound(a, b), dtype=np.float64) * w)

    v = np.asarray(f(grid), dtype=np.float64)
    if np.any(v == 0):
        raise ValueError(f"f is exactly zero at the grid point {grid[np.argmax(v == 0)]!r}: shift the grid")
    change = np.sign(v[:-1]) != np.sign(v[1:])
    monotone = np.zeros_like(change)
    if df is not None:
        _checks.callable_("df", df)
        _checks.callable_("curvature_bound", curvature_bound)
        d = np.asarray(df(grid), dtype=np.float64)
        monotone = (np.sign(d[:-1]) == np.sign(d[1:])) & (d[:-1] != 0) & ~undecided(d, curvature_bound)
    unknown = ~change & undecided(v, slope_bound) & ~monotone   # a monotone f keeps its sign
    if unknown.any():
        raise ValueError(f"{int(unknown.sum())} cells may hide a pair of zeros (the first is "
                         f"[{a[unknown][0]!r}, {b[unknown][0]!r}]): refine the grid there")
    unproved = change & ~monotone if df is not None else np.zeros_like(change)
    if unproved.any():
        raise ValueError(f"{int(unproved.sum())} cells where f changes sign may hold more than one zero "
                         f"(the first is [{a[unproved][0]!r}, {b[unproved][0]!r}]): refine the grid there")
    return np.column_stack([a[change], b[change]])


def level_tangents(problem, points, level: float, *, h: float = 1e-5, steps: int = 50):
    r"""Points on a level curve of a 2-D problem and the curve's unit tangents there, without using the gradient's direction.

    Near a point where :math:`\partial L/\partial x_k \ne 0`, the level curve
    :math:`\{L = c\}` is the graph of a function :math:`x_k = \varphi(x_j)` of the other
    coordinate (the implicit function theorem). For each point, k is the coordinate with
    the larger partial derivative; :math:`\varphi` is evaluated by solving
    :math:`L = c` for :math:`x_k` with :math:`x_j` fixed (Newton's method in one variable),
    at :math:`x_j` and at :math:`x_j \pm h`, and the tangent is
    :math:`e_j + \varphi'(x_j)\, e_k`, normalized, with the central difference
    :math:`\varphi'(x_j) \approx (\varphi(x_j + h) - \varphi(x_j - h))/(2h)`. Its error is
    :math:`O(h^2)` plus the round-off of the solves divided by h.

    Parameters
    ----------
    problem : Problem
        A 2-D problem with a gradient (used only for the one-variable Newton steps).
    points : (m, 2) array_like
        Points near the level curve (for example from :func:`level_curve`).
    level : float
        The height c.
    h : float
        The step of the central difference.
    steps : int
        The most Newton steps per solve.

    Returns
    -------
    on_curve, tangents : (m, 2) arrays
        The points moved onto the curve along :math:`e_k`, and the unit tangents there.

    Raises
    ------
    ValueError
        If a solve does not converge (the point is too far from the curve).

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> circle = dd.quadratic(np.eye(2))                       # ½‖x‖² = ½: the unit circle
    >>> q, t = dd.calculus.level_tangents(circle, [[0.6, 0.81], [-0.7, 0.7]], 0.5)
    >>> bool(np.allclose(np.linalg.norm(q, axis=1), 1.0)), bool(np.allclose((q * t).sum(1), 0.0))
    (True, True)

    Notes
    -----
    Taught in chapter 1, where it confirms that the gradient is perpendicular to a level curve.
    """
    points = np.atleast_2d(np.asarray(points, dtype=np.float64))
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"points must have shape (m, 2), got {points.shape}")
    level = _checks.real("level", level)
    h = _checks.positive("h", h)
    steps = _checks.count("steps", steps, minimum=1)

    def solve(x, k):                     # L(x) = c for the coordinate k of x, the other fixed
        x = x.copy()
        for _ in range(steps):
            dk = float(np.asarray(problem.grad(x))[k])
            if dk == 0 or not np.isfinite(dk):
                break
            residual = float(problem.f(x)) - level
            # Solved once the residual is at the round-off of L itself: where dk is small,
            # that round-off divided by dk keeps the steps from shrinking any further.
            if abs(residual) <= 8 * np.finfo(float).eps * max(1.0, abs(level)):
                return x
            step = residual / dk
            x[k] -= step
            if abs(step) <= 4 * np.finfo(float).eps * max(1.0, abs(x[k])):
                return x
        raise ValueError(f"could not solve L = {level:g} for coordinate {k} near {x}: is the point near the curve?")

    on_curve, tangents = [], []
    for p in points:
        k = int(np.argmax(np.abs(np.asarray(problem.grad(p)))))
        j = 1 - k
        q = solve(p, k)
        e = np.eye(2)[j] * h
        slope = (solve(q + e, k)[k] - solve(q - e, k)[k]) / (2 * h)
        t = np.eye(2)[j] + slope * np.eye(2)[k]
        on_curve.append(q)
        tangents.append(t / np.linalg.norm(t))
    return np.array(on_curve), np.array(tangents)


def trust_interval(problem, model, x0: float, *, tol: float, bounds, n: int = 4001) -> tuple[float, float]:
    r"""The interval around ``x0`` on which a model of a 1-D loss stays within ``tol`` of it.

    On ``n`` evenly spaced points :math:`\theta_j` of ``bounds``, starting from the one
    nearest ``x0``, the longest run of neighbours on which

    .. math:: \lvert m(\theta_j) - L(\theta_j) \rvert < \text{tol},

    where m is ``model`` (a Taylor approximation from :func:`taylor`, say).  Its width
    measures how far from ``x0`` the model can be trusted.

    Parameters
    ----------
    problem : Problem
        A 1-D problem (:func:`descend.scalar`).
    model : callable
        Evaluates like ``problem.f``, on a stack of points of shape ``(1, n)``.
    x0 : float
        The centre, inside ``bounds``.
    tol : float
        The largest error allowed, > 0.
    bounds : (lo, hi)
        The window searched; the interval must end inside it.
    n : int
        The number of grid points.

    Returns
    -------
    (float, float)
        The first and last grid points of the interval.

    Raises
    ------
    ValueError
        If the model is off by ``tol`` at ``x0`` itself, or the interval reaches an end of
        ``bounds`` (then widen them: the true interval may be longer).

    Examples
    --------
    >>> import descend as dd
    >>> p = dd.scalar(lambda t: t**3, lambda t: 3 * t**2, lambda t: 6 * t)
    >>> lo, hi = dd.calculus.trust_interval(p, dd.taylor(p, [1.0], order=1), 1.0,
    ...                                     tol=0.01, bounds=(0.0, 2.0), n=2001)
    >>> round(lo, 3), round(hi, 3)        # the error is 3(θ − 1)² + (θ − 1)³
    (0.942, 1.057)

    Taught in chapter 2, where the parabola is trusted twice as far as the tangent line.
    """
    _checks.callable_("model", model)
    if getattr(problem, "dim", None) != 1:
        raise ValueError("problem must be a 1-D problem such as descend.scalar(...)")
    tol = _checks.positive("tol", tol)
    n = _checks.count("n", n, minimum=3)
    try:
        lo, hi = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise ValueError(f"bounds must be a pair (lo, hi), got {bounds!r}") from None
    x0 = _checks.real("x0", x0, lo=lo, hi=hi)
    grid = np.linspace(lo, hi, n)
    i0 = int(np.argmin(np.abs(grid - x0)))
    bad = np.abs(np.asarray(model(grid[None]), dtype=np.float64) - np.asarray(problem.f(grid[None]))) >= tol
    if bad[i0]:
        raise ValueError(f"the model is off by at least tol = {tol:g} at x0 = {x0:g} itself")
    if not (bad[:i0].any() and bad[i0:].any()):
        raise ValueError(f"the interval reaches an end of bounds = ({lo:g}, {hi:g}): widen them")
    first = i0 - int(np.argmax(bad[i0::-1])) + 1
    last = i0 + int(np.argmax(bad[i0:])) - 1
    return float(grid[first]), float(grid[last])


def numerical_jacobian(f, x, h: float = 1e-6) -> np.ndarray:
    r"""The Jacobian of a vector function by central differences, one column per coordinate.

    .. math:: J_{:, j} \approx \frac{f(x + h e_j) - f(x - h e_j)}{2h}

    Row i is the gradient of the output :math:`f_i` (for a scalar f, the one row is the
    transposed gradient). Unlike :func:`numerical_hessian`, the result is not symmetrized: a
    Jacobian in general is not symmetric.

    Parameters
    ----------
    f : callable
        ``f(x) -> array`` of shape (m,) (or a number, m = 1).
    x : array_like
        The point, of shape (n,).
    h : float
        The step of the central differences.

    Returns
    -------
    (m, n) ndarray

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> f = lambda x: np.array([x[0] * x[1], np.sin(x[0])])   # J = [[x₂, x₁], [cos x₁, 0]]
    >>> np.round(dd.calculus.numerical_jacobian(f, [1.0, 2.0]), 6)
    array([[2.      , 1.      ],
           [0.540302, 0.      ]])

    Notes
    -----
    Taught in chapter 1, where it measures the Jacobian of the sigmoid neuron's map
    :math:`\theta \mapsto \sigma(X\theta)` to check the chain rule.
    """
    _checks.callable_("f", f)
    x = _checks.vector("x", x)
    h = _checks.positive("h", h)
    E = np.eye(x.size) * h
    return np.column_stack([(np.atleast_1d(np.asarray(f(x + e), dtype=np.float64))
                             - np.atleast_1d(np.asarray(f(x - e), dtype=np.float64))) / (2 * h)
                            for e in E])


def loglog_slope(x, y) -> float:
    r"""The slope of the least-squares line through the points :math:`(\log x_i, \log |y_i|)`.

    If :math:`|y| \approx C x^p`, the slope is p: for the error of a finite difference against
    its step h, p is the order of accuracy (1 for the forward difference, 2 for the central
    one); for a cost against a size, the exponent of its growth. The base of the logarithm
    does not matter.

    Parameters
    ----------
    x : array_like
        Positive abscissae (steps, sizes, ...), at least two distinct.
    y : array_like
        The measured values, none zero (their sign is ignored).

    Returns
    -------
    float
        The fitted exponent p.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> h = np.array([1e-1, 1e-2, 1e-3])
    >>> round(dd.calculus.loglog_slope(h, 3 * h**2), 12)
    2.0
    >>> err = dd.central_difference(np.exp, 1.0, h) - np.e      # the central difference
    >>> round(dd.calculus.loglog_slope(h, err), 3)
    2.0

    Notes
    -----
    Taught in chapter 1, where it measures the orders of the forward and central differences.
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.abs(np.asarray(y, dtype=np.float64).ravel())
    if x.size != y.size:
        raise ValueError(f"x and y must have the same number of points, got {x.size} and {y.size}")
    if x.size < 2 or np.unique(x).size < 2:
        raise ValueError("a slope needs at least two distinct x")
    if not (np.all(np.isfinite(x)) and np.all(x > 0)):
        raise ValueError("x must be positive and finite: its logarithm is taken")
    if not (np.all(np.isfinite(y)) and np.all(y > 0)):
        raise ValueError("y must be finite and non-zero: the logarithm of |y| is taken")
    return float(np.polyfit(np.log10(x), np.log10(y), 1)[0])


def takes_value(f, value: float, lo: float, hi: float, *, n: int = 2001) -> bool:
    r"""Whether a continuous function certainly takes ``value`` somewhere in :math:`[lo, hi]`.

    True when ``value`` lies between the smallest and the largest of ``f`` at ``n`` evenly
    spaced points of the interval: by the intermediate value theorem a continuous f then
    equals ``value`` at some :math:`\xi` in between. False means only that the grid shows no
    such point. It is how the book checks a mean-value form such as Taylor's remainder
    :math:`\frac{h}{2} L''(\xi)`, where :math:`\xi` is not known.

    Parameters
    ----------
    f : callable
        A continuous function of one variable, applied to an array of points.
    value : float
        The value sought.
    lo, hi : float
        The interval, :math:`lo \le hi`.
    n : int
        The number of grid points.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> dd.calculus.takes_value(np.cos, 0.5, 0.0, 2.0)        # cos ξ = ½ at ξ = π/3
    True
    >>> dd.calculus.takes_value(np.cos, 1.5, 0.0, 2.0)
    False

    Notes
    -----
    Taught in chapter 1, for the error formulas of the forward and central differences.
    """
    _checks.callable_("f", f)
    value, lo, hi = _checks.real("value", value), _checks.real("lo", lo), _checks.real("hi", hi)
    n = _checks.count("n", n, minimum=2)
    if hi < lo:
        raise ValueError(f"need lo <= hi, got [{lo:g}, {hi:g}]")
    values = np.asarray(f(np.linspace(lo, hi, n)), dtype=np.float64)
    return bool(values.min() <= value <= values.max())


def critical_points(problem, starts, *, steps: int = 60, tol: float = 1e-8,
                    merge: float = 1e-6) -> np.ndarray:
    r"""Points where the gradient vanishes, found by Newton's method from many starts at once.

    From every start, ``steps`` Newton steps
    :math:`\theta \leftarrow \theta - H(\theta)^{+} \nabla L(\theta)`, with the pseudo-inverse
    :math:`H^{+}` so that a singular Hessian does not stop the search. Newton's method goes to
    any critical point, minimum, saddle or maximum alike (chapter 9), which is what a search
    for all of them needs. The ends where :math:`\lVert\nabla L\rVert <` ``tol`` are kept, and
    ends within ``merge`` of one already kept are dropped. A search from finitely many starts
    can miss a critical point: it finds, it does not prove that there are no others.

    Parameters
    ----------
    problem : Problem
        A problem with ``grad`` and ``hess`` that accept a batch of points, shape (d, n).
    starts : (n, d) array_like
        The starting points.
    steps : int
        The number of Newton steps from each start.
    tol : float
        The largest gradient norm of a point that counts as critical.
    merge : float
        Points closer than this count as one.

    Returns
    -------
    (k, d) ndarray
        The distinct critical points found, in the order of their first start.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> starts = [[1.0, 1.5], [-1.0, -2.0], [0.5, 0.3], [2.0, 1.2]]     # the last ends at (0, 1) again
    >>> dd.calculus.critical_points(dd.saddle(), starts).round(9) + 0.0  # two minima and the saddle
    array([[ 0.,  1.],
           [ 0., -1.],
           [ 0.,  0.]])

    Notes
    -----
    Taught in chapter 1, where it finds the nine critical points of Himmelblau's function.
    """
    if problem.hess is None:
        raise ValueError(f"{problem.name} has no Hessian: Newton's method needs one")
    xy = np.atleast_2d(np.asarray(starts, dtype=np.float64)).T.copy()
    steps = _checks.count("steps", steps, minimum=1)
    tol, merge = _checks.positive("tol", tol), _checks.positive("merge", merge)
    for _ in range(steps):
        H = np.moveaxis(np.asarray(problem.hess(xy), dtype=np.float64), -1, 0)   # (n, d, d)
        g = np.asarray(problem.grad(xy), dtype=np.float64).T                   # (n, d)
        xy = xy - (np.linalg.pinv(H) @ g[:, :, None])[:, :, 0].T
    found: list[np.ndarray] = []
    with np.errstate(invalid="ignore"):
        small = np.linalg.norm(np.asarray(problem.grad(xy), dtype=np.float64), axis=0) < tol
    for c in xy[:, small].T:
        if all(np.linalg.norm(c - d) > merge for d in found):
            found.append(c)
    return np.array(found).reshape(-1, xy.shape[0])


def chord_cosines(problem, curve) -> np.ndarray:
    r"""How far each chord of a traced curve is from perpendicular to the gradient.

    For every chord :math:`c_k = p_{k+1} - p_k` of the polyline, with the gradient
    :math:`g_k = \nabla L\bigl(\tfrac12(p_k + p_{k+1})\bigr)` at its midpoint, the value
    :math:`|c_k^\top g_k| / (\lVert c_k\rVert \lVert g_k\rVert)`: 0 when the chord is
    perpendicular to the gradient, and the sine of the chord's angle off :math:`90°`. A level
    curve is perpendicular to the gradient (chapter 1), so for a polyline traced along one
    (:func:`level_curve`) these values measure the tracer's error.

    Parameters
    ----------
    problem : Problem
        A problem whose ``grad`` accepts a batch of points, shape (d, n).
    curve : (m, d) array_like
        The points of the polyline, in order (m ≥ 2).

    Returns
    -------
    (m - 1,) ndarray

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> circle = dd.quadratic(np.eye(2))                       # ½‖x‖², levels are circles
    >>> t = np.linspace(0, 2 * np.pi, 9)
    >>> float(dd.calculus.chord_cosines(circle, np.column_stack([np.cos(t), np.sin(t)])).max()) < 1e-12
    True

    Notes
    -----
    Taught in chapter 1, where it shows the marching-squares tracer's chords turning
    perpendicular to the gradient as its grid is refined.
    """
    curve = np.asarray(curve, dtype=np.float64)
    if curve.ndim != 2 or curve.shape[0] < 2:
        raise ValueError(f"curve must have shape (m, d) with m >= 2, got {curve.shape}")
    chords = np.diff(curve, axis=0)
    grads = np.asarray(problem.grad((0.5 * (curve[1:] + curve[:-1])).T), dtype=np.float64).T
    return np.abs(np.einsum("ij,ij->i", chords, grads)) / (
        np.linalg.norm(chords, axis=1) * np.linalg.norm(grads, axis=1))


def onto_level_set(problem, points, level: float, *, steps: int = 30) -> np.ndarray:
    r"""Points moved onto the level set :math:`\{L = c\}` by Newton's method along the gradient.

    Each point takes ``steps`` steps of

    .. math:: x \leftarrow x - \frac{L(x) - c}{\lVert\nabla L(x)\rVert^2}\, \nabla L(x),

    Newton's method for the one equation :math:`L(x) = c` along the gradient's line; near a
    point of the curve where :math:`\nabla L \ne 0` it converges quadratically, so a traced
    point (:func:`level_curve`) lands on its curve to rounding. The step a point takes does
    not depend on the curve's tangent, so chords between moved points still measure it.

    Parameters
    ----------
    problem : Problem
        A problem whose ``f`` and ``grad`` accept a batch of points, shape (d, m).
    points : (m, d) array_like
        Points near the level set.
    level : float
        The height c.
    steps : int
        The number of Newton steps.

    Returns
    -------
    (m, d) ndarray

    Raises
    ------
    ValueError
        If the gradient vanishes at a point on the way (Newton's step along it is undefined).

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> q = dd.calculus.onto_level_set(dd.quadratic(np.eye(2)), [[0.9, 0.1], [0.0, -1.2]], 0.5)
    >>> np.linalg.norm(q, axis=1).round(12)                # onto the unit circle ½‖x‖² = ½
    array([1., 1.])

    Notes
    -----
    Taught in chapter 3, where it separates the tracer's error from the theorem's right angle.
    """
    x = np.atleast_2d(np.asarray(points, dtype=np.float64)).T.copy()
    level = _checks.real("level", level)
    steps = _checks.count("steps", steps, minimum=1)
    for _ in range(steps):
        g = np.asarray(problem.grad(x), dtype=np.float64)
        gg = (g * g).sum(axis=0)
        if not np.all(gg > 0):
            raise ValueError("onto_level_set needs ∇L ≠ 0 at every point on the way; it vanishes at "
                             f"{x.T[~(gg > 0)][0]}: start nearer the level set, away from critical points")
        x = x - (np.asarray(problem.f(x), dtype=np.float64) - level) * g / gg
    return x.T


def chord_deviation(problem, heights, *, n: int = 400, onto_curve: bool = False) -> tuple[float, float]:
    r"""How far the traced level curves of a 2-D problem are from perpendicular to the gradient.

    Traces every height of ``heights`` on an ``n × n`` grid (:func:`level_curve`), optionally
    moves the points onto their curve (:func:`onto_level_set`), and returns the largest angle
    by which a chord misses :math:`90°` to the gradient at its midpoint (from
    :func:`chord_cosines`), in degrees, together with the largest :math:`|L - c|` at the
    points. A chord between two points of a smooth curve h apart differs from the tangent at
    its middle by an angle of order :math:`h^2`; the tracer's points, off the curve by
    :math:`O(h^2)`, tilt short chords by an angle of order h.

    Parameters
    ----------
    problem : Problem
        A 2-D problem.
    heights : sequence of float
        The heights of the curves.
    n : int
        The grid of the tracer, points per side.
    onto_curve : bool
        Move the traced points onto their curves first.

    Returns
    -------
    (degrees, residual) : (float, float)

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> ellipse = dd.quadratic(np.diag([1.0, 4.0]))
    >>> traced, _ = dd.calculus.chord_deviation(ellipse, [0.5, 1.0], n=100)
    >>> round(traced, 1)                                   # degrees: the tracer's error
    3.1
    >>> moved, residual = dd.calculus.chord_deviation(ellipse, [0.5, 1.0], n=100, onto_curve=True)
    >>> moved < 1e-8, residual < 1e-12      # on a quadratic, exactly perpendicular once on the curve
    (True, True)

    Notes
    -----
    Taught in chapter 3, on the thirteen curves of the sigmoid neuron's map.
    """
    n = _checks.count("n", n, minimum=3)
    worst, residual = 0.0, 0.0
    for c in heights:
        c = _checks.real("heights", c)
        for piece in level_curve(problem, c, n=n):
            if onto_curve:
                piece = onto_level_set(problem, piece, c)
            residual = max(residual, float(np.abs(np.asarray(problem.f(piece.T)) - c).max()))
            worst = max(worst, float(np.degrees(np.arcsin(min(1.0, chord_cosines(problem, piece).max())))))
    return worst, residual


def circle_crossings(problem, center, radius: float, *, level: float | None = None, n: int = 720) -> np.ndarray:
    r"""The angles at which a level set of a 2-D problem crosses a circle.

    On the circle :math:`x(\varphi) = \text{center} + r(\cos\varphi, \sin\varphi)`, the angles
    where :math:`L(x(\varphi)) = c`, with c the loss at the centre by default: the points
    where the level set through the centre meets the circle. They are found where
    :math:`L - c` changes sign between ``n`` equally spaced angles and refined by bisection,
    so a crossing is found only where the sign changes (a touch without crossing is not),
    and two crossings closer than :math:`2\pi/n` can be missed.

    Around a critical point with an invertible Hessian, a small circle is crossed 0 times
    at a minimum or maximum and 4 times at a saddle (chapter 3).

    Parameters
    ----------
    problem : Problem
        A 2-D problem whose ``f`` accepts a batch of points, shape (2, m).
    center : (2,) array_like
        The centre of the circle.
    radius : float
        Its radius r > 0.
    level : float, optional
        The height c; ``L(center)`` by default.
    n : int
        The number of angles searched.

    Returns
    -------
    ndarray
        The angles of the crossings, in :math:`[0, 2\pi)`, increasing.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> pass_ = dd.quadratic(np.diag([1.0, -1.0]))          # ½(x₁² − x₂²): the lines x₂ = ±x₁
    >>> np.degrees(dd.calculus.circle_crossings(pass_, [0.0, 0.0], 0.1)).round(6)
    array([ 45., 135., 225., 315.])
    >>> dd.calculus.circle_crossings(dd.quadratic(np.eye(2)), [0.0, 0.0], 0.1).size   # a minimum
    0

    Notes
    -----
    Taught in chapter 3, where it reads minima, maxima and saddles off the level sets.
    """
    center = _checks.vector("center", center, dim=2)
    radius = _checks.positive("radius", radius)
    n = _checks.count("n", n, minimum=8)
    c = float(problem.f(center)) if level is None else _checks.real("level", level)

    def height(phi):
        phi = np.asarray(phi, dtype=np.float64)
        return np.asarray(problem.f(np.stack([center[0] + radius * np.cos(phi),
                                               center[1] + radius * np.sin(phi)])), dtype=np.float64) - c

    phi = np.linspace(0.0, 2 * np.pi, n + 1)
    above = height(phi) > 0
    above[-1] = above[0]                     # the same point, whatever the rounding of 2π
    change = above[:-1] != above[1:]
    a, b, a_above = phi[:-1][change], phi[1:][change], above[:-1][change]
    for _ in range(60):                      # bisection: 2π/n · 2⁻⁶⁰ is below rounding
        mid = 0.5 * (a + b)
        left = (height(mid) > 0) == a_above
        a, b = np.where(left, mid, a), np.where(left, b, mid)
    return np.sort(np.mod(0.5 * (a + b), 2 * np.pi))


def angle_between(a, b) -> np.ndarray:
    r"""The angle between two vectors, in degrees, along the last axis.

    .. math:: \angle(a, b) = \arccos \frac{a^\top b}{\lVert a\rVert\, \lVert b\rVert} \in [0°, 180°]

    Parameters
    ----------
    a, b : array_like
        Non-zero vectors, shape (..., d), broadcast against each other.

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        If a vector is zero (it has no direction).

    Examples
    --------
    >>> import descend as dd
    >>> float(dd.calculus.angle_between([1.0, 0.0], [1.0, 1.0]).round(9))
    45.0
    >>> dd.calculus.angle_between([[1.0, 0.0], [0.0, 2.0]], [-3.0, 0.0]).round(9)
    array([180.,  90.])

    Notes
    -----
    Taught in chapter 3, for the angle between the steepest-descent direction and the way
    to the minimum.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    norms = np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1)
    if not np.all(norms > 0):
        raise ValueError("angle_between needs non-zero vectors a and b: a zero vector has no direction")
    cos = (a * b).sum(-1) / norms
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


# --------------------------------------------------------------------------- sequences (chapter 4)


def _sequence(name: str, values) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or values.size == 0 or not np.all(np.isfinite(values)):
        raise ValueError(f"{name} must be a non-empty 1-D sequence of finite numbers, got shape {values.shape}")
    return values


def sign_changes(values) -> int:
    r"""How many times a sequence :math:`c_0, c_1, \dots` changes sign (exact zeros are skipped).

    Applied to one coordinate of the iterates, measured from the minimum, it counts how often
    a run passes the minimum in that direction.

    Examples
    --------
    >>> import descend as dd
    >>> dd.calculus.sign_changes([3.0, 1.0, -0.5, 0.2, 0.0, 0.1, -0.1])
    3
    >>> dd.calculus.sign_changes([1.0, 0.5, 0.25])
    0

    Notes
    -----
    Taught in chapter 4, where momentum passes the minimum of a narrow valley and gradient
    descent does not.
    """
    signs = np.sign(_sequence("values", values))
    signs = signs[signs != 0]
    return int(np.sum(signs[1:] != signs[:-1]))


def overshoot(values) -> float:
    r"""How far a sequence swings past zero: the largest :math:`\lvert c_t\rvert` from its first change of sign on.

    With :math:`c_t` one coordinate of the iterates measured from the minimum, this is the
    widest swing of a run beyond the minimum in that direction, counted from the step at
    which it first passes it: :math:`\max_{t \ge s} \lvert c_t\rvert` for the first :math:`s`
    with :math:`c_s c_0 < 0`, and 0 if the sign never changes.

    Parameters
    ----------
    values : (n,) array_like
        The sequence; :math:`c_0` must not be zero.

    Examples
    --------
    >>> import descend as dd
    >>> dd.calculus.overshoot([2.0, -0.5, 0.8, -0.3])
    0.8
    >>> dd.calculus.overshoot([2.0, 1.0, 0.5])
    0.0

    Notes
    -----
    Taught in chapter 4, which compares the overshoots of momentum and Nesterov's method.
    """
    values = _sequence("values", values)
    if values[0] == 0:
        raise ValueError("values must start away from zero: an overshoot is measured past zero from c_0 ≠ 0")
    crossed = values * values[0] < 0
    return float(np.max(np.abs(values[np.argmax(crossed):]))) if crossed.any() else 0.0


__all__ += ["sign_changes", "overshoot"]


def saddle_lines(problem, point, *, eta: float, offset: float = 1e-3, steps: int = 20000,
                 tol: float = 1e-8) -> tuple[list, list]:
    r"""The valley and ridge lines through a saddle of a 2-D problem.

    At a saddle :math:`\theta^\star` with Hessian eigenvalues :math:`\lambda_- < 0 < \lambda_+`
    and eigenvectors :math:`q_-, q_+`, the loss falls along :math:`\pm q_-` and rises along
    :math:`\pm q_+`. The **valley lines** are the paths of steepest descent that leave
    :math:`\theta^\star` along :math:`\pm q_-`, followed with small gradient-descent steps
    :math:`\theta \leftarrow \theta - \eta \nabla L(\theta)` from
    :math:`\theta^\star \pm \text{offset}\cdot q_-`; the **ridge lines** are the paths of
    steepest ascent, :math:`\theta \leftarrow \theta + \eta \nabla L(\theta)`, from
    :math:`\theta^\star \pm \text{offset}\cdot q_+`. Each path stops where
    :math:`\lVert\nabla L\rVert <` ``tol`` (at a minimum or a maximum), where it leaves the
    problem's window, or after ``steps`` steps. With a small ``eta`` the paths follow the
    curves of steepest descent and ascent; ``eta`` must be small against
    :math:`1/\lvert\lambda\rvert` of the Hessians along the way.

    Parameters
    ----------
    problem : Problem
        A 2-D problem with a Hessian; ``grad`` must accept a batch of points, shape (2, m).
    point : (2,) array_like
        The saddle.
    eta : float
        The step of the descents and ascents.
    offset : float
        How far from the saddle the paths start.
    steps : int
        The most steps per path.
    tol : float
        The gradient norm at which a path stops.

    Returns
    -------
    (valleys, ridges) : two lists of two (m, 2) arrays
        The paths, each starting at the saddle.

    Raises
    ------
    ValueError
        If the point is not a saddle (its Hessian has no eigenvalues of both signs).

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> valleys, ridges = dd.calculus.saddle_lines(dd.saddle(), [0.0, 0.0], eta=0.01)
    >>> np.round([v[-1] for v in valleys], 6) + 0.0        # down to the two minima (0, ±1)
    array([[ 0., -1.],
           [ 0.,  1.]])
    >>> [bool(abs(r[-1, 0]) > 2) for r in ridges]          # up the ridge x₂ = 0, out of the window
    [True, True]

    Notes
    -----
    Taught in chapter 3: the ridges through the saddles divide a map into basins.
    """
    if problem.hess is None:
        raise ValueError(f"{problem.name} has no Hessian: the saddle's directions need one")
    point = _checks.vector("point", point, dim=2)
    eta, offset, tol = _checks.positive("eta", eta), _checks.positive("offset", offset), _checks.positive("tol", tol)
    steps = _checks.count("steps", steps, minimum=1)
    lam, Q = np.linalg.eigh(np.asarray(problem.hess(point), dtype=np.float64))
    if not lam[0] < 0 < lam[1]:
        raise ValueError(f"{point} is no saddle: the Hessian's eigenvalues are {lam}")
    starts = np.stack([point - offset * Q[:, 0], point + offset * Q[:, 0],
                       point - offset * Q[:, 1], point + offset * Q[:, 1]], axis=1)   # (2, 4)
    sign = np.array([-1.0, -1.0, 1.0, 1.0])            # descend, descend, ascend, ascend
    box = np.array(problem.bounds if problem.bounds is not None else [(-np.inf, np.inf)] * 2)
    x, paths, active = starts.copy(), [[point, s] for s in starts.T], np.ones(4, dtype=bool)
    for _ in range(steps):
        g = np.asarray(problem.grad(x[:, active]), dtype=np.float64)
        idx = np.flatnonzero(active)
        done = np.linalg.norm(g, axis=0) < tol
        x[:, idx] = x[:, idx] + eta * sign[idx] * g
        for j, k in enumerate(idx):
            if done[j]:
                active[k] = False
                continue
            paths[k].append(x[:, k].copy())
            if np.any(x[:, k] < box[:, 0]) or np.any(x[:, k] > box[:, 1]):
                active[k] = False
        if not active.any():
            break
    lines = [np.array(p) for p in paths]
    return lines[:2], lines[2:]


def step_to_level(problem, point, dc: float, *, n: int = 301) -> np.ndarray:
    r"""The shortest displacement from a point to the next contour :math:`L = L(\theta) + \Delta c`.

    The nearest point of that contour is found by :func:`nearest_on_level_set`, which searches
    within :math:`3\lvert\Delta c\rvert / \lVert\nabla L(\theta)\rVert` of the point. When
    :math:`2M\lvert\Delta c\rvert \le \lVert\nabla L\rVert^2`, with M a bound on the Hessian's
    norm nearby, chapter 3's gap lemma puts the contour within
    :math:`2\lvert\Delta c\rvert/\lVert\nabla L\rVert`, inside that reach; otherwise it may lie
    farther, and the search says so. The displacement's length is the **gap** to the next
    contour.

    Parameters
    ----------
    problem : Problem
        A 2-D problem.
    point : (2,) array_like
        Where to measure from; :math:`\nabla L \ne 0` there.
    dc : float
        The step :math:`\Delta c` of the heights; negative for the contour below.
    n : int
        Grid points per side of the square searched.

    Returns
    -------
    (2,) ndarray
        The displacement; its norm is the gap.

    Raises
    ------
    ValueError
        If :math:`\nabla L = 0` at the point or ``dc`` is 0, or if the contour does not come within
        :math:`3\lvert\Delta c\rvert / \lVert\nabla L\rVert` of the point.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> plane = dd.Problem(f=lambda x: 2 * x[0] + 0 * x[1], grad=lambda x: np.stack([2 + 0 * x[0], 0 * x[1]]),
    ...                    bounds=[(-1, 1), (-1, 1)])
    >>> dd.calculus.step_to_level(plane, [0.0, 0.0], 0.1).round(6) + 0.0   # Δc/‖∇L‖ along ∇L
    array([0.05, 0.  ])

    Notes
    -----
    Taught in chapter 3, where it measures the gap between neighbouring contours.
    """
    point = _checks.vector("point", point, dim=2)
    dc = _checks.real("dc", dc)
    g = float(np.linalg.norm(np.asarray(problem.grad(point), dtype=np.float64)))
    if g == 0 or dc == 0:
        raise ValueError("step_to_level needs ∇L ≠ 0 at the point and dc ≠ 0")
    nearest = nearest_on_level_set(problem, point, float(problem.f(point)) + dc, radius=3 * abs(dc) / g, n=n)
    return nearest - point


# --------------------------------------------------------------------------- Hessian, Newton (chapter 9)


def local_kind(f, point, radii=(0.1, 0.01, 0.001), *, n: int = 360, seed: int = 0) -> str:
    r"""What a point is, judged by the values of a function on small spheres around it.

    Compares :math:`f(x^\star + r u)` with :math:`f(x^\star)` for every radius r of ``radii``
    and every direction u of a set of unit vectors: the two directions :math:`\pm 1` in one
    dimension, ``n`` equally spaced angles in two, ``n`` random unit vectors (drawn with
    ``seed``) in more. Higher everywhere: ``"minimum"``; lower everywhere: ``"maximum"``;
    otherwise ``"neither"``.

    This looks at finitely many points: it says what the function does there, not what it does
    between them or closer in. The book uses it to see what a critical point is where the
    second-derivative test is inconclusive (:func:`second_derivative_test`).

    Parameters
    ----------
    f : callable
        ``f(x) -> float`` for a point x of shape (d,).
    point : array_like
        The point :math:`x^\star`, of shape (d,) (a number in one dimension).
    radii : sequence of float
        The radii of the spheres, all positive.
    n : int
        Number of directions in two or more dimensions.
    seed : int
        Seed of the random directions in three or more dimensions.

    Returns
    -------
    str
        ``"minimum"``, ``"maximum"`` or ``"neither"``.

    Examples
    --------
    >>> import descend as dd
    >>> dd.calculus.local_kind(lambda p: p[0]**2 + p[1]**4, [0.0, 0.0])   # the test cannot tell
    'minimum'
    >>> dd.calculus.local_kind(lambda p: p[0]**2 + p[1]**3, [0.0, 0.0])
    'neither'
    >>> dd.calculus.local_kind(lambda t: -t**4, 0.0)
    'maximum'

    Notes
    -----
    Taught in chapter 9, next to the second-derivative test.
    """
    _checks.callable_("f", f)
    x = _checks.vector("point", point)
    radii = np.asarray(radii, dtype=np.float64).ravel()
    if radii.size == 0 or not np.all(np.isfinite(radii)) or np.any(radii <= 0):
        raise ValueError(f"radii must be positive and finite, got {radii}")
    n = _checks.count("n", n, minimum=1)
    d = x.size
    if d == 1:
        directions = np.array([[1.0], [-1.0]])
    elif d == 2:
        angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
        directions = np.column_stack([np.cos(angles), np.sin(angles)])
    else:
        directions = np.random.default_rng(seed).normal(size=(n, d))
        directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    centre = _scalar(f(x))
    around = np.array([_scalar(f(x + r * u)) for r in radii for u in directions])
    if np.all(around > centre):
        return "minimum"
    return "maximum" if np.all(around < centre) else "neither"


def chord_violations(problem, *, bounds=None, n: int = 20_000, seed=0) -> float:
    r"""The share of random chords that pass below the graph of a loss: 0 for a convex one.

    Draws n pairs of points :math:`\theta_0, \theta_1` uniformly in the box ``bounds`` and n
    weights :math:`\lambda` uniformly in [0, 1], and counts the pairs where

    .. math::
        L\bigl((1 - \lambda)\theta_0 + \lambda\theta_1\bigr)
        > (1 - \lambda) L(\theta_0) + \lambda L(\theta_1) + 10^{-12}\,(1 + |\text{chord}|),

    the graph above the chord by more than rounding. A convex loss has none; a share above 0
    proves the loss is not convex on the box (a share of 0 proves nothing).

    Parameters
    ----------
    problem : Problem
        Its ``f`` must accept a batch of points, an array of shape (d, n).
    bounds : sequence of (lo, hi), optional
        The box, one pair per coordinate; the problem's window by default.
    n : int
        Number of chords.
    seed : int or numpy.random.Generator
        Seed of the random draws, or a generator to draw from.

    Returns
    -------
    float
        The share of the n chords that pass below the graph.

    Examples
    --------
    >>> import descend as dd
    >>> dd.calculus.chord_violations(dd.ill_conditioned(kappa=10.0), n=1000)
    0.0
    >>> dd.calculus.chord_violations(dd.saddle(), bounds=[(-2, 2), (-2, 2)], n=1000) > 0
    True

    Notes
    -----
    Taught in chapter 9, which tests the chord inequality on least squares, logistic
    regression and the saddle surface.
    """
    if not hasattr(problem, "f") or not hasattr(problem, "dim"):
        raise TypeError(f"problem must be a Problem, got {type(problem).__name__}")
    box = problem.bounds if bounds is None else bounds
    if box is None:
        raise ValueError(f"{problem.name} has no bounds: pass bounds=")
    box = np.asarray(box, dtype=np.float64)
    if box.shape != (problem.dim, 2) or not np.all(box[:, 0] < box[:, 1]):
        raise ValueError(f"bounds must hold {problem.dim} (lo, hi) pairs with lo < hi, got {bounds}")
    n = _checks.count("n", n, minimum=1)
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(box[:, 0, None], box[:, 1, None], size=(2, problem.dim, n))  # n pairs θ₀, θ₁
    lam = rng.uniform(0, 1, size=n)
    chord = (1 - lam) * problem.f(a) + lam * problem.f(b)
    gap = problem.f((1 - lam) * a + lam * b) - chord  # > 0: the graph above the chord
    return float(np.mean(gap > 1e-12 * (1 + np.abs(chord))))  # not round-off


__all__ += ["local_kind", "chord_violations"]


# --------------------------------------------------------------------------- computational graphs (chapter 1)


def _graph_sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))      # σ(z), never overflowing (as dd.sigmoid)


#: The operations a node of a computational graph may apply.  Each entry is
#: ``(number of arguments, value(*args), local derivatives(*args, value))``: the local
#: derivatives are those of the node's value with respect to each argument, computed from the
#: arguments and the value that the forward pass stored.
GRAPH_OPS = {
    "add": (2, lambda a, b: a + b, lambda a, b, v: (1.0, 1.0)),
    "sub": (2, lambda a, b: a - b, lambda a, b, v: (1.0, -1.0)),
    "mul": (2, lambda a, b: a * b, lambda a, b, v: (b, a)),
    "square": (1, lambda a: a * a, lambda a, v: (2.0 * a,)),
    "sigmoid": (1, _graph_sigmoid, lambda a, v: (v * (1.0 - v),)),
    "tanh": (1, np.tanh, lambda a, v: (1.0 - v * v,)),
    "exp": (1, np.exp, lambda a, v: (v,)),
    "log": (1, np.log, lambda a, v: (1.0 / a,)),
}


def _graph_nodes(graph, inputs, ops=None):
    """Check a graph against the names of its inputs; return its nodes as (name, op, args) tuples."""
    ops = GRAPH_OPS if ops is None else ops
    if isinstance(graph, (str, bytes)) or not hasattr(graph, "__iter__"):
        raise TypeError(f"graph must be a list of (name, op, args) nodes, got {type(graph).__name__}")
    nodes, known = [], set(inputs)
    for k, node in enumerate(graph):
        if not (isinstance(node, tuple) and len(node) == 3 and isinstance(node[0], str)):
            raise ValueError(f"graph must be a list of (name, op, args) tuples; node {k} is {node!r}")
        name, op, args = node
        if op not in ops:
            raise ValueError(f"graph node {name!r}: op must be one of {', '.join(ops)}; got {op!r}")
        args = tuple(args) if isinstance(args, (tuple, list)) else (args,)
        if len(args) != ops[op][0]:
            raise ValueError(f"graph node {name!r}: {op} takes {ops[op][0]} argument(s), "
                             f"got {len(args)}")
        for a in args:
            if isinstance(a, str):
                if a not in known:
                    raise ValueError(f"graph node {name!r} uses {a!r}, which is neither an input nor an "
                                     "earlier node (list every node after its arguments)")
            elif not (_checks._is_real(a) and np.isfinite(a)):
                raise ValueError(f"graph node {name!r}: an argument must be a node's name or a finite "
                                 f"number, got {a!r}")
        if name in known:
            raise ValueError(f"graph node {name!r} is defined twice, or used before it is defined")
        known.add(name)
        nodes.append((name, op, args))
    if not nodes:
        raise ValueError("graph must have at least one node")
    return nodes


def graph_forward(graph, inputs, *, shift=None) -> dict:
    r"""The forward pass: the value of every node of a computational graph, in order.

    A graph is a list of nodes ``(name, op, args)``; ``op`` is one of :data:`GRAPH_OPS`
    (``"add"``, ``"sub"``, ``"mul"``, ``"square"``, ``"sigmoid"``, ``"tanh"``, ``"exp"``,
    ``"log"``) and each argument is the name of an input, the name of an earlier node, or a
    constant number.  Node :math:`j` computes :math:`v_j = \varphi_j(\text{its arguments})`.

    Parameters
    ----------
    graph : list of (str, str, tuple)
        The nodes, each listed after its arguments.
    inputs : dict
        A number for every input (every name that the nodes use but do not define).
    shift : dict, optional
        ``{name: s}`` adds ``s`` to that node (or input) right after it is computed, and the
        nodes after it use the shifted value: the derivative of the output in ``s`` at 0 is the
        node's adjoint (:func:`graph_backward`), which is how the book checks each one.

    Returns
    -------
    dict
        ``{name: value}`` for the inputs and every node; the last node is the output.

    Examples
    --------
    >>> import descend as dd
    >>> graph = [("u", "mul", ("w", 2.0)), ("L", "square", ("u",))]      # L = (2w)²
    >>> dd.calculus.graph_forward(graph, {"w": 3.0})["L"]
    36.0
    >>> dd.calculus.graph_forward(graph, {"w": 3.0}, shift={"u": 1.0})["L"]   # (6 + 1)²
    49.0

    Notes
    -----
    Taught in chapter 1 (backpropagation on a computational graph).
    """
    return _forward(graph, inputs, shift, GRAPH_OPS)


def _forward(graph, inputs, shift, ops):
    """graph_forward with the table of operations ``ops`` (GRAPH_OPS, or a counting copy of it)."""
    if not isinstance(inputs, dict):
        raise TypeError(f"inputs must be a dict of input names to numbers, got {type(inputs).__name__}")
    shift = {} if shift is None else shift
    if not isinstance(shift, dict):
        raise TypeError(f"shift must be a dict of node names to numbers, got {type(shift).__name__}")
    nodes = _graph_nodes(graph, inputs, ops)
    names = set(inputs) | {n for n, _, _ in nodes}
    for key in shift:
        if key not in names:
            raise ValueError(f"shift names {key!r}, which is neither an input nor a node of the graph")
    values = {}
    for name, x in inputs.items():
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 0 or not np.isfinite(x):
            raise ValueError(f"inputs[{name!r}] must be one finite number, got {x!r}")
        value = float(x) + shift.get(name, 0.0)
        values[name] = float(value) if np.ndim(value) == 0 else value
    for name, op, args in nodes:
        value = ops[op][1](*(values[a] if isinstance(a, str) else float(a) for a in args))
        value = value + shift.get(name, 0.0)
        values[name] = float(value) if np.ndim(value) == 0 else value
    return values


def graph_backward(graph, values, *, output=None) -> dict:
    r"""The backward pass: the adjoint :math:`\bar v = \partial L / \partial v` of every node and input.

    With :math:`L` the output node, :math:`\bar L = 1`, and going through the nodes backwards,
    every node passes its adjoint to each of its arguments multiplied by the local derivative,
    and an argument used by several nodes adds what each of them passes:

    .. math:: \bar v_i = \sum_{j\,:\, v_i \text{ is an argument of } \varphi_j}
              \bar v_j\, \frac{\partial \varphi_j}{\partial v_i} .

    ("downstream gradient = upstream gradient × local derivative", summed where paths branch.)
    The adjoint of an input is the partial derivative of :math:`L` with respect to it.

    Parameters
    ----------
    graph : list of (str, str, tuple)
        The nodes, as for :func:`graph_forward`.
    values : dict
        The forward pass, ``graph_forward(graph, inputs)``.
    output : str, optional
        The node to differentiate; the last node by default.

    Returns
    -------
    dict
        ``{name: adjoint}`` for every input and node (0 for those the output does not depend on).

    Examples
    --------
    >>> import descend as dd
    >>> graph = [("u", "mul", ("w", "w")), ("L", "add", ("u", "w"))]       # L = w² + w
    >>> values = dd.calculus.graph_forward(graph, {"w": 3.0})
    >>> dd.calculus.graph_backward(graph, values)["w"]                     # 2w + 1, three paths
    7.0

    References
    ----------
    Rumelhart, Hinton and Williams, "Learning representations by back-propagating errors",
    Nature 323 (1986); Griewank and Walther, *Evaluating Derivatives*, 2nd ed., SIAM (2008),
    chapter 3 (the reverse mode).

    Notes
    -----
    Taught in chapter 1.
    """
    return _backward(graph, values, output, GRAPH_OPS)


def _backward(graph, values, output, ops):
    """graph_backward with the table of operations ``ops`` (GRAPH_OPS, or a counting copy of it)."""
    if not isinstance(values, dict):
        raise TypeError(f"values must be the dict that graph_forward returns, got {type(values).__name__}")
    free = _free_names(graph)
    nodes = _graph_nodes(graph, free, ops)
    missing = sorted(n for n in free | {n for n, _, _ in nodes} if n not in values)
    if missing:
        raise ValueError(f"values must hold every node (the forward pass); missing {missing[:3]}")
    order = [n for n, _, _ in nodes]
    output = order[-1] if output is None else output
    if output not in order:
        raise ValueError(f"output must be the name of a node, got {output!r}")
    adjoint = {name: 0.0 for name in values}
    adjoint[output] = 1.0
    for name, op, args in reversed(nodes[: order.index(output) + 1]):
        local = ops[op][2](*(values[a] if isinstance(a, str) else float(a) for a in args), values[name])
        for a, d in zip(args, local):
            if isinstance(a, str):
                adjoint[a] += adjoint[name] * d      # upstream × local, added over every use of a
    return adjoint


def graph_cost(graph) -> tuple[int, int]:
    r"""The operations of a forward and of a backward pass through a computational graph.

    Counting one operation for every node evaluated, a forward pass costs n, the number of
    nodes; counting one for every product "upstream gradient × local derivative" (the local
    derivative computed from stored values, and the product added into the argument's
    adjoint), a backward pass costs the number of arguments that are nodes or inputs, at most
    k·n for nodes of at most k arguments.

    Returns
    -------
    (forward, backward) : (int, int)

    Examples
    --------
    >>> import descend as dd
    >>> dd.calculus.graph_cost([("u", "mul", ("w", 2.0)), ("L", "add", ("u", "w"))])
    (2, 3)

    Notes
    -----
    Taught in chapter 1, which compares it with the 2d loss evaluations of a gradient by
    central differences.
    """
    nodes = _graph_nodes(graph, _free_names(graph))
    return len(nodes), sum(isinstance(a, str) for _, _, args in nodes for a in args)


def graph_operations(graph, inputs) -> tuple[int, int]:
    r"""The operations that a forward and a backward pass actually execute, counted as they run.

    Runs :func:`graph_forward` and :func:`graph_backward` with every operation of
    :data:`GRAPH_OPS` wrapped so that it counts: one for every value an operation computes in
    the forward pass, and one for every product "upstream gradient × local derivative" that
    the backward pass makes.  The passes are otherwise the same code, so the counts measure
    what :func:`graph_cost` predicts from the graph's structure.

    Parameters
    ----------
    graph : list of (str, str, tuple)
        The nodes, as for :func:`graph_forward`.
    inputs : dict
        A number for every input.

    Returns
    -------
    (forward, backward) : (int, int)
        The values computed and the products made.

    Examples
    --------
    >>> import descend as dd
    >>> graph = [("u", "mul", ("w", 2.0)), ("L", "add", ("u", "w"))]
    >>> dd.calculus.graph_operations(graph, {"w": 3.0}), dd.calculus.graph_cost(graph)
    ((2, 3), (2, 3))

    Notes
    -----
    Taught in chapter 1, which checks with it that the counts of its lemma "What a gradient
    costs" are the operations the passes make.
    """
    calls = {"value": 0, "product": 0}

    class Local(float):              # a local derivative that counts the products it enters
        def __mul__(self, upstream):
            calls["product"] += 1
            return float(self) * float(upstream)

        __rmul__ = __mul__

    def counting(n_args, value, local):
        def counted_value(*args):
            calls["value"] += 1
            return value(*args)
        return n_args, counted_value, lambda *args: tuple(Local(float(d)) for d in local(*args))

    ops = {op: counting(*entry) for op, entry in GRAPH_OPS.items()}
    _backward(graph, _forward(graph, inputs, None, ops), None, ops)
    return calls["value"], calls["product"]


def _free_names(graph):
    """The names a graph uses before (or without) defining them: its inputs."""
    if isinstance(graph, (str, bytes)) or not hasattr(graph, "__iter__"):
        raise TypeError(f"graph must be a list of (name, op, args) nodes, got {type(graph).__name__}")
    defined, free = set(), set()
    for node in graph:
        if isinstance(node, tuple) and len(node) == 3:
            args = node[2] if isinstance(node[2], (tuple, list)) else (node[2],)
            free |= {a for a in args if isinstance(a, str) and a not in defined}
            defined.add(node[0])
    return free


class counted:
    r"""A function that counts how often it is called, in ``.calls``.

    Wrap a loss in it to measure what a method costs in evaluations (not in seconds, which
    depend on the machine): ``loss = counted(f)``, run the method on ``loss``, read
    ``loss.calls``.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> loss = dd.calculus.counted(lambda x: float(np.sum(x**2)))
    >>> g = dd.numerical_grad(loss, np.ones(5))             # central differences: 2d calls
    >>> loss.calls
    10

    Notes
    -----
    Taught in chapter 1 (why training does not use numerical gradients).
    """

    def __init__(self, f):
        self.f = _checks.callable_("f", f)
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.f(*args, **kwargs)


__all__ += ["GRAPH_OPS", "graph_forward", "graph_backward", "graph_cost", "graph_operations", "counted"]
