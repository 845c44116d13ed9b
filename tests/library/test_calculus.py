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
