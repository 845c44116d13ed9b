r"""Checks that the homework tests call, so that a wrong answer gets one clear sentence.

The graded homework (``notebooks/homework/hwNN_*.ipynb``, built with otter-grader) tests a
student's answers with these functions rather than with bare ``assert`` statements or
NumPy's testing module. Each ``expect_*`` function returns the answer as a float or a float
array when it is usable and otherwise raises :class:`AssertionError` whose message is one
sentence a student can act on: the answer is still ``...``, a function returned ``None``, a
string or a list came where a number or an array was due, the shape is wrong, a value is
NaN or infinite, or the value is not the expected one. otter shows that sentence after the
line of the test that failed, never a traceback.

Mistakes of the test's author (a bad tolerance, a shape that is not a tuple) raise
:class:`TypeError` or :class:`ValueError` instead, so they cannot pass for a student's error.

Examples
--------
>>> import numpy as np
>>> from descend.homework import expect_array, expect_close
>>> expect_close("theta_star", 1184 / 338, 592 / 169)
3.502958579881657
>>> expect_array("grad(theta)", [1.0, float("nan")], shape=(2,))  # doctest: +ELLIPSIS
Traceback (most recent call last):
    ...
AssertionError: grad(theta) contains NaN (at index 1); a NaN comes from 0/0, inf − inf, ...

The book's chapter *For instructors* explains how a homework notebook uses them.
"""

from __future__ import annotations

import inspect
import numbers
import sys
from typing import Any, Callable

import numpy as np

__all__ = ["expect_scalar", "expect_array", "expect_close", "expect_below", "expect_function", "call"]


# --------------------------------------------------------------------------- what students see


def expect_scalar(name: str, value: Any, *, hint: str | None = None) -> float:
    """Check that ``value`` is one finite real number and return it as a float.

    An array or list with exactly one entry counts as a number (``dd.scalar`` problems return
    arrays of shape ``(1,)``).

    Parameters
    ----------
    name : str
        How the message calls the answer: a variable (``"theta_star"``) or a call
        (``"loss(theta0)"``).
    value : object
        The student's answer.
    hint : str, optional
        A sentence appended to the message when the check fails.

    Returns
    -------
    float

    Raises
    ------
    AssertionError
        If ``value`` is unanswered (``...``), ``None``, not a real number, has more than one
        entry, or is NaN or infinite.

    Examples
    --------
    >>> expect_scalar("theta_star", 3)
    3.0
    >>> expect_scalar("theta_star", "3.5")
    Traceback (most recent call last):
        ...
    AssertionError: theta_star should be a number, but it is the string '3.5'; remove the quotes.
    >>> expect_scalar("L(theta)", [1.0, 2.0])
    Traceback (most recent call last):
        ...
    AssertionError: L(theta) should be a single number, but it is a list of 2 entries.
    """
    _check_name(name)
    hint = _check_hint(hint)
    _reject_non_numbers(name, value, "a number", hint)
    if isinstance(value, (bool, np.bool_)):
        _fail(f"{name} should be a number, but it is the bool {value}", hint)
    if isinstance(value, numbers.Real):
        x = float(value)
    elif isinstance(value, (complex, np.complexfloating)):
        _fail(f"{name} should be a real number, but it is the complex number {value}", hint)
    else:
        arr = _as_float_array(name, value, "a number", hint)
        if arr.size != 1:
            _fail(f"{name} should be a single number, but it is {_describe(value)}", hint)
        x = float(arr.reshape(()))
    if not np.isfinite(x):
        _fail(_nonfinite_sentence(name, x, None), hint)
    return x


def expect_array(name: str, value: Any, shape: tuple[int, ...] | int | None = None, *,
                 hint: str | None = None) -> np.ndarray:
    """Check that ``value`` is an array of finite real numbers of the given shape.

    Lists and tuples are accepted and converted, as NumPy would.

    Parameters
    ----------
    name : str
        How the message calls the answer, e.g. ``"grad(theta)"``.
    value : object
        The student's answer.
    shape : tuple of int or int, optional
        The shape the answer must have (an int ``n`` means ``(n,)``); ``None`` accepts any.
    hint : str, optional
        A sentence appended to the message when the check fails.

    Returns
    -------
    numpy.ndarray
        A float64 copy of ``value``.

    Raises
    ------
    AssertionError
        If ``value`` is unanswered, ``None``, not an array of real numbers, of another shape,
        or contains NaN or infinity.

    Examples
    --------
    >>> expect_array("g", [1, 2], shape=(2,))
    array([1., 2.])
    >>> expect_array("g", [[1.0], [2.0]], shape=(2,))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    AssertionError: g has shape (2, 1), but it should have shape (2,); the numbers fit, so reshape it, ...
    >>> expect_array("X", [[1, 2], [3]])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    AssertionError: X should be an array of numbers, but NumPy cannot turn a list of 2 entries into one (...).
    """
    _check_name(name)
    hint = _check_hint(hint)
    shape = _check_shape(shape)
    _reject_non_numbers(name, value, "an array of numbers", hint)
    if isinstance(value, (bool, np.bool_)):
        _fail(f"{name} should be an array of numbers, but it is the bool {value}", hint)
    arr = _as_float_array(name, value, "an array of numbers", hint)
    if shape is not None and arr.shape != shape:
        if arr.size == int(np.prod(shape)):
            _fail(f"{name} has shape {arr.shape}, but it should have shape {shape}; the numbers fit, "
                  f"so reshape it, for example with .reshape({shape})", hint)
        _fail(f"{name} has shape {arr.shape}, but it should have shape {shape}", hint)
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        where = _index(int(bad[0]), arr.shape)
        _fail(_nonfinite_sentence(name, float(arr.ravel()[bad[0]]), where), hint)
    return arr


def expect_close(name: str, value: Any, expected: Any, *, rtol: float = 1e-7, atol: float = 0.0,
                 reveal: bool = False, hint: str | None = None):
    r"""Check that ``value`` equals ``expected`` up to a tolerance; return it as float(s).

    The test is NumPy's, entry by entry: :math:`|v - e| \le \text{atol} + \text{rtol}\,|e|`.
    The type, shape and finiteness of ``value`` are checked first, with
    :func:`expect_scalar` if ``expected`` is a number and :func:`expect_array` otherwise.

    Parameters
    ----------
    name : str
        How the message calls the answer.
    value : object
        The student's answer.
    expected : float or array_like
        The right answer (finite real numbers).
    rtol, atol : float
        Relative and absolute tolerances (non-negative, not both zero).
    reveal : bool
        Whether the message may show the expected value. Leave it ``False`` where the value
        is the answer itself; ``True`` suits checks against a value the student can compute
        anyway (a worked example from the chapter, finite differences).
    hint : str, optional
        A sentence appended to the message when the check fails.

    Returns
    -------
    float or numpy.ndarray

    Raises
    ------
    AssertionError
        If ``value`` fails :func:`expect_scalar` / :func:`expect_array` or is not close.

    Examples
    --------
    >>> expect_close("theta_star", 3.5, 592 / 169, rtol=1e-6)
    Traceback (most recent call last):
        ...
    AssertionError: theta_star is 3.5, which is not the expected value (the test allows a relative error of 1e-06).
    >>> expect_close("g", [1.0, 2.5], [1.0, 2.0], reveal=True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    AssertionError: g differs from the expected values in 1 of 2 entries; ... where g is 2.5 but should be 2, a difference of 0.5 (...).
    """
    _check_name(name)
    hint = _check_hint(hint)
    rtol, atol = _check_tolerance("rtol", rtol), _check_tolerance("atol", atol)
    if rtol == 0 and atol == 0:
        raise ValueError("rtol and atol cannot both be zero: floating-point answers are never exact")
    if not isinstance(reveal, (bool, np.bool_)):
        raise TypeError(f"reveal must be True or False, got {type(reveal).__name__}")
    try:
        e = np.array(expected, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"expected must be a real number or an array of them, got {type(expected).__name__}") from None
    if not np.all(np.isfinite(e)):
        raise ValueError("expected must be finite")

    if e.ndim == 0:
        v = expect_scalar(name, value, hint=hint)
        if abs(v - float(e)) <= atol + rtol * abs(float(e)):
            return v
        if reveal:
            got, want = _apart(v, float(e))
            _fail(f"{name} is {got}, but it should be {want}{_difference(v, float(e), rtol, atol)}", hint)
        _fail(f"{name} is {_num(v)}, which is not the expected value "
              f"(the test allows {_tolerance_phrase(rtol, atol)})", hint)

    v = expect_array(name, value, e.shape, hint=hint)
    with np.errstate(over="ignore"):  # 1e308 − (−1e308) is inf: wrong, not a warning
        diff = np.abs(v - e)
        wrong = diff > atol + rtol * np.abs(e)
    if not wrong.any():
        return v
    worst = int(np.argmax(np.where(wrong, diff, -1.0)))
    where = _index(worst, e.shape)
    count = f"{int(wrong.sum())} of {e.size} entries"
    if reveal:
        got, want = _apart(v.flat[worst], e.flat[worst])
        _fail(f"{name} differs from the expected values in {count}; the largest difference is at index "
              f"{where}, where {name} is {got} but should be {want}"
              f"{_difference(v.flat[worst], e.flat[worst], rtol, atol)}", hint)
    _fail(f"{name} differs from the expected values in {count} (the largest difference is at index "
          f"{where}; the test allows {_tolerance_phrase(rtol, atol)})", hint)


def expect_below(name: str, value: Any, bound: float, *, hint: str | None = None) -> float:
    """Check that ``value`` is a finite number strictly below ``bound``; return it.

    Examples
    --------
    >>> expect_below("rel_error", 1e-9, 1e-6)
    1e-09
    >>> expect_below("rel_error", 0.5, 1e-6, hint="Check your gradient against the derivation.")
    Traceback (most recent call last):
        ...
    AssertionError: rel_error is 0.5, but it should be below 1e-06. Check your gradient against the derivation.
    """
    _check_name(name)
    hint = _check_hint(hint)
    if isinstance(bound, bool) or not isinstance(bound, numbers.Real) or np.isnan(bound):
        raise TypeError(f"bound must be a real number, got {bound!r}")
    x = expect_scalar(name, value, hint=hint)
    if not x < bound:
        got, limit = _apart(x, float(bound))
        _fail(f"{name} is {got}, but it should be below {limit}", hint)
    return x


def expect_function(name: str, value: Any, *, hint: str | None = None) -> Callable:
    """Check that ``value`` is a function (or another callable) and return it.

    Examples
    --------
    >>> expect_function("grad", len) is len
    True
    >>> expect_function("grad", [1.0, 2.0])
    Traceback (most recent call last):
        ...
    AssertionError: grad should be a function (define it with def), but it is a list of 2 entries.
    """
    _check_name(name)
    hint = _check_hint(hint)
    if value is Ellipsis:
        _fail(_unanswered(name), hint)
    if not callable(value):
        _fail(f"{name} should be a function (define it with def), but it is {_describe(value)}", hint)
    return value


def call(name: str, func: Any, *args: Any, forbid: Any = (), **kwargs: Any) -> Any:
    """Call a student's function; turn any exception it raises into one sentence.

    ``name`` says how the call reads in the message, e.g. ``"grad(theta0)"``; the function's
    name is what comes before the parenthesis.

    ``forbid`` lists library functions that the question asks students to write themselves
    (for example ``(dd.adam, dd.run)`` where they write Adam's loop): if the student's
    function calls one of them, directly or through other code, the call fails with a
    sentence that says so, and the test gives no points for an answer that only wraps the
    library.

    Examples
    --------
    >>> call("half(4)", lambda x: x / 2, 4)
    2.0
    >>> call("half(0)", lambda x: 1 / x, 0)
    Traceback (most recent call last):
        ...
    AssertionError: half(0) raised ZeroDivisionError (division by zero) when the test called it.
    >>> import descend as dd
    >>> call("step(1.0)", lambda x: dd.gd(eta=0.1), 1.0, forbid=(dd.gd,))
    Traceback (most recent call last):
        ...
    AssertionError: step(1.0) calls descend.gd, which this question asks you to write yourself.
    """
    _check_name(name)
    codes = _forbidden_codes(forbid)
    expect_function(name.split("(")[0].strip() or name, func)
    previous = sys.gettrace()
    try:
        if codes:
            sys.settrace(_tracer(codes))
        return func(*args, **kwargs)
    except _Forbidden as used:
        why = ("which this question asks you to write yourself" if str(used).startswith("descend.")
               else "which this question asks you to do without")
        raise AssertionError(f"{name} calls {used}, {why}.") from None
    except Exception as error:  # a student's bug, whatever it is, becomes a sentence
        detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
        detail = f" ({_shorten(detail, 120)})" if detail else ""
        raise AssertionError(f"{name} raised {type(error).__name__}{detail} when the test called it.") from None
    finally:
        if codes:
            sys.settrace(previous)


class _Forbidden(BaseException):
    """Raised inside a student's code when it calls a forbidden function; a BaseException, so
    that a student's ``except Exception`` cannot swallow it."""


def _forbidden_codes(forbid) -> dict:
    if callable(forbid):
        forbid = (forbid,)
    try:
        functions = list(forbid)
    except TypeError:
        raise TypeError(f"forbid must be a function or a sequence of functions, got {type(forbid).__name__}") from None
    codes = {}
    for f in functions:
        code = getattr(inspect.unwrap(f) if callable(f) else f, "__code__", None)
        if code is None:
            raise TypeError(f"forbid must hold Python functions (such as dd.adam), got {f!r}")
        module = getattr(f, "__module__", "") or ""       # the public name: numpy.linalg, not its _linalg
        codes[code] = ("descend." + f.__name__ if module.startswith("descend")
                       else f"{module}.{getattr(f, '__name__', '?')}")
    return codes


def _tracer(codes: dict):
    def trace(frame, event, arg):
        if event == "call" and frame.f_code in codes:
            raise _Forbidden(codes[frame.f_code])
        return None  # no line-by-line tracing: only calls are watched

    return trace


# --------------------------------------------------------------------------- internals


def _fail(sentence: str, hint: str | None):
    message = sentence if sentence.endswith((".", "?", "!")) else sentence + "."
    if hint:
        message += " " + hint
    raise AssertionError(message)


def _check_name(name) -> None:
    if not isinstance(name, str) or not name.strip():
        raise TypeError(f"name must be a non-empty string naming the answer, got {name!r}")


def _check_hint(hint):
    if hint is not None and not isinstance(hint, str):
        raise TypeError(f"hint must be a string or None, got {type(hint).__name__}")
    return hint.strip() if hint else None


def _check_shape(shape):
    if shape is None:
        return None
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, tuple) or not all(
            isinstance(n, numbers.Integral) and not isinstance(n, bool) and n >= 0 for n in shape):
        raise TypeError(f"shape must be a tuple of non-negative integers, got {shape!r}")
    return tuple(int(n) for n in shape)


def _check_tolerance(label, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) or value < 0:
        raise ValueError(f"{label} must be a finite number ≥ 0, got {value!r}")
    return float(value)


def _unanswered(name: str) -> str:
    return f"{name} is still `...`: replace the `...` with your answer and run the cell"


def _reject_non_numbers(name, value, wanted, hint) -> None:
    """The mistakes that are not numbers at all: unanswered, None, text, functions, dicts."""
    if value is Ellipsis:
        _fail(_unanswered(name), hint)
    if value is None:
        if "(" in name:
            _fail(f"{name} returned None; does the function end with a `return` statement?", hint)
        _fail(f"{name} is None, but it should be {wanted}", hint)
    if isinstance(value, (str, bytes)):
        _fail(f"{name} should be {wanted}, but it is the string {_shorten(repr(value), 40)}; remove the quotes", hint)
    if callable(value):
        _fail(f"{name} should be {wanted}, but it is a function; did you forget to call it, "
              f"with parentheses?", hint)
    if isinstance(value, (dict, set, frozenset)):
        _fail(f"{name} should be {wanted}, but it is {_describe(value)}", hint)


def _as_float_array(name, value, wanted, hint) -> np.ndarray:
    def cannot():
        _fail(f"{name} should be {wanted}, but NumPy cannot turn {_describe(value)} into one "
              f"(rows of different lengths, or an entry that is not a number?)", hint)

    try:
        raw = np.array(value)
    except (TypeError, ValueError, OverflowError):
        cannot()
    if raw.dtype.kind == "c":
        _fail(f"{name} should contain real numbers, but it contains complex numbers", hint)
    try:
        return raw.astype(np.float64)
    except (TypeError, ValueError, OverflowError):
        cannot()


def _nonfinite_sentence(name, x, where) -> str:
    at = "" if where is None else f" (at index {where})"
    if np.isnan(x):
        verb = "is" if where is None else "contains"
        return (f"{name} {verb} NaN{at}; a NaN comes from 0/0, inf − inf, the log or square root of a "
                f"negative number, or a NaN earlier in the computation")
    verb = "is" if where is None else "contains"
    return f"{name} {verb} {'' if x > 0 else '−'}infinity{at}; look for a division by zero or a number that overflowed"


def _index(flat: int, shape: tuple[int, ...]):
    """A flat index as the student would write it: 3, or (1, 2) in a matrix."""
    if len(shape) <= 1:
        return flat
    return tuple(int(i) for i in np.unravel_index(flat, shape))


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (list, tuple, dict, set, frozenset)):
        kind = type(value).__name__
        article = "an" if kind[0] in "aeiou" else "a"
        n = len(value)
        return f"{article} {kind} of {n} {'entry' if n == 1 else 'entries'}"
    if isinstance(value, str):
        return f"the string {_shorten(repr(value), 40)}"
    if value is None:
        return "None"
    kind = type(value).__name__
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


def _num(x) -> str:
    return f"{float(x):.7g}"


def _apart(a, b) -> tuple[str, str]:
    """``a`` and ``b`` printed with the fewest digits (at least 7) that tell them apart.

    "is 0.2763932 but should be 0.2763932" would send a student hunting for a difference
    the message hides.
    """
    a, b = float(a), float(b)
    for digits in range(7, 16):
        x, y = f"{a:.{digits}g}", f"{b:.{digits}g}"
        if x != y:
            return x, y
    if a == b:
        return f"{a:.7g}", f"{b:.7g}"
    return repr(a), repr(b)  # the shortest strings that tell two doubles apart


def _difference(v: float, e: float, rtol: float, atol: float) -> str:
    with np.errstate(over="ignore"):
        gap = abs(float(v) - float(e))
    return f", a difference of {gap:.2g} (the test allows {_tolerance_phrase(rtol, atol)})"


def _tolerance_phrase(rtol, atol) -> str:
    if atol == 0:
        return f"a relative error of {rtol:g}"
    if rtol == 0:
        return f"an absolute error of {atol:g}"
    return f"an error of {atol:g} plus {rtol:g} times the expected value"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
