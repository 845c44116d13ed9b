"""Chapter 5's tools: the regression data, mini-batch gradient draws, batch timing, loss by epoch."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import descend as dd  # noqa: E402

X, Y = dd.data.regression(n=400, seed=3)
LINE = dd.least_squares(X, Y)


# ------------------------------------------------------------------ data.regression

def test_regression_shapes_reproducible_and_near_the_true_line():
    X1, y1 = dd.data.regression(n=3000, seed=1)
    X2, y2 = dd.data.regression(n=3000, seed=1)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert X1.shape == (3000, 2) and y1.shape == (3000,)
    np.testing.assert_array_equal(X1[:, -1], 1.0)
    theta = np.linalg.lstsq(X1, y1, rcond=None)[0]
    np.testing.assert_allclose(theta, [2.0, -1.0], atol=0.1)
    assert abs(X1[:, 0].mean() - 1.5) < 0.05 and abs(X1[:, 0].std() - 1.0) < 0.05
    assert not np.array_equal(dd.data.regression(n=50, seed=2)[1], dd.data.regression(n=50, seed=3)[1])


def test_regression_without_noise_is_exact_and_has_d_features():
    X, y = dd.data.regression(n=100, d=5, noise=0.0, seed=0)
    assert X.shape == (100, 6)
    np.testing.assert_allclose(X @ np.r_[np.full(5, 2.0), -1.0], y, rtol=1e-12)


@pytest.mark.parametrize("kwargs, error", [
    (dict(n=1), ValueError), (dict(d=0), ValueError), (dict(noise=-1.0), ValueError),
    (dict(seed=-1), ValueError), (dict(n=10.5), TypeError),
])
def test_regression_bad_input(kwargs, error):
    with pytest.raises(error):
        dd.data.regression(**kwargs)


# ------------------------------------------------------------------ batch_gradients

def test_batch_gradients_are_unbiased_with_standard_error_sigma_over_root_b():
    theta = np.array([0.3, -0.4])
    full = LINE.grad(theta)
    per_example = np.array([LINE.batch_grad(theta, [i]) for i in range(400)])
    sigma = np.sqrt(np.mean(np.sum((per_example - full) ** 2, axis=1)))
    for B in (1, 16):
        g = dd.batch_gradients(LINE, theta, B, draws=3000, seed=B)
        assert g.shape == (3000, 2)
        assert np.linalg.norm(g.mean(axis=0) - full) < 4 * sigma / np.sqrt(B * 3000)
        se = np.sqrt(np.mean(np.sum((g - full) ** 2, axis=1)))
        assert se == pytest.approx(sigma / np.sqrt(B), rel=0.08)


def test_without_replacement_has_the_finite_population_correction():
    theta = np.array([1.0, 0.0])
    full = LINE.grad(theta)
    per_example = np.array([LINE.batch_grad(theta, [i]) for i in range(400)])
    sigma = np.sqrt(np.mean(np.sum((per_example - full) ** 2, axis=1)))
    g = dd.batch_gradients(LINE, theta, 200, draws=2000, replace=False, seed=0)
    se = np.sqrt(np.mean(np.sum((g - full) ** 2, axis=1)))
    assert se == pytest.approx(sigma / np.sqrt(200) * np.sqrt(200 / 399), rel=0.08)
    # the whole data set, without replacement, is the full gradient at every draw
    np.testing.assert_allclose(dd.batch_gradients(LINE, theta, 400, draws=3, replace=False),
                               np.tile(full, (3, 1)), rtol=1e-12)


def test_batch_gradients_are_reproducible():
    a = dd.batch_gradients(LINE, [0.0, 0.0], 8, draws=5, seed=4)
    b = dd.batch_gradients(LINE, [0.0, 0.0], 8, draws=5, seed=4)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("call, error, match", [
    (lambda: dd.batch_gradients(dd.rosenbrock(), [0.0, 0.0], 1), ValueError, "batch_grad"),
    (lambda: dd.batch_gradients("line", [0.0, 0.0], 1), TypeError, "problem"),
    (lambda: dd.batch_gradients(LINE, [0.0, 0.0], 0), ValueError, "batch_size"),
    (lambda: dd.batch_gradients(LINE, [0.0, 0.0], 401, replace=False), ValueError, "batch_size"),
    (lambda: dd.batch_gradients(LINE, [0.0, 0.0], 2, draws=0), ValueError, "draws"),
    (lambda: dd.batch_gradients(LINE, [0.0], 2), ValueError, "x"),
    (lambda: dd.batch_gradients(LINE, [0.0, 0.0], 2, replace="yes"), TypeError, "replace"),
])
def test_batch_gradients_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ------------------------------------------------------------------ time_batch_grad

def test_time_per_example_falls_with_the_batch_size():
    Xw, yw = dd.data.regression(n=1024, d=30, seed=0)
    wide = dd.least_squares(Xw, yw)
    sizes = np.array([1, 256])
    seconds = dd.time_batch_grad(wide, np.zeros(31), sizes, repeats=5, min_time=1e-3)
    assert seconds.shape == (2,) and np.all(seconds > 0)
    assert seconds[1] / 256 < seconds[0] / 3


@pytest.mark.parametrize("kwargs, error", [
    (dict(batch_sizes=[0]), ValueError), (dict(batch_sizes=[401]), ValueError),
    (dict(batch_sizes=[1.5]), TypeError), (dict(batch_sizes=[1], repeats=0), ValueError),
    (dict(batch_sizes=[1], min_time=0.0), ValueError),
])
def test_time_batch_grad_bad_input(kwargs, error):
    with pytest.raises(error):
        dd.time_batch_grad(LINE, [0.0, 0.0], **kwargs)


# ------------------------------------------------------------------ plot.loss_by_epoch

def test_loss_by_epoch_puts_epochs_on_the_x_axis():
    sgd = dd.run(dd.gd(eta=0.01), LINE, [0.0, 0.0], steps=30, batch_size=40)
    full = dd.run(dd.gd(eta=0.01), LINE, [0.0, 0.0], steps=3)
    ax = dd.plot.loss_by_epoch([sgd, full], f_star=LINE.f_star, labels=["sgd", "gd"])
    np.testing.assert_allclose(ax.lines[0].get_xdata(), sgd.epochs)
    np.testing.assert_allclose(ax.lines[0].get_xdata()[-1], 3.0)
    np.testing.assert_allclose(ax.lines[1].get_xdata(), [0, 1, 2, 3])   # full batch: a pass per step
    np.testing.assert_allclose(ax.lines[0].get_ydata(), sgd.fs - LINE.f_star)
    assert ax.get_yscale() == "log" and "epochs" in ax.get_xlabel()
    plt.close(ax.figure)


def test_loss_by_epoch_marks_a_diverged_run():
    blown = dd.run(dd.gd(eta=50.0), LINE, [0.0, 0.0], steps=500, batch_size=40)
    assert blown.diverged
    ax = dd.plot.loss_by_epoch(blown)
    assert any("diverged" in t.get_text() for t in ax.texts)
    plt.close(ax.figure)


def test_least_squares_on_a_grid_matches_pointwise():
    grid = np.random.default_rng(0).normal(size=(2, 6, 4)) * 3
    pointwise = np.array([[LINE.f(grid[:, a, b]) for b in range(4)] for a in range(6)])
    np.testing.assert_allclose(LINE.f(grid), pointwise, rtol=1e-12)
    g = np.array([[LINE.grad(grid[:, a, b]) for b in range(4)] for a in range(6)])   # (6, 4, 2)
    np.testing.assert_allclose(LINE.grad(grid), np.transpose(g, (2, 0, 1)), rtol=1e-10, atol=1e-12)


def test_loss_by_epoch_smooths_over_a_width_in_epochs():
    sgd = dd.run(dd.gd(eta=0.05), LINE, [0.0, 0.0], steps=400, batch_size=4, seed=1)   # 100 steps an epoch
    ax = dd.plot.loss_by_epoch(sgd, smooth=0.1)
    x, y = ax.lines[0].get_xdata(), ax.lines[0].get_ydata()
    assert len(y) == 401 - 10 + 1
    np.testing.assert_allclose(y[0], sgd.fs[:10].mean())
    np.testing.assert_allclose(x[0], sgd.epochs[9])
    full = dd.run(dd.gd(eta=0.05), LINE, [0.0, 0.0], steps=5)       # a pass per step: left as it is
    ax2 = dd.plot.loss_by_epoch(full, smooth=0.1)
    np.testing.assert_allclose(ax2.lines[0].get_ydata(), full.fs)
    with pytest.raises(ValueError, match="smooth"):
        dd.plot.loss_by_epoch(full, smooth=0.0)
    plt.close("all")


# ------------------------------------------------------------------ exact moments and noise floors

def _simulate_sgd(X, y, x0, etas, B, replace, chains, seed):
    """Independent mini-batch SGD on least squares, many chains at once (rows of the result)."""
    rng = np.random.default_rng(seed)
    n = len(y)
    theta = np.tile(np.asarray(x0, float), (chains, 1))
    for eta in etas:
        if replace:
            idx = rng.integers(0, n, size=(chains, B))
        else:
            idx = np.argsort(rng.random((chains, n)), axis=1)[:, :B]
        Xb, yb = X[idx], y[idx]
        residual = np.einsum("cbd,cd->cb", Xb, theta) - yb
        theta = theta - eta * np.einsum("cb,cbd->cd", residual, Xb) / B
    return theta


@pytest.mark.parametrize("replace", [True, False])
def test_sgd_moments_match_a_simulation_within_four_standard_errors(replace):
    Xs, ys = dd.data.regression(n=12, seed=5)
    x_star = np.linalg.lstsq(Xs, ys, rcond=None)[0]
    # start near θ*, so that the noise, not the mean, makes up the second moment: the test then
    # tells sampling with replacement from without (their moments differ by 15 to 18 SE here)
    x0, etas, B, chains = x_star + [0.3, -0.2], [0.15] * 10 + [0.05] * 10, 3, 40_000
    mom = dd.stochastic.sgd_moments(Xs, ys, x0, etas, B, replace=replace)
    e = _simulate_sgd(Xs, ys, x0, etas, B, replace, chains, seed=1) - x_star
    # mean: each component within 4 standard errors
    z_mean = (e.mean(axis=0) - mom.mean[-1]) / (e.std(axis=0, ddof=1) / np.sqrt(chains))
    assert np.all(np.abs(z_mean) < 4)
    # second moment: each entry, with the standard error of a mean of products
    products = np.einsum("ca,cb->cab", e, e)
    z_second = (products.mean(axis=0) - mom.second[-1]) / (products.std(axis=0, ddof=1) / np.sqrt(chains))
    assert np.all(np.abs(z_second) < 4)
    H = Xs.T @ Xs / len(ys)
    np.testing.assert_allclose(mom.excess, 0.5 * np.einsum("ab,tba->t", H, mom.second), rtol=1e-12)


def test_sgd_moments_without_noise_is_gradient_descent_and_the_floor_is_the_fixed_point():
    p = dd.least_squares(X, Y)
    # B = N distinct examples: the batch is the data set, so the moments follow plain GD
    mom = dd.stochastic.sgd_moments(X, Y, [0.0, 0.0], [0.2] * 30, batch_size=400, replace=False)
    trace = dd.run(dd.gd(eta=0.2), p, [0.0, 0.0], steps=30)
    np.testing.assert_allclose(mom.mean, trace.xs - p.x_star, atol=1e-12)
    np.testing.assert_allclose(mom.excess, trace.fs - p.f_star, atol=1e-12)
    # a constant η from θ* or from afar: the excess loss settles at sgd_noise_floor
    eta, B = 0.05, 4
    for replace in (True, False):
        floor = dd.stochastic.sgd_noise_floor(X, Y, eta, B, replace=replace)
        from_star = dd.stochastic.sgd_moments(X, Y, p.x_star, [eta] * 6000, B, replace=replace)
        from_far = dd.stochastic.sgd_moments(X, Y, [-3.0, 4.0], [eta] * 6000, B, replace=replace)
        assert from_star.excess[-1] == pytest.approx(floor, rel=1e-10)
        assert from_far.excess[-1] == pytest.approx(floor, rel=1e-10)
        assert np.all(np.diff(from_star.excess) >= -1e-15)     # from θ*, the excess only grows
    # ... and lies above the additive-noise floor, which ignores the noise that grows with e
    r = X @ p.x_star - Y
    C = (X.T * r**2) @ X / len(Y)
    additive = dd.stochastic.additive_noise_floor(p.hess(p.x_star), C, eta, B)
    assert dd.stochastic.sgd_noise_floor(X, Y, eta, B) > additive > eta * np.trace(C) / (4 * B)
    # without replacement the floor is lower; a batch of all N examples has no noise at all
    assert dd.stochastic.sgd_noise_floor(X, Y, eta, B, replace=False) < dd.stochastic.sgd_noise_floor(X, Y, eta, B)
    assert dd.stochastic.sgd_noise_floor(X, Y, eta, 400, replace=False) == pytest.approx(0, abs=1e-15)


def test_additive_noise_floor_of_sgd_has_a_closed_form():
    rng = np.random.default_rng(2)
    for _ in range(5):
        Q, _r = np.linalg.qr(rng.normal(size=(3, 3)))
        lam = rng.uniform(0.2, 3.0, size=3)
        H = Q @ np.diag(lam) @ Q.T
        G = rng.normal(size=(3, 3))
        C = G @ G.T
        eta, B = rng.uniform(0.05, 1.9 / lam.max()), int(rng.integers(1, 20))
        c = np.einsum("ij,jk,ki->i", Q.T, C, Q)            # u_jᵀ C u_j
        closed = eta / (4 * B) * np.sum(c / (1 - eta * lam / 2))
        assert dd.stochastic.additive_noise_floor(H, C, eta, B) == pytest.approx(closed, rel=1e-10)
        # β = 0 is plain SGD, for both momentum forms
        for nesterov in (False, True):
            assert dd.stochastic.additive_noise_floor(H, C, eta, B, beta=0.0, nesterov=nesterov) == \
                pytest.approx(closed, rel=1e-10)


@pytest.mark.parametrize("nesterov", [False, True])
def test_additive_noise_floor_of_momentum_matches_the_optimizers(nesterov):
    # simulate dd.momentum / dd.nesterov themselves on many chains with additive noise
    H, C, eta, beta, B = np.array([[2.0, 0.5], [0.5, 0.3]]), np.array([[1.0, 0.2], [0.2, 0.5]]), 0.05, 0.8, 2
    floor = dd.stochastic.additive_noise_floor(H, C, eta, B, beta=beta, nesterov=nesterov)
    opt = (dd.nesterov if nesterov else dd.momentum)(eta=eta, beta=beta)
    rng = np.random.default_rng(3)
    chains = 4000
    e = np.zeros((2, chains))
    state = opt.init(e)
    root = np.linalg.cholesky(C / B)
    for _ in range(1500):       # 1500 steps: far past the time the transient takes
        step, state = opt.update(H @ e + root @ rng.normal(size=(2, chains)), state, e)
        e = e + step
    excess = 0.5 * np.einsum("ic,ij,jc->c", e, H, e)      # one independent value per chain
    z = (excess.mean() - floor) / (excess.std(ddof=1) / np.sqrt(chains))
    assert abs(z) < 4


def test_sgd_moments_and_noise_floor_bad_input():
    with pytest.raises(ValueError, match="unstable"):
        dd.stochastic.additive_noise_floor(np.eye(2), np.eye(2), eta=2.5)
    with pytest.raises(ValueError, match="too large"):
        dd.stochastic.sgd_noise_floor(X, Y, eta=2.0, batch_size=1)
    with pytest.raises(ValueError, match="shape"):
        dd.stochastic.additive_noise_floor(np.eye(2), np.eye(3), eta=0.1)
    with pytest.raises(ValueError, match="at most"):
        dd.stochastic.sgd_moments(X, Y, [0.0, 0.0], [0.1], batch_size=401, replace=False)
    with pytest.raises(ValueError, match="etas"):
        dd.stochastic.sgd_moments(X, Y, [0.0, 0.0], [0.1, -0.1], batch_size=2)
    with pytest.raises(TypeError, match="replace"):
        dd.stochastic.sgd_moments(X, Y, [0.0, 0.0], [0.1], batch_size=2, replace="no")
