"""Finite differences, gradient checks, Taylor approximations."""

import numpy as np
import pytest

import descend as dd


def test_forward_difference_error_is_first_order():
    h = np.array([1e-2, 1e-3])
    err = np.abs(dd.forward_difference(np.sin, 1.0, h) - np.cos(1.0))
    assert err[0] / err[1] == pytest.approx(10, rel=0.05)       # error ∝ h
    assert err[0] == pytest.approx(np.sin(1.0) / 2 * 1e-2, rel=0.05)  # leading term |f''| h / 2


def test_central_difference_error_is_second_order():
    h = np.array([1e-2, 1e-3])
    err = np.abs(dd.central_difference(np.sin, 1.0, h) - np.cos(1.0))
    assert err[0] / err[1] == pytest.approx(100, rel=0.05)      # error ∝ h²
    assert err[0] == pytest.approx(np.cos(1.0) / 6 * 1e-4, rel=0.05)  # leading term |f'''| h² / 6


def test_check_grad_tells_right_from_wrong():
    p = dd.rosenbrock()
    x = np.array([0.3, -0.4])
    assert dd.check_grad(p.f, p.grad, x) < 1e-7
    assert dd.check_grad(p.f, lambda x: 1.01 * p.grad(x), x) > 5e-3


def test_numerical_hessian_of_a_quadratic_is_exact():
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    p = dd.quadratic(A)
    np.testing.assert_allclose(dd.numerical_hessian(p.grad, [0.7, -1.1]), A, atol=1e-8)


def test_directional_derivative():
    p = dd.quadratic(np.eye(2))
    assert dd.directional_derivative(p.grad, [1.0, 2.0], [3.0, 4.0]) == pytest.approx((3 + 8) / 5)
    with pytest.raises(ValueError, match="d must be a non-zero"):
        dd.directional_derivative(p.grad, [1.0, 2.0], [0.0, 0.0])


def test_taylor_orders():
    p = dd.rosenbrock()
    x0 = np.array([0.5, 0.5])
    q1, q2 = dd.taylor(p, x0, order=1), dd.taylor(p, x0, order=2)
    d = np.array([1.0, -1.0])
    e1, e2 = [], []
    for eps in (1e-2, 1e-3):
        x = x0 + eps * d
        e1.append(abs(q1(x) - p.f(x)))
        e2.append(abs(q2(x) - p.f(x)))
    # shrinking the distance tenfold shrinks the error 100× (first order) and 1000× (second)
    assert e1[0] / e1[1] == pytest.approx(100, rel=0.05)
    assert e2[0] / e2[1] == pytest.approx(1000, rel=0.05)
    # by hand: along d, y − x² = 0.25 − 2ε − ε², so L = (0.5 − ε)² + 100(0.25 − 2ε − ε²)²,
    # whose terms beyond second order are 400ε³ + 100ε⁴
    assert e2[1] == pytest.approx(400.1e-9, rel=1e-3)
    # and batched like problem.f
    X = np.stack(np.meshgrid(np.linspace(0, 1, 4), np.linspace(0, 1, 3)))
    assert q2(X).shape == (3, 4)


def test_nearest_on_level_set_of_an_ellipse_is_on_the_curve_and_nearest():
    p = dd.quadratic(np.diag([1.0, 4.0]))           # ½x₁² + 2x₂² = c: ellipses
    point = np.array([0.3, 0.2])
    q = dd.calculus.nearest_on_level_set(p, point, 1.0, radius=2.0, n=401)
    assert p.f(q) == pytest.approx(1.0, abs=1e-4)    # on the level set
    # brute force over the exact ellipse x = (√2 cos t, sin t / √2)
    t = np.linspace(0, 2 * np.pi, 200_001)
    ellipse = np.stack([np.sqrt(2) * np.cos(t), np.sin(t) / np.sqrt(2)], axis=1)
    best = np.linalg.norm(ellipse - point, axis=1).min()
    assert np.linalg.norm(q - point) == pytest.approx(best, rel=2e-4)     # second order in h = 0.01
    # at the nearest point, the step is parallel to the gradient there (Lagrange)
    g = p.grad(q)
    cos = (q - point) @ g / (np.linalg.norm(q - point) * np.linalg.norm(g))
    assert cos == pytest.approx(1.0, abs=1e-5)


def test_nearest_on_level_set_refuses_a_level_out_of_reach():
    p = dd.quadratic(np.eye(2))
    with pytest.raises(ValueError, match="does not come within radius"):
        dd.calculus.nearest_on_level_set(p, [0.1, 0.0], 0.5, radius=0.3)   # the unit circle is 0.9 away
    with pytest.raises(ValueError, match="radius must lie"):
        dd.calculus.nearest_on_level_set(p, [0.1, 0.0], 0.5, radius=0.0)


def test_largest_hessian_norm():
    saddle = dd.quadratic(np.diag([2.0, -5.0]))
    assert dd.calculus.largest_hessian_norm(saddle, [1.0, 1.0], 0.5) == pytest.approx(5.0)
    # L = x₁⁴/12: ∇²L = diag(x₁², 0), largest on the disc of radius 1 about (1, 0) at x₁ = 2
    quartic = dd.Problem(f=lambda x: x[0] ** 4 / 12, grad=lambda x: np.stack([x[0] ** 3 / 3, 0 * x[1]]),
                         hess=lambda x: np.array([[x[0] ** 2, 0 * x[0]], [0 * x[0], 0 * x[0]]]), dim=2)
    assert dd.calculus.largest_hessian_norm(quartic, [1.0, 0.0], 1.0) == pytest.approx(4.0)
    with pytest.raises(ValueError, match="no Hessian"):
        dd.calculus.largest_hessian_norm(dd.Problem(f=np.sum, grad=np.ones_like, dim=2), [0.0, 0.0], 1.0)


def test_level_gap_bounds_by_hand_and_on_a_bowl():
    # M = 0 (a plane): both bounds are Δc/g
    assert dd.calculus.level_gap_bounds(4.0, 0.0, 0.2) == pytest.approx((0.05, 0.05))
    # g = 3, M = 2, Δc = 2: lower 4/(3 + √17), upper 4/(3 + √1) = 1
    lo, hi = dd.calculus.level_gap_bounds(3.0, 2.0, 2.0)
    assert lo == pytest.approx(4 / (3 + np.sqrt(17))) and hi == pytest.approx(1.0)
    assert dd.calculus.level_gap_bounds(1.0, 1.0, 0.6)[1] == np.inf        # 2MΔc > g²
    # the bowl x₁² + x₂² (M = 2) from radius r: the gap to the next circle is exact
    r, dc = np.array([0.5, 1.0, 2.0]), np.array([0.01, 0.1, 0.3])
    gap = np.sqrt(r**2 + dc) - r
    lo, hi = dd.calculus.level_gap_bounds(2 * r, 2.0, dc)
    assert np.all(gap <= hi)
    np.testing.assert_allclose(lo, gap, rtol=1e-12)    # tight: the bowl rises as fast as Taylor allows
    # both bounds agree with Δc/g to first order
    lo, hi = dd.calculus.level_gap_bounds(1.0, 1.0, np.array([1e-3, 1e-4]))
    np.testing.assert_allclose([lo, hi], [[1e-3, 1e-4]] * 2, rtol=1e-3)
    with pytest.raises(ValueError, match="grad_norm must lie"):
        dd.calculus.level_gap_bounds(0.0, 1.0, 0.1)


def test_bracket_zeros_proves_the_count_and_refuses_what_it_cannot_decide():
    f = lambda x: (x - 0.5) ** 2 - 0.01                        # zeros at 0.4 and 0.6
    df = lambda x: 2 * (x - 0.5)
    slope = lambda a, b: 2 * np.maximum(np.abs(a - 0.5), np.abs(b - 0.5))
    two = lambda a, b: np.full_like(a, 2.0)
    cells = dd.calculus.bracket_zeros(f, np.linspace(0.0, 1.0, 41) + 1e-3, slope, df=df, curvature_bound=two)
    assert cells.shape == (2, 2)
    assert np.all((cells[:, 0] < [0.4, 0.6]) & ([0.4, 0.6] < cells[:, 1]))
    with pytest.raises(ValueError, match="may hide a pair of zeros"):   # one cell, two zeros, no sign change
        dd.calculus.bracket_zeros(f, [0.0, 1.0], slope)
    with pytest.raises(ValueError, match="exactly zero at the grid point"):
        dd.calculus.bracket_zeros(lambda x: x - 0.5, [0.0, 0.5, 1.0], slope)
    cubic = lambda x: (x - 0.3) * (x - 0.5) * (x - 0.7)         # a sign change over three zeros
    with pytest.raises(ValueError, match="more than one zero"):
        dd.calculus.bracket_zeros(cubic, [0.0, 1.0], lambda a, b: np.full_like(a, 1.0),
                                  df=lambda x: 3 * x**2 - 3 * x + 0.71,
                                  curvature_bound=lambda a, b: np.full_like(a, 4.5))
    with pytest.raises(ValueError, match="together"):
        dd.calculus.bracket_zeros(f, [0.0, 1.0], slope, df=df)


def test_bracket_zeros_decides_a_cell_next_to_a_zero_by_monotonicity():
    line = lambda x: x - 0.5                                    # one zero, at 0.5
    loose = lambda a, b: np.full_like(a, 2.0)                   # a true but loose bound on |f′| = 1
    grid = [0.45, 0.499, 0.6]                                   # [0.45, 0.499] lies next to the zero
    with pytest.raises(ValueError, match="may hide a pair of zeros"):   # the first test cannot decide it
        dd.calculus.bracket_zeros(line, grid, loose)
    cells = dd.calculus.bracket_zeros(line, grid, loose, df=lambda x: np.ones_like(x),
                                      curvature_bound=lambda a, b: np.full_like(a, 0.1))
    np.testing.assert_array_equal(cells, [[0.499, 0.6]])        # monotone, so no zero there


def test_level_tangents_on_an_ellipse_match_the_exact_tangent():
    A = np.diag([1.0, 4.0])
    ellipse = dd.quadratic(A)                                   # ½(x² + 4y²) = ½
    t = np.linspace(0.1, 2 * np.pi, 25)
    exact = np.column_stack([np.cos(t), 0.5 * np.sin(t)])        # on the curve
    q, tangents = dd.calculus.level_tangents(ellipse, exact * 1.01, 0.5)
    np.testing.assert_allclose(ellipse.f(q.T), 0.5, atol=1e-14)
    s = np.arctan2(2 * q[:, 1], q[:, 0])
    true = np.column_stack([-np.sin(s), 0.5 * np.cos(s)])
    true /= np.linalg.norm(true, axis=1)[:, None]
    assert np.abs(np.abs((tangents * true).sum(1)) - 1).max() < 1e-9
    with pytest.raises(ValueError, match="could not solve"):
        dd.calculus.level_tangents(ellipse, [[5.0, 5.0]], 0.5, steps=2)


def test_largest_hessian_norm_finds_a_peak_inside_the_disc():
    # L = exp(−‖x‖²/2), ∇²L = (xxᵀ − I) L: the norm is 1 at the centre, at most e^(−1/2) on the unit circle
    def hess(x):
        eye = np.eye(2).reshape((2, 2) + (1,) * (np.ndim(x) - 1))
        return (np.einsum("i...,j...->ij...", x, x) - eye) * np.exp(-0.5 * (x[0] ** 2 + x[1] ** 2))

    bump = dd.Problem(f=lambda x: np.exp(-0.5 * (x[0] ** 2 + x[1] ** 2)),
                      grad=lambda x: -x * np.exp(-0.5 * (x[0] ** 2 + x[1] ** 2)), hess=hess, dim=2)
    assert dd.calculus.check_hessian(bump.grad, bump.hess, np.array([0.3, -0.4])) < 1e-6
    assert dd.calculus.largest_hessian_norm(bump, [0.0, 0.0], 1.0) == pytest.approx(1.0)


def test_level_gap_bounds_hold_on_random_quadratics():
    # on L = ½xᵀAx, with M = ‖A‖₂ exactly, the distance to the level L(θ) + Δc is the smallest positive
    # root, over all unit directions u, of s gᵀu + ½s² uᵀAu = Δc; it must lie between the bounds
    rng = np.random.default_rng(3)
    angles = np.linspace(0, 2 * np.pi, 40_000, endpoint=False)
    U = np.stack([np.cos(angles), np.sin(angles)])
    for _ in range(30):
        B = rng.normal(size=(2, 2))
        A = (B + B.T) / 2                                   # indefinite as often as not
        theta, dc = rng.normal(size=2), 10 ** rng.uniform(-3, 0)
        g = A @ theta
        gu, a = g @ U, np.einsum("ik,ij,jk->k", U, A, U)
        disc = gu**2 + 2 * a * dc
        with np.errstate(invalid="ignore", divide="ignore"):
            roots = 2 * dc / (gu + np.sqrt(disc))           # the root nearest 0, also for a → 0
        d = np.where((disc >= 0) & (roots > 0), roots, np.inf).min()
        lo, hi = dd.calculus.level_gap_bounds(np.linalg.norm(g), np.abs(np.linalg.eigvalsh(A)).max(), dc)
        assert lo <= d * (1 + 1e-12)
        assert d <= hi * (1 + 1e-6)                         # the grid of directions overestimates d slightly


def test_level_tangents_solves_every_traced_point_where_a_partial_derivative_is_small():
    # the sigmoid neuron's curves pass where ∂L/∂x_k is tiny; the solve must stop at round-off, not raise
    neuron = dd.sigmoid_neuron()
    for c in (0.05, 0.25, 0.45):
        for piece in dd.level_curve(neuron, c, n=200):
            q, t = dd.calculus.level_tangents(neuron, piece, c)
            assert np.all(np.abs(neuron.f(q.T) - c) <= 1e-12)
            assert np.allclose(np.linalg.norm(t, axis=1), 1.0)
