r"""Fused loops, compiled with Numba, for the update steps NumPy can only do in many passes.

Adam's update on :math:`10^6` parameters is a dozen NumPy passes over 8 MB arrays, each
reading and writing memory; torch's ``foreach`` kernels fuse them. :func:`adam_into` does the
whole update in one loop, which reads each input once and writes each result once (``make
bench``: 1.7 ms against 5.0 ms for the passes, on a 2-core Xeon).

Each kernel does the arithmetic of its NumPy twin in :mod:`descend.optim` operation by
operation, in the same order and with the same rounding: no fused multiply-add and no
reordering (Numba's default, without ``fastmath``), so the two agree bit for bit
(``tests/library/test_optim.py``). The kernels release the GIL, so that
``optim._in_parts`` can run them on several threads.

Numba is imported, and the kernels compiled, on first use only: importing it takes about
half a second, which a chapter that never updates :math:`2^{18}` parameters at once should not
pay. The compiled code is cached beside this file (or in Numba's user cache where this
directory is read-only), so later processes load it instead of compiling it.
"""

from __future__ import annotations

import functools

import numpy as np

@functools.cache
def _njit():
    import numba

    return numba.njit(nogil=True, cache=True, error_model="numpy")


@functools.cache
def _adam():
    @_njit()
    def adam(g, m0, v0, m, v, step, beta1, beta2, c, d, eps):
        a1, a2 = 1.0 - beta1, 1.0 - beta2
        for i in range(g.size):
            gi = g[i]
            mi = m0[i] * beta1 + gi * a1
            vi = v0[i] * beta2 + (gi * gi) * a2
            m[i] = mi
            v[i] = vi
            step[i] = (mi * c) / (np.sqrt(vi) * d + eps)

    return adam


def adam_into(g, m0, v0, m, v, step, beta1, beta2, c, d, eps) -> None:
    r"""Adam's arithmetic, in one loop, written into the flat arrays ``m``, ``v`` and ``step``.

    .. math::
        m = \beta_1 m_0 + (1-\beta_1)\, g, \qquad v = \beta_2 v_0 + (1-\beta_2)\, g^2, \qquad
        \text{step} = \frac{c\, m}{d \sqrt v + \epsilon}

    with :math:`c = -\eta/(1-\beta_1^t)` and :math:`d = 1/\sqrt{1-\beta_2^t}` (Kingma & Ba,
    2015, with :math:`\epsilon` outside the root as in PyTorch): the bits of
    ``optim._adam_into``, NumPy's passes, without their scratch array. All arrays are
    one-dimensional and of one length.

    Examples
    --------
    >>> import numpy as np
    >>> g, zero = np.array([5.0, -2.0]), np.zeros(2)
    >>> m, v, step = np.empty(2), np.empty(2), np.empty(2)
    >>> adam_into(g, zero, zero, m, v, step, 0.9, 0.999, -0.01 / 0.1, 1 / np.sqrt(0.001), 1e-8)
    >>> step.round(6)                            # the first step is −η·sign(g)
    array([-0.01,  0.01])
    """
    _adam()(g, m0, v0, m, v, step, beta1, beta2, c, d, eps)
