"""Chapter 8's additions: decaying averages started at zero and their bias correction."""

import numpy as np
import pytest

import descend as dd

RNG = np.random.default_rng(8)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.999])
def test_recursion_equals_the_unrolled_sum(beta):
    q = RNG.normal(size=(30, 4))
    m = dd.decaying_average(q, beta)
    for t in (1, 2, 7, 30):
        w = dd.average_weights(beta, t)
        np.testing.assert_allclose(m[t - 1], w @ q[:t], rtol=1e-12, atol=1e-15)


def test_hand_worked_values_and_hopkins_table():
    np.testing.assert_allclose(dd.decaying_average([3.0, 5.0], 0.9), [0.3, 0.77])
    q = [3, 5, 6, 2, 4, 8]        # Hopkins's table, β = 0.5: 1.5, 3.25, 4.625, 3.3125, …
    np.testing.assert_allclose(dd.decaying_average(q, 0.5), [1.5, 3.25, 4.625, 3.3125, 3.65625, 5.828125])


@pytest.mark.parametrize("beta", [0.0, 0.3, 0.9, 0.999])
def test_total_weight_is_one_minus_beta_to_the_t(beta):
    for t in (1, 2, 10, 1000):
        assert np.isclose(dd.average_weights(beta, t).sum(), 1 - beta**t, rtol=1e-12)
        assert np.isclose(dd.average_weights(beta, t, bias_correction=True).sum(), 1.0, rtol=1e-12)


def test_constant_sequence_is_returned_exactly_after_correction():
    q = np.full((200, 3), [2.0, -0.5, 1e-3])
    for beta in (0.5, 0.9, 0.999):
        np.testing.assert_allclose(dd.decaying_average(q, beta, bias_correction=True), q, rtol=1e-12)
        raw = dd.decaying_average(q, beta)
        np.testing.assert_allclose(raw, q * (1 - beta ** np.arange(1, 201))[:, None], rtol=1e-12)


def test_shapes_and_streams_are_independent():
    q = RNG.normal(size=(5, 3, 2))
    m = dd.decaying_average(q, 0.8)
    assert m.shape == q.shape
    np.testing.assert_allclose(m[:, 1, 0], dd.decaying_average(q[:, 1, 0], 0.8))
    assert dd.decaying_average([1.0], 0.9).shape == (1,)


def test_start_m0():
    q = np.full(50, 4.0)
    np.testing.assert_allclose(dd.decaying_average(q, 0.9, m0=q[0]), q)      # m₀ = g₁: no bias
    np.testing.assert_allclose(dd.decaying_average([1.0, 1.0], 0.5, m0=3.0), [2.0, 1.5])


def test_adam_keeps_these_averages():
    g = RNG.normal(size=(40, 2))
    opt, x = dd.adam(eta=0.1, beta1=0.8, beta2=0.99), np.zeros(2)
    state = opt.init(x)
    for gt in g:
        step, state = opt.update(gt, state, x)
    m_hat = dd.decaying_average(g, 0.8, bias_correction=True)[-1]
    v_hat = dd.decaying_average(g**2, 0.99, bias_correction=True)[-1]
    np.testing.assert_allclose(state.m, dd.decaying_average(g, 0.8)[-1], rtol=1e-12)
    np.testing.assert_allclose(state.v, dd.decaying_average(g**2, 0.99)[-1], rtol=1e-12)
    np.testing.assert_allclose(step, -0.1 * m_hat / (np.sqrt(v_hat) + 1e-8), rtol=1e-12)


def test_uncorrected_adam_from_the_template_first_step():
    opt = dd.template("rmsprop", "average", eta=1.0, beta=0.9, beta2=0.999)
    step, _ = opt.update(np.array([3.0]), opt.init(np.zeros(1)), np.zeros(1))
    assert np.isclose(-step[0], 0.1 / np.sqrt(0.001), rtol=1e-6)       # ≈ 3.16 η


@pytest.mark.parametrize("call, error, message", [
    (lambda: dd.decaying_average([1.0], 1.0), ValueError, r"beta must lie in \[0, 1\)"),
    (lambda: dd.decaying_average([1.0], "0.9"), TypeError, r"beta must be a real number"),
    (lambda: dd.decaying_average([], 0.9), ValueError, r"q must hold at least one value"),
    (lambda: dd.decaying_average(2.0, 0.9), ValueError, r"q must hold at least one value"),
    (lambda: dd.decaying_average([1.0, np.nan], 0.9), ValueError, r"q must be finite"),
    (lambda: dd.decaying_average(["a"], 0.9), TypeError, r"q must be an array of real numbers"),
    (lambda: dd.decaying_average([1.0], 0.9, bias_correction=1), TypeError, r"bias_correction must be True"),
    (lambda: dd.decaying_average([1.0], 0.9, bias_correction=True, m0=1.0), ValueError, r"m0 = 0"),
    (lambda: dd.decaying_average(np.ones((3, 2)), 0.9, m0=[1.0, 2.0, 3.0]), ValueError, r"m0 must be"),
    (lambda: dd.average_weights(0.9, 0), ValueError, r"t must be an integer ≥ 1"),
    (lambda: dd.average_weights(-0.1, 3), ValueError, r"beta must lie in \[0, 1\)"),
    (lambda: dd.average_weights(0.9, 2.5), TypeError, r"t must be an integer"),
])
def test_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()
