"""The golden-section line search: a true 1-D minimisation along -g, counted in loss evaluations."""

import numpy as np
import pytest

import descend as dd


def one_step(opt, problem, x):
    x = np.asarray(x, dtype=float)
    return opt.update(problem.grad(x), opt.init(x), x, problem=problem)


def random_spd(rng, d, kappa):
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    return Q @ np.diag(np.geomspace(1.0, kappa, d)) @ Q.T


@pytest.mark.parametrize("tol", [1e-2, 1e-4, 1e-6])
@pytest.mark.parametrize("eta0", [1e-6, 1.0, 1e3])
def test_on_quadratics_the_step_is_the_exact_one_to_the_relative_tolerance(tol, eta0):
    # η* = gᵀg / gᵀHg; starts along the extreme eigenvectors and at random, κ from 1 to 1e4,
    # first trials far below and far above η*
    rng = np.random.default_rng(11)
    worst = 0.0
    for kappa in (1.0, 10.0, 1e4):
        A = random_spd(rng, 4, kappa)
        p = dd.quadratic(A, b=rng.standard_normal(4))
        w, V = np.linalg.eigh(A)
        for x in [*(V[:, i] + p.x_star for i in (0, -1)), *rng.standard_normal((20, 4))]:
            g = p.grad(x)
            eta_star = (g @ g) / (g @ A @ g)
            _, state = one_step(dd.golden_section_line_search(eta0=eta0, tol=tol, max_evals=400), p, x)
            worst = max(worst, abs(state.eta - eta_star) / state.eta)
    assert worst <= tol


def test_it_never_raises_the_loss_and_keeps_to_its_budget():
    rng = np.random.default_rng(5)
    problems = [dd.rosenbrock(), dd.himmelblau(), dd.beale(), dd.saddle()]
    for p in problems:
        for x in rng.uniform(-2.0, 2.0, size=(40, 2)):
            for eta0, budget in ((1e-9, 6), (1.0, 4), (1e4, 30), (0.1, 100)):
                step, state = one_step(dd.golden_section_line_search(eta0=eta0, max_evals=budget), p, x)
                assert len(state.trials) <= budget
                assert p.f(x + step) <= p.f(x)
                assert state.f_evals == len(state.trials) + 1


def test_below_the_square_root_of_epsilon_a_tolerance_is_not_met():
    # the docstring's caveat: the loss's round-off hides |η − η*| below about √ε·η*
    p = dd.quadratic([[1.0, 0.3], [0.3, 7.0]])
    x = np.array([1.0, -2.0])
    g = p.grad(x)
    eta_star = (g @ g) / (g @ p.hess(x) @ g)
    _, state = one_step(dd.golden_section_line_search(tol=1e-12, max_evals=400), p, x)
    assert 1e-12 < abs(state.eta - eta_star) / eta_star < 1e-6


def test_far_trials_that_overflow_are_rejected_quietly():
    p = dd.scalar(lambda t: np.exp(t ** 2), lambda t: 2 * t * np.exp(t ** 2))
    step, state = one_step(dd.golden_section_line_search(eta0=1e6), p, [1.0])
    assert np.isinf(state.trial_fs[0]) and p.f(np.array([1.0]) + step) < p.f(np.array([1.0]))


def test_at_a_minimum_it_does_not_move_and_reuses_the_loss_it_computed():
    p = dd.quadratic([[2.0, 0.0], [0.0, 5.0]])
    step, state = one_step(dd.golden_section_line_search(), p, [0.0, 0.0])
    assert not step.any() and state.eta == 0.0 and len(state.trials) == 0 and state.f_evals == 1
    opt = dd.golden_section_line_search()
    x = np.array([1.0, 1.0])
    step, s1 = opt.update(p.grad(x), opt.init(x), x, problem=p)
    _, s2 = opt.update(p.grad(x + step), s1, x + step, problem=p)
    assert s2.f_evals == s1.f_evals + len(s2.trials)           # L(x_1) came from the first search


def test_it_runs_and_its_costs_match_the_calls():
    valley = dd.quadratic([[1.0, 0.0], [0.0, 10.0]])
    opt = dd.golden_section_line_search(tol=1e-6)
    p, calls = dd.linesearch.counting(valley)
    trace = dd.run(opt, p, [2.0, 2.0], steps=400, tol=1e-6)
    c = dd.cost(opt, valley, [2.0, 2.0], steps=400, tol=1e-6)
    exact = dd.run(dd.exact_line_search(), valley, [2.0, 2.0], steps=400, tol=1e-6)
    assert trace.converged and trace.steps == exact.steps
    assert (c.f_evals, c.g_evals) == (calls["f"] - (trace.steps + 1), calls["grad"] - 1)


@pytest.mark.parametrize("kwargs, exc, message", [
    ({"eta0": 0.0}, ValueError, "eta0"),
    ({"tol": 1.0}, ValueError, r"tol must lie in \(0, 1\)"),
    ({"max_evals": 3}, ValueError, "max_evals"),
    ({"max_evals": 4.5}, TypeError, "max_evals must be an integer"),
])
def test_bad_input(kwargs, exc, message):
    with pytest.raises(exc, match=message):
        dd.golden_section_line_search(**kwargs)


def test_it_needs_the_problem():
    opt = dd.golden_section_line_search()
    with pytest.raises(ValueError, match="golden_section_line_search needs problem="):
        opt.update(np.ones(2), opt.init(np.zeros(2)), np.zeros(2))


def test_golden_section_keeps_the_minimiser_of_unimodal_functions_and_shrinks_by_phi():
    # the lemma of chapter 6, on smooth, kinked, steep-sided, lopsided and boundary minima
    rng = np.random.default_rng(3)
    for _ in range(300):
        lo, hi = sorted(rng.uniform(-5, 5, 2))
        star = rng.choice([lo, hi, rng.uniform(lo, hi)])        # minima at the ends too
        p, left, right = rng.choice([0.3, 1.0, 2.0, 6.0]), rng.uniform(0.01, 100), rng.uniform(0.01, 100)

        def phi(t):
            return left * (star - t) ** p if t < star else right * (t - star) ** p

        n = int(rng.integers(2, 40))
        r = dd.linesearch.golden_section(phi, lo, hi, tol=0.0, max_evals=n)
        assert r.lo <= star <= r.hi and len(r.trials) == n
        assert np.isclose(r.hi - r.lo, (hi - lo) / dd.linesearch.GOLDEN ** (n - 1), rtol=1e-6)  # rounded ends


def test_golden_section_bad_input():
    with pytest.raises(ValueError, match="lo must be smaller than hi"):
        dd.linesearch.golden_section(abs, 1.0, 1.0)
    with pytest.raises(TypeError, match="phi"):
        dd.linesearch.golden_section("abs", 0.0, 1.0)
    with pytest.raises(ValueError, match="max_evals"):
        dd.linesearch.golden_section(abs, 0.0, 1.0, max_evals=1)


def test_golden_section_stops_as_soon_left_of_zero_as_right_of_it():
    right = dd.linesearch.golden_section(lambda t: (t - 0.5) ** 2, 0.0, 1.0, tol=1e-3)
    left = dd.linesearch.golden_section(lambda t: (t + 0.5) ** 2, -1.0, 0.0, tol=1e-3)
    assert len(left.trials) == len(right.trials) < 30
