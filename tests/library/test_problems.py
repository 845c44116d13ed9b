"""Problems: analytic gradients and Hessians against finite differences, grids, minima."""

import numpy as np
import pytest

import descend as dd

rng = np.random.default_rng(7)
M = rng.normal(size=(3, 3))
area, price = dd.data.rent(n=30)

PROBLEMS = {
    "quadratic": dd.quadratic(M @ M.T + np.eye(3), b=[1.0, -2.0, 0.5]),
    "ill_conditioned": dd.ill_conditioned(kappa=50.0, angle=0.4),
    "rosenbrock": dd.rosenbrock(),
    "beale": dd.beale(),
    "himmelblau": dd.himmelblau(),
    "saddle": dd.saddle(),
    "sigmoid_neuron": dd.sigmoid_neuron(),
    "least_squares": dd.least_squares(np.column_stack([area / 100, np.ones_like(area)]), price / 1000),
    "scalar": dd.scalar(lambda t: np.sin(2 * t) * np.log(t**2),
                        lambda t: 2 * np.cos(2 * t) * np.log(t**2) + 2 * np.sin(2 * t) / t,
                        lambda t: -4 * np.sin(2 * t) * np.log(t**2) + 8 * np.cos(2 * t) / t
                        - 2 * np.sin(2 * t) / t**2,
                        bounds=(0.5, 6)),
}


def random_points(p, n=20):
    lo, hi = np.array(p.bounds).T
    return lo + (hi - lo) * rng.uniform(0.05, 0.95, size=(n, p.dim))


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_gradient_matches_finite_differences(name):
    p = PROBLEMS[name]
    for x in random_points(p):
        assert dd.check_grad(p, None, x) < 1e-6, x


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_hessian_matches_finite_differences(name):
    p = PROBLEMS[name]
    for x in random_points(p):
        H = p.hess(x)
        assert H.shape == (p.dim, p.dim)
        np.testing.assert_allclose(H, H.T, atol=1e-12)
        assert dd.check_hessian(p, None, x) < 1e-5, x


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_batched_evaluation_matches_pointwise(name):
    p = PROBLEMS[name]
    pts = random_points(p, n=12).reshape(3, 4, p.dim)
    stacked = np.moveaxis(pts, -1, 0)  # (d, 3, 4)
    F, G, H = p.f(stacked), p.grad(stacked), p.hess(stacked)
    assert F.shape == (3, 4) and G.shape == (p.dim, 3, 4) and H.shape == (p.dim, p.dim, 3, 4)
    for i in range(3):
        for j in range(4):
            x = pts[i, j]
            assert F[i, j] == pytest.approx(float(p.f(x)), rel=1e-12, abs=1e-12)
            np.testing.assert_allclose(G[:, i, j], p.grad(x), rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(H[:, :, i, j], p.hess(x), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", [n for n in sorted(PROBLEMS) if PROBLEMS[n].x_star is not None])
def test_known_minima_are_critical_points_with_psd_hessian(name):
    p = PROBLEMS[name]
    for m in p.minima:
        assert np.linalg.norm(p.grad(m)) < 1e-8
        assert np.linalg.eigvalsh(p.hess(m)).min() > 0


def test_known_values():
    assert dd.rosenbrock().f_star == 0.0
    assert dd.beale().f_star == 0.0
    assert dd.saddle().f_star == -0.25
    assert len(dd.himmelblau().minima) == 4
    for m in dd.himmelblau().minima:
        assert float(dd.himmelblau().f(m)) == pytest.approx(0.0, abs=1e-20)
    # the sigmoid passes through both data points at its minimum
    p = dd.sigmoid_neuron()
    assert p.f_star == pytest.approx(0.0, abs=1e-25)
    w, b = p.x_star
    np.testing.assert_allclose(dd.sigmoid(w * np.array([0.5, 2.5]) + b), [0.2, 0.9])
    # CS7015's guess-work table (lecture 5): the slides print 0.0730, 0.1481, 0.0214, 0.0028;
    # the exact losses are 0.07311, 0.14813, 0.02167, 0.00289, so the slides are off in the 4th decimal
    for (w, b), L in [((0.5, 0.0), 0.0730), ((-0.1, 0.0), 0.1481), ((0.94, -0.94), 0.0214),
                      ((1.42, -1.73), 0.0028)]:
        assert float(p.f(np.array([w, b]))) == pytest.approx(L, abs=5e-4)


def test_least_squares_minimum_solves_normal_equations():
    X = np.column_stack([area, np.ones_like(area)])
    p = dd.least_squares(X, price)
    np.testing.assert_allclose(X.T @ X @ p.x_star, X.T @ price, rtol=1e-9)


def test_ill_conditioned_has_the_asked_condition_number():
    for kappa in (1.0, 10.0, 1000.0):
        lam = np.linalg.eigvalsh(dd.ill_conditioned(kappa, angle=0.3).hess(np.zeros(2)))
        assert lam.max() / lam.min() == pytest.approx(kappa)


def test_grid_has_the_shape_asked():
    X, Y, Z = dd.rosenbrock().grid(n=31)
    assert X.shape == Y.shape == Z.shape == (31, 31)
    assert Z[15, 15] == pytest.approx(float(dd.rosenbrock().f(np.array([X[15, 15], Y[15, 15]]))))


def test_sigmoid_neuron_at_one_point_is_its_formula_bit_for_bit():
    """dd.sigmoid_neuron has a path of its own for one point (no outer products, the last point's
    parts kept, as dd.run asks for f and then grad there): exactly the numbers of the general
    formula (outer products, as for a batch), in any order of points and after the point is
    changed in place."""
    def formula(xs, ys, theta):
        z = np.multiply.outer(xs, theta[0]) + np.multiply.outer(np.ones_like(xs), theta[1])
        fx = dd.sigmoid(z)
        r = fx - ys
        dz = r * fx * (1 - fx)
        return 0.5 * (r**2).sum(0), np.stack([(dz * xs).sum(0), dz.sum(0)])

    xs, ys = dd.data.sparse_feature(n=100, sparsity=0.8, seed=0)
    for data in ((np.array([0.5, 2.5]), np.array([0.2, 0.9])), (xs, ys)):
        p = dd.sigmoid_neuron(*data)
        pts = random_points(p, n=6)
        pts = np.r_[pts, [[pts[0, 0], pts[1, 1]], [pts[1, 0], pts[0, 1]]]]   # 6, 7: one coordinate shared
        for order in (range(8), [0, 1, 0, 2, 2, 5, 0, 6, 0, 7, 1, 7]):
            for k in order:
                x = pts[k].copy()
                f, g = formula(*data, x)
                assert p.f(x) == f
                np.testing.assert_array_equal(p.grad(x), g)
        x = pts[0].copy()
        p.f(x)
        x[:] = pts[1]                                  # changed in place between f and grad
        np.testing.assert_array_equal(p.grad(x), formula(*data, pts[1])[1])
