r"""Optimizers as pure ``init`` / ``update`` pairs, and learning-rate schedules.

An optimizer is an :class:`Optimizer`: ``state = opt.init(x0)`` makes its state, and
``step, state = opt.update(g, state, x)`` turns the gradient ``g`` at ``x`` into a step, so
that :math:`x_{t+1} = x_t + \text{step}`.  Nothing is mutated: the caller holds the state.
The state is a small ``NamedTuple`` whose fields carry the book's symbols (``t``, ``u``,
``m``, ``v``).  :func:`descend.run` is the one loop that drives them.

Conventions (see the notation page of the book):

* learning rate :math:`\eta`, momentum :math:`\beta`, Adam's :math:`\beta_1, \beta_2`,
  :math:`\epsilon` outside the square root (as Kingma & Ba and PyTorch);
* momentum keeps a velocity :math:`u_t = \beta u_{t-1} + \eta g_t` and steps by
  :math:`-u_t`; this equals PyTorch's ``SGD(momentum=β)`` whenever η is constant.
"""

from __future__ import annotations

import math
import sys
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable, NamedTuple

import numpy as np

from . import _checks, _kernels

# The optimizers, schedules and clipping functions are exported through CATALOGUE (at the end
# of this module); here are only the types and the tools that act on optimizers.
__all__ = ["Optimizer", "Schedule", "template", "clipped", "CATALOGUE", "Entry", "SYMBOLS"]


# --------------------------------------------------------------------------- schedules


@dataclass(frozen=True)
class Schedule:
    r"""A learning-rate schedule :math:`t \mapsto \eta_t`, with ``t = 0`` for the first step.

    Make one with :func:`constant`, :func:`time_decay`, :func:`step_decay` or
    :func:`exponential_decay`; every optimizer accepts one wherever it accepts ``eta``.
    """

    rule: Callable[[int], float]
    name: str
    eta0: float  #: the value at t = 0

    def __call__(self, t: int) -> float:
        return self.rule(t)

    def __repr__(self) -> str:
        return self.name


def constant(eta: float) -> Schedule:
    r"""The constant schedule :math:`\eta_t = \eta`.

    .. math:: \eta_t = \eta \quad \text{for every } t

    Examples
    --------
    >>> import descend as dd
    >>> s = dd.constant(0.1)
    >>> s(0), s(1000)
    (0.1, 0.1)

    Notes
    -----
    Every optimizer turns a number given as ``eta`` into this schedule. Taught in chapter 5,
    beside the decaying schedules.
    """
    eta = _checks.positive("eta", eta)
    return Schedule(lambda t: eta, _fmt(eta), eta)


def _fmt(value) -> str:
    return f"{value:g}" if np.ndim(value) == 0 else f"[{np.size(value)} values]"


def time_decay(eta: float, k: float) -> Schedule:
    r"""Time-based decay of the rate.

    .. math:: \eta_t = \frac{\eta}{1 + k t}

    Parameters
    ----------
    eta : float
        The initial learning rate :math:`\eta_0 = \eta`, > 0.
    k : float
        The decay rate, ≥ 0 (0 gives a constant rate).

    Examples
    --------
    >>> import descend as dd
    >>> s = dd.time_decay(1.0, k=0.5)
    >>> [s(t) for t in range(4)]
    [1.0, 0.6666666666666666, 0.5, 0.4]

    Notes
    -----
    Taught in chapter 2. It satisfies the Robbins–Monro conditions
    :math:`\sum_t \eta_t = \infty`, :math:`\sum_t \eta_t^2 < \infty` for ``k > 0``.
    """
    eta = _checks.positive("eta", eta)
    k = _checks.real("k", k, lo=0.0)
    return Schedule(lambda t: eta / (1.0 + k * t), f"{eta:g}/(1+{k:g}t)", eta)


def step_decay(eta: float, drop: float, every: int) -> Schedule:
    r"""Piecewise-constant decay: the rate is multiplied by ``drop`` every ``every`` steps.

    .. math:: \eta_t = \eta \cdot \text{drop}^{\lfloor t / \text{every} \rfloor}

    Parameters
    ----------
    eta : float
        The initial rate η > 0.
    drop : float
        The factor in (0, 1].
    every : int
        The number of steps ≥ 1 between drops.

    Examples
    --------
    >>> import descend as dd
    >>> s = dd.step_decay(0.1, drop=0.5, every=2)
    >>> [s(t) for t in range(5)]
    [0.1, 0.1, 0.05, 0.05, 0.025]

    Notes
    -----
    Equals ``torch.optim.lr_scheduler.StepLR(step_size=every, gamma=drop)``.
    Taught in chapter 5.
    """
    eta = _checks.positive("eta", eta)
    drop = _checks.real("drop", drop, lo=0.0, hi=1.0, lo_open=True)
    every = _checks.count("every", every, minimum=1)
    return Schedule(lambda t: eta * drop ** (t // every), f"{eta:g}·{drop:g}^⌊t/{every}⌋", eta)


def exponential_decay(eta: float, k: float) -> Schedule:
    r"""Exponential decay of the rate.

    .. math:: \eta_t = \eta e^{-k t}

    Parameters
    ----------
    eta : float
        The initial rate η > 0.
    k : float
        The decay rate k ≥ 0 per step.

    Examples
    --------
    >>> import descend as dd
    >>> s = dd.exponential_decay(1.0, k=0.5)
    >>> [round(s(t), 4) for t in range(3)]
    [1.0, 0.6065, 0.3679]

    Notes
    -----
    Equals ``torch.optim.lr_scheduler.ExponentialLR(gamma=exp(-k))``. Taught in chapter 5.
    """
    eta = _checks.positive("eta", eta)
    k = _checks.real("k", k, lo=0.0)
    return Schedule(lambda t: eta * math.exp(-k * t), f"{eta:g}·exp(-{k:g}t)", eta)


def sutskever_momentum(beta_max: float = 0.99, every: int = 250) -> Schedule:
    r"""The momentum schedule of Sutskever et al. (2013):

    .. math:: \beta_t = \min\bigl(1 - 2^{-1 - \log_2(\lfloor t / \text{every} \rfloor + 1)},\;
              \beta_{\max}\bigr)

    It starts at β = 0.5 and moves towards 1 (0.75 after ``every`` steps, 0.833… after
    ``2·every``, …) until it reaches ``beta_max``. Pass it as ``beta`` to :func:`momentum`
    or :func:`nesterov`.

    Examples
    --------
    >>> import descend as dd
    >>> s = dd.sutskever_momentum(beta_max=0.99, every=250)
    >>> [round(s(t), 4) for t in (0, 249, 250, 500, 750, 10**6)]
    [0.5, 0.5, 0.75, 0.8333, 0.875, 0.99]

    References
    ----------
    Sutskever, I., Martens, J., Dahl, G., Hinton, G. (2013). On the importance of
    initialization and momentum in deep learning. ICML. Taught in chapter 4.
    """
    beta_max = _checks.unit_interval("beta_max", beta_max)
    every = _checks.count("every", every, minimum=1)

    def rule(t):
        return min(1.0 - 2.0 ** (-1.0 - math.log2(t // every + 1)), beta_max)

    return Schedule(rule, f"sutskever(β_max={beta_max:g})", 0.5)


def linear_ramp(eta: float, start_factor: float = 1.0 / 3.0, end_factor: float = 1.0,
                steps: int = 5) -> Schedule:
    r"""A linear ramp of the learning rate over the first ``steps`` steps, then constant:

    .. math:: \eta_t = \eta \Bigl(s + (e - s) \frac{\min(t, T)}{T}\Bigr),

    with :math:`s` = ``start_factor``, :math:`e` = ``end_factor`` and :math:`T` = ``steps``.
    With :math:`s < e = 1` it is the usual linear *warm-up*: the rate climbs from
    :math:`s\eta` to :math:`\eta` and stays there.

    Parameters
    ----------
    eta : float
        The base learning rate η > 0.
    start_factor, end_factor : float
        The factors > 0 of η at t = 0 and from t = T on (``end_factor < start_factor`` gives a
        linear decay instead of a warm-up).
    steps : int
        The length T ≥ 1 of the ramp.

    Examples
    --------
    >>> import descend as dd
    >>> s = dd.linear_ramp(0.3, start_factor=0.25, end_factor=1.0, steps=3)
    >>> [round(s(t), 4) for t in range(5)]
    [0.075, 0.15, 0.225, 0.3, 0.3]

    Notes
    -----
    Equals ``torch.optim.lr_scheduler.LinearLR(start_factor=s, end_factor=e, total_iters=T)``
    (whose defaults are also 1/3, 1 and 5), stepped once after each optimizer step.

    References
    ----------
    Goyal, P. et al. (2017). Accurate, large minibatch SGD: training ImageNet in 1 hour.
    arXiv:1706.02677 (the gradual warm-up). Taught in chapter 11.
    """
    eta = _checks.positive("eta", eta)
    start_factor = _checks.positive("start_factor", start_factor)
    end_factor = _checks.positive("end_factor", end_factor)
    steps = _checks.count("steps", steps, minimum=1)

    def rule(t):
        return eta * (start_factor + (end_factor - start_factor) * min(t, steps) / steps)

    return Schedule(rule, f"{eta:g}·linear({start_factor:g}→{end_factor:g}, {steps})", rule(0))


def cosine_annealing(eta: float, steps: int, eta_min: float = 0.0) -> Schedule:
    r"""Cosine annealing from η down to :math:`\eta_{\min}` over ``steps`` steps, then constant:

    .. math:: \eta_t = \eta_{\min} + \tfrac12 (\eta - \eta_{\min})
              \Bigl(1 + \cos\frac{\pi \min(t, T)}{T}\Bigr), \qquad T = \text{steps}.

    Parameters
    ----------
    eta : float
        The starting rate η > 0.
    steps : int
        The length T ≥ 1 of the decay.
    eta_min : float
        The final rate, 0 ≤ η_min ≤ η.

    Examples
    --------
    >>> import descend as dd
    >>> s = dd.cosine_annealing(1.0, steps=4, eta_min=0.0)
    >>> [round(s(t), 4) for t in range(6)]
    [1.0, 0.8536, 0.5, 0.1464, 0.0, 0.0]

    Notes
    -----
    Equals ``torch.optim.lr_scheduler.CosineAnnealingLR(T_max=T, eta_min=η_min)`` for
    t ≤ T. After T PyTorch's rate climbs back along the cosine (a period of 2T); this one
    stays at :math:`\eta_{\min}`, as a decay that ends is meant to.

    References
    ----------
    Loshchilov, I., Hutter, F. (2017). SGDR: Stochastic gradient descent with warm restarts.
    ICLR. Taught in chapter 11.
    """
    eta = _checks.positive("eta", eta)
    steps = _checks.count("steps", steps, minimum=1)
    eta_min = _checks.real("eta_min", eta_min, lo=0.0, hi=eta)

    def rule(t):
        return eta_min + 0.5 * (eta - eta_min) * (1.0 + math.cos(math.pi * min(t, steps) / steps))

    return Schedule(rule, f"cosine({eta:g}→{eta_min:g}, {steps})", eta)


_ANNEALING = ("cos", "linear")


def one_cycle(eta_max: float, steps: int, pct_start: float = 0.3, div_factor: float = 25.0,
              final_div_factor: float = 1e4, anneal: str = "cos") -> Schedule:
    r"""The one-cycle policy: up from :math:`\eta_{\max}/d` to :math:`\eta_{\max}`, then down far below.

    With :math:`\eta_0 = \eta_{\max}/d` (d = ``div_factor``), :math:`\eta_{\rm end} =
    \eta_0 / D` (D = ``final_div_factor``), the peak at :math:`t_1 = p T - 1` (p =
    ``pct_start``, T = ``steps``) and the end at :math:`t_2 = T - 1`:

    .. math::
        \eta_t = \begin{cases}
          a(\eta_0, \eta_{\max}, t / t_1) & t \le t_1 \\
          a(\eta_{\max}, \eta_{\rm end}, (t - t_1) / (t_2 - t_1)) & t_1 < t \le t_2 \\
          \eta_{\rm end} & t > t_2
        \end{cases}

    where :math:`a(u, w, p) = w + \tfrac12 (u - w)(1 + \cos \pi p)` for cosine annealing and
    :math:`u + (w - u)p` for linear.

    Parameters
    ----------
    eta_max : float
        The peak rate > 0.
    steps : int
        The number of steps T ≥ 2 of the cycle.
    pct_start : float
        The fraction p of the steps spent rising, in (0, 1), such that the peak falls strictly
        inside the cycle: :math:`0 < pT - 1 < T - 1`.
    div_factor, final_div_factor : float
        d > 0 and D > 0: the start is :math:`\eta_{\max}/d`, the end :math:`\eta_{\max}/(dD)`.
    anneal : {"cos", "linear"}
        The shape of both phases.

    Examples
    --------
    >>> import descend as dd
    >>> s = dd.one_cycle(1.0, steps=10, pct_start=0.3, div_factor=10.0, final_div_factor=100.0,
    ...                  anneal="linear")
    >>> [round(s(t), 4) for t in (0, 1, 2, 5, 9, 20)]
    [0.1, 0.55, 1.0, 0.5719, 0.001, 0.001]

    Notes
    -----
    Equals ``torch.optim.lr_scheduler.OneCycleLR(max_lr=η_max, total_steps=T,
    pct_start=p, anneal_strategy=anneal, div_factor=d, final_div_factor=D,
    cycle_momentum=False)`` for t < T. PyTorch refuses to step past T; this schedule stays at
    its last rate. PyTorch's default also cycles the momentum (Adam's β₁) against the rate;
    here β stays as the optimizer sets it.

    References
    ----------
    Smith, L. N., Topin, N. (2019). Super-convergence: very fast training of neural networks
    using large learning rates. Taught in chapter 11.
    """
    eta_max = _checks.positive("eta_max", eta_max)
    steps = _checks.count("steps", steps, minimum=2)
    pct_start = _checks.real("pct_start", pct_start, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    div_factor = _checks.positive("div_factor", div_factor)
    final_div_factor = _checks.positive("final_div_factor", final_div_factor)
    anneal = _checks.choice("anneal", anneal, _ANNEALING)
    t1, t2 = pct_start * steps - 1.0, float(steps - 1)
    if not 0.0 < t1 < t2:
        raise ValueError(f"pct_start must put the peak t1 = pct_start·steps − 1 strictly between 0 and "
                         f"steps − 1 = {steps - 1:g}; got t1 = {t1:g} for pct_start={pct_start:g}, steps={steps}")
    eta0 = eta_max / div_factor
    eta_end = eta0 / final_div_factor

    def a(u, w, p):
        return w + 0.5 * (u - w) * (1.0 + math.cos(math.pi * p)) if anneal == "cos" else u + (w - u) * p

    def rule(t):
        if t <= t1:
            return a(eta0, eta_max, t / t1)
        return a(eta_max, eta_end, (t - t1) / (t2 - t1)) if t <= t2 else eta_end

    return Schedule(rule, f"one_cycle({eta_max:g}, {steps})", eta0)


#: The book's symbol for each hyperparameter, for legends (:attr:`Optimizer.label`).
SYMBOLS = {"eta": "η", "beta": "β", "beta1": "β₁", "beta2": "β₂", "eps": "ε", "mu": "μ", "k": "k",
           "weight_decay": "λ", "max_norm": "c", "clip_value": "c"}


def _schedule(eta) -> Schedule:
    return eta if isinstance(eta, Schedule) else constant(eta)


def _beta_schedule(name: str, beta) -> Schedule:
    """A constant β in [0, 1), or a schedule of them (such as :func:`sutskever_momentum`)."""
    if isinstance(beta, Schedule):
        return beta
    beta = _checks.unit_interval(name, beta)
    return Schedule(lambda t: beta, _fmt(beta), beta)


# --------------------------------------------------------------------------- optimizer


@dataclass(frozen=True)
class Optimizer:
    """A pure optimizer: ``init(x) -> state`` and ``update(g, state, x) -> (step, state)``.

    Attributes
    ----------
    init, update : callable
        The pair of pure functions.
    name : str
        Short name for legends, e.g. ``"adam"``.
    hyper : dict
        The hyperparameters, by the book's names (``eta``, ``beta`` …).
    needs_problem : bool
        True for optimizers that need more than the gradient (Newton reads the Hessian);
        :func:`descend.run` then passes ``problem=`` to ``update``.
    """

    init: Callable[[np.ndarray], Any]
    update: Callable[..., tuple[np.ndarray, Any]]
    name: str
    hyper: dict = field(default_factory=dict)
    needs_problem: bool = False

    @property
    def label(self) -> str:
        """``"momentum (η=0.1, β=0.9)"``: the name with its hyperparameters, for legends."""
        parts = [f"{SYMBOLS.get(k, k)}={_fmt(v) if not isinstance(v, Schedule) else v}"
                 for k, v in self.hyper.items() if k != "eps"]
        return f"{self.name} ({', '.join(parts)})" if parts else self.name

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyper.items())
        return f"{self.name}({args})"


class GDState(NamedTuple):
    t: int  #: number of steps taken so far


class MomentumState(NamedTuple):
    t: int
    u: np.ndarray  #: velocity u_t


class AdaGradState(NamedTuple):
    t: int
    v: np.ndarray  #: running sum of squared gradients v_t


class RMSPropState(NamedTuple):
    t: int
    v: np.ndarray  #: decaying average of squared gradients v_t


class AdamState(NamedTuple):
    t: int
    m: np.ndarray  #: first-moment estimate m_t
    v: np.ndarray  #: second-moment estimate v_t


class _Recycler:
    """New arrays for an optimizer's results, made from the memory of ones the caller let go.

    ``update`` must return new arrays (the caller's state is never written), and on 10⁶
    parameters making three new 8 MB arrays costs more than Adam's arithmetic: the allocator
    hands out fresh pages that the kernel maps one fault at a time (``make bench``). This keeps
    the last ``keep`` large arrays it handed out and gives one back only when nothing outside
    it refers to the array any more (no variable, state, view or memoryview: each holds a
    reference; nor a weak reference, which would see the array change), so an array the
    caller can still see is never written. Small arrays, which the
    allocator serves from its own free lists, are simply made new.
    """

    LARGE = 1 << 16          # elements; below this np.empty is as fast as the search

    def __init__(self, keep: int = 8):
        self.keep, self.arrays, self.reused = keep, [np.empty(0)], 0
        for a in self.arrays:    # the count of an array only the list holds, seen as in `empty`
            self.idle = self._references(a)
        self.arrays = []

    @staticmethod
    def _references(a) -> int:
        return sys.getrefcount(a)

    def empty(self, shape: tuple[int, ...]) -> np.ndarray:
        if math.prod(shape) < self.LARGE:
            return np.empty(shape)
        for a in self.arrays:
            if a.shape == shape and self._references(a) <= self.idle and not weakref.getweakrefcount(a):
                self.reused += 1
                return a
        a = np.empty(shape)
        self.arrays = [*self.arrays[1 - self.keep:], a] if self.keep > 1 else [a]
        return a


def _gradient(g, x) -> tuple[np.ndarray, np.ndarray]:
    g = np.asarray(g, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    if g.shape != x.shape:
        raise ValueError(f"g must have the shape of x, {x.shape}; got {g.shape}")
    return g, x


def gd(eta: float | Schedule = 0.1) -> Optimizer:
    r"""Gradient descent.

    .. math:: \theta_{t+1} = \theta_t - \eta_t \nabla L(\theta_t)

    Parameters
    ----------
    eta : float or Schedule
        Learning rate η > 0, or a schedule such as :func:`time_decay`.

    Returns
    -------
    Optimizer

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> opt = dd.gd(eta=0.1)
    >>> step, state = opt.update(np.array([2.0]), opt.init(np.array([1.0])), np.array([1.0]))
    >>> step
    array([-0.2])

    References
    ----------
    Cauchy, A. (1847). Méthode générale pour la résolution des systèmes d'équations simultanées.
    Taught in chapter 2. Equals ``torch.optim.SGD(lr=eta)``.
    """
    schedule = _schedule(eta)

    def init(x):
        return GDState(t=0)

    def update(g, state, x=None):
        g = np.asarray(g, dtype=np.float64)
        return -schedule(state.t) * g, GDState(t=state.t + 1)

    return Optimizer(init, update, "gd", {"eta": _hyper(eta)})


def momentum(eta: float | Schedule = 0.1, beta: float = 0.9) -> Optimizer:
    r"""Gradient descent with (heavy-ball) momentum.

    .. math::
        u_t = \beta u_{t-1} + \eta_t g_t, \qquad \theta_{t+1} = \theta_t - u_t, \qquad u_0 = 0

    Unrolled, :math:`u_t = \sum_{i \le t} \beta^{t-i} \eta_i g_i`: an exponentially weighted sum
    of past gradients.

    Parameters
    ----------
    eta : float or Schedule
        Learning rate η > 0.
    beta : float or Schedule
        Momentum β in [0, 1); β = 0 is plain gradient descent. A schedule such as
        :func:`sutskever_momentum` changes β with the step.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> opt = dd.momentum(eta=0.1, beta=0.5)
    >>> x, g = np.array([0.0]), np.array([1.0])        # a constant slope
    >>> state = opt.init(x)
    >>> for _ in range(3):
    ...     step, state = opt.update(g, state, x)
    >>> round(float(step[0]), 6)                       # −(0.1 + 0.05 + 0.025)
    -0.175

    Notes
    -----
    PyTorch's ``SGD(momentum=β)`` keeps :math:`b_t = \beta b_{t-1} + g_t` and steps by
    :math:`-\eta b_t`; for constant η this is the same as :math:`u_t = \eta b_t`.  With a
    schedule the two differ: here a change of η affects only new gradients.

    References
    ----------
    Polyak, B. T. (1964). Some methods of speeding up the convergence of iteration methods.
    Taught in chapter 4.
    """
    schedule = _schedule(eta)
    beta_t = _beta_schedule("beta", beta)

    def init(x):
        return MomentumState(t=0, u=np.zeros_like(np.asarray(x, dtype=np.float64)))

    def update(g, state, x=None):
        g = np.asarray(g, dtype=np.float64)
        u = beta_t(state.t) * state.u + schedule(state.t) * g
        return -u, MomentumState(t=state.t + 1, u=u)

    return Optimizer(init, update, "momentum", {"eta": _hyper(eta), "beta": _hyper_beta(beta_t)})


def nesterov(eta: float | Schedule = 0.1, beta: float = 0.9) -> Optimizer:
    r"""Nesterov accelerated gradient, in the form that takes the gradient where it stands.

    .. math::
        u_t = \beta u_{t-1} + \eta_t g_t, \qquad
        \tilde\theta_{t+1} = \tilde\theta_t - (\beta u_t + \eta_t g_t),
        \qquad g_t = \nabla L(\tilde\theta_t)

    CS7015 writes NAG with a look-ahead point :math:`\theta_t - \beta u_{t-1}` where the
    gradient is taken.  Renaming that look-ahead point :math:`\tilde\theta_t` gives the rule
    above, so the iterates here *are* CS7015's look-ahead points; chapter 4 derives it.

    Parameters
    ----------
    eta : float or Schedule
        Learning rate η > 0.
    beta : float or Schedule
        Momentum β in [0, 1), or a schedule of it.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> opt = dd.nesterov(eta=0.1, beta=0.5)
    >>> step, state = opt.update(np.array([1.0]), opt.init(np.zeros(1)), np.zeros(1))
    >>> step                                            # −(0.5·0.1 + 0.1)
    array([-0.15])

    Notes
    -----
    Equals ``torch.optim.SGD(lr=eta, momentum=beta, nesterov=True)`` for constant η.

    References
    ----------
    Nesterov, Y. (1983). A method for solving the convex programming problem with
    convergence rate O(1/k²). Sutskever, I., Martens, J., Dahl, G., Hinton, G. (2013).
    On the importance of initialization and momentum in deep learning. Taught in chapter 4.
    """
    schedule = _schedule(eta)
    beta_t = _beta_schedule("beta", beta)

    def init(x):
        return MomentumState(t=0, u=np.zeros_like(np.asarray(x, dtype=np.float64)))

    def update(g, state, x=None):
        g = np.asarray(g, dtype=np.float64)
        eta_t, b = schedule(state.t), beta_t(state.t)
        u = b * state.u + eta_t * g
        # the look-ahead uses the next step's momentum, as Sutskever et al. (2013) do
        return -(beta_t(state.t + 1) * u + eta_t * g), MomentumState(t=state.t + 1, u=u)

    return Optimizer(init, update, "nesterov", {"eta": _hyper(eta), "beta": _hyper_beta(beta_t)})


def adagrad(eta: float | Schedule = 0.1, eps: float = 1e-10, mean: bool = False) -> Optimizer:
    r"""AdaGrad: a per-parameter learning rate from the sum of past squared gradients.

    .. math::
        v_t = v_{t-1} + g_t^2, \qquad
        \theta_{t+1} = \theta_t - \frac{\eta_t}{\sqrt{v_t} + \epsilon}\, g_t, \qquad v_0 = 0

    (squares, roots and the division act elementwise.)

    Parameters
    ----------
    eta : float or Schedule
        Learning rate η > 0.
    eps : float
        ε > 0, added outside the square root to keep the division finite.
    mean : bool
        True divides by the root of the *mean* of the squared gradients instead of their sum,
        Hopkins's variant (chapter 7):

        .. math::
            \bar v_t = \frac{v_t}{t} = \frac1t \sum_{s=1}^t g_s^2, \qquad
            \theta_{t+1} = \theta_t - \frac{\eta_t}{\sqrt{\bar v_t} + \epsilon}\, g_t .

        Its step is AdaGrad's with :math:`\eta_t\sqrt t` for :math:`\eta_t` and
        :math:`\epsilon\sqrt t` for :math:`\epsilon`; :math:`\bar v_t` is RMSProp's average
        with the varying :math:`\beta_t = 1 - 1/t` (equal weights), and the limit as
        :math:`\beta_2 \to 1` of Adam's :math:`\hat v_t` (Kingma & Ba 2015, section 5).
        The state is AdaGrad's (the sum :math:`v_t` and the count t).

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> opt = dd.adagrad(eta=0.1, eps=1e-10)
    >>> step, state = opt.update(np.array([3.0, -4.0]), opt.init(np.zeros(2)), np.zeros(2))
    >>> np.round(step, 6)                              # the first step is −η·sign(g)
    array([-0.1,  0.1])
    >>> mean = dd.adagrad(eta=0.1, mean=True)          # a constant gradient: steps stay η
    >>> dd.optim.steps_on(mean, [2.0, 2.0, 2.0, 2.0]).round(6)
    array([-0.1, -0.1, -0.1, -0.1])

    Notes
    -----
    Equals ``torch.optim.Adagrad(lr=eta, eps=eps)`` (whose default ε is also 1e-10);
    ``mean=True`` has no PyTorch counterpart.

    References
    ----------
    Duchi, J., Hazan, E., Singer, Y. (2011). Adaptive subgradient methods for online learning
    and stochastic optimization. JMLR 12. Taught in chapter 7.
    """
    schedule = _schedule(eta)
    eps = _checks.positive("eps", eps)
    if not isinstance(mean, bool):
        raise TypeError(f"mean must be True or False, got {mean!r}")

    def init(x):
        return AdaGradState(t=0, v=np.zeros_like(np.asarray(x, dtype=np.float64)))

    def update(g, state, x=None):
        g = np.asarray(g, dtype=np.float64)
        v = state.v + g * g
        root = np.sqrt(v / (state.t + 1)) if mean else np.sqrt(v)   # √(v_t / t) or √v_t
        return -schedule(state.t) * g / (root + eps), AdaGradState(t=state.t + 1, v=v)

    return Optimizer(init, update, "adagrad (mean)" if mean else "adagrad",
                     {"eta": _hyper(eta), "eps": eps})


def rmsprop(eta: float | Schedule = 0.01, beta: float = 0.99, eps: float = 1e-8) -> Optimizer:
    r"""RMSProp: a per-parameter learning rate from a decaying average of squared gradients.

    .. math::
        v_t = \beta v_{t-1} + (1 - \beta) g_t^2, \qquad
        \theta_{t+1} = \theta_t - \frac{\eta_t}{\sqrt{v_t} + \epsilon}\, g_t, \qquad v_0 = 0

    Parameters
    ----------
    eta : float or Schedule
        Learning rate η > 0.
    beta : float
        Decay β in [0, 1) of the average (PyTorch calls it ``alpha``).
    eps : float
        ε > 0, outside the square root.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> opt = dd.rmsprop(eta=0.01, beta=0.99, eps=1e-8)
    >>> step, _ = opt.update(np.array([2.0]), opt.init(np.zeros(1)), np.zeros(1))
    >>> round(float(step[0]), 6)                       # −η·g/√(0.01·g²) = −10η
    -0.1

    Notes
    -----
    Equals ``torch.optim.RMSprop(lr=eta, alpha=beta, eps=eps)``. Hinton's lecture and
    Hopkins's notes put ε inside the square root; chapter 7 shows that the placement matters only
    while the gradients are not much larger than ε.

    References
    ----------
    Tieleman, T., Hinton, G. (2012). Lecture 6.5 — RMSProp. COURSERA: Neural Networks for
    Machine Learning. Taught in chapter 7.
    """
    schedule = _schedule(eta)
    beta = _checks.unit_interval("beta", beta)
    eps = _checks.positive("eps", eps)

    def init(x):
        return RMSPropState(t=0, v=np.zeros_like(np.asarray(x, dtype=np.float64)))

    def update(g, state, x=None):
        g = np.asarray(g, dtype=np.float64)
        v = beta * state.v + (1.0 - beta) * g * g
        return -schedule(state.t) * g / (np.sqrt(v) + eps), RMSPropState(t=state.t + 1, v=v)

    return Optimizer(init, update, "rmsprop", {"eta": _hyper(eta), "beta": beta, "eps": eps})


def _adam_into(g, m0, v0, m, v, step, w, beta1, beta2, c, d, eps) -> None:
    r"""Adam's arithmetic written into ``m``, ``v`` and ``step`` (``w`` is scratch):
    :math:`m = \beta_1 m_0 + (1-\beta_1) g`, :math:`v = \beta_2 v_0 + (1-\beta_2) g^2`,
    step :math:`= c\, m / (d \sqrt v + \epsilon)` with :math:`c = -\eta/(1-\beta_1^t)` and
    :math:`d = 1/\sqrt{1-\beta_2^t}`. NumPy's passes, for arrays below ``_PARALLEL`` elements,
    batches of hyperparameters, other layouts, and any size where Numba is missing; otherwise
    ``adam`` takes the compiled loop :func:`descend._kernels.adam_into`, which gives the same
    bits wherever a result is a number and NaN at the same places. In place, so that no
    temporary array is made."""
    np.multiply(m0, beta1, out=m)
    m += np.multiply(g, 1.0 - beta1, out=w)
    np.multiply(v0, beta2, out=v)
    v += np.multiply(np.square(g, out=w), 1.0 - beta2, out=w)
    denom = np.sqrt(v, out=w)
    denom *= d
    denom += eps
    np.multiply(m, c, out=step)
    step /= denom


#: Elements from which Adam's update runs compiled, in parts on several threads (see :func:`_in_parts`).
#: There a step's NumPy passes take about 1.8 ms against 0.45-0.75 for the loop on two threads
#: (2-core Xeon), so that importing Numba and compiling the loop, 0.45-0.65 s in all, once a
#: process, pays for itself within about 600 steps; no chapter updates as many parameters at
#: once, so no chapter imports Numba.
_PARALLEL = 1 << 18
_POOL = None             # (process id, the threads), made on first use


def _in_parts(kernel, arrays: list[np.ndarray], scalars: tuple) -> None:
    """Run ``kernel(*part_of_each_array, *scalars)`` over contiguous parts of flat arrays of one
    length, one part on each of up to four threads. The kernel must act element by element, so
    that the parts are independent, and release the GIL, as :mod:`descend._kernels`' compiled
    loops do; then a second core adds its memory bandwidth, as torch's kernels use OpenMP."""
    global _POOL
    import os
    from concurrent.futures import ThreadPoolExecutor

    n = arrays[0].size
    workers = max(1, min(4, os.cpu_count() or 1, n // _PARALLEL * 2))

    def part(k: int) -> None:
        lo, hi = n * k // workers, n * (k + 1) // workers
        kernel(*(a[lo:hi] for a in arrays), *scalars)

    if workers == 1:
        part(0)
        return
    if _POOL is None or _POOL[0] != os.getpid():      # a forked child has none of the threads
        _POOL = (os.getpid(), ThreadPoolExecutor(max_workers=4, thread_name_prefix="descend"))
    try:
        futures = [_POOL[1].submit(part, k) for k in range(workers)]
    except RuntimeError:      # the interpreter is shutting down: no new threads, so in this one
        futures = []
        for k in range(workers):
            part(k)
    for future in futures:
        future.result()


def adam(eta: float | Schedule = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
         eps: float = 1e-8) -> Optimizer:
    r"""Adam: momentum on the gradient, RMSProp on its square, both bias-corrected.

    .. math::
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t, &\quad \hat m_t &= m_t / (1 - \beta_1^t) \\
        v_t &= \beta_2 v_{t-1} + (1 - \beta_2) g_t^2, &\quad \hat v_t &= v_t / (1 - \beta_2^t) \\
        \theta_{t+1} &= \theta_t - \eta_t \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}

    with :math:`m_0 = v_0 = 0` and t counted from 1.

    Parameters
    ----------
    eta : float or Schedule
        Learning rate η > 0 (the paper's α); default 1e-3.
    beta1, beta2 : float
        Decay rates in [0, 1) of the first and second moment; defaults 0.9 and 0.999.
    eps : float
        ε > 0, outside the square root; default 1e-8.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> opt = dd.adam(eta=0.01)
    >>> step, state = opt.update(np.array([5.0]), opt.init(np.zeros(1)), np.zeros(1))
    >>> round(float(step[0]), 6)                       # bias correction makes it −η·sign(g)
    -0.01

    Notes
    -----
    Equals ``torch.optim.Adam(lr=eta, betas=(beta1, beta2), eps=eps)``. Chapter 8 proves
    that the corrections make :math:`\hat m_t` and :math:`\hat v_t` unbiased.

    From :math:`2^{18}` parameters on (the gradient and the state of one shape, in C order,
    and every hyperparameter a float64 scalar), the update runs as one compiled loop on several threads
    (:mod:`descend._kernels`, where Numba is installed) instead of NumPy's passes: the same
    bits wherever a result is a number, NaN at the same places, but never NumPy's warnings on
    overflow or invalid values, whatever ``np.errstate`` says.

    References
    ----------
    Kingma, D. P., Ba, J. (2015). Adam: A method for stochastic optimization. ICLR.
    Taught in chapters 7 and 8.
    """
    schedule = _schedule(eta)
    beta1 = _checks.unit_interval("beta1", beta1)
    beta2 = _checks.unit_interval("beta2", beta2)
    eps = _checks.positive("eps", eps)

    def init(x):
        zeros = np.zeros_like(np.asarray(x, dtype=np.float64))
        return AdamState(t=0, m=zeros, v=zeros.copy())

    scratch = {}          # one work array per shape, reused across steps; never returned
    fresh = _Recycler()   # m, v and the step: new arrays, in memory the caller let go

    def update(g, state, x=None):
        g = np.asarray(g, dtype=np.float64)
        m0, v0 = np.asarray(state.m, dtype=np.float64), np.asarray(state.v, dtype=np.float64)
        t = state.t + 1
        shape = g.shape if g.shape == m0.shape else np.broadcast_shapes(g.shape, m0.shape)
        c = -schedule(state.t) / (1.0 - beta1**t)        # −η / (1 − β₁ᵗ), an array for a batch
        d = 1.0 / np.sqrt(1.0 - beta2**t)                 # √v̂ = d √v
        m, v = fresh.empty(shape), fresh.empty(shape)
        step = fresh.empty(shape if isinstance(c, float) else np.broadcast_shapes(shape, np.shape(c)))
        arrays, scalars = (g, m0, v0, m, v, step), (beta1, beta2, c, d, eps)
        if (g.size >= _PARALLEL
                and all(np.ndim(s) == 0 and np.result_type(s) == np.float64 for s in scalars)
                and all(np.shape(a) == shape and a.flags.c_contiguous for a in arrays)
                and _kernels.compiled_adam() is not None):     # compiled here, before the threads start
            _in_parts(_kernels.adam_into, [a.reshape(-1) for a in arrays], tuple(map(float, scalars)))
        else:
            w = scratch.get(g.shape)
            if w is None:
                w = scratch[g.shape] = np.empty(g.shape)
            _adam_into(*arrays, w, beta1, beta2, c, d, eps)
        return step, AdamState(t=t, m=m, v=v)

    return Optimizer(init, update, "adam",
                     {"eta": _hyper(eta), "beta1": beta1, "beta2": beta2, "eps": eps})


def adamw(eta: float | Schedule = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
          eps: float = 1e-8, weight_decay: float = 0.01) -> Optimizer:
    r"""AdamW: Adam with decoupled weight decay.

    .. math::
        \theta_{t+1} = \theta_t - \eta_t \lambda\, \theta_t
                       - \eta_t \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}

    with :math:`\hat m_t, \hat v_t` exactly as in :func:`adam`, computed from the gradient of
    the loss alone. The decay :math:`\lambda` shrinks the weights directly; it never enters
    :math:`m_t` or :math:`v_t`. L2 regularisation, which adds :math:`\tfrac\lambda2\|\theta\|^2`
    to the loss, puts :math:`\lambda\theta_t` into the gradient instead, where Adam's division
    by :math:`\sqrt{\hat v_t}` rescales it coordinate by coordinate. For gradient descent the
    two coincide; for Adam they differ (chapter 11).

    Parameters
    ----------
    eta : float or Schedule
        Learning rate η > 0; default 1e-3.
    beta1, beta2 : float
        Decay rates in [0, 1) of the two moments; defaults 0.9 and 0.999.
    eps : float
        ε > 0, outside the square root; default 1e-8.
    weight_decay : float
        The decay λ ≥ 0 per unit of learning rate; default 0.01 (0 gives :func:`adam`).

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> opt = dd.adamw(eta=0.1, weight_decay=0.5)
    >>> x = np.array([2.0])
    >>> step, _ = opt.update(np.array([3.0]), opt.init(x), x)
    >>> round(float(step[0]), 6)                       # −ηλθ − η·sign(g) = −0.1 − 0.1
    -0.2

    Notes
    -----
    Equals ``torch.optim.AdamW(lr=eta, betas=(beta1, beta2), eps=eps,
    weight_decay=weight_decay)`` (the same default λ = 0.01), which multiplies the weights
    by :math:`1 - \eta_t\lambda` before Adam's step. The step reads ``x``, so call
    ``update(g, state, x)`` with the current weights.

    References
    ----------
    Loshchilov, I., Hutter, F. (2019). Decoupled weight decay regularization. ICLR.
    Taught in chapter 11.
    """
    schedule = _schedule(eta)
    weight_decay = _checks.real("weight_decay", weight_decay, lo=0.0)
    base = adam(eta, beta1, beta2, eps)

    def update(g, state, x=None):
        if x is None:
            raise ValueError("adamw's step reads the weights: call update(g, state, x)")
        g, x = _gradient(g, x)
        step, state_next = base.update(g, state)
        if weight_decay:
            step -= (schedule(state.t) * weight_decay) * x
        return step, state_next

    return Optimizer(base.init, update, "adamw", {**base.hyper, "weight_decay": weight_decay})


def newton(eta: float = 1.0, mu: float = 0.0) -> Optimizer:
    r"""Newton's method, optionally damped, optionally regularised.

    .. math:: \theta_{t+1} = \theta_t - \eta\, \bigl(H(\theta_t) + \mu I\bigr)^{-1} \nabla L(\theta_t)

    The Hessian :math:`H` comes from the problem: :func:`descend.run` passes
    ``problem=`` to ``update``; called by hand, pass it yourself
    (``opt.update(g, state, x, problem=p)``).

    Parameters
    ----------
    eta : float
        Step scale η > 0; 1 is the pure Newton step, less is damped Newton.
    mu : float
        Regularisation μ ≥ 0 added to the Hessian's diagonal (0, the default, is Newton's
        method). Once μ exceeds minus the smallest eigenvalue of H, the step is a descent
        direction even where H is indefinite; as μ grows it tends to the gradient step
        :math:`-(\eta/\mu)\nabla L` (Levenberg 1944; Marquardt 1963).

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> p = dd.quadratic([[2.0, 0.0], [0.0, 8.0]], b=[2.0, 8.0])
    >>> x = np.zeros(2)
    >>> opt = dd.newton()
    >>> step, _ = opt.update(p.grad(x), opt.init(x), x, problem=p)
    >>> x + step                                       # one step lands on A⁻¹b
    array([1., 1.])

    Notes
    -----
    Where :math:`H` is singular the step uses its pseudo-inverse (``np.linalg.lstsq``): the
    minimum-norm step that solves :math:`H s = -g` in the least-squares sense.  Newton's
    method moves towards any critical point, saddles included; chapter 9 shows this.

    References
    ----------
    Nocedal, J., Wright, S. J. (2006). Numerical Optimization, 2nd ed., chapter 3.
    Taught in chapter 9.
    """
    eta = _checks.positive("eta", eta)
    mu = _checks.real("mu", mu, lo=0.0)

    def init(x):
        return GDState(t=0)

    def update(g, state, x=None, *, problem=None):
        if problem is None or problem.hess is None:
            raise ValueError("newton needs problem= with a Hessian (problem.hess); run() passes it")
        g, x = _gradient(g, x)
        H = np.asarray(problem.hess(x), dtype=np.float64)
        if mu:
            H = H + mu * np.eye(len(H))
        return -eta * _solve(H, g), GDState(t=state.t + 1)

    hyper = {"eta": eta, "mu": mu} if mu else {"eta": eta}
    return Optimizer(init, update, "newton", hyper, needs_problem=True)


_EPS = float(np.finfo(np.float64).eps)


def _solve(H: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Solve H s = g, falling back to the minimum-norm least-squares solution if H is singular
    (its condition number σ_max/σ_min at least 1/ε, as ``np.linalg.cond`` has it)."""
    sigma = np.linalg.svd(H, compute_uv=False)  # np.linalg.cond's own SVD, less its overhead (chapter 9 runs ~10⁵ steps)
    with np.errstate(divide="ignore", invalid="ignore"):
        conditioned = sigma[0] / sigma[-1] < 1.0 / _EPS  # False for 0/0 (NaN) and x/0, which cond makes inf
    if conditioned:
        return np.linalg.solve(H, g)
    return np.linalg.lstsq(H, g, rcond=None)[0]


def _hyper(eta):
    return eta if isinstance(eta, Schedule) else _checks.positive("eta", eta)


def _hyper_beta(beta_t: Schedule):
    """β for legends: the number itself when constant, else the schedule."""
    return beta_t.eta0 if beta_t.name == _fmt(beta_t.eta0) else beta_t


# --------------------------------------------------------------------------- the generic template


class TemplateState(NamedTuple):
    t: int
    v: np.ndarray | None  #: AdaGrad's sum or RMSProp's average of g², if the rate uses one
    u: np.ndarray | None  #: velocity u_t, for update="momentum"
    m: np.ndarray | None  #: average m_t of g, for update="average"


_RATES = ("constant", "time_decay", "adagrad", "rmsprop", "adagrad_mean")
_UPDATES = ("plain", "momentum", "average")


def template(rate: str = "constant", update: str = "plain", *, eta: float = 0.01, k: float = 0.0,
             beta: float = 0.9, beta2: float = 0.99, eps: float = 1e-8, bias_correction: bool = False,
             eps_inside: bool = False, root: bool = True) -> Optimizer:
    r"""The generic template of gradient descent: choose how to set the rate, and how to update.

    Every method of chapters 2–7 fills two slots of one loop: a per-parameter learning
    rate :math:`\eta_t`, and an update built from :math:`\eta_t` and the gradients.

    ``rate`` — how :math:`\eta_t` is set (elementwise):

    ================  =========================================================================
    ``constant``      :math:`\eta_t = \eta`
    ``time_decay``    :math:`\eta_t = \eta / (1 + k\,(t - 1))` at steps :math:`t = 1, 2, \dots`
    ``adagrad``       :math:`v_t = v_{t-1} + g_t^2`, :math:`\eta_t = \eta / (\sqrt{v_t} + \epsilon)`
    ``rmsprop``       :math:`v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2`,
                      :math:`\eta_t = \eta / (\sqrt{v_t} + \epsilon)`
    ``adagrad_mean``  :math:`v_t = v_{t-1} + g_t^2`, :math:`\eta_t = \eta / (\sqrt{v_t / t} + \epsilon)`
                      (Hopkins's AdaGrad with the mean of the squares: equal weights 1/t)
    ================  =========================================================================

    ``update`` — how the step is computed:

    ==============  ===========================================================================
    ``plain``       :math:`\theta_{t+1} = \theta_t - \eta_t g_t`
    ``momentum``    :math:`u_t = \beta u_{t-1} + \eta_t g_t`, :math:`\theta_{t+1} = \theta_t - u_t`
                    (the rate scales each gradient *before* it enters the velocity)
    ``average``     :math:`m_t = \beta m_{t-1} + (1 - \beta) g_t`,
                    :math:`\theta_{t+1} = \theta_t - \eta_t m_t`
                    (the rate scales the averaged gradient)
    ==============  ===========================================================================

    With ``bias_correction`` the averages are divided by :math:`1 - \beta^t` and
    :math:`1 - \beta_2^t` (t counted from 1), as Adam does. Then

    * ``template("constant", "plain")`` is :func:`gd`, ``("time_decay", "plain")`` is
      :func:`gd` with :func:`time_decay`, ``("constant", "momentum")`` is :func:`momentum`;
    * ``("adagrad", "plain")`` is :func:`adagrad`, ``("rmsprop", "plain")`` is
      :func:`rmsprop` (with ``beta2`` as its ``beta``);
    * ``("adagrad_mean", "plain")`` is :func:`adagrad` with ``mean=True``;
    * ``("rmsprop", "momentum")`` is RMSProp with momentum (PyTorch's
      ``RMSprop(momentum=β)``);
    * ``("rmsprop", "average", bias_correction=True)`` is :func:`adam` (with ``beta`` as
      β₁), and without the correction it is Adam without bias correction.

    Parameters
    ----------
    rate : {"constant", "time_decay", "adagrad", "rmsprop", "adagrad_mean"}
        How the learning rate is set.
    update : {"plain", "momentum", "average"}
        How the step is computed.
    eta : float
        The base learning rate η > 0.
    k : float
        Decay rate ≥ 0 of ``time_decay``.
    beta : float
        β in [0, 1) of ``momentum`` or ``average`` (Adam's β₁).
    beta2 : float
        Decay β₂ in [0, 1) of the ``rmsprop`` average of :math:`g^2`.
    eps : float
        ε > 0 of the adaptive rates.
    bias_correction : bool
        Divide :math:`m_t` by :math:`1 - \beta^t` and :math:`v_t` (RMSProp's) by
        :math:`1 - \beta_2^t`.
    eps_inside : bool
        Put ε inside the square root, :math:`\eta / \sqrt{v_t + \epsilon}`, as Goodfellow
        et al.'s RMSProp and CS7015 do.
    root : bool
        False drops the square root: :math:`\eta / (v_t + \epsilon)` (a variant that is not
        invariant to the scale of the loss; chapter 7 shows why the root is there).

    Returns
    -------
    Optimizer

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> g, x = np.array([0.5, -2.0]), np.zeros(2)
    >>> mine = dd.template("rmsprop", "average", eta=0.1, beta=0.9, beta2=0.999, bias_correction=True)
    >>> a, _ = mine.update(g, mine.init(x), x)
    >>> b, _ = dd.adam(eta=0.1).update(g, dd.adam(eta=0.1).init(x), x)
    >>> np.allclose(a, b, rtol=1e-15), np.round(a, 6)   # Adam's first step is −η·sign(g)
    (True, array([-0.1,  0.1]))

    References
    ----------
    Goodfellow, I., Bengio, Y., Courville, A. (2016). Deep Learning, section 8.5.
    Kingma, D. P., Ba, J. (2015). Adam: A method for stochastic optimization. ICLR.
    Taught in chapter 7.
    """
    rate = _checks.choice("rate", rate, _RATES)
    update = _checks.choice("update", update, _UPDATES)
    eta = _checks.positive("eta", eta)
    k = _checks.real("k", k, lo=0.0)
    beta = _checks.unit_interval("beta", beta)
    beta2 = _checks.unit_interval("beta2", beta2)
    eps = _checks.positive("eps", eps)
    for name, flag in (("bias_correction", bias_correction), ("eps_inside", eps_inside), ("root", root)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be True or False, got {flag!r}")
    adaptive = rate in ("adagrad", "rmsprop", "adagrad_mean")
    if bias_correction and not (update == "average" or rate == "rmsprop"):
        raise ValueError("bias_correction needs an average to correct: update='average' or rate='rmsprop'")
    if not adaptive and (eps_inside or not root):
        raise ValueError("eps_inside and root concern the adaptive rates: rate='adagrad', 'rmsprop' "
                         "or 'adagrad_mean'")

    def init(x):
        zeros = np.zeros_like(np.asarray(x, dtype=np.float64))
        return TemplateState(t=0, v=zeros.copy() if adaptive else None,
                             u=zeros.copy() if update == "momentum" else None,
                             m=zeros.copy() if update == "average" else None)

    def set_rate(g, state, t):
        """The rate as a scale and a denominator, η_t = scale / denom (denom None means 1)."""
        scale = eta / (1.0 + k * state.t) if rate == "time_decay" else eta
        if not adaptive:
            return scale, None, None
        if rate in ("adagrad", "adagrad_mean"):
            v = state.v + g * g
        else:
            v = np.multiply(state.v, beta2)
            v += (1.0 - beta2) * np.square(g)
        correct = bias_correction and rate == "rmsprop"
        if eps_inside or not root:
            v_hat = v / (1.0 - beta2**t) if correct else v / t if rate == "adagrad_mean" else v
            denom = np.sqrt(v_hat + eps) if root else v_hat + eps
        else:  # ε outside the root, in the same arithmetic as adagrad, rmsprop and adam
            denom = np.sqrt(v / t) if rate == "adagrad_mean" else np.sqrt(v)
            if correct:
                denom *= 1.0 / np.sqrt(1.0 - beta2**t)
            denom += eps
        return scale, denom, v

    def update_(g, state, x=None):
        g = np.asarray(g, dtype=np.float64)
        t = state.t + 1
        scale, denom, v = set_rate(g, state, t)
        u = m = None
        if update == "plain":
            step = -scale * g if denom is None else -scale * g / denom
        elif update == "momentum":
            u = beta * state.u + (scale * g if denom is None else scale * g / denom)
            step = -u
        else:
            m = np.multiply(state.m, beta)
            m += (1.0 - beta) * g
            step = np.multiply(m, -scale / (1.0 - beta**t) if bias_correction else -scale)
            if denom is not None:
                step /= denom
        return step, TemplateState(t=t, v=v, u=u, m=m)

    hyper = {"eta": eta}
    if rate == "time_decay":
        hyper["k"] = k
    if update != "plain":
        hyper["beta"] = beta
    if rate == "rmsprop":
        hyper["beta2"] = beta2
    if adaptive:
        hyper["eps"] = eps
    name = ", ".join([rate, update] + ["bias-corrected"] * bias_correction + ["ε inside"] * eps_inside
                     + ["no root"] * (not root))
    return Optimizer(init, update_, name, hyper)


# --------------------------------------------------------------------------- gradient clipping


def _finite_array(name: str, value) -> np.ndarray:
    """A finite float64 array of any shape (a copy: the caller's array is left alone)."""
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of real numbers, got {type(value).__name__}") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return arr


#: The ε that :func:`clip_grad_norm` adds to the norm by default, as PyTorch does.
_CLIP_EPS = 1e-6


def clip_grad_norm(g, max_norm: float, eps: float = _CLIP_EPS) -> np.ndarray:
    r"""Scale a gradient down, if it is long, so that its norm is at most ``max_norm``:

    .. math:: \operatorname{clip}(g) = g \cdot \min\Bigl(1, \frac{c}{\|g\|_2 + \epsilon}\Bigr),
              \qquad c = \text{max\_norm}.

    The direction is kept; only the length changes, to just under :math:`c` when
    :math:`\|g\| > c`.

    Parameters
    ----------
    g : array_like
        The gradient (all parameters together: the norm is over every entry).
    max_norm : float
        The largest norm c > 0.
    eps : float
        ε ≥ 0 added to the norm, as PyTorch does; default 1e-6.

    Returns
    -------
    ndarray
        A new array; ``g`` is not changed.

    Examples
    --------
    >>> import descend as dd
    >>> dd.clip_grad_norm([3.0, 4.0], max_norm=1.0, eps=0.0)   # norm 5 → 1, same direction
    array([0.6, 0.8])
    >>> dd.clip_grad_norm([0.3, 0.4], max_norm=1.0)            # short already: unchanged
    array([0.3, 0.4])

    Notes
    -----
    Equals ``torch.nn.utils.clip_grad_norm_(params, max_norm)`` (2-norm over all the
    parameters' gradients), which works in place.

    References
    ----------
    Pascanu, R., Mikolov, T., Bengio, Y. (2013). On the difficulty of training recurrent
    neural networks. ICML. Taught in chapter 11.
    """
    g = _finite_array("g", g)
    max_norm = _checks.positive("max_norm", max_norm)
    eps = _checks.real("eps", eps, lo=0.0)
    return _clip_norm(g, max_norm, eps)


def _clip_norm(g: np.ndarray, max_norm: float, eps: float) -> np.ndarray:
    """:func:`clip_grad_norm` of a float64 array without the checks of its arguments.
    ``sqrt(g·g)`` is how ``np.linalg.norm`` computes the norm of a flattened array: the
    same bits, without its own checks, which cost more than a step of a small problem."""
    flat = g.ravel(order="K")
    return g * min(1.0, max_norm / (math.sqrt(float(flat.dot(flat))) + eps))


def clip_grad_value(g, clip_value: float) -> np.ndarray:
    r"""Clip every entry of a gradient to :math:`[-c, c]`:

    .. math:: \operatorname{clip}(g)_i = \max(-c, \min(c, g_i)), \qquad c = \text{clip\_value}.

    Unlike :func:`clip_grad_norm` this changes the direction when some entry is clipped, unless
    every nonzero entry has the same size; it turns :math:`g` towards :math:`\operatorname{sign}(g)`.

    Parameters
    ----------
    g : array_like
        The gradient.
    clip_value : float
        The bound c > 0.

    Returns
    -------
    ndarray
        A new array; ``g`` is not changed.

    Examples
    --------
    >>> import descend as dd
    >>> dd.clip_grad_value([3.0, -0.2, -4.0], clip_value=1.0)
    array([ 1. , -0.2, -1. ])

    Notes
    -----
    Equals ``torch.nn.utils.clip_grad_value_(params, clip_value)``, which works in place.

    References
    ----------
    Mikolov, T. (2012). Statistical language models based on neural networks. PhD thesis,
    Brno University of Technology. Taught in chapter 11.
    """
    g = _finite_array("g", g)
    clip_value = _checks.positive("clip_value", clip_value)
    return np.clip(g, -clip_value, clip_value)


def clipped(opt: Optimizer, *, max_norm: float | None = None, clip_value: float | None = None) -> Optimizer:
    r"""An optimizer that clips each gradient before ``opt`` sees it.

    .. math:: (\Delta_t, s_t) = \mathrm{update}_{\rm opt}(\operatorname{clip}(g_t), s_{t-1}, x_t)

    with :func:`clip_grad_norm` (``max_norm``) or :func:`clip_grad_value` (``clip_value``):
    give exactly one.

    Parameters
    ----------
    opt : Optimizer
        The optimizer.
    max_norm, clip_value : float, optional
        The bound of the clipping.

    Examples
    --------
    >>> import descend as dd
    >>> opt = dd.clipped(dd.gd(eta=0.1), max_norm=1.0)
    >>> dd.optim.steps_on(opt, [[30.0, 40.0]]).round(6)       # the gradient's norm 50 becomes 1
    array([[-0.06, -0.08]])

    Notes
    -----
    The same as calling ``torch.nn.utils.clip_grad_norm_`` (or ``clip_grad_value_``) between
    ``loss.backward()`` and ``optimizer.step()``. Taught in chapter 11.
    """
    if not isinstance(opt, Optimizer):
        raise TypeError(f"opt must be an Optimizer, got {type(opt).__name__}")
    if (max_norm is None) == (clip_value is None):
        raise ValueError("give exactly one of max_norm and clip_value")
    if max_norm is not None:
        max_norm = _checks.positive("max_norm", max_norm)
        clip, bound, how = (lambda g: _clip_norm(_finite_array("g", g), max_norm, _CLIP_EPS)), max_norm, "norm"
    else:
        clip_value = _checks.positive("clip_value", clip_value)
        clip, bound, how = (lambda g: np.clip(_finite_array("g", g), -clip_value, clip_value)), clip_value, "value"

    def update(g, state, x=None, **kwargs):
        return opt.update(clip(np.asarray(g, dtype=np.float64)), state, x, **kwargs)

    return Optimizer(opt.init, update, f"{opt.name}, clipped by {how}",
                     {**opt.hyper, "max_norm" if how == "norm" else "clip_value": bound},
                     needs_problem=opt.needs_problem)


# --------------------------------------------------------------------------- given gradients


def steps_on(opt: Optimizer, gradients, x0=None) -> np.ndarray:
    r"""The steps an optimizer takes when it is fed a given sequence of gradients.

    :func:`descend.run` computes each gradient at the current iterate, from a loss. Here the
    gradients :math:`g_1, \dots, g_T` are given in advance, whatever the iterates, and the
    optimizer's update runs on them in turn: from :math:`s_0 = \mathrm{init}(x_0)`,

    .. math::
        (\Delta_t, s_t) = \mathrm{update}(g_t, s_{t-1}, x_{t-1}), \qquad
        x_t = x_{t-1} + \Delta_t, \qquad t = 1, \dots, T .

    This shows how an optimizer answers a gradient sequence that no simple loss produces:
    a gradient that is zero for a while and then switches on, or one that grows
    geometrically.

    Parameters
    ----------
    opt : Optimizer
        An optimizer that needs only the gradient (not Newton or a line search, which read
        the loss).
    gradients : array_like, shape (T,) or (T, d)
        Row ``t - 1`` is :math:`g_t`. A 1-D sequence is one coordinate.
    x0 : array_like, optional
        The start :math:`x_0` (default: zeros of a gradient's shape). Only optimizers that read
        ``x`` depend on it.

    Returns
    -------
    ndarray, the shape of ``gradients``
        Row ``t - 1`` is the step :math:`\Delta_t = x_t - x_{t-1}`.

    Examples
    --------
    >>> import descend as dd
    >>> dd.optim.steps_on(dd.gd(eta=0.5), [2.0, -4.0])
    array([-1.,  2.])
    >>> abs(dd.optim.steps_on(dd.adam(eta=0.1), [0.0, 0.0, 3.0, 3.0])).round(4)  # two zeros first
    array([0.    , 0.    , 0.0639, 0.0781])

    Notes
    -----
    Taught in chapter 8, which feeds Adam a gradient that is zero for :math:`s` steps and
    constant after them.
    """
    if not isinstance(opt, Optimizer):
        raise TypeError(f"opt must be an Optimizer, got {type(opt).__name__}")
    if opt.needs_problem:
        raise ValueError(f"{opt.name} reads the loss, not only the gradient: use descend.run")
    try:
        g = np.array(gradients, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"gradients must be an array of real numbers, got {type(gradients).__name__}") from None
    if g.ndim not in (1, 2) or g.shape[0] == 0:
        raise ValueError(f"gradients must have shape (T,) or (T, d) with T ≥ 1, got {g.shape}")
    if not np.all(np.isfinite(g)):
        raise ValueError("gradients must be finite")
    rows = g.reshape(len(g), -1)
    x = np.zeros(rows.shape[1]) if x0 is None else _checks.vector("x0", x0, dim=rows.shape[1])
    state, steps = opt.init(x), np.empty_like(rows)
    for t, g_t in enumerate(rows):
        step, state = opt.update(g_t, state, x)
        steps[t] = step
        x = x + step
    return steps.reshape(g.shape)


__all__ += ["steps_on"]


def scaled_steps(opt: Optimizer, scale) -> Optimizer:
    r"""An optimizer whose every step is multiplied, coordinate by coordinate, by a fixed vector.

    .. math:: x_{t+1} = x_t + \delta \odot \Delta_t ,

    where :math:`\Delta_t` is the step ``opt`` takes from the same gradients and state.  With
    :math:`\delta_i = c_i` it is ``opt`` with the learning rate :math:`c_i\eta` on coordinate
    i (for gradient descent, Adam and the other methods whose step is proportional to η).

    Parameters
    ----------
    opt : Optimizer
        The optimizer.
    scale : array_like
        The factors :math:`\delta`, one per coordinate (or one number for all).  On a batch
        of iterates of shape ``(d, S)`` (:func:`descend.sweep_starts`, :func:`descend.sweep`)
        :math:`\delta_i` multiplies row i, coordinate i of every run.

    Returns
    -------
    Optimizer
        Named after ``opt``, with its hyperparameters.

    Examples
    --------
    >>> import numpy as np, descend as dd
    >>> opt = dd.optim.scaled_steps(dd.gd(eta=0.5), [1.0, 4.0])
    >>> dd.optim.steps_on(opt, [[2.0, 2.0]])        # −0.5 · 2, then times 1 and 4
    array([[-1., -4.]])
    >>> step, _ = opt.update(np.full((2, 3), 2.0), opt.init(np.zeros((2, 3))))
    >>> step                                        # a batch of 3 runs: row i times δᵢ
    array([[-1., -1., -1.],
           [-4., -4., -4.]])

    Notes
    -----
    Used in chapter 9: after a change of units :math:`\theta = D\phi`, Adam moves θ as
    ``scaled_steps(adam, diag(D))`` would, gradient descent as ``scaled_steps(gd, diag(D)²)``.
    """
    if not isinstance(opt, Optimizer):
        raise TypeError(f"opt must be an Optimizer, got {type(opt).__name__}")
    delta = np.array(scale, dtype=np.float64)
    if delta.ndim > 1 or not np.all(np.isfinite(delta)):
        raise ValueError(f"scale must be a finite number or 1-D array, got {scale!r}")

    def update(g, state, x=None, **kwargs):
        step, state = opt.update(g, state, x, **kwargs)
        step = np.asarray(step)
        if delta.ndim == 0 or step.ndim == 0:
            return delta * step, state
        if delta.size not in (1, step.shape[0]):
            raise ValueError(f"scale must be one number or one factor per coordinate, {step.shape[0]}; "
                             f"got {delta.size} factors")
        # δ lines up with the coordinates, the first axis: on a batch of iterates (d, S), as in
        # descend.sweep_starts, plain broadcasting would line it up with the runs instead
        return delta.reshape((-1,) + (1,) * (step.ndim - 1)) * step, state

    return Optimizer(opt.init, update, f"{opt.name}, steps scaled", dict(opt.hyper),
                     needs_problem=opt.needs_problem)


__all__ += ["scaled_steps"]


class StateSize(NamedTuple):
    """What an optimizer's state holds: arrays with one entry per parameter, and single numbers."""

    vectors: int  #: arrays the shape of the parameters
    scalars: int  #: single numbers, such as the step count t


def state_size(opt: Optimizer, d: int = 3) -> StateSize:
    r"""Count the arrays and the single numbers in an optimizer's state.

    The count reads ``opt.init(x)`` itself, for :math:`x = 0 \in \mathbb R^d`: every field
    that is an array the shape of :math:`x` counts as one vector (one number per
    parameter), every single number (an ``int`` or ``float``, or an array of size 1 when
    ``d > 1``) as a scalar, and fields that are ``None`` (slots that
    :func:`template` leaves unused) do not count. With :math:`n` parameters stored in
    :math:`b` bytes each, the state takes about :math:`\text{vectors} \cdot n \cdot b` bytes.

    Parameters
    ----------
    opt : Optimizer
        The optimizer.
    d : int
        The number of parameters of the probe, ≥ 2 (so that a vector and a scalar differ).

    Returns
    -------
    StateSize
        ``(vectors, scalars)``.

    Examples
    --------
    >>> import descend as dd
    >>> dd.optim.state_size(dd.adam())                 # m, v and the count t
    StateSize(vectors=2, scalars=1)
    >>> dd.optim.state_size(dd.gd())                   # only the count t (for schedules)
    StateSize(vectors=0, scalars=1)

    Notes
    -----
    Taught in chapter 7: gradient descent keeps no vector, momentum, AdaGrad and RMSProp one,
    Adam two. An optimizer whose state holds anything else (a nested structure, an array
    of another shape) is refused rather than guessed at.
    """
    if not isinstance(opt, Optimizer):
        raise TypeError(f"opt must be an Optimizer, got {type(opt).__name__}")
    d = _checks.count("d", d, minimum=2)
    state = opt.init(np.zeros(d))
    fields = state._asdict() if hasattr(state, "_asdict") else {"state": state}
    vectors = scalars = 0
    for name, value in fields.items():
        if value is None:
            continue
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number, np.ndarray)):
            raise ValueError(f"state_size cannot count the field {name!r} of {opt.name}'s state "
                             f"({type(value).__name__})")
        shape = np.shape(value)
        if shape == (d,):
            vectors += 1
        elif np.size(value) == 1:
            scalars += 1
        else:
            raise ValueError(f"state_size cannot count the field {name!r} of {opt.name}'s state "
                             f"(shape {shape}, parameters {(d,)})")
    return StateSize(vectors, scalars)


__all__ += ["state_size", "StateSize"]


# --------------------------------------------------------------------------- the catalogue


class Entry(NamedTuple):
    """One optimizer, schedule or clipping function of the library, described once.

    The package's exports, the torch-parity test's coverage, the bad-input tests and the
    convergence tests all walk :data:`CATALOGUE`; ``tests/library/test_catalogue.py`` names
    every place a new entry is still missing.
    """

    name: str                       #: the function's name, ``descend.<name>``
    kind: str                       #: "optimizer", "schedule" or "clip"
    chapter: int                    #: the chapter that teaches it
    torch: str | None               #: the PyTorch counterpart it equals, if any
    example: dict                   #: the arguments of one valid call
    on_convex: Callable[[float], dict] | None = None
    """For an optimizer: arguments under which it lowers, within 300 steps, any convex loss
    whose largest curvature is the given L (the convergence tests run them)."""


CATALOGUE = (
    Entry("gd", "optimizer", 2, "torch.optim.SGD", {"eta": 0.1}, lambda L: {"eta": 1.0 / L}),
    Entry("momentum", "optimizer", 4, "torch.optim.SGD", {"eta": 0.1, "beta": 0.9},
          lambda L: {"eta": 0.5 / L, "beta": 0.5}),
    Entry("nesterov", "optimizer", 4, "torch.optim.SGD", {"eta": 0.1, "beta": 0.9},
          lambda L: {"eta": 0.5 / L, "beta": 0.5}),
    Entry("adagrad", "optimizer", 7, "torch.optim.Adagrad", {"eta": 0.1, "eps": 1e-10}, lambda L: {"eta": 0.1}),
    Entry("rmsprop", "optimizer", 7, "torch.optim.RMSprop", {"eta": 0.01, "beta": 0.99, "eps": 1e-8},
          lambda L: {"eta": 0.01}),
    Entry("adam", "optimizer", 7, "torch.optim.Adam", {"eta": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
          lambda L: {"eta": 0.01}),
    Entry("adamw", "optimizer", 11, "torch.optim.AdamW",
          {"eta": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01},
          lambda L: {"eta": 0.01, "weight_decay": 1e-3}),
    Entry("newton", "optimizer", 9, None, {"eta": 1.0, "mu": 0.0}, lambda L: {}),
    Entry("constant", "schedule", 5, None, {"eta": 0.1}),
    Entry("time_decay", "schedule", 2, None, {"eta": 0.1, "k": 0.01}),
    Entry("step_decay", "schedule", 5, "torch.optim.lr_scheduler.StepLR", {"eta": 0.1, "drop": 0.5, "every": 10}),
    Entry("exponential_decay", "schedule", 5, "torch.optim.lr_scheduler.ExponentialLR", {"eta": 0.1, "k": 0.01}),
    Entry("sutskever_momentum", "schedule", 4, None, {"beta_max": 0.99, "every": 250}),
    Entry("linear_ramp", "schedule", 11, "torch.optim.lr_scheduler.LinearLR",
          {"eta": 0.1, "start_factor": 0.25, "end_factor": 1.0, "steps": 10}),
    Entry("cosine_annealing", "schedule", 11, "torch.optim.lr_scheduler.CosineAnnealingLR",
          {"eta": 0.1, "steps": 50, "eta_min": 0.001}),
    Entry("one_cycle", "schedule", 11, "torch.optim.lr_scheduler.OneCycleLR",
          {"eta_max": 0.1, "steps": 50, "pct_start": 0.3, "div_factor": 25.0, "final_div_factor": 1e4}),
    Entry("clip_grad_norm", "clip", 11, "torch.nn.utils.clip_grad_norm_", {"g": [3.0, 4.0], "max_norm": 1.0}),
    Entry("clip_grad_value", "clip", 11, "torch.nn.utils.clip_grad_value_", {"g": [3.0, -4.0], "clip_value": 1.0}),
)

__all__ += [entry.name for entry in CATALOGUE]
