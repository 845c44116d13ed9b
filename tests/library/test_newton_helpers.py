"""The helpers behind chapter 9's page: what a point is on small circles, the share of chords
below a graph, the operation count of a linear solve, a loss scaled or seen in other
coordinates, and an optimizer whose steps are scaled coordinate by coordinate."""

import numpy as np
import pytest

import descend as dd

# --------------------------------------------------------------------------- calculus.local_kind


@pytest.mark.parametrize("f, kind", [
    (lambda p: p[0]**2 + p[1]**2, "minimum"),
    (lambda p: -p[0]**2 - p[1]**2, "maximum"),
    (lambda p: p[0]**2 - p[1]**2, "neither"),
    (lambda p: p[0]**2 + p[1]**4, "minimum"),       # the second-derivative test cannot tell these
    (lambda p: p[0]**2 - p[1]**4, "neither"),
    (lambda p: p[0]**2 + p[1]**3, "neither"),
    (lambda p: -p[0]**2 - p[1]**4, "maximum"),
])
def test_local_kind_in_two_dimensions(f, kind):
    assert dd.calculus.local_kind(f, [0.0, 0.0]) == kind


def test_local_kind_in_one_and_three_dimensions_and_away_from_the_origin():
    assert dd.calculus.local_kind(lambda t: t**4, 0.0) == "minimum"
    assert dd.calculus.local_kind(lambda t: -t**4, 0.0) == "maximum"
    assert dd.calculus.local_kind(lambda t: t**3, 0.0) == "neither"
    assert dd.calculus.local_kind(lambda x: np.sum(x**2), np.zeros(3)) == "minimum"
    assert dd.calculus.local_kind(lambda x: x[0]**2 + x[1]**2 - x[2]**2, np.zeros(3)) == "neither"
    himmelblau = dd.himmelblau()
    assert dd.calculus.local_kind(himmelblau.f, [3.0, 2.0]) == "minimum"
    assert dd.calculus.local_kind(himmelblau.f, [-0.270845, -0.923039], radii=(1e-2,)) == "maximum"


def test_local_kind_sees_only_its_circles():
    # a narrow dip of depth 0.01 at distance 0.05: the circles of radius 0.1, 0.01, 0.001 miss it
    def f(p):
        return p[0]**2 + p[1]**2 - 1e-2 * np.exp(-((p[0] - 0.05)**2 + p[1]**2) / 1e-6)
    assert dd.calculus.local_kind(f, [0.0, 0.0]) == "minimum"
    assert dd.calculus.local_kind(f, [0.0, 0.0], radii=(0.05,)) == "neither"


def test_local_kind_bad_input():
    with pytest.raises(ValueError, match="radii"):
        dd.calculus.local_kind(lambda t: t**2, 0.0, radii=(0.1, -0.1))
    with pytest.raises(TypeError, match="callable"):
        dd.calculus.local_kind(3.0, 0.0)


# --------------------------------------------------------------------------- calculus.chord_violations


def test_chord_violations_convex_and_not():
    square = [(-2.0, 2.0), (-2.0, 2.0)]
    assert dd.calculus.chord_violations(dd.ill_conditioned(kappa=100.0, angle=0.3), n=5000) == 0.0
    X = np.column_stack([np.linspace(-1, 1, 30), np.ones(30)])
    y = (np.linspace(-1, 1, 30) > 0.1).astype(float)
    assert dd.calculus.chord_violations(dd.logistic_regression(X, y), bounds=square, n=5000) == 0.0
    share = dd.calculus.chord_violations(dd.saddle(), bounds=square, n=5000)
    assert 0.01 < share < 0.5


def test_chord_violations_matches_a_direct_count_and_takes_a_generator():
    saddle, n = dd.saddle(), 2000
    rng = np.random.default_rng(3)
    a, b = rng.uniform(-2, 2, size=(2, 2, n))
    lam = rng.uniform(0, 1, size=n)
    chord = (1 - lam) * saddle.f(a) + lam * saddle.f(b)
    direct = np.mean(saddle.f((1 - lam) * a + lam * b) - chord > 1e-12 * (1 + np.abs(chord)))
    assert dd.calculus.chord_violations(saddle, bounds=[(-2, 2), (-2, 2)], n=n, seed=3) == direct
    gen = np.random.default_rng(3)
    assert dd.calculus.chord_violations(saddle, bounds=[(-2, 2), (-2, 2)], n=n, seed=gen) == direct


def test_chord_violations_one_dimension_and_bad_bounds():
    wave = dd.scalar(np.sin, np.cos, bounds=(-3.0, 3.0))
    assert dd.calculus.chord_violations(wave, n=2000) > 0
    assert dd.calculus.chord_violations(dd.scalar(np.exp, np.exp, bounds=(-3.0, 3.0)), n=2000) == 0.0
    with pytest.raises(ValueError, match="bounds"):
        dd.calculus.chord_violations(dd.saddle(), bounds=[(-2, 2)])
    with pytest.raises(ValueError, match="bounds"):
        dd.calculus.chord_violations(dd.saddle(), bounds=[(2, -2), (-2, 2)])


# --------------------------------------------------------------------------- theory.solve_cost


@pytest.mark.parametrize("d", [1, 2, 3, 7, 12])
def test_solve_cost_counts_and_solves(d):
    rng = np.random.default_rng(d)
    A = rng.normal(size=(d, d)) + d * np.eye(d)
    G = rng.normal(size=(d, d))
    spd = G @ G.T / d + np.eye(d)
    b = rng.normal(size=d)
    elim = dd.theory.solve_cost(A, b)
    chol = dd.theory.solve_cost(spd, b, method="cholesky")
    assert elim.operations == (d**3 - d) // 3 + d**2 and elim.roots == 0
    assert chol.operations == (d**3 + 9 * d**2 + 2 * d) // 6 and chol.roots == d
    np.testing.assert_allclose(elim.x, np.linalg.solve(A, b), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(chol.x, np.linalg.solve(spd, b), rtol=1e-10, atol=1e-12)


def test_solve_cost_by_hand():
    # 2 × 2 elimination: one factor (1 division), its product with A[0][1] and b[0] (2), then
    # back substitution: x₁ (1 division), x₀ (1 product, 1 division): 6
    cost = dd.theory.solve_cost([[2.0, 1.0], [4.0, 5.0]], [3.0, 13.0])
    assert cost.operations == 6
    np.testing.assert_allclose(cost.x, [1.0 / 3.0, 7.0 / 3.0])


def test_solve_cost_bad_input():
    with pytest.raises(ValueError, match="pivot"):
        dd.theory.solve_cost([[0.0, 1.0], [1.0, 0.0]], [1.0, 1.0])
    with pytest.raises(ValueError, match="positive definite"):
        dd.theory.solve_cost([[1.0, 2.0], [2.0, 1.0]], [1.0, 1.0], method="cholesky")
    with pytest.raises(ValueError, match="method"):
        dd.theory.solve_cost(np.eye(2), [1.0, 1.0], method="qr")
    with pytest.raises(ValueError, match="shape"):
        dd.theory.solve_cost(np.eye(2), [1.0, 1.0, 1.0])


# --------------------------------------------------------------------------- problems.scaled, reparametrized


def test_scaled_values_and_minimizers():
    p = dd.himmelblau()
    x = np.array([0.7, -1.3])
    for c in (1000.0, 0.5, -2.0):
        q = dd.problems.scaled(p, c)
        assert q.f(x) == pytest.approx(c * p.f(x))
        np.testing.assert_allclose(q.grad(x), c * p.grad(x))
        np.testing.assert_allclose(q.hess(x), c * p.hess(x))
        assert q.bounds == p.bounds
    assert dd.problems.scaled(p, 3.0).x_star.tolist() == p.x_star.tolist()
    assert dd.problems.scaled(p, -1.0).x_star is None and dd.problems.scaled(p, -1.0).minima == ()
    X, Y, Z = dd.problems.scaled(p, 2.0).grid(20)          # a batch of points, as for a contour map
    np.testing.assert_allclose(Z, 2.0 * p.grid(20)[2])
    with pytest.raises(ValueError, match="non-zero"):
        dd.problems.scaled(p, 0.0)


def test_scaled_newton_does_not_notice_and_gd_does():
    p, x0 = dd.rosenbrock(), [-1.2, 1.0]
    for c in (1e3, -0.5):
        np.testing.assert_allclose(dd.run(dd.newton(), dd.problems.scaled(p, c), x0, 5).xs,
                                   dd.run(dd.newton(), p, x0, 5).xs, rtol=1e-9)
    np.testing.assert_allclose(dd.run(dd.gd(eta=1e-4), dd.problems.scaled(p, 10.0), x0, 5).xs,
                               dd.run(dd.gd(eta=1e-3), p, x0, 5).xs, rtol=1e-12)


def test_scaled_keeps_minibatches():
    X, y = dd.data.regression(n=50, d=2, noise=0.1, seed=0)
    p = dd.least_squares(X, y)
    q = dd.problems.scaled(p, 3.0)
    idx = np.array([1, 4, 9])
    assert q.n_examples == p.n_examples
    np.testing.assert_allclose(q.batch_grad(np.ones(3), idx), 3.0 * p.batch_grad(np.ones(3), idx))


def test_reparametrized_derivatives_and_minimizer():
    p = dd.himmelblau()
    S, s = np.array([[2.0, 0.7], [-0.4, 0.5]]), np.array([0.3, -1.0])
    q = dd.problems.reparametrized(p, S, s)
    phi = np.array([0.4, 1.1])
    assert q.f(phi) == pytest.approx(p.f(S @ phi + s))
    assert dd.check_grad(q, None, phi) < 1e-7
    assert dd.check_hessian(q.grad, q.hess, phi) < 1e-6
    np.testing.assert_allclose(S @ q.x_star + s, p.x_star, atol=1e-12)
    assert len(q.minima) == 4
    grid = np.stack(np.meshgrid(np.linspace(-1, 1, 5), np.linspace(-1, 1, 4)))   # shape (2, 4, 5)
    np.testing.assert_allclose(q.f(grid), p.f(np.tensordot(S, grid, axes=1) + s[:, None, None]))
    np.testing.assert_allclose(q.hess(grid)[..., 2, 3], S.T @ p.hess(S @ grid[:, 2, 3] + s) @ S)


def test_reparametrized_newton_follows_and_gd_does_not():
    p, theta0 = dd.himmelblau(), np.array([4.0, 3.0])
    S, s = np.array([[2.0, 0.7], [-0.4, 0.5]]), np.array([0.3, -1.0])
    q = dd.problems.reparametrized(p, S, s)
    phi0 = np.linalg.solve(S, theta0 - s)
    mapped = dd.run(dd.newton(), q, phi0, 6).xs @ S.T + s
    np.testing.assert_allclose(mapped, dd.run(dd.newton(), p, theta0, 6).xs, rtol=1e-9)
    gd_mapped = dd.run(dd.gd(eta=0.002), q, phi0, 6).xs @ S.T + s
    assert np.abs(gd_mapped - dd.run(dd.gd(eta=0.002), p, theta0, 6).xs).max() > 0.01


def test_reparametrized_bad_input():
    p = dd.himmelblau()
    with pytest.raises(ValueError, match="invertible"):
        dd.problems.reparametrized(p, [[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(ValueError, match="shape"):
        dd.problems.reparametrized(p, np.eye(3))
    with pytest.raises(TypeError, match="Problem"):
        dd.problems.reparametrized(lambda x: x, np.eye(2))


# --------------------------------------------------------------------------- optim.scaled_steps


def test_scaled_steps_by_hand_and_as_a_learning_rate():
    steps = dd.optim.steps_on(dd.optim.scaled_steps(dd.gd(eta=0.1), [1.0, 10.0]), [[1.0, 1.0], [2.0, -1.0]])
    np.testing.assert_allclose(steps, [[-0.1, -1.0], [-0.2, 1.0]])
    G = np.random.default_rng(0).normal(size=(20, 2))
    np.testing.assert_allclose(dd.optim.steps_on(dd.optim.scaled_steps(dd.adam(eta=0.01), 3.0), G),
                               dd.optim.steps_on(dd.adam(eta=0.03), G), rtol=1e-12)


def test_scaled_steps_is_adam_after_a_change_of_units():
    p, theta0, D = dd.himmelblau(), np.array([4.0, 3.0]), np.diag([2.0, 1.0])
    adam = dd.adam(eta=0.05, eps=1e-300)
    in_phi = dd.run(adam, dd.problems.reparametrized(p, D), np.linalg.solve(D, theta0), 8).xs @ D.T
    scaled = dd.run(dd.optim.scaled_steps(dd.adam(eta=0.05, eps=1e-300), np.diag(D)), p, theta0, 8).xs
    np.testing.assert_allclose(in_phi, scaled, rtol=1e-12)


def test_scaled_steps_passes_the_problem_on():
    bowl = dd.ill_conditioned(kappa=100.0)
    half = dd.run(dd.optim.scaled_steps(dd.newton(), 0.5), bowl, [2.0, 1.0], 1)
    np.testing.assert_allclose(half.x, [1.0, 0.5], atol=1e-12)      # a damped Newton step
    with pytest.raises(TypeError, match="Optimizer"):
        dd.optim.scaled_steps(lambda g: g, 2.0)
    with pytest.raises(ValueError, match="scale"):
        dd.optim.scaled_steps(dd.gd(eta=0.1), [[1.0]])


@pytest.mark.parametrize("H", [
    np.array([[2.0, 0.3], [0.3, 1.0]]), np.zeros((2, 2)), np.ones((2, 2)), np.array([[0.0]]),
    np.array([[5e-324]]), np.diag([1.0, 1e-17]), np.diag([1.0, 2.0**-52 * (1 - 1e-15)]),
    np.diag([1.0, 2.0**-52 * (1 + 1e-15)]), np.diag([1.5 * 2.0**-1022, 2.0**-1073]), np.diag([1e300, 1e-300]),
])
def test_newtons_solve_takes_the_least_squares_step_exactly_where_cond_says_singular(H, monkeypatch):
    """``optim._solve`` reads the condition number off one SVD; its choice between solving and
    least squares is ``np.linalg.cond``'s, subnormal singular values and 0/0 included."""
    from descend.optim import _solve

    expected = "solve" if np.linalg.cond(H) < 1 / np.finfo(np.float64).eps else "lstsq"
    called = []
    for name in ("solve", "lstsq"):
        real = getattr(np.linalg, name)
        monkeypatch.setattr(np.linalg, name,
                            lambda *a, _real=real, _name=name, **k: called.append(_name) or _real(*a, **k))
    with np.errstate(all="ignore"):
        _solve(H, np.arange(1.0, len(H) + 1))
    assert called == [expected]
