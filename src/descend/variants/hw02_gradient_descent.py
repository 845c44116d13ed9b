"""hw02 (Taylor's theorem and gradient descent): the neuron's third example, start and learning rate, the point and direction of the Taylor expansion, the matrix, the decayed run."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

#: The questions whose answers depend on these constants (handing in the published answers for
#: another seed loses points on each).
DEPENDS = ("q1", "q2", "q3", "q4", "q5_eta")

_PUBLISHED = dict(point1=(1.5, 0.3), start1=(1.0, 1.0), eta1=2.0,
                  theta0=(0.5, -1.0), u=(0.6, 0.8),
                  A=((6.0, 1.0, 0.0), (1.0, 3.0, 1.0), (0.0, 1.0, 2.0)),
                  lam=4.0, eta4=1.3, k=0.13)


def draw(seed: int) -> dict:
    """The constants of variant ``seed``; seed 0 is the published edition."""
    if seed == 0:
        return dict(_PUBLISHED)
    rng = np.random.default_rng([2, seed])
    pick = lambda options: options[int(rng.integers(len(options)))]  # noqa: E731
    for _ in range(1000):   # draw again until the variant can be answered (see check)
        d = dict(point1=(pick([1.0, 1.5, 3.0, 3.5]), pick([0.3, 0.5, 0.6, 0.7])),
                 start1=(pick([0.5, 1.0, 1.5, 2.0]), pick([-0.5, 0.0, 0.5, 1.0])),
                 eta1=pick([1.0, 1.5, 2.5, 3.0]),
                 theta0=pick([(0.5, -1.0), (1.0, -0.5), (0.8, -0.6), (-0.7, 0.4), (0.6, 0.9), (-0.4, -0.8)]),
                 u=pick([(0.6, 0.8), (0.8, -0.6), (-0.6, 0.8), (0.8, 0.6), (0.28, 0.96), (0.96, -0.28)]),
                 A=_tridiagonal(pick([5.0, 6.0, 7.0, 8.0]), pick([3.0, 4.0]), pick([1.5, 2.0, 2.5]),
                                pick([0.5, 1.0, 1.5]), pick([0.5, 1.0])),
                 lam=pick([3.0, 4.0, 5.0]), eta4=pick([1.1, 1.2, 1.3, 1.4]), k=pick([0.1, 0.13, 0.17, 0.2]))
        if d != _PUBLISHED and _answerable(d):
            return d
    raise RuntimeError(f"no answerable variant drawn for seed {seed}")


def _tridiagonal(d1, d2, d3, o1, o2):
    return ((d1, o1, 0.0), (o1, d2, o2), (0.0, o2, d3))


def _answerable(d) -> bool:
    try:
        check(SimpleNamespace(**d))
    except AssertionError:
        return False
    return True


def _loss(t):
    return np.exp(t[0] * t[1]) + t[0] ** 2


def _grad(t):
    a, b = t
    e = np.exp(a * b)
    return np.array([b * e + 2 * a, a * e])


def _hess(t):
    a, b = t
    e = np.exp(a * b)
    return np.array([[b * b * e + 2, (1 + a * b) * e], [(1 + a * b) * e, a * a * e]])


def slopes(theta0, u) -> tuple[float, float]:
    """q2's fitted slopes of the first- and second-order errors at ``theta0`` along ``u``."""
    theta0, u, r = np.asarray(theta0, float), np.asarray(u, float), np.logspace(-3, -1, 8)
    g, H = _grad(theta0), _hess(theta0)
    exact = np.array([_loss(theta0 + s * u) for s in r])
    first = _loss(theta0) + r * (g @ u)
    second = first + 0.5 * r**2 * (u @ H @ u)
    fit = lambda err: float(np.polyfit(np.log(r), np.log(np.abs(err)), 1)[0])  # noqa: E731
    return fit(first - exact), fit(second - exact)


def neuron3(point):
    """q1's loss: the chapter's neuron with the third example ``point`` = (x₃, y₃)."""
    import descend as dd

    return dd.sigmoid_neuron(x=(0.5, 2.5, point[0]), y=(0.2, 0.9, point[1]))


def check(P) -> None:
    """Every variant can be answered: the third example lies off the chapter's sigmoid; the
    three-example neuron's run goes down and settles, with no step near its stability bound (so a
    loop written in another order of operations gives the same iterates); the fitted slopes are
    near 2 and 3 but not so near that the predictions typed in pass; the matrix is positive
    definite with an unambiguous step count; and the decayed run grows, turns at a step without
    a tie and comes back."""
    import descend as dd

    two = dd.sigmoid_neuron()
    w, b = two.x_star
    on_sigmoid = 1 / (1 + np.exp(-(w * P.point1[0] + b)))
    assert abs(on_sigmoid - P.point1[1]) > 0.05, "the third example is on the sigmoid"
    neuron = neuron3(P.point1)
    run = dd.run(dd.gd(eta=P.eta1), neuron, list(P.start1), steps=200)
    assert run.f < 0.5 * neuron.f(np.array(P.start1)), "the neuron's run does not go down"
    assert run.grad_norms[-1] < 0.01, "the neuron's run does not settle"
    lam_max = np.linalg.eigvalsh(neuron.hess(run.x)).max()
    assert P.eta1 * lam_max < 1.8, "the neuron's run is near its stability bound"
    assert abs(np.linalg.norm(P.u) - 1) < 1e-12, "u is not a unit vector"
    s1, s2 = slopes(P.theta0, P.u)
    assert 5e-4 < abs(s1 - 2) < 0.1 and 5e-4 < abs(s2 - 3) < 0.1, f"the slopes {s1}, {s2}"
    g, H = _grad(np.array(P.theta0)), _hess(np.array(P.theta0))
    assert g @ H @ g > 0, "the curvature along the gradient is not positive: no eta_up"
    A = np.array(P.A)
    lam = np.linalg.eigvalsh(A)
    assert np.allclose(A, A.T) and lam[0] > 0 and lam[-1] > lam[0] * 1.5, "A is not a good SPD matrix"
    rho = (lam[-1] - lam[0]) / (lam[-1] + lam[0])
    t = np.log(1e-6) / np.log(rho)
    assert abs(t - round(t)) > 1e-6, "steps_needed sits on a tie"
    assert P.eta4 * P.lam > 2, "the constant learning rate of q4 does not diverge"
    turn = (P.eta4 * P.lam / 2 - 1) / P.k
    assert abs(turn - round(turn)) > 1e-6 and turn + 1 < 30, "q4's first contracting step sits on a tie or late"
    factors = 1 - P.lam * P.eta4 / (1 + P.k * np.arange(60))
    assert np.all(np.abs(factors) > 1e-9), "a decayed step lands on the minimum"
    path = np.abs(np.concatenate([[1.0], np.cumprod(factors)]))
    assert path.max() > 1 and path[-1] / path.max() < 1e-6, "the decayed run does not come back"
