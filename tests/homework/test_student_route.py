"""The student route shows no homework source: the ``descend`` wheel and the ``make lab`` workspace.

* ``make homework`` builds the library alone as a wheel (the ``built`` fixture runs it), which
  installs offline and imports the same library as ``src/descend``;
* ``make lab`` opens a workspace with the chapters and the student editions only, none of whose
  files holds a solution or a hidden test, and it keeps a file changed there;
* the chapters and the page for students send students to the website, with the commands and
  versions that match the build.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import nbformat
import pytest

from homework_source import HOMEWORK, ROOT, all_secrets, normalize

sys.path.insert(0, str(ROOT / "tools"))
import student_route  # noqa: E402

LIBRARY = ROOT / "src" / "descend"
MODULES = student_route.wheel_modules()     # the library without the variants' draws and checks
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def source_version() -> str:
    return re.search(r'^__version__ = "(.+)"$', (LIBRARY / "__init__.py").read_text(), re.MULTILINE).group(1)


def file_text(path: Path) -> str:
    """A file's text, normalized; of a notebook, every string in it (cells, outputs, metadata)."""
    text = path.read_text(encoding="utf-8", errors="ignore")
    if path.suffix == ".ipynb":
        text = "\n".join(student_route.notebook_strings(json.loads(text)))
    return normalize(text)

# ------------------------------------------------------------------ the wheel


@pytest.fixture(scope="module")
def wheel(built) -> Path:
    found = sorted((built / "wheel").glob("*.whl"))
    assert [p.name for p in found] == [student_route.wheel_name()], (
        f"make homework should write {student_route.wheel_name()} into wheel/, not {[p.name for p in found]}")
    return found[0]


def test_the_wheel_holds_the_library_alone(wheel):
    info = f"descend-{PROJECT['version']}.dist-info/"
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        metadata = z.read(info + "METADATA").decode()
    package = sorted(n.removeprefix("descend/") for n in names if n.startswith("descend/"))
    data = student_route.wheel_data()
    assert "_data/digits.csv.gz" in data and all((LIBRARY / name).is_file() for name in data)
    assert package == sorted(MODULES + data), f"the wheel's descend/ differs from src/descend: {package}"
    others = [n for n in names if not n.startswith(("descend/", info))]
    assert not others, f"the wheel holds more than the library: {others}"
    requires = re.findall(r"^Requires-Dist: (.+)$", metadata, re.MULTILINE)
    extras = [f'{r}; extra == "{extra}"' for extra, rs in PROJECT.get("optional-dependencies", {}).items() for r in rs]
    assert requires == PROJECT["dependencies"] + extras, f"the wheel requires {requires}, pyproject.toml says otherwise"


def test_the_wheel_installs_offline_and_imports_the_library(wheel, tmp_path):
    target = tmp_path / "site-packages"
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index",
                              "--disable-pip-version-check", "--target", str(target), str(wheel)],
                             capture_output=True, text=True)
    assert install.returncode == 0, f"pip install of the wheel failed:\n{install.stdout}\n{install.stderr}"
    probe = ("import json, pathlib, descend; "
             "print(json.dumps([descend.__version__, descend.__file__, "
             "sorted(p.relative_to(pathlib.Path(descend.__file__).parent).as_posix() "
             "for p in pathlib.Path(descend.__file__).parent.rglob('*.py'))]))")
    # PYTHONPATH comes before site-packages, where the editable src/descend sits
    env = {**os.environ, "PYTHONPATH": str(target), "MPLBACKEND": "Agg"}
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert run.returncode == 0, f"import descend from the wheel failed:\n{run.stderr}"
    version, where, modules = json.loads(run.stdout)
    assert Path(where).parent == target / "descend", f"imported {where}, not the installed wheel"
    assert version == source_version() == PROJECT["version"]
    assert modules == MODULES


def test_the_wheel_leaves_out_the_variants_draws_and_checks():
    # they compute answers (to be sure a variant can be answered), so they are for instructors
    from descend.variants import homework_with_variants
    assert "variants/__init__.py" in MODULES
    assert not [m for m in MODULES if m.startswith("variants/hw")]
    assert len(MODULES) == len(list(LIBRARY.rglob("*.py"))) - len(homework_with_variants())


def test_the_student_editions_run_with_the_wheel_alone(wheel, built, tmp_path):
    """Each edition's parameters cell and public tests carry its constants as a literal."""
    from descend.variants import homework_with_variants
    target = tmp_path / "site-packages"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
                    "--disable-pip-version-check", "--target", str(target), str(wheel)], check=True)
    probe = ["import descend as dd", "P = None"]
    for stem in homework_with_variants():
        text = (built / "student" / f"{stem}.ipynb").read_text(encoding="utf-8")
        assert "variants.constants(" not in text, f"{stem}: the student edition still draws its constants"
        nb = nbformat.read(built / "student" / f"{stem}.ipynb", as_version=4)
        cell = next(c.source for c in nb.cells if c.cell_type == "code" and "dd.variants.given(" in c.source)
        probe += [cell, f"assert vars(P) == vars(dd.variants.given({vars(dd_constants(stem))!r})), {stem!r}"]
    probe += ["try:\n    dd.variants.constants('hw07_adaptive', 0)\nexcept ValueError as e:\n"
              "    assert 'leaves them out' in str(e)\nelse:\n    raise AssertionError('draws in the wheel')"]
    env = {**os.environ, "PYTHONPATH": str(target), "MPLBACKEND": "Agg"}
    run = subprocess.run([sys.executable, "-c", "\n".join(probe)], capture_output=True, text=True, env=env,
                         cwd=tmp_path)
    assert run.returncode == 0, run.stderr


def dd_constants(stem: str):
    from descend.variants import constants
    return constants(stem, 0)


def test_the_wheel_build_skips_an_unchanged_library_and_keeps_one_wheel(tmp_path):
    (tmp_path / "descend-0.0.1-py3-none-any.whl").write_bytes(b"an old version")
    path, built = student_route.build_wheel(tmp_path)
    assert built and path.name == student_route.wheel_name()
    assert [p.name for p in tmp_path.glob("*.whl")] == [path.name], "an older wheel was left beside the new one"
    assert student_route.build_wheel(tmp_path) == (path, False), "an unchanged library was built again"


# ------------------------------------------------------------------ make lab


@pytest.fixture(scope="module")
def lab(built, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("lab")
    assert student_route.build_lab(out, built) == []
    return out


def test_the_lab_holds_the_chapters_and_the_student_editions(lab, built):
    files = sorted(str(p.relative_to(lab)) for p in lab.rglob("*") if p.is_file() and p.name != student_route.MANIFEST)
    chapters = [f"notebooks/{p.name}" for p in CHAPTERS]
    editions = [f"homework/{p.stem}.ipynb" for p in HOMEWORK]
    assert files == sorted(chapters + editions)
    for p in CHAPTERS:
        assert (lab / "notebooks" / p.name).read_bytes() == p.read_bytes(), f"{p.name} is not the current chapter"
    for p in HOMEWORK:
        assert (lab / "homework" / f"{p.stem}.ipynb").read_bytes() == (built / "student" / f"{p.stem}.ipynb").read_bytes()


def test_the_lab_shows_no_solution_or_hidden_test(lab):
    hidden = all_secrets()
    for path in lab.rglob("*"):
        if path.is_file():
            text = file_text(path)
            found = [s for s in hidden if s in text]
            assert not found, f"{path.relative_to(lab)} shows secrets of {hidden[found[0]]}: {found[:3]}"


def test_the_lab_needs_the_student_editions(tmp_path):
    with pytest.raises(SystemExit, match="make homework"):
        student_route.build_lab(tmp_path / "lab", tmp_path / "no-homework")


def test_make_lab_keeps_a_file_changed_in_the_workspace(built, tmp_path):
    homework = tmp_path / "homework"
    shutil.copytree(built / "student", homework / "student")
    out = tmp_path / "lab"
    assert student_route.build_lab(out, homework) == []
    first, second = (f"homework/{p.stem}.ipynb" for p in HOMEWORK[:2])
    (out / first).write_text((out / first).read_text() + " ", encoding="utf-8")     # a student's work
    mine = (out / first).read_bytes()
    newer = homework / "student" / Path(second).name                                 # a rebuilt edition
    newer.write_text(newer.read_text() + "\n", encoding="utf-8")
    (out / "notebooks" / CHAPTERS[0].name).unlink()

    assert student_route.build_lab(out, homework) == [first]
    assert (out / first).read_bytes() == mine, "make lab overwrote a file changed in the workspace"
    assert (out / second).read_bytes() == newer.read_bytes(), "make lab left an unchanged file out of date"
    assert (out / "notebooks" / CHAPTERS[0].name).is_file(), "make lab did not restore a deleted chapter"


def test_make_lab_builds_the_homework_and_opens_the_workspace():
    if shutil.which("make") is None:
        pytest.skip("no make")
    run = subprocess.run(["make", "-n", "lab"], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    commands = run.stdout
    assert "tools/build_homework.py" in commands, "make lab does not build the homework first"
    assert "tools/student_route.py lab" in commands and "jupyter lab _build/lab" in commands
    assert not re.search(r"jupyter lab (\S*/)?notebooks\b", commands), "make lab opens the sources"


# ------------------------------------------------------------------ what students read


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_the_chapter_sends_students_to_the_website(chapter):
    cells = [c for c in nbformat.read(chapter, as_version=4).cells if c.cell_type == "markdown"]
    section = cells[-1].source
    assert re.search(r"^## Homework\s*$", section, re.MULTILINE), f"{chapter.name}: the last markdown cell is not Homework"
    assert "](../book/homework.md)" in section, f"{chapter.name}: the Homework section does not link Doing the homework"
    assert f'href="../homework/hw{chapter.stem}.ipynb"' in section
    for route in ("make lab", "requirements.txt", "clone"):
        assert route not in section, f"{chapter.name}: the Homework section sends students to the repository ({route})"


def pins() -> dict[str, str]:
    return dict(line.split("#")[0].strip().split("==") for line in (ROOT / "requirements.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#"))


@pytest.mark.parametrize("page", ["book/homework.md", "book/instructors.md"])
def test_the_install_commands_name_what_the_build_makes(page):
    text = (ROOT / page).read_text(encoding="utf-8")
    wheels = set(re.findall(r"descend-[\w.]+-py3-none-any\.whl", text))
    assert wheels == {student_route.wheel_name()}, f"{page} names {wheels}, the build makes {student_route.wheel_name()}"
    for name in ("otter-grader", "jupyterlab"):
        stated = set(re.findall(rf"{name}==([\w.]+)", text))
        assert stated == {pins()[name]}, f"{page} installs {name} {stated}, requirements.txt pins {pins()[name]}"


def test_the_student_page_links_the_wheel_from_the_site():
    text = (ROOT / "book" / "homework.md").read_text(encoding="utf-8")
    # the page is book/homework.html on the site, the wheel homework/<wheel>
    assert f'href="../homework/{student_route.wheel_name()}"' in text
    for command in ("grader.check(", "grader.export(pdf=False", "pip install --no-index --find-links"):
        assert command in text, f"book/homework.md does not explain {command}"
