"""hw06 (line search): the 3-d quadratic, Rosenbrock's start and backtracking constants, the
quadratic of the grid that follows the step (also q6_uphill's), the point, constants and candidates of
the Wolfe checks, and the flat loss |θ|ᵖ/p and the constants of q5_flat's backtracking."""

from __future__ import annotations

import numpy as np

from descend.problems import ill_conditioned

#: The questions whose answers depend on these constants (handing in the published answers for
#: another seed loses points on each).
DEPENDS = ("q1", "q2", "q3", "q4", "q5_flat", "q6_uphill")

_PUBLISHED = dict(
    A3=[[4.0, 1.0, 0.0], [1.0, 3.0, -1.0], [0.0, -1.0, 1.0]], b3=[1.0, -2.0, 0.5], start3=(2.0, 2.0, 2.0),
    start_rosen=(-1.2, 1.0), c_rosen=1e-4, tau_rosen=0.5,
    kappa=50.0, angle=0.5, start_quad=(2.0, 2.0), eta_init=0.015,
    theta_h=(0.0, 0.0), c1=0.1, c2=0.5, candidates=(0.02, 0.1, 0.12, 0.15, 0.2),
    p5=4, c5=0.5, tau5=0.5, theta5=1.5)
_GROUPS = {"q1": ("A3", "b3", "start3"), "q2": ("start_rosen", "c_rosen", "tau_rosen"),
           "q3": ("kappa", "angle", "start_quad", "eta_init"), "q4": ("theta_h", "c1", "c2", "candidates"),
           "q5": ("p5", "c5", "tau5", "theta5")}


def draw(seed: int) -> dict:
    """The constants of variant ``seed``; seed 0 is the published edition."""
    if seed == 0:
        d = dict(_PUBLISHED)
    else:
        rng = np.random.default_rng([6, seed])
        pick = lambda options: options[int(rng.integers(len(options)))]  # noqa: E731
        d = {}
        for q, draw_group in (("q1", _q1), ("q2", _q2), ("q3", _q3), ("q4", _q4), ("q5", _q5)):
            while True:   # every question's constants differ from the published ones, and can be answered
                group = draw_group(pick)
                if _answerable("q5_flat" if q == "q5" else q, group) and _other_answers(q, group):
                    break
            d.update(group)
    # q3 compares the largest step with 2/λ_max, beyond which a fixed step diverges
    return {**d, "eta_limit": round(2.0 / d["kappa"], 10)}


def _q1(pick):
    while True:
        A = [[pick([3.0, 4.0, 5.0]), 0.0, 0.0], [0.0, pick([2.0, 3.0]), 0.0], [0.0, 0.0, pick([1.0, 1.5, 2.0])]]
        for i, j in ((0, 1), (0, 2), (1, 2)):
            A[i][j] = A[j][i] = pick([-1.0, -0.5, 0.5, 1.0])
        if np.linalg.eigvalsh(np.array(A)).min() > 0.3:
            break
    return dict(A3=A, b3=[pick([-2.0, -1.0, 0.5, 1.0, 2.0]) for _ in range(3)],
                start3=pick([(2.0, 2.0, 2.0), (2.0, -1.0, 1.0), (-1.0, 2.0, 2.0), (1.0, 1.0, -2.0)]))


def _q2(pick):
    return dict(start_rosen=pick([(-1.2, 1.0), (-1.5, 2.0), (-0.5, 1.5), (1.5, 1.0), (0.0, 1.0)]),
                c_rosen=pick([1e-4, 1e-3, 0.01, 0.1]), tau_rosen=pick([0.3, 0.5, 0.6, 0.7]))


def _q3(pick):
    return dict(kappa=pick([30.0, 40.0, 50.0, 60.0, 80.0]), angle=pick([0.3, 0.5, 0.8, 1.0]),
                start_quad=pick([(2.0, 2.0), (2.0, -1.0), (-1.0, 2.0), (1.5, 1.5)]),
                eta_init=pick([0.007, 0.009, 0.011, 0.015, 0.018, 0.022]))


#: How close (relative) a step size the q3 grid tries may come to 1/λ_max or 1/λ_min. Its candidates are
#: eta_init times powers of 2; one that lands on 1/λ removes that eigen-direction in one step, and only
#: rounding refills it (with eta_init = 0.01 and κ = 50, 0.02 = 1/λ_max: 30 steps, a largest step 32 times
#: 2/λ_max, against 200 to 540 steps and 1.4 to 4 times for step sizes 1 % or more away from it).
Q3_MARGIN = 0.05


def _q5(pick):
    return dict(p5=pick([3, 4, 5, 6]), c5=pick([0.3, 0.4, 0.5, 0.6]), tau5=pick([0.3, 0.5, 0.6, 0.7]),
                theta5=pick([1.5, -1.2, 2.0, -0.8]))


def flat_search(P):
    """q5_flat's answer: (trials, L(θ₁)/L(θ₀)) of one backtracking search on |θ|ᵖ/p whose first trial is
    the step to the minimum, and the smallest gap |(1 − s)ᵖ − (1 − p c s)| of its Armijo tests (s = τᵏ, the
    tried fraction of that step). The test does not depend on θ, so every step of a run gives the same."""
    p, c, tau = P["p5"], P["c5"], P["tau5"]
    s, trials, gaps = 1.0, 1, []
    while True:
        gap = (1.0 - s) ** p - (1.0 - p * c * s)
        gaps.append(abs(gap))
        if gap <= 0 or trials > 60:
            return trials, (1.0 - s) ** p, min(gaps)
        s, trials = tau * s, trials + 1


def momentum_backtracking(P, c, beta=0.9, tau=0.5, eta0=1.0, tol=1e-6, max_steps=2000):
    """q6_uphill's answer on q3's quadratic: backtracking (Armijo) along d_t = −g_t + β d_{t−1}, restarting
    with d_t = −g_t where g_tᵀd_t ≥ 0; returns (restarts, steps) and the smallest |g_tᵀd_t| / (‖g_t‖ ‖d_t‖)
    of the momentum directions tested (a tie there would make the count depend on rounding)."""
    problem = ill_conditioned(kappa=P["kappa"], angle=P["angle"])
    theta, d, uphill, steps, closest = np.array(P["start_quad"], dtype=float), None, 0, 0, np.inf
    while steps < max_steps:
        g = problem.grad(theta)
        if np.linalg.norm(g) <= tol:
            break
        if d is not None:
            d = -g + beta * d
            closest = min(closest, abs(g @ d) / (np.linalg.norm(g) * np.linalg.norm(d)))
            if g @ d >= 0:
                uphill, d = uphill + 1, -g
        else:
            d = -g
        f0, slope, eta = problem.f(theta), g @ d, eta0
        while problem.f(theta + eta * d) > f0 + c * eta * slope:
            eta *= tau
        theta, steps = theta + eta * d, steps + 1
    return uphill, steps, closest


def _q4(pick):
    grid = [0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25]
    chosen = sorted({pick(grid) for _ in range(8)})[:5]
    return dict(theta_h=pick([(0.0, 0.0), (0.5, -0.5), (-1.0, 0.5), (1.0, 1.0)]),
                c1=pick([0.05, 0.1, 0.2]), c2=pick([0.4, 0.6, 0.7, 0.8]),
                candidates=tuple(chosen) if len(chosen) == 5 else (0.02, 0.1, 0.12, 0.15, 0.2))


def follow_grid(problem, theta0, eta_init, factors=(0.5, 1.0, 2.0), tol=1e-6, max_steps=5000):
    """The iterates and chosen step sizes of q3's grid that follows the step (its model answer)."""
    theta, eta = np.array(theta0, dtype=float), float(eta_init)
    thetas, etas = [theta], []
    while len(etas) < max_steps:
        g = np.asarray(problem.grad(theta), dtype=float)
        if np.linalg.norm(g) <= tol:
            break
        candidates = [m * eta for m in factors]
        eta = candidates[int(np.argmin([problem.f(theta - c * g) for c in candidates]))]
        theta = theta - eta * g
        thetas.append(theta)
        etas.append(eta)
    return np.array(thetas), np.array(etas)


def q3_margin(P) -> float:
    """The smallest relative distance of a step size q3's grid tries (its candidates) from 1/λ_max or 1/λ_min."""
    problem = ill_conditioned(kappa=P["kappa"], angle=P["angle"])
    _, etas = follow_grid(problem, P["start_quad"], P["eta_init"])
    factors = np.array([0.5, 1.0, 2.0])
    tried = np.outer(np.concatenate([[P["eta_init"]], etas[:-1]]), factors).ravel()
    lam = np.linalg.eigvalsh(problem.hess(np.zeros(2)))
    return float(min(np.min(np.abs(tried * l - 1.0)) for l in lam))


def _verdicts(P):
    """q4's verdicts (Armijo, weak and strong curvature) for each candidate, as dd.check_wolfe gives them."""
    from descend.problems import himmelblau
    surface, theta = himmelblau(), np.array(P["theta_h"], dtype=float)
    g = surface.grad(theta)
    phi0, dphi0 = surface.f(theta), -(g @ g)
    rows = []
    for eta in P["candidates"]:
        phi, dphi = surface.f(theta - eta * g), -(surface.grad(theta - eta * g) @ g)
        rows.append([phi <= phi0 + P["c1"] * eta * dphi0, dphi >= P["c2"] * dphi0,
                     abs(dphi) <= P["c2"] * abs(dphi0)])
    return np.array(rows, dtype=bool)


def _other_answers(q, P) -> bool:
    """The published answers to ``q`` are wrong for these constants (they differ, and so do the answers)."""
    if all(P[k] == _PUBLISHED[k] for k in _GROUPS[q]):
        return False
    if q == "q3":   # the steps and the largest step size the grid takes
        runs = [follow_grid(ill_conditioned(kappa=D["kappa"], angle=D["angle"]), D["start_quad"], D["eta_init"])[1]
                for D in (P, _PUBLISHED)]
        return len(runs[0]) != len(runs[1]) or runs[0].max() != runs[1].max()
    if q == "q4":   # the verdicts
        return not np.array_equal(_verdicts(P), _verdicts(_PUBLISHED))
    if q == "q5":   # the trials and the ratio of losses of q5_flat's search
        return flat_search(P)[:2] != flat_search(_PUBLISHED)[:2]
    return True


def _answerable(q, P) -> bool:
    from descend.problems import ill_conditioned, quadratic, rosenbrock
    if q == "q5_flat":   # c > 1/p rejects the best step, and no Armijo test of the search is near a tie
        trials, _, gap = flat_search(P)
        return bool(P["c5"] > 1.0 / P["p5"] and 2 <= trials <= 8 and gap > 1e-3)
    if q == "q6_uphill":   # both runs meet uphill directions, c = 0.3 fewer than c = 1e-4, and both converge
        small, large = momentum_backtracking(P, 1e-4), momentum_backtracking(P, 0.3)
        return bool(small[0] > large[0] > 0 and max(small[1], large[1]) < 2000
                    and min(small[2], large[2]) > 1e-6)
    if q == "q1":   # the run never reaches a zero gradient, and gradients two apart are not all parallel
        bowl = quadratic(np.array(P["A3"]), np.array(P["b3"]))
        xs = [np.array(P["start3"])]
        for _ in range(25):
            g = bowl.grad(xs[-1])
            xs.append(xs[-1] - (g @ g) / (g @ bowl.hess(xs[-1]) @ g) * g)
        G = np.array([bowl.grad(x) for x in xs])
        n = np.linalg.norm(G, axis=1)
        if n.min() < 1e-12:
            return False
        return bool(np.min(np.abs(np.sum(G[2:] * G[:-2], axis=1)) / (n[2:] * n[:-2])) < 0.99)
    if q == "q2":   # 100 backtracking steps on Rosenbrock's function go downhill and stay finite
        banana, theta = rosenbrock(), np.array(P["start_rosen"])
        f = [banana.f(theta)]
        for _ in range(100):
            g = banana.grad(theta)
            eta = 1.0
            while banana.f(theta - eta * g) > f[-1] - P["c_rosen"] * eta * (g @ g) and eta > 1e-20:
                eta *= P["tau_rosen"]
            theta = theta - eta * g
            f.append(banana.f(theta))
        return bool(np.all(np.isfinite(f)) and np.all(np.diff(f) < 0))
    if q == "q3":   # the grid converges, with steps longer than 2/λ_max, and never tries 1/λ_max or 1/λ_min
        _, etas = follow_grid(ill_conditioned(kappa=P["kappa"], angle=P["angle"]), P["start_quad"], P["eta_init"])
        return bool(len(etas) < 5000 and etas.max() > 2.0 / P["kappa"] and q3_margin(P) > Q3_MARGIN
                    and _answerable("q6_uphill", P))
    # q4: every condition holds for some candidates and fails for others, and weak ≠ strong Wolfe
    v = _verdicts(P)
    weak, strong = v[:, 0] & v[:, 1], v[:, 0] & v[:, 2]
    return bool(all(0 < v[:, k].sum() < len(v) for k in range(3)) and weak.any() and not np.array_equal(weak, strong))


def check(P) -> None:
    """Every variant can be answered: the runs converge, and the cases the questions ask about occur."""
    d = vars(P)
    for q in DEPENDS:
        assert _answerable(q, d), f"{q}'s constants cannot be answered"
    margin = q3_margin(d)
    assert margin > Q3_MARGIN, (f"q3's grid tries a step size within {margin:.1%} of 1/λ_max or 1/λ_min "
                                f"(at most {Q3_MARGIN:.0%} allowed): it would cancel a direction in one step")
    assert d["eta_limit"] == round(2.0 / d["kappa"], 10)
