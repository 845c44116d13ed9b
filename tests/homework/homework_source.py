"""Read an otter-assign source notebook the way otter does, for the homework tests.

`parse` sorts the text of a source notebook into what a student may see (the public text)
and what only the instructor and the autograder may see (solutions and hidden tests), and
lists the questions with their points and tests; `all_secrets` gathers those of every homework.
`grade_with_otter` grades submissions with their autograders by ``otter run`` (through
``_grade.py``, each in a process of its own); `grade_in_process` grades many the same way in
about a second each (``tools/homework_in_process.grade``: the notebook's cells in a forked
process, then otter's own test files and scoring; the cells that submissions of one homework
begin with in common run once, ``grade_sharing``), which the tests check against ``otter run``.
"""

from __future__ import annotations

import ast
import json
import os
import re
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[2]
HOMEWORK = sorted((ROOT / "notebooks" / "homework").glob("hw*.ipynb"))

# the same patterns otter-grader 7 uses (otter/assign/blocks.py, solutions.py, tests_manager.py)
_BOUNDARY = re.compile(r"#\s+(begin|end)\s+(question|prompt|solution|tests)\s*", re.IGNORECASE)
_CONFIG = re.compile(r"#\s+assignment\s+config\s*", re.IGNORECASE)
_SOLUTION_ASSIGNMENT = re.compile(r"\s*(?:[\w.]+(?=[^\w.])(?:\[['\"]?.*['\"]?\])*(?:,\s*)?)+\s*=(.*?) ?# ?SOLUTION")
_IMPORT = re.compile(r"(from\s+[\w.]+\s+)?import\s")     # an import gives no answer away
_RUBRIC_HEADING = re.compile(r"\*\*Rubric \([\d.]+ points?\)\.\*\*")  # nor a rubric's heading line
_TEST_CONFIG = re.compile(r'(?:.\s*=\s*)?""?"?\s*#\s*BEGIN\s*TEST\s*CONFIG', re.IGNORECASE)


@dataclass
class Question:
    name: str
    points: float
    manual: bool
    public_tests: list[str] = field(default_factory=list)
    hidden_tests: list[str] = field(default_factory=list)


@dataclass
class Source:
    path: Path
    config: dict
    questions: list[Question]
    public_text: str                  # every line a student is meant to see
    solutions: list[str]              # fragments of solutions (code and written)
    hidden: list[str]                 # lines of hidden tests, as otter rewrites them

    @property
    def code_questions(self) -> list[Question]:
        return [q for q in self.questions if not q.manual]

    @property
    def written_questions(self) -> list[Question]:
        return [q for q in self.questions if q.manual]

    def secrets(self) -> list[str]:
        """Fragments of solutions and hidden tests long enough to be telling, and not public."""
        public = normalize(self.public_text)
        found = []
        for fragment in self.solutions + self.hidden:
            text = normalize(fragment)
            if (len(text.replace(" ", "")) >= 10 and text not in public and not _IMPORT.match(text)
                    and not _RUBRIC_HEADING.fullmatch(text)):
                found.append(text)
        return found


def normalize(text: str) -> str:
    """Collapse whitespace and quotes (otter rewrites tests with ast.unparse)."""
    return re.sub(r"\s+", " ", text.replace('"', "'")).strip()


def _boundary(cell) -> tuple[str, str] | None:
    if cell.cell_type != "raw":
        return None
    m = _BOUNDARY.match(cell.source.splitlines()[0] if cell.source else "")
    return (m.group(1).lower(), m.group(2).lower()) if m else None


def _is_hidden(source: str) -> bool:
    lines = source.splitlines()
    if not lines:
        return False
    if _TEST_CONFIG.match(lines[0]):
        end = next(i for i, line in enumerate(lines) if re.match(r'""?"?\s*#\s*END\s*TEST\s*CONFIG', line, re.I))
        return bool((yaml.safe_load("\n".join(lines[1:end])) or {}).get("hidden", False))
    return lines[0].lstrip().startswith("#") and bool(re.search(r"\bhidden\b", lines[0], re.IGNORECASE))


def _split_solution_code(source: str) -> tuple[list[str], list[str]]:
    """(public lines, solution fragments) of a code cell inside a SOLUTION block."""
    public, secret, inside, marked = [], [], False, False
    for line in source.splitlines():
        stripped = line.rstrip()
        if re.match(r"\s*# BEGIN SOLUTION", line):
            inside = marked = True
        elif stripped.endswith("# END SOLUTION"):
            inside = False
        elif inside:
            secret.append(line)
        elif re.search(r"# ?SOLUTION( NO PROMPT)?$", stripped):
            marked = True
            m = _SOLUTION_ASSIGNMENT.match(stripped)
            secret.append(m.group(1) if m else re.sub(r"# ?SOLUTION( NO PROMPT)?$", "", stripped))
        else:
            public.append(line)
    if not marked:  # otter would leave this cell intact in the student edition: all of it is a solution
        return [], source.splitlines()
    return public, secret


def parse(path: Path) -> Source:
    nb = nbformat.read(path, as_version=4)
    config: dict = {}
    questions: list[Question] = []
    public, solutions, hidden = [], [], []
    blocks: list[str] = []
    question: Question | None = None
    for cell in nb.cells:
        if cell.cell_type == "raw" and _CONFIG.match(cell.source):
            config = yaml.safe_load(cell.source) or {}
            continue
        boundary = _boundary(cell)
        if boundary:
            kind, block = boundary
            if kind == "begin":
                blocks.append(block)
                if block == "question":
                    q = yaml.safe_load(cell.source) or {}
                    points = q.get("points", 1)     # a total, or one value per test case
                    points = sum(points) if isinstance(points, list) else points
                    question = Question(str(q["name"]), float(points), bool(q.get("manual", False)))
                    questions.append(question)
            else:
                if not blocks or blocks[-1] != block:
                    raise ValueError(f"{path.name}: unbalanced `# END {block.upper()}`")
                blocks.pop()
            continue
        here = blocks[-1] if blocks else None
        if here == "solution":
            if cell.cell_type == "code":
                shown, secret = _split_solution_code(cell.source)
                public += shown
                solutions += secret
            else:
                solutions += [line for line in cell.source.splitlines() if line.strip()]
        elif here == "tests":
            if _is_hidden(cell.source):
                question.hidden_tests.append(cell.source)
                # as otter writes it into the autograder's test files (and would into the metadata)
                hidden += ast.unparse(ast.parse(cell.source)).splitlines()
            else:
                question.public_tests.append(cell.source)
                # the student edition carries it as written and, in its metadata, as otter rewrites it
                public += [cell.source, ast.unparse(ast.parse(cell.source))]
        else:
            public.append(cell.source)
    if blocks:
        raise ValueError(f"{path.name}: unclosed block(s) {blocks}")
    return Source(path, config, questions, "\n".join(public), solutions, hidden)


def all_secrets() -> dict[str, str]:
    """Solution and hidden-test fragments of every homework -> its stem.

    A fragment that a homework hides but the book shows in the open (an import in another
    homework, the momentum update in its chapter) gives nothing away and is left out.
    """
    sources = [parse(p) for p in HOMEWORK]
    chapters = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    public = normalize("\n".join([src.public_text for src in sources]
                                  + [c.source for p in chapters for c in nbformat.read(p, as_version=4).cells]))
    found = {}
    for src in sources:
        own = [s for s in src.secrets() if s not in public]
        assert len(own) >= len(src.questions), f"{src.path.stem}: too few secrets left to check"
        found.update((s, src.path.stem) for s in own)
    return found


def _otter_one(job: tuple[Path, Path, Path]) -> dict:
    """One :func:`grade_with_otter` job, in its forked process: ``_grade.py``'s ``main`` (``otter
    run``, the function the command calls) on the submission, in the job's folder."""
    import _grade

    import warnings

    autograder, submission, folder = job
    os.chdir(folder)
    os.environ["MPLBACKEND"] = "Agg"
    warnings.resetwarnings()  # a new Python's filters, not the test run's (-W error would fail otter's own)
    for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
        warnings.simplefilter("ignore", category)
    warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")
    try:
        _grade.main(str(autograder), str(submission), str(folder / "result.json"))
        return json.loads((folder / "result.json").read_text(encoding="utf-8"))
    except Exception as error:  # noqa: BLE001 - named here: the pool's traceback does not say which submission
        raise RuntimeError(f"otter run failed on {submission}: {type(error).__name__}: {error}") from error


def grade_with_otter(jobs: dict, work: Path) -> dict:
    """``{key: (autograder zip, notebook)}`` → ``{key: result}``: each graded by ``otter run``
    (``_grade.py``'s ``main``) in a process and a folder of its own under ``work``, the
    submission under the name otter checks (``hw07_adaptive-autograder.zip`` grades
    ``hw07_adaptive.ipynb``), as many at a time as :func:`_processes` says, with the deadline of
    :func:`grade_in_process`; a run that raises fails with the submission's path. The processes
    are forked from one that has imported otter, which each ``otter run`` command would import
    again (about a second of its four to seven)."""
    import warnings

    import _grade  # noqa: F401
    with warnings.catch_warnings():  # a dependency of otter's uses a traitlets form deprecated in 4.1
        warnings.simplefilter("ignore", DeprecationWarning)
        import otter.run  # noqa: F401

    folders = {}
    for key, (autograder, notebook) in jobs.items():
        folder = work / "-".join(map(str, key if isinstance(key, tuple) else (key,))).replace(" ", "-")
        folder.mkdir(parents=True, exist_ok=True)
        submission = folder / (autograder.name.removesuffix("-autograder.zip") + ".ipynb")
        if submission.resolve() != Path(notebook).resolve():
            submission.write_bytes(Path(notebook).read_bytes())
        folders[key] = (autograder.resolve(), submission.resolve(), folder.resolve())
    assert len({f for *_, f in folders.values()}) == len(jobs), "two jobs would share a folder"
    return in_forks(_otter_one, folders, timeout=GRADE_TIMEOUT * len(jobs), processes=_processes(),
                    what="otter runs")


def _processes() -> int:
    """How many submissions are graded at a time: the cores, at least 2, at most 4."""
    return max(2, min(4, os.cpu_count() or 2))


sys.path.insert(0, str(ROOT / "tools"))
from homework_in_process import grade_sharing  # noqa: E402
from homework_in_process import preload  # noqa: E402


def _grade_group(job: tuple[Path, dict, Path, float]) -> dict:
    return grade_sharing(*job)


def in_forks(fn, jobs: dict, timeout: float, processes: int = 2, what: str = "jobs") -> dict:
    """``{name: job}`` → ``{name: fn(job)}``, each call in a forked process of its own (a job
    cannot leave state behind for the next), ``processes`` at a time, forked after importing
    what a homework imports (``homework_in_process.preload``). ``fn`` must be a module's
    function and its results picklable; an exception it raises is raised here. Jobs not finished
    ``timeout`` seconds after the start (a process that died, say) fail the test, named (``what``
    says what they are), instead of hanging it."""
    import multiprocessing

    preload()  # the children share what grading imports instead of importing it again each
    with multiprocessing.get_context("fork").Pool(processes, maxtasksperchild=1) as pool:
        pending = {name: pool.apply_async(fn, (job,)) for name, job in jobs.items()}
        deadline = time.monotonic() + timeout
        for p in pending.values():
            p.wait(max(0.0, deadline - time.monotonic()))
        unfinished = [name for name, p in pending.items() if not p.ready()]
        if unfinished:  # not an assert, which python -O would drop: p.get() below would then hang
            raise AssertionError(f"{what} {unfinished} did not finish within {timeout:g} s")
        return {name: p.get() for name, p in pending.items()}


def grade_in_process(jobs: dict, work: Path, each: float | None = None) -> dict:
    """``{key: (autograder zip, notebook)}`` → ``{key: result}``, each graded in-process as
    ``otter run`` would (see ``tools/homework_in_process.grade``), in a forked process of its
    own (a submission can change the modules it imports). The submissions of one autograder are
    graded together by ``homework_in_process.grade_sharing``: the cells two or more of them
    begin with run once, and each submission is forked where it departs from them (the bank's
    257 answers, edits of 11 solved notebooks: 64 CPU-seconds so, twice, against 81 and 97
    graded each from its first cell, alternating). As many autograders at a time as
    :func:`_processes` says (2 to 4). A submission whose grading runs past ``each`` seconds
    (``GRADE_TIMEOUT`` by default), or that ends its process in a cell no other submission
    shares, fails the test, named; one that ends it in a shared cell, or a grading not done
    ``GRADE_TIMEOUT`` seconds per submission after the start (all of them together), fails it
    naming the autograder, instead of hanging it."""
    tests, results, groups = {}, {}, {}
    for key, (autograder, notebook) in jobs.items():
        if autograder not in groups:
            folder = work / f"{len(groups)}-{autograder.stem}"
            tests[autograder], results[autograder], groups[autograder] = folder / "tests", folder / "results", {}
            tests[autograder].mkdir(parents=True)
            results[autograder].mkdir()
            with zipfile.ZipFile(autograder) as z:
                for name in z.namelist():
                    if name.startswith("tests/") and name.endswith(".py"):
                        (tests[autograder] / Path(name).name).write_bytes(z.read(name))
        groups[autograder][key] = notebook
    each = GRADE_TIMEOUT if each is None else each
    graded = in_forks(_grade_group, {a: (tests[a], group, results[a], each) for a, group in groups.items()},
                      timeout=GRADE_TIMEOUT * len(jobs), processes=_processes())
    return {key: graded[autograder][key] for key, (autograder, _) in jobs.items()}


GRADE_TIMEOUT = 120     # seconds per submission; a homework grades in 1 to 5
