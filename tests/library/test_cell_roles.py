"""Every code cell of a chapter has a role, and the role decides what the reader's page shows.

Roles are cell tags that MyST-NB understands (except ``teach``, which is the default it shows):

* ``teach``: teaching code, shown open on the page (an update rule written out, an experiment in
  one to three library calls, a result printed briefly);
* ``hide-input``: figure, set-up and check code, folded on the page under a label that says what
  it draws or checks (``metadata.mystnb.code_prompt_show``); its output (figure, verdict) stays;
* ``remove-cell``: bookkeeping with nothing to show (glue, imports beyond the first, style);
* ``remove-input``: bookkeeping whose output the page needs but whose code it does not.

In JupyterLab every cell stays as it is and runs. The test fails when a code cell has no role
or two, and prints the code lines each chapter shows open (``pytest -s`` shows the table).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ROLES = ("teach", "hide-input", "remove-cell", "remove-input")
#: The open code lines a reader wades through, across all chapter pages.
OPEN_LINES_BUDGET = 1200


def code_cells(path: Path) -> list[dict]:
    return [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]


def role(cell: dict) -> list[str]:
    return [t for t in cell.get("metadata", {}).get("tags", []) if t in ROLES]


def lines(cell: dict) -> int:
    return sum(1 for line in "".join(cell["source"]).splitlines() if line.strip())


def open_and_folded(path: Path) -> tuple[int, int]:
    cells = code_cells(path)
    shown = sum(lines(c) for c in cells if role(c) == ["teach"])
    folded = sum(lines(c) for c in cells if role(c) == ["hide-input"])
    return shown, folded


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_code_cell_has_one_role(path):
    bad = [(i, role(c), "".join(c["source"]).splitlines()[:1]) for i, c in enumerate(code_cells(path))
           if len(role(c)) != 1]
    assert not bad, f"{path.name}: code cells need exactly one role tag of {ROLES}: " + "; ".join(
        f"code cell {i} has {r or 'none'} ({first})" for i, r, first in bad)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_chapter_keeps_teaching_code_open(path):
    assert any(role(c) == ["teach"] for c in code_cells(path)), f"{path.name} shows no code at all"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_folded_cells_say_what_they_hold(path):
    unlabelled = [i for i, c in enumerate(code_cells(path)) if role(c) == ["hide-input"]
                  and not c.get("metadata", {}).get("mystnb", {}).get("code_prompt_show", "").strip()]
    assert not unlabelled, f"{path.name}: folded code cells {unlabelled} need a label (mystnb.code_prompt_show)"


def test_open_code_within_budget():
    rows = [(p.stem, *open_and_folded(p)) for p in CHAPTERS]
    print("\nchapter                 open  folded")
    for stem, shown, folded in rows:
        print(f"{stem:<22} {shown:>5} {folded:>7}")
    total = sum(r[1] for r in rows)
    print(f"{'all chapters':<22} {total:>5} {sum(r[2] for r in rows):>7}")
    assert total <= OPEN_LINES_BUDGET, f"{total} code lines open on the chapter pages (budget {OPEN_LINES_BUDGET})"
