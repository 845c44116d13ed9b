"""Fixtures for the homework tests: build every homework once, grade three submissions of each.

The build goes to a temporary folder through ``tools/build_homework.py`` (what ``make
homework`` runs), so these tests check a fresh build, not whatever ``_build/homework`` holds.
Each homework is then graded by ``otter run`` three times, a few at a time in parallel:

* ``solutions``: the solved notebook (otter's autograder notebook) — must get full marks;
* ``student``: the student edition as handed out, untouched — must not;
* ``wrong``: the student edition with every ``...`` replaced by a wrong kind of answer (NaN,
  a string, a ragged list, a wrong shape, a complex number) — its messages must be sentences.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from homework_source import HOMEWORK, ROOT, grade

KINDS = ("solutions", "student", "wrong")

# What the "wrong" edition puts in place of each `...`, in turn: only builtins, so that the
# edition runs whatever the homework imports.
WRONG_ANSWERS = ['float("nan")', '"42"', "[[1.0, 2.0], [3.0]]", '[float("inf")] * 7', "1j"]


def stems() -> list[str]:
    return [p.stem for p in HOMEWORK]


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """A fresh build of every homework (student editions, autograders, solved notebooks)."""
    if not HOMEWORK:
        pytest.fail("no homework notebooks in notebooks/homework")
    out = tmp_path_factory.mktemp("homework")
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "build_homework.py"), "--out", str(out),
                          *map(str, HOMEWORK)], capture_output=True, text=True)
    assert run.returncode == 0, f"tools/build_homework.py failed:\n{run.stdout}\n{run.stderr}"
    return out


def wrong_edition(student: Path, target: Path) -> int:
    """Write the student edition with each blank answer replaced; return how many were."""
    nb = nbformat.read(student, as_version=4)
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "code" or "otter_answer_cell" not in cell.metadata.get("tags", []):
            continue
        lines = []
        for line in cell.source.splitlines():
            wrong = WRONG_ANSWERS[count % len(WRONG_ANSWERS)]
            if re.fullmatch(r"\s*\.\.\.\s*", line):                       # a function body
                line, count = line.replace("...", f"return {wrong}"), count + 1
            elif re.fullmatch(r"\s*[\w.,\[\] ]+ = \.\.\.\s*", line):      # an assignment
                line, count = line.replace("= ...", f"= {wrong}"), count + 1
            lines.append(line)
        cell.source = "\n".join(lines)
    nbformat.write(nb, target)
    return count


@pytest.fixture(scope="session")
def graded(built, tmp_path_factory) -> dict[tuple[str, str], dict]:
    """``otter run`` results of every (homework, kind), as written by tests/homework/_grade.py."""
    work = tmp_path_factory.mktemp("graded")
    jobs = {}
    for stem in stems():
        for kind in KINDS:
            folder = work / f"{stem}-{kind}"
            folder.mkdir()
            submission = folder / f"{stem}.ipynb"          # otter checks the notebook's name
            if kind == "wrong":
                assert wrong_edition(built / "student" / f"{stem}.ipynb", submission) > 0
            else:
                submission.write_bytes((built / kind / f"{stem}.ipynb").read_bytes())
            jobs[stem, kind] = (built / "autograder" / f"{stem}-autograder.zip", submission, folder)

    with ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 2))) as pool:
        results = dict(zip(jobs, pool.map(lambda job: grade(*job), jobs.values()), strict=True))
    return results
