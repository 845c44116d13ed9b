"""Multi-channel convolution and pooling (chapter 10): loops, the single-channel conv2d, finite differences."""

import numpy as np
import pytest

import descend as dd

rng = np.random.default_rng(10)

# (N, C_in, C_out, H, W, kh, kw, stride, padding): strides that leave border rows unread, strides larger than
# the kernel, rectangular kernels and images, a kernel as large as the padded image, chapter 10's digits layer
CONV_CASES = [
    (1, 1, 1, 5, 5, 3, 3, 1, 0),
    (2, 3, 4, 6, 5, 3, 2, 1, 1),
    (3, 2, 3, 7, 7, 3, 3, 2, 0),      # (7 − 3)/2 exact
    (2, 2, 2, 8, 6, 3, 3, 2, 1),      # (8 + 2 − 3) = 7 is odd: the last padded row lies in no window
    (1, 3, 2, 7, 8, 2, 2, 3, 0),      # stride 3 > kernel 2: gaps between windows
    (2, 1, 3, 4, 4, 6, 6, 1, 1),      # the kernel is the whole padded image: a 1 × 1 output
    (3, 1, 8, 8, 8, 3, 3, 1, 1),      # chapter 10: 8 × 8 digits, 8 filters 3 × 3, "same" padding
    (1, 2, 1, 5, 9, 1, 4, 2, 2),
]


def conv_loop(x, K, b, stride, padding):
    """Y[n, o, i, j] = b[o] + Σ_c Σ_a Σ_b K[o, c, a, b] · X̃[n, c, s i + a, s j + b], one entry at a time."""
    N, C_in, H, W = x.shape
    C_out, _, kh, kw = K.shape
    xp = np.zeros((N, C_in, H + 2 * padding, W + 2 * padding))
    xp[:, :, padding:padding + H, padding:padding + W] = x
    Ho, Wo = (H + 2 * padding - kh) // stride + 1, (W + 2 * padding - kw) // stride + 1
    Y = np.zeros((N, C_out, Ho, Wo))
    for n in range(N):
        for o in range(C_out):
            for i in range(Ho):
                for j in range(Wo):
                    total = b[o]
                    for c in range(C_in):
                        for a in range(kh):
                            for bb in range(kw):
                                total += K[o, c, a, bb] * xp[n, c, stride * i + a, stride * j + bb]
                    Y[n, o, i, j] = total
    return Y


def pool_windows_loop(x, size, stride):
    """Every window as (n, c, i, j, top, left, block), one at a time."""
    N, C, H, W = x.shape
    for n in range(N):
        for c in range(C):
            for i in range((H - size) // stride + 1):
                for j in range((W - size) // stride + 1):
                    top, left = stride * i, stride * j
                    yield n, c, i, j, top, left, x[n, c, top:top + size, left:left + size]


def max_pool_loop(x, G, size, stride):
    """Max pooling and its gradient by loops; the gradient goes to the first maximum met, row by row."""
    N, C, H, W = x.shape
    Y, gx = np.zeros(G.shape), np.zeros(x.shape)
    for n, c, i, j, top, left, block in pool_windows_loop(x, size, stride):
        best = (0, 0)
        for a in range(size):
            for b in range(size):
                if block[a, b] > block[best]:
                    best = (a, b)
        Y[n, c, i, j] = block[best]
        gx[n, c, top + best[0], left + best[1]] += G[n, c, i, j]
    return Y, gx


def avg_pool_loop(x, G, size, stride):
    Y, gx = np.zeros(G.shape), np.zeros(x.shape)
    for n, c, i, j, top, left, block in pool_windows_loop(x, size, stride):
        Y[n, c, i, j] = block.sum() / size**2
        gx[n, c, top:top + size, left:left + size] += G[n, c, i, j] / size**2
    return Y, gx


def conv_setup(N, C_in, C_out, H, W, kh, kw, stride, padding):
    x, K, b = rng.normal(size=(N, C_in, H, W)), rng.normal(size=(C_out, C_in, kh, kw)), rng.normal(size=C_out)
    Ho, Wo = (H + 2 * padding - kh) // stride + 1, (W + 2 * padding - kw) // stride + 1
    return x, K, b, rng.normal(size=(N, C_out, Ho, Wo))


# --------------------------------------------------------------------------- conv2d_multi, forward


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_multi_matches_the_loop(case):
    *_, stride, padding = case
    x, K, b, _ = conv_setup(*case)
    Y = dd.nn.conv2d_multi(x, K, b, stride=stride, padding=padding)
    expected = conv_loop(x, K, b, stride, padding)
    assert Y.shape == expected.shape
    assert np.allclose(Y, expected, rtol=1e-12, atol=1e-12)
    assert np.allclose(dd.nn.conv2d_multi(x, K, stride=stride, padding=padding),
                       conv_loop(x, K, np.zeros_like(b), stride, padding), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_multi_output_size_is_conv_output_size(case):
    N, C_in, C_out, H, W, kh, kw, stride, padding = case
    x, K, _, _ = conv_setup(*case)
    assert dd.nn.conv2d_multi(x, K, stride=stride, padding=padding).shape == (
        N, C_out, dd.conv_output_size(H, kh, padding=padding, stride=stride),
        dd.conv_output_size(W, kw, padding=padding, stride=stride))


def test_one_image_one_channel_is_conv2d():
    # dd.conv2d is the cross-correlation without padding and with stride 1
    x, K = rng.normal(size=(6, 7)), rng.normal(size=(3, 2))
    Y = dd.nn.conv2d_multi(x[None, None], K[None, None])
    assert Y.shape == (1, 1, 4, 6)
    assert np.allclose(Y[0, 0], dd.conv2d(x, K), rtol=1e-13, atol=1e-13)


def test_one_input_channel_is_conv2d_with_a_stack_of_kernels():
    x, K = rng.normal(size=(4, 1, 6, 6)), rng.normal(size=(5, 1, 3, 3))
    assert np.allclose(dd.nn.conv2d_multi(x, K), dd.conv2d(x[:, 0], K[:, 0]), rtol=1e-13, atol=1e-13)


def test_input_channels_add_up():
    x, K, b = rng.normal(size=(2, 3, 6, 5)), rng.normal(size=(4, 3, 2, 3)), rng.normal(size=4)
    per_channel = sum(dd.conv2d(x[:, c], K[:, c]) for c in range(3))         # (N, C_out, H', W')
    assert np.allclose(dd.nn.conv2d_multi(x, K, b), per_channel + b[:, None, None], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("stride, padding", [(1, 2), (2, 1), (3, 0), (2, 3)])
def test_stride_and_padding_are_conv2d_of_the_padded_image_subsampled(stride, padding):
    x, K = rng.normal(size=(7, 8)), rng.normal(size=(3, 3))
    full = dd.conv2d(np.pad(x, padding), K)[::stride, ::stride]
    assert np.allclose(dd.nn.conv2d_multi(x[None, None], K[None, None], stride=stride, padding=padding)[0, 0],
                       full, rtol=1e-13, atol=1e-13)


def test_conv2d_multi_by_hand():
    # one 3 × 3 image, padding 1: the kernel with a single 1 in its centre copies the image,
    # the one with a 1 in its top-left corner moves it down and right by one pixel
    x = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    K = np.zeros((2, 1, 3, 3))
    K[0, 0, 1, 1] = K[1, 0, 0, 0] = 1.0
    Y = dd.nn.conv2d_multi(x, K, [0.5, 0.0], padding=1)
    assert np.array_equal(Y[0, 0], x[0, 0] + 0.5)
    assert np.array_equal(Y[0, 1], [[0, 0, 0], [0, 1, 2], [0, 4, 5]])


def test_conv2d_multi_does_not_change_its_arguments():
    x, K, b, G = conv_setup(2, 2, 3, 5, 5, 3, 3, 2, 1)
    copies = [a.copy() for a in (x, K, b, G)]
    dd.nn.conv2d_multi(x, K, b, stride=2, padding=1)
    dd.nn.conv2d_multi_backward(x, K, G, stride=2, padding=1)
    assert all(np.array_equal(a, c) for a, c in zip((x, K, b, G), copies))


# --------------------------------------------------------------------------- conv2d_multi, backward


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_multi_backward_by_finite_differences(case):
    *_, stride, padding = case
    x, K, b, G = conv_setup(*case)
    gx, gK, gb = dd.nn.conv2d_multi_backward(x, K, G, stride=stride, padding=padding)
    assert gx.shape == x.shape and gK.shape == K.shape and gb.shape == b.shape

    def loss(x, K, b):                                       # L = Σ G ⊙ Y
        return np.sum(G * dd.nn.conv2d_multi(x, K, b, stride=stride, padding=padding))

    assert dd.check_grad(lambda v: loss(v.reshape(x.shape), K, b), lambda v: gx.ravel(), x.ravel()) < 1e-6
    assert dd.check_grad(lambda v: loss(x, v.reshape(K.shape), b), lambda v: gK.ravel(), K.ravel()) < 1e-6
    assert dd.check_grad(lambda v: loss(x, K, v), lambda v: gb, b) < 1e-6


def test_conv2d_multi_backward_matches_conv2d_backward_for_one_channel():
    x, K, G = rng.normal(size=(3, 6, 7)), rng.normal(size=(2, 3)), rng.normal(size=(3, 5, 5))
    gx, gK = dd.conv2d_backward(x, K, G)
    mx, mK, mb = dd.nn.conv2d_multi_backward(x[:, None], K[None, None], G[:, None])
    assert np.allclose(mx[:, 0], gx, rtol=1e-12, atol=1e-12)
    assert np.allclose(mK[0, 0], gK, rtol=1e-12, atol=1e-12)
    assert mb == pytest.approx([G.sum()])


def test_rows_in_no_window_get_zero_gradient():
    # H + 2p − k = 6 + 0 − 3 = 3 with stride 2: windows start at rows 0 and 2, so row 5 is never read
    x, K, _, G = conv_setup(2, 2, 3, 6, 6, 3, 3, 2, 0)
    gx, _, _ = dd.nn.conv2d_multi_backward(x, K, G, stride=2)
    assert np.all(gx[:, :, 5, :] == 0) and np.all(gx[:, :, :, 5] == 0)
    assert np.all(gx[:, :, 4, :4] != 0)


def test_gradient_of_the_kernels_is_a_convolution_of_the_input_with_grad_out():
    # stride 1, no padding: dL/dK[o, c] = Σ_n conv2d(x[n, c], G[n, o])
    x, K, _, G = conv_setup(3, 2, 4, 6, 6, 3, 3, 1, 0)
    _, gK, _ = dd.nn.conv2d_multi_backward(x, K, G)
    expected = np.zeros(K.shape)
    for o in range(4):
        for c in range(2):
            expected[o, c] = sum(dd.conv2d(x[n, c], G[n, o]) for n in range(3))
    assert np.allclose(gK, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("stride", [1, 2, 3])
def test_gradient_of_the_input_is_a_full_correlation_with_flipped_kernels(stride):
    # G spread out with stride − 1 zeros between its entries, padded with k − 1 zeros, correlated with the
    # flipped kernels, input and output channels swapped; H − k = 6 is a multiple of every stride here
    x, K, _, G = conv_setup(2, 3, 2, 9, 9, 3, 3, stride, 0)
    gx, _, _ = dd.nn.conv2d_multi_backward(x, K, G, stride=stride)
    spread = np.zeros((2, 2, 7, 7))
    spread[:, :, ::stride, ::stride] = G
    full = np.pad(spread, [(0, 0), (0, 0), (2, 2), (2, 2)])
    expected = sum(dd.conv2d(full[:, o], K[o, :, ::-1, ::-1]) for o in range(2))     # (N, C_in, 9, 9)
    assert np.allclose(gx, expected, rtol=1e-12, atol=1e-12)


# --------------------------------------------------------------------------- pooling

POOL_CASES = [(2, None, 4, 4), (2, None, 5, 7), (3, None, 8, 8), (2, 1, 5, 4), (3, 2, 7, 6), (2, 3, 8, 7),
              (1, None, 3, 3), (4, 1, 4, 5)]


@pytest.mark.parametrize("size, stride, H, W", POOL_CASES)
def test_pooling_matches_the_loops(size, stride, H, W):
    x = rng.normal(size=(2, 3, H, W))
    s = size if stride is None else stride
    G = rng.normal(size=(2, 3, (H - size) // s + 1, (W - size) // s + 1))
    Y, gx = max_pool_loop(x, G, size, s)
    assert np.array_equal(dd.nn.max_pool2d(x, size, stride), Y)
    assert np.allclose(dd.nn.max_pool2d_backward(x, G, size, stride), gx, rtol=1e-13, atol=1e-13)
    Y, gx = avg_pool_loop(x, G, size, s)
    assert np.allclose(dd.nn.avg_pool2d(x, size, stride), Y, rtol=1e-13, atol=1e-13)
    assert np.allclose(dd.nn.avg_pool2d_backward(x, G, size, stride), gx, rtol=1e-13, atol=1e-13)


def untied(shape):
    """Random values that differ by at least 0.005, so that a step of 1e-6 never changes an arg-max."""
    values = rng.permutation(np.prod(shape)) * 0.1 + rng.uniform(0.0, 0.05, size=np.prod(shape))
    return (values - values.mean()).reshape(shape) / 10


@pytest.mark.parametrize("size, stride, H, W", POOL_CASES)
def test_pooling_backward_by_finite_differences(size, stride, H, W):
    x = untied((2, 3, H, W))
    for forward, backward in [(dd.nn.max_pool2d, dd.nn.max_pool2d_backward),
                              (dd.nn.avg_pool2d, dd.nn.avg_pool2d_backward)]:
        G = rng.normal(size=forward(x, size, stride).shape)
        gx = backward(x, G, size, stride)
        assert gx.shape == x.shape
        loss = lambda v: np.sum(G * forward(v.reshape(x.shape), size, stride))  # noqa: E731
        assert dd.check_grad(loss, lambda v: gx.ravel(), x.ravel()) < 1e-6


def test_max_pool_gradient_goes_to_the_maximum_only():
    x = untied((3, 2, 6, 6))
    G = rng.normal(size=(3, 2, 3, 3))
    gx = dd.nn.max_pool2d_backward(x, G)

    def blocks(a):                                  # (N, C, 3, 3, 4): the four entries of each 2 × 2 window
        return a.reshape(3, 2, 3, 2, 3, 2).transpose(0, 1, 2, 4, 3, 5).reshape(3, 2, 3, 3, 4)

    # non-overlapping windows: one non-zero per window, equal to G, at the window's maximum
    assert np.count_nonzero(gx) == G.size
    at_max = np.take_along_axis(blocks(gx), blocks(x).argmax(axis=-1)[..., None], axis=-1)[..., 0]
    assert np.array_equal(at_max, G)


def test_max_pool_ties_go_to_the_first_maximum_in_row_major_order():
    x = np.array([[1.0, 3.0, 0.0, 0.0, 7.0, 2.0],
                  [3.0, 0.0, 5.0, 5.0, 7.0, 7.0]]).reshape(1, 1, 2, 6)
    gx = dd.nn.max_pool2d_backward(x, [[[[1.0, 2.0, 4.0]]]])
    # windows: [[1, 3], [3, 0]] → (0, 1) before (1, 0); [[0, 0], [5, 5]] → (1, 2) before (1, 3);
    # [[7, 2], [7, 7]] → (0, 4) before (1, 4) and (1, 5)
    assert np.array_equal(gx[0, 0], [[0, 1, 0, 0, 4, 0], [0, 0, 2, 0, 0, 0]])
    # a flat image: every window sends its gradient to its top-left pixel
    flat = dd.nn.max_pool2d_backward(np.zeros((2, 3, 4, 6)), np.ones((2, 3, 2, 3)))
    top_left = np.zeros((4, 6))
    top_left[::2, ::2] = 1
    assert np.array_equal(flat, np.broadcast_to(top_left, (2, 3, 4, 6)))


def test_max_pool_ties_agree_with_the_loop_on_integer_images():
    # small integers make many ties, also across overlapping windows
    x = rng.integers(0, 3, size=(3, 2, 7, 7)).astype(float)
    for size, stride in [(2, None), (3, 1), (2, 1), (3, 2)]:
        s = size if stride is None else stride
        G = rng.normal(size=dd.nn.max_pool2d(x, size, stride).shape)
        Y, gx = max_pool_loop(x, G, size, s)
        assert np.array_equal(dd.nn.max_pool2d(x, size, stride), Y)
        assert np.allclose(dd.nn.max_pool2d_backward(x, G, size, stride), gx, rtol=1e-13, atol=1e-13)


def test_overlapping_max_pool_adds_up_at_a_shared_maximum():
    x = np.array([[1.0, 2.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]).reshape(1, 1, 3, 3)
    gx = dd.nn.max_pool2d_backward(x, np.ones((1, 1, 2, 2)), size=2, stride=1)
    # the 2 is the maximum of both upper windows; the lower two are flat and pick their top-left pixels
    assert np.array_equal(gx[0, 0], [[0, 2, 0], [1, 1, 0], [0, 0, 0]])


def test_pooling_by_hand():
    x = np.array([[1.0, 2.0, 5.0, 0.0, 9.0],
                  [3.0, 4.0, 1.0, 1.0, 9.0],
                  [0.0, 0.0, 7.0, 8.0, 9.0]]).reshape(1, 1, 3, 5)
    # the default stride is the size; the last row and column are in no window
    assert np.array_equal(dd.nn.max_pool2d(x)[0, 0], [[4.0, 5.0]])
    assert np.array_equal(dd.nn.avg_pool2d(x)[0, 0], [[2.5, 1.75]])
    gx = dd.nn.avg_pool2d_backward(x, [[[[4.0, 8.0]]]])[0, 0]
    assert np.array_equal(gx, [[1, 1, 2, 2, 0], [1, 1, 2, 2, 0], [0, 0, 0, 0, 0]])


# --------------------------------------------------------------------------- bad arguments


X4, K4 = np.ones((2, 3, 6, 6)), np.ones((4, 3, 3, 3))


@pytest.mark.parametrize("args, kwargs, error, match", [
    ((np.ones((3, 6, 6)), K4), {}, ValueError, r"x must have shape \(N, C_in, H, W\)"),
    ((np.ones((2, 0, 6, 6)), K4), {}, ValueError, r"x must have shape"),
    ((X4, np.ones((4, 2, 3, 3))), {}, ValueError,
     r"kernels must have shape \(C_out, C_in, kh, kw\) with C_in = 3 channels of x"),
    ((X4, np.ones((3, 3, 3))), {}, ValueError, r"kernels must have shape .* got \(3, 3, 3\)"),
    ((X4, K4, np.ones(3)), {}, ValueError, r"bias must have shape \(C_out,\) = \(4,\)"),
    ((X4, K4, np.ones((4, 1))), {}, ValueError, r"bias must have shape"),
    ((X4, K4), dict(stride=0), ValueError, "stride must be an integer ≥ 1"),
    ((X4, K4), dict(stride=1.5), TypeError, "stride"),
    ((X4, K4), dict(stride=True), TypeError, "stride"),
    ((X4, K4), dict(padding=-1), ValueError, "padding must be an integer ≥ 0"),
    ((X4, K4), dict(padding=0.5), TypeError, "padding"),
    ((X4, np.ones((4, 3, 7, 3))), {}, ValueError, r"kernels must fit inside the padded image: kernels 7 × 3"),
    ((X4, np.ones((4, 3, 3, 9))), dict(padding=1), ValueError, r"kernels must fit .* 8 × 8"),
    ((np.full((2, 3, 6, 6), np.nan), K4), {}, ValueError, "x must be finite"),
    ((X4, np.full((4, 3, 3, 3), np.inf)), {}, ValueError, "kernels must be finite"),
    ((X4, K4, [np.nan] * 4), {}, ValueError, "bias must be finite"),
    ((X4, "kernel"), {}, TypeError, "kernels must be an array of real numbers"),
])
def test_conv2d_multi_rejects_bad_arguments(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        dd.nn.conv2d_multi(*args, **kwargs)


def test_a_kernel_larger_than_the_image_fits_with_padding():
    assert dd.nn.conv2d_multi(np.ones((1, 1, 2, 2)), np.ones((1, 1, 4, 4)), padding=1)[0, 0, 0, 0] == 4.0


@pytest.mark.parametrize("grad_out, kwargs, error, match", [
    (np.ones((2, 4, 4, 3)), {}, ValueError, r"grad_out must have the shape of conv2d_multi.*\(2, 4, 4, 4\)"),
    (np.ones((2, 4, 4, 4)), dict(stride=2), ValueError, r"grad_out .* \(2, 4, 2, 2\); got \(2, 4, 4, 4\)"),
    (np.ones((2, 4, 6, 6)), dict(padding=1, stride=0), ValueError, "stride"),
    (np.full((2, 4, 4, 4), np.nan), {}, ValueError, "grad_out must be finite"),
])
def test_conv2d_multi_backward_rejects_bad_arguments(grad_out, kwargs, error, match):
    with pytest.raises(error, match=match):
        dd.nn.conv2d_multi_backward(X4, K4, grad_out, **kwargs)


POOLS = [dd.nn.max_pool2d, dd.nn.avg_pool2d]
POOL_BACKWARDS = [dd.nn.max_pool2d_backward, dd.nn.avg_pool2d_backward]


@pytest.mark.parametrize("pool", POOLS)
@pytest.mark.parametrize("x, kwargs, error, match", [
    (np.ones((3, 4, 4)), {}, ValueError, r"x must have shape \(N, C, H, W\)"),
    (np.ones((1, 2, 3, 4, 4)), {}, ValueError, r"x must have shape \(N, C, H, W\)"),
    (np.ones((1, 1, 0, 4)), {}, ValueError, r"x must have shape"),
    (np.ones((1, 1, 4, 4)), dict(size=0), ValueError, "size must be an integer ≥ 1"),
    (np.ones((1, 1, 4, 4)), dict(size=2.0), TypeError, "size"),
    (np.ones((1, 1, 3, 5)), dict(size=4), ValueError, r"size must be at most the height and width of x, 3 × 5 .* 4"),
    (np.ones((1, 1, 4, 4)), dict(stride=0), ValueError, "stride must be an integer ≥ 1"),
    (np.ones((1, 1, 4, 4)), dict(stride=-2), ValueError, "stride"),
    (np.full((1, 1, 4, 4), np.nan), {}, ValueError, "x must be finite"),
])
def test_pooling_rejects_bad_arguments(pool, x, kwargs, error, match):
    with pytest.raises(error, match=match):
        pool(x, **kwargs)


@pytest.mark.parametrize("backward, name", list(zip(POOL_BACKWARDS, ["max_pool2d", "avg_pool2d"])))
def test_pooling_backward_rejects_a_grad_out_of_the_wrong_shape(backward, name):
    x = np.ones((2, 3, 5, 5))
    with pytest.raises(ValueError, match=rf"grad_out must have the shape of {name}\(x, size, stride\), "
                                         r"\(2, 3, 2, 2\); got \(2, 3, 3, 3\)"):
        backward(x, np.ones((2, 3, 3, 3)))
    with pytest.raises(ValueError, match=r"\(2, 3, 4, 4\)"):
        backward(x, np.ones((2, 3, 2, 2)), size=2, stride=1)
    with pytest.raises(ValueError, match="grad_out must be finite"):
        backward(x, np.full((2, 3, 2, 2), np.inf))
