"""dd.theory.curvature_diagnostic: Goodfellow's gᵀHg against ‖g‖² (chapter 9)."""

import numpy as np
import pytest

import descend as dd


def test_on_a_quadratic_the_ratio_gives_the_exact_change_of_a_step():
    rng = np.random.default_rng(0)
    M = rng.normal(size=(4, 4))
    A = M @ M.T + 0.1 * np.eye(4)
    bowl = dd.problems.quadratic(A, rng.normal(size=4))
    xs = rng.normal(size=(20, 4))
    for eta in (0.01, 0.3, 2.0):
        d = dd.theory.curvature_diagnostic(xs, bowl, eta)
        for x, gsq, r in zip(xs, d.grad_sq, d.ratio):
            g = bowl.grad(x)
            change = bowl.f(x - eta * g) - bowl.f(x)
            assert change == pytest.approx(-eta * gsq * (1 - r), rel=1e-9, abs=1e-12)


def test_matches_a_direct_computation_on_rosenbrock():
    rb = dd.problems.rosenbrock()
    trace = dd.run(dd.gd(0.001), rb, [-1.2, 1.0], steps=50)
    d = dd.theory.curvature_diagnostic(trace, rb, 0.001)
    for t in (0, 17, 50):
        x = trace.xs[t]
        g, H = rb.grad(x), rb.hess(x)
        assert d.grad_sq[t] == pytest.approx(g @ g)
        assert d.gHg[t] == pytest.approx(g @ H @ g)
        assert d.ratio[t] == pytest.approx(0.001 * (g @ H @ g) / (2 * g @ g))


def test_zero_gradient_gives_nan_ratio_without_warning():
    bowl = dd.problems.quadratic(np.eye(2))
    with np.errstate(all="raise"):
        d = dd.theory.curvature_diagnostic(np.zeros((1, 2)), bowl, 0.1)
    assert d.grad_sq[0] == 0 and np.isnan(d.ratio[0])


def test_bad_input():
    bowl = dd.problems.quadratic(np.eye(2))
    with pytest.raises(ValueError, match="eta"):
        dd.theory.curvature_diagnostic(np.zeros((1, 2)), bowl, 0.0)
    flat = dd.Problem(f=lambda x: (x**2).sum(0), grad=lambda x: 2 * x, bounds=[(-1, 1), (-1, 1)])
    with pytest.raises(ValueError, match="Hessian"):
        dd.theory.curvature_diagnostic(np.zeros((1, 2)), flat, 0.1)
    with pytest.raises(ValueError, match="trace"):
        dd.theory.curvature_diagnostic(np.array([[np.nan, 0.0]]), bowl, 0.1)


def test_ratio_lies_between_the_extreme_eigenvalues_with_equality_at_eigenvectors():
    rng = np.random.default_rng(1)
    for _ in range(30):
        M = rng.normal(size=(5, 5))
        A = M @ M.T + 0.01 * np.eye(5)
        lam, Q = np.linalg.eigh(A)
        bowl = dd.problems.quadratic(A)                      # gradient A x
        eta = 10 ** rng.uniform(-3, 0)
        d = dd.theory.curvature_diagnostic(rng.normal(size=(40, 5)), bowl, eta)
        assert np.all(d.ratio >= eta * lam[0] / 2 * (1 - 1e-12))
        assert np.all(d.ratio <= eta * lam[-1] / 2 * (1 + 1e-12))
        ends = np.array([Q[:, 0] / lam[0], Q[:, -1] / lam[-1]])   # gradients q_min and q_max
        e = dd.theory.curvature_diagnostic(ends, bowl, eta)
        assert e.ratio == pytest.approx([eta * lam[0] / 2, eta * lam[-1] / 2], rel=1e-9)


def test_a_scalar_problem():
    p = dd.problems.scalar(lambda t: t**4, lambda t: 4 * t**3, lambda t: 12 * t**2)
    d = dd.theory.curvature_diagnostic(np.array([[1.0], [2.0]]), p, 0.1)
    assert d.ratio == pytest.approx([0.1 * 12 / 2, 0.1 * 48 / 2])


def test_dimension_mismatch_is_a_clear_error():
    bowl = dd.problems.quadratic(np.eye(2))
    with pytest.raises(ValueError, match="dimension"):
        dd.theory.curvature_diagnostic(np.zeros(2), bowl, 0.1)       # one point, not (1, 2)
    with pytest.raises(ValueError, match="dimension"):
        dd.theory.curvature_diagnostic(np.zeros((3, 3)), bowl, 0.1)
