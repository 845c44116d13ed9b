"""The largest step of Adam (descend.theory.adam_step_bound and adam_worst_gradients)."""

import numpy as np
import pytest

import descend as dd
from descend import theory


def adam_steps(g, beta1, beta2, eps=1e-8):
    """Every step of dd.adam (η = 1) on the gradient sequences in the columns of g."""
    g = np.asarray(g, dtype=np.float64)
    g = g.reshape(len(g), -1)
    opt = dd.adam(eta=1.0, beta1=beta1, beta2=beta2, eps=eps)
    state, steps = opt.init(np.zeros(g.shape[1])), []
    for row in g:
        step, state = opt.update(row, state)
        steps.append(np.abs(step))
    return np.array(steps)


def test_first_step_is_eta_and_the_defaults():
    assert theory.adam_step_bound(0.9, 0.999, t=1) == pytest.approx(1.0, abs=1e-15)
    assert theory.adam_step_bound(0.9, 0.999) == pytest.approx(0.1 / np.sqrt(0.001 * (1 - 0.81 / 0.999)))
    assert theory.adam_step_bound(0.95, 0.99) == pytest.approx(1.6818357, rel=1e-6)


def test_bound_by_hand_for_two_steps():
    b1, b2 = 0.9, 0.999
    by_hand = (1 - b1) / (1 - b1**2) * np.sqrt((1 - b2**2) / (1 - b2)) * np.sqrt(1 + b1**2 / b2)
    assert theory.adam_step_bound(b1, b2, t=2) == pytest.approx(by_hand, rel=1e-14)


@pytest.mark.parametrize("b1, b2", [(0.9, 0.999), (0.95, 0.99), (0.5, 0.9), (0.9, 0.85), (0.0, 0.999)])
def test_worst_gradients_attain_the_bound(b1, b2):
    for t in (1, 2, 7, 40):
        g = 1e6 * theory.adam_worst_gradients(b1, b2, t)      # large, so that ε does not count
        step = adam_steps(g, b1, b2)[-1, 0]
        assert step == pytest.approx(theory.adam_step_bound(b1, b2, t=t), rel=1e-12)


@pytest.mark.parametrize("b1, b2", [(0.9, 0.999), (0.95, 0.99), (0.5, 0.9), (0.9, 0.85)])
def test_no_sequence_beats_the_bound(b1, b2):
    rng = np.random.default_rng(0)
    T = 400
    g = np.column_stack([rng.normal(size=(T, 50)), rng.standard_cauchy(size=(T, 50)),
                         rng.normal(size=(T, 50)) * (rng.random((T, 50)) < 0.02),
                         np.where(np.arange(T)[:, None] < 200, 0.0, 1.0)])
    steps = adam_steps(g, b1, b2)
    B_t = theory.adam_step_bound(b1, b2, t=np.arange(1, T + 1))
    assert np.all(steps <= B_t[:, None] * (1 + 1e-12))
    assert np.all(B_t <= theory.adam_step_bound(b1, b2) * (1 + 1e-12))


def test_limit_and_special_cases():
    t = np.array([1, 10, 100, 10_000, 100_000])
    assert np.all(np.diff(theory.adam_step_bound(0.9, 0.999, t=t)) > 0)
    assert theory.adam_step_bound(0.9, 0.999, t=200_000) == pytest.approx(theory.adam_step_bound(0.9, 0.999))
    np.testing.assert_allclose(theory.adam_step_bound(0.8, 0.8, t=t), 1.0, rtol=1e-12)   # β₁ = β₂
    np.testing.assert_allclose(theory.adam_step_bound(0.0, 0.99, t=t),                   # β₁ = 0: RMSProp
                               np.sqrt((1 - 0.99**t) / 0.01), rtol=1e-12)
    assert theory.adam_step_bound(0.9, 0.81) == np.inf                                     # β₁² = β₂
    assert theory.adam_step_bound(0.9, 0.81, t=100) == pytest.approx(0.1 / (1 - 0.9**100)
                                                                      * np.sqrt((1 - 0.81**100) / 0.19) * 10)
    assert theory.adam_step_bound(0.9, 0.5, t=5000) == np.inf                             # overflows to inf
    assert isinstance(theory.adam_step_bound(0.9, 0.999, t=3), float)
    np.testing.assert_array_equal(theory.adam_worst_gradients(0.0, 0.9, 4), [0.0, 0.0, 0.0, 1.0])
    np.testing.assert_allclose(theory.adam_worst_gradients(0.9, 0.999, 3),
                               [(0.9 / 0.999) ** 2, 0.9 / 0.999, 1.0])


@pytest.mark.parametrize("call, error", [
    (lambda: theory.adam_step_bound(1.0, 0.999), ValueError),
    (lambda: theory.adam_step_bound(0.9, 0.0), ValueError),
    (lambda: theory.adam_step_bound(0.9, 1.0), ValueError),
    (lambda: theory.adam_step_bound(0.9, 0.999, t=0), ValueError),
    (lambda: theory.adam_step_bound(0.9, 0.999, t=1.5), ValueError),
    (lambda: theory.adam_worst_gradients(0.9, 0.999, 0), ValueError),
    (lambda: theory.adam_step_bound("0.9", 0.999), TypeError),
])
def test_bad_input(call, error):
    with pytest.raises(error):
        call()
