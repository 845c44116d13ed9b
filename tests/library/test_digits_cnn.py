"""Chapter 10's convolutional network on the real digits: the fast path, the layers, finite differences, training."""

import numpy as np
import pytest

import descend as dd
from descend import nn

DIGITS = dd.data.digits()
TRAIN, VAL, TEST = DIGITS


def with_biases(theta, channels=8, c_in=1, seed=0):
    """θ with nonzero convolution biases: at zero biases a blank window sits on the ReLU's kink."""
    theta = theta.copy()
    start = channels * c_in * 9
    theta[start:start + channels] = np.random.default_rng(seed).normal(0.0, 0.1, channels)
    return theta


# (images, labels, channels, seed): the digits; several input channels and odd sides (a row and a column
# that pooling drops); constant images, where every pooling window is a tie
def cases():
    rng = np.random.default_rng(3)
    yield TRAIN.images[:40], TRAIN.labels[:40], 8, 1
    yield rng.normal(size=(6, 3, 7, 9)), np.arange(6) % 4, 5, 2
    yield np.ones((3, 2, 4, 6)), np.array([0, 1, 1]), 2, 3
    yield rng.uniform(size=(4, 1, 2, 2)), np.array([0, 1, 2, 0]), 3, 4


@pytest.mark.parametrize("case", list(cases()), ids=["digits", "3 channels, 7 × 9", "ties", "2 × 2"])
def test_fast_path_equals_the_library_layers(case):
    images, labels, channels, seed = case
    x = images if images.ndim == 4 else images[:, None]
    theta = with_biases(dd.nn.convnet_init(channels, int(labels.max()) + 1, shape=x.shape[2:],
                                           in_channels=x.shape[1], seed=seed), channels, x.shape[1], seed)
    loss, grad = nn._convnet_layers(theta, images, labels, channels=channels)
    assert dd.nn.convnet_loss(theta, images, labels, channels=channels) == pytest.approx(loss, rel=1e-13)
    np.testing.assert_allclose(dd.nn.convnet_grad(theta, images, labels, channels=channels), grad,
                               rtol=1e-11, atol=1e-14)


def test_the_gradient_goes_to_the_first_positive_maximum_of_each_window():
    """Where the pooling's route matters: integer images under a kernel that keeps only the
    centre pixel, so tied pixels of a window have different 3 × 3 patches and sending the gradient
    to another of them changes dK; and the digits at zero biases, whose blank windows have the
    maximum 0 exactly, at the ReLU's kink, where no gradient passes."""
    rng = np.random.default_rng(5)
    images, labels = rng.integers(0, 3, size=(6, 1, 6, 6)).astype(float), np.arange(6) % 3
    centre = dd.nn.convnet_init(2, 3, shape=(6, 6), seed=5)
    kernel = np.zeros((2, 1, 3, 3))
    kernel[:, 0, 1, 1] = (1.0, 2.0)
    centre[:18], centre[18:20] = kernel.ravel(), (0.0, -1.0)   # channel 2 is 2·pixel − 1
    for images, labels, channels, theta in [(images, labels, 2, centre),
                                            (TRAIN.images[:40], TRAIN.labels[:40], 8, dd.nn.convnet_init(seed=1))]:
        loss, grad = nn._convnet_layers(theta, images, labels, channels=channels)
        assert dd.nn.convnet_loss(theta, images, labels, channels=channels) == pytest.approx(loss, rel=1e-13)
        np.testing.assert_allclose(dd.nn.convnet_grad(theta, images, labels, channels=channels), grad,
                                   rtol=1e-11, atol=1e-14)


@pytest.mark.parametrize("case", list(cases())[:2], ids=["digits", "3 channels, 7 × 9"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradient_against_finite_differences(case, seed):
    images, labels, channels, _ = case
    x = images if images.ndim == 4 else images[:, None]
    theta = with_biases(dd.nn.convnet_init(channels, int(labels.max()) + 1, shape=x.shape[2:],
                                           in_channels=x.shape[1], seed=seed), channels, x.shape[1], seed)
    err = dd.check_grad(lambda t: dd.nn.convnet_loss(t, images, labels, channels=channels),
                        lambda t: dd.nn.convnet_grad(t, images, labels, channels=channels), theta)
    assert err < 1e-7


def test_the_problem_gives_the_functions_values_and_minibatch_gradients():
    problem = dd.nn.convnet_classifier(*TRAIN)
    t1, t2 = with_biases(dd.nn.convnet_init(seed=1)), with_biases(dd.nn.convnet_init(seed=2), seed=2)
    assert problem.dim == 8 * 10 + 10 * 129 == t1.size
    assert problem.f(t1) == pytest.approx(dd.nn.convnet_loss(t1, *TRAIN), rel=1e-14)
    # the cache of the forward pass must not hand θ1's pass to θ2
    np.testing.assert_allclose(problem.grad(t2), dd.nn.convnet_grad(t2, *TRAIN), rtol=1e-12, atol=1e-15)
    assert problem.f(t2) == pytest.approx(dd.nn.convnet_loss(t2, *TRAIN), rel=1e-14)
    idx = np.array([5, 900, 17, 3])
    np.testing.assert_allclose(problem.batch_grad(t1, idx),
                               dd.nn.convnet_grad(t1, TRAIN.images[idx], TRAIN.labels[idx]), rtol=1e-12, atol=1e-15)


def test_zero_parameters_give_a_uniform_guess():
    theta = np.zeros(dd.nn.convnet_init().size)
    assert dd.nn.convnet_loss(theta, *VAL) == pytest.approx(np.log(10), rel=1e-14)


def test_predict_is_the_argmax_and_accuracy_counts_it():
    theta = dd.nn.convnet_init(seed=4)
    scores = nn._convnet(theta, nn._convnet_patches(TEST.images[:, None]), (len(TEST.labels), 1, 8, 8),
                         None, 8, grad=False)
    predicted = dd.nn.convnet_predict(theta, TEST.images)
    np.testing.assert_array_equal(predicted, scores.argmax(axis=1))
    assert dd.nn.convnet_accuracy(theta, *TEST) == pytest.approx(np.mean(predicted == TEST.labels))


def test_init_follows_he_for_the_kernels_and_lecun_for_the_head():
    channels, c_in = 400, 2
    theta = dd.nn.convnet_init(channels, 3, shape=(4, 4), in_channels=c_in, seed=0)
    K, c, W, b = nn._convnet_parts(theta, (1, c_in, 4, 4), channels)
    assert K.var() == pytest.approx(2 / (9 * c_in), rel=0.03)     # 7,200 draws
    assert W.var() == pytest.approx(1 / (channels * 4), rel=0.05)   # 4,800 draws
    assert not c.any() and not b.any()
    np.testing.assert_array_equal(dd.nn.convnet_init(seed=5), dd.nn.convnet_init(seed=5))
    assert not np.array_equal(dd.nn.convnet_init(seed=5), dd.nn.convnet_init(seed=6))


def test_training_learns_the_digits():
    problem = dd.nn.convnet_classifier(*TRAIN)
    per_epoch = -(-len(TRAIN.labels) // 64)      # 16 batches of 64 and one of 54
    trace = dd.run(dd.adam(eta=0.03), problem, dd.nn.convnet_init(), 3 * per_epoch, batch_size=64, seed=0)
    curves = dd.nn.convnet_curves(trace, TRAIN, VAL, every=per_epoch)
    assert trace.fs[-1] < 0.5 * trace.fs[0]
    assert curves["val_acc"][-1] > 0.8 and curves["val_acc"][0] < 0.4
    assert curves["epoch"].tolist() == pytest.approx([0, 1, 2, 3], abs=0.02)
    assert curves["val_loss"][-1] == pytest.approx(dd.nn.convnet_loss(trace.xs[::per_epoch][-1], *VAL))


def test_a_diverging_run_is_reported_as_diverged():
    problem = dd.nn.convnet_classifier(*TRAIN)
    theta = dd.nn.convnet_init() * 1e3
    assert problem.f(theta * 1e300) == np.inf
    trace = dd.run(dd.gd(eta=1e305), problem, theta, 5, batch_size=64)
    assert trace.diverged


def test_bad_input_is_named():
    theta = dd.nn.convnet_init()
    with pytest.raises(ValueError, match="params must have"):
        dd.nn.convnet_loss(theta[:-1], *VAL)
    with pytest.raises(ValueError, match="labels"):
        dd.nn.convnet_loss(theta, VAL.images, VAL.labels + 10)
    with pytest.raises(ValueError, match="images"):
        dd.nn.convnet_loss(theta, VAL.images[0, 0], VAL.labels[:1])
    with pytest.raises(ValueError, match="images"):
        dd.nn.convnet_loss(theta, np.ones((2, 1, 1, 5)), [0, 1])
    with pytest.raises(ValueError, match="channels"):
        dd.nn.convnet_loss(theta, *VAL, channels=0)
    with pytest.raises(ValueError, match="shape"):
        dd.nn.convnet_init(shape=(8,))
    with pytest.raises(ValueError, match="labels"):
        dd.nn.convnet_accuracy(theta, VAL.images, VAL.labels[:-1])
    with pytest.raises(ValueError, match="labels"):
        dd.nn.convnet_classifier(VAL.images, VAL.labels.astype(float))
    with pytest.raises(ValueError, match="params"):
        dd.nn.convnet_classifier(*VAL).f(theta[:10])
