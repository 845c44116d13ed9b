"""Newton's method with a regularised Hessian, H + μI (chapter 9)."""

import numpy as np
import pytest

import descend as dd


def random_symmetric(rng, d, low, high):
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    return Q @ np.diag(np.linspace(low, high, d)) @ Q.T


def test_mu_zero_is_newtons_method():
    p = dd.rosenbrock()
    np.testing.assert_array_equal(dd.run(dd.newton(), p, [-1.2, 1.0], 8).xs,
                                  dd.run(dd.newton(mu=0.0), p, [-1.2, 1.0], 8).xs)
    assert dd.newton(mu=0.0).hyper == {"eta": 1.0}


@pytest.mark.parametrize("mu", [0.7, 3.0, 100.0])
def test_the_step_solves_the_regularised_system(mu):
    rng = np.random.default_rng(0)
    A = random_symmetric(rng, 5, -2.0, 4.0)
    p = dd.quadratic(A)
    x = rng.normal(size=5)
    step, _ = dd.newton(eta=0.7, mu=mu).update(p.grad(x), dd.newton().init(x), x, problem=p)
    np.testing.assert_allclose((A + mu * np.eye(5)) @ step, -0.7 * p.grad(x), rtol=1e-10, atol=1e-12)


def test_above_minus_the_smallest_eigenvalue_every_step_is_a_descent_direction():
    rng = np.random.default_rng(1)
    for _ in range(50):
        A = random_symmetric(rng, 6, rng.uniform(-5, -0.1), rng.uniform(0.1, 5))
        lam_min = np.linalg.eigvalsh(A).min()
        p = dd.quadratic(A)
        for mu in (-lam_min * 1.001, -lam_min + 1.0, 10.0 * abs(lam_min)):
            x = rng.normal(size=6)
            step, _ = dd.newton(mu=mu).update(p.grad(x), dd.newton().init(x), x, problem=p)
            assert p.grad(x) @ step < 0


def test_a_large_mu_tends_to_the_gradient_step():
    rng = np.random.default_rng(2)
    A = random_symmetric(rng, 4, -1.0, 3.0)
    p, x = dd.quadratic(A), rng.normal(size=4)
    for mu in (1e2, 1e4, 1e6):
        step, _ = dd.newton(mu=mu).update(p.grad(x), dd.newton().init(x), x, problem=p)
        assert np.linalg.norm(mu * step + p.grad(x)) <= 4.0 / mu * np.linalg.norm(p.grad(x))


def test_regularised_newton_leaves_the_saddle_that_newton_finds():
    p = dd.saddle()                       # saddle at 0 (eigenvalues 1, −1), minima at (0, ±1)
    starts = [(0.5, 0.3), (-0.4, -0.2), (0.2, 0.05)]
    for s in starts:
        assert np.linalg.norm(dd.run(dd.newton(), p, s, 30).x) < 1e-10
        end = dd.run(dd.newton(mu=2.0), p, s, 200).x
        assert np.allclose(np.abs(end), [0.0, 1.0], atol=1e-8)


def test_label_and_bad_input():
    assert dd.newton(mu=0.5).label == "newton (η=1, μ=0.5)"
    with pytest.raises(ValueError, match="mu"):
        dd.newton(mu=-1.0)
    with pytest.raises((ValueError, TypeError), match="mu"):
        dd.newton(mu="big")
