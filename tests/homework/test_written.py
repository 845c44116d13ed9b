"""The written answers: their export for grading by hand (tools/written.py) and their rubrics.

1. ``make written`` writes one file per readable submission holding that student's written
   answers and no one else's, "(no answer)" for a blank one, a summary row for every file of
   the folder (a broken notebook, a zip without a notebook and another homework included),
   and pages that load nothing from another host  -> test_export_*
2. every written question of every homework has a rubric whose points add up to the
   question's, and no rubric reaches the student edition  -> test_*rubric*
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml

from homework_source import HOMEWORK, ROOT, parse

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

TOOL = ROOT / "tools" / "written.py"
STEMS = [p.stem for p in HOMEWORK]
HW = STEMS[0]                                   # the export is checked in full on one homework
BOB = f"bob/{HW}_2026_03_02T10_15_00_000000.zip"   # grader.export's name, in the student's subfolder
BOUNDARY = re.compile(r"#\s+(begin|end)\s+(question|prompt|solution|tests)\b", re.IGNORECASE)
RUBRIC_HEAD = re.compile(r"^\*\*Rubric \((\d+(?:\.\d+)?) points?\)\.\*\*$", re.MULTILINE)
CRITERION = re.compile(r"^- (\d+(?:\.\d+)?) pts?: \S", re.MULTILINE)
# an attribute whose value makes a browser fetch or open another host
OFFSITE = re.compile(r"""\s(?:src|href|srcset|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//""",
                     re.IGNORECASE)


# a 1×1 PNG, as Jupyter stores a pasted image (base64)
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="


def run_tool(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(TOOL), *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=ROOT)


def answer_cells(nb) -> list:
    """The written questions' answer cells of a student edition, in order (otter tags them)."""
    return [c for c in nb.cells
            if c.cell_type == "markdown" and "otter_answer_cell" in c.metadata.get("tags", [])]


def fill(student: Path, target: Path, texts: dict[int, str],
         code: tuple[int, str, str] | None = None) -> None:
    """The student edition with written answer number i replaced by texts[i]; ``code`` adds a code
    cell (with its printed output) after answer number code[0]."""
    nb = nbformat.read(student, as_version=4)
    cells = answer_cells(nb)
    for i, text in texts.items():
        cells[i].source = text
    if code:
        index, source, output = code
        cell = nbformat.v4.new_code_cell(source)
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=output + "\n")]
        nb.cells.insert(nb.cells.index(cells[index]) + 1, cell)
    nbformat.write(nb, target)


def export_zip(notebook: Path, target: Path) -> None:
    """A submission zip made by otter's own ``grader.export`` (what students upload)."""
    work = target.parent / "export-work"
    work.mkdir()
    shutil.copy(notebook, work / f"{HW}.ipynb")
    run = subprocess.run([sys.executable, "-c",
                          "import otter; g = otter.Notebook(%r); "
                          "g.export(%r, export_path='export.zip', pdf=False, run_tests=False, "
                          "display_link=False)"
                          % (f"{HW}.ipynb", f"{HW}.ipynb")], cwd=work, capture_output=True, text=True)
    assert run.returncode == 0, f"grader.export failed:\n{run.stdout}\n{run.stderr}"
    shutil.move(work / "export.zip", target)
    shutil.rmtree(work)


@pytest.fixture(scope="module")
def exported(built, tmp_path_factory):
    """A folder of submissions of every kind, exported with the command that `make written` runs."""
    folder = tmp_path_factory.mktemp("submissions")
    student = built / "student" / f"{HW}.ipynb"
    n = len(answer_cells(nbformat.read(student, as_version=4)))
    assert n >= 2, f"{HW} needs at least two written questions for this test"
    shutil.copy(built / "solutions" / f"{HW}.ipynb", folder / "key.ipynb")
    shutil.copy(student, folder / "blank.ipynb")
    # ada answers every question, in Markdown with mathematics, links and HTML that must not load
    # anything, and adds a code cell with its output to the first question
    fill(student, folder / "ada.ipynb",
         {i: f"ADA-ANSWER-{i} with $x_i^2 < \\nabla L$ and ![a plot](https://example.com/plot.png) "
             f"[see](http://example.com/page) <script src='https://example.com/x.js'></script> "
             f"<img src=\"//example.com/pixel.gif\" onerror=\"alert(1)\">" for i in range(n)},
         code=(0, "print('ADA-CODE')", "ADA-OUTPUT"))
    # and pastes a photo of a derivation into her last answer (Jupyter stores it in the cell)
    nb = nbformat.read(folder / "ada.ipynb", as_version=4)
    last = answer_cells(nb)[-1]
    last.source += "\n\n![my derivation](attachment:derivation.png)"
    last["attachments"] = {"derivation.png": {"image/png": PNG}}
    nbformat.write(nb, folder / "ada.ipynb")
    # bob answers the first question only and hands in grader.export's zip
    fill(student, folder / "bob-notebook.ipynb", {0: "BOB-ANSWER-0"})
    (folder / "bob").mkdir()                   # a subfolder per student, as make grade reads them too
    export_zip(folder / "bob-notebook.ipynb", folder / BOB)
    (folder / "bob-notebook.ipynb").unlink()
    (folder / "corrupt.ipynb").write_text('{"cells": [', encoding="utf-8")
    (folder / "truncated.zip").write_bytes(b"PK\x03\x04 not really a zip")
    with zipfile.ZipFile(folder / "nonotebook.zip", "w") as zf:
        zf.writestr("answers.txt", "no notebook here")
    other = next(s for s in STEMS if s != HW)
    shutil.copy(built / "student" / f"{other}.ipynb", folder / "eve.ipynb")
    (folder / "notes.txt").write_text("not a submission", encoding="utf-8")

    out = tmp_path_factory.mktemp("written")
    run = run_tool(HW, folder, "--out", out)
    assert run.returncode == 0, f"tools/written.py failed:\n{run.stdout}\n{run.stderr}"
    return {"folder": folder, "out": out, "stdout": run.stdout, "n": n, "other": other}


def summary(out: Path) -> dict[str, dict]:
    with open(out / "summary.csv", encoding="utf-8", newline="") as f:
        return {row["submission"]: row for row in csv.DictReader(f)}


def test_export_writes_one_file_per_readable_submission(exported):
    out = exported["out"]
    pages = sorted(p.name for p in out.glob("*.html") if p.name != "index.html")
    assert pages == ["ada.html", "blank.html", "bob.html", "key.html"]


def test_export_holds_each_students_answers_and_no_one_elses(exported):
    out, n = exported["out"], exported["n"]
    pages = {p.stem: p.read_text(encoding="utf-8") for p in out.glob("*.html") if p.name != "index.html"}
    for i in range(n):
        assert f"ADA-ANSWER-{i}" in pages["ada"]
    assert "ADA-CODE" in pages["ada"] and "ADA-OUTPUT" in pages["ada"], "a code answer shows with its output"
    assert "BOB-ANSWER-0" in pages["bob"]
    for name, page in pages.items():
        if name != "ada":
            assert "ADA-" not in page, f"{name}.html shows ada's answers"
        if name != "bob":
            assert "BOB-" not in page, f"{name}.html shows bob's answers"
    assert pages["blank"].count("(no answer)") == n
    assert pages["bob"].count("(no answer)") == n - 1
    assert pages["ada"].count("(no answer)") == 0
    assert pages["key"].count("(no answer)") == 0, "the solved notebook shows the model answers"
    assert "Rubric" in pages["key"] and "Rubric" not in pages["blank"]
    # every written question's prompt is there, with its points
    for question in parse(ROOT / "notebooks" / "homework" / f"{HW}.ipynb").written_questions:
        assert f"{question.name} · {question.points:g} point" in pages["blank"]
    assert "$x_i^2 &lt; \\nabla L$" in pages["ada"], "mathematics stays as legible TeX"
    assert f'src="data:image/png;base64,{PNG}"' in pages["ada"], "a pasted image is embedded in the page"


def test_export_summary_lists_every_file_with_its_reason(exported):
    rows = summary(exported["out"])
    files = sorted(p.relative_to(exported["folder"]).as_posix() for p in exported["folder"].rglob("*")
                   if p.is_file())
    assert sorted(rows) == files, "every file of the folder (and of its subfolders) has a row"
    n = exported["n"]
    expected = {"key.ipynb": ("key", str(n)), "blank.ipynb": ("blank", "0"), "ada.ipynb": ("ada", str(n)),
                BOB: ("bob", "1")}
    assert {k: (rows[k]["student"], rows[k]["answered"]) for k in expected} == expected
    assert all(rows[k]["status"] == "ok" for k in expected)
    reasons = {k: rows[k]["reason"] for k in rows if rows[k]["status"] != "ok"}
    assert set(reasons) == {"corrupt.ipynb", "truncated.zip", "nonotebook.zip", "eve.ipynb", "notes.txt"}
    assert "not a readable notebook" in reasons["corrupt.ipynb"]
    assert "not a valid zip" in reasons["truncated.zip"]
    assert "exactly one notebook" in reasons["nonotebook.zip"]
    assert exported["other"] in reasons["eve.ipynb"] and HW in reasons["eve.ipynb"]
    assert "only .ipynb" in reasons["notes.txt"]
    printed = exported["stdout"]
    for name in files:
        assert name in printed, f"{name} is not in the printed summary"
    assert printed.count("NOT EXPORTED") == len(reasons)
    index = (exported["out"] / "index.html").read_text(encoding="utf-8")
    for name in files:
        assert name in index


def test_export_loads_nothing_from_another_host(exported):
    for page in exported["out"].glob("*.html"):
        text = page.read_text(encoding="utf-8")
        offsite = [m.group(0) for m in OFFSITE.finditer(text)]
        assert not offsite, f"{page.name} points to another host: {offsite}"
        assert "<script" not in text.lower() and "<link" not in text.lower(), (
            f"{page.name} loads a script or a stylesheet")
        assert not re.search(r"<[^>]*\son\w+\s*=", text, re.IGNORECASE), f"{page.name} keeps an event handler"
        assert "@import" not in text and "url(" not in text, f"{page.name}'s CSS loads something"


def test_export_default_folder_and_rerun(exported, tmp_path):
    """Without --out the files go next to the submissions; a second run drops files of the first."""
    folder = tmp_path / "class"
    folder.mkdir()
    for name in ("ada.ipynb", "blank.ipynb"):
        shutil.copy(exported["folder"] / name, folder)
    assert run_tool(HW, folder).returncode == 0
    out = tmp_path / "class-written"
    assert sorted(p.name for p in out.iterdir()) == ["ada.html", "blank.html", "index.html", "summary.csv"]
    (folder / "ada.ipynb").unlink()
    (out / "mine.txt").write_text("an instructor's file", encoding="utf-8")
    assert run_tool(HW, folder).returncode == 0
    assert sorted(p.name for p in out.iterdir()) == ["blank.html", "index.html", "mine.txt", "summary.csv"]


def test_export_rejects_bad_arguments(tmp_path):
    run = run_tool("hw99_nothing", tmp_path)
    assert run.returncode == 2 and "homework: no notebooks/homework/hw99_nothing.ipynb" in run.stderr
    assert HW in run.stderr, "the error lists the homework that exist"
    run = run_tool("", tmp_path)
    assert run.returncode == 2 and "homework: name one" in run.stderr
    run = run_tool(HW, "")
    assert run.returncode == 2 and "submissions: name the folder" in run.stderr
    run = run_tool(HW, tmp_path / "missing")
    assert run.returncode == 2 and "submissions:" in run.stderr and "is not a folder" in run.stderr
    run = run_tool(HW, tmp_path, "--pdf", env={"DESCEND_CHROMIUM": str(tmp_path / "no-chromium")})
    assert run.returncode != 0 and "--pdf needs Chromium" in run.stderr


CHROMIUM = os.environ.get("DESCEND_CHROMIUM") or shutil.which("chromium")


@pytest.mark.skipif(not CHROMIUM,
                    reason="PDF TEST SKIPPED: Debian's chromium is not installed (apt-get install chromium)")
def test_export_prints_pdfs_offline(exported, tmp_path):
    folder = tmp_path / "one"
    folder.mkdir()
    shutil.copy(exported["folder"] / "ada.ipynb", folder)
    run = run_tool(HW, folder, "--out", tmp_path / "out", "--pdf")
    assert run.returncode == 0, run.stderr
    pdf = tmp_path / "out" / "ada.pdf"
    assert pdf.read_bytes().startswith(b"%PDF"), "no PDF written"
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes()))
    assert pages >= exported["n"], f"{pages} pages for {exported['n']} questions: each should start a page"
    assert summary(tmp_path / "out")["ada.ipynb"]["pdf"] == "ada.pdf"


# ------------------------------------------------------------------------------- rubrics


def rubrics(path: Path) -> list[tuple[str, float, str]]:
    """(question, points, model-answer Markdown) for every written question of a source notebook."""
    nb = nbformat.read(path, as_version=4)
    found, blocks, question = [], [], None
    for cell in nb.cells:
        m = BOUNDARY.match(cell.source.splitlines()[0]) if cell.cell_type == "raw" and cell.source else None
        if m:
            if m.group(1).lower() == "begin":
                blocks.append(m.group(2).lower())
                if blocks[-1] == "question":
                    question = yaml.safe_load(cell.source)
            else:
                blocks.pop()
            continue
        if blocks == ["question", "solution"] and question.get("manual") and cell.cell_type == "markdown":
            found.append((str(question["name"]), float(question.get("points", 1)), cell.source))
    return found


@pytest.mark.parametrize("stem", STEMS)
def test_every_written_question_has_a_rubric_that_adds_up(stem):
    source = parse(ROOT / "notebooks" / "homework" / f"{stem}.ipynb")
    answers = rubrics(source.path)
    assert sorted(q for q, _, _ in answers) == sorted(q.name for q in source.written_questions), (
        f"{stem}: every written question needs its model answer, in Markdown, between the solution markers")
    for name, points, text in answers:
        heads = RUBRIC_HEAD.findall(text)
        where = f"{stem} {name}"
        assert len(heads) == 1, f"{where}: the model answer needs one line '**Rubric ({points:g} points).**'"
        assert float(heads[0]) == points, (
            f"{where}: the rubric says {heads[0]} points, the question {points:g}")
        criteria = [float(p) for p in CRITERION.findall(text.split("**Rubric", 1)[1])]
        assert 2 <= len(criteria) <= 3, (
            f"{stem} {name}: the rubric has {len(criteria)} criteria '- N pt: ...'; a written question asks "
            f"for two or three things, each with its criterion")
        assert sum(criteria) == points, (
            f"{where}: the rubric's criteria add up to {sum(criteria):g} points, the question has {points:g}")


def strings(node) -> str:
    """Every string in a notebook's JSON: cells, outputs and metadata alike."""
    if isinstance(node, str):
        return node
    if isinstance(node, dict):
        return "\n".join(strings(v) for v in node.values())
    if isinstance(node, list):
        return "\n".join(strings(v) for v in node)
    return ""


@pytest.mark.parametrize("stem", STEMS)
def test_no_rubric_reaches_the_student_edition(built, stem):
    student = strings(json.loads((built / "student" / f"{stem}.ipynb").read_text(encoding="utf-8")))
    solved = strings(json.loads((built / "solutions" / f"{stem}.ipynb").read_text(encoding="utf-8")))
    assert "**Rubric (" in solved, f"{stem}: the solutions edition lost its rubrics"
    assert "Rubric (" not in student, f"{stem}: a rubric reached the student edition"
    for name, _, text in rubrics(ROOT / "notebooks" / "homework" / f"{stem}.ipynb"):
        for line in text.split("**Rubric", 1)[1].splitlines():
            if CRITERION.match(line):
                criterion = line.split(": ", 1)[1]
                assert criterion in solved
                assert criterion not in student, (
                    f"{stem} {name}: a rubric line reached the student edition: {criterion}")
