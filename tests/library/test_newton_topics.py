"""Chapter 9: the second-derivative test, GD step counts, Newton with backtracking, the tiny MLP."""

import numpy as np
import pytest

import descend as dd

# --------------------------------------------------------------------------- second_derivative_test


@pytest.mark.parametrize("H, kind", [
    ([[2.0, 0.0], [0.0, 3.0]], "minimum"),
    ([[-2.0, 0.0], [0.0, -3.0]], "maximum"),
    ([[3.0, 2.0], [2.0, 0.0]], "saddle"),             # eigenvalues 4 and −1
    ([[1.0, 0.0], [0.0, 0.0]], "inconclusive"),
    ([[0.0, 0.0], [0.0, -1.0]], "inconclusive"),
    ([[0.0, 0.0], [0.0, 0.0]], "inconclusive"),
    ([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, -1.0]], "saddle"),  # a zero does not hide a saddle
])
def test_second_derivative_test_cases(H, kind):
    assert dd.second_derivative_test(H) == kind


def test_second_derivative_test_tolerance_and_rotation():
    Q = np.linalg.qr(np.random.default_rng(0).normal(size=(3, 3)))[0]
    H = Q @ np.diag([1.0, 2.0, 1e-12]) @ Q.T
    H = 0.5 * (H + H.T)
    assert dd.second_derivative_test(H) == "inconclusive"
    assert dd.second_derivative_test(H, tol=0.0) == "minimum"


def test_second_derivative_test_bad_input():
    with pytest.raises(ValueError, match="symmetric"):
        dd.second_derivative_test([[1.0, 2.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="tol"):
        dd.second_derivative_test(np.eye(2), tol=-1.0)


# --------------------------------------------------------------------------- theory.gd_steps


def test_gd_steps_matches_a_real_run():
    p = dd.ill_conditioned(kappa=50.0, angle=0.3)
    H, x0 = p.hess(np.zeros(2)), np.array([2.0, -1.0])
    eta = 1.5 / 50.0
    n = dd.theory.gd_steps(eta, H, x0, tol=1e-4)
    trace = dd.run(dd.gd(eta=eta), p, x0, steps=n + 2)
    errors = np.linalg.norm(trace.xs, axis=1) / np.linalg.norm(x0)
    assert errors[n] <= 1e-4 < errors[n - 1]


def test_gd_steps_edge_cases():
    assert dd.theory.gd_steps(1.0, np.eye(2), [1.0, 1.0], tol=1e-8) == 1   # η = 1/λ: one step
    assert dd.theory.gd_steps(0.1, np.eye(2), [0.0, 0.0]) == 0
    with pytest.raises(ValueError, match="eta"):
        dd.theory.gd_steps(2.5, np.eye(2), [1.0, 1.0])                      # ρ = 1.5
    with pytest.raises(ValueError, match="positive definite"):
        dd.theory.gd_steps(0.1, np.diag([1.0, -1.0]), [1.0, 1.0])
    with pytest.raises(ValueError, match="tol"):
        dd.theory.gd_steps(0.1, np.eye(2), [1.0, 1.0], tol=1.0)


# --------------------------------------------------------------------------- newton_backtracking


def test_newton_backtracking_solves_a_quadratic_in_one_full_step():
    p = dd.ill_conditioned(kappa=1000.0, angle=0.4)
    trace = dd.run(dd.newton_backtracking(), p, [2.0, 1.0], steps=1)
    assert np.allclose(trace.x, 0.0, atol=1e-12)
    (state,) = dd.replay(dd.newton_backtracking(), p, trace)
    assert state.eta == 1.0 and state.h_evals == 1


def test_newton_backtracking_armijo_holds_and_loss_never_rises():
    for problem, x0 in [(dd.rosenbrock(), [-1.2, 1.0]), (dd.saddle(), [0.2, 0.3]), (dd.himmelblau(), [0.0, 0.0])]:
        opt = dd.newton_backtracking(c=1e-4)
        trace = dd.run(opt, problem, x0, steps=40)
        assert np.all(np.diff(trace.fs) <= 1e-12)
        assert trace.grad_norms[-1] < 1e-6


def test_newton_backtracking_escapes_the_saddle_that_newton_finds():
    p = dd.saddle()
    assert np.allclose(dd.run(dd.newton(), p, [1.0, 0.3], steps=10).x, 0.0, atol=1e-12)
    x = dd.run(dd.newton_backtracking(), p, [1.0, 0.3], steps=60).x
    assert np.allclose(np.abs(x), [0.0, 1.0], atol=1e-8)


def test_newton_backtracking_bad_input():
    with pytest.raises(ValueError, match="c"):
        dd.newton_backtracking(c=1.0)
    with pytest.raises(ValueError, match="shrink"):
        dd.newton_backtracking(shrink=0.0)
    opt = dd.newton_backtracking()
    with pytest.raises(ValueError, match="problem"):
        opt.update(np.ones(2), opt.init(np.zeros(2)), np.zeros(2))


# --------------------------------------------------------------------------- the tiny MLP


@pytest.fixture
def net():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(12, 2)), rng.normal(size=12)
    return X, y, rng.normal(size=4 * (2 + 2) + 1)          # h = 4 hidden units


def test_mlp_loss_by_hand():
    X, y = np.array([[0.5], [-1.0]]), np.array([1.0, 0.0])
    W1, b1, w2, b2 = np.array([[2.0], [-1.0]]), np.array([0.1, 0.2]), np.array([1.5, -0.5]), 0.3
    theta = np.concatenate([W1.ravel(), b1, w2, [b2]])
    y_hat = np.tanh(X @ W1.T + b1) @ w2 + b2
    assert dd.mlp_loss(theta, X, y) == pytest.approx(0.5 * np.mean((y_hat - y) ** 2), rel=1e-15)


def test_mlp_grad_matches_finite_differences(net):
    X, y, theta = net
    assert dd.check_grad(lambda p: dd.mlp_loss(p, X, y), lambda p: dd.mlp_grad(p, X, y), theta) < 1e-7


def test_swap_hidden_keeps_the_loss_and_is_an_involution(net):
    X, y, theta = net
    swapped = dd.swap_hidden(theta, 1, 3, n_inputs=2)
    assert not np.allclose(swapped, theta)
    assert dd.mlp_loss(swapped, X, y) == pytest.approx(dd.mlp_loss(theta, X, y), rel=1e-12)
    assert np.array_equal(dd.swap_hidden(swapped, 1, 3, n_inputs=2), theta)
    assert np.array_equal(dd.swap_hidden(theta, 2, 2, n_inputs=2), theta)


def test_mlp_predict_is_what_the_loss_averages(net):
    X, y, theta = net
    y_hat = dd.nn.mlp_predict(theta, X)
    assert y_hat.shape == (12,)
    assert dd.mlp_loss(theta, X, y) == pytest.approx(0.5 * np.mean((y_hat - y) ** 2), rel=1e-14)


def test_relabelling_and_sign_flips_keep_the_function(net):
    X, _, theta = net
    grid = np.random.default_rng(2).normal(size=(50, 2))
    swapped = dd.swap_hidden(theta, 0, 2, n_inputs=2)
    flipped = theta.copy()
    flipped[[2, 3, 9, 13]] *= -1                  # unit 1: its row of W1, b1 and w2 entries
    for other in (swapped, flipped):
        assert np.allclose(dd.nn.mlp_predict(other, grid), dd.nn.mlp_predict(theta, grid), rtol=1e-13, atol=1e-13)
    half_flipped = theta.copy()
    half_flipped[[2, 3, 9]] *= -1                 # unit 1's incoming weights and bias only
    assert not np.allclose(dd.nn.mlp_predict(half_flipped, grid), dd.nn.mlp_predict(theta, grid))


def test_mlp_bad_input(net):
    X, y, theta = net
    with pytest.raises(ValueError, match="params"):
        dd.mlp_loss(theta[:-1], X, y)
    with pytest.raises(ValueError, match="y"):
        dd.mlp_loss(theta, X, y[:-1])
    with pytest.raises(ValueError, match="i must be a hidden unit"):
        dd.swap_hidden(theta, 4, 0, n_inputs=2)
    with pytest.raises(TypeError, match="n_inputs"):
        dd.swap_hidden(theta, 0, 1, n_inputs=2.0)
