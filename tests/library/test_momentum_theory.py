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


# ------------------------------------------- step roots and Nesterov's regimes (ex-momentum-stability-regions)

BETAS = np.concatenate([np.arange(100) / 100, np.geomspace(1e-4, 0.5, 20), 1 - np.geomspace(1e-4, 0.5, 20)])
X_GRID = (np.arange(500) + 0.5) / 100                 # x = ηλ in (0, 5), never exactly 1


def _step_matrices(factory, beta, x):
    """One step of the optimizer itself on L = ½xθ² (η = 1), as matrices on (θ, u), one per x.

    The columns are its update of (θ, u) = (1, 0) and (0, 1): no formula of descend.theory is used.
    """
    opt = factory(eta=1.0, beta=float(beta))
    ones, zeros = np.ones_like(x), np.zeros_like(x)
    step_1, state_1 = opt.update(x * ones, opt.init(zeros), ones)              # θ = 1, u = 0: g = x
    step_2, state_2 = opt.update(zeros, opt.init(zeros)._replace(u=ones), zeros)   # θ = 0, u = 1: g = 0
    return np.stack([np.stack([1 + step_1, step_2], -1), np.stack([state_1.u, state_2.u], -1)], -2)


def _named_from_eigenvalues(z):
    """The regime of each row of roots, named as momentum_regimes names heavy ball's."""
    return np.where(np.abs(z).max(1) >= 1, "diverges", np.where(z.imag.any(1), "swings",
                    np.where(z.real.min(1) >= 0, "creeps", "flips")))


def _nesterov_map(x, beta):
    """The map of ex-momentum-stability-regions' solution, for x ≠ 1."""
    lo, lim = ((1 - beta) / (1 + beta)) ** 2, 2 * (1 + beta) / (1 + 2 * beta)
    return np.where(x >= lim, "diverges", np.where(x <= lo, "creeps", np.where(x < 1, "swings", "flips")))


@pytest.mark.parametrize("method, factory", [("momentum", dd.momentum), ("nesterov", dd.nesterov)])
def test_step_roots_are_the_eigenvalues_of_one_step_of_the_optimizer(method, factory):
    for beta in BETAS:
        m = _step_matrices(factory, beta, X_GRID)
        z, eig = theory.step_roots(method, 1.0, beta, X_GRID), np.linalg.eigvals(m)
        assert z.shape == (X_GRID.size, 2) and z.dtype == np.complex128
        # Vieta: the roots sum to the trace and multiply to the determinant of the step
        np.testing.assert_allclose(z.sum(1), np.trace(m, axis1=1, axis2=2), rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(z.prod(1), np.linalg.det(m), rtol=1e-12, atol=1e-13)
        # the same pair as LAPACK's (a double root is found only to about √ε by eigvals)
        order = lambda r: np.sort_complex(r)                                     # noqa: E731
        np.testing.assert_allclose(order(z), order(eig), atol=1e-6)
        assert np.array_equal(z.imag == 0, eig.imag == 0)                        # real exactly where LAPACK's are
        assert np.all(np.abs(z[:, 0]) >= np.abs(z[:, 1]))                        # the larger in size first
        pair = z[:, 0].imag != 0
        assert np.all(z[pair, 0].imag > 0) and np.array_equal(z[pair, 1], np.conj(z[pair, 0]))


def test_step_roots_broadcast_and_give_the_rates_exactly():
    eta, beta, lam = np.linspace(0.01, 1.0, 7), np.linspace(0.0, 0.95, 5)[:, None], [0.5, 1.0, 2.0, 3.5]
    for method, rate in (("momentum", theory.momentum_rate), ("nesterov", theory.nesterov_rate)):
        z = theory.step_roots(method, eta, beta, lam)
        assert z.shape == (5, 7, 4, 2)
        assert np.array_equal(np.abs(z[..., 0]).max(-1), rate(eta, beta, lam))   # the same helper, bit for bit
        np.testing.assert_array_equal(z[2, 3], theory.step_roots(method, eta[3], beta[2, 0], lam))
    # by hand: heavy ball, β = 1/4: a double root 1/2, a pair ±i/2, roots −1 and −1/4 (the limit)
    np.testing.assert_array_equal(theory.step_roots("momentum", 1.0, 0.25, [0.25, 1.25, 2.5]),
                                  [[0.5, 0.5], [0.5j, -0.5j], [-1.0, -0.25]])
    # Nesterov, β = 1/2, ηλ = 3/2: s = −1/2, z² + (3/4)z − 1/4 = (z + 1)(z − 1/4)
    np.testing.assert_allclose(theory.step_roots("nesterov", 0.5, 0.5, [3.0]), [[-1.0, 0.25]], atol=1e-15)
    assert theory.nesterov_regimes(0.5, 0.5, [3.0]) == ["diverges"]        # on the limit, a root −1 exactly


def test_heavy_ball_roots_name_the_regimes_as_momentum_regimes_does():
    for beta in BETAS:
        named = _named_from_eigenvalues(theory.step_roots("momentum", 1.0, beta, X_GRID))
        assert named.tolist() == theory.momentum_regimes(1.0, beta, X_GRID)


def test_nesterov_regimes_match_the_step_matrix_and_the_map():
    # the grid, and points 1e-9 either side of every edge: the creep edge, x = 1 and the limit
    d = np.array([-1e-9, 1e-9])
    for beta in BETAS:
        edges = [((1 - beta) / (1 + beta)) ** 2, 1.0, 2 * (1 + beta) / (1 + 2 * beta)]
        x = np.concatenate([X_GRID, np.add.outer(edges, d).ravel()])
        assert np.all(x > 0)
        kinds = np.array(theory.nesterov_regimes(1.0, beta, x))
        assert np.array_equal(kinds, _nesterov_map(x, beta)), beta
        # a grid point on an edge to the last bit (x = 1.625 = 2.6/1.6 for β = 0.3) is named by rounding
        clear = np.abs(np.subtract.outer(x, edges)).min(1) > 1e-12
        assert clear.sum() >= x.size - 1
        from_matrix = _named_from_eigenvalues(np.linalg.eigvals(_step_matrices(dd.nesterov, beta, x)))
        assert np.array_equal(kinds[clear], from_matrix[clear]), beta


@pytest.mark.parametrize("beta", [0.0, 1e-4, 0.3, 0.5, 0.9, 1 - 1e-4])
def test_nesterov_regimes_either_side_of_each_edge(beta):
    lo, lim, d = ((1 - beta) / (1 + beta)) ** 2, 2 * (1 + beta) / (1 + 2 * beta), 1e-9
    kinds = theory.nesterov_regimes(1.0, beta, [lo - d, lo + d, 1 - d, 1 + d, lim - d, lim + d])
    if beta == 0:                                  # gradient descent: creeps up to 1, flips up to 2
        assert kinds == ["creeps", "flips", "creeps", "flips", "flips", "diverges"]
    else:
        assert kinds == ["creeps", "swings", "swings", "flips", "flips", "diverges"]


def test_nesterov_regimes_at_x_one_name_one_sign_change():
    # ηλ = 0.5 · 2 = 1 exactly: both roots 0; e_1 = −βe_0 and then 0 (exact in floats for these β)
    for beta, kind, changes in ((0.0, "creeps", 0), (0.25, "swings", 1), (0.5, "swings", 1), (0.75, "swings", 1)):
        assert theory.nesterov_regimes(0.5, beta, [2.0]) == [kind]
        np.testing.assert_array_equal(theory.step_roots("nesterov", 0.5, beta, [2.0]), [[0.0, 0.0]])
        e = dd.run(dd.nesterov(eta=0.5, beta=beta), dd.quadratic([[2.0]]), [1.0], 6).xs[:, 0]
        assert e[1] == -beta and np.all(e[2:] == 0) and dd.calculus.sign_changes(e) == changes


def test_nesterov_regimes_match_runs():
    # mid-region settings: what dd.nesterov does from rest in 300 steps is what the name says
    for beta in (0.2, 0.5, 0.8):
        lo, lim = ((1 - beta) / (1 + beta)) ** 2, 2 * (1 + beta) / (1 + 2 * beta)
        x = np.array([lo / 2, (lo + 1) / 2, (1 + lim) / 2, lim + 0.3])
        assert theory.nesterov_regimes(1.0, beta, x) == ["creeps", "swings", "flips", "diverges"]
        e = dd.run(dd.nesterov(eta=1.0, beta=beta), dd.quadratic(np.diag(x)), np.ones(4), 300).xs
        assert e.shape == (301, 4)
        assert dd.calculus.sign_changes(e[:, 0]) == 0 and 0 < e[-1, 0] < 1
        assert dd.calculus.sign_changes(e[:, 1]) >= 4 and abs(e[-1, 1]) < 1e-20
        assert np.all(e[-51:-1, 2] * e[-50:, 2] < 0) and abs(e[-1, 2]) < 1e-20
        assert abs(e[-1, 3]) > 1e20


def test_step_roots_and_nesterov_regimes_bad_input():
    with pytest.raises(ValueError, match="method must be one of 'momentum', 'nesterov'"):
        theory.step_roots("adam", 0.1, 0.5, [1.0])
    with pytest.raises(ValueError, match="eta"):
        theory.step_roots("nesterov", [0.1, 0.0], 0.5, [1.0])
    with pytest.raises(ValueError, match="beta"):
        theory.step_roots("momentum", 0.1, 1.0, [1.0])
    with pytest.raises(ValueError, match="eigenvalues"):
        theory.step_roots("momentum", 0.1, 0.5, [1.0, 0.0])
    with pytest.raises(TypeError, match="eta"):
        theory.step_roots("momentum", "fast", 0.5, [1.0])
    with pytest.raises(ValueError, match="eta"):
        theory.nesterov_regimes(-0.1, 0.5, [1.0])
    with pytest.raises(ValueError, match="beta"):
        theory.nesterov_regimes(0.1, -0.1, [1.0])
    with pytest.raises(ValueError, match="beta"):
        theory.nesterov_regimes(0.1, float("nan"), [1.0])
    with pytest.raises(ValueError, match="eigenvalues"):
        theory.nesterov_regimes(0.1, 0.5, [-1.0])
    with pytest.raises(TypeError, match="eta must be a real number"):
        theory.nesterov_regimes(np.array([0.1, 0.2]), 0.5, [1.0])
    with pytest.raises(TypeError, match="beta"):
        theory.nesterov_regimes(0.1, "high", [1.0])


@pytest.mark.parametrize("regimes", [dd.theory.momentum_regimes, dd.theory.nesterov_regimes])
@pytest.mark.parametrize("arg", ["eta", "beta"])
def test_regimes_refuse_several_settings_at_once(regimes, arg):
    """An array of η or β would give one name per setting, not per eigenvalue: refused."""
    kwargs = {"eta": 0.1, "beta": 0.5, **{arg: np.array([0.1, 0.5])}}
    with pytest.raises(TypeError, match=rf"{arg} must be a real number \(one setting\)"):
        regimes(kwargs["eta"], kwargs["beta"], [1.0])
