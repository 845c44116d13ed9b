"""Chapter 7's additions: the data sets with bad scales and sparse features, the generic
template of gradient descent, and the race figure."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import descend as dd  # noqa: E402

# --------------------------------------------------------------------------- data


def test_badly_scaled_scales_and_conditioning():
    X, y = dd.data.badly_scaled(n=100, seed=0)
    assert X.shape == (100, 3) and y.shape == (100,)
    assert 100 <= X[:, 0].min() and X[:, 0].max() <= 900
    assert 0.001 <= X[:, 1].min() and X[:, 1].max() <= 0.009
    assert np.all(X[:, 2] == 1)
    H = X.T @ X / len(y)
    assert np.linalg.cond(H) > 1e9                          # badly conditioned …
    Z = np.column_stack([(X[:, :2] - X[:, :2].mean(0)) / X[:, :2].std(0), np.ones(len(y))])
    assert np.linalg.cond(Z.T @ Z / len(y)) < 5              # … until standardized


def test_badly_scaled_recovers_its_weights_and_is_reproducible():
    X, y = dd.data.badly_scaled(n=2000, noise=0.1, seed=3)
    theta = np.linalg.lstsq(X, y, rcond=None)[0]
    np.testing.assert_allclose(theta, [0.02, 3000.0, 5.0], rtol=2e-2)
    a, b = dd.data.badly_scaled(seed=5), dd.data.badly_scaled(seed=5)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], dd.data.badly_scaled(seed=6)[0])


def test_sparse_feature_zeros_and_minimum():
    x, y = dd.data.sparse_feature(n=100, sparsity=0.8, w=3.0, b=-1.0, seed=0)
    assert np.sum(x == 0) == 80 and np.all((x[x != 0] > 0) & (x[x != 0] < 1))
    assert np.all((y > 0) & (y < 1))
    p = dd.sigmoid_neuron(x, y)
    assert p.f(np.array([3.0, -1.0])) < 1e-25
    assert np.linalg.norm(p.grad(np.array([3.0, -1.0]))) < 1e-12
    # the weight sees only the non-zero inputs: away from the minimum its gradient is small
    g = p.grad(np.array([-4.0, -2.0]))
    assert abs(g[1]) > 10 * abs(g[0])


def test_sparse_feature_is_reproducible_and_sparsity_rounds():
    a, b = dd.data.sparse_feature(seed=1), dd.data.sparse_feature(seed=1)
    np.testing.assert_array_equal(a[0], b[0])
    x, _ = dd.data.sparse_feature(n=7, sparsity=0.5)
    assert np.sum(x == 0) == 4                                 # round(3.5) = 4
    x, _ = dd.data.sparse_feature(n=10, sparsity=0.0)
    assert np.all(x > 0)


@pytest.mark.parametrize("call, error, message", [
    (lambda: dd.data.badly_scaled(n=2), ValueError, r"n must be an integer ≥ 3"),
    (lambda: dd.data.badly_scaled(noise=-1.0), ValueError, r"noise must lie in \[0, inf\)"),
    (lambda: dd.data.badly_scaled(seed=-1), ValueError, r"seed must be an integer ≥ 0"),
    (lambda: dd.data.sparse_feature(sparsity=1.0), ValueError, r"sparsity must lie in \[0, 1\)"),
    (lambda: dd.data.sparse_feature(n=1), ValueError, r"n must be an integer ≥ 2"),
    (lambda: dd.data.sparse_feature(w="3"), TypeError, r"w must be a real number"),
])
def test_data_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --------------------------------------------------------------------------- template

ROSEN, R0 = dd.rosenbrock(), [-1.5, 2.0]


@pytest.mark.parametrize("mine, theirs", [
    (lambda: dd.template("constant", "plain", eta=1e-3), lambda: dd.gd(eta=1e-3)),
    (lambda: dd.template("time_decay", "plain", eta=1e-3, k=0.05),
     lambda: dd.gd(eta=dd.time_decay(1e-3, k=0.05))),
    (lambda: dd.template("constant", "momentum", eta=1e-3, beta=0.8),
     lambda: dd.momentum(eta=1e-3, beta=0.8)),
    (lambda: dd.template("adagrad", eta=0.3, eps=1e-10), lambda: dd.adagrad(eta=0.3, eps=1e-10)),
    (lambda: dd.template("rmsprop", eta=0.01, beta2=0.95, eps=1e-7),
     lambda: dd.rmsprop(eta=0.01, beta=0.95, eps=1e-7)),
    (lambda: dd.template("rmsprop", "average", eta=0.02, beta=0.8, beta2=0.99, eps=1e-8,
                         bias_correction=True),
     lambda: dd.adam(eta=0.02, beta1=0.8, beta2=0.99, eps=1e-8)),
])
def test_template_reproduces_the_library_bit_for_bit(mine, theirs):
    a, b = dd.run(mine(), ROSEN, R0, steps=300), dd.run(theirs(), ROSEN, R0, steps=300)
    np.testing.assert_array_equal(a.xs, b.xs)


def steps_of(opt, grads):
    x = np.zeros(1)
    state, out = opt.init(x), []
    for g in grads:
        step, state = opt.update(np.array([g]), state, x)
        out.append(float(step[0]))
    return out, state


def test_rmsprop_with_momentum_by_hand():
    # β₂ = 0.5, β = 0.5, η = 1, g = 2, 2:  v₁ = 2, u₁ = 2/√2 = √2;  v₂ = 3, u₂ = √2/2 + 2/√3
    opt = dd.template("rmsprop", "momentum", eta=1.0, beta=0.5, beta2=0.5, eps=1e-300)
    steps, state = steps_of(opt, [2.0, 2.0])
    assert steps == pytest.approx([-np.sqrt(2), -(np.sqrt(2) / 2 + 2 / np.sqrt(3))])
    assert state.u == pytest.approx([np.sqrt(2) / 2 + 2 / np.sqrt(3)]) and state.m is None


def test_adam_without_bias_correction_first_step():
    # m₁ = (1 − β₁)g, v₁ = (1 − β₂)g²: the step is η(1 − β₁)/√(1 − β₂) = 3.162… η
    steps, _ = steps_of(dd.template("rmsprop", "average", eta=0.1, beta=0.9, beta2=0.999, eps=1e-300), [5.0])
    assert steps[0] == pytest.approx(-0.1 * 0.1 / np.sqrt(0.001))


def test_eps_placement_and_root():
    g = 1e-6                          # v = g² = 1e-12 ≪ ε: inside the root ε dominates
    out, _ = steps_of(dd.template("adagrad", eta=1.0, eps=1e-8), [g])
    inside, _ = steps_of(dd.template("adagrad", eta=1.0, eps=1e-8, eps_inside=True), [g])
    no_root, _ = steps_of(dd.template("adagrad", eta=1.0, eps=1e-8, root=False), [2.0])
    assert out[0] == pytest.approx(-g / (g + 1e-8))
    assert inside[0] == pytest.approx(-g / np.sqrt(g * g + 1e-8))
    assert no_root[0] == pytest.approx(-2.0 / (4.0 + 1e-8))


def test_template_scale_invariance_needs_the_root():
    p = dd.beale()
    big = dd.Problem(lambda x: 100 * p.f(x), lambda x: 100 * p.grad(x), dim=2)
    with_root = dd.template("rmsprop", "average", eta=0.01, bias_correction=True, beta2=0.999)
    a, b = dd.run(with_root, p, [1.0, 1.5], 100), dd.run(with_root, big, [1.0, 1.5], 100)
    np.testing.assert_allclose(a.xs, b.xs, atol=1e-7)
    no_root = dd.template("adagrad", eta=0.1, root=False)
    a, b = dd.run(no_root, p, [1.0, 1.5], 1), dd.run(no_root, big, [1.0, 1.5], 1)
    np.testing.assert_allclose(a.xs[1] - a.xs[0], 100 * (b.xs[1] - b.xs[0]))  # 100 times shorter


def test_template_sweeps_and_descends():
    p = dd.ill_conditioned(kappa=10.0)
    res = dd.sweep(lambda eta: dd.template("rmsprop", "momentum", eta=eta, beta=0.5, beta2=0.9),
                   p, [2.0, 1.0], steps=200, eta=np.array([0.003, 0.01, 0.03]))
    assert res.fs.shape == (3, 201) and np.all(res.fs[:, -1] < res.fs[:, 0])
    for opt in (dd.template("time_decay", "average", eta=0.1, k=0.01, beta=0.5),
                dd.template("adagrad", "momentum", eta=0.3, beta=0.5)):
        assert dd.run(opt, p, [2.0, 1.0], 300).f < 1e-3 * p.f(np.array([2.0, 1.0]))


def test_template_names_and_hyperparameters():
    opt = dd.template("rmsprop", "average", eta=0.001, beta=0.9, beta2=0.999, bias_correction=True)
    assert opt.name == "rmsprop, average, bias-corrected"
    assert opt.hyper == {"eta": 0.001, "beta": 0.9, "beta2": 0.999, "eps": 1e-8}
    assert dd.template().hyper == {"eta": 0.01}
    assert "ε inside" in dd.template("adagrad", eps_inside=True).name


@pytest.mark.parametrize("call, error, message", [
    (lambda: dd.template("adam"), ValueError,
     r"rate must be one of 'constant', 'time_decay', 'adagrad', 'rmsprop'"),
    (lambda: dd.template(update="nesterov"), ValueError,
     r"update must be one of 'plain', 'momentum', 'average'"),
    (lambda: dd.template(eta=0.0), ValueError, r"eta must lie in \(0, inf\)"),
    (lambda: dd.template(beta=1.0), ValueError, r"beta must lie in \[0, 1\)"),
    (lambda: dd.template(beta2=-0.1), ValueError, r"beta2 must lie in \[0, 1\)"),
    (lambda: dd.template(k=-1.0), ValueError, r"k must lie in \[0, inf\)"),
    (lambda: dd.template("adagrad", eps=0.0), ValueError, r"eps must lie in \(0, inf\)"),
    (lambda: dd.template(bias_correction=True), ValueError, r"bias_correction needs an average"),
    (lambda: dd.template(eps_inside=True), ValueError, r"eps_inside and root concern the adaptive rates"),
    (lambda: dd.template("adagrad", root=0), TypeError, r"root must be True or False"),
])
def test_template_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --------------------------------------------------------------------------- race


def _runs():
    a, b = dd.ill_conditioned(kappa=10.0), dd.saddle()
    return [a, b], [[dd.run(dd.gd(eta=0.1), a, [2.0, 1.0], 30), dd.run(dd.gd(eta=5.0), a, [2.0, 1.0], 300)],
                    [dd.run(dd.gd(eta=0.1), b, [1.5, 0.01], 30),
                     dd.run(dd.adam(eta=0.1), b, [1.5, 0.01], 30)]]


def test_race_panels_paths_and_legend():
    problems, runs = _runs()
    fig = dd.plot.race(problems, runs, t=10, titles=["bowl", "saddle"], labels=["slow", "fast"])
    axes = fig.axes
    assert len(axes) == 2 and [ax.get_title() for ax in axes] == ["bowl", "saddle"]
    assert [line.get_label() for line in fig.legends[0].get_lines()] == ["slow", "fast"]
    # each path is drawn up to step t = 10, i.e. 11 points
    paths = [line for line in axes[1].get_lines() if len(line.get_xdata()) > 1]
    assert [len(line.get_xdata()) for line in paths] == [11, 11]
    plt.close(fig)


def test_race_marks_a_run_that_diverged():
    problems, runs = _runs()
    assert runs[0][1].diverged
    fig = dd.plot.race(problems, runs, t=300)
    markers = [line.get_marker() for line in fig.axes[0].get_lines()]
    assert "X" in markers
    plt.close(fig)


def test_race_bad_input():
    problems, runs = _runs()
    with pytest.raises(ValueError, match="one list of traces per problem"):
        dd.plot.race(problems, runs[:1], t=3)
    with pytest.raises(ValueError, match="same number of runs"):
        dd.plot.race(problems, [runs[0], runs[1][:1]], t=3)
    with pytest.raises(ValueError, match="t must be an integer ≥ 0"):
        dd.plot.race(problems, runs, t=-1)
    with pytest.raises(ValueError, match="one to six problems"):
        dd.plot.race([], [], t=0)
    plt.close("all")
