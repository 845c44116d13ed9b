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


@pytest.mark.parametrize("view", ["fresh", "strided", "reversed"])
def test_grad_norms_are_numpys_norms_bit_for_bit(view):
    """run's ‖g‖ is np.linalg.norm's to the last bit, for a gradient returned as a new array and
    as a strided or reversed view (whose dot product may add in another order)."""
    rng = np.random.default_rng(0)
    A, store = np.diag(rng.uniform(0.5, 5.0, 40)), np.zeros((40, 3))

    def grad(x):
        g = A @ x
        if view == "strided":
            store[:, 1] = g
            return store[:, 1]
        return g[::-1].copy()[::-1] if view == "reversed" else g

    problem = dd.Problem(f=lambda x: 0.5 * x @ A @ x, grad=grad, dim=40)
    assert view == "fresh" or not grad(np.ones(40)).flags.c_contiguous
    trace = dd.run(dd.gd(eta=0.1), problem, rng.normal(size=40), steps=50)
    assert trace.grad_norms.tolist() == [float(np.linalg.norm(grad(x))) for x in trace.xs]


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


WELL = dd.scalar(lambda t: t**4 - 2 * t**2 + t / 2, lambda t: 4 * t**3 - 4 * t + 0.5,
                 name="tilted double well")
MANY_STARTS = {
    "well": (WELL, np.linspace(-1.5, 1.5, 13)),                   # 1-D: a flat sequence of starts
    "himmelblau": (dd.himmelblau(), np.random.default_rng(0).uniform(-5, 5, size=(9, 2))),
    "valley": (dd.ill_conditioned(kappa=10.0, angle=0.3), np.random.default_rng(1).normal(size=(6, 2))),
    # as many starts as coordinates: a per-coordinate array that broadcast along the runs
    # instead of the coordinates would not raise here, only give other numbers
    "himmelblau, S = d": (dd.himmelblau(), np.array([[0.0, 0.0], [-1.0, 1.0]])),
    "well, S = d": (WELL, [0.3]),
}
ONE_OPTIMIZER = {"gd": dd.gd(eta=0.01), "momentum": dd.momentum(eta=0.01, beta=0.9),
                 "adam": dd.adam(eta=0.05)}


@pytest.mark.parametrize("name", sorted(ONE_OPTIMIZER))
@pytest.mark.parametrize("problem", sorted(MANY_STARTS))
def test_sweep_starts_matches_run_start_by_start(problem, name):
    # Not bitwise: NumPy's power on an array and on a scalar can differ in the last bit (SIMD
    # kernels), so the runs agree to rounding.  300 steps: Adam at a constant η hovers around
    # a minimum and, over thousands of steps, amplifies those last bits.
    p, starts = MANY_STARTS[problem]
    opt = ONE_OPTIMIZER[name]
    res = dd.sweep_starts(opt, p, starts, steps=300)
    S = len(starts)
    assert res.fs.shape == (S, 301) and res.x.shape == (S, p.dim) and res.diverged_at.shape == (S,)
    assert res.grid == {} and res.name == opt.name and res.starts.shape == (S, p.dim)
    for i, x0 in enumerate(starts):
        trace = dd.run(opt, p, x0, steps=300)
        assert not trace.diverged and res.diverged_at[i] == -1
        np.testing.assert_allclose(res.fs[i], trace.fs, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(res.x[i], trace.x, rtol=1e-12, atol=1e-15)
        if p.x_star is not None:     # ‖x_t − x*‖ cancels the leading digits of equal iterates
            np.testing.assert_allclose(res.dists[i], np.linalg.norm(trace.xs - p.x_star, axis=1),
                                       rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", sorted(ONE_OPTIMIZER))
def test_sweep_starts_marks_divergence_at_the_step_run_does_quietly(name):
    opt = ONE_OPTIMIZER[name]
    starts = [-1.0, 0.5, 6.0, 40.0, 1e20]       # 1e20: the second step overflows the loss
    big = dict(gd=dd.gd(eta=0.05), momentum=dd.momentum(eta=0.05, beta=0.9), adam=opt)[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = dd.sweep_starts(big, WELL, starts, steps=500)
    for i, x0 in enumerate(starts):
        trace = dd.run(big, WELL, x0, steps=500)
        assert res.diverged[i] == trace.diverged
        assert res.diverged_at[i] == (trace.diverged_at if trace.diverged else -1)
        n = trace.steps + 1
        np.testing.assert_allclose(res.fs[i, :n], trace.fs, rtol=1e-12, atol=1e-15)
        assert np.isnan(res.fs[i, n:]).all()
        np.testing.assert_allclose(res.x[i], trace.x, rtol=1e-12)   # the last finite iterate
    if name != "adam":                            # Adam's steps are at most about η: it never diverges here
        assert res.diverged_at.tolist() == [-1, -1, 5, 4, 2]
    else:
        assert not res.diverged.any()


def test_sweep_starts_is_sweep_from_each_start():
    # the same batched loop: a sweep over one value from x0 is the sweep over starts from [x0]
    p = dd.rosenbrock()
    for x0 in ([-1.0, 1.5], [2.0, 2.0]):       # the second diverges at η = 0.002, at step 7
        one = dd.sweep(dd.momentum, p, x0, steps=200, eta=[0.002], beta=[0.5])
        many = dd.sweep_starts(dd.momentum(eta=0.002, beta=0.5), p, [x0, [0.0, 0.0]], steps=200)
        np.testing.assert_array_equal(one.fs[0, 0], many.fs[0])
        np.testing.assert_array_equal(one.x[0, 0], many.x[0])
        np.testing.assert_array_equal(one.dists[0, 0], many.dists[0])
        assert one.diverged_at[0, 0] == many.diverged_at[0]
    assert many.diverged_at.tolist() == [7, -1]


def test_sweep_starts_refuses_what_it_cannot_batch():
    p = dd.himmelblau()
    with pytest.raises(ValueError, match="clips the gradient by its norm"):
        dd.sweep_starts(dd.clipped(dd.gd(eta=0.1), max_norm=1.0), p, [[1.0, 1.0]], steps=3)
    pointwise = dd.Problem(f=lambda x: float(np.sum(x**2)), grad=lambda x: 2 * x, dim=2)
    with pytest.raises(ValueError, match=r"problem.f must accept a batch of points of shape \(d, S\)"):
        dd.sweep_starts(dd.gd(), pointwise, [[1.0, 1.0], [2.0, 2.0]], steps=3)
    with pytest.raises(ValueError, match="this sweep has none"):
        dd.sweep_starts(dd.gd(), p, [[1.0, 1.0]], steps=3).best()
    with pytest.raises(ValueError, match=r"starts must be points where the loss and gradient are finite; "
                                         r"at starts\[1\]"):
        dd.sweep_starts(dd.gd(), dd.scalar(np.log, lambda t: 1 / t), [1.0, -1.0, 2.0], steps=3)
    # and a clipped optimizer that clips entry by entry is batched
    by_value = dd.clipped(dd.gd(eta=0.1), clip_value=1.0)
    res = dd.sweep_starts(by_value, p, [[1.0, 1.0], [-4.0, 4.0]], steps=50)
    for i, x0 in enumerate(([1.0, 1.0], [-4.0, 4.0])):
        np.testing.assert_allclose(res.x[i], dd.run(by_value, p, x0, steps=50).x, rtol=1e-12)


def test_float64_throughout():
    x0 = np.array([-1.0, 1.5], dtype=np.float32)
    trace = dd.run(dd.adam(eta=0.1), dd.rosenbrock(), x0, steps=5)
    assert trace.xs.dtype == trace.fs.dtype == trace.grad_norms.dtype == np.float64
    # each optimizer's own steps and state: test_catalogue.py::test_optimizer_is_pure_and_float64


def test_trace_keeps_the_final_state():
    trace = dd.run(dd.adam(eta=0.1), dd.rosenbrock(), [0.0, 0.0], steps=7)
    assert trace.state.t == 7 and trace.state.m.shape == (2,)


# ----------------------------------------------------------- per-coordinate steps in a batch
SCALED = {"gd": dd.optim.scaled_steps(dd.gd(eta=0.002), [1.0, 4.0]),
          "adam": dd.optim.scaled_steps(dd.adam(eta=0.05), [1.0, 0.1])}


@pytest.mark.parametrize("name", sorted(SCALED))
@pytest.mark.parametrize("S", [2, 3])           # S = d = 2 used to be silently wrong, S = 3 an error
def test_sweep_starts_of_scaled_steps_matches_run(name, S):
    p, opt = dd.himmelblau(), SCALED[name]
    starts = np.array([[0.0, 0.0], [-1.0, 1.0], [1.0, -1.0]])[:S]
    res = dd.sweep_starts(opt, p, starts, steps=100)
    for i, x0 in enumerate(starts):
        trace = dd.run(opt, p, x0, steps=100)
        assert not trace.diverged and res.diverged_at[i] == -1
        np.testing.assert_allclose(res.fs[i], trace.fs, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(res.x[i], trace.x, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("etas", [[0.001, 0.002], [0.001, 0.002, 0.003]])   # S = d and S ≠ d
def test_sweep_of_scaled_steps_matches_run(etas):
    p, x0, delta = dd.himmelblau(), [-1.0, 1.0], [1.0, 4.0]
    res = dd.sweep(lambda eta: dd.optim.scaled_steps(dd.gd(eta=eta), delta), p, x0, steps=100, eta=etas)
    for i, eta in enumerate(etas):
        trace = dd.run(dd.optim.scaled_steps(dd.gd(eta=eta), delta), p, x0, steps=100)
        np.testing.assert_allclose(res.fs[i], trace.fs, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(res.x[i], trace.x, rtol=1e-12, atol=1e-15)


def test_scaled_steps_with_one_factor_per_coordinate_only():
    with pytest.raises(ValueError, match="scale must be one number or one factor per coordinate, 2; got 3"):
        dd.run(dd.optim.scaled_steps(dd.gd(), [1.0, 2.0, 3.0]), dd.himmelblau(), [0.0, 0.0], steps=1)
    one = dd.sweep_starts(dd.optim.scaled_steps(dd.gd(eta=0.001), [2.0]), dd.himmelblau(), [[0.0, 0.0]], 5)
    np.testing.assert_allclose(one.x[0], dd.run(dd.gd(eta=0.002), dd.himmelblau(), [0.0, 0.0], 5).x,
                               rtol=1e-14)


# ------------------------------------------------- a run stops at a non-finite gradient
# √|t|: finite everywhere, its derivative not at 0; gradient descent with η = 0.25 from 0.25
# lands exactly on 0 at step 1
ROOT = dd.scalar(lambda t: np.sqrt(np.abs(t)), lambda t: 0.5 * np.sign(t) / np.sqrt(np.abs(t)),
                 x_star=0.0, name="root")


def test_a_non_finite_gradient_ends_a_run_in_run_and_in_both_sweeps():
    trace = dd.run(dd.gd(eta=0.25), ROOT, 0.25, steps=50)
    assert trace.diverged_at == 1 and trace.steps == 0
    starts = [0.25, 1.0, -0.7]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        many = dd.sweep_starts(dd.gd(eta=0.25), ROOT, starts, steps=50)
        grid = dd.sweep(dd.gd, ROOT, [0.25], steps=50, eta=[0.25, 0.1])
    for i, x0 in enumerate(starts):
        trace = dd.run(dd.gd(eta=0.25), ROOT, x0, steps=50)
        assert many.diverged_at[i] == (trace.diverged_at if trace.diverged else -1)
        np.testing.assert_allclose(many.fs[i, :trace.steps + 1], trace.fs, rtol=1e-12)
    for i, eta in enumerate([0.25, 0.1]):
        trace = dd.run(dd.gd(eta=eta), ROOT, 0.25, steps=50)
        assert grid.diverged_at[i] == (trace.diverged_at if trace.diverged else -1)
        np.testing.assert_allclose(grid.fs[i, :trace.steps + 1], trace.fs, rtol=1e-12)
    assert many.diverged_at.tolist() == [1, -1, -1] and grid.diverged_at.tolist() == [1, -1]
    # after the divergence the run has no loss and no distance; it keeps its last finite point
    for res in (many, grid):
        assert np.isnan(res.fs[0, 1:]).all() and np.isnan(res.dists[0, 1:]).all()
        assert res.dists[0, 0] == 0.25 and res.x[0, 0] == 0.25
        assert np.isfinite(res.fs[1:]).all() and np.isfinite(res.dists[1:]).all()


def test_a_start_with_a_non_finite_gradient_is_refused_as_run_refuses_it():
    with np.errstate(invalid="ignore"):
        assert np.isfinite(ROOT.f(np.array([0.0]))) and not np.isfinite(ROOT.grad(np.array([0.0]))).all()
    with pytest.raises(ValueError, match="x0 must be a point where the loss and gradient are finite"):
        dd.run(dd.gd(), ROOT, 0.0, steps=3)
    with pytest.raises(ValueError, match=r"starts must be points where the loss and gradient are finite; "
                                         r"at starts\[1\] = \[0\.\]"):
        dd.sweep_starts(dd.gd(), ROOT, [0.5, 0.0], steps=3)
    with pytest.raises(ValueError, match=r"x0 must be a point where the loss and gradient are finite; at \[0\.\]"):
        dd.sweep(dd.gd, ROOT, [0.0], steps=3, eta=[0.1, 0.2])


def test_dists_are_nan_after_an_overflow():
    res = dd.sweep(dd.gd, dd.quadratic([[1.0]]), [1.0], steps=3000, eta=[0.5, 2.5])
    k = res.diverged_at[1]
    assert k > 0 and np.isnan(res.dists[1, k:]).all() and np.isfinite(res.dists[1, :k]).all()
    assert np.isfinite(res.dists[0]).all()
    starts = dd.sweep_starts(dd.gd(eta=2.5), dd.quadratic([[1.0]]), [1.0, 0.0], steps=3000)
    np.testing.assert_array_equal(starts.dists[0], res.dists[1])
    assert (starts.dists[1] == 0.0).all()
