r"""Line searches: gradient descent that chooses its step size :math:`\eta_t` at every step.

Each line search is an :class:`~descend.Optimizer` that moves along the steepest-descent
direction :math:`d_t = -g_t` and picks :math:`\eta_t` by looking at the loss along that line,

.. math:: \phi(\eta) = L(x_t - \eta\, g_t), \qquad \phi(0) = L(x_t), \qquad
          \phi'(0) = -g_t^\top g_t ,

so it needs the problem as well as the gradient (``needs_problem=True``: :func:`descend.run`
passes ``problem=`` to ``update``).

**Counting the cost.** The state (:class:`LineSearchState`) counts every evaluation the
*method* needs, so that methods can be compared in evaluations as well as in steps:

* ``g_evals``: the gradient :math:`g_t` that each update receives (one per step; :func:`descend.run`
  computes it and the method could not do without it);
* ``f_evals``: every loss value the search computes.  The loss at the current point,
  :math:`\phi(0)`, is free when the previous search computed it at the point it accepted,
  as a careful implementation would remember it;
* ``h_evals``: Hessian evaluations (the exact line search needs :math:`g^\top H g`).

The loss that :func:`descend.run` records at every iterate only to fill its trace is *not*
counted: it is bookkeeping, not part of the method.  A run's states are recovered with
:func:`replay`.

Taught in chapter 6.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from . import _checks
from .optim import Optimizer
from .problems import Problem

__all__ = ["LineSearchState", "NegativeCurvature", "grid_line_search", "exact_line_search", "backtracking",
           "golden_section_line_search", "golden_section", "GoldenSection", "GOLDEN",
           "WolfeCheck", "check_wolfe", "replay", "Cost", "cost", "counting", "newton_backtracking"]

_EMPTY = np.zeros(0)


class NegativeCurvature(ValueError):
    r"""Raised by :func:`exact_line_search` where :math:`g^\top H g \le 0`.

    A ``ValueError``; its ``step`` attribute is the step that failed.
    """

    def __init__(self, message: str, step: int):
        super().__init__(message)
        self.step = step


class LineSearchState(NamedTuple):
    """The state of a line search: cumulative costs and a record of the last search."""

    t: int  #: steps taken so far
    f_evals: int  #: loss evaluations made so far
    g_evals: int  #: gradient evaluations used so far (one per step)
    h_evals: int  #: Hessian evaluations made so far
    eta: float  #: the step size η accepted by the last search (NaN before the first)
    trials: np.ndarray  #: the step sizes the last search tried, in order
    trial_fs: np.ndarray  #: the loss φ(η) = L(x − ηg) at each of them
    x_next: np.ndarray | None = None  #: the point the last search accepted …
    f_next: float = float("nan")  #: … and its loss, reused as φ(0) by the next search


def _init(x) -> LineSearchState:
    return LineSearchState(t=0, f_evals=0, g_evals=0, h_evals=0, eta=float("nan"),
                           trials=_EMPTY, trial_fs=_EMPTY)


def _arguments(name, g, x, problem, need_hessian=False):
    if not isinstance(problem, Problem):
        raise ValueError(f"{name} needs problem= (a descend.Problem) to evaluate the loss along the line; "
                         "descend.run passes it")
    if need_hessian and problem.hess is None:
        raise ValueError(f"{name} needs a problem with a Hessian (problem.hess); {problem.name!r} has none")
    g = np.asarray(g, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    if g.shape != x.shape:
        raise ValueError(f"g must have the shape of x, {x.shape}; got {g.shape}")
    return g, x


def _loss(problem: Problem, x: np.ndarray) -> float:
    """The loss at x, with an overflow read as +inf (a trial that far out is simply rejected).

    Callers wrap it in ``np.errstate(over="ignore", invalid="ignore")``: once per search, not
    once per trial, which would cost more than the loss itself on small problems.
    """
    value = problem.f(x)
    # isinstance first: for a float (Python's, np.float64) np.ndim costs more than a small loss
    scalar = isinstance(value, float) or np.ndim(value) == 0
    value = float(value) if scalar else float(np.asarray(value, dtype=np.float64).reshape(()))
    return value if math.isfinite(value) else math.inf


def grid_line_search(etas=(0.1, 0.5, 1.0, 5.0, 10.0)) -> Optimizer:
    r"""Gradient descent that tries a fixed set of step sizes at every step and keeps the best.

    .. math::
        \eta_t = \operatorname*{arg\,min}_{\eta \in \{\eta_1, \dots, \eta_k\}} L(x_t - \eta g_t),
        \qquad x_{t+1} = x_t - \eta_t g_t

    This is CS7015's "line search": each step costs one gradient and ``len(etas)`` loss
    evaluations.  As there, the best candidate is taken even when it is worse than
    :math:`x_t` itself; a trial whose loss overflows counts as :math:`+\infty`.  Ties go to
    the candidate listed first.

    Parameters
    ----------
    etas : sequence of float
        The candidate step sizes, each > 0; CS7015 uses 0.1, 0.5, 1, 5 and 10.

    Returns
    -------
    Optimizer
        With ``needs_problem=True`` and a :class:`LineSearchState`.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> p = dd.quadratic([[1.0]])                       # L = x²/2, so the best η is 1
    >>> opt = dd.grid_line_search(etas=(0.1, 0.5, 1.0, 5.0))
    >>> x = np.array([2.0])
    >>> step, state = opt.update(p.grad(x), opt.init(x), x, problem=p)
    >>> x + step, state.eta, state.f_evals
    (array([0.]), 1.0, 4)

    References
    ----------
    Khapra, M. M. (2018). CS7015 (Deep Learning), Lecture 5, module 5.8: line search.
    Taught in chapter 6.
    """
    if isinstance(etas, (str, bytes)) or not hasattr(etas, "__len__") or len(etas) == 0:
        raise TypeError(f"etas must be a non-empty sequence of step sizes such as (0.1, 0.5, 1), "
                        f"got {etas!r}")
    etas = np.array([_checks.positive("etas", e) for e in etas])

    def update(g, state, x=None, *, problem=None):
        g, x = _arguments("grid_line_search", g, x, problem)
        with np.errstate(over="ignore", invalid="ignore"):   # a far trial may overflow: it loses
            steps = [-eta * g for eta in etas]
            fs = np.array([_loss(problem, x + s) for s in steps])
        best = int(np.argmin(fs))
        new = LineSearchState(t=state.t + 1, f_evals=state.f_evals + len(etas), g_evals=state.g_evals + 1,
                              h_evals=state.h_evals, eta=float(etas[best]), trials=etas.copy(), trial_fs=fs,
                              x_next=x + steps[best], f_next=float(fs[best]))
        return steps[best], new

    return Optimizer(_init, update, "grid line search", {"etas": tuple(float(e) for e in etas)},
                     needs_problem=True)


def exact_line_search() -> Optimizer:
    r"""Steepest descent with the step that minimizes the second-order Taylor model along :math:`-g`.

    Along the line, :math:`L(x - \eta g) \approx L(x) - \eta\, g^\top g + \tfrac12 \eta^2\, g^\top H g`,
    a parabola in η whose minimum is at

    .. math:: \eta^\star = \frac{g^\top g}{g^\top H g}, \qquad x_{t+1} = x_t - \eta^\star g_t .

    On a quadratic the model is exact, so this *is* the exact line search
    :math:`\eta^\star = \arg\min_{\eta > 0} L(x_t - \eta g_t)`; on other losses it is the
    minimizer of the local model, which may overshoot.  Each step costs one gradient and one
    Hessian (only the product :math:`H g` is needed), and no loss evaluation.

    Returns
    -------
    Optimizer
        With ``needs_problem=True``; the problem must have a Hessian.

    Raises
    ------
    NegativeCurvature
        A ``ValueError``, if :math:`g^\top H g \le 0` at a point where :math:`g \ne 0`: along
        :math:`-g` the model then has zero or negative curvature and no minimum, so there is no
        step to compute (use :func:`backtracking` there).  Its ``step`` attribute says which
        step failed.  Where :math:`g = 0` the step is zero.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> p = dd.quadratic([[4.0]], b=[8.0])              # a 1-D quadratic, minimum at x = 2
    >>> x = np.array([-3.0])
    >>> opt = dd.exact_line_search()
    >>> step, state = opt.update(p.grad(x), opt.init(x), x, problem=p)
    >>> x + step, state.eta                             # one step, η* = 1/4
    (array([2.]), 0.25)

    References
    ----------
    Goodfellow, I., Bengio, Y., Courville, A. (2016). Deep Learning, section 4.3.1.
    Nocedal, J., Wright, S. J. (2006). Numerical Optimization, 2nd ed., section 3.3.
    Taught in chapter 6.
    """

    def update(g, state, x=None, *, problem=None):
        g, x = _arguments("exact_line_search", g, x, problem, need_hessian=True)
        H = np.asarray(problem.hess(x), dtype=np.float64)
        gg, gHg = float(g @ g), float(g @ H @ g)
        if gg == 0.0:
            eta = 0.0
        elif gHg <= 0.0:
            raise NegativeCurvature(
                f"exact_line_search needs positive curvature along the gradient, gᵀHg > 0; at step "
                f"{state.t + 1}, x = {np.round(x, 4)}, gᵀHg = {gHg:.3g}, so the model L(x − ηg) has no "
                "minimum (use backtracking there)", state.t + 1)
        else:
            eta = gg / gHg
        new = state._replace(t=state.t + 1, g_evals=state.g_evals + 1, h_evals=state.h_evals + 1, eta=eta,
                             trials=_EMPTY, trial_fs=_EMPTY, x_next=None, f_next=float("nan"))
        return -eta * g, new

    return Optimizer(_init, update, "exact line search", {}, needs_problem=True)


def backtracking(eta0: float = 1.0, c: float = 1e-4, shrink: float = 0.5, max_shrinks: int = 50) -> Optimizer:
    r"""Backtracking line search with the Armijo (sufficient decrease) condition.

    Start from :math:`\eta = \eta_0` and multiply η by the shrink factor :math:`\tau` until

    .. math:: L(x_t - \eta g_t) \le L(x_t) - c\, \eta\, g_t^\top g_t ,

    then step :math:`x_{t+1} = x_t - \eta g_t`.  The right side is the tangent line of
    :math:`\phi(\eta) = L(x_t - \eta g_t)` at 0 with its slope :math:`-g_t^\top g_t` relaxed by the
    factor c, so the step must achieve at least a fraction c of the decrease that the gradient
    promises.  If :math:`g_t \ne 0` and L is differentiable, a small enough η always passes,
    so the loop ends.

    Parameters
    ----------
    eta0 : float
        The first trial step :math:`\eta_0 > 0`, tried afresh at every step.
    c : float
        The Armijo constant, in (0, 1); small in practice (Nocedal and Wright suggest 1e-4).
    shrink : float
        The factor :math:`\tau \in (0, 1)` that multiplies η after each rejected trial.
    max_shrinks : int
        At most this many shrinks per step (so at most ``max_shrinks + 1`` trials).  If even
        :math:`\eta_0 \tau^{\text{max\_shrinks}}` fails, the step is zero and ``state.eta``
        is 0.  That happens when round-off swamps the decrease, at the very bottom of a
        valley, or when :math:`\eta_0 \tau^{\text{max\_shrinks}}` is still longer than every
        step that passes (a first trial far too long for a shrink factor near 1: with an
        :math:`M`-Lipschitz gradient, every :math:`\eta \le 2(1 - c)/M` passes, so this cannot
        happen once :math:`\eta_0 \tau^{\text{max\_shrinks}} \le 2(1 - c)/M`).

    Returns
    -------
    Optimizer
        With ``needs_problem=True`` and a :class:`LineSearchState`.  Each step costs one
        gradient and one loss evaluation per trial, plus one for :math:`L(x_t)` unless the
        previous search has just computed it.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> p = dd.quadratic([[4.0]])                       # L = 2x², minimum at 0
    >>> opt = dd.backtracking(eta0=1.0, c=1e-4, shrink=0.5)
    >>> x = np.array([1.0])
    >>> step, state = opt.update(p.grad(x), opt.init(x), x, problem=p)
    >>> state.trials, state.eta                         # η = 1 and 0.5 fail, 0.25 passes
    (array([1.  , 0.5 , 0.25]), 0.25)
    >>> state.f_evals                                   # L(x) and three trials
    4

    References
    ----------
    Armijo, L. (1966). Minimization of functions having Lipschitz continuous first partial
    derivatives. Pacific Journal of Mathematics 16(1), 1–3.
    Nocedal, J., Wright, S. J. (2006). Numerical Optimization, 2nd ed., algorithm 3.1.
    Taught in chapter 6.
    """
    eta0 = _checks.positive("eta0", eta0)
    c = _checks.real("c", c, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    shrink = _checks.real("shrink", shrink, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    max_shrinks = _checks.count("max_shrinks", max_shrinks)

    def update(g, state, x=None, *, problem=None):
        g, x = _arguments("backtracking", g, x, problem)
        f_evals = state.f_evals
        gg = float(g @ g)
        eta, trials, fs, accepted = eta0, [], [], False
        with np.errstate(over="ignore", invalid="ignore"):       # a far trial may overflow: it fails
            if state.x_next is not None and np.array_equal(state.x_next, x):
                f0 = state.f_next                                 # computed by the last search
            else:
                f0, f_evals = _loss(problem, x), f_evals + 1
            for _ in range(max_shrinks + 1):
                step = -eta * g
                f_try = _loss(problem, x + step)
                trials.append(eta)
                fs.append(f_try)
                if f_try <= f0 - c * eta * gg:
                    accepted = True
                    break
                eta *= shrink
        if not accepted:
            eta, step, f_try = 0.0, np.zeros_like(x), f0
        new = LineSearchState(t=state.t + 1, f_evals=f_evals + len(trials), g_evals=state.g_evals + 1,
                              h_evals=state.h_evals, eta=eta, trials=np.array(trials), trial_fs=np.array(fs),
                              x_next=x + step, f_next=f_try)
        return step, new

    return Optimizer(_init, update, "backtracking",
                     {"eta0": eta0, "c": c, "shrink": shrink, "max_shrinks": max_shrinks}, needs_problem=True)


GOLDEN = (1.0 + np.sqrt(5.0)) / 2.0            #: the golden ratio φ = 1.618…
_INV_PHI = 1.0 / GOLDEN                         # the golden section's shrink factor, 0.618…


class GoldenSection(NamedTuple):
    """The result of :func:`golden_section`."""

    eta: float  #: the trial of lowest value
    f: float  #: its value
    lo: float  #: the final interval's left end …
    hi: float  #: … and its right end
    trials: np.ndarray  #: every point tried, in order
    fs: np.ndarray  #: the value at each of them


def golden_section(phi, lo: float, hi: float, *, tol: float = 1e-6, max_evals: int = 100) -> GoldenSection:
    r"""Golden-section search for a minimum of a function of one variable on :math:`[\ell, h]`.

    Keep two interior points at the golden fractions,

    .. math:: a = h - (h - \ell)/\varphi, \qquad b = \ell + (h - \ell)/\varphi, \qquad
              \varphi = \tfrac{1 + \sqrt5}{2},

    and compare :math:`\phi(a)` with :math:`\phi(b)`: if :math:`\phi(a) \le \phi(b)` the
    interval becomes :math:`[\ell, b]`, else :math:`[a, h]`. Because
    :math:`1 - 1/\varphi = 1/\varphi^2`, the interior point that survives sits at a golden
    fraction of the new interval, so each comparison after the first costs one new value, and
    after :math:`n \ge 2` values the interval has width :math:`(h - \ell)/\varphi^{\,n-1}`. If
    φ is unimodal on :math:`[\ell, h]` (strictly decreasing, then strictly increasing), the
    minimiser never leaves the interval, in exact arithmetic; in floating point a comparison
    can go wrong where rounding hides the differences of φ, about
    :math:`\sqrt{\epsilon_{\text{mach}}}\,|\eta|` from the minimiser when :math:`\phi(\eta^\star)`
    is not small (see :func:`golden_section_line_search`), and the minimiser may then be lost.

    Parameters
    ----------
    phi : callable
        The function, of one float, returning a float (``inf`` and ``nan`` are allowed and lose
        every comparison with a finite value; two of them tie, and a tie keeps
        :math:`[\ell, b]`).
    lo, hi : float
        The interval, :math:`\ell < h`.
    tol : float
        Stop once :math:`h - \ell \le \text{tol} \cdot |\eta|`, η the better interior point
        (``tol = 0``, or a minimum at η = 0, runs until ``max_evals``).
    max_evals : int
        At most this many values of φ (at least 2).

    Returns
    -------
    GoldenSection
        The best point tried, its value, the final interval and every point tried.

    Examples
    --------
    >>> import descend as dd
    >>> r = dd.linesearch.golden_section(lambda t: abs(t - 0.3), 0.0, 1.0, tol=0.0, max_evals=12)
    >>> bool(r.lo <= 0.3 <= r.hi), round(float((r.hi - r.lo) * dd.linesearch.GOLDEN ** 11), 12)
    (True, 1.0)

    References
    ----------
    Kiefer, J. (1953). Sequential minimax search for a maximum. Proceedings of the American
    Mathematical Society 4(3), 502–506.
    """
    phi = _checks.callable_("phi", phi)
    lo, hi = _checks.real("lo", lo), _checks.real("hi", hi)
    if not lo < hi:
        raise ValueError(f"lo must be smaller than hi; got lo = {lo}, hi = {hi}")
    tol = _checks.real("tol", tol, lo=0.0, hi=1.0, hi_open=True)
    max_evals = _checks.count("max_evals", max_evals, minimum=2)
    return _golden(phi, lo, hi, tol, max_evals)


def _golden(phi, lo: float, hi: float, tol: float, budget: int) -> GoldenSection:
    trials, fs = [], []

    def at(eta):
        value = float(phi(eta))
        value = value if np.isfinite(value) else np.inf
        trials.append(eta)
        fs.append(value)
        return value

    a, b = hi - _INV_PHI * (hi - lo), lo + _INV_PHI * (hi - lo)
    fa, fb = at(a), at(b)
    while True:
        if fa <= fb:                       # a minimum lies in [lo, b]: a becomes the new b
            hi, b, fb = b, a, fa
            if len(trials) >= budget or hi - lo <= tol * abs(b):
                break
            a = hi - _INV_PHI * (hi - lo)
            fa = at(a)
        else:                              # a minimum lies in [a, hi]: b becomes the new a
            lo, a, fa = a, b, fb
            if len(trials) >= budget or hi - lo <= tol * abs(a):
                break
            b = lo + _INV_PHI * (hi - lo)
            fb = at(b)
    i = int(np.argmin(fs))
    return GoldenSection(trials[i], fs[i], lo, hi, np.array(trials), np.array(fs))


def golden_section_line_search(eta0: float = 1.0, tol: float = 1e-6, max_evals: int = 100) -> Optimizer:
    r"""Steepest descent with a true one-dimensional minimisation of the loss along :math:`-g`.

    Each step minimises :math:`\phi(\eta) = L(x_t - \eta g_t)` over :math:`\eta > 0` with loss
    values only, in two stages:

    1. **Bracket.** Try :math:`\eta_0, 2\eta_0, 4\eta_0, \dots` while the loss keeps falling.
       The first trial whose loss does not fall (or :math:`\eta_0` itself, if
       :math:`\phi(\eta_0) \ge \phi(0)`) closes an interval :math:`[\ell, h]` that holds a
       point lower than both ends, hence a local minimum of φ.
    2. **Golden section.** Keep two interior points at the golden ratios of :math:`[\ell, h]`
       and drop the end beyond the worse one. The interval shrinks by
       :math:`1/\varphi = (\sqrt5 - 1)/2 \approx 0.618` per loss evaluation, because one
       interior point is reused. Stop once :math:`h - \ell \le \text{tol}\cdot\eta`, with η
       the better interior point.

    The step is :math:`x_{t+1} = x_t - \eta_t g_t`, with :math:`\eta_t` the trial of lowest
    loss. If φ is unimodal on :math:`[\ell, h]` (true on a strictly convex loss), the minimiser
    :math:`\eta^\star` stays in :math:`[\ell, h]`, so :math:`|\eta_t - \eta^\star| \le
    \text{tol}\cdot \eta_t`: on a quadratic, :math:`\eta_t` matches the exact step
    :math:`g^\top g / g^\top H g` of :func:`exact_line_search` to that relative tolerance,
    without a Hessian. The price is counted in loss evaluations. That holds in exact
    arithmetic. In floating point, near its minimum φ changes by about
    :math:`\tfrac12\phi''(\eta^\star)(\eta - \eta^\star)^2`, which the loss's rounding error, of
    order :math:`\epsilon_{\text{mach}}|\phi(\eta^\star)|`, hides: the relative accuracy of η is
    limited to about :math:`\sqrt{\epsilon_{\text{mach}}}\sqrt{2|\phi(\eta^\star)| /
    (\eta^{\star 2}\phi''(\eta^\star))}`, usually :math:`\sqrt{\epsilon_{\text{mach}}}
    \approx 10^{-8}` or worse where the loss is computed with cancellation, better only where
    :math:`\phi(\eta^\star)` is near zero (Press et al., section 10.1). Tolerances down to 1e-6
    are met on the tests' quadratics (κ up to 1e4).

    Parameters
    ----------
    eta0 : float
        The first trial step, :math:`\eta_0 > 0`; the bracket doubles from it.
    tol : float
        The relative width, in (0, 1), at which the golden section stops; below about 1e-6 it
        may not be met (see above).
    max_evals : int
        At most this many trial step sizes per step (at least 4), bracket included (the loss
        at :math:`x_t` may cost one evaluation more). When the budget runs out, the step takes
        the best trial so far; if no trial is below
        :math:`\phi(0)` (round-off at the bottom of a valley), the step is zero and
        ``state.eta`` is 0.

    Returns
    -------
    Optimizer
        With ``needs_problem=True`` and a :class:`LineSearchState`, whose ``trials`` and
        ``trial_fs`` record every step size tried in the last search, bracket first. Each step
        costs one gradient and one loss evaluation per trial, plus one for :math:`L(x_t)` unless
        the previous search has just computed it.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> p = dd.quadratic([[4.0]], b=[8.0])              # minimum at x = 2; from -3, η* = 1/4
    >>> x = np.array([-3.0])
    >>> opt = dd.golden_section_line_search(tol=1e-6)
    >>> step, state = opt.update(p.grad(x), opt.init(x), x, problem=p)
    >>> bool(abs(state.eta - 0.25) <= 1e-6 * state.eta), bool(np.allclose(x + step, 2.0, rtol=1e-6))
    (True, True)

    References
    ----------
    Kiefer, J. (1953). Sequential minimax search for a maximum. Proceedings of the American
    Mathematical Society 4(3), 502–506.
    Press, W. H., Teukolsky, S. A., Vetterling, W. T., Flannery, B. P. (2007). Numerical
    Recipes, 3rd ed., sections 10.1–10.2.
    """
    eta0 = _checks.positive("eta0", eta0)
    tol = _checks.real("tol", tol, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    max_evals = _checks.count("max_evals", max_evals, minimum=4)

    def update(g, state, x=None, *, problem=None):
        g, x = _arguments("golden_section_line_search", g, x, problem)
        f_evals = state.f_evals
        with np.errstate(over="ignore", invalid="ignore"):      # a far trial may overflow: it is +inf
            if state.x_next is not None and np.array_equal(state.x_next, x):
                f0 = state.f_next
            else:
                f0, f_evals = _loss(problem, x), f_evals + 1
            trials, fs = [], []
            if np.any(g != 0.0):
                def phi(eta):
                    return _loss(problem, x - eta * g)

                lo, mid, f_mid, eta = 0.0, 0.0, f0, eta0
                while len(trials) < max_evals - 2:               # bracket: double while φ falls
                    f_eta = phi(eta)
                    trials.append(eta)
                    fs.append(f_eta)
                    if f_eta >= f_mid:
                        break
                    lo, mid, f_mid, eta = mid, eta, f_eta, 2.0 * eta
                more = _golden(phi, lo, eta, tol, max_evals - len(trials))
                trials += list(more.trials)
                fs += list(more.fs)
        best = int(np.argmin(fs)) if fs else -1
        if best < 0 or fs[best] >= f0:
            eta, step, f_next = 0.0, np.zeros_like(x), f0
        else:
            eta, step, f_next = trials[best], -trials[best] * g, fs[best]
        new = LineSearchState(t=state.t + 1, f_evals=f_evals + len(trials), g_evals=state.g_evals + 1,
                              h_evals=state.h_evals, eta=eta, trials=np.array(trials), trial_fs=np.array(fs),
                              x_next=x + step, f_next=f_next)
        return step, new

    return Optimizer(_init, update, "golden-section line search",
                     {"eta0": eta0, "tol": tol, "max_evals": max_evals}, needs_problem=True)


class WolfeCheck(NamedTuple):
    r"""The Wolfe conditions for a step of size η along d, and the numbers behind them.

    With :math:`\phi(\eta) = L(x + \eta d)`: ``sufficient_decrease`` is the Armijo condition
    :math:`\phi(\eta) \le \phi(0) + c_1 \eta \phi'(0)`; ``curvature`` is
    :math:`\phi'(\eta) \ge c_2 \phi'(0)` (weak) or :math:`|\phi'(\eta)| \le c_2 |\phi'(0)|` (strong).
    """

    sufficient_decrease: bool
    curvature: bool
    phi0: float  #: φ(0) = L(x)
    dphi0: float  #: φ′(0) = ∇L(x)ᵀd
    phi: float  #: φ(η)
    dphi: float  #: φ′(η) = ∇L(x + ηd)ᵀd

    @property
    def holds(self) -> bool:
        """Both conditions: η satisfies the (weak or strong) Wolfe conditions."""
        return bool(self.sufficient_decrease and self.curvature)


def check_wolfe(problem: Problem, x, eta: float, d=None, *, c1: float = 1e-4, c2: float = 0.9,
                strong: bool = False) -> WolfeCheck:
    r"""Check the Wolfe conditions for the step :math:`x + \eta d`.

    With :math:`\phi(\eta) = L(x + \eta d)` and :math:`\phi'(\eta) = \nabla L(x + \eta d)^\top d`:

    .. math::
        \begin{aligned}
        &\text{sufficient decrease (Armijo):} && \phi(\eta) \le \phi(0) + c_1\, \eta\, \phi'(0), \\
        &\text{curvature (weak):} && \phi'(\eta) \ge c_2\, \phi'(0), \\
        &\text{curvature (strong):} && |\phi'(\eta)| \le c_2\, |\phi'(0)|,
        \end{aligned}

    with :math:`0 < c_1 < c_2 < 1`.  The first rules out steps that gain too little, the second
    steps so short that the slope has hardly changed.

    Parameters
    ----------
    problem : Problem
        The loss.
    x : array_like
        The current point.
    eta : float
        The step size, ≥ 0.
    d : array_like, optional
        The search direction; :math:`-\nabla L(x)` by default.  It must go downhill,
        :math:`\nabla L(x)^\top d \le 0`.
    c1, c2 : float
        The constants, :math:`0 < c_1 < c_2 < 1`; defaults 1e-4 and 0.9 (Nocedal and Wright's
        choice for quasi-Newton methods; 0.1 is usual for conjugate gradients).
    strong : bool
        Check the strong curvature condition instead of the weak one.

    Returns
    -------
    WolfeCheck
        ``.sufficient_decrease``, ``.curvature``, ``.holds`` and the values of φ and φ′.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> p = dd.quadratic([[1.0]])                       # φ(η) = (1 − η)²·x²/2 along −g
    >>> w = dd.check_wolfe(p, [2.0], eta=1.0)           # the exact minimizer along the line
    >>> w.sufficient_decrease, w.curvature, w.holds
    (True, True, True)
    >>> dd.check_wolfe(p, [2.0], eta=0.01).curvature    # too short: the slope is nearly φ′(0)
    False

    References
    ----------
    Wolfe, P. (1969). Convergence conditions for ascent methods. SIAM Review 11(2), 226–235.
    Nocedal, J., Wright, S. J. (2006). Numerical Optimization, 2nd ed., section 3.1.
    Taught in chapter 6.
    """
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a descend.Problem, got {type(problem).__name__}")
    x = _checks.vector("x", x, dim=problem.dim)
    eta = _checks.real("eta", eta, lo=0.0)
    c1 = _checks.real("c1", c1, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    c2 = _checks.real("c2", c2, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    if not c1 < c2:
        raise ValueError(f"c1 must be smaller than c2 (0 < c1 < c2 < 1), got c1={c1:g}, c2={c2:g}")
    if not isinstance(strong, bool):
        raise TypeError(f"strong must be True or False, got {strong!r}")
    g0 = np.asarray(problem.grad(x), dtype=np.float64)
    d = -g0 if d is None else _checks.vector("d", d, dim=problem.dim)
    dphi0 = float(g0 @ d)
    if dphi0 > 0:
        raise ValueError(f"d must be a descent direction, ∇L(x)ᵀd ≤ 0; got ∇L(x)ᵀd = {dphi0:.3g}")
    with np.errstate(over="ignore", invalid="ignore"):
        phi0 = _loss(problem, x)
        x_new = x + eta * d
        phi = _loss(problem, x_new)
        dphi = float(np.asarray(problem.grad(x_new), dtype=np.float64) @ d)
    decrease = phi <= phi0 + c1 * eta * dphi0
    curvature = abs(dphi) <= c2 * abs(dphi0) if strong else dphi >= c2 * dphi0
    return WolfeCheck(bool(decrease), bool(curvature), phi0, dphi0, phi, dphi)


def replay(opt: Optimizer, problem: Problem, trace) -> list:
    r"""The optimizer's state after every step of a run: its cost and its searches, step by step.

    :func:`descend.run` keeps the iterates, not the optimizer's state.  ``replay`` calls
    ``opt.update`` again at each recorded iterate :math:`x_t` with :math:`g_t = \nabla L(x_t)`,
    checks that the step lands exactly on :math:`x_{t+1}` (so the trace was made by this
    optimizer on this problem), and returns the states.

    Parameters
    ----------
    opt : Optimizer
        The optimizer that made the trace.
    problem : Problem
        The problem it ran on.
    trace : Trace
        A full-batch run (no ``batch_size``).

    Returns
    -------
    list
        ``states[t]`` is the state after step ``t + 1``; ``states[-1]`` holds the totals.

    Examples
    --------
    >>> import descend as dd
    >>> p, opt = dd.ill_conditioned(kappa=10.0), dd.backtracking()
    >>> trace = dd.run(opt, p, [2.0, 1.0], steps=20)
    >>> states = dd.replay(opt, p, trace)
    >>> len(states), states[-1].g_evals
    (20, 20)
    """
    from .run import Trace

    if not isinstance(opt, Optimizer):
        raise TypeError(f"opt must be an Optimizer, got {type(opt).__name__}")
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a descend.Problem, got {type(problem).__name__}")
    if not isinstance(trace, Trace):
        raise TypeError(f"trace must be a descend.Trace from descend.run, got {type(trace).__name__}")
    if trace.batch_size is not None:
        raise ValueError("trace must be a full-batch run; a mini-batch run cannot be replayed "
                         "from its iterates")
    extra = {"problem": problem} if opt.needs_problem else {}
    state = opt.init(trace.xs[0])
    states = []
    for t in range(trace.steps):
        x = trace.xs[t]
        step, state = opt.update(np.asarray(problem.grad(x), dtype=np.float64), state, x, **extra)
        if not np.array_equal(x + step, trace.xs[t + 1]):
            raise ValueError(f"trace was not made by {opt.label} on {problem.name!r}: step {t + 1} differs")
        states.append(state)
    return states


class Cost(NamedTuple):
    """What one run cost: steps, evaluations, and how it ended (see :func:`cost`)."""

    method: str  #: the optimizer's label
    steps: int  #: steps taken
    f_evals: int  #: loss evaluations the method made
    g_evals: int  #: gradient evaluations it used
    h_evals: int  #: Hessian evaluations it made
    loss: float  #: the loss at the last iterate
    outcome: str  #: "converged", "not converged", "diverged at step k" or "stopped at step k: gᵀHg ≤ 0"


def cost(opt: Optimizer, problem: Problem, x0, steps: int, *, tol: float | None = None) -> Cost:
    r"""Run ``opt`` and count what it cost, in steps and in loss, gradient and Hessian evaluations.

    The run is :func:`descend.run` (with ``tol``: stop once :math:`\lVert g_t\rVert \le` ``tol``);
    the counts come from the line search's state (:func:`replay`).  A first-order optimizer
    such as :func:`descend.gd` uses one gradient per step and nothing else.  The gradient at the
    last iterate, needed only to test for convergence, is not counted, for any method.  An
    exact line search that meets :math:`g^\top H g \le 0` is reported as stopped there.

    Parameters
    ----------
    opt : Optimizer
        A line search, or an optimizer that uses the gradient only.
    problem : Problem
        The loss.
    x0 : array_like
        The start.
    steps : int
        The most steps to take.
    tol : float, optional
        Stop when the gradient norm falls to ``tol``.

    Returns
    -------
    Cost

    Examples
    --------
    >>> import descend as dd
    >>> p = dd.ill_conditioned(kappa=10.0)
    >>> dd.cost(dd.grid_line_search(etas=(0.05, 0.1, 0.2)), p, [2.0, 1.0], steps=500, tol=1e-6)[1:5]
    (66, 198, 66, 0)
    """
    from .run import run

    if not isinstance(opt, Optimizer):
        raise TypeError(f"opt must be an Optimizer, got {type(opt).__name__}")
    steps = _checks.count("steps", steps)
    outcome = None
    try:
        trace = run(opt, problem, x0, steps, tol=tol)
    except NegativeCurvature as err:
        trace = run(opt, problem, x0, err.step - 1, tol=tol)
        outcome = f"stopped at step {err.step}: gᵀHg ≤ 0"
    if trace.diverged:
        outcome = f"diverged at step {trace.diverged_at}"
    elif outcome is None:
        outcome = "converged" if trace.converged or tol is None else "not converged"
    if opt.needs_problem:
        states = replay(opt, problem, trace)
        if states and not isinstance(states[-1], LineSearchState):
            raise ValueError(f"cost counts line searches and first-order optimizers; {opt.name} is neither")
        last = states[-1] if states else _init(trace.xs[0])
        counts = (last.f_evals, last.g_evals, last.h_evals)
    else:
        counts = (0, trace.steps, 0)
    return Cost(opt.label, trace.steps, *counts, trace.f, outcome)


def counting(problem: Problem) -> tuple[Problem, dict]:
    r"""A copy of ``problem`` whose loss, gradient and Hessian count how often they are called.

    The counts of :func:`cost` come from the methods' own bookkeeping; this wrapper counts
    the evaluations a run really makes, so that the two can be compared.  Every call of
    ``f``, ``grad`` or ``hess`` adds one to the matching entry of the returned dict, whatever
    the shape of its argument (a stack of points counts once).  ``batch_grad``, which only
    mini-batch runs use, is passed on uncounted.

    Parameters
    ----------
    problem : Problem
        The loss to wrap; it is not changed.

    Returns
    -------
    (Problem, dict)
        The counting copy (same name, bounds, minimizers, data) and its counts
        ``{"f": 0, "grad": 0, "hess": 0}``, which grow as the copy is used.

    Examples
    --------
    >>> import descend as dd
    >>> p, calls = counting(dd.quadratic([[4.0]]))
    >>> trace = dd.run(dd.backtracking(), p, [1.0], steps=1)
    >>> calls                   # the run: f and ∇L at 2 iterates; the search: L(x) and 3 trials
    {'f': 6, 'grad': 2, 'hess': 0}

    Notes
    -----
    Taught in chapter 6, which checks its table of costs against these counts.
    """
    import dataclasses

    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a descend.Problem, got {type(problem).__name__}")
    calls = {"f": 0, "grad": 0, "hess": 0}

    def counted(name, fn):
        def call(*args, **kwargs):
            calls[name] += 1
            return fn(*args, **kwargs)
        return call

    hess = None if problem.hess is None else counted("hess", problem.hess)
    copy = dataclasses.replace(problem, f=counted("f", problem.f), grad=counted("grad", problem.grad),
                               hess=hess)
    return copy, calls


def one_search(opt: Optimizer, problem: Problem, x) -> LineSearchState:
    r"""One search of the line search ``opt`` from ``x``: the state it ends in.

    The gradient :math:`g = \nabla L(x)` is computed and ``opt`` makes one update from a fresh
    state, as the first step of a run would.  The state records the step sizes tried
    (``trials``), their losses :math:`\phi(\eta) = L(x - \eta g)` (``trial_fs``), the step size
    accepted (``eta``) and the evaluations made; the step itself is :math:`-\eta\, g`.

    Parameters
    ----------
    opt : Optimizer
        A line search: :func:`backtracking`, :func:`grid_line_search` or :func:`exact_line_search`.
    problem : Problem
        The loss.
    x : array_like
        The point the search starts from.

    Returns
    -------
    LineSearchState

    Examples
    --------
    >>> import descend as dd
    >>> state = dd.linesearch.one_search(dd.backtracking(), dd.quadratic([[4.0]]), [1.0])
    >>> state.trials, state.eta, state.f_evals          # L(x) and three trials
    (array([1.  , 0.5 , 0.25]), 0.25, 4)

    Notes
    -----
    Taught in chapter 6, which draws and checks single searches.
    """
    if not isinstance(opt, Optimizer) or not opt.needs_problem:
        raise TypeError(f"opt must be a line search such as descend.backtracking(), got {opt!r}")
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a descend.Problem, got {type(problem).__name__}")
    x = _checks.vector("x", x, dim=problem.dim)
    _, state = opt.update(np.asarray(problem.grad(x), dtype=np.float64), opt.init(x), x, problem=problem)
    if not isinstance(state, LineSearchState):
        raise TypeError(f"opt must be a line search such as descend.backtracking(), got {opt!r}")
    return state


def intervals(mask, etas) -> list:
    r"""The separate intervals of step sizes on which a condition holds, read off a grid.

    ``mask[i]`` says whether the condition (the Armijo test, say) holds at ``etas[i]``; each
    longest run of consecutive true values becomes one interval ``(first, last)``, the grid
    points where the run begins and ends.  Their number counts the separate pieces of the set,
    as far as the grid resolves them.

    Parameters
    ----------
    mask : array_like of bool, shape (n,)
        Where the condition holds.
    etas : array_like, shape (n,)
        The increasing grid of step sizes.

    Returns
    -------
    list of (float, float)

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> etas = np.linspace(0.0, 1.0, 11)
    >>> dd.linesearch.intervals((etas > 0.15) & (etas < 0.45) | (etas > 0.75), etas)
    [(0.2, 0.4), (0.8, 1.0)]

    Notes
    -----
    Taught in chapter 6, where the Armijo and Wolfe sets along a wavy line have several pieces.
    """
    etas = np.asarray(etas, dtype=np.float64)
    mask = np.asarray(mask)
    if mask.dtype != bool or mask.ndim != 1 or etas.shape != mask.shape:
        raise ValueError(f"mask must be a 1-D boolean array with the shape of etas, {etas.shape}; "
                         f"got {mask.dtype} of shape {mask.shape}")
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(int), [0]])))
    return [(float(etas[a]), float(etas[b - 1])) for a, b in zip(edges[::2], edges[1::2])]


def break_even(search: Cost, fixed: Cost, *, free_losses: int = 0) -> float:
    r"""The price of a gradient, in losses, above which a line search costs less than a fixed rate.

    If a loss costs one unit and a gradient :math:`r` units, a run that makes :math:`F` losses
    and :math:`G` gradients costs :math:`F + rG`.  A line search (:math:`F_s`, :math:`G_s`)
    costs less than a method that uses only gradients (:math:`G_f`) exactly when

    .. math:: r > r^\star = \frac{F_s}{G_f - G_s} \qquad (G_s < G_f),

    and never when :math:`G_s \ge G_f` (then :math:`r^\star = \infty`).  ``free_losses``
    losses per step of the search are not charged: 1 if the forward pass of the accepted
    trial is kept for the next gradient, as a network can do.

    Parameters
    ----------
    search : Cost
        The line search's run, from :func:`cost`; it makes no Hessian evaluation.
    fixed : Cost
        The run of a method that uses only gradients (no loss, no Hessian).
    free_losses : int
        Losses per step of the search that come free, ≥ 0.

    Returns
    -------
    float
        :math:`r^\star`, or ``inf``.

    Examples
    --------
    >>> import descend as dd
    >>> search = dd.Cost("backtracking", 100, 900, 100, 0, 0.0, "converged")   # 100 steps, 900 losses
    >>> fixed = dd.Cost("gd", 400, 0, 400, 0, 0.0, "converged")                 # 400 gradients
    >>> dd.linesearch.break_even(search, fixed)                 # 900 + 100 r = 400 r at r = 3
    3.0
    >>> dd.linesearch.break_even(search, fixed, free_losses=1)  # (900 − 100) / 300
    2.6666666666666665

    Notes
    -----
    Taught in chapter 6, to ask how dear a gradient must be before backtracking pays.
    """
    for name, c in (("search", search), ("fixed", fixed)):
        if not isinstance(c, Cost):
            raise TypeError(f"{name} must be a Cost from descend.cost, got {type(c).__name__}")
    if search.h_evals or fixed.h_evals or fixed.f_evals:
        raise ValueError("break_even compares a search without Hessians against a method that uses only "
                         f"gradients; got {search.method} ({search.h_evals} Hessians) and {fixed.method} "
                         f"({fixed.f_evals} losses, {fixed.h_evals} Hessians)")
    free = _checks.count("free_losses", free_losses)
    losses = search.f_evals - free * search.steps
    if losses < 0:
        raise ValueError(f"free_losses = {free} per step exceeds the {search.f_evals} losses of "
                         f"{search.steps} steps")
    saved = fixed.g_evals - search.g_evals
    return losses / saved if saved > 0 else float("inf")


def cost_table(costs) -> str:
    """A Markdown table of what runs cost: one row per run, in the order given.

    Parameters
    ----------
    costs : dict
        Maps ``(problem, method)`` labels to the :class:`Cost` of that run.

    Returns
    -------
    str
        A table with the columns problem, method, steps, L, ∇L, H (the evaluations of each)
        and end: "converged", "not converged", "diverged", or "gᵀHg ≤ 0" for an exact line
        search that stopped there.

    Examples
    --------
    >>> import descend as dd
    >>> p = dd.ill_conditioned(kappa=10.0)
    >>> table = dd.linesearch.cost_table({("valley", "GD"): dd.cost(dd.gd(eta=0.1), p, [2.0, 1.0], 500, tol=1e-6)})
    >>> print(table.splitlines()[-1])
    | valley | GD | 138 | 0 | 138 | 0 | converged |

    Notes
    -----
    Taught in chapter 6, whose table compares line searches with fixed rates.
    """
    def end(outcome: str) -> str:
        if outcome.startswith("stopped"):
            return "gᵀHg ≤ 0"
        return "diverged" if outcome.startswith("diverged") else outcome

    rows = ["| problem | method | steps | L | ∇L | H | end |", "|:--|:--|--:|--:|--:|--:|:--|"]
    for (case, name), c in dict(costs).items():
        if not isinstance(c, Cost):
            raise TypeError(f"costs must map (problem, method) to a Cost, got {type(c).__name__} for {name!r}")
        rows.append(f"| {case} | {name} | {c.steps} | {c.f_evals} | {c.g_evals} | {c.h_evals} | {end(c.outcome)} |")
    return "\n".join(rows)


__all__ += ["one_search", "intervals", "break_even", "cost_table"]


def newton_backtracking(c: float = 1e-4, shrink: float = 0.5, max_shrinks: int = 50) -> Optimizer:
    r"""Newton's method with a backtracking (Armijo) line search along the Newton direction.

    At each step take the Newton direction :math:`d_t = -H(x_t)^{-1} g_t`; if it is not a
    descent direction (:math:`g_t^\top d_t \ge 0`, which happens where H is not positive
    definite) fall back to :math:`d_t = -g_t`.  Then try :math:`\eta = 1, \tau, \tau^2, \dots`
    until

    .. math:: L(x_t + \eta\, d_t) \le L(x_t) + c\, \eta\, g_t^\top d_t ,

    and step :math:`x_{t+1} = x_t + \eta\, d_t`.  Far from a minimum the search shortens steps
    that would overshoot; near a minimum with H positive definite the full step η = 1 passes
    and the quadratic convergence of Newton's method returns.  The fallback keeps every step
    downhill, so the method is not drawn *to* a saddle point as plain Newton is, though near
    one it moves like gradient descent.

    Parameters
    ----------
    c : float
        The Armijo constant, in (0, 1).
    shrink : float
        The factor :math:`\tau \in (0, 1)` applied to η after each rejected trial.
    max_shrinks : int
        At most this many shrinks per step; if all fail the step is zero (round-off at the
        bottom of a valley).

    Returns
    -------
    Optimizer
        With ``needs_problem=True`` and a :class:`LineSearchState` (``trial_fs`` holds
        :math:`L(x_t + \eta d_t)` for each trial η; ``h_evals`` counts Hessians).

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> p = dd.scalar(lambda t: np.sqrt(1 + t**2), lambda t: t / np.sqrt(1 + t**2),
    ...               lambda t: (1 + t**2) ** -1.5, bounds=(-3, 3), x_star=0.0)
    >>> dd.run(dd.newton(), p, x0=2.0, steps=10).diverged      # pure Newton: θ ← −θ³
    True
    >>> dd.run(dd.newton_backtracking(), p, x0=2.0, steps=6).xs.ravel()
    array([ 2.0000000e+00, -5.0000000e-01,  1.2500000e-01, -1.9531250e-03,
            7.4505806e-09,  0.0000000e+00,  0.0000000e+00])

    References
    ----------
    Boyd, S., Vandenberghe, L. (2004). Convex Optimization, algorithm 9.5 (Newton's method
    with backtracking).  Nocedal, J., Wright, S. J. (2006). Numerical Optimization, 2nd ed.,
    section 3.4 (safeguards where the Hessian is not positive definite).
    Taught in chapter 9.
    """
    from .optim import _solve

    c = _checks.real("c", c, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    shrink = _checks.real("shrink", shrink, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    max_shrinks = _checks.count("max_shrinks", max_shrinks)

    def update(g, state, x=None, *, problem=None):
        g, x = _arguments("newton_backtracking", g, x, problem, need_hessian=True)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            d = -_solve(np.asarray(problem.hess(x), dtype=np.float64), g)
            slope = float(g @ d)
            if not (np.all(np.isfinite(d)) and slope < 0):
                d, slope = -g, -float(g @ g)                      # not downhill: steepest descent
            f_evals = state.f_evals
            if state.x_next is not None and np.array_equal(state.x_next, x):
                f0 = state.f_next
            else:
                f0, f_evals = _loss(problem, x), f_evals + 1
            eta, trials, fs, accepted = 1.0, [], [], False
            for _ in range(max_shrinks + 1):
                f_try = _loss(problem, x + eta * d)
                trials.append(eta)
                fs.append(f_try)
                if f_try <= f0 + c * eta * slope:
                    accepted = True
                    break
                eta *= shrink
        step = eta * d if accepted else np.zeros_like(x)
        if not accepted:
            eta, f_try = 0.0, f0
        new = LineSearchState(t=state.t + 1, f_evals=f_evals + len(trials), g_evals=state.g_evals + 1,
                              h_evals=state.h_evals + 1, eta=eta, trials=np.array(trials), trial_fs=np.array(fs),
                              x_next=x + step, f_next=f_try)
        return step, new

    return Optimizer(_init, update, "newton_backtracking",
                     {"c": c, "shrink": shrink, "max_shrinks": max_shrinks}, needs_problem=True)
