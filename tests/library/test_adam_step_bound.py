"""The largest step of Adam (descend.theory.adam_step_bound and adam_worst_gradients)."""

import math

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


@pytest.mark.parametrize("b1, b2", [(0.9, 0.999), (0.0, 0.5), (0.5, 0.3), (0.9, 0.85), (0.9, 0.81),
                                    (0.99, 0.9802), (0.7, 0.7), (0.95, 0.9)])
def test_closed_form_is_the_direct_sum(b1, b2):
    """B_t from its definition, term by term, with no geometric-sum formula."""
    gamma = b1 * b1 / b2
    for t in (1, 2, 3, 5, 10, 50, 200, 1000):
        direct = ((1 - b1) / (1 - b1**t) * np.sqrt((1 - b2**t) / (1 - b2))
                  * np.sqrt(math.fsum(gamma**k for k in range(t))))
        assert theory.adam_step_bound(b1, b2, t=t) == pytest.approx(direct, rel=1e-12)


def test_bound_never_exceeds_the_limit_on_a_grid():
    """Part 2 of the theorem over many (β₁, β₂) with β₁² < β₂: B_t ≤ B_∞, and B_t → B_∞."""
    t = np.unique(np.geomspace(1, 1e6, 200).astype(int))
    for b1 in np.linspace(0.0, 0.99, 23):
        for b2 in np.linspace(0.01, 0.999, 23):
            if b1 * b1 >= b2:
                continue
            B_t, B_inf = theory.adam_step_bound(b1, b2, t=t), theory.adam_step_bound(b1, b2)
            assert np.all(B_t <= B_inf * (1 + 1e-12))
            assert B_t[-1] == pytest.approx(B_inf, rel=1e-9)
            assert B_inf > 1 or b1 == b2


@pytest.mark.parametrize("b1, b2", [(0.9, 0.999), (0.3, 0.05), (0.9, 0.85), (0.9, 0.8)])
def test_search_for_a_longer_step_fails(b1, b2):
    """Hill climbing over signs and sizes of g₁ … g₆ (ε = 0) never beats B₆ and gets close to it."""
    t, rng = 6, np.random.default_rng(1)
    k = np.arange(t - 1, -1, -1)                         # age t − i of g_i

    def step(log_size, sign):                          # |m̂_t| / √v̂_t for each row
        g = sign * np.exp(log_size)
        m = (1 - b1) * np.sum(b1**k * g, axis=-1) / (1 - b1**t)
        v = (1 - b2) * np.sum(b2**k * g * g, axis=-1) / (1 - b2**t)
        return np.abs(m) / np.sqrt(v)

    bound, best = theory.adam_step_bound(b1, b2, t=t), 0.0
    for _ in range(4):
        x, s = rng.normal(size=t), np.where(rng.random(t) < 0.5, -1.0, 1.0)
        f, scale = step(x, s), 1.0
        for _ in range(3000):
            y = x + scale * rng.normal(size=t)
            s_new = np.where(rng.random(t) < 0.05, -s, s)
            f_new = step(y, s_new)
            if f_new > f:
                x, s, f = y, s_new, f_new
            else:
                scale = max(scale * 0.999, 1e-3)
        best = max(best, f)
    assert best <= bound * (1 + 1e-12)
    assert best >= 0.95 * bound                         # the search is a real one


@pytest.mark.parametrize("b1, b2", [(0.9, 0.9 + 1e-6), (0.9, 0.9 - 1e-6), (0.5, 0.5 + 1e-4), (0.95, 0.92),
                                    (0.0, 0.01), (0.99, 0.9999), (0.9, 0.81)])
def test_only_equal_betas_keep_every_step_within_eta(b1, b2):
    """Chapter 7's "only β₁ = β₂ keeps every step within η": the first step is η (B₁ = 1) and
    B_∞ > 1 whenever β₁ ≠ β₂, for pairs a millionth apart on either side too (β₁² ≥ β₂: no bound)."""
    assert theory.adam_step_bound(b1, b2, t=1) == pytest.approx(1.0, rel=1e-15)
    assert theory.adam_step_bound(b1, b2) > 1
