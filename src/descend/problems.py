r"""Test problems: a loss with its analytic gradient and Hessian.

Every function here takes a point ``x`` whose **first axis is the coordinate**: a point of a
2-D problem has shape ``(2,)``, and a stack of points shape ``(2, *batch)``.  So the same
``f`` gives one loss for one point and a grid of losses for a meshgrid, which is what contour
plots need::

    W, B = np.meshgrid(w, b)
    Z = problem.f(np.stack([W, B]))          # shape of W

``grad`` returns the shape of ``x``; ``hess`` returns ``(d, d, *batch)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from . import _checks
from .nn import sigmoid

__all__ = [
    "Problem",
    "scalar",
    "quadratic",
    "ill_conditioned",
    "rosenbrock",
    "beale",
    "himmelblau",
    "saddle",
    "sigmoid_neuron",
    "least_squares",
    "logistic_regression",
]


@dataclass(frozen=True)
class Problem:
    r"""A loss :math:`L(\theta)` to minimize, with what the book needs to know about it.

    Parameters
    ----------
    f : callable
        ``f(x) -> float`` (or an array over a batch of points, see the module docstring).
    grad : callable
        ``grad(x) -> array`` of the shape of ``x``.
    hess : callable, optional
        ``hess(x) -> (d, d, *batch)`` array.
    x_star : array, optional
        A minimizer, if known.
    name : str
        Short name for titles and legends.
    bounds : sequence of (lo, hi), optional
        The window to plot, one pair per coordinate.
    minima : tuple of arrays, optional
        All known minimizers (Himmelblau has four); defaults to ``(x_star,)``.
    dim : int, optional
        Number of coordinates; inferred from ``bounds`` or ``x_star`` when omitted.
    n_examples : int, optional
        For a loss that is an average over a data set, :math:`L = \frac1N \sum_i \ell_i`:
        the number of examples N.
    batch_grad : callable, optional
        ``batch_grad(x, idx)``: the gradient of the average loss over the examples ``idx``
        (an integer array), :math:`\frac{1}{|B|}\sum_{i \in B} \nabla \ell_i(x)`; it is what
        :func:`descend.run` uses with ``batch_size=``.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> p = dd.Problem(f=lambda x: (x**2).sum(0), grad=lambda x: 2 * x, name="bowl",
    ...                bounds=[(-1, 1), (-1, 1)])
    >>> p.dim, float(p.f(np.array([1.0, 2.0])))
    (2, 5.0)
    """

    f: Callable
    grad: Callable
    hess: Callable | None = None
    x_star: np.ndarray | None = None
    name: str = "problem"
    bounds: tuple | None = None
    minima: tuple = field(default=())
    dim: int | None = None
    n_examples: int | None = None
    batch_grad: Callable | None = None

    def __post_init__(self):
        _checks.callable_("f", self.f)
        _checks.callable_("grad", self.grad)
        if self.hess is not None:
            _checks.callable_("hess", self.hess)
        set_ = object.__setattr__  # frozen dataclass: normalize fields once, here
        if self.x_star is not None:
            set_(self, "x_star", _checks.vector("x_star", self.x_star))
        if self.bounds is not None:
            bounds = tuple((float(lo), float(hi)) for lo, hi in self.bounds)
            if any(not lo < hi for lo, hi in bounds):
                raise ValueError(f"bounds must be (lo, hi) pairs with lo < hi, got {self.bounds}")
            set_(self, "bounds", bounds)
        dim = self.dim
        if dim is None:
            if self.bounds is not None:
                dim = len(self.bounds)
            elif self.x_star is not None:
                dim = self.x_star.shape[0]
            else:
                raise ValueError("dim must be given when neither bounds nor x_star is")
        set_(self, "dim", _checks.count("dim", dim, minimum=1))
        if (self.n_examples is None) != (self.batch_grad is None):
            raise ValueError("n_examples and batch_grad must be given together (a loss averaged over examples)")
        if self.batch_grad is not None:
            _checks.callable_("batch_grad", self.batch_grad)
            set_(self, "n_examples", _checks.count("n_examples", self.n_examples, minimum=1))
        if not self.minima and self.x_star is not None:
            set_(self, "minima", (self.x_star,))
        else:
            set_(self, "minima", tuple(_checks.vector("minima", m, dim=self.dim) for m in self.minima))

    @property
    def f_star(self) -> float | None:
        """The loss at ``x_star``, or None if no minimizer is known."""
        return None if self.x_star is None else float(self.f(self.x_star))

    def grid(self, n: int = 200, bounds=None):
        """Evaluate the loss on an ``n × n`` grid over ``bounds`` (default: the problem's).

        Returns
        -------
        X, Y, Z : arrays of shape (n, n)
            ``np.meshgrid`` coordinates and the loss there.
        """
        if self.dim != 2:
            raise ValueError(f"grid needs a 2-D problem; {self.name} has dim={self.dim}")
        n = _checks.count("n", n, minimum=2)
        (x0, x1), (y0, y1) = _window(self, bounds)
        X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
        with np.errstate(over="ignore", invalid="ignore"):
            Z = self.f(np.stack([X, Y]))
        return X, Y, Z

    def __repr__(self) -> str:
        return f"Problem({self.name!r}, dim={self.dim})"


def _paired(f: Callable, grad: Callable, value_and_grad: Callable) -> tuple[Callable, Callable]:
    """Mark ``f`` and ``grad`` as computable together at one point; returns ``f, grad``.

    ``value_and_grad(x) -> (f(x), grad(x))`` for a 1-D ``x``, with the same numbers bit for bit,
    computed once for the work the two share (a residual, a forward pass).  :func:`descend.run`
    calls it at every iterate instead of ``f`` and then ``grad``.  The mark names the two
    functions it was made for, and is used only while the problem's ``f`` and ``grad`` are
    those very objects: a problem made with others (``dataclasses.replace(problem, f=...)``, a
    penalty, a counter, a ``functools.wraps`` wrapper, which copies the mark) is evaluated with
    its own functions, never with a stale pair.
    """
    f._value_and_grad = grad._value_and_grad = (f, grad, value_and_grad)
    return f, grad


def _shared(problem: Problem, x: np.ndarray) -> Callable | None:
    """The problem's ``value_and_grad`` (see :func:`_paired`) if its f and grad are paired and
    ``x`` is one point (1-D), else None: then f and grad are to be called each."""
    mark = getattr(problem.f, "_value_and_grad", None)
    if mark is not None and mark[0] is problem.f and mark[1] is problem.grad and np.ndim(x) == 1:
        return mark[2]
    return None


def _window(problem: Problem, bounds=None):
    bounds = bounds if bounds is not None else problem.bounds
    if bounds is None:
        raise ValueError(f"bounds must be given: problem {problem.name!r} has no default window")
    bounds = tuple((float(lo), float(hi)) for lo, hi in bounds)
    if len(bounds) != problem.dim or any(not lo < hi for lo, hi in bounds):
        raise ValueError(f"bounds must be {problem.dim} pairs (lo, hi) with lo < hi, got {bounds}")
    return bounds


def _stack(rows) -> np.ndarray:
    """Stack a nested list of arrays and scalars that broadcast together."""
    try:  # entries of one shape (at one point, all numbers): no broadcasting needed, and 20 µs less
        return np.array(rows, dtype=np.float64)
    except ValueError:  # shapes that differ, such as a constant among arrays
        pass
    flat = np.broadcast_arrays(*[np.asarray(v, dtype=np.float64) for row in rows for v in row])
    k = len(rows[0])
    return np.stack([np.stack(flat[i * k:(i + 1) * k]) for i in range(len(rows))])


# --------------------------------------------------------------------------- 1-D


def scalar(f, df, d2f=None, *, bounds=None, x_star=None, name="L") -> Problem:
    r"""A problem in one variable from plain functions of a float (or array) θ.

    Parameters
    ----------
    f, df, d2f : callable
        :math:`L(\theta)`, :math:`L'(\theta)` and, optionally, :math:`L''(\theta)`; each takes
        an array of θ values and returns an array of the same shape.
    bounds : (lo, hi), optional
        The θ window to plot.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> p = dd.scalar(lambda t: (t - 3)**2, lambda t: 2 * (t - 3), lambda t: 2 + 0 * t,
    ...               bounds=(0, 6), x_star=3.0)
    >>> p.dim, p.grad(np.array([1.0]))
    (1, array([-4.]))
    """
    for arg, fn in (("f", f), ("df", df)):
        _checks.callable_(arg, fn)
    hess = None
    if d2f is not None:
        _checks.callable_("d2f", d2f)
        hess = lambda x: np.asarray(d2f(x[0]), dtype=np.float64)[None, None]  # noqa: E731
    return Problem(
        f=lambda x: f(x[0]),
        grad=lambda x: np.asarray(df(x[0]), dtype=np.float64)[None],
        hess=hess,
        x_star=None if x_star is None else np.atleast_1d(x_star),
        name=name,
        bounds=None if bounds is None else (tuple(bounds),),
        dim=1,
    )


def wavy() -> Problem:
    r"""The wavy loss :math:`L(\theta) = \sin(2\theta)\,\log(\theta^2)`, :math:`\theta \ne 0`.

    .. math::
        L'(\theta) = 2\cos(2\theta)\log(\theta^2) + \frac{2\sin(2\theta)}{\theta}, \qquad
        L''(\theta) = -4\sin(2\theta)\log(\theta^2) + \frac{8\cos(2\theta)}{\theta}
                      - \frac{2\sin(2\theta)}{\theta^2} .

    Dips and bumps everywhere, growing like :math:`\log\theta^2`, so the loss is unbounded
    below; at :math:`\theta = 0` it is continuous (the limit is 0) but infinitely steep, and
    undefined.  The window is :math:`[-6, 6]`.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> p = dd.problems.wavy()
    >>> bool(dd.check_grad(p, None, [-5.0]) < 1e-7)
    True

    Notes
    -----
    Taught in chapter 1 (its derivative by the chain and product rules) and used in chapter 6,
    where the loss along a line has several dips.
    """

    def f(t):
        return np.sin(2 * t) * np.log(t**2)

    def df(t):
        return 2 * np.cos(2 * t) * np.log(t**2) + 2 * np.sin(2 * t) / t

    def d2f(t):
        return -4 * np.sin(2 * t) * np.log(t**2) + 8 * np.cos(2 * t) / t - 2 * np.sin(2 * t) / t**2

    return scalar(f, df, d2f, bounds=(-6, 6), name="sin(2θ)·log(θ²)")


__all__ += ["wavy"]


def lessard() -> Problem:
    r"""Lessard, Recht and Packard's convex function on which tuned heavy-ball momentum cycles.

    .. math::
        L(\theta) = \begin{cases}
        12.5\,\theta^2 & \theta < 1, \\
        \tfrac12\theta^2 + 24\,\theta - 12 & 1 \le \theta < 2, \\
        12.5\,\theta^2 - 24\,\theta + 36 & \theta \ge 2 .
        \end{cases}

    The pieces join with equal values and slopes at θ = 1 and θ = 2, so :math:`L'` is
    continuous and increasing, with slopes 25, 1 and 25: L is 1-strongly convex and 25-smooth
    (κ = 25), with minimum :math:`L = 0` at θ = 0.  Heavy ball at its best settings for
    quadratics with κ = 25, started at θ₀ = 3.3, ends on a cycle through three points.

    References
    ----------
    Lessard, L., Recht, B., Packard, A. (2016). Analysis and design of optimization algorithms
    via integral quadratic constraints. SIAM Journal on Optimization 26(1).

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> p = dd.problems.lessard()
    >>> p.f(np.array([[0.0, 1.0, 2.0]])), p.grad(np.array([[0.0, 1.0, 2.0]]))
    (array([ 0. , 12.5, 38. ]), array([[ 0., 25., 26.]]))

    Notes
    -----
    Taught in chapter 4: Nesterov's method converges on it, heavy ball does not.
    """

    def f(t):
        middle = np.where(t < 2, 0.5 * t**2 + 24 * t - 12, 12.5 * t**2 - 24 * t + 36)
        return np.where(t < 1, 12.5 * t**2, middle)

    def df(t):
        return np.where(t < 1, 25 * t, np.where(t < 2, t + 24, 25 * t - 24))

    return scalar(f, df, lambda t: np.where((t >= 1) & (t < 2), 1.0, 25.0), bounds=(-1.0, 4.0), x_star=0.0,
                  name="Lessard et al.")


__all__ += ["lessard"]


# --------------------------------------------------------------------------- quadratics


def quadratic(A, b=None, *, name="quadratic", bounds=None) -> Problem:
    r"""The quadratic :math:`L(x) = \tfrac12 x^\top A x - b^\top x`.

    Gradient :math:`A x - b`, Hessian :math:`A`; if A is positive definite the unique
    minimizer is :math:`x^\star = A^{-1} b`.

    Parameters
    ----------
    A : (d, d) array_like
        A symmetric matrix.
    b : (d,) array_like, optional
        Linear term; zero by default.
    bounds : sequence of (lo, hi), optional
        Plot window; by default a box around :math:`x^\star` sized to show several contours.

    Examples
    --------
    >>> import descend as dd
    >>> p = dd.quadratic([[2.0, 0.0], [0.0, 4.0]], b=[2.0, 4.0])
    >>> p.x_star, p.f_star
    (array([1., 1.]), -3.0)
    """
    A = _checks.matrix("A", A, symmetric=True)
    d = A.shape[0]
    b = np.zeros(d) if b is None else _checks.vector("b", b, dim=d)
    eigenvalues = np.linalg.eigvalsh(A)
    x_star = np.linalg.solve(A, b) if eigenvalues.min() > 0 else None
    if bounds is None:
        center = x_star if x_star is not None else np.zeros(d)
        half = max(2.0, 1.5 * float(np.abs(center).max(initial=0.0)))
        bounds = [(c - half, c + half) for c in center]

    def f(x):
        if np.ndim(x) == 1:  # one point, as in every step of a run: matmul has less overhead
            return 0.5 * (x @ (A @ x)) - b @ x
        return 0.5 * np.einsum("i...,ij,j...->...", x, A, x) - np.tensordot(b, x, axes=1)

    def grad(x):
        if np.ndim(x) == 1:
            return A @ x - b
        return np.tensordot(A, x, axes=1) - b.reshape((d,) + (1,) * (np.ndim(x) - 1))

    def hess(x):
        return np.broadcast_to(A.reshape((d, d) + (1,) * (np.ndim(x) - 1)), (d, d) + np.shape(x)[1:]).copy()

    return Problem(f, grad, hess, x_star=x_star, name=name, bounds=bounds, dim=d)


def ill_conditioned(kappa: float = 10.0, *, angle: float = 0.0, scale: float = 1.0) -> Problem:
    r"""A 2-D quadratic bowl with condition number κ: eigenvalues ``scale`` and ``scale·κ``.

    .. math:: L(x) = \tfrac12 x^\top R\, \mathrm{diag}(s, s\kappa)\, R^\top x

    where R rotates by ``angle`` radians. The minimum is at the origin.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> p = dd.ill_conditioned(kappa=25.0)
    >>> np.linalg.eigvalsh(p.hess(np.zeros(2)))
    array([ 1., 25.])
    """
    kappa = _checks.real("kappa", kappa, lo=1.0)
    angle = _checks.real("angle", angle)
    scale = _checks.positive("scale", scale)
    c, s = np.cos(angle), np.sin(angle)
    R = np.array([[c, -s], [s, c]])
    A = R @ np.diag([scale, scale * kappa]) @ R.T
    A = 0.5 * (A + A.T)
    return quadratic(A, name=f"ill-conditioned quadratic (κ={kappa:g})", bounds=[(-3.0, 3.0), (-3.0, 3.0)])


# --------------------------------------------------------------------------- classic surfaces


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Problem:
    r"""Rosenbrock's banana valley :math:`L(x, y) = (a - x)^2 + b (y - x^2)^2`.

    Minimum :math:`L = 0` at :math:`(a, a^2)`, at the end of a long curved valley.

    References
    ----------
    Rosenbrock, H. H. (1960). An automatic method for finding the greatest or least value
    of a function. The Computer Journal 3(3).

    Examples
    --------
    >>> import descend as dd
    >>> p = dd.rosenbrock()
    >>> p.x_star, p.f_star
    (array([1., 1.]), 0.0)
    """
    a = _checks.real("a", a)
    b = _checks.positive("b", b)

    def f(x):
        return (a - x[0]) ** 2 + b * (x[1] - x[0] ** 2) ** 2

    def grad(x):
        return _stack([[-2 * (a - x[0]) - 4 * b * x[0] * (x[1] - x[0] ** 2), 2 * b * (x[1] - x[0] ** 2)]])[0]

    def hess(x):
        return _stack([[2 - 4 * b * x[1] + 12 * b * x[0] ** 2, -4 * b * x[0]],
                       [-4 * b * x[0], 2 * b + 0 * x[0]]])

    half = max(2.0, 1.5 * abs(a))
    return Problem(f, grad, hess, x_star=[a, a * a], name="Rosenbrock",
                   bounds=[(-half, half), (-1.0, a * a + half)])


def beale() -> Problem:
    r"""Beale's function, with a flat plateau and steep walls.

    .. math:: L(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2

    Minimum :math:`L = 0` at :math:`(3, 0.5)`.

    References
    ----------
    Beale, E. M. L. (1958). On an iterative method for finding a local minimum of a function
    of more than one variable. Tech. Rep. 25, Statistical Techniques Research Group, Princeton.
    """
    c = (1.5, 2.25, 2.625)

    def f(x):
        return sum((ci - x[0] + x[0] * x[1] ** (i + 1)) ** 2 for i, ci in enumerate(c))

    def grad(x):
        gx = gy = 0.0
        for i, ci in enumerate(c):
            k = i + 1
            r = ci - x[0] + x[0] * x[1] ** k
            gx = gx + 2 * r * (x[1] ** k - 1)
            gy = gy + 2 * r * k * x[0] * x[1] ** (k - 1)
        return _stack([[gx, gy]])[0]

    def hess(x):
        hxx = hxy = hyy = 0.0
        for i, ci in enumerate(c):
            k = i + 1
            r = ci - x[0] + x[0] * x[1] ** k
            rx = x[1] ** k - 1                       # ∂r/∂x
            ry = k * x[0] * x[1] ** (k - 1)          # ∂r/∂y
            ryy = k * (k - 1) * x[0] * x[1] ** (k - 2) if k > 1 else 0.0
            rxy = k * x[1] ** (k - 1)
            hxx = hxx + 2 * rx * rx
            hxy = hxy + 2 * (rx * ry + r * rxy)
            hyy = hyy + 2 * (ry * ry + r * ryy)
        return _stack([[hxx, hxy], [hxy, hyy]])

    return Problem(f, grad, hess, x_star=[3.0, 0.5], name="Beale", bounds=[(-4.5, 4.5), (-4.5, 4.5)])


def himmelblau() -> Problem:
    r"""Himmelblau's function :math:`L(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2`.

    Four minima with :math:`L = 0`: (3, 2) and three others found numerically; ``x_star``
    is (3, 2) and ``minima`` lists all four.

    References
    ----------
    Himmelblau, D. M. (1972). Applied Nonlinear Programming. McGraw-Hill.
    """

    def f(x):
        return (x[0] ** 2 + x[1] - 11) ** 2 + (x[0] + x[1] ** 2 - 7) ** 2

    def grad(x):
        p, q = x[0] ** 2 + x[1] - 11, x[0] + x[1] ** 2 - 7
        return _stack([[4 * x[0] * p + 2 * q, 2 * p + 4 * x[1] * q]])[0]

    def hess(x):
        p, q = x[0] ** 2 + x[1] - 11, x[0] + x[1] ** 2 - 7
        return _stack([[8 * x[0] ** 2 + 4 * p + 2, 4 * x[0] + 4 * x[1]],
                       [4 * x[0] + 4 * x[1], 2 + 8 * x[1] ** 2 + 4 * q]])

    problem = Problem(f, grad, hess, x_star=[3.0, 2.0], name="Himmelblau", bounds=[(-5.0, 5.0), (-5.0, 5.0)])
    minima = [_polish(problem, start) for start in ([3.0, 2.0], [-2.8, 3.1], [-3.8, -3.3], [3.6, -1.8])]
    return Problem(f, grad, hess, x_star=[3.0, 2.0], name="Himmelblau", bounds=problem.bounds, minima=minima)


def saddle() -> Problem:
    r"""A surface with a saddle point at the origin between two minima.

    .. math:: L(x, y) = \tfrac12 x^2 + \tfrac14 y^4 - \tfrac12 y^2

    The origin is a saddle (Hessian eigenvalues 1 and −1); the minima, with
    :math:`L = -\tfrac14`, are at :math:`(0, \pm 1)`. ``x_star`` is (0, 1).

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> p = dd.saddle()
    >>> np.linalg.eigvalsh(p.hess(np.zeros(2)))
    array([-1.,  1.])
    """

    def f(x):
        return 0.5 * x[0] ** 2 + 0.25 * x[1] ** 4 - 0.5 * x[1] ** 2

    def grad(x):
        return _stack([[x[0], x[1] ** 3 - x[1]]])[0]

    def hess(x):
        return _stack([[1.0 + 0 * x[0], 0.0 * x[0]], [0.0 * x[0], 3 * x[1] ** 2 - 1]])

    return Problem(f, grad, hess, x_star=[0.0, 1.0], name="saddle", bounds=[(-2.0, 2.0), (-2.0, 2.0)],
                   minima=[[0.0, 1.0], [0.0, -1.0]])


def long_valley(c: float = 10.0, *, bounds=((-45.0, 5.0), (-2.0, 2.0))) -> Problem:
    r"""A long straight valley whose floor slopes down at an almost constant rate.

    .. math:: L(\theta) = \sqrt{1 + \theta_1^2} - 1 + \tfrac{c}{2}\,\theta_2^2, \qquad
              \nabla L(\theta) = \Bigl(\frac{\theta_1}{\sqrt{1 + \theta_1^2}},\ c\,\theta_2\Bigr)

    The floor :math:`\theta_2 = 0` falls towards the minimum :math:`L = 0` at the origin with a
    slope :math:`|\theta_1|/\sqrt{1 + \theta_1^2}`, within :math:`1/(2\theta_1^2)` of 1 far from
    it, while across the valley the curvature is c.  Both components of the gradient are odd
    functions, and the first one shrinks in size as :math:`|\theta_1|` does: a run that walks
    down the floor meets gradients that never grow, the setting in which AdaGrad's falling
    rate makes it stall on a long journey.

    Parameters
    ----------
    c : float
        The curvature across the valley, > 0.
    bounds : ((lo, hi), (lo, hi))
        The default window for plots.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> p = dd.problems.long_valley()
    >>> p.grad(np.array([-40.0, 1.0])).round(4), float(p.f(p.x_star))
    (array([-0.9997, 10.    ]), 0.0)

    Notes
    -----
    Taught in chapter 7, where AdaGrad needs some 1,600 steps to walk 40 units down it and
    RMSProp under 100.
    """
    c = _checks.positive("c", c)

    def f(x):
        return np.sqrt(1 + x[0] ** 2) - 1 + 0.5 * c * x[1] ** 2

    def grad(x):
        return _stack([[x[0] / np.sqrt(1 + x[0] ** 2), c * x[1]]])[0]

    def hess(x):
        return _stack([[(1 + x[0] ** 2) ** -1.5, 0.0 * x[0]], [0.0 * x[0], c + 0.0 * x[1]]])

    return Problem(f, grad, hess, x_star=[0.0, 0.0], name="long valley", bounds=bounds)


__all__ += ["long_valley"]


# --------------------------------------------------------------------------- data fits


def sigmoid_neuron(x=(0.5, 2.5), y=(0.2, 0.9)) -> Problem:
    r"""Squared error of one sigmoid neuron :math:`f(x) = \sigma(wx + b)` on a few points.

    .. math:: L(w, b) = \tfrac12 \sum_i \bigl(y_i - \sigma(w x_i + b)\bigr)^2

    The parameters are θ = (w, b). With the default data, the two points (0.5, 0.2) and
    (2.5, 0.9) of CS7015's lecture 5, a sigmoid passes through both, so the minimum is
    :math:`L = 0` where :math:`w x_i + b = \operatorname{logit}(y_i)`.

    Gradient, with :math:`f_i = \sigma(w x_i + b)` and :math:`\sigma' = \sigma(1-\sigma)`:

    .. math::
        \frac{\partial L}{\partial w} = \sum_i (f_i - y_i) f_i (1 - f_i)\, x_i, \qquad
        \frac{\partial L}{\partial b} = \sum_i (f_i - y_i) f_i (1 - f_i)

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> p = dd.sigmoid_neuron()
    >>> round(float(p.f(np.array([0.5, 0.0]))), 3)     # CS7015's first guess
    0.073
    """
    xs = _checks.vector("x", x)
    ys = _checks.vector("y", y, dim=xs.shape[0])
    if np.any((ys <= 0) | (ys >= 1)):
        raise ValueError("y must lie strictly between 0 and 1 (the range of the sigmoid)")

    def parts(theta):
        w, b = theta[0], theta[1]
        if np.ndim(w) == 0:   # one point: the same numbers, without the outer products
            fx = sigmoid(xs * w + b)
            return fx, fx - ys, xs
        z = np.multiply.outer(xs, w) + np.multiply.outer(np.ones_like(xs), b)  # (n, *batch)
        fx = sigmoid(z)
        r = fx - ys.reshape((-1,) + (1,) * np.ndim(w))
        return fx, r, xs.reshape((-1,) + (1,) * np.ndim(w))

    def loss(fx, r, xcol):
        return 0.5 * (r**2).sum(0)

    def gradient(fx, r, xcol):
        dz = r * fx * (1 - fx)
        if dz.ndim == 1:
            return np.array([(dz * xcol).sum(), dz.sum()])
        return np.stack([(dz * xcol).sum(0), dz.sum(0)])

    def value_and_grad(theta):
        at = parts(theta)
        return loss(*at), gradient(*at)

    f, grad = _paired(lambda theta: loss(*parts(theta)), lambda theta: gradient(*parts(theta)), value_and_grad)

    def hess(theta):
        fx, r, xcol = parts(theta)
        s1 = fx * (1 - fx)                       # σ'
        s2 = s1 * (1 - 2 * fx)                   # σ''
        d2 = s1 * s1 + r * s2                    # ∂²L_i/∂z²
        return _stack([[(d2 * xcol**2).sum(0), (d2 * xcol).sum(0)], [(d2 * xcol).sum(0), d2.sum(0)]])

    x_star = None
    if xs.shape[0] == 2 and xs[0] != xs[1]:
        logit = np.log(ys / (1 - ys))
        w = (logit[1] - logit[0]) / (xs[1] - xs[0])
        x_star = [w, logit[0] - w * xs[0]]
    return Problem(f, grad, hess, x_star=x_star, name="sigmoid neuron", bounds=[(-6.0, 6.0), (-6.0, 6.0)])


def least_squares(X, y, *, name="least squares", bounds=None) -> Problem:
    r"""Mean squared error of a linear model, :math:`L(\theta) = \frac{1}{2N}\lVert X\theta - y\rVert^2`.

    Gradient :math:`\frac1N X^\top (X\theta - y)`, Hessian :math:`\frac1N X^\top X`; the
    minimizer solves the normal equations :math:`X^\top X \theta = X^\top y`. The loss is an
    average over the N examples, so it also gives mini-batch gradients
    :math:`\frac{1}{|B|} X_B^\top (X_B\theta - y_B)` (see :func:`descend.run`'s ``batch_size``).

    Parameters
    ----------
    X : (N, d) array_like
        Design matrix, one example per row (add a column of ones for an intercept).
    y : (N,) array_like
        Targets.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]])
    >>> p = dd.least_squares(X, [1.0, 3.0, 5.0])
    >>> np.round(p.x_star, 12)
    array([1., 2.])
    """
    X = _checks.matrix("X", X)
    N, d = X.shape
    y = _checks.vector("y", y, dim=N)
    H = X.T @ X / N
    x_star = np.linalg.lstsq(X, y, rcond=None)[0]
    if bounds is None:
        half = max(2.0, 1.5 * float(np.abs(x_star).max()))
        bounds = [(c - half, c + half) for c in x_star]

    def residual(theta):
        if np.ndim(theta) == 1:  # one point: a plain product, bit for bit what tensordot gives
            return X @ theta - y
        return np.tensordot(X, theta, axes=1) - y.reshape((N,) + (1,) * (np.ndim(theta) - 1))

    c, half_mean_y2 = X.T @ y / N, 0.5 * float(np.mean(y**2))

    # On a stack of points (a contour grid, a sweep), residuals of shape (N, *batch) would
    # cost N times the grid; the expanded quadratic ½θᵀHθ − cᵀθ + ½·mean(y²) costs d².
    # A single point keeps the residual form, which is exact near the minimum.
    def f(theta):
        if np.ndim(theta) > 1:
            Ht = np.tensordot(H, theta, axes=1)
            return 0.5 * np.sum(theta * Ht, axis=0) - np.tensordot(c, theta, axes=1) + half_mean_y2
        # for a 1-D θ, the sum and division .mean(0) makes, without its dispatch (which costs more)
        return 0.5 * (np.add.reduce(residual(theta) ** 2, axis=0) / N)

    def grad(theta):
        if np.ndim(theta) > 1:
            return np.tensordot(H, theta, axes=1) - c.reshape((d,) + (1,) * (np.ndim(theta) - 1))
        return X.T @ residual(theta) / N

    def value_and_grad(theta):  # one point: f's and grad's numbers, from one residual
        r = residual(theta)
        return 0.5 * (np.add.reduce(r ** 2, axis=0) / N), X.T @ r / N

    f, grad = _paired(f, grad, value_and_grad)

    def hess(theta):
        return np.broadcast_to(H.reshape((d, d) + (1,) * (np.ndim(theta) - 1)), (d, d) + np.shape(theta)[1:]).copy()

    def batch_grad(theta, idx):
        Xb = X[idx]
        return Xb.T @ (Xb @ theta - y[idx]) / len(idx)

    return Problem(f, grad, hess, x_star=x_star, name=name, bounds=bounds, dim=d,
                   n_examples=N, batch_grad=batch_grad)


def _polish(problem: Problem, x, steps: int = 50) -> np.ndarray:
    """Refine a minimizer from a nearby start with Newton's method."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        for _ in range(steps):
            try:
                x = x - np.linalg.solve(problem.hess(x), problem.grad(x))
            except np.linalg.LinAlgError:
                return np.full_like(x, np.nan)
    return x


def logistic_regression(X, y, *, name="logistic regression", bounds=None) -> Problem:
    r"""Mean cross-entropy of a logistic model :math:`p_i = \sigma(x_i^\top\theta)`.

    .. math::
        L(\theta) = \frac1N \sum_i \Bigl[-y_i \log p_i - (1 - y_i)\log(1 - p_i)\Bigr],
        \qquad \nabla L = \frac1N X^\top (p - y), \qquad H = \frac1N X^\top \mathrm{diag}(p(1-p)) X

    Convex; the minimizer is found here by Newton's method when it exists (data that are not
    linearly separable).  Gives mini-batch gradients like :func:`least_squares`.

    Parameters
    ----------
    X : (N, d) array_like
        Features, one example per row (add a column of ones for an intercept).
    y : (N,) array_like
        Labels, 0 or 1.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> X = np.column_stack([[-2.0, -1.0, 0.0, 1.0, 2.0, 0.5], np.ones(6)])
    >>> p = dd.logistic_regression(X, [0, 0, 1, 1, 1, 0])
    >>> bool(np.linalg.norm(p.grad(p.x_star)) < 1e-10)
    True
    """
    X = _checks.matrix("X", X)
    N, d = X.shape
    y = _checks.vector("y", y, dim=N)
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("y must contain only the labels 0 and 1")

    def logits(theta):
        return np.tensordot(X, theta, axes=1)  # (N, *batch)

    def f(theta):
        z = logits(theta)
        yb = y.reshape((N,) + (1,) * (np.ndim(theta) - 1))
        # −y log σ(z) − (1−y) log(1−σ(z)) = log(1 + e^z) − y z, computed without overflow
        return (np.logaddexp(0.0, z) - yb * z).mean(0)

    def grad(theta):
        yb = y.reshape((N,) + (1,) * (np.ndim(theta) - 1))
        return np.tensordot(X.T, sigmoid(logits(theta)) - yb, axes=1) / N

    def value_and_grad(theta):  # one point: f's and grad's numbers, from one product Xθ
        z = logits(theta)
        return (np.logaddexp(0.0, z) - y * z).mean(0), np.tensordot(X.T, sigmoid(z) - y, axes=1) / N

    f, grad = _paired(f, grad, value_and_grad)

    def hess(theta):
        p = sigmoid(logits(theta))
        w = p * (1 - p)
        return np.einsum("ni,nj,n...->ij...", X, X, w) / N

    def batch_grad(theta, idx):
        Xb = X[idx]
        return Xb.T @ (sigmoid(Xb @ theta) - y[idx]) / len(idx)

    probe = Problem(f, grad, hess, name=name, dim=d)
    x_star = _polish(probe, np.zeros(d))
    if not (np.all(np.isfinite(x_star)) and np.linalg.norm(grad(x_star)) < 1e-8):
        x_star = None  # separable data: the loss has no minimizer
    if bounds is None:
        centre = x_star if x_star is not None else np.zeros(d)
        half = max(2.0, 1.5 * float(np.abs(centre).max()))
        bounds = [(c - half, c + half) for c in centre]
    return Problem(f, grad, hess, x_star=x_star, name=name, bounds=bounds, dim=d,
                   n_examples=N, batch_grad=batch_grad)


# --------------------------------------------------------------------------- rescaled losses (chapter 9)


def scaled(problem: Problem, c: float) -> Problem:
    r"""The loss multiplied by a non-zero constant: :math:`\tilde L = cL`, its gradient and Hessian too.

    For c > 0 the minimizers are those of L; for c < 0 they become maximizers, and the
    result knows no minimizer.  Newton's method takes the same steps on :math:`cL` as on L
    for every :math:`c \ne 0`; gradient descent's steps are multiplied by c.

    Parameters
    ----------
    problem : Problem
        The loss L (its Hessian and mini-batch gradient, if it has them, are scaled too).
    c : float
        The factor, non-zero.

    Returns
    -------
    Problem
        Named ``"c·name"``, with the window of ``problem``.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> p = dd.problems.scaled(dd.himmelblau(), 10.0)
    >>> p.name, float(p.f(np.zeros(2))), p.grad(np.zeros(2)).tolist()
    ('10·Himmelblau', 1700.0, [-140.0, -220.0])

    Notes
    -----
    Used in chapter 9 to show that Newton's method, and Adam with ε = 0, do not notice the
    scale of the loss.
    """
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a Problem, got {type(problem).__name__}")
    c = _checks.real("c", c)
    if c == 0:
        raise ValueError("c must be non-zero: 0·L has no information left")
    hess = None if problem.hess is None else (lambda x: c * np.asarray(problem.hess(x)))
    batch_grad = (None if problem.batch_grad is None
                  else (lambda x, idx: c * np.asarray(problem.batch_grad(x, idx))))
    return Problem(lambda x: c * problem.f(x), lambda x: c * np.asarray(problem.grad(x)), hess,
                   x_star=problem.x_star if c > 0 else None, name=f"{c:g}·{problem.name}",
                   bounds=problem.bounds, minima=problem.minima if c > 0 else (), dim=problem.dim,
                   n_examples=problem.n_examples, batch_grad=batch_grad)


def reparametrized(problem: Problem, S, shift=None) -> Problem:
    r"""The loss in new coordinates: :math:`\tilde L(\phi) = L(S\phi + s)` for an invertible matrix S.

    By the chain rule, with g and H taken at :math:`\theta = S\phi + s`,

    .. math:: \nabla\tilde L(\phi) = S^\top g, \qquad \tilde H(\phi) = S^\top H S ,

    and the minimizers are :math:`\phi^\star = S^{-1}(\theta^\star - s)`.  Run an optimizer on
    :math:`\tilde L` from :math:`\phi_0 = S^{-1}(\theta_0 - s)` and map its iterates back,
    ``trace.xs @ S.T + s``, to see whether it takes the same path in θ as on L: Newton's
    method does for every invertible S, gradient descent only when S is orthogonal.

    Parameters
    ----------
    problem : Problem
        The loss L, of dimension d (its Hessian, if it has one, is transformed too).
    S : (d, d) array_like
        An invertible matrix.
    shift : (d,) array_like, optional
        The shift s (zero by default).

    Returns
    -------
    Problem
        :math:`\tilde L`, with no window of its own (pass ``bounds`` to plotting functions).

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> S = np.diag([2.0, 1.0])                     # θ₁ = 2φ₁: another unit for θ₁
    >>> p = dd.problems.reparametrized(dd.himmelblau(), S)
    >>> p.x_star.tolist(), p.grad(np.array([1.0, 1.0])).tolist()     # ∇L(2, 1) = (−56, −28)
    ([1.5, 2.0], [-112.0, -28.0])

    Notes
    -----
    Used in chapter 9 to check that Newton's iterates follow any affine change of
    coordinates and that those of gradient descent and Adam do not.
    """
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a Problem, got {type(problem).__name__}")
    d = problem.dim
    S = _checks.matrix("S", S, square=True)
    if S.shape != (d, d):
        raise ValueError(f"S must have shape ({d}, {d}) for this problem, got {S.shape}")
    if np.linalg.matrix_rank(S) < d:
        raise ValueError("S must be invertible")
    s = np.zeros(d) if shift is None else _checks.vector("shift", shift, dim=d)

    def theta(phi):
        phi = np.asarray(phi, dtype=np.float64)
        return np.tensordot(S, phi, axes=1) + s.reshape((d,) + (1,) * (phi.ndim - 1))

    hess = None
    if problem.hess is not None:
        def hess(phi):
            return np.einsum("ki,kl...,lj->ij...", S, np.asarray(problem.hess(theta(phi))), S)

    back = [np.linalg.solve(S, m - s) for m in problem.minima]
    return Problem(lambda phi: problem.f(theta(phi)),
                   lambda phi: np.tensordot(S.T, np.asarray(problem.grad(theta(phi))), axes=1), hess,
                   x_star=None if problem.x_star is None else np.linalg.solve(S, problem.x_star - s),
                   name=f"{problem.name}(Sφ + s)", minima=tuple(back), dim=d)


__all__ += ["scaled", "reparametrized"]
