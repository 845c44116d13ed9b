r"""Per-course variants of the graded homework: each question's constants, drawn from a seed.

A homework that has variants starts with a *parameters cell*::

    SEED = 0
    P = dd.variants.constants("hw07_adaptive", SEED)

and its questions, solutions and tests use ``P.eta_ada``, ``P.start``, … instead of numbers.
Seed 0 gives the constants of the published edition; ``make homework SEED=…`` builds the
student editions and autograders of another seed, whose data, starting points, learning rates
and decay rates differ, so that published answers and last year's hidden tests do not carry
over. The build writes the seed into the parameters cell *and* into the tests, so a student
who changes ``SEED`` in their notebook is still graded on the course's variant.

The questions' Markdown names the constants with placeholders, ``{{ eta_ada }}``, which the
build fills with :func:`fill`.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np


def _hw07(seed: int) -> dict:
    if seed == 0:  # the published edition
        return dict(sparse_seed=0, start=(-4.0, -2.0), steps=100, eta_ada=0.5, eta_rms=0.1, beta_rms=0.99,
                    eta_adam=0.1, low=1.0, high=5.0, before=10, after=50, beta_jump=0.9, data_seed=7)
    rng = np.random.default_rng([7, seed])
    pick = lambda options: options[int(rng.integers(len(options)))]  # noqa: E731
    return dict(sparse_seed=int(rng.integers(1, 10**6)),
                start=(pick([-5.0, -4.0, -3.0]), pick([-3.0, -2.0, 0.0])),
                steps=pick([80, 100, 120]),
                eta_ada=pick([0.3, 0.4, 0.6, 0.8]), eta_rms=pick([0.05, 0.08, 0.15]),
                beta_rms=pick([0.95, 0.98]), eta_adam=pick([0.05, 0.08, 0.15]),
                low=1.0, high=pick([3.0, 4.0, 6.0]), before=pick([8, 12, 15]), after=50,
                beta_jump=pick([0.8, 0.85, 0.95]), data_seed=int(rng.integers(1, 10**6)))


def _with_level(draw):
    """hw07's q2 asks when the corrected average comes within 5 % of the new level."""
    def constants(seed):
        d = draw(seed)
        return {**d, "level": round(0.95 * d["high"], 10)}
    return constants


_HOMEWORK = {"hw07_adaptive": _with_level(_hw07)}


def homework_with_variants() -> list[str]:
    """The homework (by file stem) whose constants come from a seed."""
    return sorted(_HOMEWORK)


def constants(homework: str, seed: int = 0) -> SimpleNamespace:
    """The constants of one homework's questions for one variant.

    Parameters
    ----------
    homework : str
        The homework's file stem, e.g. ``"hw07_adaptive"``.
    seed : int
        The variant, ≥ 0; 0 is the published edition.

    Returns
    -------
    types.SimpleNamespace
        One attribute per constant (``P.eta_ada``, ``P.start``, …).

    Examples
    --------
    >>> constants("hw07_adaptive").eta_ada
    0.5
    >>> constants("hw07_adaptive", 3) == constants("hw07_adaptive", 3)
    True
    """
    if homework not in _HOMEWORK:
        raise ValueError(f"homework must be one with variants ({', '.join(sorted(_HOMEWORK))}), got {homework!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a whole number ≥ 0, got {seed!r}")
    return SimpleNamespace(**_HOMEWORK[homework](int(seed)))


_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def fill(text: str, values: SimpleNamespace) -> str:
    r"""Replace each ``{{ name }}`` in ``text`` by the constant ``name`` of ``values``.

    A number is written as Python would (``0.5``, ``100``), a pair as ``(-4, -2)``.

    >>> fill("from $(w, b) = {{ start }}$ with $\\eta = {{ eta_ada }}$",
    ...      constants("hw07_adaptive"))
    'from $(w, b) = (-4, -2)$ with $\\eta = 0.5$'
    """
    def value(match):
        name = match.group(1)
        if not hasattr(values, name):
            raise KeyError(f"no constant {name!r} for the placeholder {match.group(0)}; "
                           f"the constants are {', '.join(vars(values))}")
        return _show(getattr(values, name))

    return _PLACEHOLDER.sub(value, text)


def _show(x) -> str:
    if isinstance(x, (tuple, list)):
        return "(" + ", ".join(_show(v) for v in x) + ")"
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)
