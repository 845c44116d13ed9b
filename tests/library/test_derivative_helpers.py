"""Helpers that chapter 1 (derivatives) calls instead of defining them in the notebook."""

import numpy as np
import pytest

import descend as dd


# numerical_jacobian -------------------------------------------------------------------------

def test_numerical_jacobian_of_a_linear_map_is_the_matrix():
    A = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, 4.0]])
    J = dd.calculus.numerical_jacobian(lambda x: A @ x, [0.3, -1.0, 2.0])
    assert J.shape == (2, 3)
    np.testing.assert_allclose(J, A, atol=1e-9)


def test_numerical_jacobian_is_not_symmetrized():
    f = lambda x: np.array([x[0] * x[1], np.sin(x[0])])          # J = [[x₂, x₁], [cos x₁, 0]]
    J = dd.calculus.numerical_jacobian(f, [1.0, 2.0])
    np.testing.assert_allclose(J, [[2.0, 1.0], [np.cos(1.0), 0.0]], atol=1e-9)


def test_numerical_jacobian_of_a_scalar_is_the_gradient_as_a_row():
    p = dd.rosenbrock()
    x = np.array([0.3, -0.4])
    J = dd.calculus.numerical_jacobian(p.f, x)
    assert J.shape == (1, 2)
    np.testing.assert_allclose(J[0], p.grad(x), rtol=1e-7)


def test_numerical_jacobian_chain_rule_of_the_sigmoid_layer():
    X = np.array([[0.5, 1.0], [2.5, 1.0]])
    theta = np.array([0.5, 0.0])
    J = dd.calculus.numerical_jacobian(lambda t: dd.sigmoid(X @ t), theta)
    np.testing.assert_allclose(J, np.diag(dd.sigmoid_prime(X @ theta)) @ X, atol=1e-9)


def test_numerical_jacobian_rejects_a_bad_step():
    with pytest.raises(ValueError):
        dd.calculus.numerical_jacobian(np.sin, [1.0], h=0.0)


# loglog_slope -------------------------------------------------------------------------------

@pytest.mark.parametrize("p", [-1.0, 0.5, 1.0, 2.0, 3.0])
def test_loglog_slope_recovers_a_power(p):
    x = np.geomspace(1e-4, 1e-1, 7)
    assert dd.calculus.loglog_slope(x, -5.0 * x**p) == pytest.approx(p, abs=1e-12)


def test_loglog_slope_measures_the_orders_of_the_differences():
    h = np.geomspace(1e-3, 1e-1, 5)
    forward = dd.forward_difference(np.sin, 1.0, h) - np.cos(1.0)
    central = dd.central_difference(np.sin, 1.0, h) - np.cos(1.0)
    assert dd.calculus.loglog_slope(h, forward) == pytest.approx(1.0, abs=0.05)
    assert dd.calculus.loglog_slope(h, central) == pytest.approx(2.0, abs=0.05)


@pytest.mark.parametrize("x, y", [([1.0, 1.0], [1.0, 2.0]), ([1.0], [1.0]), ([0.0, 1.0], [1.0, 2.0]),
                                  ([1.0, 2.0], [0.0, 1.0]), ([1.0, 2.0, 3.0], [1.0, 2.0])])
def test_loglog_slope_rejects_what_has_no_slope(x, y):
    with pytest.raises(ValueError):
        dd.calculus.loglog_slope(x, y)


# takes_value --------------------------------------------------------------------------------

def test_takes_value_finds_a_value_between_the_extremes():
    assert dd.calculus.takes_value(np.cos, 0.5, 0.0, 2.0)
    assert dd.calculus.takes_value(np.cos, np.cos(2.0), 0.0, 2.0)           # at an end
    assert not dd.calculus.takes_value(np.cos, 1.5, 0.0, 2.0)
    assert not dd.calculus.takes_value(np.cos, np.cos(2.0) - 1e-9, 0.0, 2.0)


def test_takes_value_checks_taylors_remainder():
    # sin(1 + h) − sin 1 − h cos 1 = (h²/2)(−sin ξ) for some ξ in [1, 1 + h]
    h = 0.1
    remainder = (np.sin(1 + h) - np.sin(1) - h * np.cos(1)) / (h**2 / 2)
    assert dd.calculus.takes_value(lambda t: -np.sin(t), remainder, 1.0, 1.0 + h)
    assert not dd.calculus.takes_value(lambda t: -np.sin(t), remainder, 2.0, 2.0 + h)


def test_takes_value_rejects_a_reversed_interval():
    with pytest.raises(ValueError):
        dd.calculus.takes_value(np.cos, 0.5, 2.0, 0.0)


# critical_points ----------------------------------------------------------------------------

def test_critical_points_of_himmelblau_are_four_minima_four_saddles_and_a_maximum():
    p = dd.himmelblau()
    grid = np.linspace(-5, 5, 21)
    starts = np.stack(np.meshgrid(grid, grid)).reshape(2, -1).T
    points = dd.calculus.critical_points(p, starts)
    assert points.shape == (9, 2)
    kinds = [dd.second_derivative_test(p.hess(c)) for c in points]
    assert sorted(kinds) == ["maximum"] + ["minimum"] * 4 + ["saddle"] * 4
    assert np.all(np.linalg.norm(p.grad(points.T), axis=0) < 1e-8)
    minima = points[[k == "minimum" for k in kinds]]
    for m in p.minima:                                            # the four known minima
        assert np.min(np.linalg.norm(minima - m, axis=1)) < 1e-8
    pairwise = np.linalg.norm(points[:, None] - points[None], axis=2) + np.eye(9)
    assert pairwise.min() > 1e-6


def test_critical_points_of_a_quadratic_is_its_centre_in_one_step():
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    b = np.array([1.0, -1.0])
    bowl = dd.quadratic(A, b)
    points = dd.calculus.critical_points(bowl, [[5.0, 5.0], [-3.0, 2.0]], steps=1)
    np.testing.assert_allclose(points, [np.linalg.solve(A, b)], atol=1e-12)


def test_critical_points_needs_a_hessian():
    p = dd.Problem(f=lambda x: (x**2).sum(0), grad=lambda x: 2 * x, name="bowl",
                   bounds=[(-1, 1), (-1, 1)])
    with pytest.raises(ValueError, match="Hessian"):
        dd.calculus.critical_points(p, [[1.0, 1.0]])


# chord_cosines ------------------------------------------------------------------------------

def test_chord_cosines_vanish_on_a_circle_around_a_round_bowl():
    t = np.linspace(0, 2 * np.pi, 13)
    circle = np.column_stack([np.cos(t), np.sin(t)])
    assert dd.calculus.chord_cosines(dd.quadratic(np.eye(2)), circle).max() < 1e-12


def test_chord_cosines_measure_a_chord_along_the_gradient():
    bowl = dd.quadratic(np.eye(2))                    # ∇L = x
    along = np.array([[1.0, 0.0], [2.0, 0.0]])        # chord (1, 0), gradient (1.5, 0)
    tilted = np.array([[1.0, -0.5], [1.0, 0.5]])      # chord (0, 1), gradient (1, 0): perpendicular
    np.testing.assert_allclose(dd.calculus.chord_cosines(bowl, along), [1.0])
    np.testing.assert_allclose(dd.calculus.chord_cosines(bowl, tilted), [0.0], atol=1e-15)


def test_chord_cosines_of_the_tracer_shrink_with_the_grid():
    p = dd.himmelblau()
    worst = [dd.calculus.chord_cosines(p, max(dd.level_curve(p, 40.0, n=n), key=len)).max()
             for n in (100, 200, 400)]
    assert worst[0] > worst[1] > worst[2]


# scientific ---------------------------------------------------------------------------------

@pytest.mark.parametrize("x, digits, text", [(1.234e-8, 1, r"$1.2 \times 10^{-8}$"),
                                             (4.49e-4, 0, r"$4 \times 10^{-4}$"),
                                             (-2.5e6, 2, r"$-2.50 \times 10^{6}$"),
                                             (3.0, 1, r"$3.0 \times 10^{0}$")])
def test_scientific_writes_mantissa_and_power(x, digits, text):
    assert dd.verdict.scientific(x, digits).data == text


def test_scientific_is_markdown_for_glue():
    assert dd.verdict.scientific(1e-3)._repr_markdown_() == r"$1.0 \times 10^{-3}$"


@pytest.mark.parametrize("x, digits", [(np.nan, 1), (np.inf, 1), (1.0, -1)])
def test_scientific_rejects_bad_input(x, digits):
    with pytest.raises(ValueError):
        dd.verdict.scientific(x, digits)
