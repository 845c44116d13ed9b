"""Helpers of chapter 10's page: line kernels, shifts and their matrices, commutants, training curves."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import descend as dd  # noqa: E402

rng = np.random.default_rng(14)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# --------------------------------------------------------------------------- line_kernel


@pytest.mark.parametrize("angle", [0.0, 22.5, 45.0, 90.0, 135.0, 157.5])
@pytest.mark.parametrize("size", [3, 5])
def test_line_kernel_sums_to_zero_and_peaks_on_its_line(angle, size):
    K = dd.nn.line_kernel(angle, size)
    assert K.shape == (size, size)
    assert abs(K.sum()) < 1e-12
    half = size // 2
    # the centre lies on every line through it, so it holds the largest entry
    assert K[half, half] == pytest.approx(K.max())


def test_line_kernel_by_hand():
    # horizontal, w = 0.5: e^0 = 1 on the middle row, e^{−4} on the others, minus the mean
    e = np.exp(-4.0)
    mean = (3 + 6 * e) / 9
    expected = np.array([[e, e, e], [1, 1, 1], [e, e, e]]) - mean
    assert np.allclose(dd.nn.line_kernel(0), expected, rtol=0, atol=1e-15)
    # off the middle row the horizontal kernel is −½ times the middle row
    K = dd.nn.line_kernel(0)
    assert np.allclose(K[[0, 2]], -0.5 * K[[1, 1]], rtol=1e-12)


def test_line_kernel_directions():
    # 45°: rising to the right, so the up-right and down-left offsets lie on the line
    K = dd.nn.line_kernel(45)
    assert K[0, 2] == pytest.approx(K[1, 1]) and K[2, 0] == pytest.approx(K[1, 1])
    assert K[0, 0] < K[0, 2]
    assert np.allclose(dd.nn.line_kernel(135), K[:, ::-1])
    assert np.allclose(dd.nn.line_kernel(90), dd.nn.line_kernel(0).T)
    assert np.allclose(dd.nn.line_kernel(180), dd.nn.line_kernel(0))


@pytest.mark.parametrize("kwargs, match", [(dict(angle=0, size=4), "odd"), (dict(angle=0, width=0.0), "width"),
                                           (dict(angle=np.nan), "angle")])
def test_line_kernel_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        dd.nn.line_kernel(**kwargs)


# --------------------------------------------------------------------------- shift and shift_matrix


def test_shift_by_hand():
    x = np.arange(1.0, 7.0).reshape(2, 3)
    assert np.array_equal(dd.nn.shift(x, 0, 1), [[0, 1, 2], [0, 4, 5]])
    assert np.array_equal(dd.nn.shift(x, -1, 0), [[4, 5, 6], [0, 0, 0]])
    assert np.array_equal(dd.nn.shift(x, 0, 0), x)
    assert np.array_equal(dd.nn.shift(x, 2, 0), np.zeros((2, 3)))      # everything falls off
    assert np.array_equal(dd.nn.shift(x, 0, -5), np.zeros((2, 3)))
    assert np.array_equal(dd.nn.shift(x, 1, 1, periodic=True), np.roll(x, (1, 1), axis=(0, 1)))


def test_shift_is_the_definition():
    # (S_st X)_kl = X_(k−s, l−t) where that pixel exists, 0 elsewhere
    x = rng.normal(size=(5, 7))
    for s in range(-6, 7):
        for t in range(-8, 9):
            expected = np.zeros_like(x)
            for k in range(5):
                for l in range(7):
                    if 0 <= k - s < 5 and 0 <= l - t < 7:
                        expected[k, l] = x[k - s, l - t]
            assert np.array_equal(dd.nn.shift(x, s, t), expected)


def test_shift_acts_on_a_stack_and_composes_on_the_torus():
    x = rng.normal(size=(3, 4, 5))
    assert np.array_equal(dd.nn.shift(x, 1, -2), np.stack([dd.nn.shift(im, 1, -2) for im in x]))
    twice = dd.nn.shift(dd.nn.shift(x, 1, 2, periodic=True), 2, 4, periodic=True)
    assert np.array_equal(twice, dd.nn.shift(x, 3, 6, periodic=True))


@pytest.mark.parametrize("s, t", [(0.5, 0), ("a", 1)])
def test_shift_rejects_fractions(s, t):
    with pytest.raises((ValueError, TypeError)):
        dd.nn.shift(np.zeros((3, 3)), s, t)


@pytest.mark.parametrize("periodic", [False, True])
def test_shift_matrix_applies_the_shift(periodic):
    x = rng.normal(size=(4, 6))
    for s, t in [(1, 0), (0, -1), (2, 3), (-3, -5)]:
        S = dd.nn.shift_matrix(s, t, x.shape, periodic=periodic)
        assert S.shape == (24, 24)
        assert np.array_equal(S @ x.ravel(), dd.nn.shift(x, s, t, periodic=periodic).ravel())


def test_shift_matrices_down_and_up_are_transposes():
    D = dd.nn.shift_matrix(1, 0, 4)
    assert np.array_equal(dd.nn.shift_matrix(-1, 0, 4), D.T)
    # I − D Dᵀ keeps the first row only (the pixels nothing moves into)
    assert np.count_nonzero(np.diag(np.eye(16) - D @ D.T)) == 4


# --------------------------------------------------------------------------- commutant


def test_commutant_of_a_diagonal_matrix_with_distinct_entries():
    basis = dd.nn.commutant([np.diag([1.0, 2.0, 3.0])])
    assert basis.shape == (3, 3, 3)
    for W in basis:
        assert np.allclose(W, np.diag(np.diag(W)), atol=1e-12)


def test_commutant_basis_commutes_and_is_orthonormal():
    S = [rng.normal(size=(4, 4))]
    basis = dd.nn.commutant(S)
    # a generic matrix commutes only with the polynomials in it: dimension 4
    assert len(basis) == 4
    for W in basis:
        assert np.allclose(W @ S[0], S[0] @ W, atol=1e-10)
    gram = np.einsum("iab,jab->ij", basis, basis)
    assert np.allclose(gram, np.eye(4), atol=1e-12)


def test_periodic_shifts_commute_with_the_convolutions_only():
    # on the 3 × 3 torus: dimension 9, and every element has W_ijkl = V_(k−i, l−j)
    m = 3
    basis = dd.nn.commutant([dd.nn.shift_matrix(1, 0, m, periodic=True),
                             dd.nn.shift_matrix(0, 1, m, periodic=True)])
    assert len(basis) == m * m
    W = basis.reshape(-1, m, m, m, m)
    i, j, k, l = np.ogrid[:m, :m, :m, :m]
    assert np.allclose(W, W[:, 0, 0][:, (k - i) % m, (l - j) % m], atol=1e-12)


def test_finite_shifts_both_ways_leave_the_multiples_of_the_identity():
    m = 3
    shifts = [dd.nn.shift_matrix(s, t, m) for s, t in [(1, 0), (-1, 0), (0, 1), (0, -1)]]
    basis = dd.nn.commutant(shifts)
    assert len(basis) == 1
    assert np.allclose(basis[0] / basis[0][0, 0], np.eye(m * m), atol=1e-12)


@pytest.mark.parametrize("matrices", [[], [np.zeros((2, 3))], [np.eye(2), np.eye(3)]])
def test_commutant_rejects_bad_input(matrices):
    with pytest.raises(ValueError):
        dd.nn.commutant(matrices)


# --------------------------------------------------------------------------- cnn_curves and the plots


@pytest.fixture(scope="module")
def small_run():
    images, labels = dd.data.bars(n=240, seed=2)
    train, test = (images[:160], labels[:160]), (images[160:], labels[160:])
    trace = dd.run(dd.momentum(eta=0.3, beta=0.9), dd.cnn_classifier(*train), dd.cnn_init(seed=1),
                   steps=30, batch_size=16, seed=0)
    return trace, train, test


def test_cnn_curves_are_the_accuracies_and_the_test_loss(small_run):
    trace, train, test = small_run
    r = dd.nn.cnn_curves(trace, train, test, every=10)
    assert r["epoch"].tolist() == [0.0, 1.0, 2.0, 3.0]                 # 10 batches of 16 = one epoch
    for n, x in enumerate(trace.xs[::10]):
        assert r["train_acc"][n] == np.mean(dd.cnn_predict(x, train[0]) == train[1])
        assert r["test_acc"][n] == np.mean(dd.cnn_predict(x, test[0]) == test[1])
        assert r["test_loss"][n] == dd.cnn_loss(x, *test)
    assert {k: len(v) for k, v in r.items()} == dict(epoch=4, test_loss=4, train_acc=4, test_acc=4)


def test_cnn_curves_pass_the_network_shape():
    images, labels = dd.data.bars(n=60, seed=3)
    net = dict(filters=4, size=8)
    problem = dd.cnn_classifier(images, labels, **net)
    trace = dd.run(dd.gd(eta=0.1), problem, dd.cnn_init(**net), steps=3)   # full batch: epoch = step
    r = dd.nn.cnn_curves(trace, (images, labels), (images, labels), **net)
    assert r["epoch"].tolist() == [0.0, 1.0, 2.0, 3.0]
    assert np.array_equal(r["train_acc"], r["test_acc"])
    assert r["test_loss"][0] == pytest.approx(trace.fs[0])


def test_training_curves_draw_every_run(small_run):
    trace, train, test = small_run
    r = dd.nn.cnn_curves(trace, train, test, every=10)
    fig = dd.plot.training_curves([trace, trace], [r, None], colors=["C0", "0.5"], labels=["main", "reference"])
    left, right = fig.axes[:2]
    assert left.get_yscale() == "log"
    assert [line.get_linestyle() for line in left.lines] == ["-", "None", ":"]   # loss, test dots, reference
    assert len(right.lines) == 2                                                  # train and test accuracy
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["main", "reference"]
    with pytest.raises(ValueError, match="one entry"):
        dd.plot.training_curves([trace], [r, r])


def test_accuracy_curves_window_and_labels():
    r = dict(epoch=np.arange(4.0), train_acc=np.array([0.25, 0.6, 0.9, 1.0]), test_acc=np.array([0.3, 0.5, 0.8, 0.85]))
    ax = dd.plot.accuracy_curves([r, r], colors=["C0", "C1"], labels=["a", "b"])
    assert [line.get_label() for line in ax.lines] == ["a, train", "a, test", "b, train", "b, test"]
    assert ax.get_ylim() == pytest.approx((0.2, 1.02))
    assert [line.get_linestyle() for line in ax.lines] == ["-", "--", "-", "--"]
    ax = dd.plot.accuracy_curves(r, ylim=(0, 1))
    assert ax.get_ylim() == (0, 1)
    with pytest.raises(ValueError):
        dd.plot.accuracy_curves([])
