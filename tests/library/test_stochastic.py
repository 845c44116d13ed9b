"""Mini-batch gradients: unbiased, shuffled without replacement, reproducible, and the full batch is GD."""

import numpy as np
import pytest

import descend as dd

rng = np.random.default_rng(0)
X = np.column_stack([rng.normal(size=200), rng.normal(size=200), np.ones(200)])
y_reg = X @ [1.5, -0.5, 0.2] + 0.3 * rng.normal(size=200)
y_cls = (X @ [1.0, -2.0, 0.5] + rng.normal(size=200) > 0).astype(float)
PROBLEMS = {"least_squares": dd.least_squares(X, y_reg), "logistic": dd.logistic_regression(X, y_cls)}


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_batch_gradients_average_to_the_full_gradient(name):
    p = PROBLEMS[name]
    theta = np.array([0.3, -0.2, 0.1])
    full = p.grad(theta)
    np.testing.assert_allclose(p.batch_grad(theta, np.arange(200)), full, rtol=1e-12)
    # the gradients of the 20 disjoint batches of 10 average to the full gradient exactly
    parts = [p.batch_grad(theta, idx) for idx in np.arange(200).reshape(20, 10)]
    np.testing.assert_allclose(np.mean(parts, axis=0), full, rtol=1e-12)
    # and one example's gradient is that example's term
    i = 17
    single = p.batch_grad(theta, np.array([i]))
    assert not np.allclose(single, full)


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_analytic_derivatives(name):
    p = PROBLEMS[name]
    for theta in rng.normal(size=(5, 3)):
        assert dd.check_grad(p, None, theta) < 1e-6
        assert dd.check_hessian(p, None, theta) < 1e-5


def test_full_batch_is_gradient_descent():
    p = PROBLEMS["least_squares"]
    a = dd.run(dd.gd(eta=0.1), p, np.zeros(3), steps=20, batch_size=200)
    b = dd.run(dd.gd(eta=0.1), p, np.zeros(3), steps=20)
    np.testing.assert_allclose(a.xs, b.xs, rtol=1e-12)
    np.testing.assert_allclose(a.epochs, np.arange(21))
    assert b.epochs is None and b.batch_size is None


def test_epochs_count_examples_and_runs_are_reproducible():
    p = PROBLEMS["logistic"]
    a = dd.run(dd.momentum(eta=0.1, beta=0.9), p, np.zeros(3), steps=50, batch_size=32, seed=7)
    b = dd.run(dd.momentum(eta=0.1, beta=0.9), p, np.zeros(3), steps=50, batch_size=32, seed=7)
    c = dd.run(dd.momentum(eta=0.1, beta=0.9), p, np.zeros(3), steps=50, batch_size=32, seed=8)
    np.testing.assert_array_equal(a.xs, b.xs)
    assert not np.allclose(a.xs, c.xs)
    # 200 examples in batches of 32: six full batches and one of 8 make an epoch of 7 steps
    assert a.epochs[7] == pytest.approx(1.0) and a.epochs[6] == pytest.approx(192 / 200)
    assert a.epochs[-1] == pytest.approx(7 + (50 - 49) * 32 / 200)


def test_each_epoch_visits_every_example_once():
    from descend.run import _minibatches

    batches = _minibatches(10, 3, seed=0)
    epoch = [next(batches) for _ in range(4)]
    assert [len(b) for b in epoch] == [3, 3, 3, 1]
    assert sorted(np.concatenate(epoch).tolist()) == list(range(10))


def test_sgd_converges_near_the_minimum_with_a_decaying_rate():
    p = PROBLEMS["least_squares"]
    trace = dd.run(dd.gd(eta=dd.time_decay(0.05, 0.01)), p, np.zeros(3), steps=4000, batch_size=1, seed=0)
    assert trace.f - p.f_star < 1e-3 * (trace.fs[0] - p.f_star)


def test_logistic_minimum_and_separable_data():
    p = PROBLEMS["logistic"]
    assert np.linalg.norm(p.grad(p.x_star)) < 1e-10
    separable = dd.logistic_regression(np.column_stack([[-2.0, -1.0, 1.0, 2.0], np.ones(4)]), [0, 0, 1, 1])
    assert separable.x_star is None  # the loss keeps falling as ‖θ‖ grows


def test_later_norms_are_the_bits_of_every_step_on_paired_problems_and_models():
    """The same for problems whose loss and gradient come from one pass (logistic regression,
    d = 41; the MLP of chapter 10, with batch normalization), whose lazy run asks for the loss
    alone; and copies made before the first read compute the same norms."""
    import copy

    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 41))
    logistic = dd.logistic_regression(X, (X[:, 0] > 0).astype(float))
    mlp = dd.nn.deep_mlp_classifier(X[:, :6], np.arange(80) % 3, widths=(6, 5, 3), batch_norm=True)
    for problem, x0 in ((logistic, np.zeros(41)), (mlp, dd.nn.deep_mlp_init((6, 5, 3), batch_norm=True, seed=0))):
        later = dd.run(dd.adam(eta=0.05), problem, x0, 30, batch_size=9, seed=1)
        every = dd.run(dd.adam(eta=0.05), problem, x0, 30, batch_size=9, seed=1, tol=0.0)
        copies = [copy.copy(later), copy.deepcopy(later)]
        assert np.array_equal(later.fs, every.fs) and np.array_equal(later.xs, every.xs)
        for trace in [later, *copies]:
            assert trace.grad_norms.tobytes() == every.grad_norms.tobytes()


def test_a_minibatch_run_without_tol_does_not_stop_on_the_full_gradient():
    """As run's docstring says: a full gradient that is not finite, under a finite loss, stops a
    run that computes it at every step and is only a non-finite norm of one that does not."""
    def grad(x):
        return np.where(x[0] > 1.0, np.nan, x)                # NaN past x₀ = 1, the loss finite

    problem = dd.Problem(lambda x: 0.5 * float(x @ x), grad, None, dim=2, n_examples=4,
                         batch_grad=lambda x, idx: -np.ones(2))   # every step goes up by η
    later = dd.run(dd.gd(eta=0.3), problem, [0.05, 0.05], 6, batch_size=2)
    every = dd.run(dd.gd(eta=0.3), problem, [0.05, 0.05], 6, batch_size=2, tol=0.0)
    assert every.diverged and every.diverged_at == 4 and len(every.xs) == 4   # 1.25 > 1 at step 4
    assert not later.diverged and len(later.xs) == 7
    assert np.isfinite(later.grad_norms[:4]).all() and np.isnan(later.grad_norms[4:]).all()


def test_a_minibatch_run_computes_the_gradient_norms_when_they_are_read():
    """Without tol, no step of a mini-batch run needs the full gradient: the run evaluates only
    the full loss, and grad_norms, computed when first read, has the bits of a run that computes
    them at every step (tol=0 stops only at a zero gradient); pickling keeps the numbers."""
    import dataclasses
    import pickle

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = X @ [1.0, -2.0, 0.5] + rng.normal(size=60)
    calls, losses = [], []
    problem = dd.least_squares(X, y)
    counted = dataclasses.replace(problem, grad=lambda x: calls.append(1) or problem.grad(x),
                                  f=lambda x: losses.append(1) or problem.f(x))
    for opt in (dd.gd(eta=0.05), dd.adam(eta=0.1), dd.gd(eta=1e3)):   # the last one diverges
        calls.clear()
        losses.clear()
        later = dd.run(opt, counted, np.zeros(3), 200, batch_size=7, seed=3)
        assert len(calls) == 1                    # at x0 only, to check it is finite
        assert len(losses) == len(later.xs) + later.diverged   # the loss once an iterate
        losses.clear()
        every = dd.run(opt, problem, np.zeros(3), 200, batch_size=7, seed=3, tol=0.0)
        assert later.diverged == every.diverged == (opt.hyper["eta"] == 1e3)
        assert later.diverged_at == every.diverged_at
        assert np.array_equal(later.xs, every.xs) and np.array_equal(later.fs, every.fs)
        assert later.grad_norms.tobytes() == every.grad_norms.tobytes()
        assert len(calls) == len(later.xs)        # one full gradient a read iterate, once
        later.grad_norms
        assert len(calls) == len(later.xs)
        calls.clear()
        again = pickle.loads(pickle.dumps(dd.run(opt, counted, np.zeros(3), 20, batch_size=7)))
        assert again.grad_norms.tobytes() == dd.run(opt, problem, np.zeros(3), 20, batch_size=7,
                                                    tol=0.0).grad_norms.tobytes()
        calls.clear()


def test_the_mlp_of_chapter_10_gives_its_loss_without_a_backward_pass(monkeypatch):
    """deep_mlp_classifier's f at a new point makes the forward pass alone, so a mini-batch run
    without tol makes one backward pass a step, the mini-batch's (and one at x0)."""
    from descend import nn

    rng = np.random.default_rng(2)
    mlp = dd.nn.deep_mlp_classifier(rng.normal(size=(40, 6)), np.arange(40) % 3, widths=(6, 5, 3))
    passes, pass_ = [], nn._deep_mlp
    monkeypatch.setattr(nn, "_deep_mlp", lambda *a, grad: passes.append(grad) or pass_(*a, grad=grad))
    trace = dd.run(dd.gd(eta=0.1), mlp, dd.nn.deep_mlp_init((6, 5, 3), seed=0), 12, batch_size=8)
    assert passes.count(True) == 1 + 12 and passes.count(False) == 12 and not trace.diverged
