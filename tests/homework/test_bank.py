"""The bank of wrong answers (tests/homework/bank.py): each typical mistake costs what it breaks.

Every entry is made from the solved notebook of its homework, graded with the autograder's
tests and otter's scoring in-process (``grade_in_process``: a second each, where ``otter run``
takes tens of seconds; one entry per homework is also graded by ``otter run`` and must score
alike, case by case, as must the editions test_homework.py and test_variants.py grade with
both), and compared with its bound: a wrong
answer scores at most ``at_most`` of the points of the questions it breaks, a right answer in
another style scores full marks, a wrong answer keeps at least ``at_least`` of them, and either way the other questions keep their full marks.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from bank import BANK, Answer
from homework_source import HOMEWORK, grade_in_process, grade_with_otter, parse

SOURCES = {p.stem: p for p in HOMEWORK}
ENTRIES = [(stem, i) for stem, answers in BANK.items() for i in range(len(answers))]
MIN_WRONG = 8   # the issue asks for at least eight wrong answers per homework


def make_submission(solved: Path, answer: Answer, target: Path) -> None:
    nb = nbformat.read(solved, as_version=4)
    for old, new in answer.edits:
        cells = [c for c in nb.cells if c.cell_type == "code" and old in c.source]
        assert cells, f"bank entry {answer.what!r}: {old[:60]!r} is no longer in the solutions"
        for cell in cells:
            cell.source = cell.source.replace(old, new)
    nbformat.write(nb, target)


@pytest.fixture(scope="module")
def bank_results(built, tmp_path_factory) -> dict[tuple[str, int], dict]:
    work = tmp_path_factory.mktemp("bank")
    jobs = {}
    for stem, i in ENTRIES:
        folder = work / f"{stem}-{i}"
        folder.mkdir()
        submission = folder / f"{stem}.ipynb"
        make_submission(built / "solutions" / f"{stem}.ipynb", BANK[stem][i], submission)
        jobs[stem, i] = (built / "autograder" / f"{stem}-autograder.zip", submission)
    return grade_in_process(jobs, work)


def same_grades(a: dict, b: dict) -> bool:
    """Two results score every question alike, pass and fail the same test cases, and give a
    failed case the same message."""
    def marks(result):
        return {q: (r["score"], r["possible"],
                    [(c["name"], c["passed"], None if c["passed"] else c["message"]) for c in r["cases"]])
                for q, r in result["questions"].items()}
    return marks(a) == marks(b) and (a["total"], a["possible"]) == (b["total"], b["possible"])


def first_wrong(stem: str) -> int:
    return next(i for i, a in enumerate(BANK[stem]) if not a.right)


@pytest.fixture(scope="module")
def by_otter(built, tmp_path_factory) -> dict[str, dict]:
    """Each homework's first wrong answer, graded by ``otter run`` (``grade_with_otter``)."""
    work = tmp_path_factory.mktemp("bank-otter")
    jobs = {}
    for stem in sorted(BANK):
        submission = work / stem / f"{stem}.ipynb"
        submission.parent.mkdir()
        make_submission(built / "solutions" / f"{stem}.ipynb", BANK[stem][first_wrong(stem)], submission)
        jobs[stem] = (built / "autograder" / f"{stem}-autograder.zip", submission)
    return grade_with_otter(jobs, work)


@pytest.mark.parametrize("stem", sorted(BANK))
def test_otter_run_grades_an_entry_as_the_in_process_grader(by_otter, bank_results, stem):
    i, by_otter = first_wrong(stem), by_otter[stem]
    assert by_otter["error"] is None
    assert by_otter["total"] < by_otter["possible"]        # a wrong answer, so partial marks are compared
    assert same_grades(by_otter, bank_results[stem, i]), (by_otter, bank_results[stem, i])


@pytest.mark.parametrize("stem", sorted(BANK))
def test_the_bank_has_enough_wrong_answers(stem):
    answers = BANK[stem]
    assert sum(not a.right for a in answers) >= MIN_WRONG, f"{stem}: fewer than {MIN_WRONG} wrong answers"
    assert any(a.right for a in answers), f"{stem}: add a right answer in another style"
    names = {q.name for q in parse(SOURCES[stem]).code_questions}
    for a in answers:
        assert set(a.questions) <= names, f"{stem}, {a.what!r}: no question {set(a.questions) - names}"


@pytest.mark.parametrize("stem, i", ENTRIES, ids=[f"{s}-{BANK[s][i].what[:40]}" for s, i in ENTRIES])
def test_each_answer_scores_what_it_deserves(bank_results, stem, i):
    answer, result = BANK[stem][i], bank_results[stem, i]
    assert result["error"] is None, f"{answer.what}: the autograder failed: {result['error']}"
    points = {q.name: q.points for q in parse(SOURCES[stem]).code_questions}
    scores = {name: q["score"] for name, q in result["questions"].items()}
    for name, possible in points.items():
        if name not in answer.questions or answer.right:
            assert scores[name] == pytest.approx(possible), (
                f"{answer.what}: {name} should keep its {possible} points, got {scores[name]}")
    if not answer.right:
        got = sum(scores[q] for q in answer.questions)
        possible = sum(points[q] for q in answer.questions)
        assert got <= answer.at_most * possible + 1e-9, (
            f"{answer.what}: scores {got} of {possible} points on {', '.join(answer.questions)}, "
            f"more than {answer.at_most:.1%}")
        assert got >= answer.at_least * possible - 1e-9, (
            f"{answer.what}: scores {got} of {possible} points on {', '.join(answer.questions)}, "
            f"less than {answer.at_least:.1%}: the tests punish a slip as much as a broken method")


TEST_FILE = '''from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 2

@test_case(points=None, hidden=False)
def test_q1_x(x):
    assert x == 1, f"x is {x}"

@test_case(points=None, hidden=True)
def test_q1_f(f):
    assert f() == 3
'''


def _notebook(path: Path, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, path)
    return path


@pytest.mark.parametrize("cells, score, error", [
    # otter's grading mode runs q1 at its grader.check cell, on the globals of that moment
    (["import otter\ngrader = otter.Notebook('hw.ipynb')", "x = 1\ndef f():\n    return 3",
      'grader.check("q1")', "x = 2"], 2, None),
    # unchecked questions run after the last cell; a cell that raises is skipped
    (["x = 1", "raise ValueError('no')", "x = 2\ndef f():\n    return 3"], 1, None),
    (["x = 1", "import sys\nsys.exit(1)", "def f():\n    return 3"], 2, None),
    # a test that ends the process: an error, not a hang
    (["x = 1\ndef f():\n    import sys\n    sys.exit(3)"], 0, "SystemExit(3)"),
])
def test_the_in_process_grader(tmp_path, cells, score, error):
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "q1.py").write_text(TEST_FILE)
    notebook = _notebook(tmp_path / "hw.ipynb", *cells)
    (result,) = grade_in_process({"a": (_zip(tests, tmp_path / "a.zip"), notebook)}, tmp_path / "work").values()
    assert result["error"] == error
    assert result["total"] == score


def _zip(tests: Path, target: Path) -> Path:
    import zipfile

    with zipfile.ZipFile(target, "w") as z:
        for f in tests.iterdir():
            z.write(f, f"tests/{f.name}")
    return target


def test_graded_together_as_each_alone(tmp_path):
    """``grade_in_process`` runs the cells most submissions share once and forks each where it
    departs (``homework_in_process.grade_sharing``): every result is the one ``grade`` gives the
    submission alone, whether it is the shared cells cell for cell, ends inside them, departs
    before or after a ``grader.check`` cell, carries on past a cell that raises, has a test end
    the process, or draws from stdlib ``random`` seeded in a shared cell; and a child starts from
    the state its own first cells left, no shared cell later than those (``lacks f`` and
    ``ends early`` would get the trunk's ``f``)."""
    from homework_in_process import grade

    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "q1.py").write_text(TEST_FILE)
    init = "import otter\ngrader = otter.Notebook('hw.ipynb')"
    solved = [init, "import random\nrandom.seed(0)\nx = 1", "def f():\n    return 3", 'grader.check("q1")',
              "calls = [0]", "y = x + 1"]
    lucky = "def f():\n    return 3 if random.random() == random.Random(0).random() else 4"
    kinds = {
        "solved": solved,
        "solved again": solved,
        "ends early": solved[:2],
        "lacks f": solved[:2] + ["g = 0", 'grader.check("q1")'],
        "departs first": [init, "x = 2"] + solved[2:],
        "departs after the check": solved[:4] + ["x = 5"] + solved[5:],
        "draws after the seed": solved[:2] + [lucky, 'grader.check("q1")'],
        "raises, then right": [init, "raise ValueError('no')", "x = 1", "def f():\n    return 3"],
        "a test exits": [init, "x = 1\ndef f():\n    import sys\n    sys.exit(3)", 'grader.check("q1")', "x = 2"],
    }
    notebooks = {kind: _notebook(tmp_path / f"{i}.ipynb", *cells) for i, (kind, cells) in enumerate(kinds.items())}
    zipped = _zip(tests, tmp_path / "a.zip")
    together = grade_in_process({kind: (zipped, nb) for kind, nb in notebooks.items()}, tmp_path / "work")
    alone = {kind: grade(tests, nb) for kind, nb in notebooks.items()}
    assert together == alone
    assert [together[k]["total"] for k in kinds] == [2, 2, 1, 1, 1, 2, 2, 2, 0]   # the cases differ
    assert together["a test exits"]["error"] == "SystemExit(3)"


@pytest.mark.parametrize("order", ["dies first", "dies second"])
@pytest.mark.parametrize("where", ["inside", "after"])
def test_a_submission_that_ends_its_process_in_a_cell_of_its_own_is_named(tmp_path, order, where):
    """A cell no other submission has runs in the submission's own process, whether it departs
    from the shared cells inside them or goes on after them."""
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "q1.py").write_text(TEST_FILE)
    fine, dies = ["x = 1", "def f():\n    return 3", "y = 2"], "import os\nos._exit(1)"
    cells = {"fine": fine, "fine again": fine,
             "dies": fine[:1] + [dies] + fine[1:] if where == "inside" else fine + [dies]}
    names = ["dies", "fine", "fine again"] if order == "dies first" else ["fine", "dies", "fine again"]
    jobs = {name: (_zip(tests, tmp_path / "a.zip"), _notebook(tmp_path / f"{name}.ipynb", *cells[name])) for name in names}
    with pytest.raises(RuntimeError, match=r"grading 'dies' ended its process without a result \(exit code 1\)"):
        grade_in_process(jobs, tmp_path / "work")


def test_a_submission_that_runs_too_long_is_stopped_and_named(tmp_path):
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "q1.py").write_text(TEST_FILE)
    fine = ["x = 1", "def f():\n    return 3"]
    cells = {"fine": fine, "fine again": fine, "loops": fine[:1] + ["while True:\n    pass"]}
    jobs = {name: (_zip(tests, tmp_path / "a.zip"), _notebook(tmp_path / f"{name}.ipynb", *c)) for name, c in cells.items()}
    with pytest.raises(RuntimeError, match="grading 'loops' did not finish within 2 s"):
        grade_in_process(jobs, tmp_path / "work", each=2)


def _grade_in_a_process(tests, notebook, work):
    from homework_in_process import grade_sharing

    grade_sharing(tests, {"loops": notebook}, work, 600)


def test_a_stopped_grading_leaves_no_child_running(tmp_path):
    """The process that forks a submission's child is stopped (as ``in_forks``' pool stops its
    workers at its deadline): the child, looping, ends with it."""
    import multiprocessing
    import os
    import signal
    import time

    if not Path("/proc").is_dir():
        pytest.skip("reads /proc, and the child dies with its parent on Linux only")
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "q1.py").write_text(TEST_FILE)
    reached = tmp_path / "reached"
    loop = f"import os\nopen({str(reached)!r}, 'w').write(str(os.getpid()))\nwhile True:\n    pass"
    notebook = _notebook(tmp_path / "loops.ipynb", "x = 1", loop)
    (tmp_path / "work").mkdir()
    grader = multiprocessing.get_context("fork").Process(target=_grade_in_a_process, args=(tests, notebook, tmp_path / "work"))
    grader.start()
    deadline = time.monotonic() + 30
    while not (reached.is_file() and reached.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    child = int(reached.read_text())
    assert child != grader.pid
    os.kill(grader.pid, signal.SIGTERM)
    grader.join(10)
    deadline = time.monotonic() + 10
    while _running(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _running(child):
        os.kill(child, signal.SIGKILL)
        pytest.fail("the child went on after its grading process was stopped")


def _running(pid: int) -> bool:
    """A process that exists and is not a zombie (ended, not yet reaped)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status
