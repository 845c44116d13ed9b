"""Optimizers: hand-worked steps, conventions, bad input."""

import numpy as np
import pytest

import descend as dd


def steps_of(opt, grads, x=None):
    """Feed a fixed sequence of gradients and return the steps taken."""
    grads = [np.atleast_1d(np.asarray(g, dtype=float)) for g in grads]
    x = np.zeros_like(grads[0]) if x is None else x
    state, out = opt.init(x), []
    for g in grads:
        step, state = opt.update(g, state, x)
        out.append(step)
    return out, state


# Each value below is worked by hand in the comment beside it.

def test_gd_two_steps():
    (s1, s2), state = steps_of(dd.gd(eta=0.1), [2.0, -4.0])
    assert s1 == pytest.approx([-0.2])          # −0.1·2
    assert s2 == pytest.approx([0.4])           # −0.1·(−4)
    assert state.t == 2


def test_momentum_two_steps_on_constant_slope():
    # u1 = 0.1·1 = 0.1; u2 = 0.5·0.1 + 0.1 = 0.15; u3 = 0.175; u4 = 0.1875 → η g/(1 − β) = 0.2
    steps, state = steps_of(dd.momentum(eta=0.1, beta=0.5), [1.0] * 4)
    assert [float(-s[0]) for s in steps] == pytest.approx([0.1, 0.15, 0.175, 0.1875])
    assert state.u == pytest.approx([0.1875])


def test_momentum_with_beta_zero_is_gd():
    grads = np.random.default_rng(0).normal(size=(10, 3))
    a, _ = steps_of(dd.momentum(eta=0.3, beta=0.0), grads)
    b, _ = steps_of(dd.gd(eta=0.3), grads)
    np.testing.assert_allclose(a, b, rtol=0, atol=0)


def test_nesterov_two_steps():
    # u1 = 0.1·1 = 0.1, step1 = −(0.5·0.1 + 0.1·1) = −0.15
    # u2 = 0.5·0.1 + 0.1·2 = 0.25, step2 = −(0.5·0.25 + 0.1·2) = −0.325
    (s1, s2), state = steps_of(dd.nesterov(eta=0.1, beta=0.5), [1.0, 2.0])
    assert s1 == pytest.approx([-0.15])
    assert s2 == pytest.approx([-0.325])
    assert state.u == pytest.approx([0.25])


def test_nesterov_iterates_are_cs7015_lookahead_points():
    """Run CS7015's look-ahead NAG by hand; descend's iterates are its look-ahead points."""
    p = dd.rosenbrock()
    eta, beta = 1e-3, 0.9
    w, u = np.array([-1.0, 1.5]), np.zeros(2)
    lookaheads = []
    for _ in range(30):
        look = w - beta * u
        lookaheads.append(look)
        u = beta * u + eta * p.grad(look)
        w = w - u
    trace = dd.run(dd.nesterov(eta=eta, beta=beta), p, x0=lookaheads[0], steps=29)
    np.testing.assert_allclose(trace.xs, np.array(lookaheads), rtol=1e-12, atol=1e-14)


def test_adagrad_two_steps():
    # v1 = 9, step1 = −0.1·3/3 = −0.1; v2 = 9 + 16 = 25, step2 = −0.1·4/5 = −0.08
    (s1, s2), state = steps_of(dd.adagrad(eta=0.1, eps=1e-10), [3.0, 4.0])
    assert s1 == pytest.approx([-0.1])
    assert s2 == pytest.approx([-0.08])
    assert state.v == pytest.approx([25.0])


def test_rmsprop_two_steps():
    # v1 = 0.1·4 = 0.4, step1 = −0.01·2/√0.4; v2 = 0.9·0.4 + 0.1·1 = 0.46, step2 = −0.01·1/√0.46
    (s1, s2), state = steps_of(dd.rmsprop(eta=0.01, beta=0.9, eps=1e-8), [2.0, 1.0])
    assert s1 == pytest.approx([-0.01 * 2 / np.sqrt(0.4)])
    assert s2 == pytest.approx([-0.01 * 1 / np.sqrt(0.46)])
    assert state.v == pytest.approx([0.46])


def test_adam_two_steps():
    # t=1: m = 0.1·2 = 0.2, v = 0.001·4 = 0.004; m̂ = 2, v̂ = 4 → step −0.1·2/2 = −0.1
    # t=2: m = 0.9·0.2 + 0.1·1 = 0.28, v = 0.999·0.004 + 0.001·1 = 0.004996
    #      m̂ = 0.28/0.19, v̂ = 0.004996/0.001999 → step −0.1·m̂/√v̂
    (s1, s2), state = steps_of(dd.adam(eta=0.1, beta1=0.9, beta2=0.999, eps=1e-8), [2.0, 1.0])
    assert s1 == pytest.approx([-0.1], rel=1e-7)
    m_hat, v_hat = 0.28 / 0.19, 0.004996 / (1 - 0.999**2)
    assert s2 == pytest.approx([-0.1 * m_hat / (np.sqrt(v_hat) + 1e-8)], rel=1e-12)
    assert state.t == 2 and state.m == pytest.approx([0.28]) and state.v == pytest.approx([0.004996])


def test_adam_constant_gradient_gives_steps_of_eta():
    steps, _ = steps_of(dd.adam(eta=0.01), [[3.0, -0.5]] * 20)
    for s in steps:
        np.testing.assert_allclose(s, [-0.01, 0.01], rtol=1e-6)


def test_newton_two_steps_on_rosenbrock():
    p = dd.rosenbrock()
    opt, x = dd.newton(), np.array([0.0, 0.0])
    state = opt.init(x)
    for _ in range(2):
        step, state = opt.update(p.grad(x), state, x, problem=p)
        expected = -np.linalg.solve(p.hess(x), p.grad(x))
        np.testing.assert_allclose(step, expected)
        x = x + step
    # by hand: from (0,0), g = (−2, 0), H = diag(2, 200) → step (1, 0)
    assert dd.newton().update(p.grad(np.zeros(2)), dd.newton().init(np.zeros(2)), np.zeros(2), problem=p)[0] == pytest.approx([1.0, 0.0])


def test_newton_solves_a_quadratic_in_one_step():
    rng = np.random.default_rng(1)
    M = rng.normal(size=(6, 6))
    p = dd.quadratic(M @ M.T + np.eye(6), b=rng.normal(size=6))
    trace = dd.run(dd.newton(), p, x0=rng.normal(size=6) * 10, steps=1)
    np.testing.assert_allclose(trace.x, p.x_star, rtol=1e-10, atol=1e-12)


def test_newton_on_singular_hessian_uses_pseudo_inverse():
    p = dd.quadratic([[1.0, 0.0], [0.0, 0.0]], b=[1.0, 0.0], bounds=[(-2, 2), (-2, 2)])
    step, _ = dd.newton().update(p.grad(np.zeros(2)), dd.newton().init(np.zeros(2)), np.zeros(2), problem=p)
    np.testing.assert_allclose(step, [1.0, 0.0])


def test_newton_needs_a_problem():
    with pytest.raises(ValueError, match="problem"):
        dd.newton().update(np.ones(2), dd.newton().init(np.zeros(2)), np.zeros(2))


def test_schedules():
    assert dd.time_decay(1.0, 0.5)(0) == 1.0 and dd.time_decay(1.0, 0.5)(2) == 0.5
    assert dd.step_decay(1.0, 0.5, every=10)(25) == 0.25
    assert dd.exponential_decay(2.0, 0.1)(10) == pytest.approx(2.0 * np.exp(-1.0))
    (s1, s2, s3), _ = steps_of(dd.gd(eta=dd.time_decay(1.0, 1.0)), [1.0, 1.0, 1.0])
    assert [float(s[0]) for s in (s1, s2, s3)] == pytest.approx([-1.0, -0.5, -1 / 3])


def test_state_is_not_mutated():
    opt = dd.adam()
    state = opt.init(np.zeros(2))
    before = [np.copy(a) for a in state[1:]]
    opt.update(np.ones(2), state, np.zeros(2))
    for a, b in zip(before, state[1:]):
        np.testing.assert_array_equal(a, b)


def test_labels_name_the_hyperparameters():
    assert dd.momentum(eta=0.1, beta=0.9).label == "momentum (η=0.1, β=0.9)"
    assert dd.gd(eta=dd.time_decay(0.5, 0.1)).label == "gd (η=0.5/(1+0.1t))"


def test_sutskever_schedule_in_momentum_and_nesterov():
    s = dd.sutskever_momentum(beta_max=0.9, every=2)
    assert [s(t) for t in range(8)] == pytest.approx([0.5, 0.5, 0.75, 0.75, 5 / 6, 5 / 6, 0.875, 0.875][:8])
    assert s(10**6) == 0.9
    # momentum with a schedule: u_t = β_t u_{t−1} + η g
    steps, _ = steps_of(dd.momentum(eta=1.0, beta=s), [1.0] * 3)
    assert [float(-x[0]) for x in steps] == pytest.approx([1.0, 1.5, 1 + 0.75 * 1.5])
    # with a constant schedule nesterov is unchanged
    const = dd.nesterov(eta=0.1, beta=0.5)
    a, _ = steps_of(const, [1.0, 2.0])
    assert a[1] == pytest.approx([-0.325])
    assert dd.momentum(beta=s).label == "momentum (η=0.1, β=sutskever(β_max=0.9))"


def test_array_hyperparameters_broadcast_over_a_batch():
    opt = dd.adam(eta=np.array([0.1, 0.01]))
    x = np.zeros((3, 2))
    step, _ = opt.update(np.ones((3, 2)), opt.init(x), x)
    np.testing.assert_allclose(step, [[-0.1, -0.01]] * 3, rtol=1e-6)
