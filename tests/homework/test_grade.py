"""``make grade`` (tools/grade.py): a folder of mixed submissions becomes one gradebook row each.

A class of submissions is made from the first homework's solved notebook and student edition
(the ``built`` fixture: ``make homework``'s build): a correct one, a wrong one, one whose
cells raise (and call ``sys.exit``), one that kills its kernel, a notebook of another
homework (under a Canvas download name), a file that is not JSON, an empty zip, an empty
file, and a real ``grader.export`` zip in a student's subfolder. A second, small run checks
the timeout on an endless loop.
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from homework_source import HOMEWORK, ROOT, parse

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

GRADE = ROOT / "tools" / "grade.py"
STEM = HOMEWORK[0].stem if HOMEWORK else "hw01"
OTHER = HOMEWORK[1].stem if len(HOMEWORK) > 1 else "hw02"

# file -> (student, status) that the gradebook must show
EXPECTED = {
    "ada.ipynb": ("ada", "graded"),
    "ada.zip": ("ada", "unreadable"),                       # an empty file: ada's second file
    "bob.ipynb": ("bob", "graded"),
    "carl.ipynb": ("carl", "graded"),
    "dora.ipynb": ("dora", "crashed"),
    f"fay_late_4242_99_{OTHER}.ipynb": ("fay", "wrong-homework"),
    "gus.ipynb": ("gus", "unreadable"),
    "hal.zip": ("hal", "no-notebook"),
}


def _answer_cells(nb, tag):
    return [c for c in nb.cells if c.cell_type == "code" and tag in c.metadata.get("tags", [])]


def _with_cell(nb, source: str, at: int = 1):
    """The notebook with a code cell inserted (after otter's init cell, by default)."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    nb.cells.insert(at, nbformat.v4.new_code_cell(source))
    return nb


def _wrong(solved, student):
    """The solved notebook with its first answer replaced by a wrong one (zeros for the blanks)."""
    nb = nbformat.from_dict(json.loads(json.dumps(solved)))
    blank = _answer_cells(student, "otter_answer_cell")[0].source
    wrong = re.sub(r"(?m)^(\s*)\.\.\.\s*$", r"\1return 0.0", blank)
    _answer_cells(nb, "otter_assign_solution_cell")[0].source = wrong.replace("= ...", "= 0.0")
    return nb


def _export(solved: Path, folder: Path) -> Path:
    """A zip written by otter's own ``grader.export`` (what students hand in)."""
    folder.mkdir(parents=True)
    (folder / solved.name).write_bytes(solved.read_bytes())
    run = subprocess.run([sys.executable, "-c", f"import otter; otter.Notebook({solved.name!r})"
                          ".export(pdf=False, run_tests=False, display_link=False)"],
                         cwd=folder, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    (folder / solved.name).unlink()
    (folder / ".OTTER_LOG").unlink(missing_ok=True)
    (zipped,) = folder.glob("*.zip")
    return zipped


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(GRADE), *args], capture_output=True, text=True,
                          env={**os.environ, "MPLBACKEND": "Agg"})


def _rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def graded(built, tmp_path_factory) -> dict:
    """The class above, graded by tools/grade.py in two processes at a time."""
    folder = tmp_path_factory.mktemp("class") / "submissions"
    folder.mkdir()
    solved_path = built / "solutions" / f"{STEM}.ipynb"
    solved = nbformat.read(solved_path, as_version=4)
    student = nbformat.read(built / "student" / f"{STEM}.ipynb", as_version=4)

    nbformat.write(solved, folder / "ada.ipynb")
    (folder / "ada.zip").write_bytes(b"")
    nbformat.write(_wrong(solved, student), folder / "bob.ipynb")
    crashing = _with_cell(_with_cell(solved, 'raise ImportError("No module named \'numpyy\'")'),
                          'import sys\nsys.exit("bye")', at=2)
    nbformat.write(crashing, folder / "carl.ipynb")
    nbformat.write(_with_cell(solved, "import os\nos._exit(1)"), folder / "dora.ipynb")
    other = nbformat.from_dict(json.loads(json.dumps(student)))
    other.metadata["otter"]["assignment_name"] = OTHER
    nbformat.write(other, folder / f"fay_late_4242_99_{OTHER}.ipynb")
    (folder / "gus.ipynb").write_text("{ this is not JSON", encoding="utf-8")
    zipfile.ZipFile(folder / "hal.zip", "w").close()
    exported = _export(solved_path, folder / "zoe")
    (folder / "notes.txt").write_text("not a submission", encoding="utf-8")

    out = folder.parent / "graded"
    run = _run(STEM, str(folder), "--out", str(out), "--jobs", "2", "--timeout", "400",
               "--autograder", str(built / "autograder" / f"{STEM}-autograder.zip"))
    assert run.returncode == 0, f"tools/grade.py failed:\n{run.stdout}\n{run.stderr}"
    return {"out": out, "stdout": run.stdout, "rows": _rows(out / "gradebook.csv"),
            "export": f"zoe/{exported.name}"}


def test_every_submission_gets_one_row_with_its_status(graded):
    rows = graded["rows"]
    expected = {**EXPECTED, graded["export"]: ("zoe", "graded")}
    assert sorted(r["file"] for r in rows) == sorted(expected), "one row per submission, none skipped"
    for row in rows:
        student, status = expected[row["file"]]
        assert (row["student"], row["status"]) == (student, status), row
        reason = row["reason"]
        assert reason and "\n" not in reason and "Traceback" not in reason, row
        assert reason.rstrip()[-1] in ".)", f"{row['file']}: the reason is not a sentence: {reason}"
    assert "not graded (neither .ipynb nor .zip): notes.txt" in graded["stdout"]


def test_the_reasons_say_what_happened(graded):
    reason = {r["file"]: r["reason"] for r in graded["rows"]}
    assert f"from homework '{OTHER}', not '{STEM}'" in reason[f"fay_late_4242_99_{OTHER}.ipynb"]
    assert "ImportError" in reason["carl.ipynb"] and "2 cells" in reason["carl.ipynb"]
    assert "kernel died" in reason["dora.ipynb"]
    assert "empty" in reason["ada.zip"]
    assert "not a Jupyter notebook" in reason["gus.ipynb"]
    assert "no .ipynb" in reason["hal.zip"]
    assert "2 files" in reason["ada.ipynb"] and "2 files" in reason["ada.zip"]


def test_the_gradebook_has_the_documented_header(graded):
    questions = [q.name for q in parse(HOMEWORK[0]).code_questions]
    with (graded["out"] / "gradebook.csv").open(newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert header == ["student", "file", *questions, "total", "possible", "status", "reason", "results"]


def test_scores_are_ordered_and_add_up(graded):
    src = parse(HOMEWORK[0])
    possible = sum(q.points for q in src.code_questions)
    by_file = {r["file"]: r for r in graded["rows"]}
    total = {f: float(r["total"]) for f, r in by_file.items()}
    for row in graded["rows"]:
        assert float(row["possible"]) == possible
        assert sum(float(row[q.name]) for q in src.code_questions) == pytest.approx(float(row["total"]), abs=1e-3)
    # hidden tests count: full marks need every test, and the solutions get them, as an export too
    assert total["ada.ipynb"] == total[graded["export"]] == possible
    assert 0 < total["bob.ipynb"] < possible
    for f in ("ada.zip", "dora.ipynb", f"fay_late_4242_99_{OTHER}.ipynb", "gus.ipynb", "hal.zip"):
        assert total[f] == 0, f


def test_each_submission_keeps_its_full_results(graded):
    results = graded["out"] / "results"
    for row in graded["rows"]:
        path = graded["out"] / row["results"]
        assert path.parent == results and path.is_file(), row
        data = json.loads(path.read_text(encoding="utf-8"))
        assert "tests" in data, path
    ada = json.loads((graded["out"] / next(r["results"] for r in graded["rows"] if r["file"] == "ada.ipynb"))
                     .read_text(encoding="utf-8"))
    per_question = [t for t in ada["tests"] if "max_score" in t]
    assert per_question, "otter's results.json lists no question"
    # the homework's config shows hidden results on Gradescope once grades are published
    assert {t["visibility"] for t in per_question} == {"after_published"}


def test_the_canvas_csv_has_one_row_per_student(graded):
    with (graded["out"] / "canvas.csv").open(newline="", encoding="utf-8") as f:
        table = list(csv.reader(f))
    possible = sum(q.points for q in parse(HOMEWORK[0]).code_questions)
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", STEM]
    assert table[1][0] == "Points Possible" and float(table[1][5]) == possible
    students = {row[0]: row for row in table[2:]}
    assert len(students) == len(table) - 2 == len({r["student"] for r in graded["rows"]})
    assert float(students["ada"][5]) == possible, "the best of ada's two files"
    assert students["fay"][1] == "4242" and students["fay"][3] == "", "Canvas's user id from the file name"
    assert students["bob"][1] == "" and students["bob"][3] == "bob"


def test_every_homework_shows_hidden_results_after_publishing():
    for path in HOMEWORK:
        assert parse(path).config.get("generate", {}).get("show_hidden") is True, (
            f"{path.name}: set `show_hidden: true` under `generate:` in the ASSIGNMENT CONFIG")


def test_an_endless_loop_is_stopped(built, tmp_path):
    folder = tmp_path / "loop"
    folder.mkdir()
    solved = nbformat.read(built / "solutions" / f"{STEM}.ipynb", as_version=4)
    reached = tmp_path / "reached"   # the loop's kernel writes its process id here as the loop begins
    # a busy loop, as students write them, at the lowest priority: its 10 s leave the cores to the
    # tests beside it
    loop = (f"import os\nwith open({str(reached)!r}, 'w') as f:\n    f.write(str(os.getpid()))\n"
            "os.nice(19)\nwhile True:\n    pass")
    nbformat.write(_with_cell(solved, loop), folder / "lou.ipynb")
    out = tmp_path / "out"
    start = time.monotonic()
    run = _run(STEM, str(folder), "--out", str(out), "--timeout", "10",
               "--autograder", str(built / "autograder" / f"{STEM}-autograder.zip"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert time.monotonic() - start < 120
    (row,) = _rows(out / "gradebook.csv")
    assert (row["status"], row["total"]) == ("timeout", "0") and re.search(r"\b10 s\b", row["reason"]), row
    assert reached.is_file(), "the grader stopped before the endless loop began: the timeout proved nothing"
    kernel = int(reached.read_text())
    # nothing it started is left running (the kernel exits within a second of its parent)
    proc = Path("/proc")
    if proc.is_dir():
        deadline = time.monotonic() + 10
        while True:
            alive = [p for p in proc.iterdir() if p.name.isdigit()    # a zombie has no command line
                     and (str(out) in _cmdline(p) or (int(p.name) == kernel and "ipykernel" in _cmdline(p)))]
            if not alive or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert not alive, f"processes left running after the timeout: {[_cmdline(p) for p in alive]}"


def _cmdline(process: Path) -> str:
    try:
        return (process / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


@functools.cache
def _main():
    """tools/grade.py's ``main``, imported (tools/ is no package)."""
    spec = importlib.util.spec_from_file_location("grade_tool", GRADE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module        # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module.main


def test_a_kernel_that_did_not_answer_is_graded_again(monkeypatch, tmp_path):
    """jupyter_client's "Kernel didn't respond" comes before any cell ran: the submission is
    graded once more (and only then), and a second such failure is reported as that."""
    _main()
    tool = sys.modules["grade_tool"]

    def report(error):
        return tool._interpret({"error": error, "results": None, "scores": None, "total": 0.0,
                                "cell_errors": []}, "log", 61.0)

    stuck = report("RuntimeError: Kernel didn't respond in 60 seconds")
    exited = report("RuntimeError: Kernel died before replying to kernel_info")
    died = report("DeadKernelError: Kernel died")
    assert stuck.reason.startswith(tool.NOT_READY) and exited.reason.startswith(tool.NOT_READY)
    assert "kernel died while the notebook ran" in died.reason
    submission = tool.Submission(tmp_path / "ada.ipynb", "ada.ipynb", "ada", key="ada")
    monkeypatch.setattr(tool, "precheck", lambda path: None)
    for attempts, again in (([stuck, "done"], "second attempt"), ([exited, "done"], "second attempt"),
                            ([stuck, stuck], "twice"), (["done"], None), ([died], None)):
        given = iter(attempts)
        calls = []

        def once(*args, given=given, calls=calls):
            calls.append(args)
            a = next(given)
            return tool.Outcome("graded", "otter ran every test in 3 s.", total=5.0) if a == "done" else \
                tool.Outcome(a.status, a.reason, log=a.log)

        monkeypatch.setattr(tool, "_grade_once", once)
        got = tool.grade(submission, tmp_path / "a.zip", tmp_path, 10)
        assert len(calls) == len(attempts), "graded once more only after a kernel that did not answer"
        if again is None:
            assert "attempt" not in got.reason and "twice" not in got.reason
        else:
            assert again in got.reason and "graded again" in got.log


@pytest.mark.parametrize("args, message", [
    (["", "x"], "HW is missing"),
    (["hw99_nothing", "x"], "HW=hw99_nothing: no such homework"),
    ([STEM, ""], "SUBMISSIONS is missing"),
    ([STEM, "/no/such/folder"], "SUBMISSIONS=/no/such/folder: no such folder"),
    ([STEM, "EMPTY", "--jobs", "0"], "--jobs must be at least 1"),
    ([STEM, "EMPTY", "--timeout", "0"], "--timeout must be a positive number"),
    ([STEM, "EMPTY"], "no .ipynb or .zip file in it"),
])
def test_bad_arguments_get_a_clear_message(args, message, tmp_path):
    args = [str(tmp_path) if a == "EMPTY" else a for a in args]
    with pytest.raises(SystemExit) as error:
        _main()(args)
    assert message in str(error.value)
    if args[0] == "":
        assert "hw01" in str(error.value), "the message lists the homework to choose from"
