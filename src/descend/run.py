"""The one optimization loop, :func:`run`, and the :class:`Trace` it returns; its batched
form, which advances many runs together, behind :func:`sweep` (many hyperparameters) and
:func:`sweep_starts` (many starts), and the :class:`Sweep` they return."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import _checks
from .optim import Optimizer
from .problems import Problem, _shared

__all__ = ["Trace", "run", "Sweep", "sweep", "sweep_starts"]


class _Computed:
    """A field of :class:`Trace` that may be given as a function of no arguments, called the first
    time the field is read and replaced by what it returns (``Trace.grad_norms`` of a mini-batch
    run, which no step needs)."""

    def __set_name__(self, owner, name):
        self.slot = "_" + name

    def __get__(self, obj, owner=None):
        if obj is None:
            raise AttributeError(self.slot[1:])      # for dataclasses: the field has no default
        try:
            value = obj.__dict__[self.slot]
        except KeyError:
            raise AttributeError(self.slot[1:]) from None
        if callable(value):
            value = obj.__dict__[self.slot] = value()
        return value

    def __set__(self, obj, value):
        obj.__dict__[self.slot] = value


@dataclass(frozen=True)
class Trace:
    """The record of one run.

    Attributes
    ----------
    xs : (n + 1, d) array
        The iterates, ``xs[0]`` being the start; only finite iterates are kept.
    fs : (n + 1,) array
        The loss at each iterate.
    grad_norms : (n + 1,) array
        :math:`\\lVert\\nabla L\\rVert` at each iterate.  A mini-batch run without ``tol``
        computes them the first time they are read (one full gradient per iterate then): no
        step needs the full gradient.
    diverged : bool
        True if the run met a non-finite value (overflow) and stopped (in a mini-batch run
        without ``tol``, a non-finite iterate or loss: the full gradient is not checked).
    diverged_at : int or None
        The step that produced the first non-finite value.
    converged : bool
        True if the run stopped early because the gradient norm fell below ``tol``.
    name : str
        The optimizer's name.
    hyper : dict
        The optimizer's hyperparameters.
    problem : str
        The problem's name.
    batch_size : int or None
        The mini-batch size of a stochastic run, None for full-batch gradients.
    epochs : (n + 1,) array or None
        For a stochastic run: the passes over the data made by each iterate
        (examples seen / N), the usual x-axis of a training curve.
    state : NamedTuple or None
        The optimizer's state after the last step (its counters, moments, velocity …).
    """

    xs: np.ndarray
    fs: np.ndarray
    grad_norms: np.ndarray = _Computed()
    diverged: bool = False
    diverged_at: int | None = None
    converged: bool = False
    name: str = ""
    hyper: dict = field(default_factory=dict)
    label: str = ""
    problem: str = ""
    batch_size: int | None = None
    epochs: np.ndarray | None = None
    state: Any = None

    def __getstate__(self):   # pickle and copy: the norms themselves, not the function
        self.grad_norms
        return self.__dict__

    @property
    def steps(self) -> int:
        """Number of steps kept (``len(xs) - 1``)."""
        return len(self.xs) - 1

    @property
    def x(self) -> np.ndarray:
        """The last finite iterate."""
        return self.xs[-1]

    @property
    def f(self) -> float:
        """The loss at the last finite iterate."""
        return float(self.fs[-1])

    def steps_to(self, level: float, *, x_star=None) -> int | None:
        r"""The first step t at which :math:`L(x_t) <` ``level``, or None if the run never gets there.

        With ``x_star``, the first step at which the distance
        :math:`\lVert x_t - x^\star\rVert <` ``level`` instead.

        Examples
        --------
        >>> import descend as dd
        >>> trace = dd.run(dd.gd(eta=0.5), dd.quadratic([[1.0]]), x0=1.0, steps=10)
        >>> trace.steps_to(0.01), trace.steps_to(0.01, x_star=0.0), trace.steps_to(1e-9)
        (3, 7, None)

        Used from chapter 2 on to count the steps a run needs.
        """
        level = _checks.real("level", level)
        if x_star is None:
            values = self.fs
        else:
            x_star = _checks.vector("x_star", x_star, dim=self.xs.shape[1])
            values = np.linalg.norm(self.xs - x_star, axis=1)
        below = np.flatnonzero(values < level)
        return int(below[0]) if below.size else None

    def __repr__(self) -> str:
        status = f"diverged at step {self.diverged_at}" if self.diverged else f"L={self.f:.6g}"
        return f"Trace({self.label or self.name}, {self.steps} steps, {status})"


def run(opt: Optimizer, problem: Problem, x0, steps: int = 100, *, tol: float | None = None,
        batch_size: int | None = None, seed: int = 0) -> Trace:
    r"""Run an optimizer on a problem from ``x0`` for ``steps`` steps.

    At each step: :math:`g_t = \nabla L(x_t)`, ``step, state = opt.update(g_t, state, x_t)``,
    :math:`x_{t+1} = x_t + \text{step}`.

    Parameters
    ----------
    opt : Optimizer
        From :func:`descend.gd`, :func:`descend.adam` etc.
    problem : Problem
        The loss to minimize.
    x0 : array_like of shape (problem.dim,)
        The start; a float for a 1-D problem.
    steps : int
        Number of steps, ≥ 0.
    tol : float, optional
        Stop early once :math:`\lVert\nabla L(x_t)\rVert \le` ``tol`` (a stopping rule).
    batch_size : int, optional
        Stochastic and mini-batch gradient descent: each step uses the gradient of the
        average loss over ``batch_size`` examples (``problem.batch_grad``), drawn without
        replacement from a fresh shuffle of the data at each epoch; the last batch of an
        epoch may be smaller.  ``batch_size=1`` is SGD; N is full-batch.  The trace still
        records the full loss and gradient norm at every iterate; without ``tol``, no step needs
        the full gradient, so the norms are computed when ``grad_norms`` is first read, and the
        run stops at a non-finite iterate or full loss (a non-finite full gradient is then a
        non-finite norm).
    seed : int
        Seed of the shuffles, so a stochastic run is reproducible.

    Returns
    -------
    Trace
        With ``xs`` of shape ``(steps + 1, d)`` unless the run stopped early.  A run that
        overflows stops at the first non-finite value (of those it computes: see
        ``batch_size``), keeps the finite iterates and sets ``diverged``; no overflow warning
        is printed.

    Examples
    --------
    >>> import descend as dd
    >>> trace = dd.run(dd.gd(eta=0.1), dd.quadratic([[1.0]]), x0=1.0, steps=3)
    >>> trace.xs.ravel()
    array([1.   , 0.9  , 0.81 , 0.729])
    >>> dd.run(dd.gd(eta=3.0), dd.quadratic([[1.0]]), x0=1.0, steps=2000).diverged
    True
    """
    if not isinstance(opt, Optimizer):
        raise TypeError(f"opt must be an Optimizer such as descend.gd(eta=0.1), got {type(opt).__name__}")
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a descend.Problem, got {type(problem).__name__}")
    x = _checks.vector("x0", x0, dim=problem.dim)
    steps = _checks.count("steps", steps)
    if tol is not None:
        tol = _checks.real("tol", tol, lo=0.0)
    extra = {"problem": problem} if opt.needs_problem else {}
    batches = None
    if batch_size is not None:
        if problem.batch_grad is None:
            raise ValueError(f"batch_size needs a loss averaged over examples; {problem.name!r} has no batch_grad")
        batch_size = _checks.count("batch_size", batch_size, minimum=1)
        if batch_size > problem.n_examples:
            raise ValueError(f"batch_size must be at most the number of examples, {problem.n_examples}; got {batch_size}")
        batches = _minibatches(problem.n_examples, batch_size, _checks.count("seed", seed))
        seen = [0]

    xs, fs, norms = [x], [], []
    diverged_at = None
    converged = False
    state = opt.init(x)
    evaluate = _evaluator(problem, x)
    later = batches is not None and tol is None   # no step needs the full gradient: its norms later
    loss = _evaluator(problem, x, grad=False) if later else None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        fx, g = evaluate(x)
        if not (math.isfinite(fx) and np.isfinite(g).all()):
            raise ValueError(f"x0 must be a point where the loss and gradient are finite; at {x} they are not")
        fs.append(fx)
        norms.append(_norm(g))
        for t in range(steps):
            if tol is not None and norms[-1] <= tol:
                converged = True
                break
            if batches is not None:
                idx = next(batches)
                g = np.asarray(problem.batch_grad(x, idx), dtype=np.float64)
                seen.append(seen[-1] + len(idx))
            step, state = opt.update(g, state, x, **extra)
            x_next = x + step
            if x_next.shape != x.shape:
                raise ValueError(f"{opt.name}'s update must return a step of the shape of x, {x.shape}; "
                                 f"got {np.shape(step)}")
            if not np.isfinite(x_next).all():
                diverged_at = t + 1
                break
            if later:
                fx_next, g_next = loss(x_next)
                if not math.isfinite(fx_next):
                    diverged_at = t + 1
                    break
            else:
                fx_next, g_next = evaluate(x_next)
                if not (math.isfinite(fx_next) and np.isfinite(g_next).all()):
                    diverged_at = t + 1
                    break
                norms.append(_norm(g_next))
            x, fx, g = x_next, fx_next, g_next
            xs.append(x)
            fs.append(fx)
    if tol is not None and not converged and diverged_at is None and norms[-1] <= tol:
        converged = True
    epochs = None if batches is None else np.array(seen[: len(xs)]) / problem.n_examples
    xs = np.array(xs)
    return Trace(
        xs=xs,
        fs=np.array(fs),
        grad_norms=_norms_of(problem, xs, norms[0]) if later else np.array(norms),
        diverged=diverged_at is not None,
        diverged_at=diverged_at,
        converged=converged,
        name=opt.name,
        hyper=dict(opt.hyper),
        label=opt.label,
        problem=problem.name,
        batch_size=batch_size,
        epochs=epochs,
        state=state,
    )


def _norms_of(problem: Problem, xs: np.ndarray, first: float):
    """The function that gives :math:`\\lVert\\nabla L(x_t)\\rVert` at every row of ``xs``
    (``first`` at ``xs[0]``, known already), with the numbers :func:`run` records."""
    xs = xs.copy()   # the points the run visited, whatever is later done to the trace's xs

    def norms():
        evaluate = _evaluator(problem, xs[0])
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            return np.array([first] + [_norm(evaluate(x)[1]) for x in xs[1:]])
    return norms


def _minibatches(n: int, size: int, seed: int):
    """Endless mini-batches of indices: each epoch a new shuffle, cut into batches of ``size``."""
    rng = np.random.default_rng(seed)
    while True:
        order = rng.permutation(n)
        for start in range(0, n, size):
            yield order[start:start + size]


def _norm(g: np.ndarray) -> float:
    """‖g‖ of a 1-D float64 array, bit for bit ``np.linalg.norm(g)``. numpy computes
    ``sqrt(g·g)`` on a contiguous copy; for a contiguous ``g`` that is done here without its
    checks (which cost more than a step of a small problem), and a strided ``g``, whose dot
    product may add in another order, is left to numpy."""
    if not g.flags.c_contiguous:
        return float(np.linalg.norm(g))
    return math.sqrt(float(g.dot(g)))


def _evaluator(problem: Problem, x: np.ndarray, *, grad: bool = True):
    """``evaluate(x) -> (L(x), ∇L(x))`` at points of the shape of ``x``, checked: what
    :func:`run` calls at every iterate, with what does not change during a run looked up once.
    With ``grad=False``, ``(L(x), None)``."""
    both = _shared(problem, x) if grad else None   # f and grad computed together, when they share work
    f, gradient, shape = problem.f, problem.grad, x.shape

    def evaluate(x):
        fx, g = both(x) if both is not None else (f(x), None)
        if not isinstance(fx, float):    # a Python float or np.float64 is one number already
            fx = np.asarray(fx, dtype=np.float64)
            if fx.size != 1:
                raise ValueError(f"problem.f must return a single number at a point, returned shape {fx.shape}")
            fx = fx.reshape(())
        if not grad:
            return float(fx), None
        g = np.asarray(gradient(x) if both is None else g, dtype=np.float64)
        if g.shape != shape:
            raise ValueError(f"problem.grad must return shape {shape}, returned {g.shape}")
        return float(fx), g

    return evaluate


@dataclass(frozen=True)
class Sweep:
    """The record of :func:`sweep` (one run per combination of hyperparameters) or of
    :func:`sweep_starts` (one run per start).

    Attributes
    ----------
    grid : dict of str to array
        The values swept for each hyperparameter, in the order of the axes below; empty for
        :func:`sweep_starts`, whose runs share one optimizer.
    fs : array of shape (*grid_shape, steps + 1)
        The loss of every run at every step; NaN after a run diverged.  ``grid_shape`` is
        ``(S,)`` for S starts.
    dists : array of shape (*grid_shape, steps + 1) or None
        :math:`\\lVert x_t - x^\\star\\rVert` when the problem knows its minimizer.
    x : array of shape (*grid_shape, d)
        The last finite iterate of every run.
    diverged_at : int array of shape grid_shape
        The step at which each run met a non-finite value, or -1 if it never did.
    name : str
        The optimizer's name.
    starts : array of shape (S, d) or None
        The starts of :func:`sweep_starts`, one per row; None for :func:`sweep`.
    """

    grid: dict
    fs: np.ndarray
    dists: np.ndarray | None
    x: np.ndarray
    diverged_at: np.ndarray
    name: str = ""
    starts: np.ndarray | None = None

    @property
    def diverged(self) -> np.ndarray:
        """Boolean array of shape ``grid_shape``: which runs diverged."""
        return self.diverged_at >= 0

    def rate(self, start: int | None = None) -> np.ndarray:
        r"""The measured linear rate of every run: the average factor by which the error
        shrinks per step over steps ``start`` … ``steps``,

        .. math:: \rho \approx \bigl(e_T / e_{\text{start}}\bigr)^{1/(T - \text{start})},

        with :math:`e_t = \lVert x_t - x^\star\rVert` if the minimizer is known, else the loss
        itself.  ``start`` defaults to half the run, past the transient.  Runs that diverged
        get ``inf``; runs that reached the error floor of float64 are measured up to it.
        """
        e = self.dists if self.dists is not None else self.fs
        steps = e.shape[-1] - 1
        start = steps // 2 if start is None else _checks.count("start", start)
        if not 0 <= start < steps:
            raise ValueError(f"start must lie in [0, {steps - 1}], got {start}")
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            floor = 1e-300
            window = e[..., start:]
            # stop measuring where a run hits exact zero / the float floor
            reached = np.cumsum(window <= floor, axis=-1) > 0
            last = np.where(reached.any(-1), np.argmax(reached, axis=-1) - 1, window.shape[-1] - 1)
            last = np.maximum(last, 1)
            e_last = np.take_along_axis(window, last[..., None], axis=-1)[..., 0]
            rho = (e_last / window[..., 0]) ** (1.0 / last)
        return np.where(self.diverged | ~np.isfinite(rho), np.inf, rho)

    def mean_log_gap(self, f_star: float = 0.0, *, floor: float = 1e-16) -> np.ndarray:
        r"""How low each run's loss curve lies on average, on a log scale.

        .. math:: S = \frac{1}{T + 1} \sum_{t=0}^{T} \log_{10} \max\bigl(L(x_t) - L^\star,\ \text{floor}\bigr)

        The score rewards getting low early and staying low; gaps below ``floor`` count as
        ``floor``, so that runs that reach the minimum to machine precision tie rather than
        compete on rounding.  Runs that diverged get ``inf``.

        Parameters
        ----------
        f_star : float
            :math:`L^\star`, the minimum of the loss (0 by default).
        floor : float
            The smallest gap counted, > 0.

        Returns
        -------
        ndarray of shape ``grid_shape``
        """
        f_star = _checks.real("f_star", f_star)
        floor = _checks.positive("floor", floor)
        with np.errstate(invalid="ignore"):
            gap = np.maximum(self.fs - f_star, floor)
            score = np.log10(gap).mean(axis=-1)
        return np.where(self.diverged, np.inf, score)

    def best(self, f_star: float = 0.0, *, floor: float = 1e-16) -> dict:
        r"""The hyperparameters of the run whose loss curve lies lowest: the least :meth:`mean_log_gap`.

        This is one way to tune a learning rate fairly before comparing optimizers: every
        optimizer gets the value of its own grid that suits it best on the problem.  Ties go
        to the first run in the grid's order.

        Returns
        -------
        dict of str to float
            One value per swept hyperparameter, ready for the factory: ``factory(**best)``.

        Examples
        --------
        >>> import numpy as np, descend as dd
        >>> p = dd.ill_conditioned(kappa=10.0)
        >>> res = dd.sweep(dd.gd, p, [1.0, 1.0], steps=50, eta=[0.01, 0.1, 0.15, 0.3])
        >>> res.best(p.f_star)           # 0.3 > 2/λ_max is unstable; 2/(λ_min + λ_max) ≈ 0.18
        {'eta': 0.15}
        """
        if not self.grid:
            raise ValueError("best compares hyperparameters, and this sweep has none: it ran one "
                             "optimizer from many starts (descend.sweep_starts)")
        score = self.mean_log_gap(f_star, floor=floor)
        if np.all(np.isinf(score)):
            raise ValueError("every run diverged: there is no best setting")
        index = np.unravel_index(int(np.argmin(score)), score.shape)
        return {name: float(values[i]) for (name, values), i in zip(self.grid.items(), index)}


def sweep(factory, problem: Problem, x0, steps: int = 100, **grid) -> Sweep:
    r"""Run one optimizer over a grid of hyperparameters at once, vectorized with NumPy.

    Every combination of the values given in ``grid`` becomes one column of a batch of
    iterates of shape ``(d, S)``, and all S runs advance together: the same loop as
    :func:`run`, with arrays of hyperparameters broadcasting across the batch.

    Parameters
    ----------
    factory : callable
        An optimizer factory such as :func:`descend.momentum`; it receives each swept
        hyperparameter as an array of shape ``(S,)``, one value per run (per column of the
        batch).  A factory may fix per-coordinate factors, e.g.
        ``lambda eta: descend.optim.scaled_steps(descend.gd(eta=eta), [1.0, 4.0])``, but not
        sweep them: ``scale`` is read as one factor per coordinate.  The optimizer must
        act coordinate by coordinate (see :func:`sweep_starts`).
    problem : Problem
        A problem whose ``f`` and ``grad`` accept a batch of points ``(d, S)``.
    x0 : array_like of shape (d,)
        The common start.
    steps : int
        Number of steps.
    **grid : array_like
        The values of each hyperparameter to sweep, e.g. ``eta=np.linspace(0.01, 1, 100)``.

    Returns
    -------
    Sweep
        ``fs`` and ``dists`` are NaN after a run diverged, and ``diverged_at`` is the step of
        :attr:`Trace.diverged_at` (-1 if none): a run stops, as in :func:`run`, at its first
        non-finite iterate, loss or gradient.  Each run agrees with :func:`run` as a run of
        :func:`sweep_starts` does: step by step to rounding, which long or unstable runs can
        amplify.

    Raises
    ------
    ValueError
        If the grid is empty or not made of 1-D sequences, if the optimizer needs the
        problem's Hessian or clips the gradient by its norm (see :func:`sweep_starts`), or if
        the loss or gradient is not finite at ``x0``.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> res = dd.sweep(dd.momentum, dd.ill_conditioned(kappa=10.0), [1.0, 1.0], steps=200,
    ...                eta=np.linspace(0.02, 0.3, 15), beta=np.linspace(0.0, 0.9, 10))
    >>> res.fs.shape
    (15, 10, 201)
    """
    _checks.callable_("factory", factory)
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a descend.Problem, got {type(problem).__name__}")
    if not grid:
        raise ValueError("give at least one hyperparameter to sweep, e.g. eta=np.linspace(0.01, 1, 50)")
    x0 = _checks.vector("x0", x0, dim=problem.dim)
    steps = _checks.count("steps", steps)
    values = {}
    for name, v in grid.items():
        arr = np.asarray(v, dtype=np.float64)
        if arr.ndim != 1 or arr.size == 0:
            raise ValueError(f"{name} must be a non-empty 1-D sequence of values to sweep, got shape {arr.shape}")
        values[name] = arr
    mesh = np.meshgrid(*values.values(), indexing="ij")
    shape = mesh[0].shape
    opt = factory(**{name: m.ravel() for name, m in zip(values, mesh)})
    fs, dists, X, diverged_at = _run_batch(opt, problem, np.repeat(x0[:, None], mesh[0].size, axis=1), steps,
                                           start_name="x0")
    return Sweep(
        grid=values,
        fs=fs.reshape(*shape, steps + 1),
        dists=None if dists is None else dists.reshape(*shape, steps + 1),
        x=X.T.reshape(*shape, problem.dim),
        diverged_at=diverged_at.reshape(shape),
        name=opt.name,
    )


def sweep_starts(opt: Optimizer, problem: Problem, starts, steps: int = 100) -> Sweep:
    r"""Run one optimizer from many starts at once, vectorized with NumPy.

    The starts become the columns of a batch of iterates :math:`X_t` of shape ``(d, S)``,
    and all S runs advance together, each by the rule of :func:`run`,

    .. math:: X_{t+1} = X_t + \text{step}\bigl(\nabla L(X_t)\bigr) \quad\text{column by column},

    so that a basin of attraction or a claim "from every start in an interval" costs one
    loop of ``steps`` NumPy operations instead of S Python loops.  A run stops, as in
    :func:`run`, at its first non-finite iterate, loss or gradient.

    Each step of each run is the step :func:`run` takes from the same point, to rounding:
    NumPy may compute a power of an array and of a single number differently in the last bit.
    Over a short run the iterates agree to rounding (Adam on Himmelblau with η = 0.05, within
    2e-16 after 300 steps); where a run amplifies last-bit differences, such as a run that
    hovers around a minimum at a constant learning rate, an unstable one, or a long one, the
    two can drift visibly apart (the same Adam runs differ by 1e-3 after 3,000 steps and
    7e-3 after 20,000).  Neither is the wrong one: both follow the rule in floating point.

    Parameters
    ----------
    opt : Optimizer
        A first-order optimizer such as ``descend.gd(eta=0.1)``, shared by every run.  Its
        update must act coordinate by coordinate, as gradient descent, momentum, Nesterov,
        AdaGrad, RMSProp, Adam(W), :func:`descend.optim.scaled_steps` and clipping by value
        do: the batch is one array, so an update that took a norm or a dot product of the
        gradient would mix the runs without any error.  Each run has its own velocity and
        moments (one column of the state's arrays); the step counter ``t`` is one number
        shared by all, which is right because all the runs step together.
    problem : Problem
        A problem whose ``f`` and ``grad`` accept a batch of points ``(d, S)``, as every
        problem of :mod:`descend.problems` and :func:`descend.scalar` does.
    starts : array_like of shape (S, d)
        One start per row; for a 1-D problem, also a flat sequence of S numbers.  The loss
        and gradient must be finite at every start.
    steps : int
        Number of steps, ≥ 0.

    Returns
    -------
    Sweep
        With ``fs`` of shape ``(S, steps + 1)``, ``x`` of shape ``(S, d)`` (the last finite
        iterate of each run), ``diverged_at`` of shape ``(S,)`` (-1 for a run that never
        met a non-finite value, else the step of :attr:`Trace.diverged_at`), ``dists`` when
        the problem knows its minimizer (NaN, like ``fs``, after a run diverged), ``starts``
        and an empty ``grid``.  No overflow warning is printed.

    Raises
    ------
    TypeError
        If ``opt`` is not an :class:`~descend.optim.Optimizer` (a factory such as
        ``descend.gd`` rather than ``descend.gd(eta=0.1)``), ``problem`` not a
        :class:`~descend.Problem`, or ``starts`` not an array of numbers.
    ValueError
        If ``opt`` needs the problem's Hessian or loss (Newton, the line searches: use
        :func:`run`) or clips the gradient by its norm (``descend.clipped(..., max_norm=...)``,
        whose norm would mix the runs); if ``starts`` is not of shape ``(S, d)`` with S ≥ 1,
        is not finite, or has a start where the loss or the gradient is not finite (as
        :func:`run` refuses such an ``x0``); if ``steps`` < 0; or if ``problem.f`` or
        ``problem.grad`` does not accept a batch of points.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> well = dd.scalar(lambda t: t**4 - 2 * t**2, lambda t: 4 * t**3 - 4 * t)   # minima at ±1
    >>> res = dd.sweep_starts(dd.gd(eta=0.05), well, [-1.5, -0.2, 0.3, 1.5, 9.0], steps=200)
    >>> res.diverged_at                          # from 9 the steps grow until the fifth overflows
    array([-1, -1, -1, -1,  5])
    >>> res.x[~res.diverged, 0].round(6)         # the others slide into the valley on their side
    array([-1., -1.,  1.,  1.])
    >>> dd.run(dd.gd(eta=0.05), well, x0=9.0, steps=200).diverged_at   # as run from 9 says
    5

    Notes
    -----
    Used in chapter 2 to check where gradient descent ends from hundreds of starts, and in
    chapter 3 to run twelve starts around a minimum at once.
    """
    if not isinstance(opt, Optimizer):
        raise TypeError(f"opt must be an Optimizer such as descend.gd(eta=0.1), got {type(opt).__name__}")
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a descend.Problem, got {type(problem).__name__}")
    starts = _starts(starts, problem.dim)
    steps = _checks.count("steps", steps)
    fs, dists, X, diverged_at = _run_batch(opt, problem, starts.T.copy(), steps, start_name="starts")
    return Sweep(grid={}, fs=fs, dists=dists, x=X.T.copy(), diverged_at=diverged_at, name=opt.name,
                 starts=starts)


def _starts(starts, dim: int) -> np.ndarray:
    """The starts as a finite float64 array of shape (S, dim), S ≥ 1."""
    try:
        arr = np.array(starts, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"starts must be an array of real numbers of shape (S, {dim}), "
                        f"got {type(starts).__name__}") from None
    if dim == 1 and arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[1] != dim or arr.shape[0] == 0:
        raise ValueError(f"starts must have shape (S, {dim}) for this problem, one start per row with S ≥ 1"
                         f"{' (or S numbers)' if dim == 1 else ''}; got shape {arr.shape}")
    return _checks.matrix("starts", arr)


def _run_batch(opt: Optimizer, problem: Problem, X: np.ndarray, steps: int, *, start_name: str):
    """The loop of :func:`run` on the S columns of ``X`` (d, S) at once.

    Returns ``fs`` (S, steps + 1), ``dists`` (S, steps + 1) or None, the last finite
    iterates (d, S) and ``diverged_at`` (S,), -1 where a run never diverged.
    """
    if opt.needs_problem:
        raise ValueError(f"sweeps run first-order optimizers; {opt.name} needs the problem's Hessian: "
                         "use descend.run")
    if "max_norm" in opt.hyper:
        raise ValueError(f"{opt.name} clips the gradient by its norm over all the coordinates, which in a "
                         "batch would mix the runs: use descend.run")
    d, S = X.shape
    fs = np.full((steps + 1, S), np.nan)
    x_star = problem.x_star
    dists = np.full((steps + 1, S), np.nan) if x_star is not None else None
    diverged_at = np.full(S, -1)
    alive = np.ones(S, dtype=bool)
    state = opt.init(X)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        fx, G = _evaluate_batch(problem, X)
        finite = np.isfinite(fx) & np.isfinite(G).all(axis=0)
        if not finite.all():
            j = int(np.argmin(finite))
            many = start_name == "starts"
            where = f"starts[{j}] = {X[:, j]}" if many else str(X[:, j])
            raise ValueError(f"{start_name} must be {'points' if many else 'a point'} where the loss and "
                             f"gradient are finite; at {where} they are not")
        fs[0] = fx
        if dists is not None:
            dists[0] = np.linalg.norm(X - x_star[:, None], axis=0)
        for t in range(steps):
            step, state = opt.update(G, state, X)
            X_new = X + step
            f_new, G_new = problem.f(X_new), problem.grad(X_new)
            # the checks of `run`: a run stops at its first non-finite iterate, loss or gradient
            finite = np.isfinite(X_new).all(axis=0) & np.isfinite(f_new) & np.isfinite(G_new).all(axis=0)
            bad = alive & ~finite
            if bad.any():
                diverged_at[bad] = t + 1
                alive &= ~bad
            if alive.all():
                X, G = X_new, G_new
                fs[t + 1] = f_new
            else:  # a diverged run stays at its last finite point
                X, G = np.where(alive, X_new, X), np.where(alive, G_new, G)
                fs[t + 1, alive] = f_new[alive]
            if dists is not None:
                dists[t + 1, alive] = np.linalg.norm(X[:, alive] - x_star[:, None], axis=0)
    return fs.T, None if dists is None else dists.T, X, diverged_at


def _evaluate_batch(problem: Problem, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    d, S = X.shape
    fx = np.asarray(problem.f(X), dtype=np.float64)
    if fx.shape != (S,):
        raise ValueError(f"problem.f must accept a batch of points of shape (d, S) and return shape (S,); "
                         f"on shape {X.shape} {problem.name!r} returned shape {fx.shape}")
    G = np.asarray(problem.grad(X), dtype=np.float64)
    if G.shape != X.shape:
        raise ValueError(f"problem.grad must accept a batch of points of shape (d, S) and return that shape; "
                         f"on shape {X.shape} {problem.name!r} returned shape {G.shape}")
    return fx, G
