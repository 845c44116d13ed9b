"""A notebook cell that raises must fail the book build (plain jupyter-book exits 0 otherwise)."""

from __future__ import annotations

import json
import pathlib
import shutil
import subprocess
import sys

from conftest import ROOT


def test_failing_cell_fails_the_build(tmp_path):
    shutil.copy(ROOT / "_config.yml", tmp_path)
    shutil.copytree(ROOT / "book", tmp_path / "book")
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n  - file: notebooks/broken\n")
    (tmp_path / "book" / "intro.md").write_text("# Intro\n\nA page.\n")
    nb = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Broken\n"]},
            {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
             "source": ["1 / 0"]},
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    (tmp_path / "notebooks" / "broken.ipynb").write_text(json.dumps(nb))
    jupyter_book = pathlib.Path(sys.executable).parent / "jupyter-book"  # the one beside this Python
    result = subprocess.run([str(jupyter_book), "build", str(tmp_path), "--warningiserror", "--keep-going"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode != 0, "the build passed although a cell raised"
    assert "ZeroDivisionError" in result.stdout + result.stderr
