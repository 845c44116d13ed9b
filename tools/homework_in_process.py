"""Run a homework's source — solutions and tests — in this process, for one variant.

Otter grades a submission in a sandbox of its own, which takes tens of seconds per homework;
this runs the same code in about a second, so every variant can be checked before it is built
(``build_homework.py --seed N`` refuses a seed whose solutions fail a test) and the tests check
many seeds (``tests/homework/test_variants_in_process.py``): every code cell of
the source notebook is executed in order (with ``SEED = seed``), and each test cell of a
``# BEGIN TESTS`` block runs on a copy of the globals (its last line calls its test function
with the globals it names, as otter calls it).
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import random
import re
import signal
import time
import traceback
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_SEED_LINE = re.compile(r"^(\s*)SEED = 0[ \t]*$", re.M)


def preload() -> None:
    """Import what running and grading a homework imports: numpy, matplotlib's pyplot, the
    library and otter's test files. A process that forks one child per submission calls it
    first, so the children share these modules instead of each importing them again: hw04's 33
    bank entries used 44 CPU-seconds forked from a parent that had imported none of them, 4.5
    after it had (most homework grade in well under a second a submission; hw05 and hw09 take
    2–3 s). A child still starts from this state and cannot change the parent's."""
    import matplotlib

    matplotlib.use("Agg")  # the children draw no window, whatever this process drew with
    import matplotlib.pyplot  # noqa: F401

    import descend  # noqa: F401
    with warnings.catch_warnings():  # a dependency of otter's uses a traitlets form deprecated in 4.1
        warnings.simplefilter("ignore", DeprecationWarning)
        import otter.test_files.exception_test  # noqa: F401


def source(stem: str) -> Path:
    """The instructors' source notebook of a homework."""
    return ROOT / "notebooks" / "homework" / f"{stem}.ipynb"


def _cells(notebook: Path):
    """(source, in_tests) for each code cell of the notebook, in order."""
    nb = json.loads(Path(notebook).read_text())
    in_tests = False
    for cell in nb["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "raw":
            head = text.strip().splitlines()[0].strip().upper() if text.strip() else ""
            if head.startswith("# BEGIN TESTS"):
                in_tests = True
            elif head.startswith("# END TESTS"):
                in_tests = False
        elif cell["cell_type"] == "code":
            yield text, in_tests


def run(notebook: Path, seed: int) -> list[str]:
    """The failures of a homework source's tests against its own solutions for variant
    ``seed``: one line per failing test (its name and message); an empty list when all pass."""
    stem = Path(notebook).stem
    os.environ.setdefault("MPLBACKEND", "Agg")
    env: dict = {"__name__": "__homework__"}
    failures = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for text, in_tests in _cells(notebook):
            text = _SEED_LINE.sub(lambda m: f"{m.group(1)}SEED = {seed}", text)
            if text.lstrip().startswith(("%", "!")):
                continue
            if not in_tests:
                exec(compile(text, f"<{stem} cell>", "exec"), env)
                continue
            name = re.search(r"^def (test_\w+)", text, re.M)
            try:
                exec(compile(text, f"<{stem} test>", "exec"), dict(env))
            except Exception as error:  # noqa: BLE001 - every failure is reported
                label = name.group(1) if name else "a test cell"
                failures.append(f"{label}: {type(error).__name__}: {error}"[:600])
    try:
        import matplotlib.pyplot as plt
        plt.close("all")
    except ImportError:
        pass
    return failures


_CHECK = re.compile(r"""grader\.check\(\s*["'](\w+)["']\s*\)""")


def _submission_cells(notebook: Path):
    """(code, question) for each code cell of a submission: a ``grader.check("q")`` cell gives
    ("", "q"); otherwise the cell's code less otter's own lines (``import otter``, the
    ``grader``), and None."""
    nb = json.loads(Path(notebook).read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        text = "".join(cell["source"])
        check = _CHECK.fullmatch(text.strip())
        if check:
            yield "", check.group(1)
            continue
        lines = [line for line in text.splitlines()
                 if not re.match(r"(import otter\s*$|grader\s*=\s*otter\.|grader\.)", line)
                 and not line.lstrip().startswith(("%", "!"))]
        yield "\n".join(lines), None


def _run_tests(path: Path, env: dict) -> dict:
    from otter.test_files.exception_test import ExceptionTestFile

    test_file = ExceptionTestFile.from_file(str(path))
    test_file.run(env)
    return {"score": test_file.score, "possible": test_file.possible,
            "cases": [{"name": r.test_case.name, "hidden": r.test_case.hidden, "passed": r.passed,
                       "message": r.message} for r in test_file.test_case_results]}


class _Grading:
    """One submission's grading as :func:`grade` does it, a cell at a time (``step``), then the
    questions no ``grader.check`` cell ran (``finish``): its globals, the questions' results so
    far and the error that ended it, if one did. A forked child gets its own copy."""

    def __init__(self, tests: Path):
        self.files = {p.stem: p for p in sorted(Path(tests).glob("*.py"))}
        self.env: dict = {"__name__": "__main__"}
        self.questions, self.error = {}, None

    def step(self, k: int, text: str, question: str | None) -> None:
        if self.error is not None:   # a test ended the process: nothing more runs, as in otter
            return
        try:
            if question in self.files:
                self.questions[question] = _run_tests(self.files[question], self.env)
                return
            try:
                exec(compile(text, f"<cell {k}>", "exec"), self.env)
            except BaseException:  # noqa: BLE001 - as otter, run on (SystemExit included)
                pass
        except BaseException as e:  # noqa: BLE001 - a test that exits: no results, as otter
            self.error = repr(e)

    def finish(self) -> dict:
        if self.error is None:
            try:
                for name, path in self.files.items():
                    if name not in self.questions:
                        self.questions[name] = _run_tests(path, self.env)
            except BaseException as e:  # noqa: BLE001 - a test that exits: no results, as otter
                self.error = repr(e)
        try:
            import matplotlib.pyplot as plt
            plt.close("all")
        except ImportError:
            pass
        questions = {name: self.questions[name] for name in self.files if name in self.questions}
        return {"total": sum(q["score"] for q in questions.values()),
                "possible": sum(q["possible"] for q in questions.values()), "error": self.error,
                "questions": questions}


@contextlib.contextmanager
def _quietly():
    """What a grading prints and warns is not shown (otter's output would be the kernel's)."""
    with warnings.catch_warnings(), open(os.devnull, "w") as quiet, \
            contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
        warnings.simplefilter("ignore")
        yield


def grade(tests: Path, notebook: Path) -> dict:
    """Grade a submission in this process, as ``otter run`` grades it, in the form of
    ``tests/homework/_grade.py``'s result: every code cell is executed in order (a cell that
    raises is skipped and the next one runs, as otter runs them); a ``grader.check("q")`` cell
    runs question q's test file there, on the globals of that moment (as otter's grading mode
    does), and after the last cell every question not yet checked is; otter's own
    ``ExceptionTestFile`` runs and scores each file. A test that ends the process
    (``sys.exit``) makes ``error`` say so. Run it in a process of its own per submission: a
    submission can change the modules it imports."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    grading = _Grading(tests)
    with _quietly():
        for k, (text, question) in enumerate(_submission_cells(notebook)):
            grading.step(k, text, question)
        return grading.finish()


def _trunk(cells: dict) -> list:
    """The cells the submissions begin with, as far as two or more go together: at each
    position, the most common cell among the submissions that still follow the trunk there
    (the first of them, on a tie), as long as two of them have it."""
    trunk, on = [], list(cells)
    while on:
        here = [cells[key][len(trunk)] for key in on if len(cells[key]) > len(trunk)]
        cell = max(here, key=here.count) if here else None
        if cell is None or here.count(cell) < 2:
            break
        trunk.append(cell)
        on = [key for key in on if len(cells[key]) >= len(trunk) and cells[key][len(trunk) - 1] == cell]
    return trunk


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when its parent ends (Linux's PR_SET_PDEATHSIG;
    elsewhere nothing), so that a grading stopped from outside leaves no child running."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)   # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:   # the parent ended before the call
        os._exit(1)


def _ended(status: int) -> str:
    code = os.waitstatus_to_exitcode(status)
    return f"killed by signal {-code}" if code < 0 else f"exit code {code}"


def grade_sharing(tests: Path, notebooks: dict, work: Path, each: float) -> dict:
    """``{key: notebook}`` → ``{key: result}``: each graded as :func:`grade` grades it, in a
    process of its own, with the cells that two or more of them begin with run once.
    Submissions made from one notebook (the bank's answers are the solutions with an edit or a
    few) share their first cells: this process runs the trunk of them (:func:`_trunk`), and
    where a submission's cells depart from it, or the trunk ends, it forks, and the child runs
    that submission's cells from there on and the remaining tests. The child starts from the
    state its own first cells left in this process: the same cells, computing the same (stdlib
    ``random``, which Python re-seeds in a forked child, gets its state back; threads a cell
    started do not go on in the child, and no homework starts one). One process works at a
    time: the trunk waits while a child runs. Each child writes its result, or its traceback,
    to a file in ``work`` (an empty folder of this call). A child that ends without writing
    one (``os._exit`` in a cell no other submission shares) or runs past ``each`` seconds
    raises ``RuntimeError`` naming its submission; a cell of the trunk that ends the process
    ends this one (``tests/homework/homework_source.in_forks`` reports it). A child dies with
    this process (on Linux)."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    work = Path(work).resolve()   # a cell may change the directory
    cells = {key: list(_submission_cells(nb)) for key, nb in notebooks.items()}
    trunk, on, results = _trunk(cells), list(cells), {}
    grading = _Grading(tests)

    def fork_for(key, k: int) -> None:
        out = work / f"result-{len(results)}.pickle"
        parent, state = os.getpid(), random.getstate()
        pid = os.fork()
        if pid == 0:   # the child: this submission's own cells, and nothing after
            try:
                _die_with_parent(parent)
                random.setstate(state)
                for j in range(k, len(cells[key])):
                    grading.step(j, *cells[key][j])
                written = pickle.dumps(("result", grading.finish()))
            except BaseException:  # noqa: BLE001 - reported by the parent, with the traceback
                written = pickle.dumps(("traceback", traceback.format_exc()))
            finally:
                try:
                    out.with_suffix(".part").write_bytes(written)
                    os.replace(out.with_suffix(".part"), out)   # whole or not at all
                finally:
                    os._exit(0)
        deadline, status = time.monotonic() + each, None
        try:
            while status is None:
                done, code = os.waitpid(pid, os.WNOHANG)
                if done:
                    status = code
                elif time.monotonic() > deadline:
                    raise RuntimeError(f"grading {key!r} did not finish within {each:g} s")
                else:
                    time.sleep(0.005)
        finally:
            if status is None:   # still running: the deadline, or an interrupt here
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        if not out.is_file():
            raise RuntimeError(f"grading {key!r} ended its process without a result ({_ended(status)})")
        what, result = pickle.loads(out.read_bytes())
        out.unlink()
        if what == "traceback":
            raise RuntimeError(f"grading {key!r} failed:\n{result}")
        results[key] = result

    with _quietly():
        for k in range(len(trunk) + 1):
            leaving = [key for key in on if k == len(trunk) or cells[key][k:k + 1] != trunk[k:k + 1]]
            for key in leaving:
                fork_for(key, k)
            on = [key for key in on if key not in leaving]
            if not on:
                break
            grading.step(k, *trunk[k])
    return {key: results[key] for key in notebooks}
