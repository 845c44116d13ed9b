"""Notebooks are committed without outputs, except the cells nbval deliberately checks, which
store the output it compares (text only)."""

import json
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").rglob("*.ipynb")) + sorted((ROOT / "book").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        checked = "nbval-check-output" in cell.get("metadata", {}).get("tags", [])
        if not checked:
            assert not cell.get("outputs"), f"{path.name}: cell {i} has outputs; clear them before committing"
        else:  # nbval compares nothing for a cell stored unexecuted: the tag would promise a check it skips
            assert cell.get("outputs") and cell.get("execution_count"), (
                f"{path.name}: cell {i} is tagged nbval-check-output but stores no executed output to compare")
        for out in cell.get("outputs", []):
            assert out.get("output_type") in ("stream", "execute_result"), f"{path.name}: cell {i} stores {out}"
            assert "image/png" not in out.get("data", {}), f"{path.name}: cell {i} stores an image"


def test_there_are_notebooks():
    assert any(p.name.startswith("01_") for p in NOTEBOOKS)
