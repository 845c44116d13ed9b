"""Chapter 5's theory of SGD: the rate bounds, the simulator, the validation split and its step decay,
and the tools behind "when SGD beats batch gradient descent"."""

import numpy as np
import pytest

import descend as dd
from descend import stochastic

X, Y = dd.data.regression(n=300, seed=4)
LINE = dd.least_squares(X, Y)


def _random_quadratic(rng, d=2):
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    lam = np.sort(rng.uniform(0.1, 4.0, size=d))
    G = rng.normal(size=(d, d))
    return Q @ np.diag(lam) @ Q.T, G @ G.T, lam


# ------------------------------------------------------------------ the two bounds

def test_constant_step_bound_by_hand_and_its_limit():
    # (1 − ημ)^t a0 + (1 − (1 − ημ)^t) ηM/μ with η = 0.1, μ = 1, M = 4, a0 = 1
    b = stochastic.constant_step_bound([0, 1, 2, 10_000], 0.1, mu=1.0, lam_max=2.0, M=4.0, a0=1.0)
    np.testing.assert_allclose(b[:3], [1.0, 0.9 + 0.1 * 0.4, 0.81 + 0.19 * 0.4], rtol=1e-14)
    assert b[-1] == pytest.approx(0.4, rel=1e-12)        # the floor ηM/μ
    assert isinstance(stochastic.constant_step_bound(3, 0.1, mu=1.0, lam_max=2.0, M=0.0, a0=2.0), float)
    assert stochastic.constant_step_bound(3, 0.1, mu=1.0, lam_max=2.0, M=0.0, a0=2.0) == pytest.approx(2 * 0.9**3)


def test_decaying_step_bound_by_hand_and_its_induction_step():
    c, t0, mu, lam, M, a0 = 3.0, 7.0, 0.5, 2.0, 1.5, 0.4
    nu = max(c**2 * M / (c * mu - 1), t0 * a0)
    t = np.arange(5000)
    b = stochastic.decaying_step_bound(t, c, t0, mu=mu, lam_max=lam, M=M, a0=a0)
    np.testing.assert_allclose(b, nu / (t + t0), rtol=1e-14)
    assert b[0] >= a0                                        # the induction's start
    eta = c / (t[:-1] + t0)                                  # and its step: b is a supersolution
    assert np.all(b[1:] >= (1 - eta * mu) * b[:-1] + eta**2 * M - 1e-15)
    # with a far start, ν is t0·a0 and the bound starts at a0 exactly
    assert stochastic.decaying_step_bound(0, c, t0, mu=mu, lam_max=lam, M=M, a0=100.0) == pytest.approx(100.0)


def test_both_bounds_hold_for_the_exact_moments_on_random_quadratics():
    rng = np.random.default_rng(0)
    for _ in range(20):
        H, C, lam = _random_quadratic(rng)
        B = int(rng.integers(1, 5))
        M = np.trace(C) / B                                  # E‖ξ‖² exactly, so the theorem applies
        e0 = rng.normal(size=2) * rng.uniform(0.1, 10)
        a0 = e0 @ e0
        eta = rng.uniform(0.01, 1.0) / lam[-1]
        moments = stochastic.additive_noise_moments(H, C, e0, np.full(3000, eta), B)
        a = np.trace(moments.second, axis1=1, axis2=2)
        bound = stochastic.constant_step_bound(np.arange(3001), eta, mu=lam[0], lam_max=lam[-1], M=M, a0=a0)
        assert np.all(a <= bound * (1 + 1e-12))
        c = rng.uniform(1.01, 4.0) / lam[0]
        t0 = c * lam[-1] * rng.uniform(1.0, 3.0)
        rates = c / (np.arange(3000) + t0)
        a = np.trace(stochastic.additive_noise_moments(H, C, e0, rates, B).second, axis1=1, axis2=2)
        bound = stochastic.decaying_step_bound(np.arange(3001), c, t0, mu=lam[0], lam_max=lam[-1], M=M, a0=a0)
        assert np.all(a <= bound * (1 + 1e-12))


def test_constant_step_bound_is_attained_in_one_dimension_at_eta_one_over_lambda():
    # L = ½λe², μ = λ: one step with η = 1/λ lands exactly on θ* plus −ηξ, so a₁ = η²M = M/λ²
    lam, M = 2.0, 3.0
    a1 = np.trace(stochastic.additive_noise_moments([[lam]], [[M]], [5.0], [1 / lam]).second[1])
    assert stochastic.constant_step_bound(1, 1 / lam, mu=lam, lam_max=lam, M=M, a0=25.0) == pytest.approx(a1)


@pytest.mark.parametrize("call, match", [
    (lambda: stochastic.constant_step_bound(1, 0.6, mu=1.0, lam_max=2.0, M=1.0, a0=1.0), "at most 1/lam_max"),
    (lambda: stochastic.constant_step_bound(1, 0.1, mu=3.0, lam_max=2.0, M=1.0, a0=1.0), "mu must be at most"),
    (lambda: stochastic.constant_step_bound(-1, 0.1, mu=1.0, lam_max=2.0, M=1.0, a0=1.0), "t must"),
    (lambda: stochastic.constant_step_bound(1, 0.1, mu=1.0, lam_max=2.0, M=-1.0, a0=1.0), "M must"),
    (lambda: stochastic.constant_step_bound(1, 0.0, mu=1.0, lam_max=2.0, M=1.0, a0=1.0), "eta must"),
    (lambda: stochastic.decaying_step_bound(1, 1.0, 10.0, mu=1.0, lam_max=2.0, M=1.0, a0=1.0), "c must exceed"),
    (lambda: stochastic.decaying_step_bound(1, 2.0, 3.0, mu=1.0, lam_max=2.0, M=1.0, a0=1.0), "t0 must be at least"),
    (lambda: stochastic.decaying_step_bound(1, 2.0, 5.0, mu=1.0, lam_max=2.0, M=1.0, a0=-1.0), "a0 must"),
    (lambda: stochastic.decaying_step_bound(1, 2.0, 5.0, mu=0.0, lam_max=2.0, M=1.0, a0=1.0), "mu must"),
])
def test_bounds_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ------------------------------------------------------------------ exact moments and the simulator

def test_additive_noise_moments_by_hand_and_at_the_floor():
    m = stochastic.additive_noise_moments([[2.0]], [[3.0]], [1.0], [0.1, 0.2], batch_size=2)
    s1 = 0.8**2 * 1.0 + 0.01 * 3.0 / 2
    s2 = 0.6**2 * s1 + 0.04 * 3.0 / 2
    np.testing.assert_allclose(m.second[:, 0, 0], [1.0, s1, s2], rtol=1e-14)
    np.testing.assert_allclose(m.mean[:, 0], [1.0, 0.8, 0.48], rtol=1e-14)
    np.testing.assert_allclose(m.excess, [1.0, s1, s2], rtol=1e-14)       # ½·2·S
    rng = np.random.default_rng(1)
    H, C, lam = _random_quadratic(rng, d=3)
    eta = 1.5 / lam[-1]
    far = stochastic.additive_noise_moments(H, C, [3.0, -1.0, 2.0], np.full(20_000, eta), 3)
    assert far.excess[-1] == pytest.approx(stochastic.additive_noise_floor(H, C, eta, 3), rel=1e-9)


def test_additive_noise_moments_bad_input():
    with pytest.raises(ValueError, match="shape"):
        stochastic.additive_noise_moments(np.eye(2), np.eye(3), [0.0, 0.0], [0.1])
    with pytest.raises(ValueError, match="etas"):
        stochastic.additive_noise_moments(np.eye(2), np.eye(2), [0.0, 0.0], [0.1, np.nan])
    with pytest.raises(ValueError, match="e0"):
        stochastic.additive_noise_moments(np.eye(2), np.eye(2), [0.0], [0.1])


@pytest.mark.parametrize("additive", [True, False])
def test_sgd_errors_match_the_exact_moments_within_four_standard_errors(additive):
    Xs, ys = dd.data.regression(n=15, seed=6)
    x_star = np.linalg.lstsq(Xs, ys, rcond=None)[0]
    x0, etas, B, runs = x_star + [0.4, -0.3], [0.2] * 8 + [0.05] * 12, 2, 40_000
    e = stochastic.sgd_errors(Xs, ys, x0, etas, B, runs=runs, at=[0, 5, 20], additive=additive, seed=2)
    assert e.shape == (3, runs, 2)
    np.testing.assert_allclose(e[0], np.tile(x0 - x_star, (runs, 1)), atol=1e-12)
    if additive:
        H = Xs.T @ Xs / len(ys)
        r = Xs @ x_star - ys
        exact = stochastic.additive_noise_moments(H, (Xs.T * r**2) @ Xs / len(ys), x0 - x_star, etas, B)
    else:
        exact = stochastic.sgd_moments(Xs, ys, x0, etas, B)
    for k, t in enumerate((5, 20)):
        z_mean = (e[k + 1].mean(axis=0) - exact.mean[t]) / (e[k + 1].std(axis=0, ddof=1) / np.sqrt(runs))
        products = np.einsum("ra,rb->rab", e[k + 1], e[k + 1])
        z_second = (products.mean(axis=0) - exact.second[t]) / (products.std(axis=0, ddof=1) / np.sqrt(runs))
        assert np.all(np.abs(z_mean) < 4) and np.all(np.abs(z_second) < 4)


def test_sgd_errors_tell_the_two_noise_models_apart():
    # far from θ*, the true batch noise grows with the error while the additive one does not
    Xs, ys = dd.data.regression(n=15, seed=6)
    x_star = np.linalg.lstsq(Xs, ys, rcond=None)[0]
    x0 = x_star + [6.0, -6.0]
    true, additive = (stochastic.sgd_errors(Xs, ys, x0, [0.1] * 3, runs=20_000, at=[3], additive=a, seed=1)[0]
                      for a in (False, True))
    spread = [np.trace(np.cov(e.T)) for e in (true, additive)]     # the scatter around the mean
    assert spread[0] > 5 * spread[1]
    np.testing.assert_allclose(true.mean(axis=0), additive.mean(axis=0), rtol=0.02)   # the same mean


def test_sgd_errors_without_noise_are_gradient_descent_and_keep_the_steps_asked_for():
    Xs = np.column_stack([np.linspace(-1, 2, 6), np.ones(6)])
    ys = Xs @ np.array([1.5, -0.5])
    trace = dd.run(dd.gd(eta=0.3), dd.least_squares(Xs, ys), [2.0, 2.0], steps=10)
    for additive in (True, False):     # zero residuals: additive noise vanishes; true noise does not
        e = stochastic.sgd_errors(Xs, ys, [2.0, 2.0], [0.3] * 10, runs=3, at=[10, 0, 4], additive=additive)
        assert e.shape == (3, 3, 2)
        np.testing.assert_allclose(e[1], np.tile(trace.xs[0] - [1.5, -0.5], (3, 1)), atol=1e-12)
        if additive:
            np.testing.assert_allclose(e[0], np.tile(trace.xs[10] - [1.5, -0.5], (3, 1)), atol=1e-12)
            np.testing.assert_allclose(e[2], np.tile(trace.xs[4] - [1.5, -0.5], (3, 1)), atol=1e-12)
    a = stochastic.sgd_errors(X, Y, [0.0, 0.0], [0.1] * 5, runs=4, seed=3)
    b = stochastic.sgd_errors(X, Y, [0.0, 0.0], [0.1] * 5, runs=4, seed=3)
    assert a.shape == (6, 4, 2)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a[-1, 0], a[-1, 1])        # the runs are independent


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(at=[0, 6]), ValueError, "at must"),
    (dict(at=[0.5]), ValueError, "at must"),
    (dict(at=[]), ValueError, "at must"),
    (dict(runs=0), ValueError, "runs"),
    (dict(additive="yes"), TypeError, "additive"),
    (dict(batch_size=0), ValueError, "batch_size"),
])
def test_sgd_errors_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        stochastic.sgd_errors(X, Y, [0.0, 0.0], [0.1] * 5, **kwargs)


# ------------------------------------------------------------------ validation split and halving

def test_train_validation_split_partitions_the_data_reproducibly():
    (Xt, yt), (Xv, yv) = stochastic.train_validation_split(X, Y, 0.2, seed=5)
    assert len(yv) == 60 and len(yt) == 240 and Xt.shape == (240, 2) and Xv.shape == (60, 2)
    rows = {tuple(r) for r in np.column_stack([X, Y])}
    parts = [tuple(r) for r in np.column_stack([np.vstack([Xt, Xv]), np.r_[yt, yv]])]
    assert len(set(parts)) == 300 and set(parts) == rows            # disjoint, and all of them
    (Xt2, yt2), _ = stochastic.train_validation_split(X, Y, 0.2, seed=5)
    np.testing.assert_array_equal(yt, yt2)
    (_, yt3), _ = stochastic.train_validation_split(X, Y, 0.2, seed=6)
    assert not np.array_equal(yt, yt3)
    # each part keeps the original order of its rows
    position = {v: k for k, v in enumerate(Y)}
    assert np.all(np.diff([position[v] for v in yv]) > 0)


@pytest.mark.parametrize("validation", [0.0, 1.0, 0.001, 1.5])
def test_train_validation_split_bad_input(validation):
    with pytest.raises(ValueError, match="validation"):
        stochastic.train_validation_split(X, Y, validation)


def _parts(seed=0):
    train, val = stochastic.train_validation_split(X, Y, 0.25, seed=seed)
    return dd.least_squares(*train), dd.least_squares(*val)


def test_validation_decay_halves_exactly_after_the_epochs_where_the_validation_loss_rose():
    fit, held = _parts()
    out = stochastic.validation_decay(fit, held, [-1.0, 5.0], 0.3, 15, batch_size=10, seed=2)
    rose = out.validation[1:-1] > out.validation[:-2]               # after epochs 1 .. 14
    np.testing.assert_array_equal(out.etas[1:], out.etas[:-1] * np.where(rose, 0.5, 1.0))
    assert rose.any() and out.etas[-1] < 0.3                         # it did halve here
    np.testing.assert_allclose(out.validation[-1], held.f(out.x), rtol=1e-14)
    np.testing.assert_allclose(out.train[-1], fit.f(out.x), rtol=1e-14)


def test_validation_decay_replays_with_run_and_factor_one_is_the_constant_rate():
    fit, held = _parts(1)
    const = stochastic.validation_decay(fit, held, [0.0, 0.0], 0.2, 6, batch_size=20, factor=1.0, seed=4)
    np.testing.assert_array_equal(const.etas, 0.2)
    # replay: one dd.run per epoch with the epoch seeds drawn from the seed
    # (225 training examples and B = 20: ⌈225/20⌉ = 12 steps per epoch)
    seeds = np.random.default_rng(4).integers(0, 2**31, size=6)
    x = np.zeros(2)
    for s in seeds:
        x = dd.run(dd.gd(eta=0.2), fit, x, 12, batch_size=20, seed=int(s)).x
    np.testing.assert_allclose(x, const.x, rtol=1e-13, atol=1e-13)
    # with the same seed, halving and constant runs agree until the first halving
    half = stochastic.validation_decay(fit, held, [0.0, 0.0], 0.2, 6, batch_size=20, seed=4)
    first = int(np.argmax(half.etas < 0.2)) if np.any(half.etas < 0.2) else 6
    np.testing.assert_allclose(half.validation[: first + 1], const.validation[: first + 1], rtol=1e-13)


def test_validation_decay_bad_input():
    fit, held = _parts()
    with pytest.raises(ValueError, match="factor"):
        stochastic.validation_decay(fit, held, [0.0, 0.0], 0.1, 2, factor=0.0)
    with pytest.raises(ValueError, match="factor"):
        stochastic.validation_decay(fit, held, [0.0, 0.0], 0.1, 2, factor=1.5)
    with pytest.raises(ValueError, match="dimension"):
        stochastic.validation_decay(fit, dd.least_squares(np.ones((4, 3)), np.ones(4)), [0.0, 0.0], 0.1, 2)
    with pytest.raises(TypeError, match="validation"):
        stochastic.validation_decay(fit, "held", [0.0, 0.0], 0.1, 2)
    with pytest.raises(ValueError, match="batch_size"):
        stochastic.validation_decay(fit, held, [0.0, 0.0], 0.1, 2, batch_size=1000)
    with pytest.raises(ValueError, match="epochs"):
        stochastic.validation_decay(fit, held, [0.0, 0.0], 0.1, 0)
    with pytest.raises(ValueError, match="diverged"):
        stochastic.validation_decay(fit, held, [0.0, 0.0], 50.0, 3, batch_size=5)


# ------------------------------------------------------------------ one step of SGD, and redundant data

def test_gradient_noise_ratio_by_hand_copies_and_the_minimum():
    Xs = np.column_stack([[0.0, 2.0], np.ones(2)])
    p = dd.least_squares(Xs, [0.0, 0.0])
    # at θ = (1, 0): ∇ℓ₁ = 0·(0, 1) = 0, ∇ℓ₂ = 2·(2, 1) = (4, 2); mean (2, 1); σ² = 5; ‖∇L‖² = 5
    assert stochastic.gradient_noise_ratio(p, [1.0, 0.0]) == pytest.approx(1.0)
    copies = dd.least_squares(np.tile(X, (3, 1)), np.tile(Y, 3))
    theta = np.array([0.5, 2.0])
    assert stochastic.gradient_noise_ratio(copies, theta) == pytest.approx(
        stochastic.gradient_noise_ratio(LINE, theta), rel=1e-10)
    assert stochastic.gradient_noise_ratio(LINE, LINE.x_star + 1e-13) > 1e6 or \
        stochastic.gradient_noise_ratio(LINE, LINE.x_star) == np.inf
    exact = dd.least_squares(Xs, Xs @ np.array([1.0, 1.0]))          # every example fitted exactly
    assert np.isnan(stochastic.gradient_noise_ratio(exact, [1.0, 1.0]))


def test_expected_step_loss_matches_the_closed_form_for_least_squares():
    # E[L(θ − ηg)] = L − η‖∇L‖² + ½η²(∇LᵀH∇L + tr(HΣ)/B), Σ the covariance of one example's gradient
    small = dd.least_squares(X[:7], Y[:7])
    H = small.hess(small.x_star)
    theta = np.array([0.3, -1.2])
    G = np.array([small.batch_grad(theta, [i]) for i in range(7)])
    g = G.mean(axis=0)
    Sigma = (G - g).T @ (G - g) / 7
    for B in (1, 2, 3):
        for eta in (0.05, 0.4):
            closed = small.f(theta) - eta * g @ g + 0.5 * eta**2 * (g @ H @ g + np.trace(H @ Sigma) / B)
            assert stochastic.expected_step_loss(small, theta, eta, B) == pytest.approx(closed, rel=1e-12)
    assert stochastic.expected_step_loss(small, theta, 0.0) == pytest.approx(small.f(theta))


def test_expected_step_loss_bad_input():
    with pytest.raises(ValueError, match="enumerate"):
        stochastic.expected_step_loss(LINE, [0.0, 0.0], 0.1, batch_size=3)
    with pytest.raises(ValueError, match="eta"):
        stochastic.expected_step_loss(LINE, [0.0, 0.0], -0.1)
    with pytest.raises(ValueError, match="batch_grad"):
        stochastic.expected_step_loss(dd.rosenbrock(), [0.0, 0.0], 0.1)
