"""Convergence theory on quadratics (descend.theory) against measured rates, and rate_map."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import descend as dd  # noqa: E402
from descend import theory  # noqa: E402

KAPPA = 25.0
VALLEY = dd.ill_conditioned(kappa=KAPPA, angle=0.4)
LAMBDAS = np.linalg.eigvalsh(VALLEY.hess(np.zeros(2)))
X0 = [2.0, -1.0]


def test_gd_rate_by_hand():
    # |1 − 0.1·1| = 0.9, |1 − 0.5·3| = 0.5 (and |1 − 0.5| = 0.5), |1 − 1·3| = 2
    np.testing.assert_allclose(theory.gd_rate([0.1, 0.5, 1.0], [1.0, 3.0]), [0.9, 0.5, 2.0])
    assert isinstance(theory.gd_rate(0.1, [1.0]), float)


def test_optima_by_hand():
    # κ = 9: GD η = 2/10, ρ = 8/10; heavy ball η = 4/(1 + 3)², β = (2/4)², ρ = 2/4
    assert theory.gd_optimum(1.0, 9.0) == pytest.approx((0.2, 0.0, 0.8))
    assert theory.heavy_ball_optimum(1.0, 9.0) == pytest.approx((0.25, 0.25, 0.5))


def test_momentum_with_beta_zero_is_gd():
    etas = np.linspace(0.01, 0.1, 7)
    np.testing.assert_allclose(theory.momentum_rate(etas, 0.0, LAMBDAS), theory.gd_rate(etas, LAMBDAS),
                               atol=1e-12)
    np.testing.assert_allclose(theory.nesterov_rate(etas, 0.0, LAMBDAS), theory.gd_rate(etas, LAMBDAS),
                               atol=1e-12)


def test_momentum_rate_is_the_companion_spectral_radius():
    rng = np.random.default_rng(0)
    for eta, beta in zip(rng.uniform(0.001, 0.1, 20), rng.uniform(0, 0.99, 20)):
        companions = [[[1 + beta - eta * lam, -beta], [1.0, 0.0]] for lam in LAMBDAS]
        radii = [np.abs(np.linalg.eigvals(m)).max() for m in companions]
        assert theory.momentum_rate(eta, beta, LAMBDAS) == pytest.approx(max(radii), rel=1e-10)


def test_heavy_ball_optimum_is_the_minimum_of_the_theory():
    opt = theory.heavy_ball_optimum(LAMBDAS[0], LAMBDAS[-1])
    assert theory.momentum_rate(opt.eta, opt.beta, LAMBDAS) == pytest.approx(opt.rate, rel=1e-6)
    eta, beta = np.meshgrid(np.linspace(0.01, 0.2, 300), np.linspace(0.0, 0.95, 300))
    assert theory.momentum_rate(eta, beta, LAMBDAS).min() >= opt.rate - 1e-3
    assert opt.rate == pytest.approx((np.sqrt(KAPPA) - 1) / (np.sqrt(KAPPA) + 1))


def test_gd_theory_matches_measured_rates():
    res = dd.sweep(dd.gd, VALLEY, X0, steps=300, eta=np.linspace(0.005, 0.075, 40))
    measured, predicted = res.rate(), theory.gd_rate(res.grid["eta"], LAMBDAS)
    ok = predicted < 0.99
    np.testing.assert_allclose(measured[ok], predicted[ok], atol=5e-3)
    opt = theory.gd_optimum(LAMBDAS[0], LAMBDAS[-1])
    best = res.grid["eta"][np.argmin(measured)]
    assert best == pytest.approx(opt.eta, abs=0.003) and measured.min() == pytest.approx(opt.rate, abs=5e-3)


@pytest.mark.parametrize("factory, rate", [(dd.momentum, theory.momentum_rate),
                                           (dd.nesterov, theory.nesterov_rate)])
def test_momentum_and_nesterov_theory_match_measured_rates(factory, rate):
    res = dd.sweep(factory, VALLEY, X0, steps=400, eta=np.linspace(0.004, 0.15, 30),
                   beta=np.linspace(0.0, 0.95, 30))
    measured = res.rate()
    predicted = rate(*np.meshgrid(res.grid["eta"], res.grid["beta"], indexing="ij"), LAMBDAS)
    ok = predicted < 0.97
    assert np.abs(measured[ok] - predicted[ok]).max() < 0.03
    # where the theory says "no convergence" the runs do not converge either (up to the edge)
    clear = np.abs(predicted - 1.0) > 0.02
    assert np.all((measured[clear] >= 1.0) == (predicted[clear] >= 1.0))


def test_measured_heavy_ball_optimum():
    opt = theory.heavy_ball_optimum(LAMBDAS[0], LAMBDAS[-1])
    res = dd.sweep(dd.momentum, VALLEY, X0, steps=300, eta=[opt.eta], beta=[opt.beta])
    assert res.rate()[0, 0] == pytest.approx(opt.rate, abs=0.01)


def test_bad_input():
    with pytest.raises(ValueError, match="eigenvalues"):
        theory.gd_rate(0.1, [1.0, -1.0])
    with pytest.raises(ValueError, match="beta"):
        theory.momentum_rate(0.1, 1.0, [1.0])
    with pytest.raises(ValueError, match="eta"):
        theory.nesterov_rate([0.1, -0.1], 0.5, [1.0])
    with pytest.raises(TypeError, match="eta"):
        theory.gd_rate("fast", [1.0])
    with pytest.raises(ValueError, match="lambda_max"):
        theory.heavy_ball_optimum(2.0, 1.0)


def test_rate_map_draws_and_checks():
    res = dd.sweep(dd.momentum, VALLEY, X0, steps=100, eta=np.linspace(0.01, 0.15, 12),
                   beta=np.linspace(0.0, 0.9, 10))
    ax = dd.plot.rate_map(res)
    assert ax.get_xlabel() == "learning rate η" and ax.get_ylabel() == "momentum β"
    assert len(ax.figure.axes) == 2  # the map and its colour bar
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="two hyperparameters"):
        dd.plot.rate_map(dd.sweep(dd.gd, VALLEY, X0, steps=10, eta=[0.01, 0.02]))
    with pytest.raises(ValueError, match="grid shape"):
        dd.plot.rate_map(res, rates=np.zeros((3, 3)))
    with pytest.raises(TypeError, match="Sweep"):
        dd.plot.rate_map("not a sweep")
