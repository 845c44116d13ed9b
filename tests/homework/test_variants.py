"""Per-course variants (make homework SEED=…): other constants, and tests that follow them.

Every homework with variants (a module of ``descend.variants``) is built as variant 3 next to
the published edition (the session's ``built`` fixture, variant 0). The two differ in their
constants, in the student edition and in the hidden tests; each variant's solutions get full
marks and its blank edition does not; and the published solutions, handed in for variant 3,
lose points on every question whose answer depends on the constants (the module's
``DEPENDS``), so published answers do not carry over. The editions are graded in-process
(``grade_in_process``, as test_bank.py grades); ``otter run`` grades one homework's three
editions too, and must score them alike, case by case.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from descend.variants import constants, draws, fill, homework_with_variants
from homework_source import ROOT, grade_in_process, grade_with_otter

SEED = 3
STEMS = homework_with_variants()
BUILD = ROOT / "tools" / "build_homework.py"


def source(stem: str) -> Path:
    return ROOT / "notebooks" / "homework" / f"{stem}.ipynb"


@pytest.fixture(scope="module")
def variant(tmp_path_factory) -> Path:
    """Variant SEED of every homework that has variants, built at once."""
    out = tmp_path_factory.mktemp("variant")
    run = subprocess.run([sys.executable, str(BUILD), *(str(source(s)) for s in STEMS), "--seed", str(SEED),
                          "--out", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    return out


def _jobs(built, variant, stems) -> dict[tuple[str, str], tuple[Path, Path]]:
    """Variant SEED's autograder with each edition it must grade: its solutions, its blank
    edition, and the published solutions (variant 0's)."""
    jobs = {}
    for stem in stems:
        theirs = variant / "autograder" / f"{stem}-autograder.zip"
        for kind, notebook in (("solutions", variant / "solutions" / f"{stem}.ipynb"),
                               ("blank", variant / "student" / f"{stem}.ipynb"),
                               ("published solutions", built / "solutions" / f"{stem}.ipynb")):
            jobs[stem, kind] = (theirs, notebook)
    return jobs


@pytest.fixture(scope="module")
def scores(built, variant, tmp_path_factory) -> dict[tuple[str, str], dict]:
    """Every edition graded in-process, as ``otter run`` grades (``grade_in_process``; the next
    fixture checks that on one homework)."""
    return grade_in_process(_jobs(built, variant, STEMS), tmp_path_factory.mktemp("variant-grades"))


#: The homework whose three editions ``otter run`` also grades: not the first homework, whose
#: published editions test_homework.py already grades with otter, but one of ten questions.
#: (The other variants' autograders come from the same build and are graded in-process only.)
BY_OTTER = "hw05_stochastic" if "hw05_stochastic" in STEMS else STEMS[-1]


@pytest.fixture(scope="module")
def by_otter(built, variant, tmp_path_factory) -> dict[tuple[str, str], dict]:
    return grade_with_otter(_jobs(built, variant, [BY_OTTER]), tmp_path_factory.mktemp("variant-otter"))


def test_otter_run_grades_a_variant_as_the_in_process_grader(scores, by_otter):
    from test_bank import same_grades

    assert len(by_otter) == 3
    differ = [key for key, result in by_otter.items() if not same_grades(result, scores[key])]
    assert not differ, f"otter run grades these otherwise than the in-process grader: {differ}"


def text(nb_path: Path) -> str:
    return "\n".join(c.source for c in nbformat.read(nb_path, as_version=4).cells)


PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


@pytest.mark.parametrize("stem", STEMS)
def test_the_variant_has_other_constants_everywhere(built, variant, stem):
    ours, theirs = text(built / "student" / f"{stem}.ipynb"), text(variant / "student" / f"{stem}.ipynb")
    assert "SEED = 0" in ours and f"SEED = {SEED}" in theirs and "SEED = 0" not in theirs
    assert "{{" not in ours and "{{" not in theirs, "a placeholder was left in the Markdown"
    P0, P = constants(stem, 0), constants(stem, SEED)
    assert vars(P0) != vars(P)
    names = set(PLACEHOLDER.findall(text(source(stem))))
    assert names, f"{stem}: its questions show none of their constants ({{{{ name }}}} placeholders)"
    for name in names:
        shown = fill(f"{{{{ {name} }}}}", P)
        assert shown in theirs, f"variant {SEED}'s {name} = {shown} is not in its student edition"
    with zipfile.ZipFile(variant / "autograder" / f"{stem}-autograder.zip") as z:
        tests = "\n".join(z.read(n).decode() for n in z.namelist() if n.startswith("tests/"))
    assert f"SEED = {SEED}" in tests and "SEED = 0" not in tests, "the hidden tests are not the variant's"


@pytest.mark.parametrize("stem", STEMS)
def test_each_variant_passes_its_solutions_and_fails_blank(scores, stem):
    solved, blank = scores[stem, "solutions"], scores[stem, "blank"]
    assert solved["total"] == solved["possible"] > 0, solved
    assert blank["total"] < blank["possible"]


@pytest.mark.parametrize("stem", STEMS)
def test_published_answers_do_not_carry_over(scores, stem):
    published = scores[stem, "published solutions"]
    assert published["total"] < published["possible"]
    for q in draws(stem).DEPENDS:   # the questions whose answers depend on the constants
        assert published["questions"][q]["score"] < published["questions"][q]["possible"], q


def test_a_seed_needs_a_homework_with_variants(tmp_path):
    # a homework without a `SEED = 0` line: one of ours with its parameters taken out
    nb = nbformat.read(source(STEMS[0]), as_version=4)
    for cell in nb.cells:
        cell.source = cell.source.replace("SEED = 0", "SEED_ = 0")
    without = tmp_path / "src" / f"{STEMS[0]}.ipynb"
    without.parent.mkdir()
    nbformat.write(nb, without)
    run = subprocess.run([sys.executable, str(BUILD), str(without), "--seed", "2", "--out", str(tmp_path / "out")],
                         capture_output=True, text=True)
    assert run.returncode != 0 and "has no variants yet" in run.stderr + run.stdout
    run = subprocess.run([sys.executable, str(BUILD), str(source(STEMS[0])), "--seed", "-4", "--out", str(tmp_path)],
                         capture_output=True, text=True)
    assert run.returncode != 0 and "--seed must be a whole number" in run.stderr + run.stdout
