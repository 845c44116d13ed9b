"""hw07 (adaptive methods): the sparse problem, the start, the steps, the learning and decay rates, the jump."""

from __future__ import annotations

import numpy as np

#: The questions whose answers depend on these constants (handing in the published answers for
#: another seed loses points on each).
DEPENDS = ("q1", "q2", "q3", "q4")


def draw(seed: int) -> dict:
    """The constants of variant ``seed``; seed 0 is the published edition."""
    if seed == 0:
        d = dict(sparse_seed=0, start=(-4.0, -2.0), steps=100, eta_ada=0.5, eta_rms=0.1, beta_rms=0.99,
                 eta_adam=0.1, low=1.0, high=5.0, before=10, after=50, beta_jump=0.9, data_seed=7)
    else:
        rng = np.random.default_rng([7, seed])
        pick = lambda options: options[int(rng.integers(len(options)))]  # noqa: E731
        d = dict(sparse_seed=int(rng.integers(1, 10**6)),
                 start=(pick([-5.0, -4.0, -3.0]), pick([-3.0, -2.0, 0.0])),
                 steps=pick([80, 100, 120]),
                 eta_ada=pick([0.3, 0.4, 0.6, 0.8]), eta_rms=pick([0.05, 0.08, 0.15]),
                 beta_rms=pick([0.95, 0.98]), eta_adam=pick([0.05, 0.08, 0.15]),
                 low=1.0, high=pick([3.0, 4.0, 6.0]), before=pick([8, 12, 15]), after=50,
                 beta_jump=pick([0.8, 0.85, 0.95]), data_seed=int(rng.integers(1, 10**6)))
    # q2 asks when the corrected average comes within 5 % of the new level
    return {**d, "level": round(0.95 * d["high"], 10)}


def check(P) -> None:
    """Every variant can be answered: after the jump the corrected average reaches the level."""
    q = np.concatenate([np.full(P.before, P.low), np.full(P.after, P.high)])
    m, out = 0.0, []
    for t, value in enumerate(q, start=1):
        m = P.beta_jump * m + (1 - P.beta_jump) * value
        out.append(m / (1 - P.beta_jump**t))
    assert np.max(np.asarray(out)[P.before:]) >= P.level, "the level is never reached"
    assert 0 < P.level < P.high and P.steps > 0 and all(0 < b < 1 for b in (P.beta_rms, P.beta_jump))
