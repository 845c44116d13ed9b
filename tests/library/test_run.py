"""The loop: shapes, divergence, stopping, and that every optimizer descends."""

import warnings

import numpy as np
import pytest

import descend as dd


def test_shapes_and_start():
    trace = dd.run(dd.adam(eta=0.01, beta1=0.9, beta2=0.999, eps=1e-8), dd.rosenbrock(), [-1.0, 2.0], steps=100)
    assert trace.xs.shape == (101, 2) and trace.fs.shape == (101,) and trace.grad_norms.shape == (101,)
    np.testing.assert_array_equal(trace.xs[0], [-1.0, 2.0])
    assert not trace.diverged and trace.diverged_at is None
    assert trace.name == "adam" and trace.hyper["beta2"] == 0.999 and trace.problem == "Rosenbrock"
    np.testing.assert_allclose(trace.fs, [dd.rosenbrock().f(x) for x in trace.xs])


def test_zero_steps_keeps_only_the_start():
    trace = dd.run(dd.gd(), dd.saddle(), [1.0, 1.0], steps=0)
    assert trace.xs.shape == (1, 2)


def test_divergence_is_caught_quietly():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any overflow warning would fail the test
        trace = dd.run(dd.gd(eta=2.5), dd.quadratic([[1.0]]), x0=1.0, steps=5000)
    assert trace.diverged
    assert np.all(np.isfinite(trace.xs)) and np.all(np.isfinite(trace.fs))
    assert trace.diverged_at == trace.steps + 1
    # |x| grows by 1.5 per step until the loss overflows float64
    overflow_at = 0.5 * (np.log(2.0) + np.log(np.finfo(float).max))  # log of the |x| where ½x² overflows
    assert trace.steps == pytest.approx(overflow_at / np.log(1.5), abs=2)


def test_divergence_on_rosenbrock_with_momentum():
    trace = dd.run(dd.momentum(eta=0.01, beta=0.9), dd.rosenbrock(), [-1.5, 2.0], steps=500)
    assert trace.diverged and trace.diverged_at < 500


def test_tol_stops_early():
    trace = dd.run(dd.gd(eta=0.5), dd.quadratic(np.eye(2)), [1.0, 1.0], steps=1000, tol=1e-6)
    assert trace.converged and trace.steps < 30 and trace.grad_norms[-1] <= 1e-6
    assert trace.grad_norms[-2] > 1e-6


CONVEX = {
    "quadratic": (dd.quadratic([[3.0, 1.0], [1.0, 2.0]], b=[1.0, 1.0]), [2.0, -2.0]),
    "ill_conditioned": (dd.ill_conditioned(kappa=20.0, angle=0.5), [2.5, 1.0]),
    "least_squares": (dd.least_squares(np.column_stack([np.linspace(0, 1, 20), np.ones(20)]),
                                       np.linspace(0, 1, 20) * 2 + 1), [-1.0, 0.0]),
}
# every optimizer of the catalogue, with the setting its entry gives for a curvature L
OPTIMIZERS = {entry.name: (lambda L, entry=entry: getattr(dd, entry.name)(**entry.on_convex(L)))
              for entry in dd.optim.CATALOGUE if entry.kind == "optimizer"}


@pytest.mark.parametrize("problem", sorted(CONVEX))
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_every_optimizer_lowers_the_loss_on_every_convex_problem(problem, name):
    p, x0 = CONVEX[problem]
    L = np.linalg.eigvalsh(p.hess(np.asarray(x0))).max()  # the largest curvature sets η
    trace = dd.run(OPTIMIZERS[name](L), p, x0, steps=300)
    assert not trace.diverged
    gap0, gap = trace.fs[0] - p.f_star, trace.fs[-1] - p.f_star
    assert gap < 0.1 * gap0, (gap0, gap)


def test_start_outside_the_domain():
    p = dd.scalar(lambda t: np.log(t), lambda t: 1 / t, bounds=(0.1, 2))
    with pytest.raises(ValueError, match="x0 must be a point where"):
        dd.run(dd.gd(), p, x0=-1.0, steps=3)


def test_sweep_matches_run_setting_by_setting():
    p = dd.ill_conditioned(kappa=10.0, angle=0.3)
    etas, betas = np.array([0.05, 0.15, 0.25]), np.array([0.0, 0.5, 0.9])
    res = dd.sweep(dd.momentum, p, [1.0, -2.0], steps=80, eta=etas, beta=betas)
    assert res.fs.shape == (3, 3, 81) and res.x.shape == (3, 3, 2) and res.dists.shape == (3, 3, 81)
    for i, e in enumerate(etas):
        for j, b in enumerate(betas):
            trace = dd.run(dd.momentum(eta=float(e), beta=float(b)), p, [1.0, -2.0], steps=80)
            np.testing.assert_allclose(res.fs[i, j], trace.fs, rtol=1e-12, atol=1e-300)
            np.testing.assert_allclose(res.x[i, j], trace.x, rtol=1e-12, atol=1e-300)


def test_sweep_marks_divergence_per_run_quietly():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = dd.sweep(dd.gd, dd.quadratic([[1.0]]), [1.0], steps=3000, eta=[0.5, 1.9, 2.5])
    assert res.diverged.tolist() == [False, False, True]
    trace = dd.run(dd.gd(eta=2.5), dd.quadratic([[1.0]]), [1.0], steps=3000)
    assert res.diverged_at[2] == trace.diverged_at
    assert np.isnan(res.fs[2, -1]) and np.isfinite(res.x[2]).all()


def test_sweep_rate_recovers_the_theory_of_gradient_descent():
    # on a quadratic with eigenvalues 1 and κ, GD contracts by max|1 − ηλ| per step
    kappa = 10.0
    etas = np.array([0.05, 0.1, 2 / (1 + kappa)])
    res = dd.sweep(dd.gd, dd.ill_conditioned(kappa), [1.0, 1.0], steps=200, eta=etas)
    theory = np.maximum(np.abs(1 - etas), np.abs(1 - etas * kappa))
    np.testing.assert_allclose(res.rate(), theory, rtol=1e-3)


def test_sweep_bad_input():
    p = dd.ill_conditioned(10.0)
    with pytest.raises(ValueError, match="at least one hyperparameter"):
        dd.sweep(dd.gd, p, [1.0, 1.0])
    with pytest.raises(ValueError, match="eta must lie in"):
        dd.sweep(dd.gd, p, [1.0, 1.0], eta=[0.1, -0.1])
    with pytest.raises(ValueError, match="beta must lie in"):
        dd.sweep(dd.momentum, p, [1.0, 1.0], eta=[0.1], beta=[0.5, 1.0])
    with pytest.raises(ValueError, match="eta must be a non-empty 1-D"):
        dd.sweep(dd.gd, p, [1.0, 1.0], eta=[[0.1]])
    with pytest.raises(ValueError, match="needs the problem's Hessian"):
        dd.sweep(dd.newton, p, [1.0, 1.0], eta=[1.0])
    with pytest.raises(ValueError, match="start must"):
        dd.sweep(dd.gd, p, [1.0, 1.0], steps=10, eta=[0.1]).rate(start=10)


def test_float64_throughout():
    x0 = np.array([-1.0, 1.5], dtype=np.float32)
    trace = dd.run(dd.adam(eta=0.1), dd.rosenbrock(), x0, steps=5)
    assert trace.xs.dtype == trace.fs.dtype == trace.grad_norms.dtype == np.float64
    # each optimizer's own steps and state: test_catalogue.py::test_optimizer_is_pure_and_float64


def test_trace_keeps_the_final_state():
    trace = dd.run(dd.adam(eta=0.1), dd.rosenbrock(), [0.0, 0.0], steps=7)
    assert trace.state.t == 7 and trace.state.m.shape == (2,)
