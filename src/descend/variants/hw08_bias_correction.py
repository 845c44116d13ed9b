"""hw08 (bias correction): the streams, the decay rates, the constant gradient, the simulation, ε and the warm-up."""

from __future__ import annotations

import numpy as np

#: The questions whose answers depend on these constants (handing in the published answers for
#: another seed loses points on each).
DEPENDS = ("q1", "q2", "q3", "q4", "q5_lag", "q6_warmup")

#: Pairs (β₁, β₂) whose first uncorrected step is too long for large gradients, (1 − β₁)² > 1 − β₂,
#: so that question 4's g_equal exists; none has β₁ = 0.5, which cannot tell β₁ from 1 − β₁.
_PAIRS = ((0.9, 0.999), (0.9, 0.9999), (0.8, 0.999), (0.6, 0.99), (0.95, 0.9999), (0.85, 0.999),
          (0.7, 0.99), (0.9, 0.995))


def draw(seed: int) -> dict:
    """The constants of variant ``seed``; seed 0 is the published edition."""
    if seed == 0:
        return dict(stream_seed=80, beta_stream=0.9, betas=(0.5, 0.9, 0.99, 0.999), t_missing=10, beta_half=0.999,
                    g_const=(-0.4, 3.0), beta_const=0.999, sim_seed=8, mu8=-0.3, sigma8=2.0, beta1_sim=0.8,
                    beta_pairs=((0.9, 0.999), (0.9, 0.9999), (0.8, 0.999), (0.6, 0.99)),
                    eps_q4=1e-8, g_sizes=(1e-9, 1e-8, 1e-7, 1e-6, 1e-3), ratio_pair=(0.9, 0.999), t_lag=300, cap=1.5,
                    lead_steps=5000, beta_cross=0.999)
    rng = np.random.default_rng([8, seed])
    pick = lambda options: options[int(rng.integers(len(options)))]  # noqa: E731
    eps = pick([1e-8, 1e-7, 1e-6])
    pairs = [_PAIRS[0]] + [_PAIRS[i] for i in sorted(rng.choice(np.arange(1, len(_PAIRS)), 3, replace=False))]
    d = dict(stream_seed=int(rng.integers(1, 10**6)), beta_stream=pick([0.8, 0.85, 0.9, 0.95]),
             betas=tuple(sorted(rng.choice([0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.995, 0.999], 4, replace=False)
                                .tolist())),
             t_missing=pick([8, 12, 15, 20]), beta_half=pick([0.99, 0.995, 0.998]),
             g_const=(pick([-0.7, -0.4, -0.25]), pick([1.5, 2.0, 3.0, 4.0])), beta_const=pick([0.99, 0.995, 0.998]),
             sim_seed=int(rng.integers(1, 10**6)), mu8=pick([-0.5, -0.4, -0.2, 0.3, 0.6]),
             sigma8=pick([1.5, 2.0, 2.5]), beta1_sim=pick([0.7, 0.75, 0.85]), beta2_sim=pick([0.99, 0.995, 0.999]),
             beta_pairs=tuple(pairs), eps_q4=eps,
             t_lag=pick([150, 200, 250, 400]), cap=pick([1.25, 2.0, 2.5]), lead_steps=pick([4000, 6000, 8000]))
    # drawn last, so that the constants above stay those of the earlier variants: question 4's ratios
    # depend on g/ε and on the pair, so both vary (no multiple of ε is a power of ten apart from the others)
    multiples = (pick([0.05, 0.2, 0.3]), pick([0.7, 1.5, 2.0]), pick([4.0, 6.0, 25.0]), pick([50.0, 150.0, 400.0]),
                 pick([3e4, 2e5, 5e5]))
    d["g_sizes"] = tuple(float(f"{eps * k:.3g}") for k in multiples)
    d["ratio_pair"] = _PAIRS[1 + int(rng.integers(len(_PAIRS) - 1))]
    # question 3 no longer uses β₂ (it was drawn above, and still is, so that the constants after it keep
    # their values); its window of steps in which m̂_t beats m_t needs a slow average, drawn last
    del d["beta2_sim"]
    # (the window depends on |μ|/σ and β only: no variant gets the published one)
    published = abs(d["mu8"]) / d["sigma8"] == 0.15
    d["beta_cross"] = pick([0.9995, 0.9998] if published else [0.999, 0.9995, 0.9998])
    return d


def _window(beta, mu, sigma, steps=100_000):
    """The steps t ≤ ``steps`` at which the corrected average m̂_t of independent gradients with mean
    ``mu`` and standard deviation ``sigma`` has a smaller mean squared error than m_t, and the
    differences MSE(m̂_t) − MSE(m_t) at every step (question 3)."""
    t = np.arange(1, steps + 1)
    bt = float(beta) ** t
    var_raw = sigma**2 * (1 - beta) * (1 - bt**2) / (1 + beta)     # Var(m_t) = σ² Σ w_i²
    gap = var_raw / (1 - bt) ** 2 - ((bt * mu) ** 2 + var_raw)      # m̂_t is unbiased
    return t[gap < 0], gap


def check(P) -> None:
    """Every variant can be answered: the decay rates are in (0, 1), the pairs' g_equal exists, the
    half weight and the warm-up that caps the steps are reached within the steps the questions search,
    and question 3's window, the steps at which m̂_t has the smaller mean squared error for
    β = P.beta_cross, exists, ends before t = 100,000 and has no end within rounding of a tie."""
    assert all(0 < b < 1 for b in (P.beta_stream, *P.betas, P.beta_half, P.beta_const, P.beta1_sim, P.beta_cross))
    assert len(set(P.betas)) == 4 and 0.5 not in P.betas[1:], "betas repeat, or 0.5 hides β ↔ 1 − β"
    assert 1 - P.beta_half ** 9_999 >= 0.5, "half_weight_steps is not reached before t = 10,000"
    assert P.g_const[0] < 0 < P.g_const[1] and abs(P.g_const[0]) != abs(P.g_const[1])
    assert P.sigma8 > 0 and P.mu8 != 0, "the simulation needs noise and a mean that is not 0"
    assert len(P.beta_pairs) == 4 and len(set(P.beta_pairs)) == 4
    for b1, b2 in P.beta_pairs:
        assert 0 < b1 < 1 and 0 < b2 < 1 and (1 - b1) ** 2 > 1 - b2, f"no g_equal for ({b1}, {b2})"
    assert len(P.g_sizes) == 5 and list(P.g_sizes) == sorted(P.g_sizes) and P.eps_q4 > 0
    assert tuple(P.ratio_pair) in _PAIRS, "question 4's ratios need a pair whose first uncorrected step is too long"
    t = np.arange(1, 100_001)
    r = (1 - 0.9**t) / np.sqrt(1 - 0.999**t)
    assert 1 < P.cap < r.max() and np.max(np.minimum(1, t / 100_000) * r) <= P.cap, "no warm-up caps the steps"
    assert 1 <= P.t_lag and 1 <= P.lead_steps <= 100_000
    closer, gap = _window(P.beta_cross, P.mu8, P.sigma8)
    assert closer.size and closer[-1] < 100_000, "question 3 has no window, or it does not end before t = 100,000"
    assert closer.size == closer[-1] - closer[0] + 1, "question 3's window has a gap"
    ends = gap[[t - 1 for t in (closer[0] - 1, closer[0], closer[-1], closer[-1] + 1) if t >= 1]]
    scale = P.sigma8**2 * (1 - P.beta_cross) / (1 + P.beta_cross)
    assert np.abs(ends).min() > 1e-9 * scale, "an end of question 3's window is within rounding of a tie"
