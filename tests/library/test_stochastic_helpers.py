"""Helpers that chapter 5's page calls: the batches of a run by epoch, skewness, bootstrap, measured SE."""

import itertools

import numpy as np
import pytest

import descend as dd
from descend import stochastic


@pytest.fixture(scope="module")
def small():
    X, y = dd.data.regression(n=10, seed=2)
    return dd.least_squares(X, y)


# --------------------------------------------------------------------------- run_by_epoch


def test_run_by_epoch_is_the_run_itself(small):
    trace, _ = stochastic.run_by_epoch(dd.momentum(eta=0.05), small, [0.5, -0.5], 17, batch_size=3, seed=4)
    plain = dd.run(dd.momentum(eta=0.05), small, [0.5, -0.5], 17, batch_size=3, seed=4)
    np.testing.assert_array_equal(trace.xs, plain.xs)
    np.testing.assert_array_equal(trace.epochs, plain.epochs)


@pytest.mark.parametrize("B", [1, 3, 4, 7, 10])
def test_run_by_epoch_counts_ceil_n_over_b_steps_and_every_example_once(small, B):
    steps_per_epoch = -(-10 // B)
    _, epochs = stochastic.run_by_epoch(dd.gd(eta=0.01), small, [0.0, 0.0], 3 * steps_per_epoch, batch_size=B)
    assert len(epochs) == 3
    for epoch in epochs:
        assert [len(b) for b in epoch] == [B] * (steps_per_epoch - 1) + [10 - (steps_per_epoch - 1) * B]
        assert sorted(np.concatenate(epoch).tolist()) == list(range(10))


def test_run_by_epoch_keeps_an_unfinished_epoch_and_no_empty_one(small):
    _, epochs = stochastic.run_by_epoch(dd.gd(eta=0.01), small, [0.0, 0.0], 5, batch_size=4)
    assert [[len(b) for b in e] for e in epochs] == [[4, 4, 2], [4, 4]]
    _, none = stochastic.run_by_epoch(dd.gd(eta=0.01), small, [0.0, 0.0], 0, batch_size=4)
    assert none == []


def test_run_by_epoch_drops_the_batch_of_a_step_that_overflowed(small):
    trace, epochs = stochastic.run_by_epoch(dd.gd(eta=1e3), small, [1.0, 1.0], 500, batch_size=4)
    assert trace.diverged
    assert sum(len(e) for e in epochs) == trace.steps


def test_run_by_epoch_needs_a_loss_over_examples():
    with pytest.raises(ValueError, match="batch_grad"):
        stochastic.run_by_epoch(dd.gd(eta=0.1), dd.quadratic([[1.0]]), [1.0], 3, batch_size=1)


# --------------------------------------------------------------------------- skewness


def test_skewness_by_hand():
    # values 0, 0, 0, 4: mean 1, deviations −1, −1, −1, 3, so μ₂ = 12/4 = 3 and μ₃ = 24/4 = 6
    assert stochastic.skewness([0.0, 0.0, 0.0, 4.0]) == pytest.approx(6 / 3**1.5, rel=1e-14)
    assert stochastic.skewness([-1.0, 0.0, 1.0]) == 0.0
    assert stochastic.skewness([0.0, 0.0, 0.0, -4.0]) == pytest.approx(-6 / 3**1.5, rel=1e-14)


@pytest.mark.parametrize("B", [2, 3, 4])
def test_skewness_of_a_mean_of_b_draws_is_gamma_over_root_b_exactly(B):
    values = np.array([0.0, 0.0, 1.0, 5.0])
    means = [np.mean(t) for t in itertools.product(values, repeat=B)]  # every B-tuple, equally likely
    assert stochastic.skewness(means) == pytest.approx(stochastic.skewness(values) / np.sqrt(B), rel=1e-12)


def test_skewness_along_an_axis_and_bad_input():
    x = np.random.default_rng(0).exponential(size=(3, 50))
    np.testing.assert_allclose(stochastic.skewness(x), [stochastic.skewness(r) for r in x], rtol=1e-14)
    np.testing.assert_allclose(stochastic.skewness(x.T, axis=0), stochastic.skewness(x), rtol=1e-14)
    with pytest.raises(ValueError, match="equal"):
        stochastic.skewness([2.0, 2.0, 2.0])
    with pytest.raises(ValueError, match="two"):
        stochastic.skewness([1.0])


# --------------------------------------------------------------------------- bootstrap_se


def test_bootstrap_se_of_a_mean_is_s_over_root_n():
    x = np.random.default_rng(5).normal(size=900)
    se = stochastic.bootstrap_se(np.mean, x, resamples=3000, seed=1)
    assert se == pytest.approx(x.std() / 30, rel=0.06)


def test_bootstrap_se_is_reproducible_resamples_rows_and_rejects_bad_input():
    x = np.random.default_rng(6).normal(size=(40, 2))
    a = stochastic.bootstrap_se(lambda r: r[:, 0].mean() - r[:, 1].mean(), x, seed=3)
    assert a == stochastic.bootstrap_se(lambda r: r[:, 0].mean() - r[:, 1].mean(), x, seed=3)
    assert stochastic.bootstrap_se(np.mean, np.full(10, 2.0)) == 0.0
    with pytest.raises(ValueError):
        stochastic.bootstrap_se(np.mean, [1.0])
    with pytest.raises(TypeError):
        stochastic.bootstrap_se("mean", [1.0, 2.0])


# --------------------------------------------------------------------------- batch_gradient_se


def test_batch_gradient_se_is_the_root_mean_square_error_of_the_draws(small):
    x = np.array([0.3, -0.2])
    se, se_se = stochastic.batch_gradient_se(small, x, 3, draws=500, seed=9)
    g = dd.batch_gradients(small, x, 3, draws=500, seed=9)
    q = np.sum((g - small.grad(x)) ** 2, axis=1)
    assert se == pytest.approx(np.sqrt(q.mean()), rel=1e-14)
    assert se_se == pytest.approx(q.std(ddof=1) / np.sqrt(500) / (2 * se), rel=1e-12)


@pytest.mark.parametrize("B, replace", [(1, True), (4, True), (4, False), (9, False)])
def test_batch_gradient_se_matches_the_theorem(small, B, replace):
    x = np.zeros(2)
    per_example = np.array([small.batch_grad(x, [i]) for i in range(10)])
    sigma = np.sqrt(np.mean(np.sum((per_example - small.grad(x)) ** 2, axis=1)))
    theory = sigma / np.sqrt(B) * (1.0 if replace else np.sqrt((10 - B) / 9))
    se, se_se = stochastic.batch_gradient_se(small, x, B, draws=20_000, replace=replace, seed=B)
    assert abs(se - theory) < 5 * se_se


def test_batch_gradient_se_of_the_whole_data_set_is_zero(small):
    se, se_se = stochastic.batch_gradient_se(small, [0.0, 0.0], 10, draws=4, replace=False)
    assert se < 1e-12 and se_se <= se      # every draw is ∇L, up to the order of the sum
    with pytest.raises(ValueError):
        stochastic.batch_gradient_se(small, [0.0, 0.0], 2, draws=1)
