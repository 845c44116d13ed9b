"""Initialization scales, the variance law through depth, batch normalization and the deep MLP (chapter 10)."""

import numpy as np
import pytest

import descend as dd

SCHEMES = [("lecun", 1 / 300), ("glorot", 2 / (300 + 100)), ("he", 2 / 300), (0.05, 0.0025)]


@pytest.mark.parametrize("scheme, variance", SCHEMES)
def test_init_variance_by_scheme(scheme, variance):
    assert dd.nn.init_variance(300, 100, scheme) == pytest.approx(variance, rel=1e-14)


@pytest.mark.parametrize("scheme, variance", SCHEMES)
@pytest.mark.parametrize("seed", range(5))
def test_init_weights_draw_that_variance(scheme, variance, seed):
    W = dd.nn.init_weights(300, 100, scheme, seed=seed)
    assert W.shape == (100, 300)
    assert abs(W.mean()) < 4 * np.sqrt(variance / W.size)
    assert W.var() == pytest.approx(variance, rel=0.04)          # 30,000 draws: sd of the ratio 0.8 %


def test_init_weights_take_a_seed_or_a_generator():
    np.testing.assert_array_equal(dd.nn.init_weights(4, 3, seed=7), dd.nn.init_weights(4, 3, seed=7))
    rng = np.random.default_rng(7)
    np.testing.assert_array_equal(dd.nn.init_weights(4, 3, seed=rng), dd.nn.init_weights(4, 3, seed=7))
    assert not np.array_equal(dd.nn.init_weights(4, 3, seed=rng), dd.nn.init_weights(4, 3, seed=7))


@pytest.mark.parametrize("bad, error", [("xavier", ValueError), (-0.1, ValueError), (0.0, ValueError),
                                        (True, TypeError), (None, TypeError), ([0.1], TypeError)])
def test_bad_schemes_are_named(bad, error):
    with pytest.raises(error, match="scheme"):
        dd.nn.init_weights(3, 3, bad)


def test_bad_fans_are_named():
    with pytest.raises(ValueError, match="fan_in"):
        dd.nn.init_weights(0, 3)
    with pytest.raises(TypeError, match="fan_out"):
        dd.nn.init_weights(3, 2.5)


def layer_factor(v):
    """The geometric mean of Var(z_(l+1)) / Var(z_l) over the layers."""
    return float(np.exp(np.mean(np.diff(np.log(v)))))


# (scheme, activation, the factor n σ² (linear) or n σ²/2 (ReLU) that the lemma predicts for width 256)
LAWS = [("he", "relu", 1.0), ("glorot", "relu", 0.5), ("lecun", "linear", 1.0), ("glorot", "linear", 1.0),
        ("he", "linear", 2.0), (0.1, "relu", 256 * 0.01 / 2), (0.05, "linear", 256 * 0.0025)]


@pytest.mark.parametrize("scheme, activation, factor", LAWS)
@pytest.mark.parametrize("seed", range(4))
def test_each_layer_multiplies_the_variance_by_n_sigma_squared(scheme, activation, factor, seed):
    v = dd.nn.activation_variances(30, 256, scheme, activation, batch=64, seed=seed)
    sigma2 = dd.nn.init_variance(256, 256, scheme)
    assert v[0] == pytest.approx(256 * sigma2, rel=0.1)         # Var(z_1) = n σ² E[x²], E[x²] = 1
    assert layer_factor(v) == pytest.approx(factor, rel=0.06)


def test_the_first_layer_law_holds_on_average_over_seeds():
    first = [dd.nn.activation_variances(1, 64, "glorot", "linear", batch=32, seed=s)[0] for s in range(400)]
    assert np.mean(first) == pytest.approx(1.0, rel=0.02)


def test_right_scales_keep_the_variance_wrong_ones_lose_it():
    for seed in range(3):
        he = dd.nn.activation_variances(50, 256, "he", "relu", seed=seed)
        linear = dd.nn.activation_variances(50, 256, "glorot", "linear", seed=seed)
        assert 0.05 < he.min() / he[0] and he.max() / he[0] < 20
        assert 0.5 < linear.min() / linear[0] and linear.max() / linear[0] < 2
        assert dd.nn.activation_variances(50, 256, "glorot", "relu", seed=seed)[-1] < 1e-12
        assert dd.nn.activation_variances(50, 256, 0.1, "relu", seed=seed)[-1] > 1e4


def test_tanh_shrinks_the_variance_with_the_linear_scale():
    v = dd.nn.activation_variances(30, 256, "glorot", "tanh", seed=0)
    assert v.max() == v[0] and v[-1] < 0.1 * v[0]


def test_activation_variances_bad_input():
    with pytest.raises(ValueError, match="activation"):
        dd.nn.activation_variances(3, 4, "he", "sigmoid")
    with pytest.raises(ValueError, match="depth"):
        dd.nn.activation_variances(0, 4)
    with pytest.raises(ValueError, match="scheme"):
        dd.nn.activation_variances(3, 4, "kaiming")


# ----------------------------------------------------------------------------------------- batch norm

def bn_loss(x, gamma, beta, g, eps=1e-5):
    return np.sum(g * dd.nn.batch_norm(x, gamma, beta, eps)[0])


def test_batch_norm_forward_by_hand():
    x = np.array([[1.0, 2.0], [3.0, 2.0], [5.0, 8.0]])
    y, (x_hat, gamma, inv_std) = dd.nn.batch_norm(x, [2.0, 1.0], [0.5, -1.0], eps=1e-5)
    var = np.array([8 / 3, 8.0])                     # biased: divided by N = 3
    np.testing.assert_allclose(inv_std, 1 / np.sqrt(var + 1e-5), rtol=1e-14)
    np.testing.assert_allclose(x_hat, (x - [3.0, 4.0]) / np.sqrt(var + 1e-5), rtol=1e-14)
    np.testing.assert_allclose(y, [2.0, 1.0] * x_hat + [0.5, -1.0], rtol=1e-14)


@pytest.mark.parametrize("seed", range(4))
def test_batch_norm_output_has_mean_beta_and_standard_deviation_gamma(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(3.0, 5.0, size=(50, 7))
    gamma, beta = rng.normal(size=7), rng.normal(size=7)
    y, _ = dd.nn.batch_norm(x, gamma, beta, eps=1e-5)
    np.testing.assert_allclose(y.mean(axis=0), beta, atol=1e-12)
    np.testing.assert_allclose(y.std(axis=0), np.abs(gamma) * np.sqrt(x.var(0) / (x.var(0) + 1e-5)), rtol=1e-12)


@pytest.mark.parametrize("shape", [(3, 1), (5, 3), (32, 4), (3, 6)])
@pytest.mark.parametrize("seed", range(3))
def test_batch_norm_backward_against_finite_differences(shape, seed):
    rng = np.random.default_rng(seed)
    x, g = rng.normal(size=shape) * rng.uniform(0.5, 3, shape[1]), rng.normal(size=shape)
    gamma, beta = rng.normal(size=shape[1]), rng.normal(size=shape[1])
    _, cache = dd.nn.batch_norm(x, gamma, beta)
    gx, ggamma, gbeta = dd.nn.batch_norm_backward(g, cache)
    n, d = shape
    errors = [dd.check_grad(lambda v: bn_loss(v.reshape(shape), gamma, beta, g), lambda v: gx.ravel(), x.ravel()),
              dd.check_grad(lambda v: bn_loss(x, v, beta, g), lambda v: ggamma, gamma),
              dd.check_grad(lambda v: bn_loss(x, gamma, v, g), lambda v: gbeta, beta)]
    assert max(errors) < 1e-6
    np.testing.assert_allclose(gx.sum(axis=0), 0, atol=1e-10)                     # the mean does not move
    # along x̂ only what ε leaves: Σ_n x̂_n ∂L/∂x_n = γ (Σ g x̂) ε/(v + ε) / √(v + ε), zero for ε = 0
    x_hat, _, inv_std = cache
    np.testing.assert_allclose((gx * x_hat).sum(axis=0),
                               gamma * inv_std * ggamma * 1e-5 * inv_std**2, rtol=1e-6, atol=1e-13)


def test_batch_norm_backward_of_two_rows():
    # two rows normalize to ±√(v/(v + ε)) whatever they are: a gradient of the size of ε, compared absolutely
    rng = np.random.default_rng(1)
    x, g, gamma = rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), rng.normal(size=3)
    _, cache = dd.nn.batch_norm(x, gamma, np.zeros(3))
    gx, _, _ = dd.nn.batch_norm_backward(g, cache)
    numeric = dd.calculus.numerical_grad(lambda v: bn_loss(v.reshape(2, 3), gamma, np.zeros(3), g), x.ravel())
    np.testing.assert_allclose(gx.ravel(), numeric, atol=1e-8)


def test_batch_norm_backward_of_one_row_is_zero():
    _, cache = dd.nn.batch_norm([[3.0, -1.0]], [2.0, 2.0], [0.0, 0.0])
    gx, _, gbeta = dd.nn.batch_norm_backward([[1.0, 5.0]], cache)
    np.testing.assert_array_equal(gx, 0)
    np.testing.assert_array_equal(gbeta, [1.0, 5.0])


def test_batch_norm_bad_input():
    x = np.ones((4, 3))
    with pytest.raises(ValueError, match="gamma"):
        dd.nn.batch_norm(x, np.ones(2), np.zeros(3))
    with pytest.raises(ValueError, match="eps"):
        dd.nn.batch_norm(x, np.ones(3), np.zeros(3), eps=0.0)
    with pytest.raises(ValueError, match="x"):
        dd.nn.batch_norm(np.ones(3), np.ones(3), np.zeros(3))
    _, cache = dd.nn.batch_norm(x, np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match="grad_out"):
        dd.nn.batch_norm_backward(np.ones((3, 3)), cache)
    with pytest.raises(TypeError, match="cache"):
        dd.nn.batch_norm_backward(x, None)


# ----------------------------------------------------------------------------------------- the deep MLP

TRAIN = dd.data.digits().train
X, Y = TRAIN.images.reshape(-1, 64), TRAIN.labels


@pytest.mark.parametrize("batch_norm", [False, True])
@pytest.mark.parametrize("seed", range(3))
def test_deep_mlp_gradient_against_finite_differences(batch_norm, seed):
    widths = (64, 12, 9, 10)
    theta = dd.nn.deep_mlp_init(widths, batch_norm=batch_norm, seed=seed)
    theta += np.random.default_rng(seed).normal(0, 0.1, theta.size)   # γ ≠ 1, β ≠ 0, biases ≠ 0
    Xs, ys = X[:40], Y[:40]
    err = dd.check_grad(lambda t: dd.nn.deep_mlp_loss(t, Xs, ys, widths=widths, batch_norm=batch_norm),
                        lambda t: dd.nn.deep_mlp_grad(t, Xs, ys, widths=widths, batch_norm=batch_norm), theta)
    assert err < 1e-6


@pytest.mark.parametrize("batch_norm", [False, True])
def test_deep_mlp_problem_and_minibatches(batch_norm):
    widths = (64, 16, 16, 10)
    problem = dd.nn.deep_mlp_classifier(X, Y, widths=widths, batch_norm=batch_norm)
    t1 = dd.nn.deep_mlp_init(widths, batch_norm=batch_norm, seed=1)
    t2 = dd.nn.deep_mlp_init(widths, batch_norm=batch_norm, seed=2)
    assert problem.f(t1) == pytest.approx(dd.nn.deep_mlp_loss(t1, X, Y, widths=widths, batch_norm=batch_norm))
    np.testing.assert_allclose(problem.grad(t2), dd.nn.deep_mlp_grad(t2, X, Y, widths=widths, batch_norm=batch_norm))
    idx = np.array([4, 8, 15, 16, 23, 42])
    np.testing.assert_allclose(problem.batch_grad(t1, idx),
                               dd.nn.deep_mlp_grad(t1, X[idx], Y[idx], widths=widths, batch_norm=batch_norm))


def test_batch_norm_makes_a_hidden_layer_blind_to_the_scale_of_its_weights():
    widths = (64, 16, 16, 10)
    theta = dd.nn.deep_mlp_init(widths, batch_norm=True, seed=0)
    scaled = theta.copy()
    scaled[:64 * 16] *= 7.0                                  # W_1 only
    f = lambda t: dd.nn.deep_mlp_loss(t, X, Y, widths=widths, batch_norm=True)   # noqa: E731
    assert f(scaled) == pytest.approx(f(theta), rel=1e-6)      # equal up to ε
    plain = dd.nn.deep_mlp_init(widths, seed=0)
    scaled = plain.copy()
    scaled[:64 * 16] *= 7.0
    g = lambda t: dd.nn.deep_mlp_loss(t, X, Y, widths=widths)   # noqa: E731
    assert abs(g(scaled) - g(plain)) > 0.01


def test_deep_mlp_init_sizes_and_scales():
    widths = (64, 500, 10)
    theta = dd.nn.deep_mlp_init(widths, scheme="he", batch_norm=True, seed=0)
    assert theta.size == 64 * 500 + 2 * 500 + 500 * 10 + 10
    assert theta[:64 * 500].var() == pytest.approx(2 / 64, rel=0.03)
    np.testing.assert_array_equal(theta[64 * 500:64 * 500 + 500], 1.0)          # γ
    assert theta[64 * 500 + 1000:-10].var() == pytest.approx(1 / 500, rel=0.05)  # the head: LeCun


def test_a_diverging_mlp_run_is_reported():
    widths = (64, 16, 10)
    problem = dd.nn.deep_mlp_classifier(X, Y, widths=widths)
    trace = dd.run(dd.gd(eta=1e300), problem, dd.nn.deep_mlp_init(widths), 5, batch_size=50)
    assert trace.diverged


def test_deep_mlp_bad_input():
    with pytest.raises(ValueError, match="widths"):
        dd.nn.deep_mlp_init((64,))
    with pytest.raises(ValueError, match="widths"):
        dd.nn.deep_mlp_init((64, 8, 1))
    with pytest.raises(ValueError, match="params"):
        dd.nn.deep_mlp_loss(np.zeros(5), X, Y, widths=(64, 10))
    with pytest.raises(ValueError, match="X"):
        dd.nn.deep_mlp_loss(dd.nn.deep_mlp_init((63, 10)), X, Y, widths=(63, 10))
    with pytest.raises(ValueError, match="labels"):
        dd.nn.deep_mlp_loss(dd.nn.deep_mlp_init((64, 10)), X, Y + 1, widths=(64, 10))
