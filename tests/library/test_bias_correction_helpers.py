"""Helpers that chapter 8's page calls: given gradient sequences, means with standard errors, its explorer."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import descend as dd  # noqa: E402
from descend import optim, plot, stochastic  # noqa: E402


# --------------------------------------------------------------------------- optim.steps_on


def test_steps_on_gd_by_hand():
    np.testing.assert_array_equal(optim.steps_on(dd.gd(eta=0.5), [2.0, -4.0, 0.0]), [-1.0, 2.0, 0.0])


def test_steps_on_adam_by_hand_after_zeros():
    # two zero gradients, then 3: m₃ = 0.1·3, v₃ = 0.001·9, corrected with t = 3
    steps = optim.steps_on(dd.adam(eta=0.1, eps=1e-300), [0.0, 0.0, 3.0])
    m_hat, v_hat = 0.3 / (1 - 0.9**3), 0.009 / (1 - 0.999**3)
    np.testing.assert_allclose(steps, [0.0, 0.0, -0.1 * m_hat / np.sqrt(v_hat)], rtol=1e-12)


@pytest.mark.parametrize("opt", [dd.gd(eta=0.1), dd.momentum(eta=0.1, beta=0.9), dd.nesterov(eta=0.1),
                                 dd.adagrad(eta=0.1), dd.rmsprop(eta=0.01), dd.adam(eta=0.1)])
def test_steps_on_equals_run_when_the_gradient_is_given_by_a_loss(opt):
    # on a linear loss the gradient is the same at every iterate: dd.run must give the same steps
    slope = dd.scalar(lambda x: 2.0 * x, lambda x: np.full_like(x, 2.0))
    ran = np.diff(dd.run(opt, slope, 0.0, steps=50).xs, axis=0)
    np.testing.assert_allclose(optim.steps_on(opt, np.full((50, 1), 2.0)), ran, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(optim.steps_on(opt, np.full(50, 2.0)), ran[:, 0], rtol=1e-12, atol=1e-15)


def test_steps_on_keeps_coordinates_apart_and_the_shape():
    g = np.random.default_rng(3).normal(size=(20, 3))
    both = optim.steps_on(dd.adam(eta=0.1), g)
    assert both.shape == g.shape
    for j in range(3):
        np.testing.assert_allclose(both[:, j], optim.steps_on(dd.adam(eta=0.1), g[:, j]), rtol=1e-12)


def test_steps_on_passes_the_iterates():
    seen = []

    def update(g, state, x=None):
        seen.append(np.array(x))
        return -g, state

    probe = dd.Optimizer(lambda x: None, update, "probe")
    optim.steps_on(probe, [[1.0], [2.0], [3.0]], x0=[10.0])
    np.testing.assert_array_equal(np.ravel(seen), [10.0, 9.0, 7.0])


def test_steps_on_after_a_silence_matches_the_theorem():
    # chapter 8: after s zeros Adam steps by (r_k / r_{s+k}) η on a constant gradient
    s, K = 30, 40
    r = lambda k: (1 - 0.9**k) / np.sqrt(1 - 0.999**k)  # noqa: E731
    k = np.arange(1, K + 1)
    steps = -optim.steps_on(dd.adam(eta=1.0, eps=1e-300), np.r_[np.zeros(s), np.full(K, 5.0)])
    np.testing.assert_allclose(steps, np.r_[np.zeros(s), r(k) / r(s + k)], rtol=1e-12)


def test_steps_on_rejects_bad_input():
    with pytest.raises(TypeError, match="Optimizer"):
        optim.steps_on(lambda g: g, [1.0])
    with pytest.raises(ValueError, match="reads the loss"):
        optim.steps_on(dd.newton(), [[1.0, 2.0]])
    with pytest.raises(ValueError, match="shape"):
        optim.steps_on(dd.gd(), np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="shape"):
        optim.steps_on(dd.gd(), [])
    with pytest.raises(ValueError, match="finite"):
        optim.steps_on(dd.gd(), [1.0, np.nan])
    with pytest.raises(ValueError, match="shape"):
        optim.steps_on(dd.gd(), [[1.0, 2.0]], x0=[0.0])


# --------------------------------------------------------------------------- stochastic.mean_and_se


def test_mean_and_se_by_hand():
    mean, se = stochastic.mean_and_se([1.0, 2.0, 3.0, 6.0])
    assert mean == 3.0
    assert se == pytest.approx(np.sqrt(14 / 3) / 2, rel=1e-15)


def test_mean_and_se_along_an_axis():
    x = np.random.default_rng(1).normal(size=(4, 50))
    mean, se = stochastic.mean_and_se(x)
    np.testing.assert_allclose(mean, x.mean(axis=1))
    np.testing.assert_allclose(se, x.std(axis=1, ddof=1) / np.sqrt(50))
    mean0, se0 = stochastic.mean_and_se(x.T, axis=0)
    np.testing.assert_allclose([mean0, se0], [mean, se])


def test_mean_and_se_covers_the_mean_at_the_usual_rate():
    # 2,000 simulated means of 100 normal draws: about 95 % lie within 1.96 SE of the truth
    x = np.random.default_rng(2).normal(0.5, 1.0, size=(2000, 100))
    mean, se = stochastic.mean_and_se(x)
    assert 0.93 < np.mean(np.abs(mean - 0.5) <= 1.96 * se) < 0.97


def test_mean_and_se_needs_two_samples():
    with pytest.raises(ValueError, match="two samples"):
        stochastic.mean_and_se([1.0])
    with pytest.raises(ValueError, match="two samples"):
        stochastic.mean_and_se(3.0)


# --------------------------------------------------------------------------- plot.bias_correction_scene


def test_bias_correction_scene_draws_the_theory():
    fig, update = plot.bias_correction_scene(t_max=1000)
    update(0.9, 0.999)
    left, right = fig.axes
    t = left.lines[0].get_xdata()
    assert t[0] == 1 and t[-1] == 1000
    np.testing.assert_allclose(left.lines[0].get_ydata(), 1 - 0.9**t)
    np.testing.assert_allclose(left.lines[1].get_ydata(), 1 - 0.999**t)
    np.testing.assert_allclose(right.lines[0].get_ydata(), (1 - 0.9**t) / np.sqrt(1 - 0.999**t))
    assert "first step 3.16 η" in fig._suptitle.get_text()
    update(0.9, 0.9)                   # β₂ = β₁: every uncorrected step is shorter than η
    assert np.all(right.lines[0].get_ydata() <= 1)
    assert right.get_ylim() == pytest.approx((0.2, 200.0))
    plt.close(fig)


def test_bias_correction_scene_rejects_bad_input():
    with pytest.raises(ValueError):
        plot.bias_correction_scene(step_range=(2.0, 1.0))
    fig, update = plot.bias_correction_scene()
    with pytest.raises(ValueError):
        update(1.0, 0.999)
    plt.close(fig)
