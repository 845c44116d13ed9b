"""Small data sets the book uses: made in code from a fixed seed, or shipped in the package.

Nothing is downloaded: :func:`digits` reads a 57 KB file vendored in ``descend/_data``.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import importlib.resources
import io
import math
from typing import NamedTuple

import numpy as np

from . import _checks

__all__ = ["rent", "regression", "badly_scaled", "sparse_feature", "bars", "digits", "Digits",
           "LabelledImages"]


def rent(n: int = 40, seed: int = 0):
    """Monthly rent against floor area: a small, noisy, roughly linear data set.

    The areas are drawn uniformly between 40 and 120 m²; the rent is
    ``400 + 15·area`` plus Gaussian noise with a standard deviation of 150 (euros).

    Parameters
    ----------
    n : int
        Number of flats, ≥ 2.
    seed : int
        Seed of the random generator; the same seed gives the same data.

    Returns
    -------
    area, rent : (n,) arrays
        Area in m², monthly rent in euros.

    Examples
    --------
    >>> import descend as dd
    >>> area, price = dd.data.rent(n=5)
    >>> area.shape, price.shape
    ((5,), (5,))
    """
    n = _checks.count("n", n, minimum=2)
    seed = _checks.count("seed", seed)
    rng = np.random.default_rng(seed)
    area = rng.uniform(40.0, 120.0, size=n)
    price = 400.0 + 15.0 * area + rng.normal(0.0, 150.0, size=n)
    return area, price


def regression(n: int = 2000, d: int = 1, *, noise: float = 1.0, seed: int = 0):
    r"""A linear regression data set of ``n`` examples with ``d`` features and an intercept.

    Each feature is drawn from :math:`\mathcal N(1.5, 1)`, every weight is 2 and the
    intercept is −1, and the targets carry Gaussian noise:

    .. math:: y_i = 2 \sum_{j=1}^{d} x_{ij} - 1 + \varepsilon_i, \qquad
              \varepsilon_i \sim \mathcal N(0, \text{noise}^2).

    The design matrix ends with a column of ones, so ``dd.least_squares(X, y)`` fits the
    weights and the intercept together.  With ``d = 1`` the model is a line
    :math:`\hat y = w x + b` with two parameters, whose loss can be drawn as a contour
    map; the expected Hessian of the mean squared error is then
    :math:`\begin{bmatrix} 3.25 & 1.5 \\ 1.5 & 1 \end{bmatrix}`, with eigenvalues 4 and
    1/4 (the mean 1.5 of the feature tilts and stretches the contours).

    Parameters
    ----------
    n : int
        Number of examples, ≥ 2.
    d : int
        Number of features, ≥ 1.
    noise : float
        Standard deviation of the noise, ≥ 0.
    seed : int
        Seed of the random generator; the same seed gives the same data.

    Returns
    -------
    X : (n, d + 1) array
        The features, then a column of ones.
    y : (n,) array
        The targets.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> X, y = dd.data.regression(n=2000, seed=0)
    >>> X.shape, y.shape
    ((2000, 2), (2000,))
    >>> np.round(np.linalg.lstsq(X, y, rcond=None)[0], 1)   # close to w = 2, b = −1
    array([ 2., -1.])

    Notes
    -----
    Taught in chapter 5, where its examples are sampled in mini-batches.
    """
    n = _checks.count("n", n, minimum=2)
    d = _checks.count("d", d, minimum=1)
    noise = _checks.real("noise", noise, lo=0.0)
    seed = _checks.count("seed", seed)
    rng = np.random.default_rng(seed)
    features = rng.normal(1.5, 1.0, size=(n, d))
    y = 2.0 * features.sum(axis=1) - 1.0 + rng.normal(0.0, noise, size=n)
    return np.column_stack([features, np.ones(n)]), y


def badly_scaled(n: int = 100, *, noise: float = 1.0, seed: int = 0):
    r"""A regression data set whose two features live on very different scales.

    The first feature lies in the hundreds, uniform on [100, 900] (a mass in grams, say);
    the second in the thousandths, uniform on [0.001, 0.009] (a length in kilometres).
    Both matter to the target:

    .. math:: y_i = 0.02\, x_{i1} + 3000\, x_{i2} + 5 + \varepsilon_i, \qquad
              \varepsilon_i \sim \mathcal N(0, \text{noise}^2),

    so the first feature moves :math:`y` by 2 to 18 and the second by 3 to 27.  The gradient of a squared error
    then has components of very different sizes, and :math:`X^\top X / N` a condition
    number above :math:`10^{10}`; standardizing the features cures it.

    Parameters
    ----------
    n : int
        Number of examples, ≥ 3.
    noise : float
        Standard deviation of the noise, ≥ 0.
    seed : int
        Seed of the random generator; the same seed gives the same data.

    Returns
    -------
    X : (n, 3) array
        The two features, then a column of ones (for the intercept).
    y : (n,) array
        The targets.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> X, y = dd.data.badly_scaled(n=100, seed=0)
    >>> X.shape, bool(X[:, 0].min() >= 100), bool(X[:, 1].max() <= 0.009)
    ((100, 3), True, True)
    >>> np.round(np.linalg.lstsq(X, y, rcond=None)[0][0], 2)    # close to 0.02
    np.float64(0.02)

    Notes
    -----
    Taught in chapter 7, which measures how it stalls gradient descent and how
    standardization repairs it.
    """
    n = _checks.count("n", n, minimum=3)
    noise = _checks.real("noise", noise, lo=0.0)
    seed = _checks.count("seed", seed)
    rng = np.random.default_rng(seed)
    grams = rng.uniform(100.0, 900.0, size=n)
    kilometres = rng.uniform(0.001, 0.009, size=n)
    y = 0.02 * grams + 3000.0 * kilometres + 5.0 + rng.normal(0.0, noise, size=n)
    return np.column_stack([grams, kilometres, np.ones(n)]), y


def sparse_feature(n: int = 100, *, sparsity: float = 0.8, w: float = 3.0, b: float = -1.0, seed: int = 0):
    r"""Inputs of a sigmoid neuron that are zero for most examples, after CS7015's lecture 5.

    ``round(sparsity · n)`` of the inputs, chosen at random, are exactly 0; the others are
    uniform on (0, 1).  The targets are the neuron's outputs at the given weight and bias,
    :math:`y_i = \sigma(w x_i + b)`, without noise, so that
    ``dd.sigmoid_neuron(x, y)`` has its minimum, :math:`L = 0`, exactly at :math:`(w, b)`.
    The bias sees every example; the weight only the few with :math:`x_i \ne 0`.

    Parameters
    ----------
    n : int
        Number of examples, ≥ 2.
    sparsity : float
        Fraction of inputs that are zero, in [0, 1).
    w, b : float
        The weight and bias that generate the targets (the minimizer).
    seed : int
        Seed of the random generator; the same seed gives the same data.

    Returns
    -------
    x, y : (n,) arrays
        Inputs and targets; every target lies strictly between 0 and 1.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> x, y = dd.data.sparse_feature(n=100, sparsity=0.8)
    >>> int(np.sum(x == 0)), bool(np.all((0 < y) & (y < 1)))
    (80, True)
    >>> p = dd.sigmoid_neuron(x, y)
    >>> bool(p.f(np.array([3.0, -1.0])) < 1e-20)   # the minimum, L = 0, is at (w, b)
    True

    References
    ----------
    Khapra, M. M. (2018). CS7015 Deep Learning, lecture 5 (the sparse-feature example of
    AdaGrad). Taught in chapter 7.
    """
    n = _checks.count("n", n, minimum=2)
    sparsity = _checks.real("sparsity", sparsity, lo=0.0, hi=1.0, hi_open=True)
    w = _checks.real("w", w)
    b = _checks.real("b", b)
    seed = _checks.count("seed", seed)
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 1.0, size=n)
    x[rng.permutation(n)[: int(round(sparsity * n))]] = 0.0
    y = 1.0 / (1.0 + np.exp(-(w * x + b)))
    return x, y


def bars(n: int = 1000, size: int = 8, *, noise: float = 0.25, seed: int = 0):
    r"""Small noisy images of four shapes at random positions: bars, diagonals and crosses.

    Each image is ``size × size`` pixels and holds one shape, drawn in pixels of value 1 on
    a background of 0, then every pixel gets Gaussian noise:

    =====  ==============  =====================================================
    label  shape           how it is drawn
    =====  ==============  =====================================================
    0      horizontal bar  a run of :math:`\ell` pixels along a row
    1      vertical bar    a run of :math:`\ell` pixels along a column
    2      diagonal        :math:`\ell` pixels along a diagonal, ↘ or ↗ equally often
    3      cross           a "+" whose arms reach :math:`\lfloor \text{size}/4 \rfloor`
                           pixels either side of its centre
    =====  ==============  =====================================================

    The length :math:`\ell` is uniform on :math:`\lceil \text{size}/2\rceil, \dots,
    \lfloor 3\,\text{size}/4 \rfloor`, and the shape's position is uniform among all
    positions where it fits wholly inside the image: the same shape appears shifted all
    over the image, which is what convolutional networks are built for.  The labels are
    uniform on 0–3.

    Parameters
    ----------
    n : int
        Number of images, ≥ 1.
    size : int
        Height and width of the images in pixels, ≥ 6.
    noise : float
        Standard deviation of the Gaussian noise added to every pixel, ≥ 0.
    seed : int
        Seed of the random generator; the same seed gives the same images.

    Returns
    -------
    images : (n, size, size) array
    labels : (n,) int array
        0 horizontal, 1 vertical, 2 diagonal, 3 cross.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> images, labels = dd.data.bars(n=4, size=8, noise=0.0, seed=14)
    >>> images.shape, np.unique(images).tolist()
    ((4, 8, 8), [0.0, 1.0])
    >>> labels.tolist(), images.sum(axis=(1, 2)).tolist()   # a cross: 4 arms of 2 and a centre
    ([0, 3, 2, 1], [4.0, 9.0, 5.0, 6.0])

    Notes
    -----
    Taught in chapter 10, where a small convolutional network learns to tell the shapes
    apart wherever they are.
    """
    n = _checks.count("n", n, minimum=1)
    size = _checks.count("size", size, minimum=6)
    noise = _checks.real("noise", noise, lo=0.0)
    seed = _checks.count("seed", seed)
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 4, size=n)
    lengths = rng.integers(-(-size // 2), 3 * size // 4 + 1, size=n)
    arm = size // 4
    images = np.zeros((n, size, size))
    for image, label, length in zip(images, labels, lengths):
        steps = np.arange(length)
        if label == 3:                                      # a cross: centre, then its arms
            r, c = rng.integers(arm, size - arm, size=2)
            image[r, c - arm:c + arm + 1] = 1.0
            image[r - arm:r + arm + 1, c] = 1.0
        elif label == 2:                                    # a diagonal, ↘ or ↗
            r, c = rng.integers(0, size - length + 1, size=2)
            cols = c + (steps if rng.random() < 0.5 else steps[::-1])
            image[r + steps, cols] = 1.0
        else:                                               # a bar along a row, or a column
            along, across = rng.integers(0, size - length + 1), rng.integers(0, size)
            image[across, along + steps] = 1.0
            if label == 1:
                image[:] = image.T
    images += rng.normal(0.0, noise, size=images.shape) if noise > 0 else 0.0
    return images, labels


# sha256 of descend/_data/digits.csv.gz, as recorded in descend/_data/README.md
DIGITS_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
DIGITS_FILE = "_data/digits.csv.gz"


class LabelledImages(NamedTuple):
    """One part of a data set of images: ``images`` (n, h, w) float64, ``labels`` (n,) int64."""

    images: np.ndarray
    labels: np.ndarray


class Digits(NamedTuple):
    """The parts of :func:`digits`: to fit, to choose (early stopping), to score once at the end."""

    train: LabelledImages
    val: LabelledImages
    test: LabelledImages


def _parse_digits(raw: bytes, sha256: str = DIGITS_SHA256) -> np.ndarray:
    """The rows of the gzipped CSV ``raw``, a read-only (1797, 65) int64 array, once its sha256 is checked."""
    found = hashlib.sha256(raw).hexdigest()
    if found != sha256:
        raise RuntimeError(f"descend/{DIGITS_FILE} has sha256 {found}, not {sha256} as recorded in "
                           "descend/_data/README.md: the file is damaged or was changed; reinstall descend")
    rows = np.loadtxt(io.StringIO(gzip.decompress(raw).decode("ascii")), delimiter=",", dtype=np.int64)
    rows.setflags(write=False)
    return rows


@functools.lru_cache(maxsize=1)
def _digits_rows() -> np.ndarray:
    """The vendored file's rows (64 pixels 0..16, then the label), read once per process."""
    return _parse_digits((importlib.resources.files(__package__) / DIGITS_FILE).read_bytes())


def _split_fractions(split) -> tuple[float, float, float]:
    wanted = "split must be three fractions (train, val, test), each in (0, 1), summing to 1"
    if isinstance(split, str | bytes) or not hasattr(split, "__len__"):
        raise TypeError(f"{wanted}; got {type(split).__name__} {split!r}")
    if len(split) != 3:
        raise ValueError(f"{wanted}; got {len(split)} of them: {split!r}")
    fractions = tuple(_checks.real(f"split[{k}]", f, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
                      for k, f in enumerate(split))
    if not math.isclose(sum(fractions), 1.0, rel_tol=0.0, abs_tol=1e-9):
        raise ValueError(f"split must sum to 1, got {split!r} (sum {sum(fractions):.12g})")
    return fractions


def _stratified_parts(labels: np.ndarray, split, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Row indices of the parts: each class cut at round(n_c s1) and round(n_c (s1 + s2)), then shuffled."""
    n = labels.size
    order = rng.permutation(n)
    order = order[np.argsort(labels[order], kind="stable")]       # grouped by class, random within it
    grouped = labels[order]
    counts = np.bincount(labels)
    rank = np.arange(n) - (np.cumsum(counts) - counts)[grouped]  # place of each row within its class
    cuts = np.rint(np.outer(counts, np.cumsum(split)[:-1]))      # (classes, 2)
    part = np.empty(n, dtype=np.int64)
    part[order] = (rank[:, None] >= cuts[grouped]).sum(axis=1)
    mixed = rng.permutation(n)                                    # so no part is sorted by class
    return tuple(mixed[part[mixed] == k] for k in range(3))


def digits(*, split=(0.6, 0.2, 0.2), seed: int = 0, scale: bool = True) -> Digits:
    r"""Handwritten digits, 8 × 8 pixels, split by class into training, validation and test parts.

    The 1,797 images of the test set of the UCI *Optical Recognition of Handwritten Digits*
    (Alpaydin and Kaynak, 1998), the file scikit-learn ships for ``load_digits``: digits
    written on forms by 13 people (30 others wrote the training set, not shipped), each
    scanned into a 32 × 32 bitmap that is cut into 4 × 4 blocks; a pixel counts the "on"
    pixels of its block, an integer :math:`x \in \{0, \dots, 16\}`. Ten classes, 174 to
    183 images each.

    The split is stratified: the :math:`n_c` images of class :math:`c`, shuffled, are cut at

    .. math:: a_c = \operatorname{round}(n_c s_1), \qquad
              b_c = \operatorname{round}\bigl(n_c (s_1 + s_2)\bigr),

    so the parts hold :math:`a_c`, :math:`b_c - a_c` and :math:`n_c - b_c` of them, each
    within 1 of :math:`n_c s_k`; every image lies in exactly one part. Each part is then
    shuffled, so that it is not sorted by class. The same seed gives the same parts.

    Parameters
    ----------
    split : three floats
        Fractions :math:`(s_1, s_2, s_3)` for training, validation and test, each in (0, 1),
        summing to 1; no part may end up empty.
    seed : int
        Seed of ``np.random.default_rng``, ≥ 0.
    scale : bool
        Divide the pixels by 16, to :math:`[0, 1]`; with ``False`` they stay 0, 1, …, 16.

    Returns
    -------
    Digits
        ``Digits(train, val, test)``; each part is ``LabelledImages(images, labels)``, with
        images a float64 array of shape (n, 8, 8) and labels an int64 array of shape (n,),
        the digit 0–9. The arrays are new copies on every call.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> train, val, test = dd.data.digits(split=(0.6, 0.2, 0.2), seed=0)
    >>> train.images.shape, val.images.shape, test.images.shape
    ((1078, 8, 8), (360, 8, 8), (359, 8, 8))
    >>> np.bincount(val.labels).tolist()              # a fifth of each class, e.g. 178 zeros: 35
    [35, 37, 36, 36, 36, 37, 36, 36, 35, 36]
    >>> float(train.images.min()), float(train.images.max())
    (0.0, 1.0)

    Notes
    -----
    Why the file is vendored instead of calling scikit-learn's ``load_digits``: the file,
    ``descend/_data/digits.csv.gz``, is 57,523 bytes (264,712 unzipped), while
    scikit-learn 1.9.1 with the packages it needs and the book does not have (SciPy,
    joblib, narwhals, threadpoolctl) is 45.5 MB of wheels to download and 150 MB
    installed, 115 MB of it SciPy. The file is read once per process, and its sha256 is
    checked then: hashing takes about 0.04 ms against about 6 ms to parse it, and a damaged
    or changed file raises an error instead of giving other data.

    The UCI Machine Learning Repository distributes the data under CC BY 4.0; the source,
    licence and citation are in ``descend/_data/README.md``, which ships with the file.
    Made for chapter 11, *Optimizers in practice*: real data and early stopping on the
    validation part.

    References
    ----------
    Alpaydin, E. and Kaynak, C. (1998). Optical Recognition of Handwritten Digits. UCI
    Machine Learning Repository. https://doi.org/10.24432/C50P49
    """
    split = _split_fractions(split)
    seed = _checks.count("seed", seed)
    if not isinstance(scale, bool | np.bool_):
        raise TypeError(f"scale must be True or False, got {type(scale).__name__} {scale!r}")
    rows = _digits_rows()
    labels = rows[:, 64]
    parts = _stratified_parts(labels, split, np.random.default_rng(seed))
    empty = [name for name, part in zip(Digits._fields, parts) if part.size == 0]
    if empty:
        raise ValueError(f"split={split!r} leaves the {' and '.join(empty)} part empty; "
                         "raise its fraction (the smallest class has 174 images)")
    pixels = rows[:, :64].reshape(-1, 8, 8).astype(np.float64)
    if scale:
        pixels /= 16.0
    return Digits(*(LabelledImages(pixels[k], labels[k]) for k in parts))
