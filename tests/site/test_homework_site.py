"""The site publishes each homework's student edition and the library's wheel, and no solution or
hidden test anywhere.

Proposed for tests/site/ (runs after `make book`, on the fresh site); the same check lives in
tests/homework/test_homework.py, where it skips when no site has been built yet. The last test
runs the extension's copy on a made-up build, without a site.
"""

from __future__ import annotations

import logging
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote, urlsplit


from conftest import ROOT, chapter_files

sys.path.insert(0, str(ROOT / "tests" / "homework"))
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import descend_site  # noqa: E402
from homework_source import HOMEWORK, all_secrets, normalize  # noqa: E402
from student_route import wheel_name  # noqa: E402

class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def local_targets(page: Path) -> list[Path]:
    """The files that a page's links to the same site point to."""
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    parts = [urlsplit(href) for href in parser.hrefs]
    return [(page.parent / unquote(p.path)).resolve() for p in parts if not p.scheme and not p.netloc and p.path]


def test_student_editions_are_published(site):
    for path in HOMEWORK:
        assert (site / "homework" / f"{path.stem}.ipynb").is_file(), f"the site lacks homework/{path.stem}.ipynb"


def test_no_solution_or_hidden_test_on_the_site(site):
    assert not list(site.rglob("*-autograder*")), "an autograder zip reached the site"
    hidden = all_secrets()
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".ipynb", ".txt", ".js", ".json", ".md", ".py"):
            text = normalize(path.read_text(encoding="utf-8", errors="ignore"))
            found = [s for s in hidden if s in text]
            assert not found, f"{path.relative_to(site)} shows secrets of {hidden[found[0]]}: {found[:3]}"


def test_the_wheel_is_published(site):
    wheels = sorted(p.name for p in (site / "homework").glob("*.whl"))
    assert wheels == [wheel_name()], f"the site's homework/ should hold {wheel_name()}, not {wheels}"
    with zipfile.ZipFile(site / "homework" / wheel_name()) as z:
        assert "descend/__init__.py" in z.namelist(), "the published wheel holds no descend package"


def test_the_student_page_links_the_wheel(site):
    page = site / "book" / "homework.html"
    assert page.is_file(), "no page book/homework.html (Doing the homework)"
    wheels = [t for t in local_targets(page) if t.suffix == ".whl"]
    assert wheels == [(site / "homework" / wheel_name()).resolve()], (
        f"Doing the homework should link homework/{wheel_name()}, it links {wheels}")
    assert wheels[0].is_file(), f"the page's link to {wheels[0].name} does not resolve"


def test_every_chapter_links_the_student_page(site):
    page = (site / "book" / "homework.html").resolve()
    for chapter in chapter_files():
        targets = local_targets(site / f"{chapter}.html")
        assert page in targets, f"{chapter}.html does not link book/homework.html"


def test_no_solution_or_hidden_test_in_the_wheel(site):
    # The library is public (students install it), so a line it shares with a solution, such as
    # the central difference of homework 1, gives nothing away that the library does not; the
    # wheel's modules must be the library's, and nothing in it may show any other secret.
    library = ROOT / "src"
    public = normalize("\n".join(p.read_text(encoding="utf-8") for p in (library / "descend").rglob("*.py")))
    hidden = {s: stem for s, stem in all_secrets().items() if s not in public}
    with zipfile.ZipFile(site / "homework" / wheel_name()) as z:
        for name in z.namelist():
            data = z.read(name)
            if name.startswith("descend/"):
                assert (library / name).is_file() and data == (library / name).read_bytes(), (
                    f"the wheel's {name} is not the library's src/{name}")
            text = normalize(data.decode("utf-8", errors="ignore"))
            found = [s for s in hidden if s in text]
            assert not found, f"the wheel's {name} shows secrets of {hidden[found[0]]}: {found[:3]}"


def test_the_extension_copies_the_student_editions_and_the_wheel_only(tmp_path, caplog):
    source, out = tmp_path / "book", tmp_path / "html"
    built = source / "_build" / "homework"
    files = {"notebooks/homework/hw01_demo.ipynb": "source", "_build/homework/student/hw01_demo.ipynb": "student",
             "_build/homework/solutions/hw01_demo.ipynb": "solved",
             "_build/homework/autograder/hw01_demo-autograder.zip": "hidden",
             "_build/homework/wheel/descend-9.9.9-py3-none-any.whl": "library"}
    for name, text in files.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text(text)
    app = SimpleNamespace(srcdir=str(source), outdir=str(out), builder=SimpleNamespace(format="html"))
    descend_site._copy_student_homework(app, None)
    copied = {str(p.relative_to(out)): p.read_text() for p in out.rglob("*") if p.is_file()}
    assert copied == {"homework/hw01_demo.ipynb": "student", "homework/descend-9.9.9-py3-none-any.whl": "library"}

    (built / "wheel" / "descend-9.9.9-py3-none-any.whl").unlink()
    with caplog.at_level(logging.WARNING):
        descend_site._copy_student_homework(app, None)
    assert "make homework" in caplog.text, "no warning when make homework has built no wheel"
