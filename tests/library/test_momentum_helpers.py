"""The helpers behind chapter 4's page: sign changes and overshoots of a sequence, fitted rates,
Nesterov's gradient-step iterates, Lessard et al.'s function, and the two explorer scenes."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import descend as dd  # noqa: E402

VALLEY = dd.ill_conditioned(kappa=50.0, angle=np.pi / 6)
LAMBDAS, Q = np.linalg.eigh(VALLEY.hess(np.zeros(2)))
X0 = [-2.5, -0.5]


# --------------------------------------------------------------------------- sign_changes, overshoot


def test_sign_changes_by_hand():
    assert dd.calculus.sign_changes([1.0, -1.0, 1.0, -1.0]) == 3
    assert dd.calculus.sign_changes([1.0, 0.0, 2.0]) == 0          # a zero is not a change
    assert dd.calculus.sign_changes([1.0, 0.0, -2.0]) == 1
    assert dd.calculus.sign_changes([0.0, 0.0]) == 0
    assert dd.calculus.sign_changes([5.0]) == 0


def test_sign_changes_count_passes_of_the_minimum():
    # gradient descent with ηλ < 1 multiplies each coordinate by 1 − ηλ > 0: it never passes
    gd = dd.run(dd.gd(eta=0.015), VALLEY, X0, steps=100)
    assert dd.calculus.sign_changes((gd.xs @ Q)[:, 0]) == 0
    # on ½θ² with ηλ = 1.5 each step multiplies θ by −0.5: a change at every step
    flip = dd.run(dd.gd(eta=1.5), dd.quadratic([[1.0]]), 1.0, steps=20)
    assert dd.calculus.sign_changes(flip.xs[:, 0]) == 20


def test_overshoot_by_hand():
    assert dd.calculus.overshoot([2.0, -0.5, 0.8, -0.3]) == 0.8
    assert dd.calculus.overshoot([2.0, 1.0, -3.0]) == 3.0
    assert dd.calculus.overshoot([-1.0, -0.5, 0.25, -0.1]) == 0.25
    assert dd.calculus.overshoot([2.0, 1.0, 0.0, 0.5]) == 0.0       # touching zero is not passing it


def test_overshoot_of_momentum_in_the_valley():
    mom = dd.run(dd.momentum(eta=0.015, beta=0.9), VALLEY, X0, steps=100)
    along = (mom.xs @ Q)[:, 0]
    first = int(np.argmax(along * along[0] < 0))
    assert dd.calculus.overshoot(along) == pytest.approx(np.abs(along[first:]).max())
    assert dd.calculus.overshoot(along) > 0.1


@pytest.mark.parametrize("bad", [[], [[1.0, 2.0]], [1.0, np.nan]])
def test_sequences_are_checked(bad):
    for f in (dd.calculus.sign_changes, dd.calculus.overshoot):
        with pytest.raises(ValueError):
            f(bad)


def test_overshoot_needs_a_start_away_from_zero():
    with pytest.raises(ValueError, match="away from zero"):
        dd.calculus.overshoot([0.0, 1.0, -1.0])


# --------------------------------------------------------------------------- fitted_rate


def test_fitted_rate_of_geometric_errors():
    t = np.arange(60)
    xs = np.column_stack([3 * 0.8**t, -4 * 0.8**t]) + [1.0, 2.0]
    assert dd.theory.fitted_rate(xs, [1.0, 2.0]) == pytest.approx(0.8, rel=1e-12)
    assert dd.theory.fitted_rate(xs, [1.0, 2.0], start=30) == pytest.approx(0.8, rel=1e-12)


def test_fitted_rate_with_a_linear_factor():
    t = np.arange(200)
    xs = t * 0.9**t
    assert dd.theory.fitted_rate(xs, [0.0], start=50, power=1) == pytest.approx(0.9, rel=1e-12)
    assert dd.theory.fitted_rate(xs, [0.0], start=50) > 0.9          # the factor t slows the fit


def test_fitted_rate_of_gradient_descent_is_its_theoretical_rate():
    opt = dd.theory.gd_optimum(LAMBDAS[0], LAMBDAS[1])
    run = dd.run(dd.gd(eta=opt.eta), VALLEY, X0, steps=150)
    assert dd.theory.fitted_rate(run, VALLEY.x_star, start=50) == pytest.approx(opt.rate, abs=1e-3)


def test_fitted_rate_rejects_bad_input():
    xs = 0.5 ** np.arange(10.0)
    with pytest.raises(ValueError, match="start"):
        dd.theory.fitted_rate(xs, [0.0], power=1)
    with pytest.raises(ValueError, match="two steps"):
        dd.theory.fitted_rate(xs, [0.0], start=9)
    with pytest.raises(ValueError, match="exactly"):
        dd.theory.fitted_rate([1.0, 0.0, 0.0], [0.0])


# --------------------------------------------------------------------------- nesterov_gradient_points


def _cs7015(problem, theta0, eta, beta, steps):
    """CS7015's form: the gradient at θ_t − βu_{t−1}; returns θ_t and the look-ahead points."""
    theta, u = np.array(theta0, dtype=float), np.zeros(len(theta0))
    thetas, looks = [theta], []
    for _ in range(steps + 1):
        look = theta - beta * u
        looks.append(look)
        u = beta * u + eta * problem.grad(look)
        theta = theta - u
        thetas.append(theta)
    return np.array(thetas[:-1]), np.array(looks)


@pytest.mark.parametrize("problem, x0, eta, beta", [(VALLEY, X0, 0.015, 0.9),
                                                    (dd.rosenbrock(), [-1.5, 2.0], 1e-3, 0.9)])
def test_gradient_points_are_cs7015s_iterates(problem, x0, eta, beta):
    thetas, looks = _cs7015(problem, x0, eta, beta, steps=200)
    run = dd.run(dd.nesterov(eta=eta, beta=beta), problem, x0, steps=200)
    np.testing.assert_allclose(run.xs, looks, atol=1e-12)
    np.testing.assert_allclose(dd.theory.nesterov_gradient_points(run, problem, eta), thetas, atol=1e-12)


def test_gradient_points_then_a_push_give_the_look_ahead_points():
    eta, beta = 0.02, 0.8
    run = dd.run(dd.nesterov(eta=eta, beta=beta), VALLEY, X0, steps=50)
    theta = dd.theory.nesterov_gradient_points(run, VALLEY, eta)
    np.testing.assert_allclose(run.xs[1:], theta[1:] + beta * (theta[1:] - theta[:-1]), atol=1e-13)


# --------------------------------------------------------------------------- lessard


def test_lessard_is_smooth_and_strongly_convex():
    p = dd.problems.lessard()
    for t in (-1.0, 0.5, 1.5, 2.5, 3.3):
        assert dd.check_grad(p, None, [t]) < 1e-6
    for joint in (1.0, 2.0):
        below, at = np.array([[joint - 1e-12]]), np.array([[joint]])
        np.testing.assert_allclose([p.f(below)[0], p.grad(below)[0, 0]], [p.f(at)[0], p.grad(at)[0, 0]], atol=1e-9)
    t = np.linspace(-3, 5, 2001)[None]
    slopes = np.diff(p.grad(t)[0]) / np.diff(t[0])
    assert slopes.min() == pytest.approx(1.0) and slopes.max() == pytest.approx(25.0)
    assert p.f(np.zeros((1, 1)))[0] == 0.0 and p.f(t).min() >= 0.0


def test_heavy_ball_cycles_on_lessard_and_nesterov_converges():
    p = dd.problems.lessard()
    hb = dd.theory.heavy_ball_optimum(1.0, 25.0)
    run = dd.run(dd.momentum(eta=hb.eta, beta=hb.beta), p, 3.3, steps=300)
    np.testing.assert_allclose(run.xs[-3:], run.xs[-6:-3], atol=1e-10)       # period three
    assert np.abs(run.xs[-3:]).min() > 0.1                                    # away from θ* = 0
    assert abs(dd.run(dd.nesterov(eta=1 / 25, beta=2 / 3), p, 3.3, steps=300).x[0]) < 1e-10


# --------------------------------------------------------------------------- scenes


def test_paths_scene_draws_one_path_per_run():
    def runs(eta, beta):
        return [dd.run(dd.gd(eta=eta), VALLEY, X0, 40), dd.run(dd.momentum(eta=eta, beta=beta), VALLEY, X0, 40)]

    fig, update = dd.plot.paths_scene(VALLEY, runs, labels=["gd", "momentum"], colors=["black", "red"],
                                      bounds=[(-3.0, 1.5), (-2.0, 1.5)], equal_aspect=True,
                                      title=lambda traces, eta, beta: f"{len(traces)} runs, η = {eta}")
    ax = fig.axes[0]
    assert ax.get_xlim() == (-3.0, 1.5) and ax.get_aspect() == 1.0
    update(eta=0.015, beta=0.9)
    paths = [line for line in ax.lines if len(line.get_xdata()) == 41]
    assert [line.get_color() for line in paths] == ["black", "red"]
    assert ax.get_title() == "2 runs, η = 0.015"
    assert ax.get_xlim() == (-3.0, 1.5)                                       # the window stays
    plt.close(fig)


def test_paths_scene_checks_the_number_of_runs():
    fig, update = dd.plot.paths_scene(VALLEY, lambda eta: [dd.run(dd.gd(eta=eta), VALLEY, X0, 5)],
                                      labels=["gd", "momentum"])
    with pytest.raises(ValueError, match="1 traces for 2 labels"):
        update(eta=0.01)
    plt.close(fig)


def test_rate_map_scene_quotes_the_nearest_grid_point():
    res = dd.sweep(dd.momentum, VALLEY, X0, steps=150, eta=np.linspace(0.005, 0.08, 16),
                   beta=np.linspace(0.0, 0.9, 10))
    rates = res.rate()
    fig, update = dd.plot.rate_map_scene(res, optimum=(0.06, 0.5), steps=100)
    ax = fig.axes[0]
    assert any(line.get_marker() == "*" for line in ax.lines)
    update(eta=0.03, beta=0.5)
    i, j = np.argmin(np.abs(res.grid["eta"] - 0.03)), np.argmin(np.abs(res.grid["beta"] - 0.5))
    assert ax.get_title() == f"η = 0.03, β = 0.5: ρ = {rates[i, j]:.3f}: error ×{rates[i, j] ** 100:.1e} in 100 steps"
    update(eta=0.08, beta=0.0)                                                # beyond 2/λ_max
    assert ax.get_title() == "η = 0.08, β = 0: no convergence"
    plt.close(fig)
