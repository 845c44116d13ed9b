r"""Mini-batch gradients as random variables, and what a batch costs in time.

For a loss that averages over N examples, :math:`L = \frac1N\sum_i \ell_i`, the gradient
over a mini-batch :math:`\mathcal B` of B examples,
:math:`g_{\mathcal B} = \frac1B \sum_{i\in\mathcal B} \nabla\ell_i`, is a random estimate of
:math:`\nabla L`.  :func:`batch_gradients` draws many of them, so that their mean and spread
can be measured; :func:`time_batch_grad` measures how long one costs.  Taught in chapter 5.
"""

from __future__ import annotations

import time

import numpy as np

from . import _checks
from .problems import Problem

__all__ = ["batch_gradients", "time_batch_grad"]


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
