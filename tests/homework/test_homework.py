"""The graded homework: every notebooks/homework/hw*.ipynb, found automatically.

What the issue asks, point by point:

1. the solutions pass every test, public and hidden  -> test_solutions_pass_every_test
2. the untouched student edition scores less than full marks, and each code question has a
   test (a public one, even) that the blank answer fails  -> test_untouched_student_edition_fails
3. no solution and no hidden test appears in a student edition (nor on the website)
   -> test_no_solution_or_hidden_test_in_the_student_edition, test_the_site_publishes_no_secrets
4. an answer of the wrong type or shape, or with NaN, gets one sentence, never a traceback
   -> test_wrong_answers_get_sentences_from_otter, test_every_test_turns_bad_answers_into_sentences

Grading is otter's: each homework's solutions by ``otter run`` with the built autograder;
the untouched and wrong editions with the autograder's own test files and otter's scoring,
in-process (``grade_in_process``). ``otter run`` also grades the first homework's untouched
and wrong editions, and the in-process grader must score all it grades alike, case by case,
with the same messages (see conftest.py).
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import re
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pytest

from homework_source import HOMEWORK, ROOT, normalize, parse

# importing otter's test classes in this process trips a traitlets deprecation inside otter
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

STEMS = [p.stem for p in HOMEWORK]
SOURCES = {p.stem: p for p in HOMEWORK}


def source(stem):
    return parse(SOURCES[stem])


def notebook_text(path: Path) -> str:
    """Every string in a notebook, cells, outputs and metadata alike (public tests live there)."""
    def strings(node):
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            for value in node.values():
                yield from strings(value)
        elif isinstance(node, list):
            for value in node:
                yield from strings(value)

    return normalize("\n".join(strings(json.loads(path.read_text(encoding="utf-8")))))


def check_sentence(message: str, where: str) -> None:
    """A message a student understands: one line, no traceback, short, punctuated."""
    text = message.strip()
    assert text, f"{where}: empty message"
    assert "Traceback" not in text and "\n" not in text, f"{where}: not one sentence:\n{message}"
    assert len(text) <= 400, f"{where}: message too long ({len(text)} characters): {text}"
    assert text[-1] in ".?!)", f"{where}: message does not end a sentence: {text}"


def check_otter_message(message: str, where: str) -> None:
    """otter's report of a failed exception-based test: the test's line, then our sentence."""
    assert "Traceback" not in message, f"{where}: otter shows a traceback:\n{message}"
    last = message.strip().splitlines()[-1]
    assert last.startswith("AssertionError: "), (
        f"{where}: the test failed with something other than a descend.homework sentence:\n{message}")
    check_sentence(last.removeprefix("AssertionError: "), where)


# ------------------------------------------------------------------ the homework, as written


def test_there_is_homework():
    assert HOMEWORK, "no notebooks/homework/hw*.ipynb"


def test_every_chapter_has_its_homework():
    chapters = {p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    missing = sorted(c for c in chapters if f"hw{c}" not in SOURCES)
    orphans = sorted(s for s in SOURCES if s.removeprefix("hw") not in chapters)
    assert not missing, f"chapters without notebooks/homework/hwNN_slug.ipynb: {missing}"
    assert not orphans, f"homework without a chapter notebooks/NN_slug.ipynb: {orphans}"


@pytest.mark.parametrize("stem", STEMS)
def test_source_is_well_formed(stem):
    src = source(stem)
    config = src.config
    assert config.get("name") == stem, f"{stem}: the ASSIGNMENT CONFIG must say `name: {stem}`"
    assert config.get("tests", {}).get("ok_format") is False, (
        f"{stem}: use exception-based tests (tests: ok_format: false), whose failures show one sentence")
    assert config.get("export_cell", {}).get("pdf") is False, f"{stem}: PDFs need LaTeX; set export_cell: pdf: false"
    assert len(src.questions) >= 4, f"{stem}: at least four questions"
    assert src.code_questions and src.written_questions, f"{stem}: mix code and written questions"
    names = [q.name for q in src.questions]
    assert len(set(names)) == len(names), f"{stem}: question names repeat: {names}"
    for q in src.questions:
        assert q.points > 0, f"{stem} {q.name}: give the question points"
        if q.manual:
            assert not q.public_tests and not q.hidden_tests, f"{stem} {q.name}: a written question has no tests"
            continue
        assert q.public_tests, f"{stem} {q.name}: no public test (students check with grader.check)"
        assert q.hidden_tests, f"{stem} {q.name}: no hidden test"
        for test in q.public_tests + q.hidden_tests:
            tree = ast.parse(test)
            functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
            assert len(functions) == 1 and len(tree.body) <= 2, (
                f"{stem} {q.name}: a test cell is one function and a call to it:\n{test}")
            assert not any(isinstance(n, ast.Assert) for n in ast.walk(tree)), (
                f"{stem} {q.name}: use descend.homework's expect_* helpers, not assert:\n{test}")
            assert "descend.homework" in test, f"{stem} {q.name}: the test calls no descend.homework helper:\n{test}"
    # these tests run each solved edition's code as plain Python, without its magic and shell
    # lines (see _solution_namespace), and nbval no longer runs the sources (Makefile)
    shell = [line for cell in nbformat.read(src.path, as_version=4).cells if cell.cell_type == "code"
             for line in cell.source.splitlines() if line.lstrip().startswith(("%", "!"))]
    assert not shell, f"{stem}: no IPython magic or shell line in a homework (the tests would skip it): {shell}"


_TABLE_ROW = re.compile(r"^\|\s*([^|]+?)\s*\|\s*[^|]+?\s*\|\s*(code|written)\s*\|\s*([\d.]+)\s*\|\s*$", re.MULTILINE)


@pytest.mark.parametrize("stem", STEMS)
def test_the_table_of_points_agrees_with_the_questions(stem):
    """The homework's first cell lists the questions with their kind and points, as students see it
    before they start; it must say what the questions' configurations say."""
    src = source(stem)
    first = next(c.source for c in nbformat.read(SOURCES[stem], as_version=4).cells if c.cell_type == "markdown")
    rows = _TABLE_ROW.findall(first)
    assert len(rows) == len(src.questions), (
        f"{stem}: the table of points has {len(rows)} rows (question | topic | kind | points), "
        f"the homework {len(src.questions)} questions")
    for kind, questions in (("code", src.code_questions), ("written", src.written_questions)):
        table = sorted(float(p) for _, k, p in rows if k == kind)
        assert table == sorted(q.points for q in questions), (
            f"{stem}: the table gives the {kind} questions {table} points, their configurations "
            f"{sorted(q.points for q in questions)}")


@pytest.mark.parametrize("stem", STEMS)
def test_the_chapter_links_its_homework(stem):
    chapter = ROOT / "notebooks" / f"{stem.removeprefix('hw')}.ipynb"
    if not chapter.is_file():
        pytest.skip(f"no chapter {chapter.name} yet")
    text = "\n".join(c.source for c in nbformat.read(chapter, as_version=4).cells if c.cell_type == "markdown")
    assert re.search(r"^## Homework\s*$", text, re.MULTILINE), f"{chapter.name} has no '## Homework' section"
    assert f'href="../homework/{stem}.ipynb"' in text, f"{chapter.name} does not link ../homework/{stem}.ipynb"


# ------------------------------------------------------------------ what the build writes


@pytest.mark.parametrize("stem", STEMS)
def test_the_build_writes_a_student_edition_and_an_autograder(built, stem):
    src = source(stem)
    student, zipped = built / "student" / f"{stem}.ipynb", built / "autograder" / f"{stem}-autograder.zip"
    assert student.is_file() and zipped.is_file()

    nb = nbformat.read(student, as_version=4)
    assert nb.metadata["otter"]["assignment_name"] == stem
    sources = [c.source for c in nb.cells if c.cell_type == "code"]
    assert any("otter.Notebook(" in s for s in sources), "no otter init cell"
    for q in src.code_questions:
        assert f'grader.check("{q.name}")' in sources, f"no grader.check cell for {q.name}"
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), "the student edition has outputs"

    with zipfile.ZipFile(zipped) as z:
        names = set(z.namelist())
        assert {"run_autograder", "setup.sh", "environment.yml", "otter_config.json"} <= names
        assert {f"tests/{q.name}.py" for q in src.code_questions} <= names
        assert "files/descend/homework.py" in names and "files/descend/__init__.py" in names
        environment = z.read("environment.yml").decode()
        config = json.loads(z.read("otter_config.json"))
    assert config["assignment_name"] == stem and not config.get("pdf")
    pins = dict(line.split("==") for line in (ROOT / "requirements.txt").read_text().splitlines() if "==" in line)
    for name in ("numpy", "matplotlib", "ipywidgets", "otter-grader"):
        assert f"{name}=={pins[name]}" in environment or f"{name}[grading,plugins]=={pins[name]}" in environment, (
            f"the autograder's environment.yml does not pin {name}=={pins[name]}")


# ------------------------------------------------------------------ 1. solutions pass


@pytest.mark.parametrize("stem", STEMS)
def test_solutions_pass_every_test(graded_by_otter, stem):
    src, result = source(stem), graded_by_otter[stem, "solutions"]   # by the real autograder
    assert result["error"] is None, result["error"]
    for q in src.code_questions:
        cases = result["questions"][q.name]["cases"]
        assert len(cases) == len(q.public_tests) + len(q.hidden_tests), f"{q.name}: not every test ran"
        assert sum(c["hidden"] for c in cases) == len(q.hidden_tests), f"{q.name}: the hidden tests did not run"
        failed = [c["message"] for c in cases if not c["passed"]]
        assert not failed, f"the solution of {q.name} fails:\n" + "\n".join(failed)
    assert result["total"] == result["possible"] == sum(q.points for q in src.code_questions)


# ------------------------------------------------------------------ 2. the blank edition fails


@pytest.mark.parametrize("stem", STEMS)
def test_untouched_student_edition_fails(graded, stem):
    src, result = source(stem), graded[stem, "student"]
    assert result["total"] < result["possible"], f"the untouched {stem} gets full marks"
    for q in src.code_questions:
        cases = result["questions"][q.name]["cases"]
        assert any(not c["passed"] for c in cases), f"{q.name}: the blank answer passes every test"
        assert any(not c["passed"] and not c["hidden"] for c in cases), (
            f"{q.name}: the blank answer passes every public test, so grader.check does not flag it")
        assert result["questions"][q.name]["score"] < q.points
        for c in cases:
            if not c["passed"]:
                check_otter_message(c["message"], f"{stem} {q.name} (blank answer)")


# ------------------------------------------------------------------ 3. nothing hidden leaks


@pytest.mark.parametrize("stem", STEMS)
def test_no_solution_or_hidden_test_in_the_student_edition(built, stem):
    src = source(stem)
    secrets = src.secrets()
    assert len(secrets) >= len(src.questions), f"{stem}: found too few solution fragments to check"
    student = notebook_text(built / "student" / f"{stem}.ipynb")
    leaked = [s for s in secrets if s in student]
    assert not leaked, f"{stem}: the student edition shows solutions or hidden tests:\n" + "\n".join(leaked)

    # the check is not vacuous: the solved notebook and the autograder hold what was searched for
    solved = notebook_text(built / "solutions" / f"{stem}.ipynb")
    with zipfile.ZipFile(built / "autograder" / f"{stem}-autograder.zip") as z:
        tests = normalize("\n".join(z.read(n).decode() for n in z.namelist() if n.startswith("tests/")))
    for s in secrets:
        assert s in solved or s in tests, f"{stem}: {s!r} is neither in the solved notebook nor in the autograder tests"

    # the public tests in the metadata are exactly the public ones
    stored = nbformat.read(built / "student" / f"{stem}.ipynb", as_version=4).metadata["otter"]["tests"]
    for q in src.code_questions:
        assert "hidden=True" not in stored[q.name]
        assert stored[q.name].count("@test_case(") == len(q.public_tests), q.name


# ------------------------------------------------------------------ 4. wrong answers, sentences


@pytest.mark.parametrize("stem", STEMS)
def test_wrong_answers_get_sentences_from_otter(graded, stem):
    src, result = source(stem), graded[stem, "wrong"]
    assert result["error"] is None, result["error"]
    for q in src.code_questions:
        cases = result["questions"][q.name]["cases"]
        assert any(not c["passed"] for c in cases), f"{q.name}: a wrong answer passes every test"
        for c in cases:
            if not c["passed"]:
                check_otter_message(c["message"], f"{stem} {q.name} (wrong answers)")


def test_the_in_process_grader_grades_as_otter_run(graded, graded_by_otter):
    """The in-process grader (``grade_in_process``: tools/homework_in_process.grade's way, the
    cells submissions share run once), which the other tests use, against ``otter run``: every
    homework's solutions and the first homework's untouched and wrong editions, question by
    question, case by case."""
    from conftest import by_otter_keys
    from test_bank import same_grades

    assert sorted(graded_by_otter) == sorted(by_otter_keys()) and len(graded_by_otter) == len(STEMS) + 2
    differ = [key for key in graded_by_otter if not same_grades(graded[key], graded_by_otter[key])]
    assert not differ, f"graded otherwise in-process: {differ}"


def _bad_answers(good):
    """Wrong answers of the kinds students give, shaped after the right answer ``good``."""
    if callable(good):
        def returning(value):
            return lambda *args, **kwargs: value

        def raising(*args, **kwargs):
            raise ValueError("math domain error")

        return {"...": ..., "a string": "42", "a number": 1.0, "a function returning NaN": returning(float("nan")),
                "a function returning a string": returning("42"), "a function returning None": returning(None),
                "a function returning a 3×3 array": returning(np.zeros((3, 3))),
                "a function returning a ragged list": returning([[1.0, 2.0], [3.0]]),
                "a function that raises": raising}
    bad = {"...": ..., "None": None, "a string": "42", "a complex number": 1j, "a ragged list": [[1.0, 2.0], [3.0]]}
    try:
        right = np.asarray(good, dtype=float)
    except (TypeError, ValueError):
        return bad
    bad["NaN"] = np.full_like(right, np.nan) if right.ndim else float("nan")
    bad["infinity"] = np.full_like(right, np.inf) if right.ndim else float("inf")
    bad["the wrong shape"] = np.zeros(right.shape + (2,)) if right.ndim else np.zeros(3)
    return bad


def _solution_namespace(notebook: Path, workdir: Path) -> dict:
    """Run the solved notebook's code in this process (without otter's own cells)."""
    namespace = {"__name__": "__main__"}
    code = [line for cell in nbformat.read(notebook, as_version=4).cells if cell.cell_type == "code"
            for line in cell.source.splitlines()
            if "otter" not in line and "grader." not in line and not line.lstrip().startswith(("%", "!"))]
    with contextlib.chdir(workdir):
        exec(compile("\n".join(code), str(notebook), "exec"), namespace)
    return namespace


def _test_cases(zipped: Path) -> list[tuple[str, object]]:
    from otter.test_files import test_case

    cases = []
    with zipfile.ZipFile(zipped) as z:
        for name in sorted(n for n in z.namelist() if n.startswith("tests/") and n.endswith(".py")):
            module: dict = {}
            exec(compile(z.read(name).decode(), name, "exec"), module)
            cases += [(f"{name} {v.test_func.__name__}", v) for v in module.values() if isinstance(v, test_case)]
    return cases


@pytest.mark.parametrize("stem", STEMS)
def test_every_test_turns_bad_answers_into_sentences(built, stem, tmp_path):
    """Each test, given each kind of wrong answer for each answer it reads: an AssertionError sentence."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    namespace = _solution_namespace(built / "solutions" / f"{stem}.ipynb", tmp_path)
    cases = _test_cases(built / "autograder" / f"{stem}-autograder.zip")
    assert cases
    for label, case in cases:
        case.call_func(dict(namespace))  # the right answers pass
        parameters = [p for p in case._get_func_params() if p != "env"]
        for parameter in parameters:
            caught = 0
            for kind, bad in _bad_answers(namespace.get(parameter)).items():
                where = f"{stem} {label}, {parameter} = {kind}"
                try:
                    with np.errstate(all="ignore"):
                        case.call_func({**namespace, parameter: bad})
                except AssertionError as error:
                    check_sentence(str(error), where)
                    caught += 1
                except Exception as error:  # noqa: BLE001 - any other exception is the bug we look for
                    pytest.fail(f"{where}: {type(error).__name__} instead of a sentence: {error}")
            assert caught, f"{stem} {label}: no wrong {parameter} fails the test"
