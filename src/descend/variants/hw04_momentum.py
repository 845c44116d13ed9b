"""hw04 (momentum and Nesterov): the valley run, the slope that turns, the quadratic and the large momentum."""

from __future__ import annotations

import numpy as np

#: The questions whose answers depend on these constants (handing in the published answers for
#: another seed loses points on each).
DEPENDS = ("q1", "q2", "q4", "q5_memory", "q6_numbers")

_PUBLISHED_A = [[10.0, 2.0, 0.0], [2.0, 5.0, 1.0], [0.0, 1.0, 1.0]]


def draw(seed: int) -> dict:
    """The constants of variant ``seed``; seed 0 is the published edition."""
    if seed == 0:
        d = dict(kappa=20.0, angle=0.3, start=(2.0, 1.0), eta1=0.05, beta1=0.8, steps1=60,
                 g=0.4, eta2=0.1, beta2=0.92, s=25,
                 A=_PUBLISHED_A, eta_fixed=0.09,
                 beta_big=0.99, etalam=0.01)
    else:
        rng = np.random.default_rng([4, seed])
        pick = lambda options: options[int(rng.integers(len(options)))]  # noqa: E731
        kappa = pick([10.0, 15.0, 25.0, 30.0])
        d = dict(kappa=kappa, angle=pick([0.2, 0.4, 0.5, 0.7]),
                 start=(pick([1.5, 2.0, 2.5, -2.0]), pick([-1.0, 0.5, 1.5])),
                 eta1=round(pick([0.6, 0.8, 1.0, 1.2]) / kappa, 4), beta1=pick([0.6, 0.7, 0.75, 0.85]),
                 steps1=pick([40, 50, 80]),
                 g=pick([0.3, 0.5, 0.8]), eta2=pick([0.05, 0.2, 0.3]), beta2=pick([0.85, 0.88, 0.9, 0.95]),
                 s=pick([15, 20, 30, 40]),
                 A=_spd(rng), beta_big=pick([0.98, 0.985, 0.995]))
        lam_max = float(np.linalg.eigvalsh(np.array(d["A"])).max())
        d["eta_fixed"] = float(np.floor(pick([0.8, 0.9, 0.95]) / lam_max * 1000) / 1000)
        d["etalam"] = pick([0.005, 0.01, 0.02, 0.04])        # drawn last: the other draws stay as they were
    return d


def _spd(rng) -> list:
    """A symmetric positive definite 3 × 3 matrix with one-decimal entries and κ between 8 and 40."""
    while True:
        Q = np.linalg.qr(rng.normal(size=(3, 3)))[0]
        lam = [rng.uniform(0.5, 1.5), rng.uniform(3.0, 7.0), rng.uniform(9.0, 20.0)]
        A = np.round(Q @ np.diag(lam) @ Q.T, 1)
        ev = np.linalg.eigvalsh(A)
        if ev[0] > 0.3 and 8 <= ev[-1] / ev[0] <= 40:
            return [[float(x) + 0.0 for x in row] for row in A]


def turn(P) -> tuple[int, float]:
    """Question 2's step at which the velocity turns negative, and the overshoot θ_s − θ_turn."""
    u, theta, thetas, t = 0.0, 0.0, [0.0], 0
    while t < P.s or u >= 0:
        u = P.beta2 * u + P.eta2 * (P.g if t < P.s else -P.g)
        theta -= u
        thetas.append(theta)
        t += 1
    return t - 1, thetas[P.s] - thetas[t - 1]


def check(P) -> None:
    """Every variant can be answered: heavy ball converges on the valley, question 1's run with
    restarts restarts at least once and no restart test is a near tie, the ball turns round a
    few steps after the slope does, A is a positive definite Hessian whose η_fixed λ_max ≤ 1 (so
    only λ_min's roots can be real at the best β), and the large momentum is below 1, with complex roots at question 5a's ηλ and at both fixes, whose
    runs settle within 3000 steps and whose overshoot and settling steps are no near ties."""
    valley = __import__("descend").ill_conditioned(kappa=P.kappa, angle=P.angle)
    assert P.eta1 * P.kappa < 2 * (1 + P.beta1) and 0 < P.beta1 < 1 and P.steps1 > 0
    x = np.array(P.start, dtype=float)
    u = np.zeros(2)
    for _ in range(P.steps1):
        u = P.beta1 * u + P.eta1 * valley.grad(x)
        x = x - u
    assert np.linalg.norm(x) < 0.1 * np.linalg.norm(P.start), "heavy ball does not converge on the valley"
    g_dot_u = []                       # question 1: heavy ball with restarts at β = P.beta_big
    x, u = np.array(P.start, dtype=float), np.zeros(2)
    for t in range(P.steps1):
        g = valley.grad(x)
        if t:
            g_dot_u.append(g @ u / (np.linalg.norm(g) * np.linalg.norm(u)))
        u = (0.0 if g @ u < 0 else P.beta_big) * u + P.eta1 * g
        x = x - u
    g_dot_u = np.array(g_dot_u)
    assert (g_dot_u < 0).any(), "question 1's run never restarts"
    assert np.abs(g_dot_u).min() > 1e-9, "a restart test of question 1 is too close to a tie for rounding"
    t_turn, overshoot = turn(P)
    assert t_turn - P.s >= 2 and overshoot > 0, "the u-turn is too short to tell off-by-one answers apart"
    A = np.array(P.A)
    lam = np.linalg.eigvalsh(A)
    assert np.array_equal(A, A.T) and lam[0] > 0 and lam[-1] / lam[0] >= 5
    assert 0.5 < P.eta_fixed * lam[-1] <= 1
    assert 0 < P.beta_big < 1
    assert (1 + P.beta_big - P.etalam) ** 2 < 4 * P.beta_big, "question 5a's error must swing (complex roots)"
    for etalam, beta in [(P.etalam, P.beta_big), (P.etalam / 2, P.beta_big), (P.etalam, 0.9)]:
        assert (1 + beta - etalam) ** 2 < 4 * beta, "question 5a's fixes must swing too (complex roots)"
        e = [1.0, 1 - etalam]                  # question 5a, item 3: the 4000-step run from rest
        while len(e) <= 4000:
            e.append((1 + beta - etalam) * e[-1] - beta * e[-2])
        e = np.abs(np.array(e))
        last = int(np.nonzero(e >= 0.01)[0][-1])
        assert last < 3000, "question 5a's run must settle well within its 4000 steps"
        assert abs(e[last] - 0.01) > 1e-6 and abs(e[last + 1] - 0.01) > 1e-6, \
            "question 5a's steps_100 is too close to a tie for rounding"
    e = [1.0, 1 - P.etalam]
    while len(e) <= 4000:
        e.append((1 + P.beta_big - P.etalam) * e[-1] - P.beta_big * e[-2])
    low = np.sort(np.array(e))[:2]
    assert low[1] - low[0] > 1e-9, "question 5a's overshoot_step is too close to a tie"
