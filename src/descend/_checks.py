"""Argument checks shared by the public API.

Every public function validates what a reader can type, so that a bad value gives one
sentence naming the argument and what is allowed, not a NumPy traceback ten frames deep.
"""

from __future__ import annotations

import numbers

import numpy as np


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def real(name: str, value, *, lo=None, hi=None, lo_open=False, hi_open=False) -> float:
    """Return ``value`` as a float after checking it is a finite real number in a range.

    ``lo``/``hi`` are the bounds (``None`` for none); ``lo_open``/``hi_open`` exclude them.
    A NumPy array is checked elementwise and returned as a float64 array: that is how
    :func:`descend.sweep` runs many hyperparameter settings at once.
    """
    if isinstance(value, np.ndarray):
        return _real_array(name, value, lo, hi, lo_open, hi_open)
    if not _is_real(value):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    too_low = lo is not None and (value <= lo if lo_open else value < lo)
    too_high = hi is not None and (value >= hi if hi_open else value > hi)
    if too_low or too_high:
        left = "(" if lo_open or lo is None else "["
        right = ")" if hi_open or hi is None else "]"
        lo_s = "-inf" if lo is None else f"{lo:g}"
        hi_s = "inf" if hi is None else f"{hi:g}"
        raise ValueError(f"{name} must lie in {left}{lo_s}, {hi_s}{right}, got {value!r}")
    return value


def _real_array(name, value, lo, hi, lo_open, hi_open) -> np.ndarray:
    if value.dtype.kind not in "iuf" or value.size == 0:
        raise TypeError(f"{name} must be a real number or a non-empty array of them, got dtype {value.dtype}")
    arr = value.astype(np.float64)
    for v in arr.ravel():  # report the first offending value with the scalar message
        if not (np.isfinite(v) and (lo is None or (v > lo if lo_open else v >= lo))
                and (hi is None or (v < hi if hi_open else v <= hi))):
            real(name, float(v), lo=lo, hi=hi, lo_open=lo_open, hi_open=hi_open)
    return arr


def positive(name: str, value) -> float:
    """A finite number > 0 (learning rates, ε, κ)."""
    return real(name, value, lo=0.0, lo_open=True)


def unit_interval(name: str, value) -> float:
    """A number in [0, 1) (momentum β, Adam's β₁ and β₂)."""
    return real(name, value, lo=0.0, hi=1.0, hi_open=True)


def count(name: str, value, *, minimum: int = 0) -> int:
    """A whole number ≥ ``minimum`` (numbers of steps, sizes)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer ≥ {minimum}, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer ≥ {minimum}, got {value!r}")
    return int(value)


def vector(name: str, value, *, dim: int | None = None) -> np.ndarray:
    """A finite 1-D float64 array (a point θ, a gradient g), of length ``dim`` if given.

    A scalar is accepted as a vector of length one, so 1-D problems can be written plainly.
    """
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of real numbers, got {type(value).__name__}") from None
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array (a point or a gradient), got shape {arr.shape}")
    if dim is not None and arr.shape[0] != dim:
        raise ValueError(f"{name} must have shape ({dim},) for this problem, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {arr}")
    return arr


def matrix(name: str, value, *, square: bool = False, symmetric: bool = False) -> np.ndarray:
    """A finite 2-D float64 array, optionally square and symmetric."""
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a matrix of real numbers, got {type(value).__name__}") from None
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    if (square or symmetric) and arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{name} must be square, got shape {arr.shape}")
    if symmetric and not np.allclose(arr, arr.T, rtol=1e-12, atol=1e-12 * np.abs(arr).max(initial=1.0)):
        raise ValueError(f"{name} must be symmetric (the Hessian of ½xᵀAx − bᵀx is A only if A = Aᵀ)")
    return arr


def callable_(name: str, value):
    if not callable(value):
        raise TypeError(f"{name} must be callable, got {type(value).__name__}")
    return value


def choice(name: str, value, allowed):
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")
    return value
