"""Launch buttons come from one setting, `repository.url` in _config.yml, and are plain links."""

from __future__ import annotations

import json
import pathlib
import re
import shutil
import subprocess
import sys

import yaml

from conftest import ROOT


def build_tiny_book(tmp_path: pathlib.Path, url: str) -> str:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["repository"]["url"] = url
    (tmp_path / "_config.yml").write_text(yaml.safe_dump(config, allow_unicode=True))
    shutil.copytree(ROOT / "book", tmp_path / "book")
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n  - file: notebooks/tiny\n")
    (tmp_path / "book" / "intro.md").write_text("# Intro\n\nA page.\n")
    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# Tiny\n"]},
                    {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": ["1 + 1"]}],
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "notebooks" / "tiny.ipynb").write_text(json.dumps(nb))
    jupyter_book = pathlib.Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run([str(jupyter_book), "build", str(tmp_path), "--warningiserror", "--keep-going"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return (tmp_path / "_build" / "html" / "notebooks" / "tiny.html").read_text(encoding="utf-8")


def test_setting_the_repository_gives_plain_launch_links(tmp_path):
    page = build_tiny_book(tmp_path, "https://github.com/example/descend")
    links = set(re.findall(r'<a href="(https://[^"]+)"', page))
    assert "https://mybinder.org/v2/gh/example/descend/main?urlpath=lab/tree/notebooks/tiny.ipynb" in links
    assert "https://colab.research.google.com/github/example/descend/blob/main/notebooks/tiny.ipynb" in links
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', page)
    assert not [s for s in scripts if s.startswith(("http:", "https:", "//"))], scripts


def test_the_published_config_has_the_setting_in_one_place():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert "url" in config["repository"]
    assert config["launch_buttons"]["thebe"] is False  # Thebe would load from unpkg.com
    page = (ROOT / "_build" / "html" / "notebooks" / "01_derivatives.html")
    if not config["repository"]["url"] and page.is_file():
        assert "mybinder.org" not in page.read_text(encoding="utf-8")  # no half-configured buttons
