r"""Mini-batch gradients as random variables, and what a batch costs in time.

For a loss that averages over N examples, :math:`L = \frac1N\sum_i \ell_i`, the gradient
over a mini-batch :math:`\mathcal B` of B examples,
:math:`g_{\mathcal B} = \frac1B \sum_{i\in\mathcal B} \nabla\ell_i`, is a random estimate of
:math:`\nabla L`.  :func:`batch_gradients` draws many of them, so that their mean and spread
can be measured; :func:`time_batch_grad` measures how long one costs.  :func:`sgd_moments`
follows the exact mean and second moment of the error of SGD on least squares, and
:func:`sgd_noise_floor` and :func:`additive_noise_floor` the level at which a constant
learning rate leaves it.  Taught in chapter 5.
"""

from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np

from . import _checks
from .problems import Problem

__all__ = ["batch_gradients", "time_batch_grad", "SGDMoments", "sgd_moments", "sgd_noise_floor",
           "additive_noise_floor"]


def _stochastic_problem(problem) -> Problem:
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a descend.Problem, got {type(problem).__name__}")
    if problem.batch_grad is None:
        raise ValueError(f"problem must be a loss averaged over examples (with batch_grad); "
                         f"{problem.name!r} has none")
    return problem


def batch_gradients(problem: Problem, x, batch_size: int, draws: int = 1000, *, replace: bool = True,
                    seed: int = 0) -> np.ndarray:
    r"""Draw ``draws`` independent mini-batch gradients of ``problem`` at ``x``.

    Each draw picks B = ``batch_size`` indices uniformly at random and returns
    :math:`g_{\mathcal B} = \frac1B \sum_{i \in \mathcal B} \nabla \ell_i(x)` from
    ``problem.batch_grad``.  Either way of sampling gives an unbiased estimate,
    :math:`\mathbb E[g_{\mathcal B}] = \nabla L(x)`.  With per-example gradients of covariance
    :math:`\Sigma = \frac1N \sum_i (\nabla\ell_i - \nabla L)(\nabla\ell_i - \nabla L)^\top`,

    .. math::
        \operatorname{Cov}[g_{\mathcal B}] = \frac{\Sigma}{B} \ \text{(with replacement)},
        \qquad
        \operatorname{Cov}[g_{\mathcal B}] = \frac{\Sigma}{B}\,\frac{N - B}{N - 1}
        \ \text{(without)}.

    Parameters
    ----------
    problem : Problem
        A loss averaged over examples, such as :func:`descend.least_squares`.
    x : array_like of shape (problem.dim,)
        The point where the gradients are taken.
    batch_size : int
        B, from 1 to N (any B ≥ 1 with replacement).
    draws : int
        Number of mini-batches, ≥ 1.
    replace : bool
        True: the B indices are independent draws (an example may appear twice), the
        textbook model behind :math:`\sigma/\sqrt B`.  False: B distinct examples, as within
        an epoch of :func:`descend.run`.
    seed : int
        Seed of the random generator.

    Returns
    -------
    (draws, d) array
        One mini-batch gradient per row.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> X = np.column_stack([np.arange(4.0), np.ones(4)])
    >>> p = dd.least_squares(X, [0.0, 1.0, 1.0, 3.0])
    >>> g = dd.batch_gradients(p, [0.0, 0.0], batch_size=4, draws=3, replace=False)
    >>> np.allclose(g, p.grad(np.zeros(2)))      # B = N without replacement: the full gradient
    True

    Notes
    -----
    Taught in chapter 5, which measures the mean and the standard error of these draws.
    """
    problem = _stochastic_problem(problem)
    x = _checks.vector("x", x, dim=problem.dim)
    batch_size = _checks.count("batch_size", batch_size, minimum=1)
    draws = _checks.count("draws", draws, minimum=1)
    if not isinstance(replace, bool):
        raise TypeError(f"replace must be True or False, got {replace!r}")
    n = problem.n_examples
    if not replace and batch_size > n:
        raise ValueError(f"batch_size must be at most the number of examples, {n}, "
                         f"when sampling without replacement; got {batch_size}")
    rng = np.random.default_rng(_checks.count("seed", seed))
    out = np.empty((draws, problem.dim))
    for k in range(draws):
        if replace:
            idx = rng.integers(0, n, size=batch_size)
        else:
            idx = rng.choice(n, size=batch_size, replace=False)
        out[k] = problem.batch_grad(x, idx)
    return out


def time_batch_grad(problem: Problem, x, batch_sizes, *, repeats: int = 7, min_time: float = 2e-3,
                    seed: int = 0) -> np.ndarray:
    r"""Measure the wall-clock time of one mini-batch gradient for each batch size.

    For each B, ``problem.batch_grad(x, idx)`` is called on a fixed random batch of B
    examples, enough times in a row that one repeat lasts at least ``min_time`` seconds
    (:func:`time.perf_counter`).  Each repeat times every batch size in turn, and the
    result is the median over ``repeats`` repeats of the time per call, which shrugs off
    the odd slow repeat on a busy machine.

    Parameters
    ----------
    problem : Problem
        A loss averaged over examples.
    x : array_like of shape (problem.dim,)
        The point where the gradients are taken.
    batch_sizes : sequence of int
        The batch sizes to time, each from 1 to N.
    repeats : int
        Number of repeats, ≥ 1.
    min_time : float
        Shortest duration of one repeat, in seconds (> 0).
    seed : int
        Seed of the random batches.

    Returns
    -------
    array of float
        Seconds per call, one per batch size.  Divide by the batch sizes for the time per
        example.  Timings vary between runs and machines: compare them with each other,
        never with fixed numbers.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> X, y = dd.data.regression(n=512, d=20)
    >>> seconds = dd.time_batch_grad(dd.least_squares(X, y), np.zeros(21), [1, 512], repeats=3)
    >>> bool(seconds[1] / 512 < seconds[0])     # per example, the big batch is cheaper
    True

    Notes
    -----
    Taught in chapter 5: why mini-batches use vector hardware well.
    """
    problem = _stochastic_problem(problem)
    x = _checks.vector("x", x, dim=problem.dim)
    sizes = [_checks.count("batch_sizes", b, minimum=1) for b in np.atleast_1d(batch_sizes).tolist()]
    if not sizes or max(sizes) > problem.n_examples:
        raise ValueError(f"batch_sizes must be a non-empty list of sizes from 1 to {problem.n_examples}, "
                         f"got {batch_sizes!r}")
    repeats = _checks.count("repeats", repeats, minimum=1)
    min_time = _checks.positive("min_time", min_time)
    rng = np.random.default_rng(_checks.count("seed", seed))
    batches = [rng.choice(problem.n_examples, size=b, replace=False) for b in sizes]

    def clock(idx, number):
        start = time.perf_counter()
        for _ in range(number):
            problem.batch_grad(x, idx)
        return (time.perf_counter() - start) / number

    numbers = []
    for idx in batches:  # how many calls in a row fill min_time
        number = 1
        while clock(idx, number) * number < min_time:
            number *= 2
        numbers.append(number)
    # the repeats go round all batch sizes in turn, so a busy spell of the machine
    # touches every size alike instead of spoiling one
    per_call = [[clock(idx, number) for idx, number in zip(batches, numbers)] for _ in range(repeats)]
    return np.median(np.array(per_call), axis=0)


class SGDMoments(NamedTuple):
    """The exact moments of the error of SGD on least squares, one row per iterate (see :func:`sgd_moments`)."""

    mean: np.ndarray    #: (T + 1, d): the mean error E[θ_t − θ*]
    second: np.ndarray  #: (T + 1, d, d): the second moment E[(θ_t − θ*)(θ_t − θ*)ᵀ]
    excess: np.ndarray  #: (T + 1,): the expected excess loss E[L(θ_t)] − L* = ½ tr(H · second)


def _second_moment_maps(X, r, H, C, c):
    r"""The pieces of the second-moment recursion of :func:`sgd_moments`, on flattened matrices.

    With :math:`s = \operatorname{vec} S`: :math:`s_{t+1} = (\text{one} - \eta\,\text{linear}
    + \eta^2\,\text{quadratic})\, s_t + \eta^2 (\text{drive}\; m_t + \text{source})`.
    """
    N, d = X.shape
    eye = np.eye(d)
    fourth = np.einsum("ia,ib,ic,id->abcd", X, X, X, X).reshape(d * d, d * d) / N   # F(S)
    third = np.einsum("i,ia,ib,ic->abc", r, X, X, X).reshape(d * d, d) / N          # K(m)
    HH = np.kron(H, H)
    one = np.eye(d * d)
    linear = np.kron(H, eye) + np.kron(eye, H)          # (I − ηH) S (I − ηH) = S − η(HS + SH) + η² HSH
    quadratic = HH + c * (fourth - HH)
    return one, linear, quadratic, 2 * c * third, c * C.ravel()


def _least_squares_sgd(X, y, batch_size, replace):
    """Checked data, H, θ*, and the second-moment maps of SGD on least squares (for the two functions below)."""
    X = _checks.matrix("X", X)
    N, d = X.shape
    if N < 2:
        raise ValueError(f"X must have at least 2 rows (examples), got {N}")
    y = _checks.vector("y", y, dim=N)
    batch_size = _checks.count("batch_size", batch_size, minimum=1)
    if not isinstance(replace, bool):
        raise TypeError(f"replace must be True or False, got {replace!r}")
    if not replace and batch_size > N:
        raise ValueError(f"batch_size must be at most the number of examples, {N}, without replacement; "
                         f"got {batch_size}")
    H = X.T @ X / N
    x_star = np.linalg.lstsq(X, y, rcond=None)[0]
    r = X @ x_star - y
    C = (X.T * r**2) @ X / N
    c = (1.0 if replace else (N - batch_size) / (N - 1)) / batch_size
    return (X, H, x_star) + _second_moment_maps(X, r, H, C, c)


def sgd_moments(X, y, x0, etas, batch_size: int, *, replace: bool = True) -> SGDMoments:
    r"""The exact mean and second moment of the error of mini-batch SGD on least squares, step by step.

    For :math:`L(\theta) = \frac{1}{2N}\lVert X\theta - y\rVert^2` with Hessian
    :math:`H = \frac1N X^\top X` and minimizer :math:`\theta^\star`, SGD takes
    :math:`\theta_{t+1} = \theta_t - \eta_t g_t`, where :math:`g_t` is the gradient of a batch
    of B examples drawn afresh at every step, independently of the past.  The per-example
    gradient is affine in the error :math:`e = \theta - \theta^\star`,
    :math:`\nabla\ell_i(\theta) = x_i x_i^\top e + r_i x_i` with :math:`r_i = x_i^\top\theta^\star - y_i`,
    so the mean :math:`m_t = \mathbb E[e_t]` and the second moment
    :math:`S_t = \mathbb E[e_t e_t^\top]` obey a closed, linear recursion:

    .. math::
        m_{t+1} = (I - \eta_t H)\, m_t, \qquad
        S_{t+1} = (I - \eta_t H)\, S_t\, (I - \eta_t H)
                  + \frac{\eta_t^2 c}{B} \bigl(F(S_t) + 2K(m_t) + C - H S_t H\bigr),

    with :math:`F(S) = \frac1N\sum_i (x_i^\top S x_i)\, x_i x_i^\top`,
    :math:`K(m) = \frac1N\sum_i r_i\, (x_i^\top m)\, x_i x_i^\top`,
    :math:`C = \frac1N\sum_i r_i^2\, x_i x_i^\top`, and :math:`c = 1` for a batch drawn with
    replacement, :math:`c = (N - B)/(N - 1)` for B distinct examples.  The bracket is B times
    the expected covariance of the batch gradient given :math:`e_t`.  No sampling is involved:
    the moments are exact, up to rounding.

    Parameters
    ----------
    X : (N, d) array_like
        Design matrix, one example per row (as for :func:`descend.least_squares`).
    y : (N,) array_like
        Targets.
    x0 : array_like of shape (d,)
        The start :math:`\theta_0` (a fixed point, so :math:`S_0 = m_0 m_0^\top`).
    etas : (T,) array_like
        The learning rates :math:`\eta_0, \dots, \eta_{T-1}`, each ≥ 0.
    batch_size : int
        B ≥ 1 (at most N when ``replace`` is False).
    replace : bool
        True: the B indices of a batch are independent uniform draws.  False: each batch is a
        uniformly random set of B distinct examples (still independent from step to step).

    Returns
    -------
    SGDMoments
        ``mean`` (T + 1, d), ``second`` (T + 1, d, d) and ``excess`` (T + 1,).

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> X = np.column_stack([np.arange(4.0), np.ones(4)])
    >>> y = np.array([0.0, 1.0, 1.0, 3.0])
    >>> mom = dd.stochastic.sgd_moments(X, y, [1.0, 0.0], [0.1] * 3, batch_size=4, replace=False)
    >>> p = dd.least_squares(X, y)             # B = N distinct examples: plain gradient descent
    >>> trace = dd.run(dd.gd(eta=0.1), p, [1.0, 0.0], steps=3)
    >>> np.allclose(mom.mean, trace.xs - p.x_star) and np.allclose(mom.excess, trace.fs - p.f_star)
    True

    Notes
    -----
    :func:`descend.run` shuffles the data once per epoch instead: within an epoch its batches
    are not independent, and these moments describe it only approximately.  Taught in
    chapter 5 (the noise floor at a constant η, and the Robbins–Monro conditions).
    """
    X, H, x_star, one, linear, quadratic, drive, source = _least_squares_sgd(X, y, batch_size, replace)
    d = X.shape[1]
    x0 = _checks.vector("x0", x0, dim=d)
    etas = np.asarray(etas, dtype=np.float64).ravel() if np.ndim(etas) else np.array([etas], dtype=np.float64)
    if etas.size and not (np.all(np.isfinite(etas)) and np.all(etas >= 0)):
        raise ValueError("etas must be finite learning rates ≥ 0")
    m = x0 - x_star
    s = np.outer(m, m).ravel()                 # S, flattened: the recursion is linear in it
    means, seconds = np.empty((etas.size + 1, d)), np.empty((etas.size + 1, d * d))
    means[0], seconds[0] = m, s
    for t, eta in enumerate(etas):
        step = one - eta * linear + eta**2 * quadratic
        s = step @ s + eta**2 * (drive @ m + source)
        m = m - eta * (H @ m)
        means[t + 1], seconds[t + 1] = m, s
    seconds = seconds.reshape(-1, d, d)
    seconds = 0.5 * (seconds + seconds.transpose(0, 2, 1))     # symmetric up to rounding
    excess = 0.5 * np.einsum("ab,tba->t", H, seconds)
    return SGDMoments(means, seconds, excess)


def sgd_noise_floor(X, y, eta: float, batch_size: int, *, replace: bool = True) -> float:
    r"""The exact excess loss at which SGD with a constant η settles on least squares, for independent batches.

    The limit of ``sgd_moments(X, y, x0, [eta] * T, batch_size).excess`` as T → ∞, from any
    start: the fixed point of the recursion of :func:`sgd_moments` with :math:`m = 0`,

    .. math::
        S = (I - \eta H)\, S\, (I - \eta H) + \frac{\eta^2 c}{B}\bigl(F(S) + C - H S H\bigr),
        \qquad \lim_{t\to\infty} \mathbb E[L(\theta_t)] - L^\star = \tfrac12 \operatorname{tr}(H S),

    found by one linear solve.  It exceeds the additive-noise floor of
    :func:`additive_noise_floor` by the part of the noise that grows with the distance from
    :math:`\theta^\star`.

    Parameters
    ----------
    X, y, batch_size, replace
        As for :func:`sgd_moments`.
    eta : float
        The constant learning rate, > 0.

    Returns
    -------
    float
        The stationary :math:`\mathbb E[L(\theta_t)] - L^\star`.

    Raises
    ------
    ValueError
        If η is too large for the second moment to settle (the recursion is unstable).

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> X, y = dd.data.regression(n=200, seed=1)
    >>> floor = dd.stochastic.sgd_noise_floor(X, y, eta=0.05, batch_size=4)
    >>> p = dd.least_squares(X, y)
    >>> run = dd.stochastic.sgd_moments(X, y, p.x_star, [0.05] * 3000, batch_size=4)
    >>> bool(np.isclose(run.excess[-1], floor, rtol=1e-9))
    True

    Notes
    -----
    Taught in chapter 5.
    """
    eta = _checks.positive("eta", eta)
    X, H, _, one, linear, quadratic, _, source = _least_squares_sgd(X, y, batch_size, replace)
    d = X.shape[1]
    step = one - eta * linear + eta**2 * quadratic
    radius = max(float(np.max(np.abs(np.linalg.eigvals(step)))),
                 float(np.max(np.abs(1 - eta * np.linalg.eigvalsh(H)))))
    if radius >= 1:
        raise ValueError(f"eta={eta:g} is too large: the second moment of the error grows "
                         f"(spectral radius {radius:.4g} ≥ 1), so there is no floor")
    S = np.linalg.solve(linear - eta * quadratic, eta * source).reshape(d, d)
    return float(0.5 * np.trace(H @ S))


def additive_noise_floor(H, C, eta: float, batch_size: int = 1, *, beta: float = 0.0,
                         nesterov: bool = False) -> float:
    r"""The stationary excess loss of SGD, momentum or Nesterov on a quadratic with additive noise.

    The model: :math:`L(\theta) = L^\star + \tfrac12 e^\top H e` with :math:`e = \theta - \theta^\star`,
    and every gradient is :math:`H e_t + \xi_t`, where the :math:`\xi_t` are independent of each
    other and of the past, with mean zero and covariance :math:`C/B`.  With the velocity
    :math:`u_t = \beta u_{t-1} + \eta g_t` of :func:`descend.momentum` and :func:`descend.nesterov`
    (β = 0 is plain SGD), the state :math:`z_t = (e_t, u_{t-1})` obeys
    :math:`z_{t+1} = A z_t + b\,\xi_t` with

    .. math::
        A = \begin{bmatrix} I - \eta H & -\beta I \\ \eta H & \beta I \end{bmatrix},\ 
        b = \begin{bmatrix} -\eta I \\ \eta I \end{bmatrix}
        \ \text{(momentum)}, \qquad
        A = \begin{bmatrix} I - \eta(1 + \beta) H & -\beta^2 I \\ \eta H & \beta I \end{bmatrix},\ 
        b = \begin{bmatrix} -\eta(1 + \beta) I \\ \eta I \end{bmatrix}
        \ \text{(Nesterov)}.

    When the spectral radius of A is below 1, the second moment of :math:`z_t` converges to the
    solution P of :math:`P = A P A^\top + b\,(C/B)\,b^\top`, whatever the start, and the excess
    loss to :math:`\tfrac12\operatorname{tr}(H P_{ee})`.  For plain SGD this is
    :math:`\frac{\eta}{4B}\sum_j \frac{q_j^\top C q_j}{1 - \eta\lambda_j/2}` (:math:`\lambda_j, q_j`
    the eigenpairs of H), about :math:`\eta\operatorname{tr}C/(4B)` for small η.

    Parameters
    ----------
    H : (d, d) array_like
        The Hessian, symmetric.
    C : (d, d) array_like
        The covariance of one example's gradient noise (symmetric, positive semi-definite).
    eta : float
        The constant learning rate, > 0.
    batch_size : int
        B ≥ 1: the noise covariance is C/B.
    beta : float
        Momentum β in [0, 1); 0 is plain SGD.
    nesterov : bool
        True for :func:`descend.nesterov` (whose iterates are the look-ahead points).

    Returns
    -------
    float
        The limit of :math:`\mathbb E[L(\theta_t)] - L^\star`.

    Raises
    ------
    ValueError
        If the iteration is unstable (spectral radius of A ≥ 1): there is no floor.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> H, C = np.diag([1.0, 4.0]), np.diag([2.0, 1.0])
    >>> floor = dd.stochastic.additive_noise_floor(H, C, eta=0.1, batch_size=2)
    >>> closed = 0.1 / (4 * 2) * (2.0 / (1 - 0.1 * 1 / 2) + 1.0 / (1 - 0.1 * 4 / 2))
    >>> bool(np.isclose(floor, closed, rtol=1e-12))
    True

    Notes
    -----
    Real mini-batch noise also grows with the distance from :math:`\theta^\star` (see
    :func:`sgd_moments`); this model keeps only its value at the minimum.  Taught in chapter 5.
    """
    H = _checks.matrix("H", H, symmetric=True)
    d = H.shape[0]
    C = _checks.matrix("C", C, symmetric=True)
    if C.shape != H.shape:
        raise ValueError(f"C must have the shape of H, {H.shape}; got {C.shape}")
    eta = _checks.positive("eta", eta)
    batch_size = _checks.count("batch_size", batch_size, minimum=1)
    beta = _checks.unit_interval("beta", beta)
    if not isinstance(nesterov, bool):
        raise TypeError(f"nesterov must be True or False, got {nesterov!r}")
    eye, zero = np.eye(d), np.zeros((d, d))
    lead = 1 + beta if nesterov else 1.0
    A = np.block([[eye - eta * lead * H, -(beta**2 if nesterov else beta) * eye], [eta * H, beta * eye]])
    b = np.vstack([-eta * lead * eye, eta * eye])
    radius = float(np.max(np.abs(np.linalg.eigvals(A))))
    if radius >= 1:
        raise ValueError(f"the iteration is unstable for eta={eta:g}, beta={beta:g} (spectral radius "
                         f"{radius:.4g} ≥ 1): its error grows and there is no noise floor")
    n = 2 * d
    Q = b @ (C / batch_size) @ b.T
    P = np.linalg.solve(np.eye(n * n) - np.kron(A, A), Q.ravel()).reshape(n, n)
    return float(0.5 * np.trace(H @ P[:d, :d]))


def mean_and_se(samples, axis: int = -1) -> tuple[np.ndarray, np.ndarray]:
    r"""The mean of independent samples and its standard error.

    For samples :math:`x_1, \dots, x_n` along ``axis``,

    .. math::
        \bar x = \frac1n \sum_{k=1}^n x_k, \qquad
        \mathrm{SE} = \frac{s}{\sqrt n}, \qquad
        s^2 = \frac{1}{n - 1} \sum_{k=1}^n (x_k - \bar x)^2 .

    If the samples are independent draws of one random variable, :math:`\bar x` estimates its
    expected value and SE is the standard deviation of that estimate; a simulated mean that
    lies many standard errors from a predicted expected value contradicts the prediction.

    Parameters
    ----------
    samples : array_like
        Real numbers, with at least two along ``axis``.
    axis : int
        The axis that runs over the independent samples (default: the last, so that in an
        array of shape (T, n) holding n simulated runs of T steps each row gives one step).

    Returns
    -------
    mean, se : ndarray (or float for 1-D samples)
        :math:`\bar x` and SE, with ``axis`` removed.

    Examples
    --------
    >>> from descend import stochastic
    >>> stochastic.mean_and_se([1.0, 2.0, 3.0, 6.0])      # s = √(14/3)
    (3.0, 1.0801234497346435)

    Notes
    -----
    Taught in chapter 5; chapter 8 checks its theorems by comparing simulated means with
    them, in standard errors.
    """
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim == 0:
        raise ValueError("samples must be an array with at least two samples along axis")
    n = x.shape[axis]
    if n < 2:
        raise ValueError(f"samples must hold at least two samples along axis {axis}, got {n}")
    mean = x.mean(axis=axis)
    se = x.std(axis=axis, ddof=1) / np.sqrt(n)
    return (float(mean), float(se)) if x.ndim == 1 else (mean, se)


__all__ += ["mean_and_se"]


def run_by_epoch(opt, problem: Problem, x0, steps: int, *, batch_size: int, seed: int = 0):
    r"""Run :func:`descend.run` with mini-batches and record the examples of every step, epoch by epoch.

    The run is exactly ``run(opt, problem, x0, steps, batch_size=batch_size, seed=seed)``;
    the problem's ``batch_grad`` is only watched.  The batches are then grouped into
    epochs: an epoch closes when the examples used since the last one add up to N.  For
    the shuffled epochs of :func:`descend.run` an epoch has :math:`\lceil N/B \rceil`
    batches, the last one of :math:`N - (\lceil N/B \rceil - 1)B` examples, and together
    they hold every example once.

    Parameters
    ----------
    opt : Optimizer
    problem : Problem
        A loss averaged over examples (with ``batch_grad``).
    x0 : array_like of shape (problem.dim,)
    steps : int
        Number of steps, ≥ 0.
    batch_size : int
        B, from 1 to N.
    seed : int
        The seed of the run's shuffles.

    Returns
    -------
    trace : Trace
        What :func:`descend.run` returns.
    epochs : list of list of int arrays
        ``epochs[k][s]`` holds the indices of the examples of step s of epoch k; the last
        epoch may be unfinished.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> X, y = dd.data.regression(n=10)
    >>> trace, epochs = dd.stochastic.run_by_epoch(dd.gd(eta=0.1), dd.least_squares(X, y),
    ...                                            [0.0, 0.0], steps=6, batch_size=4)
    >>> [[len(b) for b in epoch] for epoch in epochs]     # ⌈10/4⌉ = 3 steps, the last of 2
    [[4, 4, 2], [4, 4, 2]]
    >>> sorted(np.concatenate(epochs[0]).tolist()) == list(range(10))
    True

    Notes
    -----
    Taught in chapter 5, which counts the steps of an epoch in actual runs.
    """
    from dataclasses import replace

    from .run import run

    problem = _stochastic_problem(problem)
    used = []

    def watched(x, idx):
        used.append(np.array(idx, dtype=int, copy=True))
        return problem.batch_grad(x, idx)

    trace = run(opt, replace(problem, batch_grad=watched), x0, steps, batch_size=batch_size, seed=seed)
    n, epochs, seen = problem.n_examples, [[]], 0
    for idx in used[: trace.steps]:    # a step that overflowed drew a batch but kept no iterate
        epochs[-1].append(idx)
        seen += len(idx)
        if seen % n == 0:
            epochs.append([])
    if not epochs[-1]:
        epochs.pop()
    return trace, epochs


def skewness(samples, axis: int = -1):
    r"""The skewness of samples: their third central moment over the cube of their standard deviation.

    .. math::
        \gamma_1 = \frac{\frac1n\sum_k (x_k - \bar x)^3}{s^3}, \qquad
        s^2 = \frac1n \sum_k (x_k - \bar x)^2 .

    Zero for a symmetric distribution; positive when the long tail is on the right.  For the
    mean of B independent draws of one random variable it is :math:`\gamma_1/\sqrt B`, so it
    measures how fast the mean approaches the normal shape of the central limit theorem.
    Computed with the moments of the samples themselves (no small-sample correction), so the
    value over a whole population of N per-example gradients is exact.

    Parameters
    ----------
    samples : array_like
        Real numbers, not all equal along ``axis``.
    axis : int
        The axis that runs over the samples (default: the last).

    Returns
    -------
    float or ndarray
        :math:`\gamma_1`, with ``axis`` removed.

    Examples
    --------
    >>> from descend import stochastic
    >>> round(stochastic.skewness([0.0, 0.0, 0.0, 4.0]), 12)    # a long tail to the right: 2/√3
    1.154700538379
    >>> float(stochastic.skewness([-1.0, 0.0, 1.0]))
    0.0

    Notes
    -----
    Taught in chapter 5, where the mini-batch gradient grows more normal as B grows.
    """
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim == 0 or x.shape[axis] < 2:
        raise ValueError("samples must hold at least two numbers along axis")
    centred = x - x.mean(axis=axis, keepdims=True)
    sd = np.sqrt(np.mean(centred**2, axis=axis))
    if np.any(sd == 0):
        raise ValueError("samples must not all be equal: their skewness is undefined")
    gamma = np.mean(centred**3, axis=axis) / sd**3
    return float(gamma) if x.ndim == 1 else gamma


def bootstrap_se(statistic, samples, *, resamples: int = 200, seed: int = 0) -> float:
    r"""The standard error of a statistic of independent samples, estimated by resampling them.

    Draws ``resamples`` sets of n samples with replacement from the n given ones (the rows,
    for a 2-D array), computes ``statistic`` on each, and returns the standard deviation
    (``ddof=1``) of those values: the bootstrap estimate of the standard error of
    ``statistic(samples)``, for statistics with no simple formula, such as a skewness.

    Parameters
    ----------
    statistic : callable
        Takes an array like ``samples`` and returns a number.
    samples : array_like
        At least two samples, along the first axis.
    resamples : int
        Number of resampled sets, ≥ 2.
    seed : int
        Seed of the resampling.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> from descend import stochastic
    >>> x = np.random.default_rng(1).normal(size=400)
    >>> se = stochastic.bootstrap_se(np.mean, x, resamples=2000)
    >>> bool(abs(se / (x.std() / 20) - 1) < 0.1)          # the mean's SE is s/√n
    True

    References
    ----------
    B. Efron and R. J. Tibshirani, *An Introduction to the Bootstrap*, Chapman & Hall, 1993,
    chapter 6.

    Notes
    -----
    Used in chapter 5 for the standard error of a sample skewness.
    """
    _checks.callable_("statistic", statistic)
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim == 0 or len(x) < 2:
        raise ValueError("samples must hold at least two samples along the first axis")
    resamples = _checks.count("resamples", resamples, minimum=2)
    rng = np.random.default_rng(_checks.count("seed", seed))
    n = len(x)
    values = [float(statistic(x[rng.integers(0, n, n)])) for _ in range(resamples)]
    return float(np.std(values, ddof=1))


def batch_gradient_se(problem: Problem, x, batch_size: int, draws: int = 2000, *, replace: bool = True,
                      seed: int = 0) -> tuple[float, float]:
    r"""The measured standard error of the mini-batch gradient at ``x``, and the standard error of that measurement.

    Draws ``draws`` mini-batch gradients :math:`g_1, \dots, g_n` with :func:`batch_gradients`
    and returns

    .. math::
        \widehat{\mathrm{SE}} = \sqrt{\overline{q}}, \quad q_k = \lVert g_k - \nabla L(x)\rVert^2,
        \qquad
        \mathrm{SE}\bigl(\widehat{\mathrm{SE}}\bigr) \approx \frac{\mathrm{SE}(\overline q)}{2\sqrt{\overline q}}
        = \frac{s_q}{2\,\widehat{\mathrm{SE}}\sqrt n},

    where :math:`\mathrm{SE}(\overline q) = s_q/\sqrt n` is the standard error of the mean of
    the :math:`q_k` (:func:`mean_and_se`) and the factor :math:`1/(2\sqrt{\overline q})` is the
    derivative of the square root (the delta method).  Compare :math:`\widehat{\mathrm{SE}}`
    with :math:`\sigma/\sqrt B` (with replacement) or
    :math:`\sigma/\sqrt B\cdot\sqrt{(N - B)/(N - 1)}` (without), in units of the second value.

    Parameters
    ----------
    problem : Problem
        A loss averaged over examples.
    x : array_like of shape (problem.dim,)
    batch_size : int
        B.
    draws : int
        Number of mini-batch gradients, ≥ 2.
    replace : bool
        As in :func:`batch_gradients`.
    seed : int
        Seed of the draws.

    Returns
    -------
    se, se_of_se : float
        Both 0 if every draw equals the full gradient (B = N without replacement).

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> X, y = dd.data.regression(n=200)
    >>> p = dd.least_squares(X, y)
    >>> se, se_se = dd.stochastic.batch_gradient_se(p, [0.0, 0.0], 20, replace=False)
    >>> bool(0 < se_se < 0.1 * se)
    True
    >>> dd.stochastic.batch_gradient_se(p, [0.0, 0.0], 200, draws=5, replace=False)[0] < 1e-12
    True

    Notes
    -----
    Taught in chapter 5, which measures :math:`\sigma/\sqrt B` for B from 1 to 1000.
    """
    problem = _stochastic_problem(problem)
    x = _checks.vector("x", x, dim=problem.dim)
    draws = _checks.count("draws", draws, minimum=2)
    g = batch_gradients(problem, x, batch_size, draws, replace=replace, seed=seed)
    q = np.sum((g - np.asarray(problem.grad(x), dtype=np.float64)) ** 2, axis=1)
    mean_q, se_q = mean_and_se(q)
    if mean_q == 0:
        return 0.0, 0.0
    se = float(np.sqrt(mean_q))
    return se, float(se_q / (2 * se))


__all__ += ["run_by_epoch", "skewness", "bootstrap_se", "batch_gradient_se"]


# ------------------------------------------------------------------ chapter 5: SGD's rate, validation, redundancy

def _bound_common(t, mu, lam_max, M, a0):
    t = np.asarray(t, dtype=np.float64)
    if t.size == 0 or not np.all(np.isfinite(t)) or np.any(t < 0):
        raise ValueError(f"t must hold step numbers ≥ 0, got {t!r}")
    mu = _checks.positive("mu", mu)
    lam_max = _checks.positive("lam_max", lam_max)
    if mu > lam_max:
        raise ValueError(f"mu must be at most lam_max (the smallest curvature cannot exceed the largest); "
                         f"got mu={mu:g} > lam_max={lam_max:g}")
    M = _checks.real("M", M, lo=0.0)
    a0 = _checks.real("a0", a0, lo=0.0)
    return t, mu, lam_max, M, a0


def _scalar_or_array(values, t):
    return float(values) if np.ndim(t) == 0 else values


def constant_step_bound(t, eta: float, *, mu: float, lam_max: float, M: float, a0: float):
    r"""The bound on :math:`\mathbb E\lVert\theta_t - \theta^\star\rVert^2` of SGD with a constant step.

    For a :math:`\mu`-strongly convex, :math:`\lambda_{\max}`-smooth loss and stochastic gradients
    that are unbiased given the past, with noise of mean square at most :math:`M`, SGD with a
    constant :math:`0 < \eta \le 1/\lambda_{\max}` satisfies, for every t ≥ 0,

    .. math::
        a_t = \mathbb E\lVert\theta_t - \theta^\star\rVert^2
        \le (1 - \eta\mu)^t a_0 + \bigl(1 - (1 - \eta\mu)^t\bigr)\frac{\eta M}{\mu}
        \le (1 - \eta\mu)^t a_0 + \frac{\eta M}{\mu} ,

    from the one-step inequality :math:`a_{t+1} \le (1 - \eta\mu)\,a_t + \eta^2 M` unrolled.
    This function returns the first (tighter) form.

    Parameters
    ----------
    t : int or array_like
        Step numbers, ≥ 0.
    eta : float
        The constant learning rate, in :math:`(0, 1/\lambda_{\max}]`.
    mu, lam_max : float
        The strong-convexity and smoothness constants, :math:`0 < \mu \le \lambda_{\max}` (on a
        quadratic, the smallest and largest eigenvalues of its Hessian).
    M : float
        The bound on the noise's conditional mean square, :math:`\mathbb E[\lVert g_t - \nabla
        L(\theta_t)\rVert^2 \mid \text{past}] \le M`, ≥ 0.
    a0 : float
        :math:`\mathbb E\lVert\theta_0 - \theta^\star\rVert^2`, ≥ 0.

    Returns
    -------
    float or ndarray
        The bound at each t.

    Raises
    ------
    ValueError
        If η exceeds :math:`1/\lambda_{\max}` (the proof needs it) or any constant is out of range.

    Examples
    --------
    >>> from descend import stochastic
    >>> stochastic.constant_step_bound([0, 1], 0.1, mu=1.0, lam_max=2.0, M=4.0, a0=1.0)
    array([1.  , 0.94])

    References
    ----------
    L. Bottou, F. E. Curtis and J. Nocedal, "Optimization methods for large-scale machine
    learning", SIAM Review 60(2), 2018, theorem 4.6 (the same floor, for the loss).

    Notes
    -----
    Taught in chapter 5 (the theorem on SGD's rate, part 1).
    """
    t, mu, lam_max, M, a0 = _bound_common(t, mu, lam_max, M, a0)
    eta = _checks.positive("eta", eta)
    if eta * lam_max > 1:
        raise ValueError(f"eta must be at most 1/lam_max = {1 / lam_max:.6g} for the bound to hold; "
                         f"got {eta:g}")
    kept = (1 - eta * mu) ** t
    return _scalar_or_array(kept * a0 + (1 - kept) * eta * M / mu, t)


def decaying_step_bound(t, c: float, t0: float, *, mu: float, lam_max: float, M: float, a0: float):
    r"""The :math:`O(1/t)` bound on :math:`\mathbb E\lVert\theta_t - \theta^\star\rVert^2` of SGD with :math:`c/(t + t_0)`.

    For a :math:`\mu`-strongly convex, :math:`\lambda_{\max}`-smooth loss and stochastic gradients
    that are unbiased given the past, with noise of mean square at most :math:`M`, the steps
    :math:`\eta_t = c/(t + t_0)` with :math:`c\mu > 1` and :math:`t_0 \ge c\lambda_{\max}` give,
    for every t ≥ 0,

    .. math::
        \mathbb E\lVert\theta_t - \theta^\star\rVert^2 \le \frac{\nu}{t + t_0}, \qquad
        \nu = \max\Bigl(\frac{c^2 M}{c\mu - 1},\ t_0\, a_0\Bigr),

    by induction on t from :math:`a_{t+1} \le (1 - \eta_t\mu)\,a_t + \eta_t^2 M`.  The schedule is
    :func:`descend.time_decay` with ``eta`` :math:`= c/t_0` and ``k`` :math:`= 1/t_0`.

    Parameters
    ----------
    t : int or array_like
        Step numbers, ≥ 0.
    c : float
        The schedule's numerator, with :math:`c\mu > 1`.
    t0 : float
        Its offset, :math:`t_0 \ge c\lambda_{\max}` (so that :math:`\eta_0 \le 1/\lambda_{\max}`).
    mu, lam_max, M, a0 : float
        As for :func:`constant_step_bound`.

    Returns
    -------
    float or ndarray
        :math:`\nu/(t + t_0)` at each t.

    Raises
    ------
    ValueError
        If :math:`c\mu \le 1`, :math:`t_0 < c\lambda_{\max}`, or a constant is out of range.

    Examples
    --------
    >>> from descend import stochastic
    >>> stochastic.decaying_step_bound([0, 10], c=2.0, t0=4.0, mu=1.0, lam_max=2.0, M=1.0, a0=1.0)
    array([1.        , 0.28571429])

    References
    ----------
    L. Bottou, F. E. Curtis and J. Nocedal, "Optimization methods for large-scale machine
    learning", SIAM Review 60(2), 2018, theorem 4.7 (the same induction, for the loss);
    A. Nemirovski, A. Juditsky, G. Lan and A. Shapiro, "Robust stochastic approximation approach
    to stochastic programming", SIAM J. Optim. 19(4), 2009, section 2.1 (for the distance).

    Notes
    -----
    Taught in chapter 5 (the theorem on SGD's rate, part 2).
    """
    t, mu, lam_max, M, a0 = _bound_common(t, mu, lam_max, M, a0)
    c = _checks.positive("c", c)
    t0 = _checks.positive("t0", t0)
    if c * mu <= 1:
        raise ValueError(f"c must exceed 1/mu = {1 / mu:.6g} (c·mu > 1) for the O(1/t) bound; got c={c:g}")
    if t0 < c * lam_max:
        raise ValueError(f"t0 must be at least c·lam_max = {c * lam_max:.6g}, so that the first step "
                         f"c/t0 is at most 1/lam_max; got t0={t0:g}")
    nu = max(c**2 * M / (c * mu - 1), t0 * a0)
    return _scalar_or_array(nu / (t + t0), t)


def additive_noise_moments(H, C, e0, etas, batch_size: int = 1) -> SGDMoments:
    r"""The exact moments of the error of SGD on a quadratic with additive noise, step by step.

    The model of :func:`additive_noise_floor`: :math:`L(\theta) = L^\star + \tfrac12 e^\top H e`,
    and every gradient is :math:`H e_t + \xi_t`, where the :math:`\xi_t` are independent of each
    other and of the past, with mean zero and covariance :math:`C/B`.  Then
    :math:`e_{t+1} = (I - \eta_t H) e_t - \eta_t \xi_t`, and the mean and second moment obey

    .. math::
        m_{t+1} = (I - \eta_t H)\, m_t, \qquad
        S_{t+1} = (I - \eta_t H)\, S_t\, (I - \eta_t H) + \frac{\eta_t^2}{B}\, C ,

    so :math:`\mathbb E\lVert e_t\rVert^2 = \operatorname{tr} S_t` and
    :math:`\mathbb E[L(\theta_t)] - L^\star = \tfrac12\operatorname{tr}(H S_t)`.

    Parameters
    ----------
    H : (d, d) array_like
        The Hessian, symmetric.
    C : (d, d) array_like
        The covariance of one example's gradient noise (symmetric).
    e0 : array_like of shape (d,)
        The start's error :math:`\theta_0 - \theta^\star` (a fixed point: :math:`S_0 = e_0 e_0^\top`).
    etas : (T,) array_like
        The learning rates :math:`\eta_0, \dots, \eta_{T-1}`, each ≥ 0.
    batch_size : int
        B ≥ 1: the noise covariance is C/B.

    Returns
    -------
    SGDMoments
        ``mean`` (T + 1, d), ``second`` (T + 1, d, d) and ``excess`` (T + 1,), as for
        :func:`sgd_moments`.

    Examples
    --------
    >>> import numpy as np
    >>> from descend import stochastic
    >>> H, C = np.diag([1.0, 4.0]), np.diag([2.0, 1.0])
    >>> m = stochastic.additive_noise_moments(H, C, [0.0, 0.0], np.full(5000, 0.1), batch_size=2)
    >>> bool(np.isclose(m.excess[-1], stochastic.additive_noise_floor(H, C, 0.1, 2), rtol=1e-10))
    True

    Notes
    -----
    Taught in chapter 5, where it gives the exact expectations that the simulations of the
    theorem on SGD's rate scatter around.
    """
    H = _checks.matrix("H", H, symmetric=True)
    d = H.shape[0]
    C = _checks.matrix("C", C, symmetric=True)
    if C.shape != H.shape:
        raise ValueError(f"C must have the shape of H, {H.shape}; got {C.shape}")
    e0 = _checks.vector("e0", e0, dim=d)
    etas = _learning_rates(etas)
    batch_size = _checks.count("batch_size", batch_size, minimum=1)
    means, seconds = np.empty((etas.size + 1, d)), np.empty((etas.size + 1, d, d))
    m, S = e0.copy(), np.outer(e0, e0)
    means[0], seconds[0] = m, S
    eye = np.eye(d)
    for t, eta in enumerate(etas):
        A = eye - eta * H
        S = A @ S @ A + eta**2 / batch_size * C
        m = A @ m
        means[t + 1], seconds[t + 1] = m, S
    seconds = 0.5 * (seconds + seconds.transpose(0, 2, 1))
    return SGDMoments(means, seconds, 0.5 * np.einsum("ab,tba->t", H, seconds))


def _learning_rates(etas) -> np.ndarray:
    etas = np.asarray(etas, dtype=np.float64).ravel() if np.ndim(etas) else np.array([etas], dtype=np.float64)
    if etas.size and not (np.all(np.isfinite(etas)) and np.all(etas >= 0)):
        raise ValueError("etas must be finite learning rates ≥ 0")
    return etas


def sgd_errors(X, y, x0, etas, batch_size: int = 1, *, runs: int = 100, at=None, additive: bool = False,
               seed: int = 0) -> np.ndarray:
    r"""Simulate many independent runs of mini-batch SGD on least squares at once, and return their errors.

    For :math:`L(\theta) = \frac{1}{2N}\lVert X\theta - y\rVert^2` with minimizer :math:`\theta^\star`
    and residuals :math:`r_i = x_i^\top\theta^\star - y_i` there, each run takes
    :math:`\theta_{t+1} = \theta_t - \eta_t g_t` with a batch :math:`\mathcal B_t` of B indices drawn
    uniformly with replacement, afresh at every step (the model of :func:`sgd_moments`):

    .. math::
        g_t = \frac1B \sum_{i\in\mathcal B_t} x_i\,(x_i^\top e_t + r_i)
        \quad\text{(the batch gradient)}, \qquad
        g_t = H e_t + \frac1B \sum_{i\in\mathcal B_t} r_i\, x_i
        \quad\text{(``additive=True``)},

    with :math:`e_t = \theta_t - \theta^\star` and :math:`H = \frac1N X^\top X`.  The second is the
    additive-noise model of :func:`additive_noise_floor`: the batch's gradient at
    :math:`\theta^\star` is added to the exact gradient, so the noise has mean zero and covariance
    :math:`C/B` whatever :math:`\theta_t`, with :math:`C = \frac1N\sum_i r_i^2 x_i x_i^\top`.  All runs
    advance together, vectorized over the runs.

    Parameters
    ----------
    X : (N, d) array_like
        Design matrix, one example per row.
    y : (N,) array_like
        Targets.
    x0 : array_like of shape (d,)
        The common start :math:`\theta_0`.
    etas : (T,) array_like
        The learning rates :math:`\eta_0, \dots, \eta_{T-1}`, each ≥ 0.
    batch_size : int
        B ≥ 1.
    runs : int
        Number of independent runs, ≥ 1.
    at : array_like of int, optional
        The steps t (from 0 to T) whose errors to keep; all of them by default.
    additive : bool
        False: the true batch gradient, whose noise grows with the distance from
        :math:`\theta^\star`.  True: the additive-noise model.
    seed : int
        Seed of the draws.

    Returns
    -------
    (len(at), runs, d) array
        The errors :math:`\theta_t - \theta^\star` of every run at the kept steps.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> X = np.column_stack([np.arange(4.0), np.ones(4)])
    >>> y = X @ np.array([1.0, -1.0])                # no noise: every r_i is 0
    >>> e = dd.stochastic.sgd_errors(X, y, [0.0, 0.0], [0.1] * 3, runs=5, additive=True)
    >>> trace = dd.run(dd.gd(eta=0.1), dd.least_squares(X, y), [0.0, 0.0], steps=3)
    >>> np.allclose(e, (trace.xs - [1.0, -1.0])[:, None, :])    # gradient descent, in every run
    True

    Notes
    -----
    :func:`descend.run` is the book's loop for one run; this simulator exists so that a chapter
    can average hundreds of runs in a fraction of a second.  Taught in chapter 5, which checks
    the theorem on SGD's rate against it.
    """
    X = _checks.matrix("X", X)
    N, d = X.shape
    y = _checks.vector("y", y, dim=N)
    x0 = _checks.vector("x0", x0, dim=d)
    etas = _learning_rates(etas)
    batch_size = _checks.count("batch_size", batch_size, minimum=1)
    runs = _checks.count("runs", runs, minimum=1)
    if not isinstance(additive, bool):
        raise TypeError(f"additive must be True or False, got {additive!r}")
    T = etas.size
    if at is None:
        keep = np.arange(T + 1)
    else:
        keep = np.asarray(at)
        if (keep.ndim != 1 or keep.size == 0 or keep.dtype.kind not in "iu"
                or keep.min() < 0 or keep.max() > T):
            raise ValueError(f"at must be a non-empty 1-D array of integer steps from 0 to {T}, got {at!r}")
    rng = np.random.default_rng(_checks.count("seed", seed))
    x_star = np.linalg.lstsq(X, y, rcond=None)[0]
    r = X @ x_star - y
    H = X.T @ X / N
    slot = {int(t): k for k, t in enumerate(np.unique(keep))}
    kept = np.empty((len(slot), runs, d))
    e = np.tile(x0 - x_star, (runs, 1))
    if 0 in slot:
        kept[slot[0]] = e
    with np.errstate(over="ignore", invalid="ignore"):
        for t, eta in enumerate(etas):
            idx = rng.integers(0, N, size=(runs, batch_size))
            Xb, rb = X[idx], r[idx]
            if additive:
                g = e @ H + np.einsum("rb,rbd->rd", rb, Xb) / batch_size
            else:
                g = np.einsum("rb,rbd->rd", np.einsum("rbd,rd->rb", Xb, e) + rb, Xb) / batch_size
            e = e - eta * g
            if t + 1 in slot:
                kept[slot[t + 1]] = e
    return kept[[slot[int(t)] for t in keep]]


def train_validation_split(X, y, validation: float = 0.2, *, seed: int = 0):
    r"""Split a data set at random into a training part and a validation part.

    A random permutation (from ``seed``) picks :math:`n_v = \operatorname{round}(\text{validation}\cdot N)`
    examples for validation; the other :math:`N - n_v` are for training.  Both parts keep the
    original order of their rows.  The model is fitted on the training part only; the loss on the
    validation part estimates how it does on examples it has not seen.

    Parameters
    ----------
    X : (N, d) array_like
        One example per row.
    y : (N,) array_like
        Targets.
    validation : float
        The share of the examples kept for validation, in (0, 1); both parts must be non-empty.
    seed : int
        Seed of the permutation.

    Returns
    -------
    (X_train, y_train), (X_validation, y_validation) : tuples of arrays

    Examples
    --------
    >>> import numpy as np
    >>> from descend import stochastic
    >>> X, y = np.arange(20.0).reshape(10, 2), np.arange(10.0)
    >>> (Xt, yt), (Xv, yv) = stochastic.train_validation_split(X, y, 0.3, seed=1)
    >>> len(yt), len(yv), sorted(np.r_[yt, yv].tolist()) == y.tolist()
    (7, 3, True)

    Notes
    -----
    Taught in chapter 5, where the validation loss decides when to halve η
    (:func:`validation_decay`).
    """
    X = _checks.matrix("X", X)
    N = X.shape[0]
    y = _checks.vector("y", y, dim=N)
    validation = _checks.real("validation", validation, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    n_val = int(round(validation * N))
    if not 1 <= n_val <= N - 1:
        raise ValueError(f"validation={validation:g} of {N} examples leaves {n_val} for validation and "
                         f"{N - n_val} for training; both parts must be non-empty")
    order = np.random.default_rng(_checks.count("seed", seed)).permutation(N)
    val, train = np.sort(order[:n_val]), np.sort(order[n_val:])
    return (X[train], y[train]), (X[val], y[val])


class ValidationRun(NamedTuple):
    """A run of SGD whose learning rate is halved when the validation loss rises (see :func:`validation_decay`)."""

    x: np.ndarray           #: (d,): the parameters after the last epoch
    etas: np.ndarray        #: (epochs,): the learning rate used in each epoch
    train: np.ndarray       #: (epochs + 1,): the training loss at the start and after each epoch
    validation: np.ndarray  #: (epochs + 1,): the validation loss at the start and after each epoch


def validation_decay(train: Problem, validation: Problem, x0, eta: float, epochs: int, *, batch_size: int = 1,
                     factor: float = 0.5, seed: int = 0) -> ValidationRun:
    r"""SGD that multiplies η by ``factor`` after every epoch at whose end the validation loss has risen.

    Each epoch is one call of :func:`descend.run` with :func:`descend.gd` at the current η on the
    training loss, ``batch_size`` examples per step, :math:`\lceil N/B\rceil` steps (one shuffled
    pass).  After epoch k, with :math:`V_k` the validation loss at its end (:math:`V_0` at the start),

    .. math::
        \eta \leftarrow \begin{cases} \text{factor}\cdot\eta & \text{if } V_k > V_{k-1}, \\
        \eta & \text{otherwise.} \end{cases}

    With ``factor=0.5`` this is the rule of the CS7015 notes, "halve the learning rate after an
    epoch if the validation error is more than what it was at the end of the previous epoch".
    With ``factor=1`` η stays constant: the same run without the rule, with the same shuffles
    (each epoch's shuffle seed is drawn from ``seed``), so the two can be compared seed by seed.

    Parameters
    ----------
    train, validation : Problem
        The training loss (averaged over examples, with ``batch_grad``) and the validation loss,
        for example ``dd.least_squares`` of the two parts of :func:`train_validation_split`.
    x0 : array_like of shape (train.dim,)
        The start.
    eta : float
        The first learning rate, > 0.
    epochs : int
        Number of epochs, ≥ 1.
    batch_size : int
        B, from 1 to the number of training examples.
    factor : float
        In (0, 1]; 0.5 halves.
    seed : int
        Seed of the shuffles.

    Returns
    -------
    ValidationRun
        The end point, the η of each epoch, and both losses after each epoch.

    Raises
    ------
    ValueError
        On bad input, or if an epoch diverges (η too large).

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> X, y = dd.data.regression(n=200)
    >>> train, val = dd.stochastic.train_validation_split(X, y, 0.25)
    >>> out = dd.stochastic.validation_decay(dd.least_squares(*train), dd.least_squares(*val),
    ...                                      [0.0, 0.0], eta=0.1, epochs=8, batch_size=5)
    >>> out.etas.shape, out.validation.shape
    ((8,), (9,))
    >>> bool(np.all(np.diff(out.etas) <= 0))         # η only ever falls
    True

    Notes
    -----
    Taught in chapter 5.  The halvings make :math:`\sum_t\eta_t` finite if they go on for ever,
    so, like a step schedule, the rule can stop short; training runs for a fixed budget instead.
    """
    from .optim import gd
    from .run import run

    train = _stochastic_problem(train)
    if not isinstance(validation, Problem):
        raise TypeError(f"validation must be a descend.Problem, got {type(validation).__name__}")
    if validation.dim != train.dim:
        raise ValueError(f"validation must have the dimension of train, {train.dim}; got {validation.dim}")
    x = _checks.vector("x0", x0, dim=train.dim)
    eta = _checks.positive("eta", eta)
    epochs = _checks.count("epochs", epochs, minimum=1)
    batch_size = _checks.count("batch_size", batch_size, minimum=1)
    if batch_size > train.n_examples:
        raise ValueError(f"batch_size must be at most the number of training examples, {train.n_examples}; "
                         f"got {batch_size}")
    factor = _checks.real("factor", factor, lo=0.0, hi=1.0, lo_open=True)
    seeds = np.random.default_rng(_checks.count("seed", seed)).integers(0, 2**31, size=epochs)
    steps = -(-train.n_examples // batch_size)
    etas, train_losses, val_losses = [], [float(train.f(x))], [float(validation.f(x))]
    for k in range(epochs):
        trace = run(gd(eta=eta), train, x, steps, batch_size=batch_size, seed=int(seeds[k]))
        if trace.diverged:
            raise ValueError(f"epoch {k} diverged at eta={eta:g}: choose a smaller eta")
        x = trace.x
        etas.append(eta)
        train_losses.append(float(train.f(x)))
        val_losses.append(float(validation.f(x)))
        if val_losses[-1] > val_losses[-2]:
            eta *= factor
    return ValidationRun(x, np.array(etas), np.array(train_losses), np.array(val_losses))


def gradient_noise_ratio(problem: Problem, x) -> float:
    r"""How far one example's gradient is from the full gradient, relative to its size.

    .. math::
        r(\theta) = \frac{\sigma^2(\theta)}{\lVert\nabla L(\theta)\rVert^2}, \qquad
        \sigma^2(\theta) = \frac1N \sum_{i=1}^N \lVert\nabla\ell_i(\theta) - \nabla L(\theta)\rVert^2 .

    A drawn example's gradient misses :math:`\nabla L` by :math:`\sqrt r` times its length in root
    mean square: with :math:`r \ll 1` the per-example gradients nearly agree with the full one
    (they are aligned), and a single example is almost as good as the whole data set.  At a
    minimizer where some :math:`\nabla\ell_i \ne 0`, r is infinite.

    Parameters
    ----------
    problem : Problem
        A loss averaged over examples (with ``batch_grad``).
    x : array_like of shape (problem.dim,)
        The point θ.

    Returns
    -------
    float
        r, or ``inf`` where :math:`\nabla L = 0` and :math:`\sigma^2 > 0` (``nan`` if both vanish).

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> X = np.column_stack([[1.0, 2.0, 3.0], np.ones(3)])
    >>> p = dd.least_squares(np.vstack([X, X]), np.r_[[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])
    >>> q = dd.least_squares(X, [1.0, 2.0, 3.0])
    >>> bool(np.isclose(dd.stochastic.gradient_noise_ratio(p, [0.0, 0.0]),
    ...                 dd.stochastic.gradient_noise_ratio(q, [0.0, 0.0])))    # copies change nothing
    True

    Notes
    -----
    Taught in chapter 5: when SGD beats batch gradient descent.
    """
    problem = _stochastic_problem(problem)
    x = _checks.vector("x", x, dim=problem.dim)
    per_example = np.array([problem.batch_grad(x, [i]) for i in range(problem.n_examples)])
    full = per_example.mean(axis=0)
    sigma2 = float(np.mean(np.sum((per_example - full) ** 2, axis=1)))
    size = float(full @ full)
    if size == 0:
        return float("nan") if sigma2 == 0 else float("inf")
    return sigma2 / size


def expected_step_loss(problem: Problem, x, eta: float, batch_size: int = 1) -> float:
    r"""The exact expected loss after one SGD step, :math:`\mathbb E[L(\theta - \eta g)]`, by enumeration.

    The batch holds B indices drawn uniformly and independently (with replacement), so each of the
    :math:`N^B` ordered tuples has probability :math:`N^{-B}`, and

    .. math::
        \mathbb E\bigl[L(\theta - \eta g)\bigr] = \frac{1}{N^B}
        \sum_{(i_1, \dots, i_B)} L\Bigl(\theta - \frac{\eta}{B}\sum_{b=1}^B \nabla\ell_{i_b}(\theta)\Bigr) .

    No sampling: an independent check of bounds on one stochastic step.

    Parameters
    ----------
    problem : Problem
        A loss averaged over examples (with ``batch_grad``).
    x : array_like of shape (problem.dim,)
        The point θ.
    eta : float
        The learning rate, ≥ 0.
    batch_size : int
        B ≥ 1, with :math:`N^B \le 10^6`.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> p = dd.least_squares(np.column_stack([[1.0, 2.0], np.ones(2)]), [0.0, 1.0])
    >>> step = dd.stochastic.expected_step_loss(p, [0.0, 0.0], 0.1)
    >>> by_hand = np.mean([p.f(-0.1 * p.batch_grad(np.zeros(2), [i])) for i in (0, 1)])
    >>> bool(np.isclose(step, by_hand))
    True

    Notes
    -----
    Taught in chapter 5: one SGD step in expectation.
    """
    from itertools import product

    problem = _stochastic_problem(problem)
    x = _checks.vector("x", x, dim=problem.dim)
    eta = _checks.real("eta", eta, lo=0.0)
    batch_size = _checks.count("batch_size", batch_size, minimum=1)
    n = problem.n_examples
    if n**batch_size > 10**6:
        raise ValueError(f"batch_size={batch_size} gives {n}^{batch_size} batches to enumerate (more than 10^6); "
                         "use a smaller batch or fewer examples")
    per_example = np.array([problem.batch_grad(x, [i]) for i in range(n)])
    total = 0.0
    for tup in product(range(n), repeat=batch_size):
        total += float(problem.f(x - eta * per_example[list(tup)].mean(axis=0)))
    return total / n**batch_size


__all__ += ["constant_step_bound", "decaying_step_bound", "additive_noise_moments", "sgd_errors",
            "train_validation_split", "ValidationRun", "validation_decay", "gradient_noise_ratio",
            "expected_step_loss"]
