"""The first-order lower bound on quadratics and the per-direction picture of heavy ball (chapter 4)."""

import numpy as np
import pytest

import descend as dd
from descend import theory


def rho(kappa):
    return (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)


@pytest.mark.parametrize("lo, hi, t", [(1.0, 50.0, 1), (1.0, 50.0, 7), (0.3, 2.0, 12), (2.0, 2e4, 30)])
def test_hard_quadratic_spans_the_interval_and_the_bound_has_its_closed_form(lo, hi, t):
    lam, bound = theory.first_order_lower_bound(lo, hi, t)
    assert lam.shape == (t + 1,) and np.isclose(lam[0], lo) and np.isclose(lam[-1], hi)
    assert np.all(np.diff(lam) > 0)
    r = rho(hi / lo)
    assert bound == pytest.approx(2 * r**t / ((1 + r ** (2 * t)) * np.sqrt(t + 1)), rel=1e-12)
    assert bound >= r**t / np.sqrt(t + 1)


@pytest.mark.parametrize("t", [1, 2, 3, 5, 10, 20, 30])
def test_no_polynomial_beats_the_bound_on_the_hard_quadratic(t):
    lam, bound = theory.first_order_lower_bound(1.0, 100.0, t)
    best = theory.best_polynomial_error(lam, np.ones(t + 1), t)
    assert bound <= best <= 1.0


@pytest.mark.parametrize("t", [1, 2, 3])
def test_best_polynomial_error_matches_monomial_least_squares_and_a_grid(t):
    rng = np.random.default_rng(t)
    lam, e0 = rng.uniform(1, 10, size=6), rng.normal(size=6)
    powers = lam[:, None] ** np.arange(1, t + 1)          # p(λ) = 1 + Σ c_k λ^k, another basis
    c, *_ = np.linalg.lstsq(powers * e0[:, None], -e0, rcond=None)
    direct = np.linalg.norm(e0 + (powers * e0[:, None]) @ c) / np.linalg.norm(e0)
    assert theory.best_polynomial_error(lam, e0, t) == pytest.approx(direct, rel=1e-8)
    if t == 1:                                             # and no c on a fine grid does better
        grid = np.linspace(-2, 2, 400_001)
        on_grid = np.linalg.norm((1 + np.outer(grid, lam)) * e0, axis=1).min() / np.linalg.norm(e0)
        assert theory.best_polynomial_error(lam, e0, 1) <= on_grid + 1e-12


def test_best_polynomial_error_is_zero_once_the_degree_reaches_the_number_of_eigenvalues():
    lam = np.array([1.0, 3.0, 7.0])
    assert theory.best_polynomial_error(lam, [1.0, -2.0, 0.5], 3) < 1e-10
    assert theory.best_polynomial_error(lam, [1.0, -2.0, 0.5], 2) > 1e-3
    assert theory.best_polynomial_error(lam, [1.0, -2.0, 0.5], 0) == 1.0


def test_best_polynomial_error_never_grows_with_the_degree():
    lam, _ = theory.first_order_lower_bound(1.0, 50.0, 25)
    errors = [theory.best_polynomial_error(lam, np.ones(26), t) for t in range(26)]
    assert np.all(np.diff(errors) <= 1e-12)


@pytest.mark.parametrize("opt", [dd.gd(eta=0.03), dd.momentum(eta=0.05, beta=0.6),
                                 dd.nesterov(eta=0.02, beta=0.8)])
def test_methods_of_the_book_never_beat_the_best_polynomial(opt):
    lam, _ = theory.first_order_lower_bound(1.0, 50.0, 12)
    e0 = np.random.default_rng(4).normal(size=13)
    run = dd.run(opt, dd.quadratic(np.diag(lam)), x0=e0, steps=12)
    for t in range(13):
        reached = np.linalg.norm(run.xs[t]) / np.linalg.norm(e0)
        assert reached >= theory.best_polynomial_error(lam, e0, t) * (1 - 1e-9)


@pytest.mark.parametrize("eta, beta", [(0.01, 0.0), (0.05, 0.6), (0.03, 0.9), (0.07, 0.3)])
def test_components_are_the_errors_of_dd_momentum_along_the_eigenvectors(eta, beta):
    lam = np.array([1.0, 5.0, 20.0, 50.0])
    run = dd.run(dd.momentum(eta=eta, beta=beta), dd.quadratic(np.diag(lam)), x0=np.ones(4), steps=40)
    np.testing.assert_allclose(theory.momentum_components(eta, beta, lam, 40), run.xs, rtol=1e-10, atol=1e-12)


def test_a_diverging_setting_grows_without_warnings():
    with np.errstate(all="raise"):
        comps = theory.momentum_components(0.1, 0.0, [50.0], 2000)   # factor −4 per step
    assert np.all(np.isinf(comps[-100:, 0])) and not np.isnan(comps).any()
    assert np.all(np.isfinite(comps[:400, 0]))


def test_regimes_follow_the_roots():
    assert theory.momentum_regimes(0.03, 0.0, [1.0, 50.0, 100.0]) == ["creeps", "flips", "diverges"]
    assert theory.momentum_regimes(0.05, 0.6, [5.0, 20.0, 50.0]) == ["swings"] * 3
    assert theory.momentum_regimes(0.07, 0.3, [50.0]) == ["diverges"]
    assert theory.momentum_regimes(0.07, 0.9, [50.0]) == ["swings"]
    assert theory.momentum_regimes(0.02, 0.0, [50.0]) == ["creeps"]     # ηλ = 1: solved at once


@pytest.mark.parametrize("seed", range(5))
def test_regimes_predict_the_sign_pattern(seed):
    rng = np.random.default_rng(seed)
    lam = rng.uniform(0.5, 60.0, size=20)
    eta, beta = rng.uniform(0.005, 0.08), rng.uniform(0.0, 0.95)
    comps = theory.momentum_components(eta, beta, lam, 300)
    for k, kind in enumerate(theory.momentum_regimes(eta, beta, lam)):
        c = comps[:, k]
        if kind == "creeps":
            assert np.all(c >= 0)
        elif kind == "diverges":
            assert not abs(c[-1]) < 1e-3
        else:
            assert abs(c[-1]) < 1.0 and np.any(c < 0)


@pytest.mark.parametrize("call, match", [
    (lambda: theory.first_order_lower_bound(0.0, 1.0, 3), "lambda_min"),
    (lambda: theory.first_order_lower_bound(2.0, 1.0, 3), "lambda_max"),
    (lambda: theory.first_order_lower_bound(1.0, 2.0, 0), "t must be"),
    (lambda: theory.first_order_lower_bound(1.0, 2.0, 2.5), "t must be"),
    (lambda: theory.best_polynomial_error([1.0, -1.0], [1.0, 1.0], 1), "eigenvalues"),
    (lambda: theory.best_polynomial_error([1.0, 2.0], [0.0, 0.0], 1), "e0"),
    (lambda: theory.best_polynomial_error([1.0, 2.0], [1.0], 1), "e0"),
    (lambda: theory.best_polynomial_error([1.0, 2.0], [1.0, 1.0], -1), "t must be"),
    (lambda: theory.momentum_components(0.0, 0.5, [1.0], 5), "eta"),
    (lambda: theory.momentum_components(0.1, 1.0, [1.0], 5), "beta"),
    (lambda: theory.momentum_components(0.1, 0.5, [1.0], 0), "steps"),
    (lambda: theory.momentum_regimes(0.1, -0.1, [1.0]), "beta"),
])
def test_bad_input_gets_a_clear_error(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
