"""Property-based tests of the library (hypothesis): statements that must hold for every input.

Each property is a theorem of the book, checked on many random cases instead of a few
hand-picked ones.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import descend as dd

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

finite = st.floats(min_value=-10, max_value=10, allow_nan=False, allow_infinity=False)


@st.composite
def convex_quadratics(draw, max_dim=4):
    """A random symmetric positive-definite A (eigenvalues in [0.1, 10]) and b."""
    d = draw(st.integers(1, max_dim))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    lam = draw(arrays(np.float64, d, elements=st.floats(0.1, 10.0)))
    A = Q @ np.diag(lam) @ Q.T
    A = 0.5 * (A + A.T)
    b = draw(arrays(np.float64, d, elements=finite))
    x0 = draw(arrays(np.float64, d, elements=finite))
    return dd.quadratic(A, b), x0, float(lam.max())


@SETTINGS
@given(convex_quadratics(), st.floats(0.01, 0.99))
def test_gd_below_the_stability_bound_never_increases_the_loss(case, fraction):
    problem, x0, lam_max = case
    eta = fraction * 2.0 / lam_max  # 0 < η < 2/λ_max
    trace = dd.run(dd.gd(eta=eta), problem, x0, steps=60)
    assert not trace.diverged
    increases = np.diff(trace.fs)
    # each eigencomponent of the error shrinks by |1 − ηλ| < 1; allow round-off only
    assert np.all(increases <= 1e-12 * (1 + np.abs(trace.fs[:-1])))


@SETTINGS
@given(convex_quadratics(), st.floats(0.01, 1.0))
def test_momentum_with_beta_zero_equals_gd(case, eta_scale):
    problem, x0, lam_max = case
    eta = eta_scale / lam_max
    a = dd.run(dd.momentum(eta=eta, beta=0.0), problem, x0, steps=30)
    b = dd.run(dd.gd(eta=eta), problem, x0, steps=30)
    np.testing.assert_array_equal(a.xs, b.xs)


def adam_step_bound(eta, beta1, beta2, t):
    r"""|step| ≤ η B_t for every gradient sequence, derived by Cauchy–Schwarz:

    |m_t| = (1−β₁)|Σ β₁^{t−i} g_i| ≤ (1−β₁) √(Σ_k (β₁²/β₂)^k) · √(Σ β₂^{t−i} g_i²) and
    v_t = (1−β₂) Σ β₂^{t−i} g_i², so |m̂_t|/√v̂_t ≤ (1−β₁)/(1−β₁^t) · √((1−β₂^t)/(1−β₂)) ·
    √(Σ_{k<t} (β₁²/β₂)^k). At t = 1 this is exactly 1; ε only makes the step smaller.
    """
    k = np.arange(t)
    return eta * (1 - beta1) / (1 - beta1**t) * np.sqrt((1 - beta2**t) / (1 - beta2)) * np.sqrt(
        np.sum((beta1**2 / beta2) ** k))


@SETTINGS
@given(
    st.floats(1e-4, 1.0),
    st.floats(0.0, 0.99),
    st.floats(0.5, 0.9999),
    arrays(np.float64, (40, 3), elements=st.floats(-1e3, 1e3)),
)
def test_adam_step_never_exceeds_its_bound(eta, beta1, beta2, grads):
    assume(beta1**2 < beta2)  # the regime of every published default
    opt = dd.adam(eta=eta, beta1=beta1, beta2=beta2, eps=1e-8)
    state = opt.init(np.zeros(3))
    for t, g in enumerate(grads, start=1):
        step, state = opt.update(g, state, np.zeros(3))
        assert np.all(np.abs(step) <= adam_step_bound(eta, beta1, beta2, t) * (1 + 1e-12))


def test_the_adam_bound_is_tight_at_the_first_step():
    step, _ = dd.adam(eta=0.1).update(np.array([3.0]), dd.adam(eta=0.1).init(np.zeros(1)), np.zeros(1))
    assert abs(step[0]) == pytest.approx(adam_step_bound(0.1, 0.9, 0.999, 1), rel=1e-6)


@SETTINGS
@given(arrays(np.float64, 3, elements=st.floats(-100, 100)), st.floats(0.0, 0.999), st.integers(1, 200))
def test_bias_corrected_first_moment_of_a_constant_gradient_is_the_gradient(g, beta1, steps):
    opt = dd.adam(beta1=beta1)
    state = opt.init(np.zeros(3))
    for t in range(1, steps + 1):
        _, state = opt.update(g, state, np.zeros(3))
        m_hat = state.m / (1 - beta1**t)
        np.testing.assert_allclose(m_hat, g, rtol=1e-10, atol=1e-12)


PROBLEMS = {
    "rosenbrock": dd.rosenbrock(),
    "beale": dd.beale(),
    "himmelblau": dd.himmelblau(),
    "saddle": dd.saddle(),
    "sigmoid_neuron": dd.sigmoid_neuron(),
    "ill_conditioned": dd.ill_conditioned(30.0, angle=0.7),
}


@pytest.mark.parametrize("name", sorted(PROBLEMS))
@SETTINGS
@given(u=arrays(np.float64, 2, elements=st.floats(0.0, 1.0)))
def test_check_grad_agrees_with_every_analytic_gradient(name, u):
    p = PROBLEMS[name]
    lo, hi = np.array(p.bounds).T
    x = lo + (hi - lo) * u  # a random point inside the problem's window
    g = p.grad(x)
    # relative error is meaningless where the gradient itself is ~0 (at a critical point)
    assume(np.linalg.norm(g) > 1e-3)
    assert dd.check_grad(p, None, x) < 1e-5
