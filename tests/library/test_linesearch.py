"""Line searches (descend.linesearch): the conditions themselves, hand-worked steps, costs, bad input.

As in scipy's own tests of its line searches, the accepted steps are checked against the
Armijo and Wolfe conditions directly rather than against stored numbers.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import descend as dd  # noqa: E402

VALLEY = dd.ill_conditioned(kappa=50.0, angle=0.5)
SURFACES = [(dd.rosenbrock(), [-1.2, 1.0]), (dd.himmelblau(), [0.5, -1.5]), (dd.beale(), [1.0, 1.5]),
            (VALLEY, [2.0, 2.0]), (dd.sigmoid_neuron(), [-2.0, -2.0])]


def one_step(opt, problem, x):
    x = np.asarray(x, dtype=np.float64)
    return opt.update(problem.grad(x), opt.init(x), x, problem=problem)


# --------------------------------------------------------------------------- grid (CS7015)


def test_grid_keeps_the_best_candidate_and_counts_one_loss_per_candidate():
    p = dd.quadratic([[1.0]])                       # φ(η) = (1 − η)²·x²/2: best η = 1
    step, state = one_step(dd.grid_line_search(etas=(0.1, 0.5, 1.0, 5.0, 10.0)), p, [2.0])
    assert step == pytest.approx([-2.0]) and state.eta == 1.0
    np.testing.assert_allclose(state.trial_fs, 0.5 * (1 - np.array([0.1, 0.5, 1, 5, 10])) ** 2 * 4)
    assert (state.f_evals, state.g_evals, state.h_evals) == (5, 1, 0)


def test_grid_takes_the_best_candidate_even_if_the_loss_goes_up():
    p = dd.quadratic([[1.0]])
    step, state = one_step(dd.grid_line_search(etas=(5.0, 3.0)), p, [1.0])
    assert state.eta == 3.0 and float(p.f(np.array([1.0]) + step)) > float(p.f(np.array([1.0])))


def test_grid_ties_go_to_the_first_and_overflow_counts_as_infinite():
    p = dd.quadratic([[1.0]])                       # η = 0.5 and 1.5 give the same loss
    assert one_step(dd.grid_line_search(etas=(1.5, 0.5)), p, [1.0])[1].eta == 1.5
    steep = dd.scalar(lambda t: np.exp(t**2), lambda t: 2 * t * np.exp(t**2))   # e^(543²) overflows
    _, state = one_step(dd.grid_line_search(etas=(1e-3, 100.0)), steep, [1.0])
    assert state.eta == 1e-3 and np.isinf(state.trial_fs[1])


def test_grid_beats_gd_on_the_cs7015_neuron_in_steps():
    neuron = dd.sigmoid_neuron()
    grid = dd.cost(dd.grid_line_search(), neuron, [-2.0, -2.0], 5000, tol=1e-4)
    gd = dd.cost(dd.gd(eta=1.0), neuron, [-2.0, -2.0], 5000, tol=1e-4)
    assert grid.outcome == gd.outcome == "converged" and grid.steps < gd.steps / 5
    assert grid.f_evals == 5 * grid.steps and grid.g_evals == grid.steps


# --------------------------------------------------------------------------- exact


@pytest.mark.parametrize("a, b, x0", [(4.0, 8.0, -3.0), (0.1, -1.0, 5.0), (25.0, 0.0, 1.0)])
def test_exact_line_search_solves_a_1d_quadratic_in_one_step(a, b, x0):
    p = dd.quadratic([[a]], b=[b])
    step, state = one_step(dd.exact_line_search(), p, [x0])
    assert x0 + step[0] == pytest.approx(b / a, abs=1e-12) and state.eta == pytest.approx(1 / a)


def test_exact_successive_gradients_are_perpendicular():
    opt = dd.exact_line_search()
    trace = dd.run(opt, VALLEY, [2.0, 2.0], steps=12)
    g = VALLEY.grad(trace.xs.T).T
    norms = np.linalg.norm(g, axis=1)
    cosines = np.sum(g[1:] * g[:-1], axis=1) / (norms[1:] * norms[:-1])
    assert np.max(np.abs(cosines)) < 1e-10


def test_exact_step_minimizes_the_loss_along_the_line():
    x = np.array([2.0, 2.0])
    g = VALLEY.grad(x)
    _, state = one_step(dd.exact_line_search(), VALLEY, x)
    etas = np.linspace(0, 3 * state.eta, 30001)
    phi = VALLEY.f(x[:, None] - etas * g[:, None])
    assert etas[np.argmin(phi)] == pytest.approx(state.eta, rel=1e-3)
    lam = np.linalg.eigvalsh(VALLEY.hess(x))        # η* is 1 / (a Rayleigh quotient)
    assert 1 / lam[-1] <= state.eta <= 1 / lam[0]


def test_exact_worst_case_rate_is_kantorovich():
    kappa = 10.0
    p = dd.ill_conditioned(kappa=kappa)             # eigenvalues 1 and κ on the axes
    trace = dd.run(dd.exact_line_search(), p, [1.0, 1.0 / kappa], steps=10)
    ratios = trace.fs[1:] / trace.fs[:-1]
    np.testing.assert_allclose(ratios, ((kappa - 1) / (kappa + 1)) ** 2, rtol=1e-9)


def test_exact_line_search_raises_at_negative_curvature():
    with pytest.raises(dd.NegativeCurvature, match=r"gᵀHg > 0.*step 1") as info:
        one_step(dd.exact_line_search(), dd.saddle(), [0.0, 0.5])   # H_yy = 3y² − 1 < 0
    assert info.value.step == 1 and isinstance(info.value, ValueError)
    cost = dd.cost(dd.exact_line_search(), dd.rosenbrock(), [-1.2, 1.0], 1000)
    assert cost.outcome.startswith("stopped at step") and cost.h_evals == cost.steps > 0


def test_exact_line_search_at_a_minimum_does_not_move():
    step, state = one_step(dd.exact_line_search(), VALLEY, [0.0, 0.0])
    assert np.all(step == 0) and state.eta == 0.0


# --------------------------------------------------------------------------- backtracking


@pytest.mark.parametrize("problem, x0", SURFACES)
@pytest.mark.parametrize("c, shrink", [(1e-4, 0.5), (0.3, 0.8), (0.9, 0.1)])
def test_backtracking_steps_satisfy_armijo_and_are_the_first_that_do(problem, x0, c, shrink):
    opt = dd.backtracking(eta0=1.0, c=c, shrink=shrink)
    trace = dd.run(opt, problem, x0, steps=40)
    states = dd.replay(opt, problem, trace)
    for x, state in zip(trace.xs, states):
        assert state.eta > 0
        assert dd.check_wolfe(problem, x, state.eta, c1=c, c2=0.99).sufficient_decrease
        np.testing.assert_allclose(state.trials, shrink ** np.arange(len(state.trials)))
        for eta in state.trials[:-1]:           # every earlier trial failed the test
            assert not dd.check_wolfe(problem, x, eta, c1=c, c2=0.99).sufficient_decrease


def test_backtracking_by_hand_and_its_counts():
    p = dd.quadratic([[4.0]])                       # L = 2x²; from x = 1, g = 4
    opt = dd.backtracking(eta0=1.0, c=0.5, shrink=0.5)
    step, state = one_step(opt, p, [1.0])
    # η = 1: L(−3) = 18 > 2 − 8; η = 0.5: L(−1) = 2 > 2 − 4; η = 0.25: L(0) = 0 ≤ 2 − 2
    np.testing.assert_allclose(state.trial_fs, [18.0, 2.0, 0.0])
    assert state.eta == 0.25 and step == pytest.approx([-1.0])
    assert (state.f_evals, state.g_evals) == (4, 1)
    # the next search reuses L at the accepted point: only its own trials are counted
    trace = dd.run(opt, p, [1.0], steps=3)
    states = dd.replay(opt, p, trace)
    assert states[-1].f_evals == 1 + sum(len(s.trials) for s in states)


def test_backtracking_gives_up_with_a_zero_step():
    wrong = dd.Problem(f=lambda x: (x**2).sum(0), grad=lambda x: -2 * x, name="uphill gradient", dim=1)
    step, state = one_step(dd.backtracking(max_shrinks=5), wrong, [1.0])
    assert np.all(step == 0) and state.eta == 0.0 and len(state.trials) == 6


def test_line_search_state_is_not_mutated():
    opt = dd.backtracking()
    x = np.array([-1.2, 1.0])
    p = dd.rosenbrock()
    state0 = opt.init(x)
    first = opt.update(p.grad(x), state0, x, problem=p)
    again = opt.update(p.grad(x), state0, x, problem=p)
    np.testing.assert_array_equal(first[0], again[0])
    assert state0.t == 0 and state0.f_evals == 0


# --------------------------------------------------------------------------- Wolfe conditions


def test_wolfe_intervals_on_a_quadratic():
    """With φ(η) = φ(0) − η gᵀg + ½η² gᵀHg and η* = gᵀg / gᵀHg:

    Armijo ⇔ η ≤ 2(1 − c₁)η*, weak curvature ⇔ η ≥ (1 − c₂)η*.
    """
    x = np.array([2.0, 2.0])
    g = VALLEY.grad(x)
    eta_star = (g @ g) / (g @ VALLEY.hess(x) @ g)
    c1, c2 = 0.2, 0.6
    for eta in np.linspace(0.0, 2.5 * eta_star, 251)[1:]:
        weak = dd.check_wolfe(VALLEY, x, eta, c1=c1, c2=c2)
        strong = dd.check_wolfe(VALLEY, x, eta, c1=c1, c2=c2, strong=True)
        margin = 1e-9 * eta_star
        if abs(eta - 2 * (1 - c1) * eta_star) > margin:
            assert weak.sufficient_decrease == (eta <= 2 * (1 - c1) * eta_star)
        if abs(eta - (1 - c2) * eta_star) > margin:
            assert weak.curvature == (eta >= (1 - c2) * eta_star)
        if min(abs(eta - (1 - c2) * eta_star), abs(eta - (1 + c2) * eta_star)) > margin:
            assert strong.curvature == ((1 - c2) * eta_star <= eta <= (1 + c2) * eta_star)


def test_the_exact_step_satisfies_armijo_only_for_c_up_to_one_half():
    x = np.array([2.0, 2.0])
    _, state = one_step(dd.exact_line_search(), VALLEY, x)
    assert dd.check_wolfe(VALLEY, x, state.eta, c1=0.49, c2=0.5, strong=True).holds
    assert not dd.check_wolfe(VALLEY, x, state.eta, c1=0.51, c2=0.9).sufficient_decrease


def test_check_wolfe_accepts_a_direction():
    p = dd.quadratic(np.eye(2))
    w = dd.check_wolfe(p, [1.0, 0.0], 1.0, d=[-1.0, 0.0])
    assert w.holds and w.phi == 0.0 and w.dphi0 == -1.0


# --------------------------------------------------------------------------- replay, cost


def test_replay_checks_that_the_trace_is_the_optimizers():
    trace = dd.run(dd.gd(eta=0.01), VALLEY, [2.0, 2.0], steps=5)
    with pytest.raises(ValueError, match="trace was not made by"):
        dd.replay(dd.backtracking(), VALLEY, trace)


def test_cost_of_first_order_and_diverging_runs():
    gd = dd.cost(dd.gd(eta=0.01), VALLEY, [2.0, 2.0], 50)
    assert (gd.steps, gd.f_evals, gd.g_evals, gd.h_evals) == (50, 0, 50, 0)
    grid = dd.cost(dd.grid_line_search(), VALLEY, [2.0, 2.0], 5000, tol=1e-6)
    assert grid.outcome.startswith("diverged at step")  # every CS7015 candidate exceeds 2/λ_max = 0.04
    with pytest.raises(ValueError, match="cost counts line searches"):
        dd.cost(dd.newton(), VALLEY, [2.0, 2.0], 2)


# --------------------------------------------------------------------------- plot


def test_line_search_plot():
    p = dd.ill_conditioned(kappa=10.0, scale=0.3)
    ax = dd.plot.line_search(p, [2.0, 1.0], dd.backtracking(c=0.3), c2=0.9)
    labels = [line.get_label() for line in ax.lines]
    assert "passes both (Wolfe)" in labels and any(lab.startswith("accepted") for lab in labels)
    plt.close(ax.figure)
    ax = dd.plot.line_search(p, [2.0, 1.0], dd.exact_line_search())
    plt.close(ax.figure)


# --------------------------------------------------------------------------- bad input

BAD = [
    (lambda: dd.grid_line_search(etas=()), TypeError, r"etas must be a non-empty sequence"),
    (lambda: dd.grid_line_search(etas=0.1), TypeError, r"etas must be a non-empty sequence"),
    (lambda: dd.grid_line_search(etas=(0.1, -1.0)), ValueError, r"etas must lie in \(0, inf\)"),
    (lambda: dd.grid_line_search(etas=("a",)), TypeError, r"etas must be a real number"),
    (lambda: dd.backtracking(eta0=0.0), ValueError, r"eta0 must lie in \(0, inf\)"),
    (lambda: dd.backtracking(c=0.0), ValueError, r"c must lie in \(0, 1\)"),
    (lambda: dd.backtracking(c=1.0), ValueError, r"c must lie in \(0, 1\)"),
    (lambda: dd.backtracking(shrink=1.0), ValueError, r"shrink must lie in \(0, 1\)"),
    (lambda: dd.backtracking(shrink="half"), TypeError, r"shrink must be a real number"),
    (lambda: dd.backtracking(max_shrinks=-1), ValueError, r"max_shrinks must be an integer ≥ 0"),
    (lambda: dd.backtracking(max_shrinks=2.5), TypeError, r"max_shrinks must be an integer"),
    (lambda: dd.backtracking().update(np.ones(2), dd.backtracking().init(np.zeros(2)), np.zeros(2)),
     ValueError, r"backtracking needs problem="),
    (lambda: dd.grid_line_search().update(np.ones(3), None, np.zeros(2), problem=VALLEY),
     ValueError, r"g must have the shape of x"),
    (lambda: one_step(dd.exact_line_search(), dd.Problem(f=np.sum, grad=np.ones_like, dim=1), [1.0]),
     ValueError, r"exact_line_search needs a problem with a Hessian"),
    (lambda: dd.check_wolfe(VALLEY, [1.0, 1.0], 0.1, c1=0.5, c2=0.5), ValueError,
     r"c1 must be smaller than c2"),
    (lambda: dd.check_wolfe(VALLEY, [1.0, 1.0], 0.1, c2=1.0), ValueError, r"c2 must lie in \(0, 1\)"),
    (lambda: dd.check_wolfe(VALLEY, [1.0, 1.0], -0.1), ValueError, r"eta must lie in \[0, inf\)"),
    (lambda: dd.check_wolfe(VALLEY, [1.0, 1.0], 0.1, d=[1.0, 1.0]), ValueError,
     r"d must be a descent direction"),
    (lambda: dd.check_wolfe(VALLEY, [1.0, 1.0], 0.1, strong=1), TypeError, r"strong must be True or False"),
    (lambda: dd.check_wolfe("bowl", [1.0, 1.0], 0.1), TypeError, r"problem must be a descend.Problem"),
    (lambda: dd.replay(dd.backtracking(), VALLEY, "trace"), TypeError, r"trace must be a descend.Trace"),
    (lambda: dd.plot.line_search(VALLEY, [1.0, 1.0], dd.gd()), TypeError, r"opt must be a line search"),
    (lambda: dd.plot.line_search(VALLEY, [1.0, 1.0], dd.backtracking(c=0.5), c2=0.4), ValueError,
     r"c2 must be larger than the Armijo constant"),
]


@pytest.mark.parametrize("call, exc, message", BAD)
def test_bad_input(call, exc, message):
    with pytest.raises(exc, match=message):
        call()


# --------------------------------------------------------------------------- counting calls


@pytest.mark.parametrize("opt", [dd.gd(eta=0.03), dd.grid_line_search(etas=(0.01, 0.02, 0.03)),
                                 dd.exact_line_search(), dd.backtracking()],
                         ids=["gd", "grid", "exact", "backtracking"])
def test_cost_counts_match_the_calls_a_run_makes(opt):
    # the run evaluates L and ∇L at every iterate; the method is charged the rest, and the
    # gradient at the last iterate only tests convergence
    p, calls = dd.linesearch.counting(VALLEY)
    trace = dd.run(opt, p, [2.0, 2.0], steps=400, tol=1e-3)
    c = dd.cost(opt, VALLEY, [2.0, 2.0], steps=400, tol=1e-3)
    assert trace.converged and c.steps == trace.steps
    method = (calls["f"] - (trace.steps + 1), calls["grad"] - 1, calls["hess"])
    assert (c.f_evals, c.g_evals, c.h_evals) == method


def test_counting_leaves_the_problem_alone_and_counts_stacks_once():
    original = dd.rosenbrock()
    p, calls = dd.linesearch.counting(original)
    x = np.array([[0.0, 1.0], [0.5, -1.0]])         # two points, stacked along the second axis
    np.testing.assert_array_equal(p.f(x), dd.rosenbrock().f(x))
    p.grad(x[:, 0])
    assert calls == {"f": 1, "grad": 1, "hess": 0} and p.name == "Rosenbrock" and p.dim == 2
    original.f(x), original.grad(x[:, 0]), original.hess(x[:, 0])   # the original counts nothing
    np.testing.assert_array_equal(p.x_star, original.x_star)
    assert calls == {"f": 1, "grad": 1, "hess": 0} and p.hess is not original.hess
    p.hess(x[:, 0])
    assert calls["hess"] == 1
    assert dd.linesearch.counting(dd.scalar(np.sin, np.cos))[0].hess is None
    with pytest.raises(TypeError, match="descend.Problem"):
        dd.linesearch.counting(np.sin)
