"""Fixtures for the homework tests: build every homework once, grade three submissions of each.

The build is ``make homework``'s: ``tools/build_homework.py`` into ``_build/homework``, which
rebuilds a homework whenever anything its outputs depend on changed (``fingerprint``: its
source, the library, the build's tools, requirements.txt, otter, Python's version) and
otherwise leaves it as built; so these tests check what the site publishes, and the build runs
once per change, not once more for the tests.
Three editions of each homework are then graded in-process, as ``otter run`` grades
(``grade_in_process``), and every homework's solutions, and the first homework's other two
editions, by ``otter run`` as well:

* ``solutions``: the solved notebook (otter's autograder notebook) — must get full marks;
* ``student``: the student edition as handed out, untouched — must not;
* ``wrong``: the student edition with every ``...`` replaced by a wrong kind of answer (NaN,
  a string, a ragged list, a wrong shape, a complex number) — its messages must be sentences.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from homework_source import HOMEWORK, ROOT, grade_in_process, grade_with_otter

KINDS = ("solutions", "student", "wrong")

# What the "wrong" edition puts in place of each `...`, in turn: only builtins, so that the
# edition runs whatever the homework imports.
WRONG_ANSWERS = ['float("nan")', '"42"', "[[1.0, 2.0], [3.0]]", '[float("inf")] * 7', "1j"]


def stems() -> list[str]:
    return [p.stem for p in HOMEWORK]


@pytest.fixture(scope="session")
def built() -> Path:
    """``make homework``'s build of every homework (student editions, autograders, solved
    notebooks, the wheel), brought up to date first. Read it; never write into it."""
    if not HOMEWORK:
        pytest.fail("no homework notebooks in notebooks/homework")
    # the script builds one at a time in a checkout (its lock), so the test workers may both call it
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "build_homework.py")], capture_output=True, text=True)
    assert run.returncode == 0, f"tools/build_homework.py failed:\n{run.stdout}\n{run.stderr}"
    return ROOT / "_build" / "homework"


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


#: The editions ``otter run`` grades too: every homework's solutions (the real autograder must
#: give them full marks) and the untouched and wrong editions of the first homework. The
#: in-process grader must score each alike, case by case (test_homework.py).
def by_otter_keys() -> list[tuple[str, str]]:
    return [(stem, "solutions") for stem in stems()] + [(stems()[0], "student"), (stems()[0], "wrong")]


@pytest.fixture(scope="session")
def editions(built, tmp_path_factory) -> dict[tuple[str, str], tuple[Path, Path]]:
    """Every (homework, kind): its autograder and the edition, as ``work/<kind>/<stem>.ipynb``."""
    work = tmp_path_factory.mktemp("editions")
    jobs = {}
    for stem in stems():
        for kind in KINDS:
            submission = work / kind / f"{stem}.ipynb"          # otter checks the notebook's name
            submission.parent.mkdir(exist_ok=True)
            if kind == "wrong":
                assert wrong_edition(built / "student" / f"{stem}.ipynb", submission) > 0
            else:
                submission.write_bytes((built / kind / f"{stem}.ipynb").read_bytes())
            jobs[stem, kind] = (built / "autograder" / f"{stem}-autograder.zip", submission)
    return jobs


@pytest.fixture(scope="session")
def graded(editions, tmp_path_factory) -> dict[tuple[str, str], dict]:
    """Every (homework, kind) graded in-process, as ``otter run`` grades (``grade_in_process``)."""
    return grade_in_process(editions, tmp_path_factory.mktemp("graded"))


@pytest.fixture(scope="session")
def graded_by_otter(editions, tmp_path_factory) -> dict[tuple[str, str], dict]:
    """``otter run`` results (tests/homework/_grade.py) of the editions of :func:`by_otter_keys`."""
    return grade_with_otter({key: editions[key] for key in by_otter_keys()}, tmp_path_factory.mktemp("graded-by-otter"))
