"""The helpers behind chapter 7's page: the long valley, Adam's step after a silence and k
worst-case gradients, the tuning of a sweep by its mean log gap, and the explorers' scene of
paths and losses."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import descend as dd  # noqa: E402
from descend import theory  # noqa: E402
from descend._scene import Scene  # noqa: E402

# --------------------------------------------------------------------------- long_valley


@pytest.mark.parametrize("c", [10.0, 0.5, 200.0])
def test_long_valley_gradient_and_hessian(c):
    p = dd.problems.long_valley(c)
    for x in ([-30.0, 0.7], [0.3, -1.2], [2.0, 0.0]):
        assert dd.check_grad(p, None, x) < 1e-6
        assert dd.check_hessian(p, None, x) < 1e-5
    assert p.f(p.x_star) == 0.0 and np.all(p.grad(p.x_star) == 0.0)


def test_long_valley_by_hand():
    p = dd.problems.long_valley()                      # √(1 + θ₁²) − 1 + 5θ₂²
    assert p.f(np.array([0.0, 1.0])) == 5.0
    assert np.isclose(p.f(np.array([np.sqrt(3.0), 0.0])), 1.0)  # √4 − 1
    assert np.allclose(p.grad(np.array([np.sqrt(3.0), 0.5])), [np.sqrt(3.0) / 2, 5.0])
    assert np.allclose(p.hess(np.array([0.0, 3.0])), np.diag([1.0, 10.0]))


def test_long_valley_floor_slopes_at_almost_one_and_the_gradient_is_odd():
    p = dd.problems.long_valley()
    theta1 = np.linspace(-45.0, -2.0, 200)
    slope = p.grad(np.stack([theta1, np.zeros_like(theta1)]))[0]
    assert np.all(np.abs(slope + 1) <= 1 / (2 * theta1**2))     # within 1/(2θ₁²) of 1
    assert np.all(np.diff(np.abs(slope)) < 0)                   # shrinks as |θ₁| does
    x = np.array([[-3.0, 0.5, 7.0], [0.2, -1.0, 4.0]])
    assert np.array_equal(p.grad(-x), -p.grad(x))


def test_long_valley_batches_and_bounds():
    p = dd.problems.long_valley(bounds=[(-10.0, 2.0), (-1.0, 1.0)])
    X, Y, Z = p.grid(20)
    assert Z.shape == (20, 20) and p.bounds == ((-10.0, 2.0), (-1.0, 1.0))
    assert p.hess(np.zeros((2, 3, 4))).shape == (2, 2, 3, 4)
    with pytest.raises(ValueError):
        dd.problems.long_valley(0.0)


def test_long_valley_adagrad_needs_about_d_over_2_eta_squared_steps():
    run = dd.run(dd.adagrad(eta=0.5), dd.problems.long_valley(), [-40.0, 1.0], steps=2500)
    arrival = int(np.argmax(np.abs(run.xs[:, 0]) < 1))
    assert ((39 + 0.5) / 1.0) ** 2 <= arrival <= 1.05 * 1600


# --------------------------------------------------------------------------- theory.adam_worst_step


@pytest.mark.parametrize("beta1, beta2, k", [(0.9, 0.999, 10), (0.9, 0.999, 400), (0.95, 0.99, 300),
                                             (0.5, 0.9, 50), (0.9, 0.8, 200), (0.0, 0.9, 5)])
def test_adam_worst_step_is_the_measured_step(beta1, beta2, k):
    t = 2000
    g = np.r_[np.zeros(t - k), 1e6 * theory.adam_worst_gradients(beta1, beta2, k)]  # ε negligible
    step = abs(dd.optim.steps_on(dd.adam(eta=1.0, beta1=beta1, beta2=beta2), g)[-1])
    assert np.isclose(step, theory.adam_worst_step(beta1, beta2, t=t, k=k), rtol=1e-9)


def test_adam_worst_step_by_hand():
    # β₁ = 0: one gradient after a silence, step (1/(1)) √((1 − β₂ᵗ)/(1 − β₂))
    assert np.isclose(theory.adam_worst_step(0.0, 0.99, t=3, k=1), np.sqrt((1 - 0.99**3) / 0.01))
    # γ = β₁²/β₂: k = 2 adds γ under the root
    b1, b2, t = 0.5, 0.5, 4
    by_hand = (1 - b1) / (1 - b1**t) * np.sqrt((1 - b2**t) / (1 - b2)) * np.sqrt(1 + b1**2 / b2)
    assert np.isclose(theory.adam_worst_step(b1, b2, t=t, k=2), by_hand)


def test_adam_worst_step_with_all_gradients_is_b_t_and_tends_to_b_inf():
    for t in (1, 7, 1000):
        assert theory.adam_worst_step(0.9, 0.999, t=t) == theory.adam_step_bound(0.9, 0.999, t=t)
    near = theory.adam_worst_step(0.9, 0.999, t=10**6, k=10**5)
    assert np.isclose(near, theory.adam_step_bound(0.9, 0.999), rtol=1e-6)
    steps = [theory.adam_worst_step(0.9, 0.999, t=5000, k=k) for k in (1, 10, 100, 1000)]
    assert np.all(np.diff(steps) > 0)                        # more worst-case gradients, longer step


def test_adam_worst_step_rejects_bad_arguments():
    with pytest.raises(ValueError, match="k must lie"):
        theory.adam_worst_step(0.9, 0.999, t=5, k=6)
    for bad in (dict(t=0), dict(t=5, k=0), dict(t=2.5)):
        with pytest.raises((ValueError, TypeError)):
            theory.adam_worst_step(0.9, 0.999, **bad)
    with pytest.raises(ValueError):
        theory.adam_worst_step(1.0, 0.999, t=5)


# --------------------------------------------------------------------------- Sweep.mean_log_gap, Sweep.best


def _sweep(fs, diverged_at, grid):
    fs = np.asarray(fs, dtype=float)
    return dd.Sweep(grid={k: np.asarray(v, dtype=float) for k, v in grid.items()}, fs=fs, dists=None,
                    x=np.zeros(fs.shape[:-1] + (1,)), diverged_at=np.asarray(diverged_at))


def test_mean_log_gap_by_hand():
    res = _sweep([[1.0, 0.1, 0.01], [1.0, 1e-20, 0.0], [1.0, 10.0, np.nan]], [-1, -1, 2],
                 {"eta": [0.1, 0.2, 0.3]})
    score = res.mean_log_gap()
    assert np.allclose(score[:2], [(0 - 1 - 2) / 3, (0 - 16 - 16) / 3])    # gaps below 10⁻¹⁶ floored
    assert score[2] == np.inf                                              # diverged
    assert np.allclose(res.mean_log_gap(f_star=-1.0)[:1], np.log10([2.0, 1.1, 1.01]).mean())
    assert np.allclose(res.mean_log_gap(floor=1e-4)[1], (0 - 4 - 4) / 3)


def test_best_picks_the_lowest_curve_and_returns_factory_arguments():
    res = _sweep([[1.0, 0.5, 0.4], [1.0, 0.1, 0.3], [1.0, 1e-9, 1e9]], [-1, -1, -1], {"eta": [0.1, 0.2, 0.3]})
    assert res.best() == {"eta": 0.2}          # the third ends high, though it dipped lowest
    assert isinstance(res.best()["eta"], float)


def test_best_on_a_two_dimensional_grid_and_ties():
    fs = np.ones((2, 3, 4))
    fs[1, 2] = 0.5
    res = _sweep(fs, -np.ones((2, 3), int), {"eta": [0.01, 0.02], "beta": [0.0, 0.5, 0.9]})
    assert res.best() == {"eta": 0.02, "beta": 0.9}
    tie = _sweep(np.ones((2, 3, 4)), -np.ones((2, 3), int), {"eta": [0.01, 0.02], "beta": [0.0, 0.5, 0.9]})
    assert tie.best() == {"eta": 0.01, "beta": 0.0}                       # the first in the grid's order


def test_best_rejects_a_sweep_where_every_run_diverged():
    res = _sweep([[1.0, np.nan], [1.0, np.nan]], [1, 1], {"eta": [1.0, 2.0]})
    with pytest.raises(ValueError, match="every run diverged"):
        res.best()


def test_best_on_a_real_sweep_tunes_gradient_descent_on_a_quadratic():
    p = dd.ill_conditioned(kappa=10.0)
    etas = np.geomspace(1e-3, 0.5, 40)
    res = dd.sweep(dd.gd, p, [1.0, 1.0], steps=100, eta=etas)
    best = res.best(p.f_star)["eta"]
    assert best in etas and not res.diverged[list(etas).index(best)]
    # the best rate for GD on this quadratic is 2/(λ_min + λ_max) = 2/11; the grid's choice is near it
    assert 0.12 < best < 2 / 10
    assert dd.run(dd.gd(eta=best), p, [1.0, 1.0], 100).f < dd.run(dd.gd(eta=0.05), p, [1.0, 1.0], 100).f


# --------------------------------------------------------------------------- plot.path_and_loss_scene

SPARSE = dd.sigmoid_neuron(*dd.data.sparse_feature(n=100, sparsity=0.8, seed=0))
START = [-4.0, -2.0]


def _two_runs(log_eta):
    eta = 10.0 ** log_eta
    return [dd.run(dd.adagrad(eta=eta), SPARSE, START, 60), dd.run(dd.rmsprop(eta=eta, beta=0.9), SPARSE, START, 60)]


def _scene():
    return dd.plot.path_and_loss_scene(SPARSE, _two_runs, labels=["AdaGrad", "RMSProp"], colors=["green", "orange"],
                                       bounds=[(-5.0, 5.5), (-3.0, 1.0)], steps=60, loss_limits=(1e-8, 30),
                                       n=40, axis_labels=("w", "b"), level_color="0.7",
                                       title=lambda traces, log_eta: f"η = {10.0 ** log_eta:.3g}")


def test_path_and_loss_scene_draws_paths_and_losses_on_fixed_axes():
    fig, update = _scene()
    ax_map, ax_loss = fig.axes
    assert ax_loss.get_yscale() == "log" and tuple(map(float, ax_loss.get_ylim())) == (1e-8, 30.0)
    assert [t.get_text() for t in ax_loss.get_legend().get_texts()] == ["AdaGrad", "RMSProp"]
    assert (ax_map.get_xlabel(), ax_map.get_ylabel()) == ("w", "b")
    assert all(np.allclose(c.get_edgecolor()[:, :3], 0.7) for c in ax_map.collections)  # grey levels
    update(log_eta=-1.0)
    assert ax_map.get_title() == "η = 0.1"
    curves = [line for line in ax_loss.lines if len(line.get_xdata()) == 61]
    assert [line.get_color() for line in curves] == ["green", "orange"]
    assert np.allclose(curves[0].get_ydata(), _two_runs(-1.0)[0].fs)
    paths = [line for line in ax_map.lines if len(line.get_xdata()) == 61]
    assert len(paths) == 2 and all(line.get_marker() in (None, "None", "") for line in paths)
    assert tuple(map(float, ax_map.get_xlim())) == (-5.0, 5.5)                 # the window stays
    assert tuple(map(float, ax_loss.get_xlim())) == (0.0, 60.0)
    plt.close(fig)


def test_path_and_loss_scene_keeps_what_a_fresh_figure_shows():
    kept = Scene(_scene)
    for v in (-1.5, 0.0, -0.75, -1.5):
        assert np.array_equal(kept.rgba({"log_eta": v}), Scene(_scene).rgba({"log_eta": v})), f"stale pixels at {v}"


def test_path_and_loss_scene_gap_and_bad_arguments():
    p = dd.rosenbrock()
    fig, update = dd.plot.path_and_loss_scene(p, lambda eta: [dd.run(dd.adam(eta=eta), p, [-1.5, 2.0], 20)],
                                              labels=["Adam"], steps=20, loss_limits=(1e-3, 1e3), f_star=p.f_star)
    assert fig.axes[1].get_ylabel() == "L(θₜ) − L*"
    with pytest.raises(ValueError, match="1 traces for 2 labels"):
        dd.plot.path_and_loss_scene(p, lambda eta: [dd.run(dd.adam(eta=eta), p, [-1.5, 2.0], 5)],
                                    labels=["a", "b"], steps=5, loss_limits=(1e-3, 1e3))[1](eta=0.1)
    for bad in (dict(loss_limits=(0.0, 1.0)), dict(loss_limits=(10.0, 1.0)), dict(steps=0),
                dict(colors=["red"], labels=["a", "b"]), dict(labels=[])):
        kw = dict(labels=["a"], steps=5, loss_limits=(1e-3, 1e3)) | bad
        with pytest.raises((ValueError, TypeError)):
            dd.plot.path_and_loss_scene(p, lambda eta: [], **kw)
    plt.close("all")
