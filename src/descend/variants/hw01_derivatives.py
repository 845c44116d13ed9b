"""hw01 (derivatives): the penalized fit's data and weight, the growth data and θ0, the points of the
central difference and of the complex step, and the rent data."""

from __future__ import annotations

import numpy as np

#: The questions whose answers depend on these constants (handing in the published answers for
#: another seed loses points on each).
DEPENDS = ("q1", "q2", "q3", "q4", "q6_complex")

T_DATA = (0.0, 1.0, 2.0, 3.0)           # q2's measurement times, the same in every variant
STEPS_Q3 = (1e-1, 1e-2, 1e-3)           # q3's steps
STEPS_Q6 = (1e-2, 1e-5, 1e-8, 1e-20)    # q6's steps


def draw(seed: int) -> dict:
    """The constants of variant ``seed``; seed 0 is the published edition.

    Seed 0's rents are not the chapter's (``rent(n=40, seed=0)``, whose fitted line chapter 1
    prints), so that the published ``theta_rent`` is not on the chapter's page. q1's ``x1`` has a
    tenths digit in every variant, so its data are never the chapter's (5, 12) and (20, 41) and
    its answer Σx² is never a whole number like the chapter's printed 5² + 12² = 169."""
    if seed == 0:
        return dict(x1=(3.4, 11.7), y1=(13.0, 37.0), lam=31.0, t_data=T_DATA, y_data=(1.1, 1.9, 4.2, 7.9),
                    theta0=(1.0, 0.5), x3=1.0, rent_n=40, rent_seed=2, x6=1.0)
    rng = np.random.default_rng([1, seed])
    pick = lambda options: options[int(rng.integers(len(options)))]  # noqa: E731
    x1 = sorted(float(v) for v in rng.choice(np.arange(2, 16), size=2, replace=False))
    slope = pick([2.0, 2.5, 3.0, 3.5, 4.5])
    y1 = [float(round(slope * v + rng.normal(0.0, 2.0))) for v in x1]
    a, k = pick([0.8, 0.9, 1.2, 1.4]), pick([0.5, 0.6, 0.7, 0.8])
    y_data = [max(0.1, round(float(a * np.exp(k * t) + rng.normal(0.0, 0.15)), 1)) for t in T_DATA]
    out = dict(x1=tuple(x1), y1=tuple(y1), lam=pick([15.0, 20.0, 25.0, 40.0, 50.0]), t_data=T_DATA,
               y_data=tuple(y_data), theta0=(pick([0.8, 1.2, 1.5]), pick([0.3, 0.4, 0.6])),
               x3=pick([-0.5, 0.5, 1.5, 2.0]), rent_n=pick([30, 40, 50]),
               rent_seed=int(rng.integers(1, 10**6)), x6=pick([-0.5, 0.5, 1.5, 2.0]))
    # drawn last, so that the other constants stay those of earlier versions of this module
    tenths = [int(t) for t in rng.integers(1, 10, size=2)]
    while sum((10 * v + t) ** 2 for v, t in zip(x1, tenths)) % 100 == 0:   # Σx² a whole number
        tenths[1] = tenths[1] % 9 + 1
    out["x1"] = tuple(round(v + t / 10, 1) for v, t in zip(x1, tenths))
    return out


def check(P) -> None:
    """Every variant can be answered as the questions and their tests assume."""
    # q1: the penalized fit is not 0, and λ, λ/2 and 2λ give different answers
    x1, y1 = np.array(P.x1), np.array(P.y1)
    assert x1 @ x1 > 0 and abs(x1 @ y1) > 1 and P.lam > 0, "q1's data or weight is degenerate"
    # q1: not the chapter's data, and Σx² (= lam_half) not a whole number like its printed 5² + 12² = 169
    assert (tuple(P.x1), tuple(P.y1)) != ((5.0, 12.0), (20.0, 41.0)), "q1's data are the chapter's"
    assert abs(x1 @ x1 - round(x1 @ x1)) > 1e-9, "q1's Σx² is a whole number, as the chapter's are"
    # q2: the data grow, and the gradient at θ0 is well away from 0, so check_grad's score means something
    t, y = np.array(P.t_data), np.array(P.y_data)
    assert np.all(y > 0) and y[-1] > y[0], "q2's data do not grow"
    a, k = P.theta0
    r = a * np.exp(k * t) - y
    grad = np.array([r @ np.exp(k * t), r @ (a * t * np.exp(k * t))])
    assert np.linalg.norm(grad) > 0.1, "q2's θ0 is too close to a stationary point"
    # q3: the fitted order of the central difference is 2 to the two decimals the test asks for
    hs = np.array(STEPS_Q3)
    errors = np.abs((np.exp(P.x3 + hs) - np.exp(P.x3 - hs)) / (2 * hs) - np.exp(P.x3))
    assert abs(np.polyfit(np.log10(hs), np.log10(errors), 1)[0] - 2) < 0.005, "q3's order is not 2"
    # q4: the rents make a full-rank least-squares problem
    from descend.data import rent
    area, _ = rent(n=P.rent_n, seed=P.rent_seed)
    assert np.linalg.matrix_rank(np.column_stack([area, np.ones_like(area)])) == 2, "q4's X is rank-deficient"
    assert (P.rent_n, P.rent_seed) != (40, 0), "q4's rents are the chapter's, whose fit chapter 1 prints"
    # q6: the complex step reaches round-off at the smallest step, where the central difference gives 0
    h = np.array(STEPS_Q6)
    cs = np.abs(np.imag(np.exp(P.x6 + 1j * h)) / h - np.exp(P.x6))
    cd = np.abs((np.exp(P.x6 + h) - np.exp(P.x6 - h)) / (2 * h) - np.exp(P.x6))
    assert cs[-1] <= 4 * np.spacing(np.exp(P.x6)) and cd[-1] == np.exp(P.x6), "q6's contrast is lost"
