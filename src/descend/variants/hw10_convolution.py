"""hw10 (convolution): the separable layer's kernel and fraction, the dilated stack, the gradient check's data, padding and stride, the fit's images and steps, the pooled stack of question 6a (its image, kernels, channels and dense units, and the kernels whose view it asks for), and the layer whose gradient terms questions 5a and 5b count (its images, their side, the kernel and the stride)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

#: The questions whose answers depend on these constants (handing in the published answers for
#: another seed loses points on each).
DEPENDS = ("q1", "q2", "q3", "q4", "q5_terms", "q5_local", "q6_counts", "q6_tie")

_PUBLISHED = dict(k_sep=3, fraction=8, k_dil=3, dilations=(1, 2, 4, 8), chk_seed=10, chk_pad=1, chk_stride=2,
                  fit_seed=3, fit_n=20, fit_steps=100,
                  pool_side=28, pool_k=5, pool_ch=16, pool_units=100, view_k=5,
                  terms_n=600, terms_side=12, terms_k=3, terms_stride=2)


def draw(seed: int) -> dict:
    """The constants of variant ``seed``; seed 0 is the published edition.

    Question 6a's stack is not the chapter's LeNet-like one (32 × 32 images, 5 × 5 kernels, 16
    channels into 120 units), whose dense count the chapter prints, and its view kernel is not
    the chapter's 3 × 3; its image and kernel are never seed 0's, so that the pools' factor
    differs too. Questions 5a and 5b count on a layer that is not the chapter's (3 × 3 kernels,
    stride 1, 8 × 8 images, 1000 training images), drawn again until each of their counts
    differs from seed 0's. The q6 constants are drawn after the others and the q5 ones last, so
    that the other constants of a seed are those it had before they were added."""
    if seed == 0:
        return dict(_PUBLISHED)
    rng = np.random.default_rng([10, seed])
    pick = lambda options: options[int(rng.integers(len(options)))]  # noqa: E731
    # q1: the fraction must stay below k² (the separable layer's share tends to 1/k²)
    k_sep, fraction = pick([(3, 6), (3, 7), (5, 16), (5, 20)])
    constants = dict(k_sep=k_sep, fraction=fraction, k_dil=pick([2, 5]),
                     dilations=pick([(1, 2, 3, 5), (1, 3, 9, 27), (2, 2, 4, 4), (1, 1, 2, 3)]),
                     chk_seed=int(rng.integers(11, 10**6)), chk_pad=pick([0, 2]), chk_stride=pick([2, 3]),
                     fit_seed=int(rng.integers(4, 10**6)), fit_n=pick([16, 24]), fit_steps=pick([80, 120]))
    # q6a: image sides and kernels whose maps have even sides before each pool; the units are
    # never seed 0's 100 (so seed 0's dense counts are another variant's wrong answer) nor the
    # chapter's 120
    pool_side, pool_k = pick([(44, 5), (36, 5), (30, 3), (26, 3)])
    constants.update(pool_side=pool_side, pool_k=pool_k, pool_ch=pick([8, 12, 16, 20]),
                     pool_units=pick([64, 84, 128]), view_k=pick([3, 7]))
    # q5a and q5b: never 1000 images (the chapter's) nor seed 0's 600, and counts unlike seed 0's
    for _ in range(100):
        constants.update(terms_n=pick([400, 500, 800, 1200]), terms_side=pick([10, 12, 16, 20]),
                         terms_k=pick([3, 5]), terms_stride=pick([1, 2, 3]))
        if all(a != b for a, b in zip(_q5_counts(**constants), _q5_counts(**_PUBLISHED))):
            return constants
    raise RuntimeError(f"no q5 layer unlike seed 0's drawn for seed {seed}")


def _q5_counts(terms_n, terms_side, terms_k, terms_stride, **_):
    """kernel_terms, dense_terms, local_weights and local_terms of questions 5a and 5b."""
    positions = ((terms_side - terms_k) // terms_stride + 1) ** 2
    return terms_n * positions, terms_n, positions * terms_k**2, terms_n


def _pool_factor(P) -> float:
    """Question 6b's factor: the dense layer's parameters without the pools over those with them."""
    pooled = ((P.pool_side - P.pool_k + 1) // 2 - P.pool_k + 1) // 2
    unpooled = P.pool_side - 2 * (P.pool_k - 1)
    return (P.pool_ch * unpooled**2 + 1) / (P.pool_ch * pooled**2 + 1)


def _smallest(k_sep, fraction):
    k2 = k_sep**2
    return next(c for c in range(1, 10**5) if fraction * (c * c + c * (k2 + 2)) <= c * (c * k2 + 1))


def check(P) -> None:
    """Every variant can be answered: a smallest channel count exists, the gradient check's
    convolution has outputs, the fit's quadratic has a positive definite Hessian, and q5's layer
    has positions; and a variant other than seed 0 changes the answers of every question of
    DEPENDS that its constants decide by formula (q1's count, q2's fields, q5's counts, q6's counts
    and the pools' factor by more than 1 %), so that seed 0's answers do not carry over."""
    from descend import conv2d, data

    k2 = P.k_sep**2
    assert 1 < P.fraction < k2, "the separable layer never reaches the fraction"
    smallest = _smallest(P.k_sep, P.fraction)
    assert smallest > 1, "the fraction is reached at once"
    assert P.k_dil >= 2 and len(P.dilations) == 4 and all(int(d) == d >= 1 for d in P.dilations)
    for n, k in ((8, 3), (7, 2)):                       # X_chk is 4 × 8 × 7, K_chk 3 × 2
        assert (n + 2 * P.chk_pad - k) // P.chk_stride + 1 >= 2, "the strided check has one output"
    X, _ = data.bars(n=P.fit_n, size=8, noise=0.25, seed=P.fit_seed)
    windows = np.lib.stride_tricks.sliding_window_view(X, (3, 3), axis=(1, 2)).reshape(-1, 9)
    eigenvalues = np.linalg.eigvalsh(windows.T @ windows / P.fit_n)
    assert eigenvalues.min() > 1e-3 * eigenvalues.max(), "the fit's Hessian is nearly singular"
    assert conv2d(X[:1], np.ones((3, 3))).shape == (1, 6, 6) and P.fit_steps > 0
    # q6a: both pools see maps of even side, the last maps are not empty, the stack is not the chapter's
    first = P.pool_side - P.pool_k + 1
    assert first % 2 == 0 and (first // 2 - P.pool_k + 1) % 2 == 0 and first // 2 - P.pool_k + 1 >= 2
    assert (P.pool_side, P.pool_k, P.pool_ch, P.pool_units) != (32, 5, 16, 120), "q6a's stack is the chapter's"
    assert P.view_k % 2 == 1 and P.view_k >= 3 and P.pool_units > 0 and P.pool_ch > 0
    # q5a and q5b: a layer with positions, not the chapter's
    assert P.terms_side > P.terms_k >= 2 and P.terms_stride >= 1 and P.terms_n > 0
    layer = (P.terms_n, P.terms_side, P.terms_k, P.terms_stride)
    assert layer != (1000, 8, 3, 1), "q5's layer is the chapter's"
    if vars(P) == _PUBLISHED:
        return
    O = SimpleNamespace(**_PUBLISHED)
    assert _smallest(P.k_sep, P.fraction) != _smallest(O.k_sep, O.fraction), "q1's c_fraction is seed 0's"
    fields = lambda Q: tuple(1 + (Q.k_dil - 1) * np.cumsum(Q.dilations))  # noqa: E731
    assert fields(P) != fields(O), "q2's fields are seed 0's"
    counts, published = _q5_counts(**vars(P)), _q5_counts(**_PUBLISHED)
    assert all(a != b for a, b in zip(counts, published)), "a q5 count is seed 0's"
    assert P.pool_units != O.pool_units and P.view_k != O.view_k, "q6a's dense counts or views are seed 0's"
    assert abs(_pool_factor(P) / _pool_factor(O) - 1) > 0.01, "q6b's pool_factor is seed 0's"
