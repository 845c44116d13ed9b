r"""Exponentially decaying averages started at zero, and their bias correction.

Adam, RMSProp and momentum all keep a decaying average
:math:`m_t = \beta m_{t-1} + (1 - \beta) q_t`.  Started at :math:`m_0 = 0` its weights add
up to :math:`1 - \beta^t`, not 1, so early on it is biased towards zero; dividing by
:math:`1 - \beta^t` removes the bias.  :func:`decaying_average` computes the averages of
many sequences at once (one per column), which is how chapter 8 checks the bias correction
by simulation; :func:`average_weights` gives the weight of each past value.
Taught in chapters 7 and 8.
"""

from __future__ import annotations

import numpy as np

from . import _checks

__all__ = ["decaying_average", "average_weights"]


def _flag(name: str, value) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return value


def decaying_average(q, beta: float, *, bias_correction: bool = False, m0=0.0) -> np.ndarray:
    r"""The decaying averages :math:`m_1, \dots, m_T` of a sequence :math:`q_1, \dots, q_T`.

    .. math::
        m_t = \beta\, m_{t-1} + (1 - \beta)\, q_t
            = \beta^t m_0 + (1 - \beta) \sum_{i=1}^{t} \beta^{t-i} q_i ,
        \qquad
        \hat m_t = \frac{m_t}{1 - \beta^t} \ \text{(with bias correction, } m_0 = 0\text{)}.

    Time runs along the first axis of ``q``; any further axes hold independent sequences
    (streams), all averaged at once.  Adam's :math:`m_t` is ``decaying_average(g, beta1)``
    and its :math:`v_t` is ``decaying_average(g**2, beta2)``.

    Parameters
    ----------
    q : array_like of shape (T, ...)
        The values :math:`q_1, \dots, q_T` along axis 0, T ≥ 1, all finite.
    beta : float
        Decay β in [0, 1).
    bias_correction : bool
        Return :math:`\hat m_t = m_t / (1 - \beta^t)` instead of :math:`m_t`.
    m0 : float or array_like
        The start :math:`m_0`, broadcast to the shape of one row of ``q``; default 0.
        Bias correction is made for the start 0 and refuses any other.

    Returns
    -------
    ndarray of the shape of ``q``
        Row ``t − 1`` holds :math:`m_t` (or :math:`\hat m_t`).

    Examples
    --------
    >>> import descend as dd
    >>> dd.decaying_average([3.0, 5.0, 6.0], beta=0.5)            # 1.5, then 0.5·1.5 + 2.5, …
    array([1.5  , 3.25 , 4.625])
    >>> dd.decaying_average([2.0, 2.0, 2.0], beta=0.9, bias_correction=True)
    array([2., 2., 2.])

    References
    ----------
    Kingma, D. P., Ba, J. (2015). Adam: A method for stochastic optimization. ICLR,
    section 3 (initialization bias correction).
    Taught in chapters 7 and 8.
    """
    try:
        q = np.array(q, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"q must be an array of real numbers, got {type(q).__name__}") from None
    if q.ndim == 0 or q.shape[0] == 0:
        raise ValueError(f"q must hold at least one value along its first axis (time), got shape {q.shape}")
    if not np.all(np.isfinite(q)):
        raise ValueError("q must be finite")
    beta = _checks.unit_interval("beta", beta)
    bias_correction = _flag("bias_correction", bias_correction)
    try:
        m = np.array(np.broadcast_to(np.asarray(m0, dtype=np.float64), q.shape[1:]))
    except (TypeError, ValueError):
        raise ValueError(f"m0 must be a number or an array of shape {q.shape[1:]}, got {m0!r}") from None
    if not np.all(np.isfinite(m)):
        raise ValueError("m0 must be finite")
    if bias_correction and np.any(m != 0):
        raise ValueError("bias_correction divides by 1 − βᵗ, which is right only for m0 = 0")
    out = np.empty_like(q)
    for t in range(q.shape[0]):  # a loop over time; every stream at once
        m = beta * m + (1.0 - beta) * q[t]
        out[t] = m
    if bias_correction:
        total = 1.0 - beta ** np.arange(1, q.shape[0] + 1)   # 1 − βᵗ, the total weight
        out /= total.reshape((-1,) + (1,) * (q.ndim - 1))
    return out


def average_weights(beta: float, t: int, *, bias_correction: bool = False) -> np.ndarray:
    r"""The weight of each value :math:`q_1, \dots, q_t` in the decaying average :math:`m_t`.

    .. math::
        w_i = (1 - \beta)\, \beta^{t-i}, \qquad
        \sum_{i=1}^t w_i = 1 - \beta^t ;
        \qquad
        \hat w_i = \frac{w_i}{1 - \beta^t}, \qquad \sum_{i=1}^t \hat w_i = 1 .

    Parameters
    ----------
    beta : float
        Decay β in [0, 1).
    t : int
        The step, t ≥ 1.
    bias_correction : bool
        Return the weights :math:`\hat w_i` of :math:`\hat m_t = m_t / (1 - \beta^t)`.

    Returns
    -------
    (t,) ndarray
        ``w[i - 1]`` is the weight of :math:`q_i`; the newest value comes last.

    Examples
    --------
    >>> import descend as dd
    >>> w = dd.average_weights(0.5, 3)
    >>> w, float(w.sum())                          # 1 − 0.5³ = 0.875
    (array([0.125, 0.25 , 0.5  ]), 0.875)

    Notes
    -----
    Taught in chapter 8, which uses these weights to prove that :math:`\hat m_t` is unbiased
    and to find how far behind a drifting gradient it lags.
    """
    beta = _checks.unit_interval("beta", beta)
    t = _checks.count("t", t, minimum=1)
    bias_correction = _flag("bias_correction", bias_correction)
    w = (1.0 - beta) * beta ** np.arange(t - 1, -1, -1, dtype=np.float64)
    return w / (1.0 - beta**t) if bias_correction else w
