r"""Fused loops, compiled with Numba, for the update steps NumPy can only do in many passes.

Adam's update on :math:`10^6` parameters is a dozen NumPy passes over 8 MB arrays, each
reading and writing memory (torch's ``foreach`` Adam makes about seven, its ``fused=True``
kernel one). :func:`adam_into` does the whole update in one loop, which reads each input once
and writes each result once.

Each kernel does the arithmetic of its NumPy twin in :mod:`descend.optim` operation by
operation, in the same order and with the same rounding: no fused multiply-add and no
reordering (Numba's default, without ``fastmath``). So every result that is a number has the
bits NumPy's passes give it, and a result is NaN exactly where theirs is; only the sign and
payload of a NaN may differ (``tests/library/test_optim.py``). This assumes the threads share
the floating-point environment, as they do unless a program sets flush-to-zero on one of them.
Unlike NumPy, a kernel never warns or raises on overflow or an invalid operation, whatever
``np.errstate`` says. The kernels release the GIL, so that ``optim._in_parts`` can run them on
several threads.

Numba is optional (``pip install descend[fast]``; the book's ``requirements.txt`` pins it for
the tests and ``make bench``, and no chapter needs it): :func:`compiled_adam` returns ``None``
where Numba cannot be imported, fails to compile the loop, or is switched off
(``NUMBA_DISABLE_JIT``), and the caller then runs NumPy's passes. Numba is imported, and the
loop compiled for its one signature, on first use only and once per process, never at
``import descend``. Nothing is cached on disk, so a read-only installation works and parallel
processes do not race for a cache.
"""

from __future__ import annotations

import threading
import warnings

import numpy as np

_LOCK = threading.Lock()
_COMPILED: dict[str, object] = {}


def _compile_adam():
    try:
        import numba

        if numba.config.DISABLE_JIT:          # njit would return the Python loop: far slower
            return None
        f64 = numba.float64
        read = numba.types.Array(f64, 1, "C", readonly=True)       # takes writable arrays too
        write = numba.types.Array(f64, 1, "C")

        @numba.njit(numba.void(read, read, read, write, write, write, f64, f64, f64, f64, f64),
                    nogil=True, error_model="numpy")
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
    except ImportError:
        return None
    except Exception as err:       # llvmlite's library not loadable (OSError), a compile error
        warnings.warn(f"descend: Adam's compiled loop is not available ({type(err).__name__}: {err}); "
                      "NumPy's passes run instead", RuntimeWarning, stacklevel=3)
        return None


def compiled_adam():
    """Adam's compiled loop (see :func:`adam_into`), compiled on the first call and kept; or
    ``None`` where it cannot be had (see the module). Called before the threads that use the
    loop start, so that they do not wait for it to compile."""
    with _LOCK:
        if "adam" not in _COMPILED:
            _COMPILED["adam"] = _compile_adam()
        return _COMPILED["adam"]


def adam_into(g, m0, v0, m, v, step, beta1, beta2, c, d, eps) -> None:
    r"""Adam's arithmetic, in one loop, written into the flat arrays ``m``, ``v`` and ``step``.

    .. math::
        m = \beta_1 m_0 + (1-\beta_1)\, g, \qquad v = \beta_2 v_0 + (1-\beta_2)\, g^2, \qquad
        \text{step} = \frac{c\, m}{d \sqrt v + \epsilon}

    with :math:`c = -\eta/(1-\beta_1^t)` and :math:`d = 1/\sqrt{1-\beta_2^t}` (Kingma & Ba,
    2015, with :math:`\epsilon` outside the root as in PyTorch): the results of
    ``optim._adam_into``, NumPy's passes, as the module says.

    Parameters
    ----------
    g, m0, v0 : ndarray
        The gradient and the previous moments: one-dimensional, C-contiguous float64 arrays of
        one length; read only.
    m, v, step : ndarray
        Arrays like them, written; none may overlap another array (not checked).
    beta1, beta2, c, d, eps : float
        The scalars of the update, real numbers.

    Raises
    ------
    ValueError
        If an array is not one-dimensional, C-contiguous and float64, the lengths differ, an
        output is read-only, or a scalar is not a real number.
    ImportError
        If the compiled loop cannot be had (see the module).
    """
    arrays = {"g": g, "m0": m0, "v0": v0, "m": m, "v": v, "step": step}
    for name, a in arrays.items():
        if not (isinstance(a, np.ndarray) and a.ndim == 1 and a.dtype == np.float64 and a.flags.c_contiguous):
            raise ValueError(f"{name} must be a one-dimensional C-contiguous float64 array; got "
                             f"{type(a).__name__} {getattr(a, 'dtype', '')} of shape {np.shape(a)}")
        if a.size != g.size:
            raise ValueError(f"{name} must have the length of g, {g.size}; got {a.size}")
    for name in ("m", "v", "step"):
        if not arrays[name].flags.writeable:
            raise ValueError(f"{name} must be writable")
    scalars = {"beta1": beta1, "beta2": beta2, "c": c, "d": d, "eps": eps}
    for name, s in scalars.items():
        if isinstance(s, bool) or not isinstance(s, (int, float, np.integer, np.floating)):
            raise ValueError(f"{name} must be a real number; got {type(s).__name__}")
    kernel = compiled_adam()
    if kernel is None:
        raise ImportError("descend._kernels.adam_into needs Numba: pip install descend[fast]")
    kernel(g, m0, v0, m, v, step, *map(float, scalars.values()))
