"""Chapter 7's completion of the notes' story: AdaGrad with the mean of the squares
(``dd.adagrad(mean=True)``, the template's rate ``"adagrad_mean"``) and the count of an
optimizer's state (``dd.optim.state_size``)."""

from typing import NamedTuple

import numpy as np
import pytest

import descend as dd
from descend.optim import Optimizer, StateSize, state_size

RNG = np.random.default_rng(20240607)


def wild_gradients(T=300, d=5):
    """Gradients whose coordinates live on scales from 10⁻³ to 10³, with sign changes."""
    return RNG.normal(size=(T, d)) * np.array([1e-3, 1e-1, 1.0, 1e1, 1e3])[:d]


# --------------------------------------------------------------------------- AdaGrad, mean of g²


def test_mean_two_steps_by_hand():
    eta, eps = 0.1, 1e-10
    steps = dd.optim.steps_on(dd.adagrad(eta=eta, eps=eps, mean=True), [3.0, 4.0])
    # v₁ = 9, v̄₁ = 9; v₂ = 25, v̄₂ = 12.5
    np.testing.assert_allclose(steps, [-eta * 3 / (3 + eps), -eta * 4 / (np.sqrt(12.5) + eps)],
                               rtol=1e-15)


def test_mean_is_adagrad_with_eta_and_eps_times_root_t():
    G = wild_gradients()
    t = np.arange(1, len(G) + 1)[:, None]
    v = np.cumsum(G**2, axis=0)
    for eta, eps in [(0.1, 1e-10), (2.0, 1e-3), (0.5, 1.0)]:
        mean = dd.optim.steps_on(dd.adagrad(eta=eta, eps=eps, mean=True), G)
        np.testing.assert_allclose(mean, -eta * np.sqrt(t) * G / (np.sqrt(v) + eps * np.sqrt(t)),
                                   rtol=1e-12)


def test_mean_is_adagrad_with_the_schedule_eta_root_t_when_eps_is_negligible():
    G = 1.0 + RNG.random((200, 3))                      # |g| ≥ 1, so ε = 10⁻¹⁴ cannot matter
    schedule = dd.Schedule(lambda t: 0.3 * np.sqrt(t + 1), "0.3√t", 0.3)
    np.testing.assert_allclose(dd.optim.steps_on(dd.adagrad(eta=0.3, eps=1e-14, mean=True), G),
                               dd.optim.steps_on(dd.adagrad(eta=schedule, eps=1e-14), G), rtol=1e-12)


def test_adagrad_is_the_mean_variant_with_eta_over_root_t():
    G = 1.0 + RNG.random((200, 2))
    schedule = dd.Schedule(lambda t: 0.3 / np.sqrt(t + 1), "0.3/√t", 0.3)
    np.testing.assert_allclose(dd.optim.steps_on(dd.adagrad(eta=schedule, eps=1e-14, mean=True), G),
                               dd.optim.steps_on(dd.adagrad(eta=0.3, eps=1e-14), G), rtol=1e-12)


def test_the_default_adagrad_is_unchanged():
    G = wild_gradients()
    v = np.cumsum(G**2, axis=0)
    np.testing.assert_array_equal(dd.optim.steps_on(dd.adagrad(eta=0.1), G),
                                  -0.1 * G / (np.sqrt(v) + 1e-10))
    assert dd.adagrad().name == "adagrad" and dd.adagrad(mean=True).name == "adagrad (mean)"


def test_mean_of_squares_is_rmsprop_recurrence_with_beta_one_minus_one_over_t():
    G = wild_gradients()
    v_bar, out = np.zeros(G.shape[1]), []
    for t, g in enumerate(G, start=1):
        beta_t = 1 - 1 / t
        v_bar = beta_t * v_bar + (1 - beta_t) * g**2
        out.append(v_bar)
    # the variant's rate η/(√v̄ + ε), read off its steps, matches the recurrence's v̄
    rate = dd.optim.steps_on(dd.adagrad(eta=1.0, eps=1e-12, mean=True), G) / -G
    np.testing.assert_allclose(rate, 1 / (np.sqrt(out) + 1e-12), rtol=1e-12)


def test_mean_is_the_limit_of_adam_with_beta1_zero_as_beta2_tends_to_one():
    G = wild_gradients(T=60)
    mean = dd.optim.steps_on(dd.adagrad(eta=0.1, eps=1e-12, mean=True), G)
    errors = []
    for delta in (1e-3, 1e-5, 1e-7):
        adam = dd.optim.steps_on(dd.adam(eta=0.1, beta1=0.0, beta2=1 - delta, eps=1e-12), G)
        errors.append(np.max(np.abs(adam / mean - 1)))
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 1e-5                       # the weights differ from 1/t by O(δ t)


def test_constant_gradient_keeps_the_step_at_eta():
    for g in (1e-4, 2.0, -3e3):
        steps = dd.optim.steps_on(dd.adagrad(eta=0.2, eps=1e-10, mean=True), np.full(500, g))
        np.testing.assert_allclose(steps, -0.2 * g / (abs(g) + 1e-10), rtol=1e-12)


def test_the_rate_rises_exactly_when_the_new_square_is_below_the_mean():
    G = wild_gradients()
    rate = np.abs(dd.optim.steps_on(dd.adagrad(eta=1.0, eps=1e-12, mean=True), G) / G)
    t = np.arange(1, len(G) + 1)[:, None]
    v_bar = np.cumsum(G**2, axis=0) / t
    np.testing.assert_array_equal(np.diff(rate, axis=0) > 0, G[1:] ** 2 < v_bar[:-1])


def test_square_summable_gradients_make_the_rate_grow_like_root_t():
    g = 0.5 ** np.arange(1, 801)                         # Σ g² → 1/3
    rate = dd.optim.steps_on(dd.adagrad(eta=1.0, eps=1e-14, mean=True), g) / -g
    t = np.arange(1, 801)
    np.testing.assert_allclose(rate[100:], np.sqrt(t[100:] * 3), rtol=1e-9)


def test_mean_state_is_adagrads_sum_and_count():
    opt = dd.adagrad(eta=0.1, mean=True)
    x = np.zeros(2)
    state = opt.init(x)
    for g in ([1.0, 2.0], [3.0, -1.0]):
        _, state = opt.update(np.array(g), state, x)
    assert state.t == 2
    np.testing.assert_array_equal(state.v, [10.0, 5.0])


# --------------------------------------------------------------------------- the template


@pytest.mark.parametrize("problem, x0", [(dd.rosenbrock(), [-1.5, 2.0]), (dd.beale(), [1.0, 1.5])])
def test_template_adagrad_mean_is_adagrad_mean_bit_for_bit(problem, x0):
    a = dd.run(dd.template("adagrad_mean", eta=0.05, eps=1e-10), problem, x0, steps=300)
    b = dd.run(dd.adagrad(eta=0.05, eps=1e-10, mean=True), problem, x0, steps=300)
    np.testing.assert_array_equal(a.xs, b.xs)


def test_template_adagrad_mean_with_eps_inside_and_without_root():
    G = wild_gradients(T=100, d=3) + 0.5
    t = np.arange(1, 101)[:, None]
    v_bar = np.cumsum(G**2, axis=0) / t
    inside = dd.optim.steps_on(dd.template("adagrad_mean", eta=0.1, eps=1e-3, eps_inside=True), G)
    np.testing.assert_allclose(inside, -0.1 * G / np.sqrt(v_bar + 1e-3), rtol=1e-12)
    no_root = dd.optim.steps_on(dd.template("adagrad_mean", eta=0.1, eps=1e-3, root=False), G)
    np.testing.assert_allclose(no_root, -0.1 * G / (v_bar + 1e-3), rtol=1e-12)


def test_template_adagrad_mean_with_the_updates():
    G = 1.0 + RNG.random((50, 2))
    t = np.arange(1, 51)[:, None]
    rate = 0.1 / (np.sqrt(np.cumsum(G**2, axis=0) / t) + 1e-8)
    u, m, want_u, want_m = np.zeros(2), np.zeros(2), [], []
    for r, g in zip(rate, G):
        u = 0.9 * u + r * g
        m = 0.9 * m + 0.1 * g
        want_u.append(-u)
        want_m.append(-r * m)
    kw = dict(eta=0.1, beta=0.9, eps=1e-8)
    np.testing.assert_allclose(dd.optim.steps_on(dd.template("adagrad_mean", "momentum", **kw), G),
                               want_u, rtol=1e-12)
    np.testing.assert_allclose(dd.optim.steps_on(dd.template("adagrad_mean", "average", **kw), G),
                               want_m, rtol=1e-12)
    assert dd.template("adagrad_mean", "momentum").name == "adagrad_mean, momentum"


def test_template_adagrad_mean_bad_input():
    with pytest.raises(ValueError, match=r"rate must be one of .*'adagrad_mean'; got 'mean'"):
        dd.template("mean")
    with pytest.raises(ValueError, match=r"bias_correction needs an average"):
        dd.template("adagrad_mean", bias_correction=True)
    with pytest.raises(TypeError, match=r"mean must be True or False, got 'yes'"):
        dd.adagrad(mean="yes")
    with pytest.raises(ValueError, match=r"eps"):
        dd.adagrad(eps=0.0, mean=True)


# --------------------------------------------------------------------------- state_size


@pytest.mark.parametrize("opt, expected", [
    (dd.gd(), (0, 1)), (dd.gd(eta=dd.time_decay(0.1, k=0.01)), (0, 1)),
    (dd.momentum(), (1, 1)), (dd.nesterov(), (1, 1)),
    (dd.adagrad(), (1, 1)), (dd.adagrad(mean=True), (1, 1)), (dd.rmsprop(), (1, 1)),
    (dd.adam(), (2, 1)), (dd.newton(), (0, 1)),
    (dd.template("constant", "plain"), (0, 1)), (dd.template("rmsprop", "plain"), (1, 1)),
    (dd.template("rmsprop", "average", bias_correction=True), (2, 1)),
    (dd.template("adagrad_mean", "momentum"), (2, 1)),
])
def test_state_size_counts_the_state(opt, expected):
    assert state_size(opt) == StateSize(*expected)
    assert state_size(opt, d=50) == StateSize(*expected)       # independent of the probe's size


def test_state_size_agrees_with_the_arrays_of_the_state():
    for opt in (dd.momentum(), dd.adam(), dd.template("rmsprop", "average")):
        state = opt.init(np.zeros(4))
        arrays = [f for f in state if isinstance(f, np.ndarray)]
        assert state_size(opt, d=4).vectors == len(arrays) and all(a.shape == (4,) for a in arrays)


class Weird(NamedTuple):
    t: int
    H: np.ndarray


def custom(init):
    return Optimizer(init, lambda g, s, x=None: (np.zeros_like(g), s), "custom")


def test_state_size_bad_input():
    with pytest.raises(TypeError, match=r"opt must be an Optimizer"):
        state_size(lambda x: x)
    with pytest.raises(ValueError, match=r"d must be"):
        state_size(dd.adam(), d=1)
    with pytest.raises(ValueError, match=r"cannot count the field 'H'.*shape \(3, 3\)"):
        state_size(custom(lambda x: Weird(0, np.zeros((len(x), len(x))))))
    with pytest.raises(ValueError, match=r"cannot count the field 't'.*str"):
        state_size(custom(lambda x: Weird("zero", np.zeros(len(x)))))


def test_state_size_of_a_bare_array_state():
    assert state_size(custom(lambda x: np.zeros_like(x))) == StateSize(1, 0)


# --------------------------------------------------------------------------- the row space


def test_gradient_descent_from_zero_finds_the_least_norm_minimizer_adagrad_does_not():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(6, 15)), rng.normal(size=6)
    p = dd.least_squares(X, y)
    x_plus = np.linalg.pinv(X) @ y                      # independent of lstsq
    np.testing.assert_allclose(p.x_star, x_plus, atol=1e-12)
    lam = np.linalg.eigvalsh(X.T @ X / 6)
    for opt in (dd.gd(eta=1 / lam[-1]), dd.momentum(eta=0.5 / lam[-1], beta=0.9)):
        trace = dd.run(opt, p, np.zeros(15), steps=4000)
        np.testing.assert_allclose(trace.xs[-1], x_plus, atol=1e-8)
    ada = dd.run(dd.adagrad(eta=0.5), p, np.zeros(15), steps=20000)
    assert ada.f < 1e-12                                 # it fits the data …
    assert np.linalg.norm(ada.xs[-1]) > np.linalg.norm(x_plus) + 0.05   # … with a larger norm
