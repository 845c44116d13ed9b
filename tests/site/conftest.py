"""Fixtures for checks of the built website (`make book` builds it first)."""

from __future__ import annotations

import pathlib

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"


def chapter_files() -> list[str]:
    """The notebooks listed in _toc.yml, as paths without suffix (e.g. notebooks/01_derivatives)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = []
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            if chapter["file"].startswith("notebooks/"):
                files.append(chapter["file"])
    return files


@pytest.fixture(scope="session")
def site() -> pathlib.Path:
    if not (HTML / "index.html").is_file():
        pytest.fail("No built site in _build/html: run `make book` (make test does) before tests/site.")
    return HTML
