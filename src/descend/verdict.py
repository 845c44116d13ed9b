r"""Checks of the book's claims that show a one-line verdict on the page.

A chapter states a result ("the measured rate equals :math:`(\kappa-1)/(\kappa+1)`") and a
cell confirms it. The cell calls one of these functions: when the claim holds, the page
shows a line such as

    ✓ checked: the measured rate equals (κ−1)/(κ+1) — 0.960784 against 0.960784 (|Δ| = 2.1e-09 ≤ 1e-06)

and when it fails they raise :class:`ClaimFailed`, so the cell fails and the book does not
build. The functions whose names start with ``verdict_`` only compute the :class:`Verdict`;
``check``, ``check_close``, ``check_at_most`` and ``check_at_least`` also display it (as
HTML in a notebook, as text elsewhere) and return ``None``, so that a cell ending in a
check shows the verdict once.

A check must be as strong as the sentence it backs: ``check_at_most`` takes every case the
sentence covers (an array) and compares the *largest* with the bound, and its verdict says
over how many cases it looked.

>>> v = verdict_close("1/3 to three digits", 0.3333, 1 / 3, atol=1e-3)
>>> print(v)
✓ checked: 1/3 to three digits — 0.3333 against 0.333333 (|Δ| = 3.3e-05 ≤ 0.001)
>>> verdict_at_most("no step is longer than η", [0.2, 0.7, 1.5], 1.0)
Traceback (most recent call last):
...
descend.verdict.ClaimFailed: claim failed: no step is longer than η — the largest of 3 values is 1.5, above the bound 1
"""

from __future__ import annotations

import html
from typing import NamedTuple

import numpy as np

__all__ = ["glue", "ClaimFailed", "Verdict", "check", "check_close", "check_at_most", "check_at_least",
           "verdict", "verdict_close", "verdict_at_most", "verdict_at_least", "scientific"]


class ClaimFailed(AssertionError):
    """A claim of the book does not hold: the cell that checks it fails, and so does the build."""


class Verdict(NamedTuple):
    """The outcome of a check that passed: what was claimed and the evidence."""

    claim: str   #: the sentence that was checked, in the book's words
    detail: str  #: the numbers that confirm it

    def __str__(self) -> str:
        return f"✓ checked: {self.claim}" + (f" — {self.detail}" if self.detail else "")

    def _repr_html_(self) -> str:
        detail = f' <span class="dd-verdict-detail">— {html.escape(self.detail)}</span>' if self.detail else ""
        return (f'<p class="dd-verdict"><span class="dd-verdict-mark" aria-hidden="true">✓</span> '
                f'<span class="dd-verdict-label">checked:</span> {html.escape(self.claim)}{detail}</p>')

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))


def _claim(claim) -> str:
    if not isinstance(claim, str) or not claim.strip():
        raise TypeError(f"claim must be a non-empty string saying what is checked, got {claim!r}")
    return claim.strip()


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _fmt_pair(a: float, b: float) -> tuple[str, str]:
    """Two numbers with enough significant digits that their printed forms differ, if they do."""
    for digits in range(6, 18):
        sa, sb = f"{a:.{digits}g}", f"{b:.{digits}g}"
        if sa != sb:
            break
    return sa, sb


def _values(name: str, values) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number or an array of them, got {type(values).__name__}") from None
    if arr.size == 0:
        raise ValueError(f"{name} is empty: there is nothing to check")
    return arr


def _tolerance(name: str, value) -> float:
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number ≥ 0, got {value!r}")
    return value


def _fail(claim: str, why: str):
    raise ClaimFailed(f"claim failed: {claim} — {why}")


def verdict(claim: str, holds, detail: str = "") -> Verdict:
    """The verdict on a claim that a condition (or every element of an array of them) holds.

    Parameters
    ----------
    claim : str
        The sentence being checked, as the text states it.
    holds : bool or array_like of bool
        The condition; an array must hold everywhere, and the verdict counts its cases.
    detail : str, optional
        The evidence, shown after the claim.

    Raises
    ------
    ClaimFailed
        If the condition is false (anywhere).
    """
    claim = _claim(claim)
    cases = np.asarray(holds)
    if cases.dtype != bool:
        raise TypeError(f"holds must be a bool or an array of bools, got {cases.dtype}")
    if cases.size == 0:
        raise ValueError("holds is empty: there is nothing to check")
    if not cases.all():
        where = f"fails in {int((~cases).sum())} of {cases.size} cases" if cases.ndim else "it is false"
        _fail(claim, where + (f" ({detail})" if detail else ""))
    if cases.ndim and not detail:
        detail = f"in all {cases.size} cases"
    return Verdict(claim, detail)


def verdict_close(claim: str, measured, expected, *, rtol: float = 0.0, atol: float = 0.0) -> Verdict:
    r"""The verdict on a claim that a measured value equals an expected one, to a tolerance.

    Holds when :math:`|m - e| \le \mathrm{atol} + \mathrm{rtol}\,|e|` for every element.

    Parameters
    ----------
    claim : str
        The sentence being checked.
    measured, expected : float or array_like
        What a cell measured and what the text says it is (arrays compare elementwise).
    rtol, atol : float
        Relative and absolute tolerances, ≥ 0; at least one must be given.
    """
    claim = _claim(claim)
    rtol, atol = _tolerance("rtol", rtol), _tolerance("atol", atol)
    if rtol == 0 and atol == 0:
        raise ValueError("give a tolerance: rtol or atol must be > 0 (floating point never agrees exactly)")
    m, e = np.broadcast_arrays(_values("measured", measured), _values("expected", expected))
    gap = np.abs(m - e)
    allowed = atol + rtol * np.abs(e)
    bad = ~(gap <= allowed)  # NaN counts as a failure
    if m.size == 1:
        mf, ef, g, a = float(m.ravel()[0]), float(e.ravel()[0]), float(gap.ravel()[0]), float(allowed.ravel()[0])
        if bad.any():
            shown, wanted = _fmt_pair(mf, ef)
            _fail(claim, f"measured {shown}, expected {wanted}: |Δ| = {g:.2g} exceeds {a:.2g}")
        return Verdict(claim, f"{_fmt(mf)} against {_fmt(ef)} (|Δ| = {g:.2g} ≤ {a:.2g})")
    worst = int(np.nanargmax(np.where(np.isnan(gap), np.inf, gap - allowed)))
    if bad.any():
        shown, wanted = _fmt_pair(float(m.flat[worst]), float(e.flat[worst]))
        _fail(claim, f"{int(bad.sum())} of {m.size} values differ; the worst: measured {shown}, "
                     f"expected {wanted} (|Δ| = {float(gap.flat[worst]):.2g})")
    tol = f"{atol:.2g}" if rtol == 0 else (f"{rtol:.2g} relative" if atol == 0 else f"{atol:.2g} + {rtol:.2g}·|e|")
    return Verdict(claim, f"all {m.size} values agree to {tol} (largest |Δ| = {float(np.max(gap)):.2g})")


def _bound(claim, values, bound, *, upper: bool, timed: bool = False) -> Verdict:
    claim = _claim(claim)
    v = _values("values", values)
    b = float(bound)
    if np.isnan(b):
        raise ValueError("bound must be a number, got nan")
    extreme = float(np.max(v) if upper else np.min(v))
    ok = (not np.isnan(v).any()) and (extreme <= b if upper else extreme >= b)
    word = ("largest", "above", "≤") if upper else ("smallest", "below", "≥")
    subject = f"the {word[0]} of {v.size} values is" if v.size > 1 else "the value is"
    if np.isnan(v).any():
        _fail(claim, f"{int(np.isnan(v).sum())} of {v.size} values are NaN")
    if not ok:
        _fail(claim, f"{subject} {_fmt(extreme)}, {word[1]} the bound {_fmt(b)}")
    if timed:  # a timing differs from run to run: the page states the bound, not this run's value
        return Verdict(claim, f"timed in this run, {word[2]} {_fmt(b)} holds")
    return Verdict(claim, f"{subject} {_fmt(extreme)} {word[2]} {_fmt(b)}")


def verdict_at_most(claim: str, values, bound, *, timed: bool = False) -> Verdict:
    """The verdict on a claim that every value is at most ``bound`` (the largest is compared).

    With ``timed=True`` the values are timings, which differ from run to run: the verdict then
    states the bound that held but not the values, so that the page is the same at every build
    (a chapter glues the value of its build into the text, where it is said to be one run's).
    """
    return _bound(claim, values, bound, upper=True, timed=timed)


def verdict_at_least(claim: str, values, bound, *, timed: bool = False) -> Verdict:
    """The verdict on a claim that every value is at least ``bound`` (the smallest is compared).

    ``timed`` is as in :func:`verdict_at_most`.
    """
    return _bound(claim, values, bound, upper=False, timed=timed)


def _show(v: Verdict) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display(v)
    else:
        print(v)


def check(claim: str, holds, detail: str = "") -> None:
    """Check that a condition holds and show the verdict; see :func:`verdict`.

    >>> check("2 + 2 = 4", 2 + 2 == 4)
    ✓ checked: 2 + 2 = 4
    """
    _show(verdict(claim, holds, detail))


def check_close(claim: str, measured, expected, *, rtol: float = 0.0, atol: float = 0.0) -> None:
    """Check that a measured value equals an expected one and show the verdict; see :func:`verdict_close`.

    >>> check_close("the rate of GD is 1 − ηλ", 0.9, 1 - 0.1 * 1.0, atol=1e-12)
    ✓ checked: the rate of GD is 1 − ηλ — 0.9 against 0.9 (|Δ| = 0 ≤ 1e-12)
    """
    _show(verdict_close(claim, measured, expected, rtol=rtol, atol=atol))


def check_at_most(claim: str, values, bound, *, timed: bool = False) -> None:
    """Check that every value is at most ``bound`` and show the verdict; see :func:`verdict_at_most`.

    >>> check_at_most("every step is at most η = 1", [0.5, 0.99], 1.0)
    ✓ checked: every step is at most η = 1 — the largest of 2 values is 0.99 ≤ 1
    """
    _show(verdict_at_most(claim, values, bound, timed=timed))


def check_at_least(claim: str, values, bound, *, timed: bool = False) -> None:
    """Check that every value is at least ``bound`` and show the verdict; see :func:`verdict_at_least`.

    >>> check_at_least("the vectorised code is more than 10 times faster", 37.2, 10, timed=True)
    ✓ checked: the vectorised code is more than 10 times faster — timed in this run, ≥ 10 holds
    """
    _show(verdict_at_least(claim, values, bound, timed=timed))


def scientific(x: float, digits: int = 1):
    r"""A number written as :math:`m \times 10^{n}`, as Markdown math to glue into the text.

    A chapter puts a computed number into its prose with ``glue(name, scientific(x),
    display=False)`` and ``{glue:md}`name:myst```; the page then shows, say,
    :math:`1.2 \times 10^{-8}` rather than ``1.2e-08``.

    Parameters
    ----------
    x : float
        The number.
    digits : int
        The digits after the decimal point of the mantissa m.

    Returns
    -------
    IPython.display.Markdown

    Examples
    --------
    >>> scientific(1.234e-8).data
    '$1.2 \\times 10^{-8}$'
    >>> scientific(0.000449, digits=0).data
    '$4 \\times 10^{-4}$'
    """
    from IPython.display import Markdown

    x = float(x)
    if not np.isfinite(x):
        raise ValueError(f"x must be a finite number, got {x}")
    digits = int(digits)
    if digits < 0:
        raise ValueError(f"digits must be >= 0, got {digits}")
    m, e = f"{x:.{digits}e}".split("e")
    return Markdown(f"${m} \\times 10^{{{int(e)}}}$")


def glue(name: str, value, display: bool = False) -> None:
    """Glue a value for the prose (``{glue:text}`name:.2f```), NumPy scalars as Python numbers.

    MyST-NB formats a glued number from its text form, and a NumPy scalar's text form
    (``np.float64(0.5)``) is not a number it can read: the page would show the raw text and
    the build warn. This converts NumPy scalars (and arrays of one element) with ``.item()``
    and passes everything else on to ``myst_nb.glue`` unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> from descend.verdict import _plain
    >>> _plain(np.float64(0.5)), _plain(np.array([3])), _plain("text")
    (0.5, 3, 'text')
    """
    from myst_nb import glue as myst_glue   # the book's build has it; the library does not need it

    myst_glue(name, _plain(value), display=display)


def _plain(value):
    if isinstance(value, np.generic) or (isinstance(value, np.ndarray) and value.size == 1):
        return value.item()
    return value
