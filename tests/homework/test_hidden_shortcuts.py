"""A hidden test that computes its expected answer with less work than its question asks must get
the same answer on every variant; this checks it does.

hw09's ``test_q5_damped_and_backtracking_counts`` counts the starts of a 10 × 10 grid from which
damped Newton and Newton with backtracking end within 1e-8 of the saddle (0, 0) of the valley
after 200 steps, as question 5 asks; it stops each run once ‖∇L‖ ≤ 1e-12 (``tol``), which cut
the runs to about a tenth of the time (measured over 40 variants). A run stopped so ends where
the full run ends or earlier, so only an early stop can change a count. Near a minimum both
methods stay, and damped Newton about halves its distance to the saddle at every step there
too; but backtracking would leave the saddle (near it, after a Newton step, the next Newton
direction is not downhill, and the gradient step it falls back on multiplies x by about 5), so
the shortcut holds for the starts of the grid, not for every start: no backtracking run from
them comes within 1e-6 of the saddle. The grid
depends on the variant's ``grid_lim`` alone, so the six values the variants draw are every
case there is.

hw09's solution counts the same way, with its own ``L``, ``grad_L`` and ``hess_L``, which round
otherwise: the same check runs on its valley too, and the two valleys' 200-step counts agree
start by start.
"""

from __future__ import annotations

import ast
import re

import nbformat
import numpy as np
import pytest

import descend as dd
from homework_source import ROOT, parse

STEM = "hw09_newton"
GRID_LIMS = (1.5, 1.6, 1.7, 1.8, 1.9, 2.0)

# the valley of the hidden test, as it defines it (test_the_hidden_test_takes_this_shortcut checks)
F = "lambda p: (p[0] ** 2 - 1) ** 2 + (p[1] - p[0] ** 2) ** 2"
GRAD = "lambda p: np.array([8 * p[0] ** 3 - 4 * p[0] - 4 * p[0] * p[1], 2 * p[1] - 2 * p[0] ** 2])"
HESS = "lambda p: np.array([[24 * p[0] ** 2 - 4 - 4 * p[1], -4 * p[0]], [-4 * p[0], 2.0]])"
VALLEY = dd.Problem(f=eval(F), grad=eval(GRAD), hess=eval(HESS), dim=2, name="valley")


def _solution_valley() -> dd.Problem:
    """The valley of hw09's solution: its cells that define ``L``, ``grad_L`` and ``hess_L``, run."""
    notebook = nbformat.read(ROOT / "notebooks" / "homework" / f"{STEM}.ipynb", as_version=4)
    namespace = {"np": np, "dd": dd, "P": dd.variants.constants(STEM, 0)}
    code = [c.source for c in notebook.cells if c.cell_type == "code"]
    assert sum("valley = dd.Problem(f=L, grad=grad_L, hess=hess_L, dim=2)" in c for c in code) == 1, \
        "the solution of question 5 no longer runs on L, grad_L and hess_L: check what it runs on"
    top_level = r"^def (L|grad_L|hess_L)\(p"        # (the tests define their own L, indented)
    cells = [c for c in code if re.search(top_level, c, re.M)]
    defined = [name for c in cells for name in re.findall(top_level, c, re.M)]
    assert sorted(defined) == ["L", "grad_L", "hess_L"], f"L, grad_L and hess_L are not each defined once: {defined}"
    for cell in cells:
        exec(compile(cell, f"{STEM}: the solution's valley", "exec"), namespace)
    return dd.Problem(f=namespace["L"], grad=namespace["grad_L"], hess=namespace["hess_L"], dim=2, name="valley")


def _hidden_test() -> ast.FunctionDef:
    source = parse(ROOT / "notebooks" / "homework" / f"{STEM}.ipynb")
    q5 = next(q for q in source.questions if q.name == "q5_cost")
    cell = next(t for t in q5.hidden_tests if "def test_q5_damped_and_backtracking_counts" in t)
    return next(n for n in ast.walk(ast.parse(cell)) if isinstance(n, ast.FunctionDef))


def _call(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Call) and ast.unparse(node.func) == name


def test_the_hidden_test_takes_this_shortcut():
    test = _hidden_test()
    runs = [n for n in ast.walk(test) if _call(n, "dd.run")]
    assert len(runs) == 1, "the hidden test runs dd.run elsewhere too: check that shortcut as well"
    assert {k.arg: ast.unparse(k.value) for k in runs[0].keywords} == {"steps": "200", "tol": "1e-12"}
    assert {n.attr for n in ast.walk(test) if isinstance(n, ast.Attribute) and ast.unparse(n.value) == "P"} \
        == {"grid_lim"}, "the grid depends on more than grid_lim"
    lines = {ast.unparse(n) for n in ast.walk(test) if isinstance(n, ast.Assign)}
    assert "grid = np.linspace(-P.grid_lim, P.grid_lim, 10)" in lines
    assert "starts = [[x, y] for y in grid for x in grid]" in lines
    valley = next(n for n in ast.walk(test) if _call(n, "dd.Problem"))
    given = {k.arg: ast.unparse(k.value) for k in valley.keywords}
    assert [given[k] for k in ("f", "grad", "hess")] == [ast.unparse(ast.parse(s)) for s in (F, GRAD, HESS)]
    methods = {ast.unparse(n) for n in ast.walk(test) if _call(n, "dd.newton") or _call(n, "dd.newton_backtracking")}
    assert methods == {"dd.newton(eta=0.5)", "dd.newton_backtracking()"}
    assert "<= 1e-08" in ast.unparse(test) or "<= 1e-8" in ast.unparse(test)


def test_the_variants_draw_these_grid_limits():
    # seed 0's 1.8 and five values drawn from a fixed list: 200 seeds miss one with probability
    # about 5 × 0.8¹⁹⁹ (and a value added to the list is seen)
    assert {dd.variants.constants(STEM, seed).grid_lim for seed in range(200)} == set(GRID_LIMS)


@pytest.mark.parametrize("grid_lim", GRID_LIMS)
def test_runs_stopped_at_tol_end_on_the_saddle_exactly_when_200_steps_do(grid_lim):
    """On the hidden test's valley and the solution's, start by start: the stopped run ends within
    1e-8 of the saddle exactly when 200 steps do, and 200 steps do so on both valleys alike."""
    grid = np.linspace(-grid_lim, grid_lim, 10)
    starts = [[x, y] for y in grid for x in grid]
    for method in (dd.newton(eta=0.5), dd.newton_backtracking()):
        ends = []
        for whose, valley in (("hidden test", VALLEY), ("solution", _solution_valley())):
            runs = [dd.run(method, valley, s, steps=200) for s in starts]
            full = [bool(np.linalg.norm(r.x) <= 1e-8) for r in runs]
            short = [bool(np.linalg.norm(dd.run(method, valley, s, steps=200, tol=1e-12).x) <= 1e-8) for s in starts]
            assert short == full, (whose, method.name, grid_lim, [s for s, a, b in zip(starts, full, short) if a != b])
            if method.name == "newton_backtracking":  # with a margin no other numpy's round-off can cross
                assert min(np.linalg.norm(r.xs, axis=1).min() for r in runs) > 1e-6, (whose, grid_lim)
            ends.append(full)
        assert ends[0] == ends[1], (method.name, grid_lim, "the two valleys' counts differ")


def test_the_solutions_valley_is_another_computation_of_the_same_loss():
    """The solution's functions compute the same L, gradient and Hessian as the hidden test's, to
    round-off, but not to the bit (so its runs are checked apart, above)."""
    theirs = _solution_valley()
    points = np.random.default_rng(0).uniform(-2, 2, size=(50, 2))
    for p in points:
        assert np.isclose(theirs.f(p), VALLEY.f(p), rtol=1e-12, atol=1e-12)
        assert np.allclose(theirs.grad(p), VALLEY.grad(p), rtol=1e-12, atol=1e-12)
        assert np.allclose(theirs.hess(p), VALLEY.hess(p), rtol=1e-12, atol=1e-12)
    assert any(not np.array_equal(theirs.grad(p), VALLEY.grad(p)) for p in points)
