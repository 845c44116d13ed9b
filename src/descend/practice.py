r"""Optimizers in practice: a classifier on real digits, training with early stopping, the
learning-rate range test, a fair comparison of optimizers, and L2 against decoupled decay.

:class:`MLP` is a network with at most one hidden layer on flattened images (``hidden=0``
is softmax regression), with its parameters in one flat vector θ, so that every optimizer of
the book and :func:`descend.run` apply to it.  :func:`train` trains it by mini-batches and
scores the validation split after every epoch, keeping the best epoch (early stopping);
:func:`lr_range_test` grows the rate exponentially over a short run; :func:`compare` tunes an
optimizer's rate on a grid by validation loss and then runs several seeds at the tuned rate.
:func:`l2` adds :math:`\tfrac\lambda2\|\theta\|^2` to a loss and :func:`decoupled` decays the
weights outside the optimizer instead.  Taught in chapter 11.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Callable, NamedTuple

import numpy as np

from . import _checks
from .nn import cross_entropy, softmax
from .optim import Optimizer, Schedule, _schedule
from .problems import Problem, _paired

__all__ = ["MLP", "ACTIVATIONS", "l2", "decoupled", "l2_decay_rates", "Training", "train", "RangeTest", "lr_range_test",
           "exponential_rates", "Comparison", "compare"]

#: The hidden layer's nonlinearity, and the initialization that goes with it.
ACTIVATIONS = ("relu", "tanh")


def _images(images) -> np.ndarray:
    """Images (n, h, w) or rows (n, d) as a finite (n, d) float64 array, n ≥ 1."""
    X = np.asarray(images, dtype=np.float64)
    if X.ndim < 2 or X.shape[0] == 0:
        raise ValueError(f"images must have shape (n, h, w) or (n, d) with n ≥ 1, got {X.shape}")
    X = X.reshape(X.shape[0], -1)
    if not np.all(np.isfinite(X)):
        raise ValueError("images must be finite")
    return X


def _labels(labels, n: int, classes: int) -> np.ndarray:
    y = np.asarray(labels)
    if y.shape != (n,) or y.dtype.kind not in "iu" or np.any((y < 0) | (y >= classes)):
        raise ValueError(f"labels must be {n} integers in 0 … {classes - 1}, one per image; got "
                         f"{y.dtype} of shape {y.shape}")
    return y.astype(np.int64)


@dataclass(frozen=True)
class MLP:
    r"""A classifier with one hidden layer (or none) on flattened images, parameters in one vector.

    With :math:`x \in \mathbb R^d` an image flattened, h hidden units and m classes,

    .. math::
        z = W_1 x + b_1, \qquad a = \sigma(z), \qquad s = W_2 a + b_2, \qquad
        \ell = -\log \mathrm{softmax}(s)_y ,

    with :math:`\sigma` = ReLU or tanh, and the loss is the mean of :math:`\ell` over the
    examples.  ``hidden=0`` drops the hidden layer: :math:`s = W x + b`, softmax regression.
    The parameter vector is :math:`\theta = (W_1, b_1, W_2, b_2)`, each matrix row by row.
    The backward pass is the chain rule of chapter 1 with
    :math:`\partial\ell/\partial s = \mathrm{softmax}(s) - \mathrm{onehot}(y)`.

    Parameters
    ----------
    hidden : int
        h ≥ 0, the hidden units (0: softmax regression).
    activation : {"relu", "tanh"}
        σ.
    inputs, classes : int
        d ≥ 1 (64 for the 8 × 8 digits) and m ≥ 2.

    Examples
    --------
    >>> import descend as dd
    >>> net = dd.practice.MLP(hidden=32)
    >>> net.dim                                   # 32·64 + 32 + 10·32 + 10
    2410
    >>> train, val, test = dd.data.digits()
    >>> theta = net.init(seed=0)
    >>> round(net.loss(theta, train.images, train.labels), 2)    # near log 10 = 2.30 at the start
    2.39

    Notes
    -----
    Taught in chapter 11.  :meth:`init` scales the first layer by He et al. (2015) for ReLU
    and by Glorot and Bengio (2010) for tanh.
    """

    hidden: int = 32
    activation: str = "relu"
    inputs: int = 64
    classes: int = 10

    def __post_init__(self):
        _checks.count("hidden", self.hidden)
        _checks.choice("activation", self.activation, ACTIVATIONS)
        _checks.count("inputs", self.inputs, minimum=1)
        _checks.count("classes", self.classes, minimum=2)

    @property
    def shapes(self) -> tuple:
        """The shapes of the parts of θ, in order."""
        d, h, m = self.inputs, self.hidden, self.classes
        return ((m, d), (m,)) if h == 0 else ((h, d), (h,), (m, h), (m,))

    @property
    def dim(self) -> int:
        """The number of parameters."""
        return sum(math.prod(s) for s in self.shapes)

    def unpack(self, theta) -> list:
        """The parts of θ as arrays of :attr:`shapes` (views, not copies)."""
        theta = _checks.vector("theta", theta, dim=self.dim)
        cuts = np.cumsum([math.prod(s) for s in self.shapes])[:-1]
        return [p.reshape(s) for p, s in zip(np.split(theta, cuts), self.shapes)]

    def init(self, seed: int = 0) -> np.ndarray:
        r"""Random starting parameters: biases 0, weights scaled by their layer's width.

        A hidden ReLU layer gets He's :math:`W_1 \sim \mathcal N(0, 2/d)`, so that the mean
        square of the units stays that of the inputs (ReLU zeroes half of a symmetric input);
        a tanh layer and the output layer get Glorot's
        :math:`W \sim \mathcal U(-r, r)`, :math:`r = \sqrt{6/(n_{\rm in} + n_{\rm out})}`, a
        variance :math:`2/(n_{\rm in} + n_{\rm out})` that compromises between keeping the
        forward signal (:math:`1/n_{\rm in}`) and the backward one (:math:`1/n_{\rm out}`).

        Examples
        --------
        >>> import numpy as np, descend as dd
        >>> W1, b1, W2, b2 = dd.practice.MLP(hidden=500).unpack(dd.practice.MLP(hidden=500).init(0))
        >>> round(float(W1.var() * 64), 1), float(np.abs(b1).max())   # 2/d per weight: He
        (2.0, 0.0)

        References
        ----------
        Glorot, X., Bengio, Y. (2010). Understanding the difficulty of training deep
        feedforward neural networks. AISTATS.  He, K., Zhang, X., Ren, S., Sun, J. (2015).
        Delving deep into rectifiers. ICCV.
        """
        rng = np.random.default_rng(_checks.count("seed", seed))

        def glorot(n_out, n_in):
            r = math.sqrt(6.0 / (n_in + n_out))
            return rng.uniform(-r, r, size=(n_out, n_in))

        d, h, m = self.inputs, self.hidden, self.classes
        if h == 0:
            parts = [glorot(m, d), np.zeros(m)]
        else:
            first = rng.normal(0.0, math.sqrt(2.0 / d), size=(h, d)) if self.activation == "relu" else glorot(h, d)
            parts = [first, np.zeros(h), glorot(m, h), np.zeros(m)]
        return np.concatenate([p.ravel() for p in parts])

    def _forward(self, theta, X):
        parts = self.unpack(theta)
        if self.hidden == 0:
            return parts, None, None, X @ parts[0].T + parts[1]
        W1, b1, W2, b2 = parts
        z = X @ W1.T + b1
        a = np.maximum(z, 0.0) if self.activation == "relu" else np.tanh(z)
        return parts, z, a, a @ W2.T + b2

    def scores(self, theta, images) -> np.ndarray:
        """The scores s, one row of m per image."""
        return self._forward(theta, self._inputs(images))[3]

    def _inputs(self, images):
        X = _images(images)
        if X.shape[1] != self.inputs:
            raise ValueError(f"images must have {self.inputs} pixels each, got {X.shape[1]}")
        return X

    def loss(self, theta, images, labels) -> float:
        r"""The mean cross-entropy :math:`\frac1n\sum_i \ell_i` over the images."""
        X = self._inputs(images)
        y = _labels(labels, X.shape[0], self.classes)
        return float(np.mean(cross_entropy(self._forward(theta, X)[3], y)))

    def grad(self, theta, images, labels) -> np.ndarray:
        """The gradient of :meth:`loss` with respect to θ, by backpropagation."""
        X = self._inputs(images)
        y = _labels(labels, X.shape[0], self.classes)
        return self._grad(theta, X, y)

    def _grad(self, theta, X, y, forward=None):
        parts, z, a, s = self._forward(theta, X) if forward is None else forward
        delta = softmax(s)
        delta[np.arange(len(y)), y] -= 1.0          # ∂ℓ/∂s = softmax(s) − onehot(y)
        delta /= len(y)
        if self.hidden == 0:
            return np.concatenate([(delta.T @ X).ravel(), delta.sum(0)])
        W2 = parts[2]
        back = delta @ W2
        back *= (z > 0) if self.activation == "relu" else 1.0 - a * a
        return np.concatenate([(back.T @ X).ravel(), back.sum(0), (delta.T @ a).ravel(), delta.sum(0)])

    def predict(self, theta, images) -> np.ndarray:
        """The class of largest score for each image."""
        return self.scores(theta, images).argmax(axis=1)

    def accuracy(self, theta, images, labels) -> float:
        """The fraction of images whose predicted class is the label."""
        X = self._inputs(images)
        y = _labels(labels, X.shape[0], self.classes)
        return float(np.mean(self.predict(theta, X) == y))

    def problem(self, images, labels, *, name: str | None = None) -> Problem:
        """The mean loss over these images as a :class:`~descend.Problem`, with mini-batch gradients.

        Examples
        --------
        >>> import descend as dd
        >>> train, val, test = dd.data.digits()
        >>> net = dd.practice.MLP(hidden=0)
        >>> problem = net.problem(train.images, train.labels)
        >>> problem.dim, problem.n_examples
        (650, 1078)
        >>> trace = dd.run(dd.adam(eta=0.01), problem, net.init(0), steps=50, batch_size=32)
        >>> bool(trace.fs[-1] < 0.5 * trace.fs[0])
        True
        """
        X = self._inputs(images)
        y = _labels(labels, X.shape[0], self.classes)
        label = name or (f"MLP ({self.hidden} {self.activation})" if self.hidden else "softmax regression")

        def value_and_grad(t):  # one forward pass for the loss and the gradient
            forward = self._forward(t, X)
            return float(np.mean(cross_entropy(forward[3], y))), self._grad(t, X, y, forward)

        f, grad = _paired(lambda t: float(np.mean(cross_entropy(self._forward(t, X)[3], y))),
                          lambda t: self._grad(t, X, y), value_and_grad)
        return Problem(f, grad, name=label, dim=self.dim, n_examples=X.shape[0],
                       batch_grad=lambda t, idx: self._grad(t, X[idx], y[idx]))


# --------------------------------------------------------------------------- L2 and decoupled decay


def l2(problem: Problem, lam: float) -> Problem:
    r"""The loss with an L2 penalty: :math:`L_\lambda(\theta) = L(\theta) + \tfrac\lambda2\|\theta\|^2`.

    Its gradient, and every mini-batch gradient, gains :math:`\lambda\theta`, so gradient
    descent on it steps by :math:`-\eta_t(\nabla L + \lambda\theta_t)`: it multiplies the
    weights by :math:`1 - \eta_t\lambda` and then takes the plain step, which is exactly
    :func:`decoupled` weight decay.

    Parameters
    ----------
    problem : Problem
        The loss L.
    lam : float
        λ ≥ 0.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> p = dd.practice.l2(dd.quadratic([[1.0]]), lam=0.5)
    >>> float(p.f(np.array([2.0]))), p.grad(np.array([2.0])).tolist()   # ½·4 + ¼·4 ; 2 + 1
    (3.0, [3.0])

    Notes
    -----
    Taught in chapter 11.  Loshchilov and Hutter (2019) show that for Adam this is not
    weight decay.
    """
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a descend.Problem, got {type(problem).__name__}")
    lam = _checks.real("lam", lam, lo=0.0)
    batch = problem.batch_grad
    return replace(problem,
                   f=lambda x: problem.f(x) + 0.5 * lam * np.sum(np.asarray(x) ** 2, axis=0),
                   grad=lambda x: problem.grad(x) + lam * np.asarray(x),
                   hess=None, x_star=None, minima=(),
                   batch_grad=None if batch is None else (lambda x, idx: batch(x, idx) + lam * x),
                   name=f"{problem.name} + L2 ({lam:g})")


def decoupled(opt: Optimizer, eta: float | Schedule | None, weight_decay: float) -> Optimizer:
    r"""An optimizer whose weights also decay, outside the optimizer: decoupled weight decay.

    .. math:: \theta_{t+1} = \theta_t + \Delta_t - \eta_t\lambda\,\theta_t ,

    where :math:`\Delta_t` is the step of ``opt`` on the gradient of the loss alone and
    :math:`\eta_t` the learning rate of ``opt`` (``eta=None`` reads it from
    ``opt.hyper["eta"]``; a different ``eta`` is an error, since the decay must use the rate of
    the steps).  ``decoupled(dd.adam(eta),
    eta, lam)`` is ``dd.adamw(eta, weight_decay=lam)``; ``decoupled(dd.gd(eta), eta, lam)`` is
    gradient descent on :func:`l2` ``(problem, lam)``.

    Parameters
    ----------
    opt : Optimizer
    eta : float, Schedule or None
        The learning rate that multiplies the decay: ``opt``'s own (None reads it from
        ``opt.hyper["eta"]``; another value raises ValueError).
    weight_decay : float
        λ ≥ 0.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> opt = dd.practice.decoupled(dd.gd(eta=0.1), 0.1, weight_decay=0.5)
    >>> x = np.array([2.0])
    >>> step, _ = opt.update(np.array([3.0]), opt.init(x), x)
    >>> round(float(step[0]), 6)                    # −0.1·3 − 0.1·0.5·2
    -0.4

    References
    ----------
    Loshchilov, I., Hutter, F. (2019). Decoupled weight decay regularization. ICLR.
    Taught in chapter 11.
    """
    if not isinstance(opt, Optimizer):
        raise TypeError(f"opt must be an Optimizer, got {type(opt).__name__}")
    own = opt.hyper.get("eta")
    if eta is None:
        if own is None:
            raise ValueError(f"eta: {opt.name} has no learning rate in opt.hyper; pass eta")
        eta = own
    elif not isinstance(eta, Schedule):
        eta = _checks.positive("eta", eta)
    if own is not None and not (eta is own or (not isinstance(eta, Schedule)
                                               and not isinstance(own, Schedule) and eta == own)):
        raise ValueError(f"eta must be the learning rate of opt ({own!r}), got {eta!r}")
    schedule = _schedule(eta)
    weight_decay = _checks.real("weight_decay", weight_decay, lo=0.0)

    def init(x):
        return (0, opt.init(x))

    def update(g, state, x=None, **kwargs):
        if x is None:
            raise ValueError("decoupled decay reads the weights: call update(g, state, x)")
        t, inner = state
        step, inner = opt.update(g, inner, x, **kwargs)
        return step - (schedule(t) * weight_decay) * np.asarray(x, dtype=np.float64), (t + 1, inner)

    return Optimizer(init, update, f"{opt.name} + decay", {**opt.hyper, "weight_decay": weight_decay},
                     needs_problem=opt.needs_problem)


def l2_decay_rates(state, weight_decay: float, opt: Optimizer) -> np.ndarray:
    r"""The rate at which Adam on an L2 loss decays each coordinate, read from Adam's state.

    .. math:: \frac{\lambda}{\sqrt{\hat v_{t,j}} + \epsilon}, \qquad
              \hat v_t = \frac{v_t}{1 - \beta_2^{\,t}} ,

    the factor that multiplies :math:`\eta_t\theta_{t,j}` in Adam's step on
    :math:`L + \tfrac\lambda2\|\theta\|^2` when :math:`\beta_1 = 0`; with
    :math:`\beta_1 > 0` it is the rate that :math:`\beta_1 = 0` would give with this
    :math:`\hat v_t`.  AdamW decays every coordinate at :math:`\lambda`.

    Parameters
    ----------
    state : Adam's state (with fields ``t``, the number of steps taken, and ``v``)
    weight_decay : float
        λ ≥ 0.
    opt : Optimizer
        The Adam that produced ``state``; its ``beta2`` and ``eps`` are read from ``opt.hyper``.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> opt = dd.adam(eta=0.1)
    >>> x = np.zeros(2)
    >>> _, state = opt.update(np.array([0.5, 0.001]), opt.init(x), x)
    >>> np.round(dd.practice.l2_decay_rates(state, 0.01, opt), 4)     # λ / |g| after one step
    array([0.02  , 9.9999])

    References
    ----------
    Loshchilov, I., Hutter, F. (2019). Decoupled weight decay regularization. ICLR.
    Taught in chapter 11.
    """
    if not isinstance(opt, Optimizer) or not {"beta2", "eps"} <= set(opt.hyper):
        raise TypeError("opt must be an Adam-type Optimizer with beta2 and eps in opt.hyper")
    weight_decay = _checks.real("weight_decay", weight_decay, lo=0.0)
    if not hasattr(state, "v") or not hasattr(state, "t") or int(state.t) < 1:
        raise ValueError("state must be Adam's state after at least one step (fields t >= 1 and v)")
    v_hat = np.asarray(state.v, dtype=np.float64) / (1 - opt.hyper["beta2"] ** int(state.t))
    return weight_decay / (np.sqrt(v_hat) + opt.hyper["eps"])


# --------------------------------------------------------------------------- training by epochs


class Training(NamedTuple):
    """A run of :func:`train`: the curves after each epoch and the early-stopping choice."""

    train_loss: np.ndarray   #: (k + 1,): the training loss at the start and after each epoch
    val_loss: np.ndarray     #: (k + 1,): the validation loss, likewise
    val_score: np.ndarray    #: (k + 1,): ``score(θ)`` (e.g. validation accuracy), or NaN without one
    best_epoch: int          #: the epoch of lowest validation loss (0: the start)
    theta_best: np.ndarray   #: the parameters at ``best_epoch``
    theta: np.ndarray        #: the parameters after the last epoch run
    epochs: int              #: the epochs run (fewer than asked if stopped early or diverged)
    diverged: bool           #: a step overflowed; the curves end at the last finite epoch
    steps_per_epoch: int     #: ⌈N/B⌉
    state: object            #: the optimizer's state after the last step (Adam's m, v …)


def _minibatches(n: int, size: int, seed: int):
    from .run import _minibatches as batches   # the same shuffles as descend.run
    return batches(n, size, seed)


def train(opt: Optimizer, problem: Problem, x0, epochs: int, *, batch_size: int, validation: Problem,
          score: Callable | None = None, patience: int | None = None, seed: int = 0,
          track_train: bool = True) -> Training:
    r"""Train by mini-batches for whole epochs, scoring the validation split after each; early stopping.

    The steps are those of ``dd.run(opt, problem, x0, epochs·⌈N/B⌉, batch_size=B, seed=seed)``
    (the same shuffles), but the full losses are computed only after each epoch.  With
    :math:`V_k` the validation loss after epoch k, the best epoch is
    :math:`k^\star = \arg\min_k V_k` (the first, on ties), and with a patience p the run stops
    after the first epoch k with :math:`k - k^\star = p`: p epochs without a new lowest
    validation loss.  The parameters kept are those of :math:`k^\star`.

    Parameters
    ----------
    opt : Optimizer
    problem : Problem
        The training loss, with ``batch_grad`` (for example :meth:`MLP.problem`).
    x0 : array_like
        The start.
    epochs : int
        The most epochs to run, ≥ 1.
    batch_size : int
        B, from 1 to N.
    validation : Problem
        The validation loss, of the same dimension.
    score : callable, optional
        ``score(θ) -> float``, recorded after each epoch (e.g. the validation accuracy).
    patience : int, optional
        p ≥ 1; None runs every epoch (and still reports the best one).
    seed : int
        Seed of the shuffles.
    track_train : bool
        Compute the full training loss after each epoch; with False the curve is NaN, which
        saves a pass over the training data per epoch when only the validation loss matters.

    Returns
    -------
    Training

    Examples
    --------
    >>> import descend as dd
    >>> tr, va, te = dd.data.digits()
    >>> net = dd.practice.MLP(hidden=0)
    >>> out = dd.practice.train(dd.adam(eta=0.1), net.problem(tr.images, tr.labels), net.init(0),
    ...                         epochs=30, batch_size=32, validation=net.problem(va.images, va.labels),
    ...                         patience=3)
    >>> out.epochs < 30, out.epochs - out.best_epoch                 # stopped 3 epochs after the best
    (True, 3)

    Notes
    -----
    Taught in chapter 11.  The patience rule is the early-stopping algorithm 7.1 of
    Goodfellow, Bengio and Courville (2016); Prechelt (1998) compares such stopping criteria.
    """
    if not isinstance(opt, Optimizer):
        raise TypeError(f"opt must be an Optimizer, got {type(opt).__name__}")
    for label, p in (("problem", problem), ("validation", validation)):
        if not isinstance(p, Problem):
            raise TypeError(f"{label} must be a descend.Problem, got {type(p).__name__}")
    if problem.batch_grad is None:
        raise ValueError(f"problem must be a loss averaged over examples (with batch_grad); {problem.name!r} is not")
    if validation.dim != problem.dim:
        raise ValueError(f"validation must have the dimension of problem, {problem.dim}; got {validation.dim}")
    x = _checks.vector("x0", x0, dim=problem.dim)
    epochs = _checks.count("epochs", epochs, minimum=1)
    n = problem.n_examples
    batch_size = _checks.count("batch_size", batch_size, minimum=1)
    if batch_size > n:
        raise ValueError(f"batch_size must be at most the number of examples, {n}; got {batch_size}")
    if patience is not None:
        patience = _checks.count("patience", patience, minimum=1)
    if score is not None:
        _checks.callable_("score", score)
    batches = _minibatches(n, batch_size, _checks.count("seed", seed))
    per_epoch = -(-n // batch_size)

    def measure(theta):
        return (float(problem.f(theta)) if track_train else math.nan, float(validation.f(theta)),
                float(score(theta)) if score is not None else math.nan)

    curves = [measure(x)]
    best, theta_best, diverged, state = 0, x, False, opt.init(x)
    kept = state
    extra = {"problem": problem} if opt.needs_problem else {}
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for k in range(1, epochs + 1):
            y = x
            for _ in range(per_epoch):
                step, state = opt.update(problem.batch_grad(y, next(batches)), state, y, **extra)
                y = y + step
                if not np.all(np.isfinite(y)):
                    diverged = True
                    break
            row = measure(y) if not diverged else None
            if diverged or not math.isfinite(row[1]) or (track_train and not math.isfinite(row[0])):
                diverged = True
                break
            x, kept = y, state
            curves.append(row)
            if row[1] < curves[best][1]:
                best, theta_best = k, x
            elif patience is not None and k - best >= patience:
                break
    train_loss, val_loss, val_score = (np.array(c) for c in zip(*curves))
    return Training(train_loss, val_loss, val_score, best, theta_best, x, len(curves) - 1, diverged, per_epoch,
                    kept)


# --------------------------------------------------------------------------- the learning-rate range test


def exponential_rates(eta_min: float, eta_max: float, steps: int) -> Schedule:
    r"""The rate of the range test, grown by the same factor at every step:

    .. math:: \eta_t = \eta_{\min} \Bigl(\frac{\eta_{\max}}{\eta_{\min}}\Bigr)^{t/(T-1)},
              \qquad t = 0, \dots, T - 1 ,

    so :math:`\eta_0 = \eta_{\min}` and :math:`\eta_{T-1} = \eta_{\max}`, evenly spaced on a
    log scale (and :math:`\eta_{\max}` from then on).

    Examples
    --------
    >>> import descend as dd
    >>> s = dd.practice.exponential_rates(1e-3, 1e-1, steps=3)
    >>> [round(s(t), 6) for t in range(4)]
    [0.001, 0.01, 0.1, 0.1]
    """
    eta_min = _checks.positive("eta_min", eta_min)
    eta_max = _checks.positive("eta_max", eta_max)
    if not eta_max > eta_min:
        raise ValueError(f"eta_max must be larger than eta_min, got {eta_min:g} and {eta_max:g}")
    steps = _checks.count("steps", steps, minimum=2)
    ratio = eta_max / eta_min

    def rule(t):
        return eta_min * ratio ** (min(t, steps - 1) / (steps - 1))

    return Schedule(rule, f"exp({eta_min:g}→{eta_max:g}, {steps})", eta_min)


class RangeTest(NamedTuple):
    """The curve of :func:`lr_range_test` and the rates read from it."""

    etas: np.ndarray      #: (k,): the rate of each step taken
    losses: np.ndarray    #: (k,): the training loss after each step
    smoothed: np.ndarray  #: (k,): the losses' bias-corrected decaying average
    steepest: float       #: the rate at which the smoothed loss falls fastest per factor of rate
    minimum: float        #: the rate of the lowest smoothed loss
    stopped: bool         #: True if the smoothed loss passed ``stop`` times its lowest value (or overflowed)


def lr_range_test(make_opt: Callable, problem: Problem, x0, *, eta_min: float = 1e-5, eta_max: float = 1.0,
                  steps: int = 100, batch_size: int, seed: int = 0, beta: float = 0.8,
                  stop: float = 4.0) -> RangeTest:
    r"""The learning-rate range test: one short run whose rate grows from tiny to too large.

    ``make_opt(schedule)`` makes the optimizer, which runs with the rate
    :func:`exponential_rates` ``(eta_min, eta_max, steps)`` on mini-batches (the shuffles of
    :func:`descend.run`); after each step the full training loss :math:`L(\theta_{t+1})` is
    recorded against the rate :math:`\eta_t` of that step, and smoothed by the bias-corrected
    decaying average of chapter 8, :math:`\hat m_t` with decay β.  The run ends early once
    :math:`\hat m_t` exceeds ``stop`` times its lowest value so far (the loss is diverging).
    Two rates are read off the smoothed curve: the *steepest*, where it falls fastest
    against :math:`\log\eta` (the most negative central difference), and the *minimum*, where
    it is lowest.

    Parameters
    ----------
    make_opt : callable
        ``make_opt(schedule) -> Optimizer``, e.g. ``lambda eta: dd.adam(eta=eta)``.
    problem : Problem
        The training loss, with ``batch_grad``.
    x0 : array_like
        The start (the initialization one will train from).
    eta_min, eta_max : float
        The range, 0 < η_min < η_max.
    steps : int
        T ≥ 3.
    batch_size : int
    seed : int
    beta : float
        The smoothing β in [0, 1) (0: none).
    stop : float
        > 1.

    Returns
    -------
    RangeTest

    Examples
    --------
    >>> import descend as dd
    >>> tr, va, te = dd.data.digits()
    >>> net = dd.practice.MLP(hidden=0)
    >>> rt = dd.practice.lr_range_test(lambda eta: dd.gd(eta=eta), net.problem(tr.images, tr.labels),
    ...                                net.init(0), eta_min=1e-3, eta_max=1e3, steps=60, batch_size=32)
    >>> rt.stopped, bool(1e-3 < rt.steepest < rt.minimum < 1e3)
    (True, True)

    Notes
    -----
    Taught in chapter 11.  Smith (2017, section 3.3) grows the rate linearly over a few epochs
    and reads two rates: where the accuracy starts to rise, and where it slows, becomes
    ragged or falls; growing it exponentially over a few hundred steps is the common variant.
    """
    from .averages import decaying_average

    _checks.callable_("make_opt", make_opt)
    if not isinstance(problem, Problem) or problem.batch_grad is None:
        raise TypeError("problem must be a descend.Problem averaged over examples (with batch_grad)")
    x = _checks.vector("x0", x0, dim=problem.dim)
    steps = _checks.count("steps", steps, minimum=3)
    schedule = exponential_rates(eta_min, eta_max, steps)
    beta = _checks.unit_interval("beta", beta)
    stop = _checks.real("stop", stop, lo=1.0, lo_open=True)
    batch_size = _checks.count("batch_size", batch_size, minimum=1)
    if batch_size > problem.n_examples:
        raise ValueError(f"batch_size must be at most the number of examples, {problem.n_examples}; got {batch_size}")
    opt = make_opt(schedule)
    if not isinstance(opt, Optimizer):
        raise TypeError(f"make_opt must return an Optimizer, returned {type(opt).__name__}")
    batches = _minibatches(problem.n_examples, batch_size, _checks.count("seed", seed))
    state, etas, losses, stopped = opt.init(x), [], [], False
    m, lowest = 0.0, math.inf
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for t in range(steps):
            step, state = opt.update(problem.batch_grad(x, next(batches)), state, x)
            x = x + step
            loss = float(problem.f(x)) if np.all(np.isfinite(x)) else math.inf
            if not math.isfinite(loss):
                stopped = True
                break
            etas.append(schedule(t))
            losses.append(loss)
            m = beta * m + (1.0 - beta) * loss
            smooth = m / (1.0 - beta ** len(losses))
            lowest = min(lowest, smooth)
            if smooth > stop * lowest:
                stopped = True
                break
    if len(losses) < 3:
        raise ValueError(f"the loss diverged within {len(losses) + 1} steps: lower eta_min ({eta_min:g})")
    etas, losses = np.array(etas), np.array(losses)
    smoothed = decaying_average(losses, beta, bias_correction=True) if beta > 0 else losses.copy()
    slope = (smoothed[2:] - smoothed[:-2]) / np.log(etas[2:] / etas[:-2])
    return RangeTest(etas, losses, smoothed, float(etas[1 + np.argmin(slope)]),
                     float(etas[np.argmin(smoothed)]), stopped)


# --------------------------------------------------------------------------- a fair comparison


class Comparison(NamedTuple):
    """What :func:`compare` finds for one optimizer."""

    etas: np.ndarray           #: the grid of rates tried
    grid_val_loss: np.ndarray  #: the lowest validation loss reached at each rate (inf if it diverged)
    eta: float                 #: the tuned rate: the grid's lowest validation loss
    val_loss: np.ndarray       #: (seeds,): the lowest validation loss of each seed at the tuned rate
    val_score: np.ndarray      #: (seeds,): the score of each seed's selected parameters
    test_score: np.ndarray     #: (seeds,): ``test(θ)`` of each seed's selected parameters (NaN without)
    best_epochs: np.ndarray    #: (seeds,): each seed's selected epoch
    runs: tuple                #: the seeds' :class:`Training` runs (without the training loss)


def compare(make_opt: Callable, problem: Problem, validation: Problem, init: Callable, etas, *, epochs: int,
            batch_size: int, seeds=(1, 2, 3, 4, 5), tune_seed: int = 0, score: Callable | None = None,
            test: Callable | None = None, patience: int | None = None) -> Comparison:
    r"""Tune an optimizer's rate on a grid by validation loss, then run several seeds at it.

    For each :math:`\eta` of the grid, one run of :func:`train` from ``init(tune_seed)`` with
    shuffles ``tune_seed``; the tuned rate is the one whose run reaches the lowest validation
    loss :math:`\min_k V_k` (a run that diverges at any epoch counts as :math:`+\infty`).  Then one run per
    seed s of ``seeds``, from ``init(s)`` with shuffles s, at the tuned rate; each keeps the
    parameters of its best epoch, which ``score`` and ``test`` then measure.  The tuning seed
    is not among the evaluation seeds, so the reported spread is not flattered by the choice.

    Parameters
    ----------
    make_opt : callable
        ``make_opt(eta) -> Optimizer``.
    problem, validation : Problem
        Training loss (with ``batch_grad``) and validation loss.
    init : callable
        ``init(seed) -> θ₀``.
    etas : array_like
        The grid, positive rates.
    epochs, batch_size, patience :
        As in :func:`train`.
    seeds : sequence of int
        The evaluation seeds (at least 2).
    tune_seed : int
    score, test : callable, optional
        ``θ -> float``: e.g. validation and test accuracy.

    Returns
    -------
    Comparison

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> tr, va, te = dd.data.digits()
    >>> net = dd.practice.MLP(hidden=0)
    >>> c = dd.practice.compare(lambda eta: dd.gd(eta=eta), net.problem(tr.images, tr.labels),
    ...                         net.problem(va.images, va.labels), net.init, [0.1, 1.0, 100.0],
    ...                         epochs=5, batch_size=64, seeds=(1, 2),
    ...                         test=lambda t: net.accuracy(t, te.images, te.labels))
    >>> c.eta, c.test_score.shape
    (1.0, (2,))

    Notes
    -----
    Taught in chapter 11.  The recipe (tune each method's rate, then compare over seeds) is
    that of Wilson et al. (2017) and Schmidt et al. (2021).
    """
    _checks.callable_("make_opt", make_opt)
    _checks.callable_("init", init)
    grid = np.array(etas, dtype=np.float64).ravel()
    if grid.size == 0 or not np.all(np.isfinite(grid) & (grid > 0)):
        raise ValueError(f"etas must be one or more positive rates, got {etas!r}")
    seeds = [_checks.count("seeds", s) for s in seeds]
    if len(seeds) < 2:
        raise ValueError(f"seeds must hold at least 2 seeds, to show a spread; got {seeds}")
    tune_seed = _checks.count("tune_seed", tune_seed)
    options = dict(batch_size=batch_size, validation=validation, patience=patience, track_train=False)

    def lowest(run):
        return math.inf if run.diverged else float(run.val_loss[run.best_epoch])

    tried = [lowest(train(make_opt(float(eta)), problem, init(tune_seed), epochs, seed=tune_seed, **options))
             for eta in grid]
    if not np.isfinite(min(tried)):
        raise ValueError(f"every rate of the grid diverged: try smaller etas than {grid.min():g}")
    eta = float(grid[int(np.argmin(tried))])
    runs = tuple(train(make_opt(eta), problem, init(s), epochs, seed=s, score=score, **options) for s in seeds)

    def measured(f):
        return np.array([f(r.theta_best) if f is not None else math.nan for r in runs], dtype=np.float64)

    return Comparison(grid, np.array(tried), eta, np.array([r.val_loss[r.best_epoch] for r in runs]),
                      measured(score), measured(test), np.array([r.best_epoch for r in runs]), runs)
