"""descend.practice (chapter 11): the digits classifier, L2 against decoupled decay, training with
early stopping, the learning-rate range test and the tuned comparison."""

import math

import numpy as np
import pytest

import descend as dd
from descend import practice as P

DIGITS = dd.data.digits()
TR, VA, TE = DIGITS


@pytest.fixture(scope="module")
def small():
    """Softmax regression and a small MLP on 200 training digits: fast, and real data."""
    return TR.images[:200], TR.labels[:200]


@pytest.mark.parametrize("hidden, activation", [(0, "relu"), (7, "relu"), (7, "tanh")])
def test_gradient_matches_finite_differences(small, hidden, activation):
    images, labels = small
    net = P.MLP(hidden=hidden, activation=activation)
    problem = net.problem(images, labels)
    rng = np.random.default_rng(3)
    for seed in range(3):
        theta = net.init(seed) + 0.1 * rng.normal(size=net.dim)     # biases away from 0 too
        assert dd.check_grad(problem.f, problem.grad, theta) < 1e-6
        assert np.array_equal(problem.grad(theta), net.grad(theta, images, labels))


def test_a_wrong_gradient_is_caught(small):
    images, labels = small
    net = P.MLP(hidden=5)
    problem = net.problem(images, labels)
    theta = net.init(0)
    wrong = lambda t: problem.grad(t) * np.r_[np.ones(net.dim - 1), 2.0]   # one bias doubled
    assert dd.check_grad(problem.f, wrong, theta) > 1e-3


def test_batch_gradient_is_the_gradient_over_the_batch(small):
    images, labels = small
    net = P.MLP(hidden=6, activation="tanh")
    problem = net.problem(images, labels)
    theta, idx = net.init(1), np.array([3, 17, 40, 41, 199])
    assert np.allclose(problem.batch_grad(theta, idx), net.grad(theta, images[idx], labels[idx]), rtol=0, atol=1e-15)
    assert math.isclose(problem.f(theta), net.loss(theta, images, labels), rel_tol=1e-15)


def test_loss_is_cross_entropy_of_the_scores(small):
    images, labels = small
    net = P.MLP(hidden=4)
    theta = net.init(2)
    s = net.scores(theta, images)
    expected = np.mean(np.log(np.exp(s).sum(1)) - s[np.arange(len(labels)), labels])
    assert math.isclose(net.loss(theta, images, labels), expected, rel_tol=1e-12)
    assert net.accuracy(theta, images, labels) == np.mean(s.argmax(1) == labels)


def test_layout_and_softmax_regression():
    net = P.MLP(hidden=0)
    W, b = net.unpack(np.arange(net.dim, dtype=float))
    assert W.shape == (10, 64) and b.shape == (10,) and W[1, 0] == 64 and b[0] == 640
    x = np.zeros((1, 8, 8)); x[0, 0, 1] = 1.0
    theta = np.zeros(net.dim); theta[3 * 64 + 1] = 5.0               # class 3 likes pixel 1
    assert net.predict(theta, x).tolist() == [3]
    assert P.MLP(hidden=32).dim == 32 * 64 + 32 + 10 * 32 + 10


def test_init_scales():
    d = 64
    W1, b1, W2, b2 = P.MLP(hidden=4000).unpack(P.MLP(hidden=4000).init(0))
    assert abs(W1.var() * d / 2 - 1) < 0.02 and abs(W1.mean()) < 0.01          # He: variance 2/d
    assert not b1.any() and not b2.any()
    r = math.sqrt(6 / (4000 + 10))
    assert np.abs(W2).max() <= r and np.abs(W2).max() > 0.99 * r                # Glorot uniform
    T1 = P.MLP(hidden=4000, activation="tanh").unpack(P.MLP(hidden=4000, activation="tanh").init(0))[0]
    r1 = math.sqrt(6 / (d + 4000))
    assert np.abs(T1).max() <= r1 and abs(T1.var() / (r1**2 / 3) - 1) < 0.02
    net = P.MLP(hidden=8)
    assert np.array_equal(net.init(5), net.init(5)) and not np.array_equal(net.init(5), net.init(6))


def test_he_keeps_the_mean_square_through_relu_layers():
    # the reason for He's 2/d: E[relu(z)^2] = Var(z)/2 for symmetric z
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2000, 256))
    for _ in range(10):
        W = P.MLP(hidden=256, inputs=256).unpack(P.MLP(hidden=256, inputs=256).init(int(rng.integers(1000))))[0]
        x = np.maximum(x @ W.T, 0.0)
    assert 0.5 < np.mean(x**2) < 2.0


@pytest.mark.parametrize("kwargs, match", [
    (dict(hidden=-1), "hidden"), (dict(activation="sigmoid"), "activation"),
    (dict(classes=1), "classes"), (dict(inputs=0), "inputs"), (dict(hidden=2.5), "hidden")])
def test_mlp_rejects_bad_settings(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        P.MLP(**kwargs)


def test_mlp_rejects_bad_data(small):
    images, labels = small
    net = P.MLP(hidden=3)
    with pytest.raises(ValueError, match="theta"):
        net.loss(np.zeros(5), images, labels)
    with pytest.raises(ValueError, match="pixels"):
        net.loss(net.init(0), images[:, :4, :4], labels)
    with pytest.raises(ValueError, match="labels"):
        net.loss(net.init(0), images, labels + 10)
    with pytest.raises(ValueError, match="labels"):
        net.problem(images, labels[:-1])
    with pytest.raises(ValueError, match="finite"):
        net.loss(net.init(0), np.full_like(images, np.nan), labels)
    with pytest.raises(ValueError, match="images"):
        net.loss(net.init(0), np.zeros((0, 8, 8)), labels[:0])


# ----------------------------------------------------------------- L2 and decoupled decay


def test_l2_adds_the_penalty_and_its_gradient(small):
    problem = P.MLP(hidden=0).problem(*small)
    theta = P.MLP(hidden=0).init(0) + 0.3
    pen = P.l2(problem, 0.7)
    assert math.isclose(pen.f(theta), problem.f(theta) + 0.35 * theta @ theta, rel_tol=1e-14)
    assert dd.check_grad(pen.f, pen.grad, theta) < 1e-6
    idx = np.arange(10)
    assert np.allclose(pen.batch_grad(theta, idx), problem.batch_grad(theta, idx) + 0.7 * theta, atol=1e-15)
    with pytest.raises(ValueError, match="lam"):
        P.l2(problem, -1.0)
    with pytest.raises(TypeError, match="problem"):
        P.l2(lambda x: x, 1.0)


@pytest.mark.parametrize("eta", [0.5, dd.cosine_annealing(0.5, steps=30)])
def test_l2_and_decoupled_decay_coincide_for_gradient_descent(small, eta):
    net = P.MLP(hidden=5)
    problem, lam = net.problem(*small), 0.05
    a = dd.run(dd.gd(eta=eta), P.l2(problem, lam), net.init(0), 40, batch_size=20, seed=1)
    b = dd.run(P.decoupled(dd.gd(eta=eta), eta, lam), problem, net.init(0), 40, batch_size=20, seed=1)
    assert np.abs(a.xs - b.xs).max() < 1e-13 * np.abs(a.xs).max()
    c = dd.run(dd.gd(eta=eta), problem, net.init(0), 40, batch_size=20, seed=1)
    assert np.abs(a.xs - c.xs).max() > 1e-3         # the decay does act


def test_decoupled_adam_is_adamw_and_differs_from_l2(small):
    net = P.MLP(hidden=5)
    problem, lam, eta = net.problem(*small), 0.1, 0.01
    w = dd.run(dd.adamw(eta=eta, weight_decay=lam), problem, net.init(0), 40, batch_size=20, seed=1)
    d = dd.run(P.decoupled(dd.adam(eta=eta), eta, lam), problem, net.init(0), 40, batch_size=20, seed=1)
    assert np.abs(w.xs - d.xs).max() < 1e-14
    l2 = dd.run(dd.adam(eta=eta), P.l2(problem, lam), net.init(0), 40, batch_size=20, seed=1)
    assert np.abs(l2.xs - w.xs).max() > 1e-3


def test_decoupled_rejects_bad_input():
    with pytest.raises(TypeError, match="opt"):
        P.decoupled("adam", 0.1, 0.1)
    with pytest.raises(ValueError, match="eta"):
        P.decoupled(dd.gd(0.1), -0.1, 0.1)
    with pytest.raises(ValueError, match="weight_decay"):
        P.decoupled(dd.gd(0.1), 0.1, -0.1)
    opt = P.decoupled(dd.gd(0.1), 0.1, 0.1)
    with pytest.raises(ValueError, match="weights"):
        opt.update(np.ones(2), opt.init(np.ones(2)))


# ----------------------------------------------------------------- training with early stopping


@pytest.fixture(scope="module")
def digits_problems():
    net = P.MLP(hidden=0)
    return net, net.problem(TR.images, TR.labels), net.problem(VA.images, VA.labels)


def test_train_takes_the_steps_of_run(digits_problems):
    net, problem, val = digits_problems
    out = P.train(dd.adam(eta=0.05), problem, net.init(0), 3, batch_size=50, validation=val, seed=4)
    trace = dd.run(dd.adam(eta=0.05), problem, net.init(0), 3 * out.steps_per_epoch, batch_size=50, seed=4)
    assert out.steps_per_epoch == 22 and out.epochs == 3
    assert np.array_equal(out.theta, trace.x)
    assert np.array_equal(out.state.v, trace.state.v) and out.state.t == trace.state.t == 66
    assert out.train_loss[-1] == problem.f(trace.x) and out.val_loss[0] == val.f(net.init(0))
    assert math.isnan(out.val_score[0])
    quick = P.train(dd.adam(eta=0.05), problem, net.init(0), 3, batch_size=50, validation=val, seed=4,
                    track_train=False)
    assert np.all(np.isnan(quick.train_loss)) and np.array_equal(quick.val_loss, out.val_loss)
    assert np.array_equal(quick.theta, out.theta)


def test_best_epoch_and_patience(digits_problems):
    net, problem, val = digits_problems
    acc = lambda t: net.accuracy(t, VA.images, VA.labels)
    full = P.train(dd.adam(eta=0.1), problem, net.init(0), 25, batch_size=32, validation=val, score=acc)
    assert full.epochs == 25 and not full.diverged
    assert full.best_epoch == int(np.argmin(full.val_loss))
    assert math.isclose(val.f(full.theta_best), full.val_loss[full.best_epoch], rel_tol=1e-15)
    assert full.val_score[full.best_epoch] == acc(full.theta_best)
    # the patience rule, computed from the full run's curve: the first epoch 3 after the best so far
    first_best = [int(np.argmin(full.val_loss[:k + 1])) for k in range(26)]
    stop = next(k for k in range(26) if k - first_best[k] == 3)
    assert stop < 25                                   # so this run does stop early
    stopped = P.train(dd.adam(eta=0.1), problem, net.init(0), 25, batch_size=32, validation=val, patience=3)
    assert stopped.epochs == stop and stopped.best_epoch == first_best[stop]
    assert np.array_equal(stopped.val_loss, full.val_loss[:stop + 1])
    assert np.array_equal(val.f(stopped.theta_best), full.val_loss[stopped.best_epoch])


def test_train_reports_divergence():
    X, y = dd.data.regression(n=100)
    ls = dd.least_squares(X, y)
    lam_max = np.linalg.eigvalsh(X.T @ X / 100).max()
    out = P.train(dd.gd(eta=50 / lam_max), ls, [0.0, 0.0], 500, batch_size=100, validation=ls)
    assert out.diverged and out.epochs < 500
    assert np.all(np.isfinite(out.val_loss)) and len(out.val_loss) == out.epochs + 1
    ok = P.train(dd.gd(eta=1 / lam_max), ls, [0.0, 0.0], 20, batch_size=100, validation=ls)
    assert not ok.diverged and ok.best_epoch == 20


def test_train_rejects_bad_input(digits_problems):
    net, problem, val = digits_problems
    x0 = net.init(0)
    with pytest.raises(TypeError, match="opt"):
        P.train("sgd", problem, x0, 2, batch_size=8, validation=val)
    with pytest.raises(TypeError, match="validation"):
        P.train(dd.gd(0.1), problem, x0, 2, batch_size=8, validation=None)
    with pytest.raises(ValueError, match="batch_size"):
        P.train(dd.gd(0.1), problem, x0, 2, batch_size=5000, validation=val)
    with pytest.raises(ValueError, match="patience"):
        P.train(dd.gd(0.1), problem, x0, 2, batch_size=8, validation=val, patience=0)
    with pytest.raises(ValueError, match="epochs"):
        P.train(dd.gd(0.1), problem, x0, 0, batch_size=8, validation=val)
    with pytest.raises(ValueError, match="x0"):
        P.train(dd.gd(0.1), problem, x0[:-1], 2, batch_size=8, validation=val)
    with pytest.raises(ValueError, match="batch_grad"):
        P.train(dd.gd(0.1), dd.rosenbrock(), [0.0, 0.0], 2, batch_size=1, validation=dd.rosenbrock())
    with pytest.raises(ValueError, match="dimension"):
        P.train(dd.gd(0.1), problem, x0, 2, batch_size=8, validation=dd.rosenbrock())


# ----------------------------------------------------------------- the range test


def test_exponential_rates():
    s = P.exponential_rates(1e-4, 1.0, steps=9)
    rates = np.array([s(t) for t in range(12)])
    assert math.isclose(rates[0], 1e-4) and math.isclose(rates[8], 1.0, rel_tol=1e-12)
    assert np.allclose(rates[1:9] / rates[:8], 10 ** 0.5, rtol=1e-12) and np.all(rates[8:] == rates[8])
    with pytest.raises(ValueError, match="eta_max"):
        P.exponential_rates(1.0, 0.5, 10)
    with pytest.raises(ValueError, match="steps"):
        P.exponential_rates(0.1, 1.0, 1)


def test_range_test_on_least_squares_stops_beyond_the_stable_rates():
    X, y = dd.data.regression(n=200, d=3, seed=2)
    ls = dd.least_squares(X, y)
    edge = 2 / np.linalg.eigvalsh(ls.hess(np.zeros(ls.dim))).max()          # GD diverges above this rate
    rt = P.lr_range_test(lambda eta: dd.gd(eta=eta), ls, np.zeros(ls.dim), eta_min=1e-4, eta_max=1e3,
                         steps=200, batch_size=200)
    assert rt.stopped and rt.etas[-1] > edge
    below = rt.etas < edge                           # full-batch GD below 2/λ_max lowers the loss at every step
    assert below.sum() > 90 and np.all(np.diff(rt.losses[below]) < 0)
    assert rt.losses[-1] > rt.losses[below][-1] and rt.steepest < rt.minimum
    s = P.exponential_rates(1e-4, 1e3, 200)
    assert np.allclose(rt.etas, [s(t) for t in range(len(rt.etas))], rtol=1e-14)
    assert np.allclose(rt.smoothed, dd.decaying_average(rt.losses, 0.8, bias_correction=True), rtol=1e-14)
    assert rt.smoothed[-1] > 4 * rt.smoothed[:-1].min() and np.all(rt.smoothed[:-1] <= 4 * np.minimum.accumulate(rt.smoothed[:-1]))


def test_range_test_that_never_diverges_runs_every_step():
    X, y = dd.data.regression(n=50, seed=1)
    rt = P.lr_range_test(lambda eta: dd.gd(eta=eta), dd.least_squares(X, y), [0.0, 0.0],
                         eta_min=1e-5, eta_max=1e-2, steps=30, batch_size=10, beta=0.0)
    assert not rt.stopped and len(rt.etas) == 30 and np.array_equal(rt.smoothed, rt.losses)


def test_range_test_rejects_bad_input(digits_problems):
    net, problem, _ = digits_problems
    with pytest.raises(TypeError, match="make_opt"):
        P.lr_range_test(lambda eta: None, problem, net.init(0), batch_size=8)
    with pytest.raises(ValueError, match="stop"):
        P.lr_range_test(lambda eta: dd.gd(eta), problem, net.init(0), batch_size=8, stop=1.0)
    with pytest.raises(ValueError, match="beta"):
        P.lr_range_test(lambda eta: dd.gd(eta), problem, net.init(0), batch_size=8, beta=1.0)
    X, y = dd.data.regression(n=50, seed=1)
    with pytest.raises(ValueError, match="eta_min"):
        P.lr_range_test(lambda eta: dd.gd(eta), dd.least_squares(X, y), [0.0, 0.0], batch_size=50,
                        eta_min=1e6, eta_max=1e9)


# ----------------------------------------------------------------- the comparison


def test_compare_tunes_on_one_seed_and_reports_others(digits_problems):
    net, problem, val = digits_problems
    test = lambda t: net.accuracy(t, TE.images, TE.labels)
    grid = [1e-3, 0.3, 30.0]
    c = P.compare(lambda eta: dd.gd(eta=eta), problem, val, net.init, grid, epochs=4, batch_size=64,
                  seeds=(1, 2, 3), test=test)
    assert c.eta == 0.3 and c.grid_val_loss[1] < min(c.grid_val_loss[0], c.grid_val_loss[2])
    for k, run in enumerate(c.runs):
        own = P.train(dd.gd(eta=0.3), problem, net.init(k + 1), 4, batch_size=64, validation=val, seed=k + 1)
        assert np.array_equal(run.theta_best, own.theta_best)
        assert c.test_score[k] == test(run.theta_best) and c.val_loss[k] == own.val_loss.min()
    tuned = P.train(dd.gd(eta=0.3), problem, net.init(0), 4, batch_size=64, validation=val, seed=0)
    assert c.grid_val_loss[1] == tuned.val_loss.min()
    assert np.all(np.isnan(c.val_score))


def test_compare_rejects_bad_input(digits_problems):
    net, problem, val = digits_problems
    mk = lambda eta: dd.gd(eta=eta)
    with pytest.raises(ValueError, match="seeds"):
        P.compare(mk, problem, val, net.init, [0.1], epochs=1, batch_size=64, seeds=(1,))
    with pytest.raises(ValueError, match="etas"):
        P.compare(mk, problem, val, net.init, [0.1, -1.0], epochs=1, batch_size=64)
    X, y = dd.data.regression(n=50, seed=1)
    ls = dd.least_squares(X, y)
    with pytest.raises(ValueError, match="diverged"):
        P.compare(mk, ls, ls, lambda s: np.zeros(2), [1e6], epochs=60, batch_size=50)
    c = P.compare(mk, ls, ls, lambda s: np.zeros(2), [0.1, 1e6], epochs=60, batch_size=50)
    assert c.grid_val_loss[1] == math.inf and c.eta == 0.1


def test_decoupled_reads_or_checks_the_rate_of_opt():
    x, g = np.array([2.0]), np.array([3.0])
    implicit = P.decoupled(dd.gd(eta=0.1), None, 0.5)
    step, _ = implicit.update(g, implicit.init(x), x)
    assert step[0] == pytest.approx(-0.1 * 3 - 0.1 * 0.5 * 2, rel=1e-15)
    with pytest.raises(ValueError, match="eta must be the learning rate of opt"):
        P.decoupled(dd.gd(eta=0.1), 0.2, 0.5)
    rate = dd.cosine_annealing(0.1, steps=10)
    P.decoupled(dd.gd(eta=rate), rate, 0.5)                       # the same schedule: fine
    with pytest.raises(ValueError, match="eta must be the learning rate of opt"):
        P.decoupled(dd.gd(eta=rate), dd.cosine_annealing(0.1, steps=20), 0.5)
    with pytest.raises(ValueError, match="eta must be the learning rate of opt"):
        P.decoupled(dd.gd(eta=rate), 0.1, 0.5)


def test_l2_decay_rates_match_adams_step_with_beta1_zero(small):
    net = P.MLP(hidden=7)
    problem = net.problem(*small)
    lam, eta = 0.05, 0.01
    for beta2, eps in [(0.999, 1e-8), (0.9, 1e-3)]:
        opt = dd.adam(eta=eta, beta1=0.0, beta2=beta2, eps=eps)
        x = net.init(0)
        state = opt.init(x)
        for _ in range(3):
            g = problem.grad(x)
            step, state = opt.update(g + lam * x, state, x)
            rates = P.l2_decay_rates(state, lam, opt)
            plain = -eta * g * rates / lam                          # −η g/(√v̂ + ε)
            np.testing.assert_allclose(step, plain - eta * rates * x, rtol=1e-10, atol=1e-15)
            x = x + step
    with pytest.raises(TypeError, match="opt"):
        P.l2_decay_rates(state, lam, dd.gd(eta=0.1))
    with pytest.raises(ValueError, match="weight_decay"):
        P.l2_decay_rates(state, -1.0, opt)
    with pytest.raises(ValueError, match="state"):
        P.l2_decay_rates(opt.init(x), lam, opt)
