"""Per-course variants (make homework SEED=…): other constants, and tests that follow them.

hw07 is built as variant 3 next to the published edition (the session's ``built`` fixture,
variant 0). The two differ in their constants, in the student edition and in the hidden tests;
each variant's solutions get full marks and its blank edition does not; and the published
solutions, handed in for variant 3, lose the points of every answer that depends on the
constants, so published answers do not carry over.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from homework_source import HOMEWORK, ROOT

STEM, SEED = "hw07_adaptive", 3
SOURCE = ROOT / "notebooks" / "homework" / f"{STEM}.ipynb"
BUILD = ROOT / "tools" / "build_homework.py"


@pytest.fixture(scope="module")
def variant(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("variant")
    run = subprocess.run([sys.executable, str(BUILD), str(SOURCE), "--seed", str(SEED), "--out", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    return out


def grade(autograder: Path, notebook: Path, work: Path) -> dict:
    work.mkdir(parents=True)
    submission = work / f"{STEM}.ipynb"
    submission.write_bytes(notebook.read_bytes())
    run = subprocess.run([sys.executable, str(Path(__file__).with_name("_grade.py")), str(autograder),
                          str(submission), str(work / "result.json")], capture_output=True, text=True,
                         cwd=work, env={**os.environ, "MPLBACKEND": "Agg"})
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads((work / "result.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def scores(built, variant, tmp_path_factory) -> dict[str, dict]:
    work = tmp_path_factory.mktemp("variant-grades")
    theirs = variant / "autograder" / f"{STEM}-autograder.zip"
    jobs = {"solutions": (theirs, variant / "solutions" / f"{STEM}.ipynb"),
            "blank": (theirs, variant / "student" / f"{STEM}.ipynb"),
            "published solutions": (theirs, built / "solutions" / f"{STEM}.ipynb")}
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = pool.map(lambda item: grade(*item[1], work / item[0].replace(" ", "-")), jobs.items())
    return dict(zip(jobs, results, strict=True))


def text(nb_path: Path) -> str:
    return "\n".join(c.source for c in nbformat.read(nb_path, as_version=4).cells)


def test_the_variant_has_other_constants_everywhere(built, variant):
    import descend as dd

    ours, theirs = text(built / "student" / f"{STEM}.ipynb"), text(variant / "student" / f"{STEM}.ipynb")
    assert "SEED = 0" in ours and f"SEED = {SEED}" in theirs and "SEED = 0" not in theirs
    assert "{{" not in ours and "{{" not in theirs, "a placeholder was left in the Markdown"
    P0, P = dd.variants.constants(STEM, 0), dd.variants.constants(STEM, SEED)
    for name in ("start", "eta_ada", "eta_rms", "eta_adam", "before", "level"):
        shown = dd.variants.fill(f"{{{{ {name} }}}}", P)
        assert shown in theirs, f"variant {SEED}'s {name} = {shown} is not in its student edition"
    assert vars(P0) != vars(P)
    with zipfile.ZipFile(variant / "autograder" / f"{STEM}-autograder.zip") as z:
        tests = "\n".join(z.read(n).decode() for n in z.namelist() if n.startswith("tests/"))
    assert f"SEED = {SEED}" in tests and "SEED = 0" not in tests, "the hidden tests are not the variant's"


def test_each_variant_passes_its_solutions_and_fails_blank(scores):
    assert scores["solutions"]["total"] == scores["solutions"]["possible"] > 0, scores["solutions"]
    assert scores["blank"]["total"] < scores["blank"]["possible"]


def test_published_answers_do_not_carry_over(scores):
    published = scores["published solutions"]
    assert published["total"] < published["possible"]
    for q in ("q1", "q2", "q3", "q4"):   # every question has answers that depend on the constants
        assert published["questions"][q]["score"] < published["questions"][q]["possible"], q


def test_a_seed_needs_a_homework_with_variants(tmp_path):
    without = next(p for p in HOMEWORK if p.stem != STEM)
    run = subprocess.run([sys.executable, str(BUILD), str(without), "--seed", "2", "--out", str(tmp_path)],
                         capture_output=True, text=True)
    assert run.returncode != 0 and "has no variants yet" in run.stderr + run.stdout
    run = subprocess.run([sys.executable, str(BUILD), str(SOURCE), "--seed", "-4", "--out", str(tmp_path)],
                         capture_output=True, text=True)
    assert run.returncode != 0 and "--seed must be a whole number" in run.stderr + run.stdout
