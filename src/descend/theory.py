r"""Convergence theory on quadratics: the rates of gradient descent, momentum and Nesterov.

On a quadratic :math:`L(\theta) = \tfrac12 (\theta - \theta^\star)^\top A (\theta - \theta^\star)`
with the eigenvalues :math:`\lambda_1 \le \dots \le \lambda_n` of A all positive, every
first-order method of the book acts on each eigen-direction separately, and the error
:math:`e_t = \theta_t - \theta^\star` along an eigenvector shrinks (or grows) by a fixed
linear recursion.  Its **rate** — the factor :math:`\rho` with
:math:`\lVert e_t\rVert \approx C \rho^t` — is the spectral radius of that recursion,
maximized over the eigenvalues.  These functions compute it, vectorized over many
settings at once, so that the measured rates of :func:`descend.sweep` can be checked
against theory.  Taught in chapter 4.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _checks

__all__ = ["Optimum", "gd_rate", "gd_optimum", "momentum_rate", "nesterov_rate", "heavy_ball_optimum",
           "gd_steps", "adam_step_bound", "adam_worst_gradients", "gd_regime"]


class Optimum(NamedTuple):
    """The best constant hyperparameters of a method on a quadratic, and the rate they give."""

    eta: float   #: learning rate η
    beta: float  #: momentum β (0 for gradient descent)
    rate: float  #: the linear rate ρ they achieve


def _param(name, value, **bounds):
    """A scalar or an array of settings, each checked like a scalar hyperparameter."""
    if np.ndim(value) == 0 and not isinstance(value, np.ndarray):
        return _checks.real(name, value, **bounds)
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number or an array of them") from None
    return _checks.real(name, arr, **bounds)


def _eigenvalues(eigenvalues) -> np.ndarray:
    lam = _checks.vector("eigenvalues", eigenvalues)
    if np.any(lam <= 0):
        raise ValueError(f"eigenvalues must all be > 0 (a quadratic with a unique minimum), got {lam}")
    return lam


def _roots(b, c):
    r"""The roots of :math:`z^2 - b z + c = 0` (arrays, elementwise) on a new last axis, larger first.

    A real pair comes without cancellation: the larger as :math:`(b \pm \sqrt{b^2 - 4c})/2`
    with the sign of b, the other as c over it.  A complex pair lists the root with positive
    imaginary part first.
    """
    disc = b * b - 4.0 * c
    root = np.sqrt(np.abs(disc))
    big = (b + np.copysign(root, b)) / 2.0
    small = np.divide(c, big, out=np.zeros_like(big), where=big != 0)   # big = 0 only if b = c = 0
    pair = disc < 0
    return np.stack([np.where(pair, b / 2.0 + 0.5j * root, big),
                     np.where(pair, b / 2.0 - 0.5j * root, small)], axis=-1)


def _spectral_radius(b, c):
    r"""max |z| over the roots of :math:`z^2 - b z + c = 0` (arrays, elementwise)."""
    return np.abs(_roots(b, c)[..., 0])


_METHODS = ("momentum", "nesterov")


def _step_polynomial(method, eta, beta, lam):
    r"""b and c of :math:`z^2 - b z + c`, the characteristic polynomial of one step (arrays)."""
    if method == "momentum":
        b = 1.0 + beta - eta * lam
        return b, beta * np.ones_like(b)
    shrink = 1.0 - eta * lam
    return (1.0 + beta) * shrink, beta * shrink


def _out(rho):
    return float(rho) if np.ndim(rho) == 0 else rho


def gd_rate(eta, eigenvalues):
    r"""The linear rate of gradient descent on a quadratic,

    .. math:: \rho(\eta) = \max_i \lvert 1 - \eta \lambda_i \rvert ,

    because each step multiplies the error along the i-th eigenvector by :math:`1 - \eta\lambda_i`.
    Gradient descent converges if and only if :math:`\rho < 1`, that is
    :math:`0 < \eta < 2/\lambda_{\max}`.

    Parameters
    ----------
    eta : float or array_like
        Learning rate(s) η > 0; an array gives one rate per setting.
    eigenvalues : array_like
        The eigenvalues of the Hessian A, all > 0.

    Returns
    -------
    float or ndarray
        ρ, of the shape of ``eta``.

    Examples
    --------
    >>> import descend as dd
    >>> dd.theory.gd_rate([0.1, 0.5, 1.0], eigenvalues=[1.0, 3.0])
    array([0.9, 0.5, 2. ])

    References
    ----------
    Nocedal, J., Wright, S. J. (2006). Numerical Optimization, 2nd ed., section 3.3.
    Taught in chapter 4.
    """
    eta = _param("eta", eta, lo=0.0, lo_open=True)
    lam = _eigenvalues(eigenvalues)
    return _out(np.abs(1.0 - np.multiply.outer(eta, lam)).max(axis=-1))


def gd_optimum(lambda_min: float, lambda_max: float) -> Optimum:
    r"""The best constant learning rate of gradient descent on a quadratic, and its rate:

    .. math:: \eta^\star = \frac{2}{\lambda_{\min} + \lambda_{\max}}, \qquad
              \rho^\star = \frac{\kappa - 1}{\kappa + 1}, \quad \kappa = \lambda_{\max}/\lambda_{\min}.

    At :math:`\eta^\star` the two extreme eigen-directions shrink equally fast
    (:math:`1 - \eta\lambda_{\min} = -(1 - \eta\lambda_{\max})`).

    Examples
    --------
    >>> import descend as dd
    >>> dd.theory.gd_optimum(1.0, 9.0)
    Optimum(eta=0.2, beta=0.0, rate=0.8)

    Taught in chapter 4.
    """
    lo, hi = _extremes(lambda_min, lambda_max)
    kappa = hi / lo
    return Optimum(eta=2.0 / (lo + hi), beta=0.0, rate=(kappa - 1.0) / (kappa + 1.0))


def _extremes(lambda_min, lambda_max):
    lo = _checks.positive("lambda_min", lambda_min)
    hi = _checks.positive("lambda_max", lambda_max)
    if hi < lo:
        raise ValueError(f"lambda_max must be ≥ lambda_min, got {hi:g} < {lo:g}")
    return lo, hi


def momentum_rate(eta, beta, eigenvalues):
    r"""The linear rate of heavy-ball momentum on a quadratic.

    Eliminating :math:`u_t` from :math:`u_t = \beta u_{t-1} + \eta g_t`,
    :math:`\theta_{t+1} = \theta_t - u_t` gives, along an eigenvector with eigenvalue λ,

    .. math:: e_{t+1} = (1 + \beta - \eta\lambda)\, e_t - \beta\, e_{t-1},

    whose 2 × 2 companion matrix has the eigenvalues z solving
    :math:`z^2 - (1 + \beta - \eta\lambda) z + \beta = 0`.  The rate is the largest
    :math:`\lvert z\rvert` over both roots and all eigenvalues.

    Parameters
    ----------
    eta : float or array_like
        Learning rate(s) η > 0.
    beta : float or array_like
        Momentum β in [0, 1); broadcast against ``eta`` (e.g. a meshgrid of both).
    eigenvalues : array_like
        The eigenvalues of the Hessian, all > 0.

    Returns
    -------
    float or ndarray
        ρ, of the broadcast shape of ``eta`` and ``beta``.

    Examples
    --------
    >>> import descend as dd
    >>> round(dd.theory.momentum_rate(0.5, 0.0, [1.0, 3.0]), 12)   # β = 0 is gradient descent
    0.5
    >>> round(dd.theory.momentum_rate(4 / 9, 0.25, [1.0, 4.0]), 12)  # the optimum for κ = 4
    0.5

    References
    ----------
    Polyak, B. T. (1964). Some methods of speeding up the convergence of iteration methods.
    Taught in chapter 4.
    """
    eta = _param("eta", eta, lo=0.0, lo_open=True)
    beta = _param("beta", beta, lo=0.0, hi=1.0, hi_open=True)
    lam = _eigenvalues(eigenvalues)
    eta, beta = np.broadcast_arrays(np.asarray(eta)[..., None], np.asarray(beta)[..., None])
    return _out(_spectral_radius(*_step_polynomial("momentum", eta, beta, lam)).max(axis=-1))


def nesterov_rate(eta, beta, eigenvalues):
    r"""The linear rate of Nesterov's accelerated gradient on a quadratic.

    In the look-ahead variables (the iterates of :func:`descend.nesterov`) the error along
    an eigenvector with eigenvalue λ obeys

    .. math:: e_{t+1} = (1 + \beta)(1 - \eta\lambda)\, e_t - \beta (1 - \eta\lambda)\, e_{t-1},

    so the rate is the largest :math:`\lvert z\rvert` with
    :math:`z^2 - (1 + \beta)(1 - \eta\lambda) z + \beta(1 - \eta\lambda) = 0`.  Compared with
    :func:`momentum_rate`, the damping term :math:`\beta` is multiplied by
    :math:`1 - \eta\lambda`: steep directions are damped harder.

    Parameters and returns as :func:`momentum_rate`.

    Examples
    --------
    >>> import descend as dd
    >>> dd.theory.nesterov_rate(0.1, 0.9, [10.0])      # ηλ = 1: that direction is solved at once
    0.0

    References
    ----------
    Nesterov, Y. (1983). A method for solving the convex programming problem with convergence
    rate O(1/k²). Sutskever, I., Martens, J., Dahl, G., Hinton, G. (2013). On the importance of
    initialization and momentum in deep learning. Taught in chapter 4.
    """
    eta = _param("eta", eta, lo=0.0, lo_open=True)
    beta = _param("beta", beta, lo=0.0, hi=1.0, hi_open=True)
    lam = _eigenvalues(eigenvalues)
    eta, beta = np.broadcast_arrays(np.asarray(eta)[..., None], np.asarray(beta)[..., None])
    return _out(_spectral_radius(*_step_polynomial("nesterov", eta, beta, lam)).max(axis=-1))


def heavy_ball_optimum(lambda_min: float, lambda_max: float) -> Optimum:
    r"""The best constant (η, β) of heavy-ball momentum on a quadratic, and its rate:

    .. math::
        \eta^\star = \frac{4}{(\sqrt{\lambda_{\min}} + \sqrt{\lambda_{\max}})^2}, \qquad
        \beta^\star = \Bigl(\frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}\Bigr)^2, \qquad
        \rho^\star = \sqrt{\beta^\star} = \frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}.

    These are the smallest β for which the roots of :math:`z^2 - (1 + \beta - \eta\lambda)z + \beta`
    are complex (of modulus :math:`\sqrt\beta`) for every λ in
    :math:`[\lambda_{\min}, \lambda_{\max}]`.

    Examples
    --------
    >>> import descend as dd
    >>> dd.theory.heavy_ball_optimum(1.0, 9.0)
    Optimum(eta=0.25, beta=0.25, rate=0.5)

    References
    ----------
    Polyak, B. T. (1964). Some methods of speeding up the convergence of iteration methods.
    Taught in chapter 4.
    """
    lo, hi = _extremes(lambda_min, lambda_max)
    root_kappa = np.sqrt(hi / lo)
    rate = float((root_kappa - 1.0) / (root_kappa + 1.0))
    return Optimum(eta=float(4.0 / (np.sqrt(lo) + np.sqrt(hi)) ** 2), beta=rate**2, rate=rate)


def gd_steps(eta: float, A, e0, tol: float = 1e-8) -> int:
    r"""The number of gradient-descent steps on a quadratic until the error has shrunk by ``tol``.

    On :math:`L(\theta) = \tfrac12 (\theta - \theta^\star)^\top A (\theta - \theta^\star)` the
    error evolves as :math:`e_t = (I - \eta A)^t e_0`.  In the eigenbasis of A,
    :math:`\lVert e_t\rVert^2 = \sum_i c_i^2 (1 - \eta\lambda_i)^{2t}` with
    :math:`c = Q^\top e_0`, which falls with t when :math:`\rho = \max_i |1 - \eta\lambda_i| < 1`.
    This returns the smallest t with :math:`\lVert e_t\rVert \le \text{tol}\,\lVert e_0\rVert`,
    found by bisection between 0 and :math:`\lceil \ln\text{tol} / \ln\rho \rceil` — exactly,
    without running a million steps.

    Parameters
    ----------
    eta : float
        Learning rate, with :math:`0 < \eta < 2/\lambda_{\max}`.
    A : (d, d) array_like
        The Hessian, symmetric positive definite.
    e0 : (d,) array_like
        The initial error :math:`\theta_0 - \theta^\star`.
    tol : float
        The relative error to reach, in (0, 1).

    Examples
    --------
    >>> import descend as dd
    >>> dd.theory.gd_steps(0.5, [[1.0, 0.0], [0.0, 0.1]], e0=[1.0, 1.0], tol=1e-3)
    128

    Taught in chapter 9, to count the steps of a badly conditioned least-squares problem.
    """
    eta = _checks.positive("eta", eta)
    A = _checks.matrix("A", A, symmetric=True)
    e0 = _checks.vector("e0", e0, dim=A.shape[0])
    tol = _checks.real("tol", tol, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    lam, Q = np.linalg.eigh(A)
    if lam[0] <= 0:
        raise ValueError(f"A must be positive definite, but its smallest eigenvalue is {lam[0]:g}")
    factors = np.abs(1.0 - eta * lam)
    rho = float(factors.max())
    if rho >= 1.0:
        raise ValueError(f"eta must be below 2/λ_max = {2 / lam[-1]:g} for gradient descent to converge, got {eta:g}")
    c2 = (Q.T @ e0) ** 2
    target = tol**2 * float(c2.sum())
    if target == 0.0:
        return 0

    def too_big(t):
        return float(np.sum(c2 * factors ** (2 * t))) > target

    lo, hi = 0, max(1, int(np.ceil(np.log(tol) / np.log(rho)))) if rho > 0 else 1
    if not too_big(lo):
        return 0
    while hi - lo > 1:  # invariant: too_big(lo) and not too_big(hi)
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if too_big(mid) else (lo, mid)
    return hi


def gap_ratios(losses, f_star: float = 0.0) -> np.ndarray:
    r"""The factor by which each step of a run multiplies the loss gap.

    .. math:: \frac{L(\theta_{t+1}) - L^\star}{L(\theta_t) - L^\star}, \qquad t = 0, \dots, T - 1 .

    A linear convergence bound such as
    :math:`L(\theta_{t+1}) - L^\star \le \rho^2 (L(\theta_t) - L^\star)` says that every one of
    these ratios is at most :math:`\rho^2`.

    Parameters
    ----------
    losses : Trace or array_like
        A run from :func:`descend.run`, or its losses :math:`L(\theta_0), \dots, L(\theta_T)`.
    f_star : float
        The minimum value :math:`L^\star`; every loss must lie above it.

    Returns
    -------
    ndarray of shape (T,)

    Examples
    --------
    >>> import descend as dd
    >>> trace = dd.run(dd.gd(eta=0.5), dd.quadratic([[1.0]]), [2.0], steps=3)   # θ halves
    >>> dd.theory.gap_ratios(trace)
    array([0.25, 0.25, 0.25])

    Notes
    -----
    Taught in chapter 6, to check the rate of exact line search at every step.
    """
    fs = np.asarray(getattr(losses, "fs", losses), dtype=np.float64)
    if fs.ndim != 1 or fs.size < 2:
        raise ValueError(f"losses must hold at least two losses in a row, got shape {fs.shape}")
    f_star = _checks.real("f_star", f_star)
    gaps = fs - f_star
    if not np.all(gaps > 0):
        raise ValueError(f"every loss must lie above f_star = {f_star:g}; the smallest gap is {gaps.min():.3g}")
    return gaps[1:] / gaps[:-1]


__all__ += ["gap_ratios"]


def _adam_betas(beta1, beta2):
    beta1 = _checks.unit_interval("beta1", beta1)
    beta2 = _checks.real("beta2", beta2, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    return beta1, beta2


def _one_minus_power(beta: float, t: np.ndarray) -> np.ndarray:
    """1 − βᵗ without cancellation for β near 1 (and 1 for β = 0, t ≥ 1)."""
    if beta == 0.0:
        return np.ones_like(t, dtype=np.float64)
    return -np.expm1(t * np.log(beta))


def adam_step_bound(beta1: float, beta2: float, t=None):
    r"""The largest step of Adam, in units of η, over every sequence of gradients.

    Take one coordinate of Adam (any :math:`\epsilon \ge 0`) and gradients
    :math:`g_1, \dots, g_t`, not all zero. Unrolling :math:`m_t` and :math:`v_t` and applying
    the triangle and the Cauchy–Schwarz inequalities gives

    .. math::
        \frac{|\theta_t - \theta_{t-1}|}{\eta} \le \frac{|\hat m_t|}{\sqrt{\hat v_t}} \le B_t
        = \frac{1 - \beta_1}{1 - \beta_1^t}\,\sqrt{\frac{1 - \beta_2^t}{1 - \beta_2}}\,
          \sqrt{\sum_{k=0}^{t-1} \gamma^k}, \qquad \gamma = \frac{\beta_1^2}{\beta_2},

    with equality when :math:`\epsilon = 0` for the gradients of :func:`adam_worst_gradients`,
    so :math:`B_t` is the exact supremum at step t. :math:`B_1 = 1`. If
    :math:`\beta_1^2 < \beta_2` then :math:`B_t \le B_\infty` for every t (equality only for
    :math:`\beta_1 = \beta_2`, where every :math:`B_t = 1`), with

    .. math:: B_\infty = \lim_{t\to\infty} B_t
              = \frac{1 - \beta_1}{\sqrt{(1 - \beta_2)(1 - \beta_1^2/\beta_2)}} ;

    if :math:`\beta_1^2 \ge \beta_2`, :math:`B_t \to \infty`.

    Parameters
    ----------
    beta1 : float
        Decay of the first moment, in [0, 1).
    beta2 : float
        Decay of the second moment, in (0, 1).
    t : int or array_like of int, optional
        The step(s), each ≥ 1. Omitted: the bound over all steps, :math:`B_\infty`
        (``inf`` when :math:`\beta_1^2 \ge \beta_2`).

    Returns
    -------
    float or ndarray
        :math:`B_t` (one per step given), or :math:`B_\infty`. When
        :math:`\beta_1^2 > \beta_2` and t is so large that :math:`\gamma^t` overflows float64,
        the finite :math:`B_t` is returned as ``inf``.

    Examples
    --------
    >>> from descend import theory
    >>> round(theory.adam_step_bound(0.9, 0.999), 4)       # the defaults: up to 7.27 η
    7.2703
    >>> theory.adam_step_bound(0.9, 0.999, t=[1, 10, 1000]).round(4)
    array([1.    , 1.0431, 5.7812])

    Notes
    -----
    Kingma and Ba (2015, section 2.1) give :math:`(1 - \beta_1)/\sqrt{1 - \beta_2}` when
    :math:`1 - \beta_1 > \sqrt{1 - \beta_2}` and 1 otherwise; that is the step of a single
    gradient after a long silence, and the exact bound only for :math:`\beta_1 = 0`.

    References
    ----------
    Kingma, D. P., Ba, J. (2015). Adam: A method for stochastic optimization. ICLR, section 2.1.
    Taught in chapter 7.
    """
    beta1, beta2 = _adam_betas(beta1, beta2)
    gamma = beta1 * beta1 / beta2
    if t is None:
        if gamma >= 1.0:
            return float("inf")
        return float((1.0 - beta1) / np.sqrt((1.0 - beta2) * (1.0 - gamma)))
    steps = np.asarray(t)
    if steps.dtype.kind not in "iu" or steps.size == 0 or np.any(steps < 1):
        raise ValueError(f"t must be a whole number ≥ 1 or an array of them, got {t!r}")
    steps = steps.astype(np.float64)
    if gamma == 0.0:
        total = np.ones_like(steps)                         # Σ γᵏ with γ = 0: only k = 0
    elif gamma == 1.0:
        total = steps.copy()
    else:
        with np.errstate(over="ignore"):
            total = np.expm1(steps * np.log(gamma)) / np.expm1(np.log(gamma))
    bound = ((1.0 - beta1) / _one_minus_power(beta1, steps)
             * np.sqrt(_one_minus_power(beta2, steps) / (1.0 - beta2)) * np.sqrt(total))
    return float(bound) if np.ndim(t) == 0 else bound


def adam_worst_gradients(beta1: float, beta2: float, t: int) -> np.ndarray:
    r"""The gradients :math:`g_1, \dots, g_t` for which Adam's step t is largest.

    .. math:: g_i = \Bigl(\frac{\beta_1}{\beta_2}\Bigr)^{t-i}, \qquad i = 1, \dots, t ,

    (with :math:`0^0 = 1`: for :math:`\beta_1 = 0` only :math:`g_t` is non-zero). They make the
    Cauchy–Schwarz inequality behind :func:`adam_step_bound` an equality, so with
    :math:`\epsilon = 0` Adam's step t is exactly :math:`B_t\,\eta`; any positive multiple does
    the same. For :math:`\beta_1 < \beta_2` the gradients grow by the factor
    :math:`\beta_2/\beta_1` per step.

    Parameters
    ----------
    beta1 : float
        Decay of the first moment, in [0, 1).
    beta2 : float
        Decay of the second moment, in (0, 1).
    t : int
        The step, ≥ 1.

    Returns
    -------
    (t,) ndarray
        ``g[i - 1]`` is :math:`g_i`; the last is 1.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> from descend import theory
    >>> g = theory.adam_worst_gradients(0.9, 0.999, t=50)
    >>> opt = dd.adam(eta=1.0, beta1=0.9, beta2=0.999)
    >>> state = opt.init(np.zeros(1))
    >>> for g_i in 1e6 * g:                      # large gradients, so that ε does not count
    ...     step, state = opt.update(np.array([g_i]), state)
    >>> bool(np.isclose(abs(step[0]), theory.adam_step_bound(0.9, 0.999, t=50), rtol=1e-12))
    True

    Taught in chapter 7.
    """
    beta1, beta2 = _adam_betas(beta1, beta2)
    t = _checks.count("t", t, minimum=1)
    age = np.arange(t - 1, -1, -1, dtype=np.float64)        # t − i for i = 1, …, t
    if beta1 == 0.0:
        return (age == 0).astype(np.float64)
    return (beta1 / beta2) ** age


def adam_worst_step(beta1: float, beta2: float, t: int, k: int | None = None) -> float:
    r"""Adam's step t, in units of η with :math:`\epsilon = 0`, after a silence and k worst-case gradients.

    The gradients are zero up to step :math:`t - k`, and the last k are those of
    :func:`adam_worst_gradients` for k steps, :math:`g_{t-j} = c\,(\beta_1/\beta_2)^j`,
    :math:`j = 0, \dots, k - 1`, with any :math:`c \ne 0`.  The Cauchy–Schwarz inequality
    behind :func:`adam_step_bound` is then an equality on the k terms that are not zero, and

    .. math::
        \frac{|\theta_t - \theta_{t-1}|}{\eta}
        = \frac{1 - \beta_1}{1 - \beta_1^t}\,\sqrt{\frac{1 - \beta_2^t}{1 - \beta_2}}\,
          \sqrt{\sum_{j=0}^{k-1} \gamma^j}, \qquad \gamma = \frac{\beta_1^2}{\beta_2} .

    With k = t (the default) this is :math:`B_t`; if :math:`\gamma < 1` it tends to
    :math:`B_\infty` as k and t grow, which is why no smaller multiple of η bounds every step.

    Parameters
    ----------
    beta1 : float
        Decay of the first moment, in [0, 1).
    beta2 : float
        Decay of the second moment, in (0, 1).
    t : int
        The step, ≥ 1.
    k : int, optional
        The number of gradients that are not zero, 1 ≤ k ≤ t; t by default.

    Returns
    -------
    float
        The step divided by η (``inf`` if :math:`\gamma^k` overflows float64).

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> from descend import theory
    >>> g = np.r_[np.zeros(900), 1e6 * theory.adam_worst_gradients(0.9, 0.999, t=100)]
    >>> step = abs(dd.optim.steps_on(dd.adam(eta=1.0), g)[-1])
    >>> bool(np.isclose(step, theory.adam_worst_step(0.9, 0.999, t=1000, k=100), rtol=1e-9))
    True
    >>> theory.adam_worst_step(0.9, 0.999, t=1000) == theory.adam_step_bound(0.9, 0.999, t=1000)
    True

    Notes
    -----
    Taught in chapter 7, where the step reaches the theorem's value for several pairs
    :math:`(\beta_1, \beta_2)`, also with :math:`\beta_1^2 \ge \beta_2`.
    """
    beta1, beta2 = _adam_betas(beta1, beta2)
    t = _checks.count("t", t, minimum=1)
    k = t if k is None else _checks.count("k", k, minimum=1)
    if k > t:
        raise ValueError(f"k must lie in [1, t] = [1, {t}], got {k}")
    if k == t:
        return float(adam_step_bound(beta1, beta2, t=t))
    gamma = beta1 * beta1 / beta2
    with np.errstate(over="ignore"):
        total = float(np.sum(gamma ** np.arange(k, dtype=np.float64)))
    return float((1.0 - beta1) / _one_minus_power(beta1, float(t))
                 * np.sqrt(_one_minus_power(beta2, float(t)) / (1.0 - beta2)) * np.sqrt(total))


def gd_regime(eta: float, lam: float, *, slow: float = 0.75) -> str:
    r"""What gradient descent does on :math:`L(\theta) = \tfrac12\lambda\theta^2` with the rate η.

    Each step multiplies :math:`\theta_t` by the factor :math:`1 - \eta\lambda`, and its value
    names the regime:

    ===============================  ===============================================
    :math:`1 - \eta\lambda`          the iterates
    ===============================  ===============================================
    in :math:`(0, 1)`                creep to 0 from one side (slowly above ``slow``)
    :math:`0`                        land on the minimum in one step
    in :math:`(-1, 0)`               oscillate about 0 and converge
    :math:`-1`                       bounce between :math:`\pm\theta_0` for ever
    below :math:`-1`                 diverge
    ===============================  ===============================================

    Parameters
    ----------
    eta : float
        Learning rate, > 0.
    lam : float
        Curvature λ > 0.
    slow : float
        Factors above it (close to 1) count as creeping slowly.

    Returns
    -------
    str
        A short phrase, for a printout or a title.

    Examples
    --------
    >>> import descend as dd
    >>> [dd.theory.gd_regime(eta, 2.0) for eta in (0.1, 0.5, 0.9, 1.0, 1.2)]
    ['creeps from one side, slowly', 'lands in one step', 'oscillates and converges', 'bounces for ever', 'diverges']

    Taught in chapter 2.
    """
    eta = _checks.positive("eta", eta)
    lam = _checks.positive("lam", lam)
    slow = _checks.unit_interval("slow", slow)
    factor = 1.0 - eta * lam
    if factor > 0:
        return "creeps from one side" + (", slowly" if factor > slow else "")
    if factor == 0:
        return "lands in one step"
    if factor > -1:
        return "oscillates and converges"
    return "bounces for ever" if factor == -1 else "diverges"


# --------------------------------------------------------------------------- measured rates (chapter 4)


def _iterates(trace) -> np.ndarray:
    """The iterates of a Trace, or an array of them, as an (n + 1, d) array."""
    xs = np.asarray(getattr(trace, "xs", trace), dtype=np.float64)
    xs = xs[:, None] if xs.ndim == 1 else xs
    if xs.ndim != 2 or not np.all(np.isfinite(xs)):
        raise ValueError(f"trace must be a Trace or an (n + 1, d) array of finite iterates, got shape {xs.shape}")
    return xs


def fitted_rate(trace, x_star, *, start: int = 0, power: float = 0.0) -> float:
    r"""The rate of a run, fitted: :math:`e^{s}` for the least-squares slope s of a log-distance.

    Fits a line to :math:`\log\bigl(\lVert x_t - x^\star\rVert / t^{p}\bigr)` against t over
    the steps :math:`t \ge` ``start``.  For an error :math:`C\rho^t` this gives ρ; for an error
    :math:`(a + bt)\rho^t`, as heavy ball's at its optimum, the factor :math:`a + bt` bends the
    log-distance and the fit with ``power=0`` comes out above ρ, while dividing by
    :math:`t^1` first (``power=1``) removes most of it.

    Parameters
    ----------
    trace : Trace or (n + 1, d) array_like
        The iterates :math:`x_0, \dots, x_n`.
    x_star : array_like of shape (d,)
        The minimizer.
    start : int
        The first step of the fit (≥ 1 if ``power`` > 0).
    power : float
        The power p of t to divide by, ≥ 0.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> t = np.arange(40)
    >>> round(dd.theory.fitted_rate(3 * 0.9**t, [0.0]), 12)
    0.9
    >>> round(dd.theory.fitted_rate((1 + 2 * t) * 0.5**t, [0.0], start=10), 3)   # the factor t shows
    0.522
    >>> round(dd.theory.fitted_rate(t * 0.5**t, [0.0], start=10, power=1), 12)
    0.5

    Notes
    -----
    Taught in chapter 4, to read the rates of gradient descent and heavy ball off their runs.
    """
    xs = _iterates(trace)
    x_star = _checks.vector("x_star", x_star, dim=xs.shape[1])
    start = _checks.count("start", start)
    power = _checks.real("power", power, lo=0.0)
    if power > 0 and start == 0:
        raise ValueError("start must be at least 1 when dividing by a power of t (t = 0 would divide by zero)")
    if len(xs) - start < 2:
        raise ValueError(f"the fit needs at least two steps from start = {start}; the run has {len(xs)} iterates")
    t = np.arange(start, len(xs))
    dist = np.linalg.norm(xs[start:] - x_star, axis=1)
    if np.any(dist == 0):
        raise ValueError("the run reaches x_star exactly, where the log-distance is undefined")
    return float(np.exp(np.polyfit(t, np.log(dist / t**power), 1)[0]))


def nesterov_gradient_points(trace, problem, eta: float) -> np.ndarray:
    r"""The gradient-step iterates :math:`\theta_t` of Nesterov's method, from the iterates of :func:`descend.nesterov`.

    :func:`descend.nesterov` returns the look-ahead points :math:`\tilde\theta_t`.  Written as
    a gradient step followed by a push,
    :math:`\theta_{t+1} = \tilde\theta_t - \eta\nabla L(\tilde\theta_t)`,
    :math:`\tilde\theta_{t+1} = \theta_{t+1} + \beta_{t+1}(\theta_{t+1} - \theta_t)`, the method
    also has the iterates :math:`\theta_t` (those of CS7015's form, and of Nesterov's and Beck
    and Teboulle's guarantees), with :math:`\theta_0 = \tilde\theta_0`.

    Parameters
    ----------
    trace : Trace or (n + 1, d) array_like
        The iterates :math:`\tilde\theta_0, \dots, \tilde\theta_n` of a run of Nesterov's method.
    problem : Problem
        The loss it ran on; its ``grad`` must accept a batch of points, shape (d, n).
    eta : float
        The run's constant learning rate.

    Returns
    -------
    (n + 1, d) ndarray
        :math:`\theta_0, \dots, \theta_n`.

    Examples
    --------
    >>> import descend as dd
    >>> p = dd.quadratic([[1.0]])
    >>> run = dd.run(dd.nesterov(eta=0.5, beta=0.5), p, 1.0, steps=2)
    >>> run.xs.ravel()                                    # θ̃_t
    array([ 1.    ,  0.25  , -0.0625])
    >>> dd.theory.nesterov_gradient_points(run, p, 0.5).ravel()
    array([1.   , 0.5  , 0.125])

    Notes
    -----
    Taught in chapter 4, where Nesterov's guarantees for convex functions are checked at these
    points.
    """
    looks = _iterates(trace)
    eta = _checks.positive("eta", eta)
    grads = np.asarray(problem.grad(looks[:-1].T), dtype=np.float64).T
    return np.vstack([looks[:1], looks[:-1] - eta * grads])


__all__ += ["fitted_rate", "nesterov_gradient_points"]


# --------------------------------------------------------------------------- Newton's cost (chapter 9)


class SolveCost(NamedTuple):
    """The solution of a linear system and the arithmetic it took."""

    x: np.ndarray    #: the solution of A x = b
    operations: int  #: multiplications and divisions
    roots: int       #: square roots (Cholesky only)


class _Counted:
    """A number that counts the multiplications and divisions it takes part in."""

    __slots__ = ("v", "tally")

    def __init__(self, v, tally):
        self.v, self.tally = v, tally

    def __mul__(self, other):
        self.tally[0] += 1
        return _Counted(self.v * other.v, self.tally)

    def __truediv__(self, other):
        self.tally[0] += 1
        return _Counted(self.v / other.v, self.tally)

    def __sub__(self, other):
        return _Counted(self.v - other.v, self.tally)


def solve_cost(A, b, *, method: str = "elimination") -> SolveCost:
    r"""Solve :math:`Ax = b` as a textbook writes it out, counting every multiplication and division.

    ``"elimination"``: Gaussian elimination without pivoting, then back substitution,

    .. math:: \frac{d^3}{3} + d^2 - \frac{d}{3} \ \text{multiplications and divisions};

    ``"cholesky"``: :math:`A = CC^\top` with C lower triangular, then the triangular solves
    :math:`Cz = b` and :math:`C^\top x = z`,

    .. math:: \frac{d^3}{6} + \frac{3d^2}{2} + \frac{d}{3} \ \text{of them, and d square roots.}

    The loops run in Python on numbers that tally each operation, so the count is the count
    of the algorithm, not an estimate; use it on small systems.  Additions and subtractions
    are not counted.

    Parameters
    ----------
    A : (d, d) array_like
        The matrix: one that needs no pivoting (diagonally dominant, say) for elimination,
        symmetric positive definite for Cholesky.
    b : (d,) array_like
        The right-hand side.
    method : {"elimination", "cholesky"}

    Returns
    -------
    SolveCost
        ``x``, ``operations`` (multiplications and divisions) and ``roots`` (square roots).

    Examples
    --------
    >>> import descend as dd
    >>> A, b = [[4.0, 2.0], [2.0, 3.0]], [2.0, 1.0]
    >>> cost = dd.theory.solve_cost(A, b)            # d = 2: 8/3 + 4 − 2/3 = 6
    >>> cost.x.round(6).tolist(), cost.operations
    ([0.5, 0.0], 6)
    >>> dd.theory.solve_cost(A, b, method="cholesky").operations   # 8/6 + 6 + 2/3 = 8
    8

    References
    ----------
    Golub, G. H., Van Loan, C. F. (2013). Matrix Computations, 4th ed., sections 3.2 and 4.2.
    Taught in chapter 9, to count what one Newton step costs.
    """
    A = _checks.matrix("A", A, square=True)
    b = _checks.vector("b", b, dim=A.shape[0])
    method = _checks.choice("method", method, ("elimination", "cholesky"))
    n, tally, roots = len(b), [0], 0
    A = [[_Counted(a, tally) for a in row] for row in A]
    b = [_Counted(v, tally) for v in b]
    x = [None] * n
    if method == "elimination":
        for k in range(n):  # eliminate below the pivot
            if A[k][k].v == 0:
                raise ValueError("a zero pivot: elimination without pivoting cannot solve this system")
            for i in range(k + 1, n):
                factor = A[i][k] / A[k][k]
                for j in range(k + 1, n):
                    A[i][j] = A[i][j] - factor * A[k][j]
                b[i] = b[i] - factor * b[k]
        for i in reversed(range(n)):  # back substitution
            s = b[i]
            for j in range(i + 1, n):
                s = s - A[i][j] * x[j]
            x[i] = s / A[i][i]
    else:
        C = [[None] * n for _ in range(n)]
        for j in range(n):
            s = A[j][j]
            for k in range(j):
                s = s - C[j][k] * C[j][k]
            if not s.v > 0:
                raise ValueError("A is not positive definite: Cholesky needs a positive pivot")
            roots += 1
            C[j][j] = _Counted(np.sqrt(s.v), tally)
            for i in range(j + 1, n):
                s = A[i][j]
                for k in range(j):
                    s = s - C[i][k] * C[j][k]
                C[i][j] = s / C[j][j]
        z = [None] * n
        for i in range(n):  # forward substitution, C z = b
            s = b[i]
            for j in range(i):
                s = s - C[i][j] * z[j]
            z[i] = s / C[i][i]
        for i in reversed(range(n)):  # back substitution, Cᵀ x = z
            s = z[i]
            for j in range(i + 1, n):
                s = s - C[j][i] * x[j]
            x[i] = s / C[i][i]
    return SolveCost(np.array([v.v for v in x]), tally[0], roots)


__all__ += ["SolveCost", "solve_cost"]


# --------------------------------------------------------------------------- lower bound (chapter 4)


def _chebyshev_extremes(lambda_min: float, lambda_max: float, t: int) -> np.ndarray:
    j = np.arange(t + 1)
    return (lambda_max + lambda_min) / 2 - (lambda_max - lambda_min) / 2 * np.cos(j * np.pi / t)


def first_order_lower_bound(lambda_min: float, lambda_max: float, t: int):
    r"""The quadratic on which no first-order method is fast, and the bound it gives at step t.

    Every method whose iterates stay in :math:`\theta_0 + \operatorname{span}\{\nabla
    L(\theta_0), \dots, \nabla L(\theta_{s-1})\}` has, on a quadratic with Hessian A, the
    error :math:`e_t = p_t(A)\, e_0` for a polynomial :math:`p_t` of degree at most t with
    :math:`p_t(0) = 1`.  Put the t + 1 eigenvalues of A at the points of
    :math:`[\lambda_{\min}, \lambda_{\max}]` where the shifted Chebyshev polynomial of degree
    t takes its extreme values, and start with equal components along all eigenvectors.
    Then, with :math:`\rho = (\sqrt\kappa - 1)/(\sqrt\kappa + 1)`,

    .. math::
        \frac{\lVert e_t\rVert}{\lVert e_0\rVert} \ge \frac{2\rho^t}{(1 + \rho^{2t})\sqrt{t + 1}}
        \ge \frac{\rho^t}{\sqrt{t + 1}}

    for every such method (the proof is in chapter 4).

    Parameters
    ----------
    lambda_min, lambda_max : float
        The ends of the spectrum, :math:`0 < \lambda_{\min} < \lambda_{\max}`.
    t : int
        The step, at least 1.

    Returns
    -------
    eigenvalues : ndarray of shape (t + 1,)
        The eigenvalues of the hard quadratic, from :math:`\lambda_{\min}` to
        :math:`\lambda_{\max}`.
    bound : float
        The lower bound on :math:`\lVert e_t\rVert / \lVert e_0\rVert`.

    Examples
    --------
    >>> import descend as dd
    >>> lam, bound = dd.theory.first_order_lower_bound(1.0, 9.0, 1)   # ρ = 1/2
    >>> lam.tolist(), round(bound, 12) == round(0.8 / 2 ** 0.5, 12)
    ([1.0, 9.0], True)

    References
    ----------
    Nemirovsky, A. S. and Yudin, D. B. (1983); Nesterov, Y. (2004), *Introductory Lectures on
    Convex Optimization*, section 2.1.4 (the infinite-dimensional version). Taught in chapter 4.
    """
    lo = _checks.real("lambda_min", lambda_min, lo=0.0, lo_open=True)
    hi = _checks.real("lambda_max", lambda_max, lo=0.0, lo_open=True)
    if not hi > lo:
        raise ValueError(f"lambda_max must be greater than lambda_min, got {hi} and {lo}")
    if isinstance(t, bool) or not isinstance(t, int | np.integer) or t < 1:
        raise ValueError(f"t must be an integer ≥ 1, got {t!r}")
    root = np.sqrt(hi / lo)
    rho = (root - 1) / (root + 1)
    return _chebyshev_extremes(lo, hi, int(t)), float(2 * rho**t / ((1 + rho ** (2 * t)) * np.sqrt(t + 1)))


def best_polynomial_error(eigenvalues, e0, t: int) -> float:
    r"""The smallest :math:`\lVert p(A)\, e_0\rVert / \lVert e_0\rVert` over polynomials of degree ≤ t with p(0) = 1.

    No first-order method (iterates in :math:`\theta_0` plus the span of the gradients seen)
    can do better at step t on the quadratic with Hessian eigenvalues ``eigenvalues`` and
    initial error ``e0`` (written in the eigenbasis), whatever its hyperparameters, because its
    error is :math:`p_t(A)\, e_0` for such a polynomial.  A linear least-squares problem in
    the coefficients, solved here in the Chebyshev basis of the spectrum's interval for
    accuracy.

    Parameters
    ----------
    eigenvalues : array_like of shape (n,)
        The eigenvalues of A, all > 0.
    e0 : array_like of shape (n,)
        The initial error's components along the eigenvectors, not all zero.
    t : int
        The degree, at least 0.

    Returns
    -------
    float
        The ratio, in [0, 1].

    Examples
    --------
    >>> import descend as dd
    >>> dd.theory.best_polynomial_error([1.0, 4.0], [1.0, 1.0], 2) < 1e-12   # two eigenvalues, two steps
    True
    """
    lam = _eigenvalues(eigenvalues)
    e0 = _checks.vector("e0", e0, dim=len(lam))
    if not np.any(e0):
        raise ValueError("e0 must not be all zeros")
    if isinstance(t, bool) or not isinstance(t, int | np.integer) or t < 0:
        raise ValueError(f"t must be an integer ≥ 0, got {t!r}")
    if t == 0:
        return 1.0
    lo, hi = float(lam.min()), float(lam.max())
    half = (hi - lo) / 2 if hi > lo else max(lo, 1.0)
    x, x0 = (lam - (hi + lo) / 2) / half, (0.0 - (hi + lo) / 2) / half
    # p(λ) = 1 + Σ_k c_k (T_k(x) − T_k(x0)), k = 1..t, so that p(0) = 1
    basis = np.polynomial.chebyshev.chebvander(x, t)[:, 1:] - np.polynomial.chebyshev.chebvander(
        np.array([x0]), t)[:, 1:]
    design = basis * e0[:, None]
    c, *_ = np.linalg.lstsq(design, -e0, rcond=None)
    return float(np.linalg.norm(e0 + design @ c) / np.linalg.norm(e0))


def momentum_components(eta: float, beta: float, eigenvalues, steps: int) -> np.ndarray:
    r"""The error of heavy-ball momentum along each eigenvector of a quadratic, step by step.

    Along an eigenvector with eigenvalue λ the error is a damped oscillator,

    .. math:: e_{t+1} = (1 + \beta - \eta\lambda)\, e_t - \beta\, e_{t-1}, \qquad
              e_1 = (1 - \eta\lambda)\, e_0,

    (the first step has no velocity yet), started here from :math:`e_0 = 1` for every λ.

    Parameters
    ----------
    eta : float
        Learning rate η > 0.
    beta : float
        Momentum β in [0, 1).
    eigenvalues : array_like of shape (n,)
        The eigenvalues of the Hessian, all > 0.
    steps : int
        Number of steps, at least 1.

    Returns
    -------
    ndarray of shape (steps + 1, n)
        Row t holds :math:`e_t / e_0` for each eigenvalue; a direction that diverges so far
        that it overflows holds ``inf`` from then on.

    Examples
    --------
    >>> import descend as dd
    >>> dd.theory.momentum_components(0.5, 0.0, [1.0], 3)[:, 0].tolist()   # β = 0: (1 − ηλ)ᵗ
    [1.0, 0.5, 0.25, 0.125]

    References
    ----------
    Goh, G. (2017). Why momentum really works. *Distill*. Taught in chapter 4.
    """
    eta = _checks.real("eta", eta, lo=0.0, lo_open=True)
    beta = _checks.real("beta", beta, lo=0.0, hi=1.0, hi_open=True)
    lam = _eigenvalues(eigenvalues)
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 1:
        raise ValueError(f"steps must be an integer ≥ 1, got {steps!r}")
    e = np.empty((int(steps) + 1, len(lam)))
    e[0], e[1] = 1.0, 1.0 - eta * lam
    b = 1.0 + beta - eta * lam
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(1, int(steps)):
            e[t + 1] = b * e[t] - beta * e[t - 1]
    overflowed = np.maximum.accumulate(~np.isfinite(e), axis=0)
    e[overflowed] = np.inf             # a diverging direction is inf from its overflow on, never nan
    return e


def momentum_regimes(eta: float, beta: float, eigenvalues) -> list[str]:
    r"""How heavy ball's error moves along each eigenvector: creeps, swings, flips or diverges.

    The roots of :math:`z^2 - (1 + \beta - \eta\lambda) z + \beta` decide it: both real and
    non-negative, the error **creeps** to 0 without changing sign; complex, it **swings**
    through 0 inside an envelope shrinking by :math:`\sqrt\beta` per step; real with a negative
    one, it ends up **flipping** its sign at each step; with a root of size 1 or more it
    does not converge, labelled **diverges** (on the edge, a root of size exactly 1, e.g.
    :math:`\eta\lambda = 2(1 + \beta)`, the error stays bounded without shrinking).

    Parameters
    ----------
    eta : float
        Learning rate η > 0.
    beta : float
        Momentum β in [0, 1).
    eigenvalues : array_like of shape (n,)
        The eigenvalues of the Hessian, all > 0.

    Returns
    -------
    list of str
        One of ``"creeps"``, ``"swings"``, ``"flips"``, ``"diverges"`` per eigenvalue.

    Examples
    --------
    >>> import descend as dd
    >>> dd.theory.momentum_regimes(0.03, 0.0, [1.0, 50.0, 100.0])   # ηλ = 0.03, 1.5, 3
    ['creeps', 'flips', 'diverges']
    """
    for name, value in (("eta", eta), ("beta", beta)):
        if np.ndim(value) != 0:
            raise TypeError(f"{name} must be a real number (one setting), got shape {np.shape(value)}")
    eta = _checks.real("eta", eta, lo=0.0, lo_open=True)
    beta = _checks.real("beta", beta, lo=0.0, hi=1.0, hi_open=True)
    lam = _eigenvalues(eigenvalues)
    kinds = []
    for b in 1.0 + beta - eta * lam:
        disc = b * b - 4.0 * beta
        if disc < 0:
            kinds.append("swings")                    # |z| = √β < 1
            continue
        z = np.array([(b + np.sqrt(disc)) / 2, (b - np.sqrt(disc)) / 2])
        kinds.append("diverges" if np.abs(z).max() >= 1.0 else "creeps" if z.min() >= 0 else "flips")
    return kinds


def step_roots(method: str, eta, beta, eigenvalues) -> np.ndarray:
    r"""The two roots of one step of heavy ball or Nesterov along each eigenvector of a quadratic.

    Along an eigenvector with eigenvalue λ, one step of either method is a linear map of the
    pair (iterate error, velocity), and its two eigenvalues z are the roots of the map's
    characteristic polynomial, with :math:`x = \eta\lambda`:

    .. math::
        \text{heavy ball:}\quad z^2 - (1 + \beta - x)\, z + \beta, \qquad
        \text{Nesterov:}\quad z^2 - (1 + \beta)(1 - x)\, z + \beta (1 - x).

    The error is :math:`e_t = A z_1^t + B z_2^t` (for distinct roots), so the roots tell how
    it moves: :func:`momentum_regimes` and :func:`nesterov_regimes` name that from them, and
    :func:`momentum_rate` and :func:`nesterov_rate` are the largest :math:`\lvert z\rvert`.

    Parameters
    ----------
    method : {"momentum", "nesterov"}
        Heavy ball (:func:`descend.momentum`) or Nesterov (:func:`descend.nesterov`).
    eta : float or array_like
        Learning rate(s) η > 0.
    beta : float or array_like
        Momentum β in [0, 1); broadcast against ``eta`` (e.g. a meshgrid of both).
    eigenvalues : array_like of shape (n,)
        The eigenvalues of the Hessian, all > 0.

    Returns
    -------
    ndarray of complex, of shape ``broadcast(eta, beta).shape + (n, 2)``
        The roots :math:`z_1, z_2` for each setting and eigenvalue, the larger in size first
        (of a complex pair, the one with positive imaginary part); real roots have imaginary
        part exactly 0.

    Examples
    --------
    >>> import descend as dd
    >>> dd.theory.step_roots("momentum", 1.0, 0.25, [0.25, 1.25, 2.5]).tolist()   # ηλ = 0.25, 1.25, 2.5
    [[(0.5+0j), (0.5+0j)], [0.5j, -0.5j], [(-1+0j), (-0.25+0j)]]

    (a double root at the creep edge :math:`(1 - \sqrt\beta)^2`, a complex pair of size
    :math:`\sqrt\beta`, and a root −1 at the limit :math:`2(1 + \beta)`.)

    References
    ----------
    Polyak, B. T. (1964). Some methods of speeding up the convergence of iteration methods.
    Nesterov, Y. (1983). A method for solving the convex programming problem with convergence
    rate O(1/k²). Taught in chapter 4 (ex-momentum-stability-regions).
    """
    method = _checks.choice("method", method, _METHODS)
    eta = _param("eta", eta, lo=0.0, lo_open=True)
    beta = _param("beta", beta, lo=0.0, hi=1.0, hi_open=True)
    lam = _eigenvalues(eigenvalues)
    eta, beta = np.broadcast_arrays(np.asarray(eta)[..., None], np.asarray(beta)[..., None])
    return _roots(*_step_polynomial(method, eta, beta, lam))


def nesterov_regimes(eta: float, beta: float, eigenvalues) -> list[str]:
    r"""How Nesterov's error moves along each eigenvector: creeps, swings, flips or diverges.

    The roots of :math:`z^2 - (1 + \beta)(1 - \eta\lambda) z + \beta(1 - \eta\lambda)` decide
    it, as for :func:`momentum_regimes`: both real and non-negative, the error **creeps** to 0
    without changing sign; complex, it **swings** through 0 inside an envelope shrinking by
    :math:`\sqrt{\beta(1 - \eta\lambda)}` per step; real with a negative one, it ends up
    **flipping** its sign at each step; with a root of size 1 or more it does not converge,
    labelled **diverges**.  With :math:`x = \eta\lambda` (a start from rest) that is

    .. math::
        \text{creeps for } x \le \Bigl(\frac{1 - \beta}{1 + \beta}\Bigr)^2, \quad
        \text{swings up to } x = 1, \quad
        \text{flips for } 1 < x < \frac{2(1 + \beta)}{1 + 2\beta}, \quad
        \text{diverges from there on.}

    At :math:`x = 1` exactly both roots are 0, yet for β > 0 the error is not a creep:
    :math:`e_1 = -\beta e_0` and then 0, one sign change; it is labelled **swings**, the end of
    that window (where its rate :math:`\sqrt{\beta(1 - x)}` reaches 0).  For β = 0 the method
    is gradient descent, which lands in one step there: **creeps**.  On the limit itself, a
    root −1, the error stays bounded without shrinking and is labelled **diverges**.

    Parameters
    ----------
    eta : float
        Learning rate η > 0.
    beta : float
        Momentum β in [0, 1).
    eigenvalues : array_like of shape (n,)
        The eigenvalues of the Hessian, all > 0.

    Returns
    -------
    list of str
        One of ``"creeps"``, ``"swings"``, ``"flips"``, ``"diverges"`` per eigenvalue.

    Examples
    --------
    >>> import descend as dd
    >>> dd.theory.nesterov_regimes(0.1, 0.5, [0.5, 5.0, 12.0, 15.0])   # ηλ = 0.05, 0.5, 1.2, 1.5
    ['creeps', 'swings', 'flips', 'diverges']
    >>> dd.theory.momentum_regimes(0.1, 0.5, [0.5, 5.0, 12.0, 15.0])   # heavy ball still swings
    ['creeps', 'swings', 'swings', 'swings']

    References
    ----------
    Nesterov, Y. (1983). A method for solving the convex programming problem with convergence
    rate O(1/k²). Taught in chapter 4 (ex-momentum-stability-regions).
    """
    for name, value in (("eta", eta), ("beta", beta)):
        if np.ndim(value) != 0:
            raise TypeError(f"{name} must be a real number (one setting), got shape {np.shape(value)}")
    eta = _checks.real("eta", eta, lo=0.0, lo_open=True)
    beta = _checks.real("beta", beta, lo=0.0, hi=1.0, hi_open=True)
    lam = _eigenvalues(eigenvalues)
    z = step_roots("nesterov", eta, beta, lam)
    at_one = (1.0 - eta * lam == 0.0) & (beta > 0)    # both roots 0, one sign change
    kinds = np.where(np.abs(z[:, 0]) >= 1.0, "diverges",
                     np.where((z.imag != 0).any(axis=1) | at_one, "swings",
                              np.where(z.real.min(axis=1) >= 0, "creeps", "flips")))
    return kinds.tolist()


__all__ += ["first_order_lower_bound", "best_polynomial_error", "momentum_components", "momentum_regimes",
            "step_roots", "nesterov_regimes"]


class CurvatureDiagnostic(NamedTuple):
    """Goodfellow's ill-conditioning diagnostic along a run, one value per iterate."""

    grad_sq: np.ndarray  #: :math:`\lVert g_t\rVert^2`
    gHg: np.ndarray      #: :math:`g_t^\top H_t g_t`
    ratio: np.ndarray    #: :math:`\eta\, g_t^\top H_t g_t / (2\lVert g_t\rVert^2)`


def curvature_diagnostic(trace, problem, eta: float) -> CurvatureDiagnostic:
    r"""How much of a gradient step's first-order gain its curvature term takes back.

    The second-order model of one gradient step :math:`\theta - \eta g` is

    .. math:: L(\theta - \eta g) \approx L(\theta) - \eta\lVert g\rVert^2
              + \tfrac12\eta^2\, g^\top H g
              = L(\theta) - \eta\lVert g\rVert^2 (1 - r),
              \qquad r = \frac{\eta\, g^\top H g}{2\lVert g\rVert^2},

    so the model predicts a decrease while r < 1 and none once r reaches 1, however large
    :math:`\lVert g\rVert` is. Goodfellow, Bengio & Courville (2016, §8.2.1) propose tracking
    :math:`\lVert g\rVert^2` and :math:`g^\top H g` during training to recognise this
    ill-conditioning: learning slows down although the gradient stays large.

    Parameters
    ----------
    trace : Trace or (n + 1, d) array_like
        The iterates :math:`\theta_0, \dots, \theta_n`.
    problem : Problem
        The loss; it must have a Hessian (``problem.hess``).
    eta : float
        The step size, > 0.

    Returns
    -------
    CurvatureDiagnostic
        ``grad_sq``, ``gHg`` and ``ratio`` at every iterate (``ratio`` is nan where g = 0,
        and all three are inf or nan where the gradient or Hessian overflows).

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> bowl = dd.problems.quadratic(np.diag([1.0, 9.0]))
    >>> d = dd.theory.curvature_diagnostic(np.array([[0.0, 1.0]]), bowl, eta=0.1)
    >>> float(d.grad_sq[0]), float(d.gHg[0]), round(float(d.ratio[0]), 12)   # g = (0, 9): r = ηλ/2
    (81.0, 729.0, 0.45)
    """
    xs = _iterates(trace)
    eta = _checks.real("eta", eta, lo=0.0, lo_open=True)
    if getattr(problem, "hess", None) is None:
        raise ValueError("problem must have a Hessian (problem.hess) for the curvature g^T H g")
    if problem.dim is not None and xs.shape[1] != problem.dim:
        raise ValueError(f"trace must hold iterates of the problem's dimension {problem.dim}, "
                         f"got shape {xs.shape} (pass one point as a (1, d) array)")
    g = np.array([np.asarray(problem.grad(x), dtype=np.float64) for x in xs])
    H = np.array([np.asarray(problem.hess(x), dtype=np.float64) for x in xs])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        grad_sq = np.einsum("ti,ti->t", g, g)
        gHg = np.einsum("ti,tij,tj->t", g, H, g)
        ratio = np.where(grad_sq > 0, eta * gHg / (2.0 * grad_sq), np.nan)
    return CurvatureDiagnostic(grad_sq, gHg, ratio)


__all__ += ["CurvatureDiagnostic", "curvature_diagnostic"]
