r"""Small neural-network pieces in NumPy, with hand-written derivatives."""

from __future__ import annotations

import numpy as np

from . import _checks

__all__ = ["sigmoid", "sigmoid_prime", "mlp_predict", "mlp_loss", "mlp_grad", "swap_hidden"]


def sigmoid(z):
    r"""The logistic function :math:`\sigma(z) = 1 / (1 + e^{-z})`.

    Computed as :math:`\tfrac12(1 + \tanh(z/2))`, which is the same function but never
    overflows for large :math:`|z|`.

    Examples
    --------
    >>> import descend as dd
    >>> float(dd.sigmoid(0.0)), float(dd.sigmoid(-1000.0))
    (0.5, 0.0)
    """
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=np.float64)))


def sigmoid_prime(z):
    r"""The derivative :math:`\sigma'(z) = \sigma(z)\,(1 - \sigma(z))`."""
    s = sigmoid(z)
    return s * (1.0 - s)


# --------------------------------------------------------------------------- a tiny MLP


def _mlp_parts(params, X, y=None):
    """Check the arguments and cut the flat parameter vector into (W1, b1, w2, b2)."""
    params = _checks.vector("params", params)
    X = _checks.matrix("X", X)
    n, n_inputs = X.shape
    if y is not None:
        y = _checks.vector("y", y, dim=n)
    hidden, extra = divmod(params.size - 1, n_inputs + 2)
    if hidden < 1 or extra:
        raise ValueError(f"params must have h·(n_inputs + 2) + 1 entries for some h ≥ 1 hidden units; with "
                         f"n_inputs = {n_inputs} that is {n_inputs + 3}, {2 * n_inputs + 5}, …, got {params.size}")
    W1 = params[: hidden * n_inputs].reshape(hidden, n_inputs)
    b1, w2 = params[hidden * n_inputs:][:hidden], params[hidden * (n_inputs + 1):][:hidden]
    return W1, b1, w2, params[-1], X, y


def mlp_predict(params, X) -> np.ndarray:
    r"""The outputs of a network with one hidden layer of tanh units, one per example.

    .. math:: \hat y_i = w_2^\top \tanh(W_1 x_i + b_1) + b_2

    Parameters
    ----------
    params : (h·(n + 2) + 1,) array_like
        All parameters in the flat layout of :func:`mlp_loss`.
    X : (N, n) array_like
        Inputs, one example per row.

    Returns
    -------
    (N,) array
        The predictions :math:`\hat y_i`; :func:`mlp_loss` is half their mean squared error.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> theta = np.array([1.0, 0.0, 2.0, 0.5])        # one hidden unit: ŷ = 2 tanh(x) + 0.5
    >>> dd.nn.mlp_predict(theta, np.array([[0.0], [1.0]])).round(6)
    array([0.5     , 2.023188])

    Notes
    -----
    Taught in chapter 9, to check that relabelling or sign-flipping hidden units leaves the
    function the network computes unchanged.
    """
    W1, b1, w2, b2, X, _ = _mlp_parts(params, X)
    return np.tanh(X @ W1.T + b1) @ w2 + b2


def mlp_loss(params, X, y) -> float:
    r"""Mean squared error of a network with one hidden layer of tanh units.

    .. math::
        \hat y_i = w_2^\top \tanh(W_1 x_i + b_1) + b_2, \qquad
        L(\theta) = \frac{1}{2N} \sum_{i=1}^N (\hat y_i - y_i)^2

    Parameters
    ----------
    params : (h·(n + 2) + 1,) array_like
        All parameters θ in one flat vector: :math:`W_1` (h × n, row by row, one row per
        hidden unit), then :math:`b_1` (h), :math:`w_2` (h) and :math:`b_2` (1).  The
        number of hidden units h is read from its length.
    X : (N, n) array_like
        Inputs, one example per row.
    y : (N,) array_like
        Targets.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> X, y = np.array([[0.0], [1.0]]), np.array([0.0, 1.0])
    >>> theta = np.array([1.0, 0.0, 2.0, 0.5])        # one hidden unit: W1, b1, w2, b2
    >>> round(dd.mlp_loss(theta, X, y), 6)            # ŷ = 2 tanh(x) + 0.5
    0.324229

    Notes
    -----
    Taught in chapter 9, where swapping two hidden units (:func:`swap_hidden`) shows that
    the loss of a network is not convex.
    """
    W1, b1, w2, b2, X, y = _mlp_parts(params, X, y)
    r = np.tanh(X @ W1.T + b1) @ w2 + b2 - y
    return float(0.5 * np.mean(r**2))


def mlp_grad(params, X, y) -> np.ndarray:
    r"""The gradient of :func:`mlp_loss`, by backpropagation, in the same flat layout.

    With :math:`z_i = \tanh(W_1 x_i + b_1)` and residuals :math:`r_i = \hat y_i - y_i`:

    .. math::
        \nabla_{w_2} L = \frac1N \sum_i r_i z_i, \quad
        \nabla_{b_2} L = \frac1N \sum_i r_i, \quad
        \delta_i = r_i\, w_2 \odot (1 - z_i^2), \quad
        \nabla_{W_1} L = \frac1N \sum_i \delta_i x_i^\top, \quad
        \nabla_{b_1} L = \frac1N \sum_i \delta_i

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> rng = np.random.default_rng(0)
    >>> X, y, theta = rng.normal(size=(5, 2)), rng.normal(size=5), rng.normal(size=13)
    >>> dd.check_grad(lambda p: dd.mlp_loss(p, X, y), lambda p: dd.mlp_grad(p, X, y), theta) < 1e-7
    True
    """
    W1, b1, w2, b2, X, y = _mlp_parts(params, X, y)
    n = X.shape[0]
    z = np.tanh(X @ W1.T + b1)
    r = (z @ w2 + b2 - y) / n                      # dL/dŷ, the 1/N folded in
    delta = np.outer(r, w2) * (1.0 - z**2)         # back through w2 and tanh
    return np.concatenate([(delta.T @ X).ravel(), delta.sum(0), z.T @ r, [r.sum()]])


def swap_hidden(params, i: int, j: int, n_inputs: int) -> np.ndarray:
    r"""The parameters of the same network with hidden units ``i`` and ``j`` swapped.

    Swapping rows i and j of :math:`W_1`, entries i and j of :math:`b_1` and of
    :math:`w_2` relabels the hidden units: the network computes the same function, so
    :func:`mlp_loss` is unchanged, although the parameter vector is a different point.

    Parameters
    ----------
    params : array_like
        Flat parameters in the layout of :func:`mlp_loss`.
    i, j : int
        The hidden units to swap, in ``0 … h−1``.
    n_inputs : int
        The number of inputs n (needed to read the layout).

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> theta = np.arange(7.0)                # n = 1 input, h = 2 units: W1, b1, w2, b2
    >>> dd.swap_hidden(theta, 0, 1, n_inputs=1)
    array([1., 0., 3., 2., 5., 4., 6.])

    Notes
    -----
    Taught in chapter 9.
    """
    n_inputs = _checks.count("n_inputs", n_inputs, minimum=1)
    W1, b1, w2, b2, _, _ = _mlp_parts(params, np.zeros((1, n_inputs)))
    hidden = b1.size
    for name, k in (("i", i), ("j", j)):
        k = _checks.count(name, k)
        if k >= hidden:
            raise ValueError(f"{name} must be a hidden unit in 0 … {hidden - 1}, got {k}")
    order = np.arange(hidden)
    order[[i, j]] = order[[j, i]]
    return np.concatenate([W1[order].ravel(), b1[order], w2[order], [b2]])


# --------------------------------------------------------------------------- convolution (chapter 10)


def _image(name, x, ndim=2):
    """A finite float64 array with at least ``ndim`` axes (an image or a stack of images)."""
    try:
        arr = np.array(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of real numbers, got {type(x).__name__}") from None
    if arr.ndim < ndim:
        raise ValueError(f"{name} must have at least {ndim} axes (…, height, width), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return arr


def _kernel(kernel, x, *, stack=True):
    """Check a kernel (kh, kw), or a stack (C, kh, kw), against the image ``x`` it slides over."""
    kernel = _image("kernel", kernel)
    if kernel.ndim > (3 if stack else 2):
        allowed = "(kh, kw) or (C, kh, kw)" if stack else "(kh, kw)"
        raise ValueError(f"kernel must have shape {allowed}, got {kernel.shape}")
    if any(k > n for k, n in zip(kernel.shape[-2:], x.shape[-2:])):
        raise ValueError(f"kernel must fit inside the image: kernel {kernel.shape[-2:]}, image {x.shape[-2:]}")
    return kernel


def _windows(x, shape):
    """Every window of ``shape`` in the last two axes of ``x``: (…, H − kh + 1, W − kw + 1, kh, kw), a view."""
    return np.lib.stride_tricks.sliding_window_view(x, tuple(shape), axis=(-2, -1))


def conv2d(x, kernel) -> np.ndarray:
    r"""Slide a kernel over an image: the two-dimensional cross-correlation of deep learning.

    .. math::
        Y_{ij} = \sum_{a=0}^{k_h - 1} \sum_{b=0}^{k_w - 1} K_{ab}\, X_{i+a,\, j+b},
        \qquad 0 \le i \le H - k_h, \quad 0 \le j \le W - k_w

    No padding and stride 1 ("valid"): an :math:`H \times W` image and a
    :math:`k_h \times k_w` kernel give an :math:`(H - k_h + 1) \times (W - k_w + 1)` map.
    Computed for all windows at once from a strided view of the image
    (``numpy.lib.stride_tricks.sliding_window_view``) and ``numpy.einsum``.

    Parameters
    ----------
    x : (…, H, W) array_like
        One image, or a stack of images.
    kernel : (kh, kw) or (C, kh, kw) array_like
        One kernel, or C kernels (filters); each must fit inside the image.

    Returns
    -------
    (…, H − kh + 1, W − kw + 1) array, or (…, C, H − kh + 1, W − kw + 1) for C kernels.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> x = np.arange(16.0).reshape(4, 4)
    >>> dd.conv2d(x, [[1.0, 0.0], [0.0, -1.0]])       # x[i, j] − x[i + 1, j + 1]
    array([[-5., -5., -5.],
           [-5., -5., -5.],
           [-5., -5., -5.]])

    Notes
    -----
    Mathematics calls this a cross-correlation; the convolution of signal processing,
    :math:`\sum_{a,b} K_{ab} X_{i-a,\,j-b}`, is the same with the kernel flipped in both
    axes.  Deep-learning libraries (``torch.nn.functional.conv2d``) compute the
    cross-correlation and call it convolution; since the kernel is learned, the flip does not
    matter.  Taught in chapter 10.
    """
    x = _image("x", x)
    kernel = _kernel(kernel, x)
    windows = _windows(x, kernel.shape[-2:])
    if kernel.ndim == 2:
        return np.einsum("...ijab,ab->...ij", windows, kernel)
    return np.einsum("...ijab,cab->...cij", windows, kernel)


def conv2d_backward(x, kernel, grad_out):
    r"""The gradients of a loss through :func:`conv2d`, given the gradient at its output.

    With :math:`Y = \mathrm{conv2d}(X, K)` and :math:`G = \partial L / \partial Y`, the chain
    rule over every :math:`Y_{ij}` that contains the entry gives

    .. math::
        \frac{\partial L}{\partial K_{ab}} = \sum_{i,j} G_{ij}\, X_{i+a,\,j+b},
        \qquad
        \frac{\partial L}{\partial X_{kl}} = \sum_{i,j} G_{ij}\, K_{k-i,\,l-j}

    (terms whose kernel index falls outside the kernel are zero).  Both are convolutions
    again: the first is ``conv2d(X, G)``, the input correlated with the output gradient; the
    second is ``conv2d`` of :math:`G` padded with :math:`k_h - 1` and :math:`k_w - 1` zeros on
    every side, with the kernel flipped in both axes (a "full" convolution).

    Parameters
    ----------
    x : (…, H, W) array_like
        The input of the forward pass, one image or a stack.
    kernel : (kh, kw) array_like
        The kernel of the forward pass.
    grad_out : (…, H − kh + 1, W − kw + 1) array_like
        :math:`\partial L / \partial Y`, the shape of ``conv2d(x, kernel)``.

    Returns
    -------
    grad_x : (…, H, W) array
        :math:`\partial L / \partial X`.
    grad_kernel : (kh, kw) array
        :math:`\partial L / \partial K`, summed over a stack of images.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> rng = np.random.default_rng(0)
    >>> x, K, G = rng.normal(size=(5, 6)), rng.normal(size=(3, 2)), rng.normal(size=(3, 5))
    >>> gx, gK = dd.conv2d_backward(x, K, G)
    >>> loss = lambda K: np.sum(G * dd.conv2d(x, K.reshape(3, 2)))   # L = Σ G ⊙ Y
    >>> dd.check_grad(loss, lambda K: gK.ravel(), K.ravel()) < 1e-8
    True

    Notes
    -----
    Taught in chapter 10.
    """
    x = _image("x", x)
    kernel = _kernel(kernel, x, stack=False)
    kh, kw = kernel.shape
    out_shape = x.shape[:-2] + (x.shape[-2] - kh + 1, x.shape[-1] - kw + 1)
    grad_out = _image("grad_out", grad_out)
    if grad_out.shape != out_shape:
        raise ValueError(f"grad_out must have the shape of conv2d(x, kernel), {out_shape}; got {grad_out.shape}")
    windows = _windows(x, out_shape[-2:]).reshape((-1, kh, kw) + out_shape[-2:])   # a stack of one or more
    grad_kernel = np.einsum("nabij,nij->ab", windows, grad_out.reshape((-1,) + out_shape[-2:]))
    padded = np.pad(grad_out, [(0, 0)] * (grad_out.ndim - 2) + [(kh - 1, kh - 1), (kw - 1, kw - 1)])
    return conv2d(padded, kernel[::-1, ::-1]), grad_kernel


def conv_output_size(n: int, size: int, *, padding: int = 0, stride: int = 1) -> int:
    r"""The length of a convolution's output along one axis.

    .. math:: o = \left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1

    for an input of length :math:`n`, a kernel of length :math:`k`, :math:`p` zeros of
    padding on each side and stride :math:`s` (the kernel moves :math:`s` pixels at a time).

    Examples
    --------
    >>> import descend as dd
    >>> dd.conv_output_size(28, 5), dd.conv_output_size(28, 5, padding=2), dd.conv_output_size(28, 2, stride=2)
    (24, 28, 14)

    Notes
    -----
    Taught in chapter 10.
    """
    n = _checks.count("n", n, minimum=1)
    size = _checks.count("size", size, minimum=1)
    padding = _checks.count("padding", padding)
    stride = _checks.count("stride", stride, minimum=1)
    if size > n + 2 * padding:
        raise ValueError(f"size must be at most n + 2·padding = {n + 2 * padding} (the kernel must fit), got {size}")
    return (n + 2 * padding - size) // stride + 1


def line_kernel(angle: float, size: int = 3, *, width: float = 0.5) -> np.ndarray:
    r"""A square kernel that responds to lines through its centre at ``angle`` degrees.

    Each entry falls off with the distance of its offset :math:`(a, b)` from the centre (row
    :math:`a`, column :math:`b`, each from :math:`-\Delta` to :math:`\Delta`, with
    ``size`` :math:`= 2\Delta + 1`) to the line through the centre at angle :math:`\varphi`,
    and the mean is subtracted, so that the entries add up to 0 and a flat patch gives 0:

    .. math::
        d_{ab} = \lvert a \cos\varphi + b \sin\varphi \rvert, \qquad
        K_{ab} = e^{-d_{ab}^2 / w^2} - \frac{1}{(2\Delta + 1)^2} \sum_{a', b'} e^{-d_{a'b'}^2 / w^2} .

    Angle 0 is a horizontal line, 90 a vertical one, 45 a diagonal that rises to the right
    (rows count downwards) and 135 one that falls to the right.

    Parameters
    ----------
    angle : float
        The line's angle :math:`\varphi` in degrees.
    size : int, optional
        The kernel's side, odd (3 by default).
    width : float, optional
        The distance :math:`w` over which the entries fall off (0.5 pixel by default).

    Returns
    -------
    (size, size) array

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> K = dd.nn.line_kernel(0)                       # horizontal: the middle row is positive
    >>> bool((K[1] > 0).all() and (K[[0, 2]] < 0).all()), bool(abs(K.sum()) < 1e-15)
    (True, True)
    >>> bool(np.allclose(dd.nn.line_kernel(90), dd.nn.line_kernel(0).T))    # vertical
    True

    Notes
    -----
    Taught in chapter 10 (a kernel that finds lines, and the explorer that turns it).
    """
    angle = _checks.real("angle", angle)
    size = _checks.count("size", size, minimum=1)
    if size % 2 == 0:
        raise ValueError(f"size must be odd (the kernel has a centre), got {size}")
    width = _checks.positive("width", width)
    half = size // 2
    a, b = np.mgrid[-half:half + 1, -half:half + 1]           # row and column offsets
    phi = np.deg2rad(angle)
    distance = np.abs(a * np.cos(phi) + b * np.sin(phi))      # to the line
    K = np.exp(-distance**2 / width**2)
    return K - K.mean()


def shift(x, s: int, t: int, *, periodic: bool = False) -> np.ndarray:
    r"""An image moved down by ``s`` and right by ``t`` pixels (either sign).

    .. math::
        (S_{st} X)_{kl} = X_{k-s,\; l-t},

    where the pixels pushed past the border drop off and zeros come in (that entry is 0 when
    :math:`(k - s, l - t)` lies outside the image), or, with ``periodic=True``, the indices are
    taken modulo :math:`H` and :math:`W` and the image wraps around (``np.roll``).

    Parameters
    ----------
    x : (…, H, W) array_like
        One image, or a stack (shifted in its last two axes).
    s, t : int
        The shift down and to the right; negative values shift up and to the left.
    periodic : bool, optional
        Wrap around instead of letting zeros in.

    Returns
    -------
    (…, H, W) array

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> x = np.arange(9.0).reshape(3, 3)
    >>> dd.nn.shift(x, 1, -1)
    array([[0., 0., 0.],
           [1., 2., 0.],
           [4., 5., 0.]])
    >>> dd.nn.shift(x, 1, -1, periodic=True)[0]
    array([7., 8., 6.])

    Notes
    -----
    Taught in chapter 10, where convolutions commute with these shifts away from the border.
    """
    x = _image("x", x)
    s, t = (_checks.real(name, v) for name, v in (("s", s), ("t", t)))
    if s != int(s) or t != int(t):
        raise ValueError(f"s and t must be whole numbers of pixels, got {s} and {t}")
    s, t = int(s), int(t)
    if periodic:
        return np.roll(x, (s, t), axis=(-2, -1))
    H, W = x.shape[-2:]
    out = np.zeros_like(x)
    if abs(s) < H and abs(t) < W:
        out[..., max(s, 0):H + min(s, 0), max(t, 0):W + min(t, 0)] = \
            x[..., max(-s, 0):H - max(s, 0), max(-t, 0):W - max(t, 0)]
    return out


def shift_matrix(s: int, t: int, shape, *, periodic: bool = False) -> np.ndarray:
    r"""The matrix of :func:`shift` on images of ``shape``, acting on images flattened row by row.

    For an :math:`H \times W` image it is the :math:`HW \times HW` matrix :math:`S` with
    :math:`S\, \mathrm{vec}(X) = \mathrm{vec}(S_{st} X)`; its column for pixel :math:`(k, l)`
    is the shifted one-pixel image :math:`S_{st} E^{kl}`.

    Parameters
    ----------
    s, t : int
        The shift down and to the right, as in :func:`shift`.
    shape : int or (int, int)
        The image's side, or its height and width.
    periodic : bool, optional
        Wrap around instead of letting zeros in.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> dd.nn.shift_matrix(1, 0, (3, 1))                  # a column of three pixels, moved down
    array([[0., 0., 0.],
           [1., 0., 0.],
           [0., 1., 0.]])
    >>> x = np.arange(12.0).reshape(3, 4)
    >>> bool(np.array_equal(dd.nn.shift_matrix(-1, 2, x.shape) @ x.ravel(), dd.nn.shift(x, -1, 2).ravel()))
    True

    Notes
    -----
    Taught in chapter 10.
    """
    H, W = (shape, shape) if np.ndim(shape) == 0 else shape
    H, W = _checks.count("height", H, minimum=1), _checks.count("width", W, minimum=1)
    pixels = np.eye(H * W).reshape(H * W, H, W)                  # E^{kl}, one per row
    return shift(pixels, s, t, periodic=periodic).reshape(H * W, H * W).T


def commutant(matrices, *, tol: float = 1e-9) -> np.ndarray:
    r"""A basis of the matrices that commute with every one of ``matrices``.

    The :math:`n \times n` matrices :math:`W` with :math:`W S = S W` for every given
    :math:`S` form a linear space. Flattened row by row,
    :math:`\mathrm{vec}(WS) = (I \otimes S^\top)\,\mathrm{vec}(W)` and
    :math:`\mathrm{vec}(SW) = (S \otimes I)\,\mathrm{vec}(W)`, so the space is the null space
    of the stacked matrices :math:`I \otimes S^\top - S \otimes I`, which an SVD gives: the
    right singular vectors whose singular values are at most ``tol``.

    Parameters
    ----------
    matrices : sequence of (n, n) array_like
    tol : float, optional
        Singular values at most this (absolute) count as zero.

    Returns
    -------
    (d, n, n) array
        An orthonormal basis (in the Frobenius inner product) of the d-dimensional space.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> len(dd.nn.commutant([np.diag([1.0, 2.0, 3.0])]))       # the diagonal matrices
    3
    >>> len(dd.nn.commutant([dd.nn.shift_matrix(1, 0, (4, 1), periodic=True)]))   # circulants
    4

    Notes
    -----
    Taught in chapter 10: the linear layers that commute with every shift of a periodic grid
    are the convolutions.
    """
    tol = _checks.positive("tol", tol)
    matrices = [_checks.matrix("matrices", S, square=True) for S in matrices]
    if not matrices or len({S.shape for S in matrices}) != 1:
        raise ValueError("matrices must be one or more square matrices of the same size")
    n = matrices[0].shape[0]
    I = np.eye(n)
    A = np.vstack([np.kron(I, S.T) - np.kron(S, I) for S in matrices])
    _, sigma, vt = np.linalg.svd(A)
    return vt[np.sum(sigma > tol):].reshape(-1, n, n)


# --------------------------------------------------------------------------- a tiny CNN (chapter 10)


def _cnn_parts(params, filters, size):
    """Cut the flat parameter vector into (K, c, W, b) and read the number of classes."""
    params = _checks.vector("params", params)
    filters = _checks.count("filters", filters, minimum=1)
    size = _checks.count("size", size, minimum=1)
    conv = filters * (size * size + 1)
    classes, extra = divmod(params.size - conv, filters + 1)
    if classes < 2 or extra:
        raise ValueError(f"params must have filters·(size² + 1) + m·(filters + 1) entries for m ≥ 2 classes; "
                         f"with filters = {filters}, size = {size} that is {conv + 2 * (filters + 1)}, "
                         f"{conv + 3 * (filters + 1)}, …, got {params.size}")
    K = params[: filters * size * size].reshape(filters, size * size)
    c = params[filters * size * size: conv]
    W = params[conv: conv + classes * filters].reshape(classes, filters)
    return K, c, W, params[conv + classes * filters:]


def _patches(images, size):
    """The images' size × size windows, flattened, one column per position: (N, size², P)."""
    images = _image("images", images, ndim=3)
    if images.ndim != 3:
        raise ValueError(f"images must have shape (N, height, width), got {images.shape}")
    if size > min(images.shape[1:]):
        raise ValueError(f"size must be at most the image's height and width, {images.shape[1:]}; got {size}")
    n = images.shape[0]
    # positions last, so that averaging over them runs along contiguous memory
    return np.ascontiguousarray(_windows(images, (size, size)).reshape(n, -1, size * size).transpose(0, 2, 1))


def _labels(labels, n, classes):
    labels = np.asarray(labels)
    if labels.shape != (n,) or labels.dtype.kind not in "iu" or np.any((labels < 0) | (labels >= classes)):
        raise ValueError(f"labels must be {n} integers in 0 … {classes - 1} (one class per image)")
    return labels


def _cnn_forward(params, patches, filters, size):
    """The forward pass on precomputed patches: the head W, the rectified maps A, the features p, the scores s."""
    K, c, W, b = _cnn_parts(params, filters, size)
    A = K @ patches                                # (N, C, P): the C feature maps of every image
    A += c[:, None]
    np.maximum(A, 0.0, out=A)                      # ReLU, in place: the maps are large, the rest small
    p = A.sum(axis=2) / patches.shape[2]           # average over the P positions
    return W, A, p, p @ W.T + b


def _cnn(params, patches, labels, filters, size, grad, forward=None):
    """The loss of the CNN on precomputed patches (scores if ``labels`` is None), and with ``grad`` its gradient."""
    W, A, p, s = forward if forward is not None else _cnn_forward(params, patches, filters, size)
    if labels is None:
        return s
    n, _, P = patches.shape
    labels = _labels(labels, n, W.shape[0])
    s = s - s.max(axis=1, keepdims=True)           # log-sum-exp without overflow
    log_z = np.log(np.exp(s).sum(axis=1))
    rows = np.arange(n)
    loss = float(np.mean(log_z - s[rows, labels]))
    if not grad:
        return loss
    ds = np.exp(s - log_z[:, None])                # softmax, minus the one-hot label, over N
    ds[rows, labels] -= 1.0
    ds /= n
    dA = (ds @ W) / P                              # back through the head and the average
    dZ = (A > 0) * dA[:, :, None]                  # and through the ReLU
    dK = (dZ @ patches.transpose(0, 2, 1)).sum(axis=0)   # Σ over images and positions
    return loss, np.concatenate([dK.ravel(), dZ.sum(axis=(0, 2)), (ds.T @ p).ravel(), ds.sum(axis=0)])


def cnn_loss(params, images, labels, *, filters: int = 6, size: int = 3) -> float:
    r"""Cross-entropy of a tiny convolutional network: one convolution layer and a softmax head.

    For image :math:`X_n`, filters :math:`K_1, \dots, K_C` of size :math:`k \times k` with
    biases :math:`c_1, \dots, c_C`, and a linear head :math:`W` (m × C), :math:`b` (m):

    .. math::
        Z_{n,c} = \mathrm{conv2d}(X_n, K_c) + c_c, \qquad
        p_{n,c} = \frac1P \sum_{i,j} \max\bigl(0, (Z_{n,c})_{ij}\bigr), \qquad
        s_n = W p_n + b,

    .. math::
        L(\theta) = \frac1N \sum_{n=1}^N \Bigl(\log \sum_{k=1}^m e^{s_{nk}} - s_{n, y_n}\Bigr),

    the mean cross-entropy of the softmax of the scores :math:`s_n`.  Each feature map is
    rectified (ReLU) and averaged over its P positions ("global average pooling"), so a
    shifted image gives nearly the same features, and the number of parameters does not
    depend on the size of the images.

    Parameters
    ----------
    params : (C·(k² + 1) + m·(C + 1),) array_like
        All parameters θ in one flat vector: the C kernels (each k × k, row by row), their
        C biases, W (row by row, one row per class), b.  The number of classes m is read
        from its length.
    images : (N, H, W) array_like
        The images, each at least k × k.
    labels : (N,) int array_like
        The classes, in 0 … m − 1.
    filters : int
        The number of filters C.
    size : int
        The side k of the filters.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> images, labels = dd.data.bars(n=10, seed=0)
    >>> theta = np.zeros(6 * (3 * 3 + 1) + 4 * (6 + 1))   # 6 filters 3 × 3, 4 classes
    >>> round(dd.cnn_loss(theta, images, labels), 6), round(float(np.log(4)), 6)   # equal scores
    (1.386294, 1.386294)

    Notes
    -----
    Taught in chapter 10, which derives the gradient (:func:`cnn_grad`) and trains the
    network with :func:`cnn_classifier` and :func:`descend.run`.
    """
    return _cnn(params, _patches(images, size), labels, filters, size, grad=False)


def cnn_grad(params, images, labels, *, filters: int = 6, size: int = 3) -> np.ndarray:
    r"""The gradient of :func:`cnn_loss` by backpropagation, in the same flat layout.

    With the softmax :math:`q_n` of the scores and the one-hot label :math:`e_{y_n}`,
    :math:`\delta_n = (q_n - e_{y_n}) / N` is :math:`\partial L / \partial s_n`, and the
    chain rule, layer by layer backwards, gives

    .. math::
        \nabla_W L = \sum_n \delta_n p_n^\top, \quad
        \nabla_b L = \sum_n \delta_n, \quad
        G_{n,c} = \frac{(W^\top \delta_n)_c}{P}\, \mathbb 1[Z_{n,c} > 0], \quad
        \nabla_{K_c} L = \sum_n \mathrm{conv2d}(X_n, G_{n,c}), \quad
        \nabla_{c_c} L = \sum_{n,i,j} (G_{n,c})_{ij}

    (the kernel's gradient is the correlation of the input with the gradient at the feature
    map, as in :func:`conv2d_backward`).

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> images, labels = dd.data.bars(n=10, seed=0)
    >>> theta = dd.cnn_init(seed=1)
    >>> dd.check_grad(lambda t: dd.cnn_loss(t, images, labels),
    ...               lambda t: dd.cnn_grad(t, images, labels), theta) < 1e-7
    True

    Notes
    -----
    Taught in chapter 10.
    """
    return _cnn(params, _patches(images, size), labels, filters, size, grad=True)[1]


def cnn_predict(params, images, *, filters: int = 6, size: int = 3) -> np.ndarray:
    r"""The class the network of :func:`cnn_loss` scores highest for each image, :math:`\arg\max_k s_{nk}`.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> images, labels = dd.data.bars(n=10, seed=0)
    >>> dd.cnn_predict(dd.cnn_init(), images).shape
    (10,)

    Notes
    -----
    Taught in chapter 10.
    """
    return _cnn(params, _patches(images, size), None, filters, size, grad=False).argmax(axis=1)


def cnn_init(filters: int = 6, size: int = 3, classes: int = 4, *, seed: int = 0) -> np.ndarray:
    r"""Random starting parameters for :func:`cnn_loss`, in its flat layout.

    Kernel entries are drawn from :math:`\mathcal N(0, 1/k^2)` and head weights from
    :math:`\mathcal N(0, 1/C)`, so that a feature or a score starts with a variance of
    about the variance of one input; biases start at zero.

    Examples
    --------
    >>> import descend as dd
    >>> dd.cnn_init(filters=6, size=3, classes=4).size     # 6·(9 + 1) + 4·(6 + 1)
    88

    Notes
    -----
    Taught in chapter 10.
    """
    filters = _checks.count("filters", filters, minimum=1)
    size = _checks.count("size", size, minimum=1)
    classes = _checks.count("classes", classes, minimum=2)
    rng = np.random.default_rng(_checks.count("seed", seed))
    return np.concatenate([rng.normal(0.0, 1.0 / size, filters * size * size), np.zeros(filters),
                           rng.normal(0.0, 1.0 / np.sqrt(filters), classes * filters), np.zeros(classes)])


def cnn_classifier(images, labels, *, filters: int = 6, size: int = 3, name: str = "CNN"):
    r"""The training loss of the network of :func:`cnn_loss` as a :class:`~descend.Problem`.

    The loss is an average over the N images, so the problem also gives mini-batch
    gradients, and ``dd.run(opt, problem, theta0, steps, batch_size=B)`` trains the network
    by mini-batch gradient descent, momentum or Adam.  The windows of every image are cut
    out once, here, so each step costs two matrix products.

    Parameters
    ----------
    images : (N, H, W) array_like
        The training images.
    labels : (N,) int array_like
        Their classes, in 0 … m − 1, where m = ``labels.max() + 1`` (at least 2).
    filters, size : int
        The number C and side k of the filters.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> images, labels = dd.data.bars(n=200, seed=0)
    >>> problem = dd.cnn_classifier(images, labels)
    >>> problem.dim, problem.n_examples
    (88, 200)
    >>> trace = dd.run(dd.adam(eta=0.05), problem, dd.cnn_init(), steps=40, batch_size=20)
    >>> bool(trace.fs[-1] < 0.6 * trace.fs[0])
    True

    Notes
    -----
    Taught in chapter 10.
    """
    from .problems import Problem  # here, not at the top: problems imports this module

    filters = _checks.count("filters", filters, minimum=1)
    size = _checks.count("size", size, minimum=1)
    patches = _patches(images, size)
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu" or labels.ndim != 1 or labels.size == 0:
        raise ValueError(f"labels must be a 1-D array of integer classes, got {labels.dtype} of shape {labels.shape}")
    classes = max(int(labels.max()) + 1, 2)
    labels = _labels(labels, patches.shape[0], classes)
    dim = filters * (size * size + 1) + classes * (filters + 1)
    last = {}   # the forward pass at the last point: dd.run asks for f and then grad at the same θ

    def forward(theta):
        theta = _checks.vector("params", theta, dim=dim)
        if "theta" not in last or not np.array_equal(last["theta"], theta):
            last.update(theta=theta, out=_cnn_forward(theta, patches, filters, size))
        return last["out"]

    def f(theta):
        return _cnn(theta, patches, labels, filters, size, grad=False, forward=forward(theta))

    def grad(theta):
        return _cnn(theta, patches, labels, filters, size, grad=True, forward=forward(theta))[1]

    def batch_grad(theta, idx):
        return _cnn(theta, patches[idx], labels[idx], filters, size, grad=True)[1]

    return Problem(f, grad, None, name=name, dim=dim, n_examples=patches.shape[0], batch_grad=batch_grad)


def cnn_curves(trace, train, test, *, every: int = 1, filters: int = 6, size: int = 3) -> dict:
    r"""The test loss and the training and test accuracy along a run of :func:`cnn_classifier`.

    At every ``every``-th iterate :math:`\theta_t` of the trace (with ``every`` the number of
    steps per epoch, once per epoch), the mean cross-entropy :func:`cnn_loss` on the test
    images, and on both sets the **accuracy**, the fraction of images whose highest score
    (:func:`cnn_predict`) is the right class.  The training loss is already in ``trace.fs``.

    Parameters
    ----------
    trace : Trace
        A run of ``dd.run`` on ``cnn_classifier(*train, filters=filters, size=size)``.
    train, test : (images, labels)
        The training and the test set.
    every : int, optional
        Evaluate at iterates 0, every, 2·every, ….
    filters, size : int
        The network's shape, as given to :func:`cnn_classifier`.

    Returns
    -------
    dict
        ``epoch`` (the passes over the data at those iterates, ``trace.epochs``, or the step
        for a run without mini-batches), ``test_loss``, ``train_acc`` and ``test_acc``, arrays
        of the same length.

    Examples
    --------
    >>> import descend as dd
    >>> images, labels = dd.data.bars(n=300, seed=0)
    >>> train, test = (images[:200], labels[:200]), (images[200:], labels[200:])
    >>> trace = dd.run(dd.adam(eta=0.05), dd.cnn_classifier(*train), dd.cnn_init(), steps=40, batch_size=20)
    >>> r = dd.nn.cnn_curves(trace, train, test, every=10)
    >>> r["epoch"].tolist(), bool(r["train_acc"][-1] > r["train_acc"][0])
    ([0.0, 1.0, 2.0, 3.0, 4.0], True)

    Notes
    -----
    Taught in chapter 10.
    """
    every = _checks.count("every", every, minimum=1)
    (X_train, y_train), (X_test, y_test) = train, test
    xs = trace.xs[::every]
    epochs = trace.epochs if trace.epochs is not None else np.arange(len(trace.fs), dtype=float)
    net = dict(filters=filters, size=size)

    def accuracy(X, y):
        return np.array([np.mean(cnn_predict(x, X, **net) == np.asarray(y)) for x in xs])

    return dict(epoch=np.asarray(epochs[:len(trace.xs)][::every]),
                test_loss=np.array([cnn_loss(x, X_test, y_test, **net) for x in xs]),
                train_acc=accuracy(X_train, y_train), test_acc=accuracy(X_test, y_test))


__all__ += ["conv2d", "conv2d_backward", "conv_output_size",
            "cnn_loss", "cnn_grad", "cnn_predict", "cnn_init", "cnn_classifier"]
__all__ += ["line_kernel", "shift", "shift_matrix", "commutant", "cnn_curves"]


# ----------------------------------------------------------------------- multi-channel layers (chapter 10)


def _batch(name, x, channels="C"):
    """A batch of multi-channel images: a finite float64 array of shape (N, C, H, W), no axis empty."""
    x = _image(name, x)
    if x.ndim != 4 or 0 in x.shape:
        raise ValueError(f"{name} must have shape (N, {channels}, H, W), a batch of images with channels "
                         f"and no empty axis; got {x.shape}")
    return x


def _conv_parts(x, kernels, stride, padding):
    """Check the arguments of :func:`conv2d_multi`; return them and the output's height and width."""
    x = _batch("x", x, "C_in")
    kernels = _image("kernels", kernels)
    if kernels.ndim != 4 or kernels.shape[1] != x.shape[1] or 0 in kernels.shape:
        raise ValueError(f"kernels must have shape (C_out, C_in, kh, kw) with C_in = {x.shape[1]} channels "
                         f"of x (and no empty axis); got {kernels.shape}")
    stride = _checks.count("stride", stride, minimum=1)
    padding = _checks.count("padding", padding)
    (H, W), (kh, kw) = x.shape[2:], kernels.shape[2:]
    if kh > H + 2 * padding or kw > W + 2 * padding:
        raise ValueError(f"kernels must fit inside the padded image: kernels {kh} × {kw}, image {H} × {W} "
                         f"with padding {padding}, i.e. {H + 2 * padding} × {W + 2 * padding}")
    out = (conv_output_size(H, kh, padding=padding, stride=stride),
           conv_output_size(W, kw, padding=padding, stride=stride))
    return x, kernels, stride, padding, out


def _strided_windows(x, shape, stride, padding=0):
    """The windows of ``shape`` of ``x`` padded with zeros, every ``stride``-th: (N, C, H', W', kh, kw)."""
    if padding:
        x = np.pad(x, [(0, 0), (0, 0), (padding, padding), (padding, padding)])
    return _windows(x, shape)[:, :, ::stride, ::stride]


def _grad_out(grad_out, shape, forward):
    grad_out = _image("grad_out", grad_out)
    if grad_out.shape != shape:
        raise ValueError(f"grad_out must have the shape of {forward}, {shape}; got {grad_out.shape}")
    return grad_out


def _scatter(shape, rows, cols, values):
    """An array of ``shape`` (N, C, H, W), zero but for ``values`` added at (row, column) of each channel.

    ``rows``, ``cols`` and ``values`` broadcast together to (N, C, …); values at the same pixel add up.
    """
    N, C, H, W = shape
    index = (np.arange(N * C).reshape((N, C) + (1,) * (np.ndim(rows) - 2)) * H + rows) * W + cols
    index, values = np.broadcast_arrays(index, values)
    return np.bincount(index.ravel(), weights=values.ravel(), minlength=N * C * H * W).reshape(shape)


def _window_pixels(out_hw, shape, stride):
    """Row and column of pixel (a, b) of window (i, j), shaped (1, 1, H', 1, kh, 1) and (W', 1, kw)."""
    (Ho, Wo), (kh, kw) = out_hw, shape
    rows = stride * np.arange(Ho)[:, None, None, None] + np.arange(kh)[:, None]
    return rows[None, None], stride * np.arange(Wo)[:, None, None] + np.arange(kw)


def conv2d_multi(x, kernels, bias=None, *, stride: int = 1, padding: int = 0) -> np.ndarray:
    r"""A convolution layer: a batch of multi-channel images, C_out kernels of C_in channels each.

    Each output channel :math:`o` of image :math:`n` sums the cross-correlations (:func:`conv2d`)
    of the :math:`C_\mathrm{in}` input channels with the :math:`C_\mathrm{in}` slices of kernel
    :math:`o`, and adds the bias :math:`b_o`:

    .. math::
        Y_{n,o} = b_o + \sum_{c=1}^{C_\mathrm{in}} K_{o,c} \star \tilde X_{n,c}, \qquad
        (K \star \tilde X)_{ij} = \sum_{a=0}^{k_h - 1} \sum_{b=0}^{k_w - 1} K_{ab}\,
        \tilde X_{s i + a,\, s j + b},

    where :math:`\tilde X` is the input with :math:`p` rows and columns of zeros added on every
    side (``padding``) and the kernel moves :math:`s` pixels at a time (``stride``).  An
    :math:`H \times W` input gives an :math:`H' \times W'` map with
    :math:`H' = \lfloor (H + 2p - k_h)/s \rfloor + 1` (:func:`conv_output_size`), and likewise
    :math:`W'`.  This is the definition of ``torch.nn.functional.conv2d(x, kernels, bias,
    stride, padding)`` (cross-correlation, zero padding, floor), so the two give the same
    numbers.  Computed for all images, channels and positions at once from a strided view
    (``numpy.lib.stride_tricks.sliding_window_view``) and one ``numpy.tensordot``.

    Parameters
    ----------
    x : (N, C_in, H, W) array_like
        A batch of N images with C_in channels each.
    kernels : (C_out, C_in, kh, kw) array_like
        C_out kernels, each with one kh × kw slice per input channel.
    bias : (C_out,) array_like, optional
        One number per output channel :math:`b_o`; zero if omitted.
    stride : int, optional
        The step :math:`s \ge 1` of the kernel, in pixels, along both axes (1 by default).
    padding : int, optional
        The number :math:`p \ge 0` of rows and columns of zeros on every side (0 by default).

    Returns
    -------
    (N, C_out, H', W') array

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)            # one image, one channel
    >>> K = np.stack([np.ones((1, 2, 2)), -np.ones((1, 2, 2))])   # two kernels: ± the sum of a 2 × 2 block
    >>> dd.nn.conv2d_multi(x, K, bias=[0.0, 100.0], stride=2)
    array([[[[10., 18.],
             [42., 50.]],
    <BLANKLINE>
            [[90., 82.],
             [58., 50.]]]])
    >>> dd.nn.conv2d_multi(np.ones((5, 3, 8, 8)), np.ones((4, 3, 3, 3)), padding=1).shape   # "same" size
    (5, 4, 8, 8)

    References
    ----------
    LeCun, Y., Bottou, L., Bengio, Y., Haffner, P. (1998). Gradient-based learning applied to
    document recognition. Proceedings of the IEEE 86(11), section II (convolutional layers
    with several feature maps).
    Goodfellow, I., Bengio, Y., Courville, A. (2016). Deep Learning, sections 9.1 and 9.5
    (multi-channel, strided and zero-padded convolution).
    Taught in chapter 10.
    """
    x, kernels, stride, padding, _ = _conv_parts(x, kernels, stride, padding)
    c_out = kernels.shape[0]
    if bias is None:
        bias = np.zeros(c_out)
    else:
        bias = _image("bias", bias, ndim=0)
        if bias.shape != (c_out,):
            raise ValueError(f"bias must have shape (C_out,) = ({c_out},), one number per kernel; "
                             f"got {bias.shape}")
    windows = _strided_windows(x, kernels.shape[2:], stride, padding)        # (N, C_in, H', W', kh, kw)
    Y = np.tensordot(windows, kernels, axes=([1, 4, 5], [1, 2, 3]))         # (N, H', W', C_out)
    Y += bias
    return np.ascontiguousarray(Y.transpose(0, 3, 1, 2))


def conv2d_multi_backward(x, kernels, grad_out, *, stride: int = 1, padding: int = 0):
    r"""The gradients of a loss through :func:`conv2d_multi`, given the gradient at its output.

    With :math:`G = \partial L / \partial Y` and the padded input :math:`\tilde X`, every output
    entry that contains a parameter contributes to its gradient:

    .. math::
        \frac{\partial L}{\partial b_o} = \sum_{n,i,j} G_{n,o,i,j}, \qquad
        \frac{\partial L}{\partial K_{o,c,a,b}} = \sum_{n,i,j} G_{n,o,i,j}\,
        \tilde X_{n,c,\, s i + a,\, s j + b},

    .. math::
        \frac{\partial L}{\partial \tilde X_{n,c,k,l}} = \sum_{o} \sum_{\substack{i, a:\, s i + a = k \\
        j, b:\, s j + b = l}} G_{n,o,i,j}\, K_{o,c,a,b},

    and :math:`\partial L / \partial X` is :math:`\partial L / \partial \tilde X` without the
    padding (the zeros are not parameters).  The last is computed as it reads: every output's
    gradient, times the kernel, added back onto the window of pixels it was computed from
    (overlapping windows add up; rows and columns that no window reaches, when :math:`s` does not
    divide :math:`H + 2p - k_h`, get 0).  As for :func:`conv2d_backward`, it is also a "full"
    cross-correlation with the kernels flipped in both axes and input and output channels
    swapped, of :math:`G` spread out with :math:`s - 1` zeros between its entries.

    Parameters
    ----------
    x : (N, C_in, H, W) array_like
        The input of the forward pass.
    kernels : (C_out, C_in, kh, kw) array_like
        The kernels of the forward pass (the bias does not enter the gradients).
    grad_out : (N, C_out, H', W') array_like
        :math:`\partial L / \partial Y`, the shape of ``conv2d_multi(x, kernels, stride=stride,
        padding=padding)``.
    stride, padding : int, optional
        As in the forward pass.

    Returns
    -------
    grad_x : (N, C_in, H, W) array
        :math:`\partial L / \partial X`.
    grad_kernels : (C_out, C_in, kh, kw) array
        :math:`\partial L / \partial K`, summed over the batch.
    grad_bias : (C_out,) array
        :math:`\partial L / \partial b`, summed over the batch.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> rng = np.random.default_rng(0)
    >>> x, K, G = rng.normal(size=(2, 3, 5, 5)), rng.normal(size=(4, 3, 3, 3)), rng.normal(size=(2, 4, 3, 3))
    >>> gx, gK, gb = dd.nn.conv2d_multi_backward(x, K, G, stride=2, padding=1)
    >>> loss = lambda k: np.sum(G * dd.nn.conv2d_multi(x, k.reshape(K.shape), stride=2, padding=1))  # Σ G ⊙ Y
    >>> dd.check_grad(loss, lambda k: gK.ravel(), K.ravel()) < 1e-8
    True

    References
    ----------
    Goodfellow, I., Bengio, Y., Courville, A. (2016). Deep Learning, section 9.5 (the
    gradients of a strided multi-channel convolution).
    LeCun, Y., Bottou, L., Bengio, Y., Haffner, P. (1998). Gradient-based learning applied to
    document recognition. Proceedings of the IEEE 86(11).
    Taught in chapter 10.
    """
    x, kernels, stride, padding, out_hw = _conv_parts(x, kernels, stride, padding)
    (N, _, H, W), (c_out, _, kh, kw) = x.shape, kernels.shape
    G = _grad_out(grad_out, (N, c_out) + out_hw, "conv2d_multi(x, kernels, stride=stride, padding=padding)")
    windows = _strided_windows(x, (kh, kw), stride, padding)
    grad_kernels = np.tensordot(G, windows, axes=([0, 2, 3], [0, 2, 3]))    # (C_out, C_in, kh, kw)
    # Σ_o G[n, o, i, j] K[o, c, a, b], added back at pixel (s i + a, s j + b) of the padded image
    # (cheaper than the full correlation, whose windows hold C_out · k² numbers per padded pixel)
    spread = np.einsum("noij,ocab->ncijab", G, kernels, optimize=True)
    rows, cols = _window_pixels(out_hw, (kh, kw), stride)
    grad_padded = _scatter((N, x.shape[1], H + 2 * padding, W + 2 * padding), rows, cols, spread)
    grad_x = grad_padded[:, :, padding:padding + H, padding:padding + W]
    return np.ascontiguousarray(grad_x), grad_kernels, G.sum(axis=(0, 2, 3))


def _pool_parts(x, size, stride):
    """Check the arguments of a pooling layer; return them (stride filled in) and its windows."""
    x = _batch("x", x)
    size = _checks.count("size", size, minimum=1)
    stride = size if stride is None else _checks.count("stride", stride, minimum=1)
    H, W = x.shape[2:]
    if size > min(H, W):
        raise ValueError(f"size must be at most the height and width of x, {H} × {W} (a window must fit); "
                         f"got {size}")
    return x, size, stride, _strided_windows(x, (size, size), stride)


def max_pool2d(x, size: int = 2, stride: int | None = None) -> np.ndarray:
    r"""Max pooling: the largest entry of each size × size window, channel by channel.

    .. math::
        Y_{n,c,i,j} = \max_{0 \le a,\, b < k} X_{n,c,\, s i + a,\, s j + b},
        \qquad H' = \lfloor (H - k)/s \rfloor + 1,

    with :math:`k` = ``size`` and :math:`s` = ``stride`` (:math:`s = k` by default: windows side
    by side, not overlapping; rows and columns left over at the border are dropped).  This is
    ``torch.nn.functional.max_pool2d(x, size, stride)``.  A small shift of the input often
    leaves the maximum of a window in place, so the output changes less than the input.

    Parameters
    ----------
    x : (N, C, H, W) array_like
        A batch of images with channels (feature maps).
    size : int, optional
        The window's side :math:`k \ge 1` (2 by default), at most H and W.
    stride : int, optional
        The step :math:`s \ge 1` between windows; ``size`` if omitted.

    Returns
    -------
    (N, C, H', W') array

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> x = np.array([[1.0, 2.0, 5.0, 0.0],
    ...               [3.0, 4.0, 1.0, 1.0],
    ...               [0.0, 0.0, 7.0, 8.0],
    ...               [9.0, 0.0, 6.0, 6.0]]).reshape(1, 1, 4, 4)
    >>> dd.nn.max_pool2d(x)[0, 0]
    array([[4., 5.],
           [9., 8.]])

    References
    ----------
    Goodfellow, I., Bengio, Y., Courville, A. (2016). Deep Learning, section 9.3 (pooling;
    max pooling after Zhou and Chellappa 1988).
    LeCun, Y., Bottou, L., Bengio, Y., Haffner, P. (1998). Gradient-based learning applied to
    document recognition. Proceedings of the IEEE 86(11) (its "subsampling" layers pool by
    averaging, :func:`avg_pool2d`).
    Taught in chapter 10.
    """
    _, _, _, windows = _pool_parts(x, size, stride)
    return windows.max(axis=(-2, -1))


def max_pool2d_backward(x, grad_out, size: int = 2, stride: int | None = None) -> np.ndarray:
    r"""The gradient of a loss through :func:`max_pool2d`, given the gradient at its output.

    Each output is one of its window's entries, the largest, so its gradient goes to that
    entry alone:

    .. math::
        \frac{\partial L}{\partial X_{n,c,k,l}} = \sum_{i,j} G_{n,c,i,j}\,
        \mathbb 1\bigl[(k, l) = (s i + a^*, s j + b^*)\bigr],
        \qquad (a^*, b^*) = \arg\max_{a,b} X_{n,c,\, s i + a,\, s j + b},

    zero for every entry that is no window's maximum; overlapping windows (stride < size) can
    send several terms to one entry.  **Ties**: when a window's maximum occurs more than once,
    all of the gradient goes to the first occurrence in row-major order (smallest :math:`a`,
    then smallest :math:`b`), as in PyTorch's CPU kernel, which keeps the first maximum it
    meets scanning the window row by row.  (At a tie the maximum is not differentiable; this is
    one of its subgradients.)

    Parameters
    ----------
    x : (N, C, H, W) array_like
        The input of the forward pass.
    grad_out : (N, C, H', W') array_like
        :math:`\partial L / \partial Y`, the shape of ``max_pool2d(x, size, stride)``.
    size, stride : int, optional
        As in the forward pass.

    Returns
    -------
    (N, C, H, W) array
        :math:`\partial L / \partial X`.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> x = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 1, 2, 2)
    >>> dd.nn.max_pool2d_backward(x, [[[[10.0]]]])[0, 0]          # all to the maximum, 4
    array([[ 0.,  0.],
           [ 0., 10.]])
    >>> dd.nn.max_pool2d_backward(np.ones((1, 1, 2, 2)), [[[[10.0]]]])[0, 0]   # a tie: the first one
    array([[10.,  0.],
           [ 0.,  0.]])

    References
    ----------
    Goodfellow, I., Bengio, Y., Courville, A. (2016). Deep Learning, sections 9.3 and 6.5.
    Taught in chapter 10.
    """
    x, size, stride, windows = _pool_parts(x, size, stride)
    N, C, Ho, Wo = windows.shape[:4]
    G = _grad_out(grad_out, (N, C, Ho, Wo), "max_pool2d(x, size, stride)")
    first = windows.reshape(N, C, Ho, Wo, size * size).argmax(axis=-1)   # argmax takes the first of ties
    rows = stride * np.arange(Ho)[:, None] + first // size
    cols = stride * np.arange(Wo) + first % size
    return _scatter(x.shape, rows, cols, G)


def avg_pool2d(x, size: int = 2, stride: int | None = None) -> np.ndarray:
    r"""Average pooling: the mean of each size × size window, channel by channel.

    .. math::
        Y_{n,c,i,j} = \frac{1}{k^2} \sum_{a=0}^{k-1} \sum_{b=0}^{k-1} X_{n,c,\, s i + a,\, s j + b},
        \qquad H' = \lfloor (H - k)/s \rfloor + 1,

    with :math:`k` = ``size`` and :math:`s` = ``stride`` (:math:`s = k` by default; rows and
    columns left over at the border are dropped).  This is
    ``torch.nn.functional.avg_pool2d(x, size, stride)``.

    Parameters
    ----------
    x : (N, C, H, W) array_like
        A batch of images with channels (feature maps).
    size : int, optional
        The window's side :math:`k \ge 1` (2 by default), at most H and W.
    stride : int, optional
        The step :math:`s \ge 1` between windows; ``size`` if omitted.

    Returns
    -------
    (N, C, H', W') array

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> dd.nn.avg_pool2d(x)[0, 0]                      # (0 + 1 + 4 + 5)/4, …
    array([[ 2.5,  4.5],
           [10.5, 12.5]])

    References
    ----------
    LeCun, Y., Bottou, L., Bengio, Y., Haffner, P. (1998). Gradient-based learning applied to
    document recognition. Proceedings of the IEEE 86(11), section II.B (the subsampling
    layers S2 and S4 add the four values of each 2 × 2 block, then multiply by a trained
    coefficient and add a trained bias: an average pooling up to that scale).
    Goodfellow, I., Bengio, Y., Courville, A. (2016). Deep Learning, section 9.3.
    Taught in chapter 10.
    """
    _, _, _, windows = _pool_parts(x, size, stride)
    return windows.mean(axis=(-2, -1))


def avg_pool2d_backward(x, grad_out, size: int = 2, stride: int | None = None) -> np.ndarray:
    r"""The gradient of a loss through :func:`avg_pool2d`, given the gradient at its output.

    Every entry of a window carries weight :math:`1/k^2` in its mean, so

    .. math::
        \frac{\partial L}{\partial X_{n,c,k',l'}} = \frac{1}{k^2} \sum_{\substack{i, a:\, s i + a = k' \\
        j, b:\, s j + b = l'}} G_{n,c,i,j}

    (zero for entries in no window; with the default stride each entry lies in at most one).

    Parameters
    ----------
    x : (N, C, H, W) array_like
        The input of the forward pass (only its shape matters).
    grad_out : (N, C, H', W') array_like
        :math:`\partial L / \partial Y`, the shape of ``avg_pool2d(x, size, stride)``.
    size, stride : int, optional
        As in the forward pass.

    Returns
    -------
    (N, C, H, W) array
        :math:`\partial L / \partial X`.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> dd.nn.avg_pool2d_backward(np.zeros((1, 1, 2, 3)), [[[[8.0]]]])[0, 0]   # the last column: no window
    array([[2., 2., 0.],
           [2., 2., 0.]])

    References
    ----------
    LeCun, Y., Bottou, L., Bengio, Y., Haffner, P. (1998). Gradient-based learning applied to
    document recognition. Proceedings of the IEEE 86(11).
    Goodfellow, I., Bengio, Y., Courville, A. (2016). Deep Learning, section 9.3.
    Taught in chapter 10.
    """
    x, size, stride, windows = _pool_parts(x, size, stride)
    N, C, Ho, Wo = windows.shape[:4]
    G = _grad_out(grad_out, (N, C, Ho, Wo), "avg_pool2d(x, size, stride)")
    rows, cols = _window_pixels((Ho, Wo), (size, size), stride)
    return _scatter(x.shape, rows, cols, G[..., None, None] / size**2)


__all__ += ["conv2d_multi", "conv2d_multi_backward", "max_pool2d", "max_pool2d_backward",
            "avg_pool2d", "avg_pool2d_backward"]


# ------------------------------------------------------------------------- softmax, cross-entropy (chapter 1)


def _scores(scores):
    """Finite scores, one row (m,) or a stack of rows (N, m), m ≥ 2."""
    try:
        z = np.array(scores, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"scores must be an array of real numbers, got {type(scores).__name__}") from None
    if z.ndim not in (1, 2) or z.shape[-1] < 2:
        raise ValueError(f"scores must have shape (m,) or (N, m) with m ≥ 2 classes, got {z.shape}")
    if not np.all(np.isfinite(z)):
        raise ValueError("scores must be finite")
    return z


def log_sum_exp(scores) -> np.ndarray:
    r"""The log-sum-exp of the scores, computed without overflow: :math:`\log \sum_k e^{z_k}`.

    Computed as :math:`c + \log \sum_k e^{z_k - c}` with :math:`c = \max_k z_k`, which is the same
    number (:math:`\sum_k e^{z_k} = e^c \sum_k e^{z_k - c}`): every exponent is then at most 0,
    so nothing overflows, and the largest term is :math:`e^0 = 1`, so the sum is at least 1 and
    its logarithm is never :math:`\log 0`.  (The logarithm is taken as ``log1p`` of the sum of
    the other terms, which keeps its digits when they are tiny.)

    Parameters
    ----------
    scores : (m,) or (N, m) array_like
        The scores (logits) :math:`z` of m ≥ 2 classes, or one row per example.

    Returns
    -------
    float, or (N,) array for a stack of rows

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> round(dd.nn.log_sum_exp([1000.0, 1000.0]), 6)        # 1000 + log 2, though e^1000 overflows
    1000.693147

    Notes
    -----
    Taught in chapter 1; :func:`cnn_loss` (chapter 10) computes its cross-entropy the same way.
    """
    z = _scores(scores)
    c = z.max(axis=-1, keepdims=True)
    out = c[..., 0] + _log_sum_exp_shifted(z - c)
    return float(out) if np.ndim(out) == 0 else out


def softmax(scores) -> np.ndarray:
    r"""The softmax of the scores: probabilities :math:`p_k = e^{z_k} / \sum_j e^{z_j}`.

    Computed as :math:`e^{z_k - c} / \sum_j e^{z_j - c}` with :math:`c = \max_j z_j`, the same
    ratio (the factor :math:`e^{-c}` cancels): every exponent is at most 0, so large scores do not
    overflow, and the sum is at least 1.  The differences :math:`z_k - c` of nearby scores are
    exact however large the scores are, so the probabilities keep their digits;
    :math:`e^{z_k - \mathrm{lse}(z)}` would not, since :math:`\mathrm{lse}(z)` is rounded at the
    size of the scores (a relative error near :math:`10^{-8}` for scores near :math:`10^8`).

    Parameters
    ----------
    scores : (m,) or (N, m) array_like

    Returns
    -------
    array of the shape of ``scores``: positive entries, each row summing to 1.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> dd.nn.softmax([0.0, np.log(3.0)]).round(12)
    array([0.25, 0.75])

    Notes
    -----
    Taught in chapter 1.
    """
    z = _scores(scores)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def cross_entropy(scores, labels):
    r"""The cross-entropy of the softmax: :math:`\ell(z) = -\log \mathrm{softmax}(z)_y`.

    Minus the log-probability that the softmax of the scores gives the right class y.  As in
    :func:`log_sum_exp`, the largest score c is subtracted first: the loss is computed as
    :math:`\log \sum_k e^{z_k - c} - (z_y - c)`, which never overflows and, unlike
    :math:`\mathrm{lse}(z) - z_y`, does not lose digits by subtracting two large numbers.  Its
    gradient with respect to the scores is :math:`\mathrm{softmax}(z) - \mathrm{onehot}(y)`
    (chapter 1 derives it), with :math:`\mathrm{onehot}(y)` the vector with 1 at the class y and
    0 elsewhere.

    Parameters
    ----------
    scores : (m,) or (N, m) array_like
        The scores of m ≥ 2 classes, or one row per example.
    labels : int, or (N,) int array_like
        The right class, in 0 … m − 1, one per row.

    Returns
    -------
    float, or (N,) array (one loss per example; :func:`cnn_loss` is the mean of these)

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> round(dd.nn.cross_entropy([2.0, 1.0, 0.0], 0), 6)
    0.407606
    >>> dd.nn.cross_entropy([[1000.0, 990.0], [0.0, 0.0]], [0, 1]).round(6).tolist()   # no overflow
    [4.5e-05, 0.693147]

    Notes
    -----
    Taught in chapter 1.
    """
    z = _scores(scores)
    m = z.shape[-1]
    y = np.asarray(labels)
    if y.shape != z.shape[:-1] or y.dtype.kind not in "iu" or np.any((y < 0) | (y >= m)):
        want = "one integer" if z.ndim == 1 else f"{z.shape[0]} integers"
        raise ValueError(f"labels must be {want} in 0 … {m - 1} (one class per row of scores), "
                         f"got {labels!r}")
    z = z - z.max(axis=-1, keepdims=True)          # the scores relative to the largest: as cnn_loss does
    picked = np.take_along_axis(z, y.reshape(z.shape[:-1] + (1,)), axis=-1)[..., 0]
    out = _log_sum_exp_shifted(z) - picked         # lse(z − c) − (z_y − c): no large numbers subtracted
    return float(out) if np.ndim(out) == 0 else out


def _log_sum_exp_shifted(z):
    """log Σ e^{z_k} for rows whose largest entry is 0: log1p of the other terms, exact near a sum of 1."""
    e = np.exp(z)
    np.put_along_axis(e, np.argmax(z, axis=-1)[..., None], 0.0, axis=-1)   # the term e⁰ = 1, once
    return np.log1p(e.sum(axis=-1))


# --------------------------------------------------------------------------- networks as graphs (chapter 1)


def neuron_graph(x=(0.5, 2.5), y=(0.2, 0.9)) -> list:
    r"""The sigmoid neuron's squared error as a computational graph, one operation per node.

    For each example :math:`i = 1, \dots, N`:

    .. math::
        u_i = w x_i, \quad z_i = u_i + b, \quad a_i = \sigma(z_i), \quad
        r_i = a_i - y_i, \quad q_i = r_i^2,

    then :math:`s = q_1 + \dots + q_N` (partial sums ``s:2``, ``s:3``, … and the last one ``s``) and
    :math:`L = \tfrac12 s`, the loss of :func:`descend.sigmoid_neuron`.  The inputs are ``"w"`` and
    ``"b"``; each feeds N nodes, so its gradient is a sum over N paths.

    Parameters
    ----------
    x, y : sequences of N ≥ 1 numbers
        The examples; by default the chapter's two points (0.5, 0.2) and (2.5, 0.9).

    Returns
    -------
    list of (name, op, args)
        For :func:`descend.calculus.graph_forward` and :func:`~descend.calculus.graph_backward`.

    Examples
    --------
    >>> import descend as dd
    >>> graph = dd.nn.neuron_graph()
    >>> len(graph), graph[0], graph[-1]
    (12, ('u1', 'mul', ('w', 0.5)), ('L', 'mul', ('s', 0.5)))
    >>> values = dd.calculus.graph_forward(graph, {"w": 0.5, "b": 0.0})
    >>> bool(abs(values["L"] - dd.sigmoid_neuron().f([0.5, 0.0])) < 1e-15)
    True

    Notes
    -----
    Taught in chapter 1.
    """
    xs, ys = _checks.vector("x", x), _checks.vector("y", y)
    if xs.size != ys.size:
        raise ValueError(f"x and y must have the same length, got {xs.size} and {ys.size}")
    graph = []
    for i, (xi, yi) in enumerate(zip(xs.tolist(), ys.tolist()), start=1):
        graph += [(f"u{i}", "mul", ("w", xi)), (f"z{i}", "add", (f"u{i}", "b")),
                  (f"a{i}", "sigmoid", (f"z{i}",)), (f"r{i}", "sub", (f"a{i}", yi)),
                  (f"q{i}", "square", (f"r{i}",))]
    graph += _sum_nodes([f"q{i}" for i in range(1, xs.size + 1)], "s")
    return graph + [("L", "mul", ("s", 0.5))]


def _sum_nodes(terms, name):
    """Nodes adding the named terms one at a time; the last is called ``name`` (a copy if one term)."""
    if len(terms) == 1:
        return [(name, "mul", (terms[0], 1.0))]
    nodes, total = [], terms[0]
    for k, term in enumerate(terms[1:], start=2):
        new = name if k == len(terms) else f"{name}:{k}"     # the sum of the first k terms
        nodes.append((new, "add", (total, term)))
        total = new
    return nodes


def cross_entropy_graph(m: int, label: int) -> list:
    r"""The cross-entropy of the softmax of m scores as a computational graph, computed naively.

    With inputs ``"z0"`` … ``"z{m-1}"`` and class y = ``label``:

    .. math:: e_k = e^{z_k}, \quad S = e_0 + \dots + e_{m-1}, \quad l = \log S, \quad
              \ell = l - z_y ,

    so :math:`z_y` feeds two nodes (its exponential and the last subtraction).  This is the
    formula as written, which overflows for large scores; :func:`cross_entropy` computes the
    same function stably.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> graph = dd.nn.cross_entropy_graph(3, 0)
    >>> z = {"z0": 2.0, "z1": 1.0, "z2": 0.0}
    >>> loss = dd.calculus.graph_forward(graph, z)["loss"]
    >>> bool(abs(loss - dd.nn.cross_entropy([2.0, 1.0, 0.0], 0)) < 1e-15)
    True

    Notes
    -----
    Taught in chapter 1.
    """
    m = _checks.count("m", m, minimum=2)
    label = _checks.count("label", label)
    if label >= m:
        raise ValueError(f"label must be a class in 0 … {m - 1}, got {label}")
    graph = [(f"e{k}", "exp", (f"z{k}",)) for k in range(m)]
    graph += _sum_nodes([f"e{k}" for k in range(m)], "S")
    return graph + [("l", "log", ("S",)), ("loss", "sub", ("l", f"z{label}"))]


def mlp_graph(X, y, hidden: int) -> tuple[list, list]:
    r"""The loss of :func:`mlp_loss` as a computational graph of scalar operations.

    For example i and hidden unit j: products :math:`W_{1,jk} x_{ik}` added up, plus
    :math:`b_{1,j}`, then :math:`t_{ij} = \tanh(\cdot)` and :math:`w_{2,j} t_{ij}`; these are
    added up, plus :math:`b_2`, minus :math:`y_i`, squared; the squares are added and the sum
    multiplied by :math:`1/(2N)`.  Every node applies one operation of at most two arguments.

    Parameters
    ----------
    X : (N, n) array_like
        Inputs, one example per row.
    y : (N,) array_like
        Targets.
    hidden : int
        The number of hidden units h.

    Returns
    -------
    graph : list of (name, op, args)
        The nodes; the last one, ``"L"``, is the loss.
    names : list of str
        The h·(n + 2) + 1 parameters in the flat layout of :func:`mlp_loss` (``"W1[j,k]"``,
        ``"b1[j]"``, ``"w2[j]"``, ``"b2"``): ``dict(zip(names, params))`` are the inputs.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> X, y = np.array([[0.0], [1.0]]), np.array([0.0, 1.0])
    >>> graph, names = dd.nn.mlp_graph(X, y, hidden=1)
    >>> names
    ['W1[0,0]', 'b1[0]', 'w2[0]', 'b2']
    >>> theta = np.array([1.0, 0.0, 2.0, 0.5])
    >>> values = dd.calculus.graph_forward(graph, dict(zip(names, theta)))
    >>> round(values["L"], 6), round(dd.mlp_loss(theta, X, y), 6)
    (0.324229, 0.324229)

    Notes
    -----
    Taught in chapter 1, which counts the operations of its forward and backward passes.
    """
    X = _checks.matrix("X", X)
    n_examples, n_inputs = X.shape
    y = _checks.vector("y", y, dim=n_examples)
    hidden = _checks.count("hidden", hidden, minimum=1)
    names = ([f"W1[{j},{k}]" for j in range(hidden) for k in range(n_inputs)]
             + [f"b1[{j}]" for j in range(hidden)] + [f"w2[{j}]" for j in range(hidden)] + ["b2"])
    graph, squares = [], []
    for i in range(n_examples):
        outputs = []
        for j in range(hidden):
            products = [f"p{i},{j},{k}" for k in range(n_inputs)]
            graph += [(p, "mul", (f"W1[{j},{k}]", float(X[i, k]))) for k, p in enumerate(products)]
            graph += _sum_nodes(products, f"s{i},{j}") if n_inputs > 1 else []
            graph += [(f"z{i},{j}", "add", (f"s{i},{j}" if n_inputs > 1 else products[0], f"b1[{j}]")),
                      (f"t{i},{j}", "tanh", (f"z{i},{j}",)), (f"o{i},{j}", "mul", (f"w2[{j}]", f"t{i},{j}"))]
            outputs.append(f"o{i},{j}")
        graph += _sum_nodes(outputs, f"h{i}") if hidden > 1 else []
        graph += [(f"yhat{i}", "add", (f"h{i}" if hidden > 1 else outputs[0], "b2")),
                  (f"r{i}", "sub", (f"yhat{i}", float(y[i]))), (f"q{i}", "square", (f"r{i}",))]
        squares.append(f"q{i}")
    graph += _sum_nodes(squares, "sum")
    return graph + [("L", "mul", ("sum", 0.5 / n_examples))], names


__all__ += ["log_sum_exp", "softmax", "cross_entropy", "neuron_graph", "cross_entropy_graph", "mlp_graph"]


# ------------------------------------------------------- a convolutional network on real digits (chapter 10)


def _convnet_images(images):
    """Images as a batch (N, C_in, H, W): a stack (N, H, W) gets one channel."""
    x = _image("images", images, ndim=3)
    if x.ndim == 3:
        x = x[:, None]
    if x.ndim != 4 or 0 in x.shape:
        raise ValueError(f"images must have shape (N, H, W) or (N, C_in, H, W) with no empty axis, got {x.shape}")
    if min(x.shape[2:]) < 2:
        raise ValueError(f"images must be at least 2 × 2 (one pooling window), got {x.shape[2:]}")
    return x


def _convnet_sizes(x_shape, channels, classes):
    """The lengths of the four blocks (K, c, W, b) of the flat parameter vector."""
    _, c_in, H, W = x_shape
    features = channels * (H // 2) * (W // 2)
    return channels * c_in * 9, channels, classes * features, classes


def _convnet_parts(params, x_shape, channels):
    """Cut θ into K (C, C_in, 3, 3), c (C,), W (m, F), b (m,); the number of classes m is read from its length."""
    params = _checks.vector("params", params)
    channels = _checks.count("channels", channels, minimum=1)
    nK, nc, per_class, _ = _convnet_sizes(x_shape, channels, 1)
    classes, extra = divmod(params.size - nK - nc, per_class + 1)
    if classes < 2 or extra:
        raise ValueError(f"params must have C·(9·C_in + 1) + m·(F + 1) entries for m ≥ 2 classes, with "
                         f"C = {channels} channels and F = {per_class} features: "
                         f"{nK + nc + 2 * (per_class + 1)}, {nK + nc + 3 * (per_class + 1)}, …; got {params.size}")
    K, c, W, b = np.split(params, np.cumsum([nK, nc, classes * per_class]))
    return K.reshape(channels, x_shape[1], 3, 3), c, W.reshape(classes, per_class), b


def _convnet_patches(x):
    """Every 3 × 3 window of the images padded by 1, one column per pixel: (9·C_in, N, H·W).

    Channels and kernel offsets first, so that the convolution of the whole batch is one
    matrix product, and so is its kernel gradient.
    """
    N, c_in, H, W = x.shape
    windows = _strided_windows(x, (3, 3), 1, padding=1)             # (N, C_in, H, W, 3, 3)
    return np.ascontiguousarray(windows.transpose(1, 4, 5, 0, 2, 3)).reshape(c_in * 9, N, H * W)


def _convnet_forward(params, patches, shape, channels):
    """The forward pass on precomputed patches: what the backward pass needs, and the scores.

    The pooling is done before the ReLU, on a quarter of the numbers: ReLU and the maximum
    commute, max(ReLU(z)) = ReLU(max z). The backward pass needs, for every pooled number, the
    pixel its gradient goes to (``route``): max_pool2d's first maximum of the window, row-major,
    when it is positive; when it is not, the ReLU stops the gradient, and ``route`` is 4 (none).
    (The library's layers multiply the gradient by the ReLU's 0 there instead: the same, except
    that an infinite gradient of the features gives NaN there and 0 here.)
    """
    N, c_in, H, W = shape
    K, c, W_head, b = _convnet_parts(params, shape, channels)
    with np.errstate(over="ignore", invalid="ignore"):
        Z = (K.reshape(channels, -1) @ patches.reshape(9 * c_in, -1)).reshape(channels, N, H, W)
    Z += c[:, None, None, None]                    # conv2d_multi(x, K, c, padding=1), channels first
    h, w = H // 2, W // 2
    # the four pixels (a, b) = (0, 0), (0, 1), (1, 0), (1, 1) of every 2 × 2 window, row-major
    corners = [Z[..., a:2 * h:2, b:2 * w:2] for a in (0, 1) for b in (0, 1)]
    top = np.maximum(np.maximum(corners[0], corners[1]), np.maximum(corners[2], corners[3]))
    pooled = np.maximum(top, 0.0)                  # max_pool2d(ReLU(Z))
    route = np.where(top > 0, np.where(corners[0] == top, 0, np.where(corners[1] == top, 1,
                                       np.where(corners[2] == top, 2, 3))), 4).astype(np.int8)
    F = pooled.transpose(1, 0, 2, 3).reshape(N, -1)  # features in the order (channel, row, column)
    with np.errstate(over="ignore", invalid="ignore"):   # a diverged θ: the loss is reported as inf
        return K, W_head, Z.shape, route, F, F @ W_head.T + b


def _convnet(params, patches, shape, labels, channels, grad, forward=None):
    K, W, Z_shape, route, F, s = forward if forward is not None else _convnet_forward(params, patches, shape, channels)
    if labels is None:
        return s
    N = shape[0]
    labels = _labels(labels, N, W.shape[0])
    if not np.all(np.isfinite(s)):                 # a diverged run: dd.run reports it as diverged
        return np.inf if not grad else (np.inf, np.full(np.size(params), np.nan))
    loss = float(np.mean(cross_entropy(s, labels)))
    if not grad:
        return loss
    ds = softmax(s)                                  # ∂L/∂s = (softmax(s) − onehot(y)) / N
    ds[np.arange(N), labels] -= 1.0
    ds /= N
    # max_pool2d_backward and the ReLU's: each pooled entry's gradient to its route, if any
    dF = np.ascontiguousarray((ds @ W).reshape(N, channels, *route.shape[2:]).transpose(1, 0, 2, 3))
    h, w = route.shape[2:]
    dZ = np.empty(Z_shape) if Z_shape[2:] == (2 * h, 2 * w) else np.zeros(Z_shape)  # odd: an unpooled edge
    for k, (a, b) in enumerate([(0, 0), (0, 1), (1, 0), (1, 1)]):
        dZ[..., a:2 * h:2, b:2 * w:2] = np.where(route == k, dF, 0.0)
    dZ = dZ.reshape(channels, -1)
    dK = dZ @ patches.reshape(patches.shape[0], -1).T   # conv2d_multi_backward's kernel gradient
    return loss, np.concatenate([dK.ravel(), dZ.sum(axis=1), (ds.T @ F).ravel(), ds.sum(axis=0)])


def _convnet_layers(params, images, labels, *, channels=8):
    """The same loss and gradient composed from the library's layers (slower; the tests compare the two)."""
    x = _convnet_images(images)
    K, c, W, b = _convnet_parts(params, x.shape, channels)
    Z = conv2d_multi(x, K, c, padding=1)
    A = np.maximum(Z, 0.0)
    F = max_pool2d(A, 2)
    s = F.reshape(len(x), -1) @ W.T + b
    n = len(x)
    loss = float(np.mean(cross_entropy(s, labels)))
    ds = softmax(s)
    ds[np.arange(n), labels] -= 1.0
    ds /= n
    dZ = max_pool2d_backward(A, (ds @ W).reshape(F.shape), 2) * (Z > 0)
    _, dK, dc = conv2d_multi_backward(x, K, dZ, padding=1)
    return loss, np.concatenate([dK.ravel(), dc, (ds.T @ F.reshape(n, -1)).ravel(), ds.sum(axis=0)])


def convnet_loss(params, images, labels, *, channels: int = 8) -> float:
    r"""Cross-entropy of a small convolutional network: convolution, ReLU, max pooling, softmax.

    For a batch of images :math:`X_n` with :math:`C_\mathrm{in}` channels of :math:`H \times W`
    pixels (H, W even), C kernels :math:`K_o` of :math:`C_\mathrm{in} \times 3 \times 3` with
    biases :math:`c_o`, and a dense head :math:`W` (m × F), :math:`b` (m), with
    :math:`F = C\,(H/2)(W/2)` features:

    .. math::
        Z_{n,o} = c_o + \sum_{c} K_{o,c} \star \tilde X_{n,c}, \qquad
        A = \max(0, Z), \qquad
        P_n = \mathrm{maxpool}_{2 \times 2}(A_n), \qquad
        s_n = W \operatorname{vec}(P_n) + b,

    .. math::
        L(\theta) = \frac1N \sum_{n=1}^N \Bigl(\log \sum_{k=1}^m e^{s_{nk}} - s_{n, y_n}\Bigr),

    where :math:`\tilde X` is the image padded with one row and column of zeros on every side,
    so each map keeps the image's size (:func:`conv2d_multi` with ``padding=1``), and the
    :math:`2 \times 2` max pooling (:func:`max_pool2d`) halves it.  For the 8 × 8 digits
    (:func:`descend.data.digits`) with C = 8 that is 8 · 9 + 8 = 80 convolution parameters and
    10 · (128 + 1) = 1290 in the head.

    It is computed as matrix products on the 3 × 3 windows of the padded images, cut once
    (channels first), with the pooling's maxima and their positions taken from the four pixels
    of each window; the result equals the composition of :func:`conv2d_multi`,
    :func:`max_pool2d`, :func:`max_pool2d_backward` and :func:`conv2d_multi_backward` (the tests
    compare the two to round-off, ties included) and is several times faster, which matters
    because :func:`descend.run` evaluates the loss and gradient on the whole training set at
    every step.

    Parameters
    ----------
    params : (C·(9·C_in + 1) + m·(F + 1),) array_like
        θ in one flat vector: the kernels K (C, C_in, 3, 3) in C order, their biases c, W (row by
        row, one row per class), b.  The number of classes m is read from its length.
    images : (N, H, W) or (N, C_in, H, W) array_like
        The images (a stack without a channel axis has one channel).
    labels : (N,) int array_like
        The classes, in 0 … m − 1.
    channels : int
        The number C of kernels (output channels of the convolution).

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> train = dd.data.digits().train
    >>> theta = np.zeros(8 * (9 + 1) + 10 * (8 * 4 * 4 + 1))       # 1370 parameters
    >>> round(dd.nn.convnet_loss(theta, train.images[:50], train.labels[:50]), 6) == round(float(np.log(10)), 6)
    True

    References
    ----------
    LeCun, Y., Bottou, L., Bengio, Y., Haffner, P. (1998). Gradient-based learning applied to
    document recognition. Proceedings of the IEEE 86(11).
    Taught in chapter 10, which trains it on the digits with SGD, momentum and Adam
    (:func:`convnet_classifier`).
    """
    x = _convnet_images(images)
    return _convnet(params, _convnet_patches(x), x.shape, labels, channels, grad=False)


def convnet_grad(params, images, labels, *, channels: int = 8) -> np.ndarray:
    r"""The gradient of :func:`convnet_loss` by backpropagation, in the same flat layout.

    With :math:`\delta_n = (\mathrm{softmax}(s_n) - e_{y_n}) / N`, layer by layer backwards:

    .. math::
        \nabla_W L = \sum_n \delta_n \operatorname{vec}(P_n)^\top, \quad
        \nabla_b L = \sum_n \delta_n, \quad
        \frac{\partial L}{\partial P_n} = W^\top \delta_n,

    then :func:`max_pool2d_backward` sends each pooled entry's gradient to the maximum of its
    window, the ReLU keeps it where :math:`Z > 0`, and :func:`conv2d_multi_backward` gives the
    gradients of the kernels and biases.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> train = dd.data.digits().train
    >>> X, y, theta = train.images[:20], train.labels[:20], dd.nn.convnet_init(seed=1) + 0.01
    >>> dd.check_grad(lambda t: dd.nn.convnet_loss(t, X, y),
    ...               lambda t: dd.nn.convnet_grad(t, X, y), theta) < 1e-7
    True

    Notes
    -----
    Taught in chapter 10.
    """
    x = _convnet_images(images)
    return _convnet(params, _convnet_patches(x), x.shape, labels, channels, grad=True)[1]


def convnet_predict(params, images, *, channels: int = 8) -> np.ndarray:
    r"""The class :func:`convnet_loss`'s network scores highest for each image, :math:`\arg\max_k s_{nk}`.

    Examples
    --------
    >>> import descend as dd
    >>> dd.nn.convnet_predict(dd.nn.convnet_init(), dd.data.digits().test.images).shape
    (359,)

    Notes
    -----
    Taught in chapter 10.
    """
    x = _convnet_images(images)
    return _convnet_forward(params, _convnet_patches(x), x.shape, channels)[-1].argmax(axis=1)


def convnet_accuracy(params, images, labels, *, channels: int = 8) -> float:
    r"""The fraction of images that :func:`convnet_predict` classifies right.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> test = dd.data.digits().test
    >>> 0 <= dd.nn.convnet_accuracy(dd.nn.convnet_init(), *test) <= 1
    True

    Notes
    -----
    Taught in chapter 10.
    """
    labels = np.asarray(labels)
    predicted = convnet_predict(params, images, channels=channels)
    if labels.shape != predicted.shape:
        raise ValueError(f"labels must have one class per image, shape {predicted.shape}; got {labels.shape}")
    return float(np.mean(predicted == labels))


def convnet_init(channels: int = 8, classes: int = 10, *, shape=(8, 8), in_channels: int = 1,
                 seed=0) -> np.ndarray:
    r"""Starting parameters for :func:`convnet_loss`: He for the ReLU layer, LeCun for the head.

    The kernel entries are drawn from :math:`\mathcal N(0, 2/n_\mathrm{in})` with the fan-in
    :math:`n_\mathrm{in} = 9\,C_\mathrm{in}` (He et al., 2015: the convolution feeds a ReLU, which
    halves the mean square), the head's weights from :math:`\mathcal N(0, 1/F)` (no ReLU
    follows: the variance-preserving scale of a linear layer), and every bias is zero; see
    :func:`init_weights`.

    Parameters
    ----------
    channels : int
        The number C of kernels.
    classes : int
        The number of classes m ≥ 2.
    shape : (int, int)
        The images' height and width, each ≥ 2.
    in_channels : int
        :math:`C_\mathrm{in}`.
    seed : int or numpy.random.Generator

    Examples
    --------
    >>> import descend as dd
    >>> dd.nn.convnet_init().size            # 8·(9 + 1) + 10·(8·4·4 + 1)
    1370

    References
    ----------
    He, K., Zhang, X., Ren, S., Sun, J. (2015). Delving deep into rectifiers: surpassing
    human-level performance on ImageNet classification. ICCV.
    Taught in chapter 10.
    """
    channels = _checks.count("channels", channels, minimum=1)
    classes = _checks.count("classes", classes, minimum=2)
    in_channels = _checks.count("in_channels", in_channels, minimum=1)
    if len(shape) != 2:
        raise ValueError(f"shape must be (height, width), got {shape!r}")
    H, W = (_checks.count("shape", s, minimum=2) for s in shape)
    rng = _rng(seed)
    nK, nc, nW, nb = _convnet_sizes((1, in_channels, H, W), channels, classes)
    K = init_weights(9 * in_channels, channels, "he", seed=rng)
    head = init_weights(nW // classes, classes, "lecun", seed=rng)
    return np.concatenate([K.ravel(), np.zeros(nc), head.ravel(), np.zeros(nb)])


def convnet_classifier(images, labels, *, channels: int = 8, name: str = "CNN, digits"):
    r"""The training loss of :func:`convnet_loss` as a :class:`~descend.Problem` with mini-batch gradients.

    ``dd.run(opt, problem, theta0, steps, batch_size=B, seed=s)`` then trains the network by
    mini-batch SGD, momentum or Adam; ``problem.f`` is the mean loss over all the images.

    Parameters
    ----------
    images : (N, H, W) or (N, C_in, H, W) array_like
    labels : (N,) int array_like
        Their classes, in 0 … m − 1, with m = ``labels.max() + 1`` (at least 2).
    channels : int
        The number C of kernels.

    Examples
    --------
    >>> import descend as dd
    >>> train = dd.data.digits().train
    >>> problem = dd.nn.convnet_classifier(*train)
    >>> problem.dim, problem.n_examples
    (1370, 1078)
    >>> trace = dd.run(dd.adam(eta=0.01), problem, dd.nn.convnet_init(), steps=30, batch_size=32)
    >>> bool(trace.fs[-1] < 0.5 * trace.fs[0])
    True

    Notes
    -----
    Taught in chapter 10.
    """
    from .problems import Problem  # here, not at the top: problems imports this module

    x = _convnet_images(images)
    channels = _checks.count("channels", channels, minimum=1)
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu" or labels.ndim != 1 or labels.size == 0:
        raise ValueError(f"labels must be a 1-D array of integer classes, got {labels.dtype} of shape {labels.shape}")
    classes = max(int(labels.max()) + 1, 2)
    labels = _labels(labels, len(x), classes)
    dim = sum(_convnet_sizes(x.shape, channels, classes))
    patches = _convnet_patches(x)
    last = {}   # the forward pass at the last point: dd.run asks for f and then grad at the same θ

    def forward(theta):
        theta = _checks.vector("params", theta, dim=dim)
        if "theta" not in last or not np.array_equal(last["theta"], theta):
            last.update(theta=theta, out=_convnet_forward(theta, patches, x.shape, channels))
        return theta, last["out"]

    def f(theta):
        theta, out = forward(theta)
        return _convnet(theta, patches, x.shape, labels, channels, grad=False, forward=out)

    def grad(theta):
        theta, out = forward(theta)
        return _convnet(theta, patches, x.shape, labels, channels, grad=True, forward=out)[1]

    def batch_grad(theta, idx):
        return _convnet(theta, patches[:, idx], (len(idx),) + x.shape[1:], labels[idx], channels, grad=True)[1]

    return Problem(f, grad, None, name=name, dim=dim, n_examples=len(x), batch_grad=batch_grad)


def convnet_curves(trace, train, val, *, every: int = 1, channels: int = 8) -> dict:
    r"""The validation loss and the training and validation accuracy along a run of :func:`convnet_classifier`.

    At every ``every``-th iterate of the trace (once per epoch when ``every`` is the number of
    steps per epoch).  The training loss is already in ``trace.fs``.

    Parameters
    ----------
    trace : Trace
    train, val : (images, labels)
    every : int
    channels : int

    Returns
    -------
    dict
        ``epoch``, ``val_loss``, ``train_acc``, ``val_acc``: arrays of the same length.

    Examples
    --------
    >>> import descend as dd
    >>> train, val, _ = dd.data.digits()
    >>> trace = dd.run(dd.adam(eta=0.01), dd.nn.convnet_classifier(*train), dd.nn.convnet_init(),
    ...                steps=20, batch_size=32)
    >>> r = dd.nn.convnet_curves(trace, train, val, every=10)
    >>> r["epoch"].round(3).tolist(), bool(r["val_acc"][-1] > r["val_acc"][0])
    ([0.0, 0.297, 0.594], True)

    Notes
    -----
    Taught in chapter 10.
    """
    every = _checks.count("every", every, minimum=1)
    xs = trace.xs[::every]
    epochs = trace.epochs if trace.epochs is not None else np.arange(len(trace.fs), dtype=float)
    net = dict(channels=channels)
    return dict(epoch=np.asarray(epochs[:len(trace.xs)][::every]),
                val_loss=np.array([convnet_loss(x, *val, **net) for x in xs]),
                train_acc=np.array([convnet_accuracy(x, *train, **net) for x in xs]),
                val_acc=np.array([convnet_accuracy(x, *val, **net) for x in xs]))


__all__ += ["convnet_loss", "convnet_grad", "convnet_predict", "convnet_accuracy", "convnet_init",
            "convnet_classifier", "convnet_curves"]


# ------------------------------------------------------------ initialization and batch normalization (chapter 10)


def _rng(seed):
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(_checks.count("seed", seed))


#: The variance of each weight, as a function of (fan_in, fan_out).
INIT_VARIANCES = {
    "lecun": lambda n_in, n_out: 1.0 / n_in,
    "glorot": lambda n_in, n_out: 2.0 / (n_in + n_out),
    "he": lambda n_in, n_out: 2.0 / n_in,
}


def init_variance(fan_in: int, fan_out: int, scheme) -> float:
    r"""The variance :math:`\sigma^2` of each weight under an initialization scheme.

    ``"lecun"``: :math:`1/n_\mathrm{in}`; ``"glorot"`` (Xavier): :math:`2/(n_\mathrm{in} +
    n_\mathrm{out})`; ``"he"`` (Kaiming): :math:`2/n_\mathrm{in}`; a positive number is taken as
    :math:`\sigma` itself (a fixed scale, for comparison).

    Examples
    --------
    >>> import descend as dd
    >>> dd.nn.init_variance(256, 256, "glorot"), dd.nn.init_variance(256, 256, "he"), dd.nn.init_variance(4, 9, 0.1)
    (0.00390625, 0.0078125, 0.010000000000000002)

    Notes
    -----
    Taught in chapter 10; see :func:`init_weights`.
    """
    fan_in = _checks.count("fan_in", fan_in, minimum=1)
    fan_out = _checks.count("fan_out", fan_out, minimum=1)
    if isinstance(scheme, str):
        _checks.choice("scheme", scheme, tuple(INIT_VARIANCES))
        return INIT_VARIANCES[scheme](fan_in, fan_out)
    if isinstance(scheme, bool) or not isinstance(scheme, (int, float, np.floating, np.integer)):
        raise TypeError(f"scheme must be one of {', '.join(map(repr, INIT_VARIANCES))} or a standard deviation "
                        f"σ > 0, got {scheme!r}")
    return _checks.positive("scheme", scheme) ** 2


def init_weights(fan_in: int, fan_out: int, scheme="he", *, seed=0) -> np.ndarray:
    r"""A random weight matrix of shape (fan_out, fan_in), entries independent :math:`\mathcal N(0, \sigma^2)`.

    .. math::
        \sigma^2_\mathrm{LeCun} = \frac{1}{n_\mathrm{in}}, \qquad
        \sigma^2_\mathrm{Glorot} = \frac{2}{n_\mathrm{in} + n_\mathrm{out}}, \qquad
        \sigma^2_\mathrm{He} = \frac{2}{n_\mathrm{in}} .

    A layer :math:`z = W h` with :math:`n_\mathrm{in}` inputs multiplies the mean square of its
    input by :math:`n_\mathrm{in}\sigma^2` (in expectation, for independent zero-mean weights); a
    ReLU then halves it.  So :math:`1/n_\mathrm{in}` keeps the variance of a linear (or tanh, near
    0) stack, :math:`2/n_\mathrm{in}` that of a ReLU stack (He et al.), and Glorot and Bengio's
    :math:`2/(n_\mathrm{in} + n_\mathrm{out})` compromises between the forward pass
    (:math:`1/n_\mathrm{in}`) and the backward pass (:math:`1/n_\mathrm{out}`); for a square
    layer the three are :math:`1/n`, :math:`1/n` and :math:`2/n`.  (Glorot and Bengio's
    "normalized initialization" draws from a uniform distribution with this variance; PyTorch's
    ``xavier_normal_`` and ``kaiming_normal_`` draw from the normal one, as here.)

    Parameters
    ----------
    fan_in, fan_out : int
        :math:`n_\mathrm{in}` and :math:`n_\mathrm{out}`, each ≥ 1 (for a convolution,
        :math:`n_\mathrm{in} = C_\mathrm{in} k_h k_w`).
    scheme : {"he", "glorot", "lecun"} or float
        The scale, or a fixed standard deviation σ > 0 (see :func:`init_variance`).
    seed : int or numpy.random.Generator

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> W = dd.nn.init_weights(1000, 500, "he", seed=0)
    >>> W.shape, round(float(W.var() * 1000 / 2), 2)          # σ² = 2/1000
    ((500, 1000), 1.0)

    References
    ----------
    Glorot, X., Bengio, Y. (2010). Understanding the difficulty of training deep feedforward
    neural networks. AISTATS.
    He, K., Zhang, X., Ren, S., Sun, J. (2015). Delving deep into rectifiers: surpassing
    human-level performance on ImageNet classification. ICCV.
    LeCun, Y., Bottou, L., Orr, G., Müller, K.-R. (1998). Efficient BackProp.
    Taught in chapter 10.
    """
    variance = init_variance(fan_in, fan_out, scheme)
    return _rng(seed).normal(0.0, np.sqrt(variance), (int(fan_out), int(fan_in)))


_ACTIVATIONS = {"linear": lambda z: z, "relu": lambda z: np.maximum(z, 0.0), "tanh": np.tanh}


def activation_variances(depth: int, width: int, scheme="he", activation: str = "relu", *,
                         batch: int = 100, seed=0) -> np.ndarray:
    r"""The variance of the signal after each layer of a deep stack at its random start.

    Draws ``batch`` inputs :math:`x \sim \mathcal N(0, I)` of ``width`` entries and sends them
    through ``depth`` layers :math:`z_l = W_l h_{l-1}`, :math:`h_l = \varphi(z_l)`,
    :math:`h_0 = x`, with square weight matrices from :func:`init_weights` and no biases, and
    returns the mean of :math:`z_l^2` over the units and the inputs, for l = 1 … depth.  The
    pre-activations have mean zero (the weights do), so this estimates :math:`\mathrm{Var}(z_l)`,
    which the lemma of chapter 10 predicts:

    .. math::
        \mathrm{Var}(z_1) = n\sigma^2\, \mathbb E[x^2], \qquad
        \mathrm{Var}(z_{l+1}) = n\sigma^2\, \mathbb E[\varphi(z_l)^2]
        = \begin{cases} n\sigma^2\, \mathrm{Var}(z_l) & \text{linear} \\
                        \tfrac12 n\sigma^2\, \mathrm{Var}(z_l) & \text{ReLU.} \end{cases}

    Parameters
    ----------
    depth, width : int
        The number of layers L ≥ 1 and their width n ≥ 1.
    scheme : {"he", "glorot", "lecun"} or float
        As in :func:`init_weights`.
    activation : {"relu", "linear", "tanh"}
    batch : int
        The number of random inputs.
    seed : int or numpy.random.Generator

    Returns
    -------
    (depth,) array

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> v = dd.nn.activation_variances(30, 256, "he", "relu")
    >>> round(float(v[0]), 1), round(float(np.exp(np.mean(np.diff(np.log(v))))), 2)   # 2 E[x²], then × 1 per layer
    (2.0, 0.99)
    >>> v = dd.nn.activation_variances(30, 256, "glorot", "relu")
    >>> round(float(np.exp(np.mean(np.diff(np.log(v))))), 2)                          # halved at every layer
    0.5

    References
    ----------
    Glorot, X., Bengio, Y. (2010). Understanding the difficulty of training deep feedforward
    neural networks. AISTATS.
    He, K., Zhang, X., Ren, S., Sun, J. (2015). Delving deep into rectifiers. ICCV, section 2.2.
    Taught in chapter 10.
    """
    depth = _checks.count("depth", depth, minimum=1)
    width = _checks.count("width", width, minimum=1)
    batch = _checks.count("batch", batch, minimum=1)
    phi = _ACTIVATIONS[_checks.choice("activation", activation, tuple(_ACTIVATIONS))]
    init_variance(width, width, scheme)                 # check the scheme before drawing anything
    rng = _rng(seed)
    h = rng.normal(size=(batch, width))
    out = np.empty(depth)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        for l in range(depth):
            z = h @ init_weights(width, width, scheme, seed=rng).T
            out[l] = np.mean(z * z)
            h = phi(z)
    return out


def batch_norm(x, gamma, beta, eps: float = 1e-5):
    r"""Batch normalization of a batch of feature vectors (training mode): normalize, scale, shift.

    For each feature j, over the N rows of the batch,

    .. math::
        \mu_j = \frac1N \sum_n x_{nj}, \qquad
        v_j = \frac1N \sum_n (x_{nj} - \mu_j)^2, \qquad
        \hat x_{nj} = \frac{x_{nj} - \mu_j}{\sqrt{v_j + \epsilon}}, \qquad
        y_{nj} = \gamma_j \hat x_{nj} + \beta_j .

    The variance is the biased one (divided by N), as in Ioffe and Szegedy's algorithm 1 and
    ``torch.nn.functional.batch_norm(..., training=True)``; ε keeps the division finite when a
    feature is constant over the batch.

    Parameters
    ----------
    x : (N, D) array_like
        The batch, N ≥ 1 rows of D features.
    gamma, beta : (D,) array_like
        The scale :math:`\gamma` and shift :math:`\beta`, one per feature.
    eps : float
        :math:`\epsilon > 0`.

    Returns
    -------
    y : (N, D) array
    cache : tuple
        What :func:`batch_norm_backward` needs: :math:`\hat x`, :math:`\gamma` and
        :math:`1/\sqrt{v + \epsilon}`.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> x = np.array([[1.0, 10.0], [3.0, 10.0]])
    >>> y, _ = dd.nn.batch_norm(x, gamma=[1.0, 1.0], beta=[0.0, 5.0], eps=0.0 + 1e-12)
    >>> y.round(6)
    array([[-1.,  5.],
           [ 1.,  5.]])

    References
    ----------
    Ioffe, S., Szegedy, C. (2015). Batch normalization: accelerating deep network training by
    reducing internal covariate shift. ICML, algorithm 1.
    Taught in chapter 10.
    """
    x = _checks.matrix("x", x)
    D = x.shape[1]
    gamma, beta = (_checks.vector(name, v, dim=D) for name, v in (("gamma", gamma), ("beta", beta)))
    return _batch_norm(x, gamma, beta, _checks.positive("eps", eps))


def _batch_norm(x, gamma, beta, eps=1e-5):
    """:func:`batch_norm` without the checks of its arguments."""
    centred = x - x.mean(axis=0)
    inv_std = 1.0 / np.sqrt(np.mean(centred * centred, axis=0) + eps)
    x_hat = centred * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std)


def batch_norm_backward(grad_out, cache):
    r"""The gradients of a loss through :func:`batch_norm`, given the gradient :math:`g` at its output.

    Every :math:`x_{nj}` enters every :math:`y_{mj}` of its column through :math:`\mu_j` and
    :math:`v_j`; the chain rule through them collapses to the closed form

    .. math::
        \frac{\partial L}{\partial \beta_j} = \sum_n g_{nj}, \qquad
        \frac{\partial L}{\partial \gamma_j} = \sum_n g_{nj}\, \hat x_{nj}, \qquad
        \frac{\partial L}{\partial x_{nj}} = \frac{\gamma_j}{N\sqrt{v_j + \epsilon}}
        \Bigl(N g_{nj} - \sum_m g_{mj} - \hat x_{nj} \sum_m g_{mj}\, \hat x_{mj}\Bigr).

    The gradient of each column of x is thus :math:`\gamma_j / \sqrt{v_j + \epsilon}` times
    :math:`g` with its mean and (for :math:`\epsilon = 0` exactly, otherwise nearly) its component
    along :math:`\hat x` removed: it sums to zero, so a step along it leaves the batch mean where
    it is.

    Parameters
    ----------
    grad_out : (N, D) array_like
        :math:`g = \partial L / \partial y`.
    cache : tuple
        The second value :func:`batch_norm` returned.

    Returns
    -------
    grad_x : (N, D) array
    grad_gamma, grad_beta : (D,) arrays

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> rng = np.random.default_rng(0)
    >>> x, g, gamma = rng.normal(size=(5, 3)), rng.normal(size=(5, 3)), rng.normal(size=3)
    >>> _, cache = dd.nn.batch_norm(x, gamma, np.zeros(3))
    >>> gx, _, _ = dd.nn.batch_norm_backward(g, cache)
    >>> loss = lambda v: np.sum(g * dd.nn.batch_norm(v.reshape(5, 3), gamma, np.zeros(3))[0])
    >>> dd.check_grad(loss, lambda v: gx.ravel(), x.ravel()) < 1e-7
    True

    References
    ----------
    Ioffe, S., Szegedy, C. (2015). Batch normalization. ICML, section 3 (the chain rule through
    the batch statistics).
    Taught in chapter 10.
    """
    try:
        x_hat, gamma, inv_std = cache
    except (TypeError, ValueError):
        raise TypeError("cache must be the second value that batch_norm returned") from None
    g = _checks.matrix("grad_out", grad_out)
    if g.shape != x_hat.shape:
        raise ValueError(f"grad_out must have the shape of batch_norm's output, {x_hat.shape}; got {g.shape}")
    n = g.shape[0]
    grad_beta = g.sum(axis=0)
    grad_gamma = (g * x_hat).sum(axis=0)
    grad_x = (gamma * inv_std / n) * (n * g - grad_beta - x_hat * grad_gamma)
    return grad_x, grad_gamma, grad_beta


__all__ += ["init_variance", "init_weights", "activation_variances", "batch_norm", "batch_norm_backward"]


# -------------------------------------------------- a deep MLP with and without batch normalization (chapter 10)


def _deep_mlp_widths(widths):
    try:
        widths = tuple(widths)
    except TypeError:
        raise TypeError(f"widths must be a sequence of layer widths (n_0, …, n_L), got {widths!r}") from None
    if len(widths) < 2:
        raise ValueError(f"widths must hold at least the input and output widths, got {widths!r}")
    widths = tuple(_checks.count("widths", w, minimum=1) for w in widths)
    if widths[-1] < 2:
        raise ValueError(f"widths must end with the number of classes m ≥ 2, got {widths[-1]}")
    return widths


def _deep_mlp_split(params, widths, batch_norm):
    """Cut θ into one (W, b) pair per layer; with batch norm, hidden layers hold (W, γ, β) instead."""
    params = _checks.vector("params", params)
    sizes = []
    for l, (n_in, n_out) in enumerate(zip(widths, widths[1:])):
        hidden = l < len(widths) - 2
        sizes += [n_in * n_out] + ([n_out, n_out] if batch_norm and hidden else [n_out])
    if params.size != sum(sizes):
        raise ValueError(f"params must have {sum(sizes)} entries for widths {widths} "
                         f"{'with' if batch_norm else 'without'} batch normalization, got {params.size}")
    parts = np.split(params, np.cumsum(sizes)[:-1])
    layers, k = [], 0
    for l, (n_in, n_out) in enumerate(zip(widths, widths[1:])):
        width = 3 if batch_norm and l < len(widths) - 2 else 2
        layer = parts[k:k + width]
        layers.append((layer[0].reshape(n_out, n_in), *layer[1:]))
        k += width
    return layers


def _deep_mlp(params, X, labels, widths, batch_norm, grad):
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):   # a diverged θ: loss inf
        return _deep_mlp_pass(params, X, labels, widths, batch_norm, grad)


def _deep_mlp_pass(params, X, labels, widths, batch_norm, grad):
    layers = _deep_mlp_split(params, widths, batch_norm)
    h, saved = X, []
    for W, *rest in layers[:-1]:
        z = h @ W.T
        if batch_norm:
            z, cache = _batch_norm(z, *rest)
        else:
            z, cache = z + rest[0], None
        saved.append((h, z, cache))
        h = np.maximum(z, 0.0)
    W, b = layers[-1]
    s = h @ W.T + b
    if labels is None:
        return s
    n = len(X)
    labels = _labels(labels, n, widths[-1])
    if not np.all(np.isfinite(s)):                 # a diverged run: dd.run reports it as diverged
        return np.inf if not grad else (np.inf, np.full(np.size(params), np.nan))
    loss = float(np.mean(cross_entropy(s, labels)))
    if not grad:
        return loss
    ds = softmax(s)
    ds[np.arange(n), labels] -= 1.0
    ds /= n
    grads = [[ds.T @ h, ds.sum(axis=0)]]
    dh = ds @ W
    for (W, *_), (h_in, z, cache) in zip(layers[-2::-1], saved[::-1]):
        dz = dh * (z > 0)
        if batch_norm:
            dz, dgamma, dbeta = batch_norm_backward(dz, cache)
            grads.append([dz.T @ h_in, dgamma, dbeta])
        else:
            grads.append([dz.T @ h_in, dz.sum(axis=0)])
        dh = dz @ W
    return loss, np.concatenate([g.ravel() for layer in grads[::-1] for g in layer])


def _deep_mlp_data(X, widths):
    X = _checks.matrix("X", X)
    if X.shape[1] != widths[0]:
        raise ValueError(f"X must have widths[0] = {widths[0]} columns (one per input), got {X.shape[1]}")
    return X


def deep_mlp_loss(params, X, labels, *, widths, batch_norm: bool = False) -> float:
    r"""Cross-entropy of a ReLU network with L − 1 hidden layers, with or without batch normalization.

    .. math::
        h_0 = x, \qquad z_l = W_l h_{l-1} + b_l \ \text{ or }\
        z_l = \mathrm{BN}_{\gamma_l, \beta_l}(W_l h_{l-1}), \qquad h_l = \max(0, z_l),
        \qquad s = W_L h_{L-1} + b_L,

    for l = 1 … L − 1, and the mean cross-entropy of the softmax of s.  With batch
    normalization (:func:`batch_norm`, ε = 1e-5) the statistics are those of the rows of ``X``:
    the loss of a mini-batch uses the mini-batch's (training mode), and the loss on a whole
    set uses that set's.  The bias :math:`b_l` is left out before a normalization, which would
    cancel it; :math:`\beta_l` takes its place.

    Parameters
    ----------
    params : array_like
        θ, layer by layer: :math:`W_l` (row by row) then :math:`b_l`, or :math:`W_l`,
        :math:`\gamma_l`, :math:`\beta_l` for a normalized hidden layer.
    X : (N, n_0) array_like
    labels : (N,) int array_like
    widths : sequence of int
        :math:`(n_0, n_1, \dots, n_L)`, the input width, the hidden widths and the number of
        classes.
    batch_norm : bool

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> train = dd.data.digits().train
    >>> X, y = train.images.reshape(-1, 64), train.labels
    >>> theta = dd.nn.deep_mlp_init((64, 32, 10), batch_norm=True)
    >>> round(dd.nn.deep_mlp_loss(theta, X, y, widths=(64, 32, 10), batch_norm=True), 2) > 0
    True

    References
    ----------
    Ioffe, S., Szegedy, C. (2015). Batch normalization. ICML.
    Taught in chapter 10.
    """
    widths = _deep_mlp_widths(widths)
    return _deep_mlp(params, _deep_mlp_data(X, widths), labels, widths, bool(batch_norm), grad=False)


def deep_mlp_grad(params, X, labels, *, widths, batch_norm: bool = False) -> np.ndarray:
    r"""The gradient of :func:`deep_mlp_loss` by backpropagation (through :func:`batch_norm_backward`).

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> X, y = dd.data.digits().train.images[:30].reshape(-1, 64), dd.data.digits().train.labels[:30]
    >>> w, theta = (64, 16, 16, 10), dd.nn.deep_mlp_init((64, 16, 16, 10), batch_norm=True, seed=1)
    >>> dd.check_grad(lambda t: dd.nn.deep_mlp_loss(t, X, y, widths=w, batch_norm=True),
    ...               lambda t: dd.nn.deep_mlp_grad(t, X, y, widths=w, batch_norm=True), theta) < 1e-6
    True

    Notes
    -----
    Taught in chapter 10.
    """
    widths = _deep_mlp_widths(widths)
    return _deep_mlp(params, _deep_mlp_data(X, widths), labels, widths, bool(batch_norm), grad=True)[1]


def deep_mlp_init(widths, *, scheme="he", batch_norm: bool = False, seed=0) -> np.ndarray:
    r"""Starting parameters for :func:`deep_mlp_loss`: weights by ``scheme``, zero biases, γ = 1, β = 0.

    Every weight matrix comes from :func:`init_weights` with the given scheme, except the
    last, which uses LeCun's :math:`1/n_\mathrm{in}` (no ReLU follows it).

    Examples
    --------
    >>> import descend as dd
    >>> dd.nn.deep_mlp_init((64, 32, 10)).size, dd.nn.deep_mlp_init((64, 32, 10), batch_norm=True).size
    (2410, 2442)

    Notes
    -----
    Taught in chapter 10.
    """
    widths = _deep_mlp_widths(widths)
    rng = _rng(seed)
    parts = []
    for l, (n_in, n_out) in enumerate(zip(widths, widths[1:])):
        last = l == len(widths) - 2
        parts.append(init_weights(n_in, n_out, "lecun" if last else scheme, seed=rng).ravel())
        parts += [np.ones(n_out), np.zeros(n_out)] if batch_norm and not last else [np.zeros(n_out)]
    return np.concatenate(parts)


def deep_mlp_classifier(X, labels, *, widths, batch_norm: bool = False, name: str | None = None):
    r"""The training loss of :func:`deep_mlp_loss` as a :class:`~descend.Problem` with mini-batch gradients.

    With batch normalization, each mini-batch gradient uses the mini-batch's statistics, and
    ``problem.f`` those of the whole training set.

    Examples
    --------
    >>> import descend as dd
    >>> train = dd.data.digits().train
    >>> p = dd.nn.deep_mlp_classifier(train.images.reshape(-1, 64), train.labels, widths=(64, 32, 10))
    >>> p.dim, p.n_examples
    (2410, 1078)

    Notes
    -----
    Taught in chapter 10.
    """
    from .problems import Problem, _paired  # here, not at the top: problems imports this module

    widths = _deep_mlp_widths(widths)
    X = _deep_mlp_data(X, widths)
    labels = _labels(np.asarray(labels), len(X), widths[-1])
    bn = bool(batch_norm)
    dim = deep_mlp_init(widths, batch_norm=bn).size

    last = {}   # loss and gradient at the last point: dd.run asks for f and then grad at the same θ

    def both(theta):
        theta = _checks.vector("params", theta, dim=dim)
        if "theta" not in last or not np.array_equal(last["theta"], theta):
            last.update(theta=theta, out=_deep_mlp(theta, X, labels, widths, bn, grad=True))
        return last["out"]

    def f(theta):   # the loss alone needs no backward pass (a mini-batch run asks for it alone)
        theta = _checks.vector("params", theta, dim=dim)
        if "theta" in last and np.array_equal(last["theta"], theta):
            return last["out"][0]
        return _deep_mlp(theta, X, labels, widths, bn, grad=False)

    def grad(theta):
        return both(theta)[1]

    f, grad = _paired(f, grad, both)   # dd.run takes both from one pass

    def batch_grad(theta, idx):
        return _deep_mlp(theta, X[idx], labels[idx], widths, bn, grad=True)[1]

    name = name or ("MLP with batch norm" if bn else "MLP")
    return Problem(f, grad, None, name=name, dim=dim, n_examples=len(X), batch_grad=batch_grad)


__all__ += ["deep_mlp_loss", "deep_mlp_grad", "deep_mlp_init", "deep_mlp_classifier"]
