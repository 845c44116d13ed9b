"""Optimizers: hand-worked steps, conventions, bad input."""

import importlib.util

import numpy as np
import pytest

import descend as dd

#: The tests of Adam's compiled loop; Numba is an optional extra (pyproject's `fast`)
needs_numba = pytest.mark.skipif(importlib.util.find_spec("numba") is None, reason="Numba is not installed")


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


# Chapter 11: decoupled weight decay, warm-up and annealing schedules, gradient clipping.

def test_adamw_two_steps():
    # θ = 2, λ = 0.5, η = 0.1, gradients 2 then 1 (Adam's own steps as in test_adam_two_steps)
    # t=1: decay −0.1·0.5·2 = −0.1, Adam −0.1 → step −0.2, θ = 1.8
    # t=2: decay −0.1·0.5·θ ≈ −0.09, Adam −0.1·m̂/(√v̂ + ε) with m̂ = 0.28/0.19, v̂ = 0.004996/0.001999
    opt = dd.adamw(eta=0.1, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.5)
    x = np.array([2.0])
    state = opt.init(x)
    s1, state = opt.update(np.array([2.0]), state, x)
    assert s1 == pytest.approx([-0.2], rel=1e-7)
    x = x + s1
    s2, state = opt.update(np.array([1.0]), state, x)
    m_hat, v_hat = 0.28 / 0.19, 0.004996 / (1 - 0.999**2)
    assert x == pytest.approx([1.8], rel=1e-9)                    # 1.8 up to Adam's ε
    assert s2 == pytest.approx([-0.05 * x[0] - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8)], rel=1e-12)
    # the decay never enters the moments: they are Adam's
    assert state.m == pytest.approx([0.28]) and state.v == pytest.approx([0.004996])


def test_adamw_without_decay_is_adam_and_needs_x():
    a, _ = steps_of(dd.adam(eta=0.05), [[3.0, -1.0], [0.5, 2.0], [-1.0, 1.0]], x=np.array([1.0, -2.0]))
    w, _ = steps_of(dd.adamw(eta=0.05, weight_decay=0.0), [[3.0, -1.0], [0.5, 2.0], [-1.0, 1.0]],
                    x=np.array([1.0, -2.0]))
    for s, t in zip(a, w):
        np.testing.assert_array_equal(s, t)
    with pytest.raises(ValueError, match="reads the weights"):
        dd.adamw().update(np.ones(1), dd.adamw().init(np.ones(1)))
    assert dd.adamw(eta=0.1, weight_decay=0.5).label == "adamw (η=0.1, β₁=0.9, β₂=0.999, λ=0.5)"


def test_decoupled_decay_equals_l2_for_gd_but_not_for_adam():
    """Loshchilov & Hutter's point: for gradient descent, decaying the weights by ηλθ is L2
    regularisation with weight λ; for Adam it is not (the L2 gradient is rescaled by √v̂)."""
    lam, eta = 0.3, 0.1
    grads = [np.array([4.0, -0.01]), np.array([2.0, 0.02])]
    x0 = np.array([1.0, 1.0])

    def run(opt, l2):
        x, state = x0.copy(), opt.init(x0)
        for g in grads:
            step, state = opt.update(g + l2 * x, state, x)
            x = x + step
        return x

    opt = dd.gd(eta=eta)                                       # gd's decoupled decay, by hand
    x, state = x0.copy(), opt.init(x0)
    for g in grads:
        step, state = opt.update(g, state, x)
        x = x + step - eta * lam * x
    np.testing.assert_allclose(x, run(dd.gd(eta=eta), lam), rtol=1e-14)
    assert np.max(np.abs(x - run(dd.gd(eta=eta), 0.0))) > 0.01   # and the decay did something
    adamw, adam_l2 = run(dd.adamw(eta=eta, weight_decay=lam), 0.0), run(dd.adam(eta=eta), lam)
    assert np.max(np.abs(adamw - adam_l2)) > 0.01


def test_linear_ramp_values():
    s = dd.linear_ramp(0.2, start_factor=0.1, end_factor=1.0, steps=4)
    assert [s(t) for t in range(7)] == pytest.approx([0.02, 0.065, 0.11, 0.155, 0.2, 0.2, 0.2], rel=1e-14)
    down = dd.linear_ramp(1.0, start_factor=1.0, end_factor=0.5, steps=2)
    assert [down(t) for t in range(4)] == pytest.approx([1.0, 0.75, 0.5, 0.5])
    assert s.eta0 == pytest.approx(0.02)


def test_cosine_annealing_values():
    s = dd.cosine_annealing(0.1, steps=4, eta_min=0.02)
    # η_min + (η − η_min)(1 + cos(πt/4))/2
    expected = [0.1, 0.02 + 0.04 * (1 + np.sqrt(0.5)), 0.06, 0.02 + 0.04 * (1 - np.sqrt(0.5)), 0.02, 0.02, 0.02]
    assert [s(t) for t in range(7)] == pytest.approx(expected, rel=1e-14)
    with pytest.raises(ValueError, match="eta_min"):
        dd.cosine_annealing(0.1, steps=4, eta_min=0.2)


def test_one_cycle_values():
    # η0 = 1/5 = 0.2, end 0.2/10 = 0.02, peak at t1 = 0.4·10 − 1 = 3, end of the cycle t2 = 9
    s = dd.one_cycle(1.0, steps=10, pct_start=0.4, div_factor=5.0, final_div_factor=10.0, anneal="cos")
    up = [0.2 + 0.4 * (1 - np.cos(np.pi * t / 3)) for t in range(4)]
    down = [0.02 + 0.49 * (1 + np.cos(np.pi * (t - 3) / 6)) for t in range(4, 10)]
    assert [s(t) for t in range(10)] == pytest.approx(up + down, rel=1e-14)
    assert s(3) == pytest.approx(1.0) and s(9) == pytest.approx(0.02) and s(50) == pytest.approx(0.02)
    with pytest.raises(ValueError, match="pct_start"):
        dd.one_cycle(1.0, steps=10, pct_start=0.1)        # peak at t1 = 0
    with pytest.raises(ValueError, match="anneal"):
        dd.one_cycle(1.0, steps=10, anneal="cosine")


def test_clip_grad_norm_keeps_direction_and_bounds_the_norm():
    rng = np.random.default_rng(0)
    for _ in range(200):
        g = rng.normal(size=7) * 10 ** rng.uniform(-3, 3)
        c = 10 ** rng.uniform(-2, 2)
        out = dd.clip_grad_norm(g, max_norm=c)
        assert np.linalg.norm(out) <= c * (1 + 1e-12)
        if np.linalg.norm(g) <= c:
            np.testing.assert_array_equal(out, g * min(1.0, c / (np.linalg.norm(g) + 1e-6)))
            np.testing.assert_allclose(out, g, rtol=1e-6 / np.linalg.norm(g) + 1e-15)
        else:
            np.testing.assert_allclose(out / np.linalg.norm(out), g / np.linalg.norm(g), rtol=1e-12)
    g = np.array([3.0, 4.0])
    dd.clip_grad_norm(g, max_norm=1.0)
    np.testing.assert_array_equal(g, [3.0, 4.0])               # the caller's array is left alone
    np.testing.assert_allclose(dd.clip_grad_norm(np.ones((2, 2)) * 2, max_norm=2.0, eps=0.0),
                               np.ones((2, 2)))                  # the norm is over every entry


def test_clipping_is_the_formula_bit_for_bit_in_any_memory_order():
    """clip_grad_norm and dd.clipped compute the norm as sqrt(g·g) over the array flattened in
    memory order, as np.linalg.norm does: the same bits for C, Fortran and transposed arrays."""
    rng = np.random.default_rng(1)
    order_matters = 0
    for shape in [(1,), (7,), (1000,), (3, 4), (50, 40), (5, 6, 7)]:
        for layout in (np.ascontiguousarray, np.asfortranarray, np.transpose):
            g = layout(rng.normal(size=shape) * 10 ** rng.uniform(1, 8))   # long: clipped
            expected = g * min(1.0, 1.0 / (float(np.linalg.norm(g)) + 1e-6))
            assert dd.clip_grad_norm(g, max_norm=1.0).tobytes() == expected.tobytes()
            in_rows = g * min(1.0, 1.0 / (np.sqrt(g.ravel().dot(g.ravel())) + 1e-6))
            order_matters += in_rows.tobytes() != expected.tobytes()
    assert order_matters > 0   # the cases tell the memory order from the order of the rows
    for opt, clip in ((dd.clipped(dd.gd(eta=1.0), max_norm=1.0), lambda g: dd.clip_grad_norm(g, 1.0)),
                      (dd.clipped(dd.gd(eta=1.0), clip_value=0.5), lambda g: dd.clip_grad_value(g, 0.5))):
        gs = rng.standard_cauchy((50, 9))
        np.testing.assert_array_equal(dd.optim.steps_on(opt, gs), -np.array([clip(g) for g in gs]))
    with pytest.raises(ValueError, match="g must be finite"):
        dd.clipped(dd.gd(eta=1.0), max_norm=1.0).update(np.array([np.inf]), None)


def test_clip_grad_value_and_clipped():
    np.testing.assert_array_equal(dd.clip_grad_value([[2.0, -0.3], [-5.0, 0.5]], clip_value=0.5),
                                  [[0.5, -0.3], [-0.5, 0.5]])
    # a clipped optimizer sees the clipped gradient and nothing else changes
    steps, state = steps_of(dd.clipped(dd.momentum(eta=0.1, beta=0.5), clip_value=1.0), [[3.0, 0.2], [-2.0, 0.4]])
    assert steps[0] == pytest.approx([-0.1, -0.02])               # u1 = 0.1·(1, 0.2)
    assert steps[1] == pytest.approx([-0.05 + 0.1, -0.01 - 0.04])  # u2 = 0.5 u1 + 0.1·(−1, 0.4)
    assert dd.clipped(dd.gd(eta=0.1), max_norm=2.0).label == "gd, clipped by norm (η=0.1, c=2)"
    with pytest.raises(ValueError, match="exactly one"):
        dd.clipped(dd.gd(), max_norm=1.0, clip_value=1.0)
    with pytest.raises(ValueError, match="exactly one"):
        dd.clipped(dd.gd())
    with pytest.raises(TypeError, match="opt must be an Optimizer"):
        dd.clipped("gd", max_norm=1.0)
    with pytest.raises(ValueError, match="g must be finite"):
        dd.clip_grad_norm([1.0, np.nan], max_norm=1.0)


def test_clipping_tames_a_run_that_would_explode():
    """Gradient descent with η above 2/L explodes; clipping the gradient's norm keeps the
    steps at most η·c long, so the run stays bounded (it need not converge)."""
    p = dd.quadratic([[10.0, 0.0], [0.0, 1.0]])
    wild = dd.run(dd.gd(eta=0.25), p, [1.0, 1.0], steps=1000)   # |1 − 2.5| = 1.5 per step
    tame = dd.run(dd.clipped(dd.gd(eta=0.25), max_norm=1.0), p, [1.0, 1.0], steps=1000)
    assert wild.diverged and not tame.diverged
    assert np.max(np.linalg.norm(np.diff(tame.xs, axis=0), axis=1)) <= 0.25 * (1 + 1e-12)


# Adam makes its new arrays in memory the caller has let go (optim._Recycler): it must never
# write an array the caller can still reach, by any route.

BIG = (300, 400)        # 120,000 elements: large enough to be recycled
HUGE = (512, 512)       # 2¹⁸ elements: the compiled loop on threads (optim._PARALLEL)


def _adam_reference(gs, eta=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = v = np.zeros(gs[0].shape)
    steps = []
    for t, g in enumerate(gs, start=1):
        m, v = beta1 * m + (1 - beta1) * g, beta2 * v + (1 - beta2) * g * g
        steps.append(-eta * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps))
    return steps


def _adam_on_big(seed: int, steps: int, shape=BIG):
    """Gradients, the formula's steps for them, a fresh Adam and its starting state."""
    rng = np.random.default_rng(seed)
    gs = [rng.normal(size=shape) for _ in range(steps)]
    opt = dd.adam()
    return gs, _adam_reference(gs), opt, opt.init(np.zeros(shape))


@pytest.mark.parametrize("shape", [BIG, HUGE])
def test_adam_reuses_memory_only_once_the_caller_let_go(shape):
    gs, expected, opt, state = _adam_on_big(0, 30, shape)
    kept, copies, views, memoryviews = [], [], [], []
    for t, g in enumerate(gs):
        step, state = opt.update(g, state)
        np.testing.assert_allclose(step, expected[t], rtol=1e-12, atol=0)
        if t % 3 == 0:          # keep some results whole, some as views, some as memoryviews
            kept.append((step, state))
            copies.append((step.copy(), state.m.copy(), state.v.copy()))
        elif t % 3 == 1:
            views.append((state.m[::7], state.m[::7].copy()))
        else:
            memoryviews.append((memoryview(state.v), state.v.copy()))
    for (step, state), (s, m, v) in zip(kept, copies):
        np.testing.assert_array_equal(step, s)
        np.testing.assert_array_equal(state.m, m)
        np.testing.assert_array_equal(state.v, v)
    for view, copy in views:
        np.testing.assert_array_equal(view, copy)
    for mv, copy in memoryviews:
        np.testing.assert_array_equal(np.asarray(mv), copy)
    assert recycler(opt).reused > 10, "it did not recycle: the checks above tested nothing"


def recycler(opt):
    from descend.optim import _Recycler

    (found,) = [c.cell_contents for c in opt.update.__closure__ if isinstance(c.cell_contents, _Recycler)]
    return found


def test_the_recycler_reuses_only_what_nobody_holds():
    import weakref
    from descend.optim import _Recycler

    r = _Recycler()
    a = r.empty(BIG)
    assert r.empty(BIG) is not a and r.reused == 0      # a is held by a variable
    b = r.empty(BIG)                                     # the second, dropped above: reused
    assert b is r.arrays[1] and r.reused == 1
    del b
    view = a[::3]
    del a
    assert r.empty(BIG) is r.arrays[1]                   # a is still held, through a view
    del view
    first = r.arrays[0]
    watch = weakref.ref(first)
    del first
    assert r.empty(BIG) is r.arrays[1]                   # a weak reference would see it change
    del watch
    assert r.empty(BIG) is r.arrays[0] and r.reused == 4  # nobody holds it: reused


@pytest.mark.parametrize("shape", [BIG, HUGE])
def test_adam_keeps_the_state_it_is_given_while_the_caller_holds_it(shape):
    # the usual loop shape: `step, state = update(g, state)`, old state dropped each time
    gs, expected, opt, state = _adam_on_big(1, 12, shape)
    for t, g in enumerate(gs):
        step, state = opt.update(g, state)
        np.testing.assert_allclose(step, expected[t], rtol=1e-12, atol=0)
    # two updates from the same state agree, and neither changes the first's results
    a, sa = opt.update(gs[0], state)
    a_copy = a.copy()
    b, sb = opt.update(gs[0], state)
    np.testing.assert_array_equal(a, a_copy)
    np.testing.assert_array_equal(a, b)
    assert a is not b and sa.m is not sb.m


@needs_numba
@pytest.mark.parametrize("shape", [(1 << 18,), (700, 1001), (3, 5, 30011)])
def test_adam_in_parts_on_threads_equals_one_pass(shape, monkeypatch):
    # large contiguous arrays go through the compiled loop in optim._in_parts; every element must
    # be computed, and computed exactly as NumPy's passes do (the same operations, element by element)
    from descend.optim import _PARALLEL, _adam_into

    assert np.prod(shape) >= _PARALLEL
    import descend.optim as optim
    calls = _spy_on_parts(monkeypatch)
    rng = np.random.default_rng(2)
    opt = dd.adam(eta=0.01)
    state = opt.init(np.zeros(shape))
    for t in range(1, 4):
        g = rng.normal(size=shape)
        m0, v0 = state.m, state.v
        step, state = opt.update(g, state)
        one = [np.empty(shape) for _ in range(4)]
        _adam_into(g, m0, v0, *one, 0.9, 0.999, -0.01 / (1 - 0.9**t), 1 / np.sqrt(1 - 0.999**t), 1e-8)
        np.testing.assert_array_equal(state.m, one[0])
        np.testing.assert_array_equal(state.v, one[1])
        np.testing.assert_array_equal(step, one[2])
    assert len(calls) == 3, "the compiled path was not taken"
    if len(shape) == 1:
        return
    # a non-contiguous gradient takes NumPy's passes and agrees
    g = np.asfortranarray(rng.normal(size=shape))
    assert not g.flags.c_contiguous
    a, _ = opt.update(g, state)
    assert len(calls) == 3, "a Fortran-order gradient took the compiled loop"
    b, _ = opt.update(np.ascontiguousarray(g), state)
    np.testing.assert_array_equal(a, b)


def _adversarial(n, seed):
    # magnitudes from subnormal to overflowing g², both signs, zeros, and the non-finite values
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n) * 10.0 ** rng.integers(-320, 300, size=n)
    a[rng.integers(0, n, size=n // 50 + 1)] = 0.0
    for value in (np.inf, -np.inf, np.nan, -np.nan, 1e300, -1e300, 5e-324, -0.0):
        a[rng.integers(0, n, size=n // 100 + 1)] = value
    return a


def _same_numbers(a, b):
    """The same bits wherever either is a number, and NaN at the same places (a NaN's sign and
    payload are not specified by IEEE 754 for arithmetic results, and differ between loops)."""
    nan = np.isnan(a)
    np.testing.assert_array_equal(nan, np.isnan(b))
    np.testing.assert_array_equal(a[~nan].view(np.int64), b[~nan].view(np.int64))


@needs_numba
@pytest.mark.parametrize("n", [1, 2, 7, 1 << 16, (1 << 18) + 3])
def test_the_fused_adam_loop_gives_the_numbers_of_the_numpy_passes(n):
    # descend._kernels.adam_into replaces optim._adam_into on large arrays; it must do the same
    # arithmetic in the same order: no fused multiply-add, no reordering, the same rounding
    from descend._kernels import adam_into
    from descend.optim import _adam_into

    rng = np.random.default_rng(n)
    for t, m0, v0 in [(1, np.zeros(n), np.zeros(n)),
                      (3, rng.normal(size=n), rng.random(n)),
                      (10**6, rng.normal(size=n) * 1e150, rng.random(n) * 1e300),
                      (2, rng.normal(size=n) * 1e-300, rng.random(n) * 5e-324),
                      (5, _adversarial(n, 7), np.abs(_adversarial(n, 8))),     # a diverged state
                      (5, _adversarial(n, 9), -np.abs(_adversarial(n, 10)))]:  # not a valid one
        g = _adversarial(n, t)
        for beta1, beta2, eta, eps in [(0.9, 0.999, 1e-3, 1e-8), (0.0, 0.0, 1.0, 1e-300), (0.5, 0.9999, 1e3, 1.0)]:
            c, d = -eta / (1 - beta1**t), 1 / np.sqrt(1 - beta2**t)
            fused = [np.empty(n) for _ in range(3)]
            passes = [np.empty(n) for _ in range(3)]
            adam_into(g, m0, v0, *fused, beta1, beta2, c, d, eps)
            with np.errstate(all="ignore"):
                _adam_into(g, m0, v0, *passes, np.empty(n), beta1, beta2, c, d, eps)
            for a, b in zip(fused, passes):
                _same_numbers(a, b)


def _spy_on_parts(monkeypatch):
    import descend.optim as optim

    calls, parts = [], optim._in_parts
    monkeypatch.setattr(optim, "_in_parts", lambda *a: (calls.append(1), parts(*a)))
    return calls


@needs_numba
def test_adam_on_large_read_only_or_float32_state_takes_the_compiled_loop(monkeypatch):
    # a read-only gradient, and a float32 state (computed in float64, as a float64 one would be)
    n = 1 << 18
    g = np.random.default_rng(4).normal(size=n)
    opt = dd.adam(eta=0.01)
    calls = _spy_on_parts(monkeypatch)
    expected, _ = opt.update(g, opt.init(g))
    g.flags.writeable = False
    step, _ = opt.update(g, opt.init(g))
    np.testing.assert_array_equal(step, expected)
    m = np.random.default_rng(5).normal(size=n).astype(np.float32)
    state = opt.init(g)._replace(t=4, m=m, v=np.abs(m))
    step, state_next = opt.update(g, state)
    assert len(calls) == 3
    as64, _ = opt.update(g, state._replace(m=m.astype(np.float64), v=np.abs(m).astype(np.float64)))
    np.testing.assert_array_equal(step, as64)
    assert state_next.m.dtype == np.float64 and state.m.dtype == np.float32


@pytest.mark.parametrize("batched", ["beta2", "eps", "eta"])
def test_adam_on_large_arrays_with_a_batch_of_hyperparameters(batched, monkeypatch):
    # a row of 300 settings broadcast over a large gradient takes NumPy's passes, column by column
    # as the scalar optimizer of each setting would
    values = {"beta2": np.linspace(0.9, 0.999, 300), "eps": np.geomspace(1e-8, 1e-2, 300),
              "eta": np.geomspace(1e-4, 1e-1, 300)}[batched]
    g = np.random.default_rng(6).normal(size=(1000, 300))
    calls = _spy_on_parts(monkeypatch)
    opt = dd.adam(**{batched: values})
    step, state = opt.update(g, opt.init(g))
    step, _ = opt.update(2 * g, state)
    assert not calls
    for j in (0, 137, 299):
        one = dd.adam(**{batched: float(values[j])})
        s, st = one.update(g[:, j], one.init(g[:, j]))
        s, _ = one.update(2 * g[:, j], st)
        np.testing.assert_array_equal(step[:, j], s)


def test_adam_without_numba_runs_numpys_passes(monkeypatch):
    import sys

    from descend import _kernels
    from descend.optim import _adam_into

    g = np.random.default_rng(7).normal(size=1 << 18)
    opt = dd.adam()
    expected = [np.empty(g.size) for _ in range(3)]
    _adam_into(g, np.zeros_like(g), np.zeros_like(g), *expected, np.empty(g.size),
                   0.9, 0.999, -1e-3 / (1 - 0.9), 1 / np.sqrt(1 - 0.999), 1e-8)
    monkeypatch.setitem(sys.modules, "numba", None)           # import numba raises ImportError
    monkeypatch.delitem(_kernels._COMPILED, "adam", raising=False)
    assert _kernels.compiled_adam() is None
    calls = _spy_on_parts(monkeypatch)
    passes, state = opt.update(g, opt.init(g))
    assert not calls
    for a, b in zip((state.m, state.v, passes), expected):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ImportError, match="needs Numba"):
        _kernels.adam_into(g, g, g, g.copy(), g.copy(), g.copy(), 0.9, 0.999, -1.0, 1.0, 1e-8)


@needs_numba
def test_adam_without_its_compiled_loop_when_numba_cannot_compile_or_is_switched_off(monkeypatch):
    import numba

    from descend import _kernels

    g = np.random.default_rng(10).normal(size=1 << 18)
    opt = dd.adam()
    expected, _ = opt.update(g, opt.init(g))

    def broken(*args, **kwargs):
        raise OSError("libllvmlite.so: cannot open shared object file")

    monkeypatch.delitem(_kernels._COMPILED, "adam", raising=False)
    monkeypatch.setattr(numba, "njit", broken)
    with pytest.warns(RuntimeWarning, match="OSError: libllvmlite.so.*NumPy's passes run instead"):
        assert _kernels.compiled_adam() is None
    assert _kernels.compiled_adam() is None                  # warned once, then kept
    np.testing.assert_array_equal(opt.update(g, opt.init(g))[0], expected)
    monkeypatch.undo()
    monkeypatch.delitem(_kernels._COMPILED, "adam", raising=False)
    monkeypatch.setattr(numba.config, "DISABLE_JIT", True)
    assert _kernels.compiled_adam() is None


def test_adam_on_a_small_float32_state_computes_in_float64():
    m = np.random.default_rng(8).normal(size=50).astype(np.float32)
    g = np.random.default_rng(9).normal(size=50)
    opt = dd.adam()
    state = opt.init(g)._replace(t=3, m=m, v=np.abs(m))
    step, nxt = opt.update(g, state)
    as64, nxt64 = opt.update(g, state._replace(m=m.astype(np.float64), v=np.abs(m).astype(np.float64)))
    np.testing.assert_array_equal(step, as64)
    np.testing.assert_array_equal(nxt.m, nxt64.m)


def test_the_fused_adam_loop_refuses_arrays_it_cannot_loop_over():
    from descend._kernels import adam_into

    one, two = np.zeros(4), np.zeros((2, 2))
    scalars = (0.9, 0.999, -1.0, 1.0, 1e-8)
    with pytest.raises(ValueError, match="g must be a one-dimensional C-contiguous float64 array"):
        adam_into(two, one, one, one, one, one, *scalars)
    with pytest.raises(ValueError, match="m0 must have the length of g, 4; got 3"):
        adam_into(one, np.zeros(3), one, one, one, one, *scalars)
    with pytest.raises(ValueError, match="v0 must be a one-dimensional C-contiguous float64 array"):
        adam_into(one, one, np.zeros(8)[::2], one, one, one, *scalars)
    with pytest.raises(ValueError, match="step must be a one-dimensional C-contiguous float64 array"):
        adam_into(one, one, one, one, one, np.zeros(4, np.float32), *scalars)
    with pytest.raises(ValueError, match="c must be a real number; got ndarray"):
        adam_into(one, one, one, one, one, one, 0.9, 0.999, np.ones(4), 1.0, 1e-8)
    with pytest.raises(ValueError, match="eps must be a real number; got str"):
        adam_into(one, one, one, one, one, one, 0.9, 0.999, -1.0, 1.0, "1e-8")
    frozen = np.zeros(4)
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match="v must be writable"):
        adam_into(one, one, one, one, frozen, one, *scalars)


def test_adam_in_parts_works_in_a_forked_child():
    # the thread pool is made in the parent; a forked child must make its own, not hang
    import multiprocessing

    g = np.random.default_rng(3).normal(size=1 << 19)
    opt = dd.adam()
    here, _ = opt.update(g, opt.init(g))
    with multiprocessing.get_context("fork").Pool(1) as pool:
        there = pool.apply_async(_adam_step_of, (g,)).get(timeout=60)
    np.testing.assert_array_equal(here, there)


def _adam_step_of(g):
    opt = dd.adam()
    return opt.update(g, opt.init(g))[0]
