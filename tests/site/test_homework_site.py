"""The site publishes each homework's student edition, and no solution or hidden test anywhere.

Proposed for tests/site/ (runs after `make book`, on the fresh site); the same check lives in
tests/homework/test_homework.py, where it skips when no site has been built yet.
"""

from __future__ import annotations

import sys

import nbformat

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tests" / "homework"))
from homework_source import HOMEWORK, normalize, parse  # noqa: E402


def test_student_editions_are_published(site):
    for path in HOMEWORK:
        assert (site / "homework" / f"{path.stem}.ipynb").is_file(), f"the site lacks homework/{path.stem}.ipynb"


def test_no_solution_or_hidden_test_on_the_site(site):
    assert not list(site.rglob("*-autograder*")), "an autograder zip reached the site"
    sources = [parse(p) for p in HOMEWORK]
    # a line that a homework hides but the book teaches in the open (an import in another homework,
    # the momentum update in its chapter) gives nothing away: only the other fragments are secrets
    chapters = [nbformat.read(p, as_version=4) for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))]
    public = normalize("\n".join([src.public_text for src in sources]
                                  + [cell.source for nb in chapters for cell in nb.cells]))
    secrets = {}
    for src in sources:
        own = [s for s in src.secrets() if s not in public]
        assert len(own) >= len(src.questions), f"{src.path.stem}: too few secrets left to check"
        secrets.update(dict.fromkeys(own, src.path.stem))
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".ipynb", ".txt", ".js", ".json", ".md", ".py"):
            text = normalize(path.read_text(encoding="utf-8", errors="ignore"))
            found = [s for s in secrets if s in text]
            assert not found, f"{path.relative_to(site)} shows secrets of {secrets[found[0]]}: {found[:3]}"
