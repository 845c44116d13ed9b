"""Helpers behind chapter 2: how far a Taylor model can be trusted, the regimes of the
learning rate on a parabola, and the steps a run needs to reach a level."""

import numpy as np
import pytest

import descend as dd


def cubic():
    return dd.scalar(lambda t: t**3, lambda t: 3 * t**2, lambda t: 6 * t)


# --------------------------------------------------------------------------- trust_interval


def test_trust_interval_ends_where_the_error_reaches_tol():
    p, tol = cubic(), 0.01
    model = dd.taylor(p, [1.0], order=1)
    lo, hi = dd.calculus.trust_interval(p, model, 1.0, tol=tol, bounds=(0.0, 2.0), n=2001)
    step = 0.001
    error = lambda t: abs(float(model(np.array([[t]]))[0]) - t**3)  # noqa: E731
    assert error(lo) < tol and error(hi) < tol
    assert error(lo - step) >= tol and error(hi + step) >= tol
    # the exact ends: 3h² + h³ = 0.01 on either side of 1
    roots = np.roots([1.0, 3.0, 0.0, -tol]).real
    h_right = roots[roots > 0].min()
    h_left = -np.roots([-1.0, 3.0, 0.0, -tol]).real
    h_left = h_left[h_left < 0].max()
    assert hi == pytest.approx(1 + h_right, abs=step)
    assert lo == pytest.approx(1 + h_left, abs=step)


def test_trust_interval_of_the_second_order_model_is_wider():
    p = dd.scalar(np.sin, np.cos, lambda t: -np.sin(t))
    widths = []
    for order in (1, 2):
        lo, hi = dd.calculus.trust_interval(p, dd.taylor(p, [0.5], order=order), 0.5, tol=0.05,
                                            bounds=(-3.0, 4.0))
        assert lo < 0.5 < hi
        widths.append(hi - lo)
    assert widths[1] > widths[0]


def test_trust_interval_refuses_an_interval_that_reaches_the_window():
    p = dd.scalar(lambda t: t**2, lambda t: 2 * t, lambda t: 2 + 0 * t)
    exact = dd.taylor(p, [1.0], order=2)           # a parabola is its own second-order model
    with pytest.raises(ValueError, match="widen"):
        dd.calculus.trust_interval(p, exact, 1.0, tol=0.1, bounds=(-1.0, 3.0))
    with pytest.raises(ValueError, match="x0"):
        dd.calculus.trust_interval(p, lambda x: x[0] ** 2 + 1, 1.0, tol=0.1, bounds=(-1.0, 3.0))
    with pytest.raises(ValueError):
        dd.calculus.trust_interval(p, exact, 5.0, tol=0.1, bounds=(-1.0, 3.0))
    with pytest.raises(ValueError):
        dd.calculus.trust_interval(p, exact, 1.0, tol=0.0, bounds=(-1.0, 3.0))
    with pytest.raises(ValueError, match="1-D"):
        dd.calculus.trust_interval(dd.rosenbrock(), exact, 1.0, tol=0.1, bounds=(-1.0, 3.0))


# --------------------------------------------------------------------------- gd_regime


@pytest.mark.parametrize("eta", [0.05, 0.2, 0.5, 0.7, 1.0, 1.3])
def test_gd_regime_names_what_the_run_does(eta):
    lam = 2.0
    bowl = dd.scalar(lambda t: t**2, lambda t: 2 * t, lambda t: 2 + 0 * t)
    th = dd.run(dd.gd(eta=eta), bowl, x0=1.0, steps=20).xs[:, 0]
    regime = dd.theory.gd_regime(eta, lam)
    if regime.startswith("creeps"):
        assert np.all(th > 0) and np.all(np.diff(th) < 0)
        assert regime.endswith("slowly") == (1 - eta * lam > 0.75)
    elif regime == "lands in one step":
        assert th[1] == 0.0
    elif regime == "oscillates and converges":
        assert np.all(th[1:] * th[:-1] < 0) and np.all(np.diff(np.abs(th)) < 0)
    elif regime == "bounces for ever":
        np.testing.assert_array_equal(np.abs(th), 1.0)
        assert np.all(th[1:] * th[:-1] < 0)
    else:
        assert regime == "diverges" and np.all(np.diff(np.abs(th)) > 0)


def test_gd_regime_rejects_bad_arguments():
    for bad in (dict(eta=0.0, lam=1.0), dict(eta=0.1, lam=-1.0), dict(eta=0.1, lam=1.0, slow=1.0)):
        with pytest.raises(ValueError):
            dd.theory.gd_regime(**bad)


# --------------------------------------------------------------------------- Trace.steps_to


def test_steps_to_by_hand():
    # θ_t = 0.5ᵗ on ½θ², L(θ_t) = ½·0.25ᵗ
    trace = dd.run(dd.gd(eta=0.5), dd.quadratic([[1.0]]), x0=1.0, steps=10)
    assert trace.steps_to(0.6) == 0
    assert trace.steps_to(0.5) == 1                 # strictly below: L(θ_0) = 0.5 does not count
    assert trace.steps_to(0.01) == 3
    assert trace.steps_to(0.01, x_star=0.0) == 7
    assert trace.steps_to(0.01, x_star=[0.0]) == 7
    assert trace.steps_to(1e-9) is None


def test_steps_to_measures_the_distance_in_the_plane():
    p = dd.ill_conditioned(kappa=10.0)
    trace = dd.run(dd.gd(eta=0.1), p, [1.0, 1.0], steps=200)
    dist = np.linalg.norm(trace.xs - p.x_star, axis=1)
    assert trace.steps_to(1e-3, x_star=p.x_star) == int(np.argmax(dist < 1e-3))
    with pytest.raises(ValueError):
        trace.steps_to(1e-3, x_star=[0.0, 0.0, 0.0])
