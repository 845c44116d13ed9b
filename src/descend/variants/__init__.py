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

Each homework with variants has a module of this package named by its file stem
(``hw07_adaptive.py``) with three things: ``draw(seed) -> dict`` (seed 0 returns the published
constants; other seeds draw from ``np.random.default_rng([..., seed])``; a function of the seed
alone, which :func:`constants` draws once per process), ``DEPENDS`` (the
questions whose answers change with the seed) and ``check(P)`` (asserts that the variant can be
answered: no step size that diverges, no degenerate data). The tests find the module by itself.

These modules are for instructors: the wheel students install leaves them out, and the build
writes each student edition's constants out in full (``P = dd.variants.given({...})``).
"""

from __future__ import annotations

import copy
import functools
import importlib
import pkgutil
import re
from types import SimpleNamespace

import numpy as np


def _modules() -> list[str]:
    """One module per homework with variants, named by its file stem (``hw07_adaptive``)."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("hw"))


def draws(homework: str):
    """The module of one homework's variants: ``draw(seed) -> dict``, ``DEPENDS``, ``check(P)``."""
    if not _modules():
        raise ValueError("this installation of descend has no variants' draws: the library students "
                         "install leaves them out, and a student edition's parameters cell holds its "
                         "constants (P = dd.variants.given({...}))")
    if homework not in _modules():
        raise ValueError(f"homework must be one with variants ({', '.join(_modules())}), got {homework!r}")
    return importlib.import_module(f"{__name__}.{homework}")


def given(values: dict) -> SimpleNamespace:
    """The constants of one variant, as the build writes them into a student edition.

    A student edition's parameters cell says ``P = dd.variants.given({...})`` with the
    variant's constants spelled out: the library students install leaves out the draws.

    >>> given({"eta_ada": 0.5, "start": (-4, -2)}).start
    (-4, -2)
    """
    if not isinstance(values, dict) or not all(isinstance(k, str) and k.isidentifier() for k in values):
        raise TypeError("values must be a dict from constant names to their values")
    return SimpleNamespace(**values)


def homework_with_variants() -> list[str]:
    """The homework (by file stem) whose constants come from a seed."""
    return _modules()


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
        One attribute per constant (``P.eta_ada``, ``P.start``, …): a copy of the draw, which
        each process makes once per homework and seed (``draw`` is a function of the seed
        alone), so changing it changes no one else's constants.

    Examples
    --------
    >>> constants("hw07_adaptive").eta_ada
    0.5
    >>> vars(constants("hw07_adaptive", 3)) == draws("hw07_adaptive").draw(3)   # drawn afresh
    True
    """
    draws(homework)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a whole number ≥ 0, got {seed!r}")
    # a copy of the remembered draw: a caller that changes its constants changes no one else's
    return SimpleNamespace(**copy.deepcopy(_drawn(homework, int(seed))))


@functools.lru_cache(maxsize=512)
def _drawn(homework: str, seed: int) -> dict:
    """One draw, made once per process and kept apart from the module's own constants: every
    hidden test of a homework asks for its constants again, and a draw checks that its variant
    can be answered (up to a tenth of a second)."""
    return copy.deepcopy(draws(homework).draw(seed))


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
