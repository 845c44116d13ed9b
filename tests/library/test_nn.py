"""Convolution and the tiny CNN of chapter 10: loops, finite differences, shapes, bad input."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import descend as dd  # noqa: E402

rng = np.random.default_rng(10)


def conv_loop(x, K):
    """The definition, one output pixel at a time."""
    kh, kw = K.shape
    out = np.zeros((x.shape[0] - kh + 1, x.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            for a in range(kh):
                for b in range(kw):
                    out[i, j] += K[a, b] * x[i + a, j + b]
    return out


@pytest.mark.parametrize("image, kernel", [((5, 5), (3, 3)), ((6, 9), (2, 4)), ((4, 4), (4, 4)), ((7, 3), (1, 1))])
def test_conv2d_matches_the_loop(image, kernel):
    x, K = rng.normal(size=image), rng.normal(size=kernel)
    assert np.allclose(dd.conv2d(x, K), conv_loop(x, K), rtol=1e-12, atol=1e-12)


def test_conv2d_stacks_of_images_and_kernels():
    x, K = rng.normal(size=(3, 7, 6)), rng.normal(size=(4, 3, 2))
    out = dd.conv2d(x, K)
    assert out.shape == (3, 4, 5, 5)
    for n in range(3):
        for c in range(4):
            assert np.allclose(out[n, c], conv_loop(x[n], K[c]))


def test_flipped_kernel_gives_the_convolution_of_signal_processing():
    x, k = rng.normal(size=12), rng.normal(size=4)
    assert np.allclose(dd.conv2d(x[None], k[None, ::-1])[0], np.convolve(x, k, mode="valid"))


def test_conv2d_is_translation_equivariant():
    x = np.zeros((12, 12))
    x[2:6, 3:8] = rng.normal(size=(4, 5))
    K = rng.normal(size=(3, 3))
    shifted = np.roll(x, (3, 2), axis=(0, 1))          # nothing wraps around: the border is zero
    assert np.allclose(dd.conv2d(shifted, K)[3:, 2:], dd.conv2d(x, K)[:-3, :-2])


@pytest.mark.parametrize("batch", [(), (3,)])
def test_conv2d_backward_by_finite_differences(batch):
    x, K = rng.normal(size=batch + (6, 5)), rng.normal(size=(3, 2))
    G = rng.normal(size=batch + (4, 4))
    gx, gK = dd.conv2d_backward(x, K, G)
    assert gx.shape == x.shape and gK.shape == K.shape
    wrt_kernel = lambda k: np.sum(G * dd.conv2d(x, k.reshape(K.shape)))  # noqa: E731
    wrt_image = lambda v: np.sum(G * dd.conv2d(v.reshape(x.shape), K))  # noqa: E731
    assert dd.check_grad(wrt_kernel, lambda k: gK.ravel(), K.ravel()) < 1e-8
    assert dd.check_grad(wrt_image, lambda v: gx.ravel(), x.ravel()) < 1e-8


def test_gradient_of_convolution_is_a_convolution():
    x, K, G = rng.normal(size=(6, 6)), rng.normal(size=(3, 3)), rng.normal(size=(4, 4))
    gx, gK = dd.conv2d_backward(x, K, G)
    assert np.allclose(gK, dd.conv2d(x, G))
    assert np.allclose(gx, dd.conv2d(np.pad(G, 2), K[::-1, ::-1]))


@pytest.mark.parametrize("n, k, p, s", [(28, 5, 0, 1), (28, 5, 2, 1), (28, 2, 0, 2), (7, 3, 1, 2), (10, 3, 0, 3), (5, 5, 0, 1)])
def test_conv_output_size_matches_a_strided_padded_convolution(n, k, p, s):
    out = dd.conv2d(np.pad(np.ones((n, n)), p), np.ones((k, k)))[::s, ::s]
    assert out.shape == (dd.conv_output_size(n, k, padding=p, stride=s),) * 2


IMAGES, LABELS = dd.data.bars(n=30, size=8, seed=3)


@pytest.mark.parametrize("filters, size, seed", [(6, 3, 0), (2, 5, 1), (3, 8, 2), (1, 1, 3)])
def test_cnn_gradient_by_finite_differences(filters, size, seed):
    theta = dd.cnn_init(filters, size, classes=4, seed=seed)
    theta[filters * size * size: filters * (size * size + 1)] = 0.1   # biases off zero, too
    loss = lambda t: dd.cnn_loss(t, IMAGES, LABELS, filters=filters, size=size)  # noqa: E731
    grad = lambda t: dd.cnn_grad(t, IMAGES, LABELS, filters=filters, size=size)  # noqa: E731
    assert dd.check_grad(loss, grad, theta) < 1e-6


def test_cnn_features_are_the_convolutions():
    """The network's feature maps are dd.conv2d of the images: check through a one-hot head."""
    theta = dd.cnn_init(filters=2, size=3, classes=2, seed=5)
    K, c = theta[:18].reshape(2, 3, 3), theta[18:20]
    theta[20:24] = [1.0, 0.0, 0.0, 1.0]     # W = I: the scores are the pooled features
    theta[24:] = 0.0
    maps = np.maximum(dd.conv2d(IMAGES, K) + c[:, None, None], 0).mean(axis=(2, 3))
    assert np.array_equal(dd.cnn_predict(theta, IMAGES, filters=2, size=3), maps.argmax(axis=1))


def test_cnn_classifier_matches_the_functions_and_batches():
    problem = dd.cnn_classifier(IMAGES, LABELS)
    theta = dd.cnn_init(seed=4)
    assert problem.dim == theta.size == 88 and problem.n_examples == 30
    assert problem.f(theta) == pytest.approx(dd.cnn_loss(theta, IMAGES, LABELS), rel=1e-12)
    assert np.allclose(problem.grad(theta), dd.cnn_grad(theta, IMAGES, LABELS))
    assert np.allclose(problem.batch_grad(theta, np.arange(30)), problem.grad(theta))
    halves = [problem.batch_grad(theta, idx) for idx in (np.arange(15), np.arange(15, 30))]
    assert np.allclose(np.mean(halves, axis=0), problem.grad(theta))   # an average of per-image gradients


def test_cnn_loss_at_zero_is_log_of_the_number_of_classes():
    assert dd.cnn_loss(np.zeros(88), IMAGES, LABELS) == pytest.approx(np.log(4))


def test_global_average_pooling_makes_the_scores_shift_invariant():
    theta = dd.cnn_init(seed=6)
    image = np.zeros((1, 12, 12))
    image[0, 4, 3:8] = 1.0
    shifted = np.roll(image, (2, 2), axis=(1, 2))   # still 2 pixels from the border
    from descend.nn import _cnn, _patches
    scores = [_cnn(theta, _patches(x, 3), None, 6, 3, grad=False) for x in (image, shifted)]
    assert np.allclose(scores[0], scores[1])


def test_a_short_training_run_learns():
    images, labels = dd.data.bars(n=300, seed=1)
    problem = dd.cnn_classifier(images, labels)
    trace = dd.run(dd.momentum(eta=0.3, beta=0.9), problem, dd.cnn_init(), steps=120, batch_size=30)
    accuracy = np.mean(dd.cnn_predict(trace.x, images) == labels)
    assert trace.f < 0.5 * trace.fs[0] and accuracy > 0.8


def test_bars_reproducible_and_well_formed():
    a, la = dd.data.bars(n=200, size=10, noise=0.0, seed=7)
    b, lb = dd.data.bars(n=200, size=10, noise=0.0, seed=7)
    assert np.array_equal(a, b) and np.array_equal(la, lb)
    assert set(np.unique(la)) == {0, 1, 2, 3}
    pixels = a.sum(axis=(1, 2))
    assert np.all(pixels[la == 3] == 4 * (10 // 4) + 1)                   # a cross
    bars_ = pixels[la != 3]
    assert bars_.min() >= 5 and bars_.max() <= 7                          # ⌈10/2⌉ … ⌊30/4⌋
    horizontal, vertical = a[la == 0], a[la == 1]
    assert np.all((horizontal.sum(axis=2) > 0).sum(axis=1) == 1)          # one row
    assert np.all((vertical.sum(axis=1) > 0).sum(axis=1) == 1)            # one column
    noisy, _ = dd.data.bars(n=200, size=10, noise=0.25, seed=7)
    assert np.std(noisy - a) == pytest.approx(0.25, rel=0.05)


def test_feature_map_figure():
    fig = dd.plot.feature_map(np.eye(6), np.eye(3), at=(2, 2))
    assert len(fig.axes) == 3 and fig.axes[2].get_title() == "feature map, Y[2, 2] = 3"
    plt.close(fig)


BAD_CALLS = [
    (lambda: dd.conv2d(np.ones((3, 3)), np.ones((4, 4))), ValueError, r"kernel must fit inside the image"),
    (lambda: dd.conv2d(np.ones(5), np.ones((1, 1))), ValueError, r"x must have at least 2 axes"),
    (lambda: dd.conv2d(np.ones((5, 5)), np.ones((1, 1, 2, 2))), ValueError, r"kernel must have shape"),
    (lambda: dd.conv2d("image", np.ones((1, 1))), TypeError, r"x must be an array of real numbers"),
    (lambda: dd.conv2d(np.full((3, 3), np.nan), np.ones((1, 1))), ValueError, r"x must be finite"),
    (lambda: dd.conv2d_backward(np.ones((5, 5)), np.ones((2, 2)), np.ones((5, 5))), ValueError,
     r"grad_out must have the shape of conv2d\(x, kernel\), \(4, 4\)"),
    (lambda: dd.conv2d_backward(np.ones((5, 5)), np.ones((2, 2, 2)), np.ones((4, 4))), ValueError,
     r"kernel must have shape \(kh, kw\)"),
    (lambda: dd.conv_output_size(4, 7), ValueError, r"size must be at most n \+ 2·padding = 4"),
    (lambda: dd.conv_output_size(8, 3, stride=0), ValueError, r"stride must be an integer ≥ 1"),
    (lambda: dd.conv_output_size(8, 3, padding=-1), ValueError, r"padding must be an integer ≥ 0"),
    (lambda: dd.cnn_loss(np.zeros(87), IMAGES, LABELS), ValueError, r"params must have filters·\(size² \+ 1\)"),
    (lambda: dd.cnn_loss(np.zeros(88), IMAGES, LABELS + 4), ValueError, r"labels must be 30 integers in 0 … 3"),
    (lambda: dd.cnn_loss(np.zeros(88), IMAGES[0], LABELS), ValueError, r"images must have at least 3 axes"),
    (lambda: dd.cnn_loss(np.zeros(88), IMAGES, LABELS, size=9), ValueError, r"size must be at most"),
    (lambda: dd.cnn_classifier(IMAGES, LABELS * 1.0), ValueError, r"labels must be a 1-D array of integer classes"),
    (lambda: dd.cnn_classifier(IMAGES, LABELS[:5]), ValueError, r"labels must be 30 integers"),
    (lambda: dd.cnn_init(filters=0), ValueError, r"filters must be an integer ≥ 1"),
    (lambda: dd.cnn_init(classes=1), ValueError, r"classes must be an integer ≥ 2"),
    (lambda: dd.data.bars(size=5), ValueError, r"size must be an integer ≥ 6"),
    (lambda: dd.data.bars(noise=-0.1), ValueError, r"noise must lie in \[0, inf\)"),
    (lambda: dd.plot.feature_map(np.ones((4, 4)), np.ones((2, 2)), at=(3, 0)), ValueError,
     r"at must be a window position inside the map"),
]


@pytest.mark.parametrize("call, error, message", BAD_CALLS, ids=[m for _, _, m in BAD_CALLS])
def test_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()
    plt.close("all")
