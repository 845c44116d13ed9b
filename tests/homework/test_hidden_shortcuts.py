"""A hidden test that computes its expected answer with less work than its question asks must get
the same answer on every variant; this checks it does.

hw09's ``test_q5_damped_and_backtracking_counts`` counts the starts of a 10 × 10 grid from which
damped Newton and Newton with backtracking end within 1e-8 of the saddle (0, 0) of the valley
after 200 steps, as question 5 asks; it stops each run once ‖∇L‖ ≤ 1e-12 (``tol``), which cuts
the runs to a tenth of the time. Near a minimum both methods stay; near the saddle damped Newton
stays, but backtracking would step off again (its fallback is a gradient step, and x grows), so
the shortcut holds for the starts of the grid, not for any start. The grid depends on the
variant's ``grid_lim`` alone, so the six values the variants draw are every case there is.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import descend as dd
from homework_source import ROOT

STEM = "hw09_newton"
GRID_LIMS = (1.5, 1.6, 1.7, 1.8, 1.9, 2.0)
SHORTCUT = "steps=200, tol=1e-12"

# the valley of the hidden test, as it defines it
VALLEY = dd.Problem(f=lambda p: (p[0] ** 2 - 1) ** 2 + (p[1] - p[0] ** 2) ** 2,
                    grad=lambda p: np.array([8 * p[0] ** 3 - 4 * p[0] - 4 * p[0] * p[1], 2 * p[1] - 2 * p[0] ** 2]),
                    hess=lambda p: np.array([[24 * p[0] ** 2 - 4 - 4 * p[1], -4 * p[0]], [-4 * p[0], 2.0]]),
                    dim=2, name="valley")


def test_the_hidden_test_takes_the_shortcut_checked_here():
    cells = json.loads((ROOT / "notebooks" / "homework" / f"{STEM}.ipynb").read_text(encoding="utf-8"))["cells"]
    test = next("".join(c["source"]) for c in cells
                if "def test_q5_damped_and_backtracking_counts" in "".join(c["source"]))
    assert SHORTCUT in test and "<= 1e-8" in test and "np.linspace(-P.grid_lim, P.grid_lim, 10)" in test
    for part in ("f=lambda p: (p[0] ** 2 - 1) ** 2 + (p[1] - p[0] ** 2) ** 2",   # the valley above
                 "grad=lambda p: np.array([8 * p[0] ** 3 - 4 * p[0] - 4 * p[0] * p[1], 2 * p[1] - 2 * p[0] ** 2])",
                 "hess=lambda p: np.array([[24 * p[0] ** 2 - 4 - 4 * p[1], -4 * p[0]], [-4 * p[0], 2.0]])",
                 "dd.newton(eta=0.5)", "dd.newton_backtracking()"):
        assert part in test, part


def test_the_variants_draw_these_grid_limits():
    assert {dd.variants.constants(STEM, seed).grid_lim for seed in range(200)} == set(GRID_LIMS)


@pytest.mark.parametrize("grid_lim", GRID_LIMS)
def test_runs_stopped_at_tol_end_on_the_saddle_exactly_when_200_steps_do(grid_lim):
    grid = np.linspace(-grid_lim, grid_lim, 10)
    starts = [[x, y] for y in grid for x in grid]
    for method in (dd.newton(eta=0.5), dd.newton_backtracking()):
        full = [bool(np.linalg.norm(dd.run(method, VALLEY, s, steps=200).x) <= 1e-8) for s in starts]
        short = [bool(np.linalg.norm(dd.run(method, VALLEY, s, steps=200, tol=1e-12).x) <= 1e-8) for s in starts]
        assert short == full, (method.name, grid_lim, [s for s, a, b in zip(starts, full, short) if a != b])
