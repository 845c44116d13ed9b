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
    """dd.sigmoid_neuron has a path of its own for one point (no outer products): exactly the
    numbers of the general formula (outer products, as for a batch)."""
    def formula(xs, ys, theta):
        z = np.multiply.outer(xs, theta[0]) + np.multiply.outer(np.ones_like(xs), theta[1])
        fx = dd.sigmoid(z)
        r = fx - ys
        dz = r * fx * (1 - fx)
        return 0.5 * (r**2).sum(0), np.stack([(dz * xs).sum(0), dz.sum(0)])

    xs, ys = dd.data.sparse_feature(n=100, sparsity=0.8, seed=0)
    for data in ((np.array([0.5, 2.5]), np.array([0.2, 0.9])), (xs, ys)):
        p = dd.sigmoid_neuron(*data)
        for x in random_points(p, n=6):
            f, g = formula(*data, x)
            assert p.f(x) == f
            np.testing.assert_array_equal(p.grad(x), g)


def _paired_problems():
    import descend.practice as practice

    rng = np.random.default_rng(3)
    X = np.c_[np.ones(40), rng.normal(size=(40, 2))]
    xs, ys = dd.data.sparse_feature(n=100, sparsity=0.8, seed=0)
    train = dd.data.digits().train
    net = practice.MLP(hidden=8)
    return [
        (dd.sigmoid_neuron(), None),
        (dd.sigmoid_neuron(xs, ys), None),
        (dd.least_squares(X, X @ [1.0, -2.0, 0.5] + rng.normal(size=40)), None),
        (dd.logistic_regression(X, (X[:, 1] + rng.normal(size=40) > 0).astype(float)), None),
        (net.problem(train.images[:64], train.labels[:64]), net.init(0)),
    ]


def _f_and_grad(p, x):
    from descend.problems import _shared

    both = _shared(p, x)
    return both(x) if both is not None else (p.f(x), p.grad(x))


@pytest.mark.parametrize("index", range(5))
def test_paired_f_and_grad_give_their_own_numbers_once(index):
    """Problems whose f and grad share work give dd.run both at once (problems._paired): the same
    numbers bit for bit as f and grad, computed once per iterate, a run identical to one of the
    same problem unpaired, and a problem made from it with another f or grad (a penalty, a
    counter, a functools.wraps wrapper) never uses the stale pair."""
    import dataclasses
    import functools

    import descend.practice as practice

    p, x0 = _paired_problems()[index]
    rng = np.random.default_rng(index)
    x0 = np.zeros(p.dim) if x0 is None else x0
    for x in x0 + rng.normal(scale=0.5, size=(5, p.dim)):
        f, g = _f_and_grad(p, x)
        assert f == p.f(x)
        np.testing.assert_array_equal(g, p.grad(x))
    unpaired = dataclasses.replace(p, f=lambda x: p.f(x), grad=lambda x: p.grad(x))
    for batch in (None, 7) if p.batch_grad is not None else (None,):
        a = dd.run(dd.momentum(eta=0.05, beta=0.9), p, x0, 40, batch_size=batch)
        b = dd.run(dd.momentum(eta=0.05, beta=0.9), unpaired, x0, 40, batch_size=batch)
        for field in ("xs", "fs", "grad_norms"):
            np.testing.assert_array_equal(getattr(a, field), getattr(b, field))

    calls = []                                   # the pair, once per iterate; f and grad never
    f, grad, both = p.f._value_and_grad
    p.f._value_and_grad = p.grad._value_and_grad = (f, grad, lambda x: calls.append("both") or both(x))
    dd.run(dd.gd(eta=0.01), p, x0, 3)
    assert calls == ["both"] * 4
    p.f._value_and_grad = p.grad._value_and_grad = (f, grad, both)

    x = x0 + 0.3
    assert _f_and_grad(practice.l2(p, 0.5), x)[0] == p.f(x) + 0.25 * np.sum(x**2)
    doubled = dataclasses.replace(p, grad=lambda x: 2 * p.grad(x))   # f still carries the pair
    np.testing.assert_array_equal(_f_and_grad(doubled, x)[1], 2 * p.grad(x))
    calls = []
    counted = dataclasses.replace(p, f=lambda x: calls.append("f") or p.f(x), grad=p.grad)
    dd.run(dd.gd(eta=0.01), counted, x0, 3)
    assert calls == ["f"] * 4, "a problem with a new f calls it at every iterate"

    def counting(fn):                            # wraps copies the mark onto the wrapper
        @functools.wraps(fn)
        def call(x):
            calls.append(fn)
            return fn(x)
        return call
    calls = []
    wrapped = dataclasses.replace(p, f=counting(p.f), grad=counting(p.grad))
    assert wrapped.f._value_and_grad is p.f._value_and_grad
    dd.run(dd.gd(eta=0.01), wrapped, x0, 3)
    assert calls == [p.f, p.grad] * 4, "wrappers that copy the mark are called, not the pair"


def test_stack_of_numbers_is_the_broadcast_stack_bit_for_bit():
    """problems._stack takes numbers (one point) or arrays of one shape straight to an array and
    broadcasts only mixed shapes; every way gives the stack of the broadcast entries, exactly."""
    from descend.problems import _stack

    def broadcast_stack(rows):
        flat = np.broadcast_arrays(*[np.asarray(v, dtype=np.float64) for row in rows for v in row])
        k = len(rows[0])
        return np.stack([np.stack(flat[i * k:(i + 1) * k]) for i in range(len(rows))])

    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 5, 3))
    cases = [[[x[0, 0, 0] ** 2, np.sin(x[1, 0, 0])]],                     # one point: numbers
             [[1, 2.5], [np.float64(-0.0), True]],                           # ints, a bool, −0
             [[x[0] * x[1], np.exp(x[0])], [x[1], -x[0]]],                   # arrays of one shape
             [[x[0], 0.0], [2.0, x[1]]],                                     # constants among arrays
             [[x[0, :1], x[1]]]]                                              # (1, 3) against (5, 3)
    for rows in cases:
        got, expected = _stack(rows), broadcast_stack(rows)
        assert got.dtype == expected.dtype and got.shape == expected.shape
        assert got.tobytes() == expected.tobytes()
