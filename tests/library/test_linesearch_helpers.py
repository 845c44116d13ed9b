"""The helpers behind chapter 6's page: one search, intervals of step sizes, break-even gradient
costs, the cost table, gap ratios, the wavy loss and the line-search scene."""

import functools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import descend as dd  # noqa: E402
from descend._scene import Scene  # noqa: E402

VALLEY = dd.ill_conditioned(kappa=50.0, angle=0.5)


# --------------------------------------------------------------------------- one_search


@pytest.mark.parametrize("opt", [dd.backtracking(c=0.3), dd.grid_line_search(), dd.exact_line_search()],
                         ids=lambda o: o.name)
def test_one_search_is_the_first_step_of_a_run(opt):
    x0 = np.array([2.0, 2.0])
    state = dd.linesearch.one_search(opt, VALLEY, x0)
    first = dd.replay(opt, VALLEY, dd.run(opt, VALLEY, x0, steps=1))[0]
    assert state.t == 1 and state.eta == first.eta
    assert (state.f_evals, state.g_evals, state.h_evals) == (first.f_evals, first.g_evals, first.h_evals)
    np.testing.assert_array_equal(state.trials, first.trials)


def test_one_search_accepts_the_first_armijo_step():
    p, x = dd.himmelblau(), np.array([0.0, 0.0])
    state = dd.linesearch.one_search(dd.backtracking(eta0=0.2, c=0.3), p, x)
    assert list(state.trials) == [0.2, 0.1]
    assert dd.check_wolfe(p, x, state.eta, c1=0.3).sufficient_decrease
    assert not dd.check_wolfe(p, x, 0.2, c1=0.3).sufficient_decrease


@pytest.mark.parametrize("opt, problem, exc", [
    (dd.gd(eta=0.1), VALLEY, TypeError),                       # not a line search
    (dd.backtracking(), "valley", TypeError),
    (dd.backtracking(), VALLEY, ValueError),                   # x of the wrong dimension
])
def test_one_search_bad_input(opt, problem, exc):
    with pytest.raises(exc):
        dd.linesearch.one_search(opt, problem, [1.0, 1.0, 1.0])


# --------------------------------------------------------------------------- intervals


def test_intervals_by_hand():
    etas = np.arange(6.0)
    assert dd.linesearch.intervals(np.array([True, True, False, True, False, True]), etas) == \
        [(0.0, 1.0), (3.0, 3.0), (5.0, 5.0)]
    assert dd.linesearch.intervals(np.zeros(6, dtype=bool), etas) == []
    assert dd.linesearch.intervals(np.ones(6, dtype=bool), etas) == [(0.0, 5.0)]


def test_intervals_of_the_armijo_set_on_a_quadratic():
    # on a quadratic the Armijo steps are exactly η ≤ 2(1 − c)η*: one interval
    x = np.array([2.0, 2.0])
    g = VALLEY.grad(x)
    eta_star = (g @ g) / (g @ VALLEY.hess(x) @ g)
    etas = np.linspace(0.0, 3 * eta_star, 3001)[1:]
    phi = VALLEY.f(x[:, None] - etas * g[:, None])
    passes = phi <= VALLEY.f(x) - 0.3 * etas * (g @ g)
    (a, b), = dd.linesearch.intervals(passes, etas)
    assert a == etas[0] and abs(b - 1.4 * eta_star) <= etas[1] - etas[0]


def test_intervals_bad_input():
    with pytest.raises(ValueError, match="boolean"):
        dd.linesearch.intervals([1, 0, 1], [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="shape"):
        dd.linesearch.intervals(np.array([True, False]), [0.0, 1.0, 2.0])


# --------------------------------------------------------------------------- break_even, cost_table


def test_break_even_equalizes_the_costs():
    bt = dd.cost(dd.backtracking(), VALLEY, [2.0, 2.0], 30_000, tol=1e-3)
    gd = dd.cost(dd.gd(eta=2 / 51), VALLEY, [2.0, 2.0], 30_000, tol=1e-3)
    for free in (0, 1):
        r = dd.linesearch.break_even(bt, gd, free_losses=free)
        assert np.isclose(bt.f_evals - free * bt.steps + r * bt.g_evals, r * gd.g_evals)
        # slightly dearer gradients favour the search, slightly cheaper ones the fixed rate
        for r_, search_cheaper in ((1.01 * r, True), (0.99 * r, False)):
            assert (bt.f_evals - free * bt.steps + r_ * bt.g_evals < r_ * gd.g_evals) == search_cheaper


def test_break_even_is_infinite_without_saved_gradients():
    search = dd.Cost("grid", 50, 250, 50, 0, 0.0, "converged")
    fixed = dd.Cost("gd", 40, 0, 40, 0, 0.0, "converged")
    assert dd.linesearch.break_even(search, fixed) == np.inf


@pytest.mark.parametrize("search, fixed, free", [
    (dd.Cost("exact", 10, 0, 10, 10, 0.0, "converged"), dd.Cost("gd", 40, 0, 40, 0, 0.0, "converged"), 0),
    (dd.Cost("bt", 10, 30, 10, 0, 0.0, "converged"), dd.Cost("bt", 40, 5, 40, 0, 0.0, "converged"), 0),
    (dd.Cost("bt", 10, 5, 10, 0, 0.0, "converged"), dd.Cost("gd", 40, 0, 40, 0, 0.0, "converged"), 1),
    (dd.Cost("bt", 10, 30, 10, 0, 0.0, "converged"), dd.Cost("gd", 40, 0, 40, 0, 0.0, "converged"), -1),
])
def test_break_even_bad_input(search, fixed, free):
    with pytest.raises(ValueError):
        dd.linesearch.break_even(search, fixed, free_losses=free)
    with pytest.raises(TypeError):
        dd.linesearch.break_even((10, 30, 10), fixed)


def test_cost_table_rows_and_outcomes():
    costs = {("quadratic", "grid"): dd.cost(dd.grid_line_search(), VALLEY, [2.0, 2.0], 30_000, tol=1e-3),
             ("neuron", "exact"): dd.cost(dd.exact_line_search(), dd.sigmoid_neuron(), [-2.0, -2.0], 10),
             ("quadratic", "GD"): dd.cost(dd.gd(eta=1e-3), VALLEY, [2.0, 2.0], 5, tol=1e-3),
             ("quadratic", "backtracking"): dd.cost(dd.backtracking(), VALLEY, [2.0, 2.0], 30_000, tol=1e-3)}
    lines = dd.linesearch.cost_table(costs).splitlines()
    assert lines[0] == "| problem | method | steps | L | ∇L | H | end |" and len(lines) == 2 + len(costs)
    ends = [line.split("|")[-2].strip() for line in lines[2:]]
    assert ends == ["diverged", "gᵀHg ≤ 0", "not converged", "converged"]
    bt = costs["quadratic", "backtracking"]
    assert lines[-1] == (f"| quadratic | backtracking | {bt.steps} | {bt.f_evals} | {bt.g_evals} | 0 "
                         "| converged |")
    with pytest.raises(TypeError):
        dd.linesearch.cost_table({("a", "b"): (1, 2, 3)})


# --------------------------------------------------------------------------- gap_ratios


def test_gap_ratios_of_gradient_descent_on_a_quadratic():
    # along an eigenvector each step multiplies the error by 1 − ηλ, the gap by its square
    A, b = np.diag([1.0, 4.0]), np.array([1.0, -2.0])
    p = dd.quadratic(A, b)
    x_star = np.linalg.solve(A, b)
    trace = dd.run(dd.gd(eta=0.1), p, x_star + [0.0, 1.0], steps=10)
    np.testing.assert_allclose(dd.theory.gap_ratios(trace, p.f(x_star)), 0.6**2, rtol=1e-9)
    np.testing.assert_allclose(dd.theory.gap_ratios(trace.fs, p.f(x_star)),
                               dd.theory.gap_ratios(trace, p.f(x_star)))


def test_gap_ratios_respect_the_exact_line_search_bound():
    kappa = 10.0
    p = dd.ill_conditioned(kappa=kappa, angle=0.5)
    rng = np.random.default_rng(1)
    for x0 in rng.uniform(-3, 3, size=(20, 2)):
        ratios = dd.theory.gap_ratios(dd.run(dd.exact_line_search(), p, x0, steps=5))
        assert np.all(ratios <= ((kappa - 1) / (kappa + 1)) ** 2 * (1 + 1e-9))


def test_gap_ratios_bad_input():
    with pytest.raises(ValueError, match="above"):
        dd.theory.gap_ratios([1.0, 0.5, 0.0])
    with pytest.raises(ValueError, match="two"):
        dd.theory.gap_ratios([1.0])


# --------------------------------------------------------------------------- wavy, line_search_scene


@pytest.mark.parametrize("theta", [-5.9, -5.0, -2.3, -0.4, 0.7, 3.1, 5.5])
def test_wavy_derivatives(theta):
    p = dd.problems.wavy()
    assert dd.check_grad(p, None, [theta]) < 1e-6
    assert dd.check_hessian(p.grad, p.hess, np.array([theta])) < 1e-5
    assert p.f(np.array([theta])) == pytest.approx(np.sin(2 * theta) * np.log(theta**2))


def test_line_search_scene_matches_a_static_figure():
    wavy, search = dd.problems.wavy(), functools.partial(dd.backtracking, eta0=0.8)
    setup = functools.partial(dd.plot.line_search_scene, wavy, [-5.0], search, eta_max=1.0, n=250)
    scene = Scene(setup)
    for values in ({"c": 0.65, "shrink": 0.9}, {"c": 0.05, "shrink": 0.2}):
        kept = scene.rgba(values).copy()
        fresh = Scene(setup).rgba(values)
        assert np.array_equal(kept, fresh)
    fig, update = setup()
    update(c=0.05, shrink=0.9)
    ax = fig.axes[0]
    assert [float(v) for v in ax.get_xlim()] == [0.0, 1.0]
    assert any(t.get_text().startswith("accepted") for t in ax.get_legend().get_texts())
    plt.close("all")


def test_line_search_scene_bad_input():
    with pytest.raises(TypeError):
        dd.plot.line_search_scene("wavy", [-5.0], dd.backtracking)
    with pytest.raises(TypeError):
        dd.plot.line_search_scene(dd.problems.wavy(), [-5.0], "backtracking")
