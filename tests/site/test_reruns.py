"""Each chapter executed once more, as the build executes it, then checked two ways.

* Determinism: every text output equals the build's (from its execution cache), and no
  output carries a memory address or a timing, which would differ from run to run.
* Every slider at every extreme: a cell appended to the run drives every explorer of the
  chapter through its start and the corners of its slider grid, as a figure and through the
  live widgets; nothing may raise or warn, and no panel may come out empty.  An explorer
  that keeps its figure and repaints only what changes must show, at each extreme, exactly
  the pixels of a figure made afresh there.  (The static
  build renders every grid value, so it covers them too; tests/site/test_pages.py checks
  the pages show no error or warning text.)
"""

from __future__ import annotations

import functools
import json
import re

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT, chapter_files

CACHE = ROOT / "_build" / ".jupyter_cache"  # where the build keeps the executed notebooks
TEXT = ("text/plain", "text/html", "text/markdown", "text/latex")
UNSTABLE = [
    (re.compile(r"\bat 0x[0-9a-fA-F]{6,}"), "a memory address"),
    (re.compile(r"\b\d+(\.\d+)?\s?(ms|µs|us|ns|seconds?|secs?)\b"), "a timing"),
]

PROBE = r'''
import json, warnings
import matplotlib.pyplot as plt
import descend as dd

report = []
for ex in dd.widgets.created():
    for values in dd.widgets.extremes(ex):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig = ex.figure(**values)
            fig.canvas.draw()
            empty = sum(1 for ax in fig.axes if ax.get_visible() and not ax.has_data())
            plt.close(fig)
        report.append({"explorer": ex.alt[:50], "values": values, "empty": empty,
                       "warnings": [str(w.message)[:200] for w in caught]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        box = ex.widget()
        for control in box.children[:-1]:
            control.value = control.max
            control.value = control.min
        report.append({"explorer": ex.alt[:50], "values": "widget", "empty": 0,
                       "warnings": [str(w.message)[:200] for w in caught]})
    if ex.scene:  # the figure kept by the widgets, moved about, against a fresh one at each extreme
        for values in dd.widgets.extremes(ex)[::-1]:
            kept, fresh = ex.rgba(values), dd._scene.Scene(ex.draw).rgba(values)
            report.append({"explorer": ex.alt[:50], "values": values, "empty": 0, "warnings": [],
                           "stale": int((kept != fresh).any(-1).sum())})
print("PROBE" + json.dumps(report))
'''


@functools.lru_cache(maxsize=None)
def rerun(name: str):
    nb = nbformat.read(ROOT / f"{name}.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    import os

    old = os.environ.get("DESCEND_EXPLORE")
    os.environ["DESCEND_EXPLORE"] = "static"  # as the book's Sphinx extension does
    try:
        NotebookClient(nb, timeout=600, resources={"metadata": {"path": str((ROOT / name).parent)}}).execute()
    finally:
        if old is None:
            os.environ.pop("DESCEND_EXPLORE")
        else:
            os.environ["DESCEND_EXPLORE"] = old
    probe = nb.cells.pop()
    return nb, probe


def text_outputs(nb) -> list[tuple[int, str]]:
    """The text of every output; a cell's stdout (and stderr) is joined into one, as the build merges it."""
    out = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for stream in ("stdout", "stderr"):
            text = "".join(o.text for o in cell.get("outputs", []) if o.output_type == "stream" and o.name == stream)
            if text:
                out.append((i, text))
        for o in cell.get("outputs", []):
            if o.output_type in ("display_data", "execute_result"):
                out += [(i, o.data[m]) for m in TEXT if m in o.data]
            elif o.output_type == "error":
                out.append((i, f"{o.ename}: {o.evalue}"))
    return out


@pytest.mark.parametrize("name", chapter_files())
def test_a_second_execution_gives_the_same_text(name, site):
    from jupyter_cache import get_cache

    source = nbformat.read(ROOT / f"{name}.ipynb", as_version=4)
    try:
        _, built = get_cache(str(CACHE)).merge_match_into_notebook(source)
    except KeyError:
        pytest.fail(f"{name} is not in the build's execution cache: build the book first (make book)")
    fresh, _ = rerun(name)
    a, b = text_outputs(built), text_outputs(fresh)
    assert len(a) == len(b), f"{name}: {len(a)} text outputs in the build, {len(b)} now"
    for (cell_a, text_a), (cell_b, text_b) in zip(a, b):
        assert text_a == text_b, (
            f"{name}, cell {cell_a}: the output changed between executions:\n"
            f"--- build\n{text_a[:400]}\n--- now\n{text_b[:400]}")
    for cell, text in b:
        text = re.sub(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+", "", text)  # explorer frames
        for pattern, what in UNSTABLE:
            match = pattern.search(text)
            assert not match, f"{name}, cell {cell}: output contains {what} ({match.group(0)!r})"


@pytest.mark.parametrize("name", chapter_files())
def test_every_slider_at_every_extreme(name):
    _, probe = rerun(name)
    texts = [o.text for o in probe.outputs if o.output_type == "stream" and o.name == "stdout"]
    errors = [f"{o.ename}: {o.evalue}" for o in probe.outputs if o.output_type == "error"]
    assert not errors, errors
    line = next(t for t in "".join(texts).splitlines() if t.startswith("PROBE"))
    report = json.loads(line[len("PROBE"):])
    assert report, f"{name} has no explorer"
    for r in report:
        assert not r["warnings"], f"{name}: {r['explorer']} at {r['values']} warns: {r['warnings']}"
        assert r["empty"] == 0, f"{name}: {r['explorer']} at {r['values']} draws {r['empty']} empty panel(s)"
        assert r.get("stale", 0) == 0, (f"{name}: {r['explorer']} at {r['values']}: {r['stale']} pixels of the "
                                        "kept figure differ from a fresh one (an update changed something unseen)")


def test_the_probe_catches_a_warning_and_an_empty_panel(capsys):
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import descend as dd

    def draw(a):
        fig, (left, right) = plt.subplots(1, 2)
        left.plot([0, 1], [0, a])
        if a == 1.0:
            warnings.warn("overflow encountered", RuntimeWarning)
            right.set_visible(True)  # and leave the right panel empty
        else:
            right.plot([0, 1], [1, 0])
        return fig

    def scene():  # an update that changes what the kept figure never repaints: stale pixels
        fig, ax = plt.subplots()
        ax.plot([0.0, 1.0], [0.0, 1.0])

        def update(a):
            ax.patch.set_facecolor((1.0, 1.0 - a, 1.0))
        return fig, update

    dd.explore(draw, alt="probe self-test", a=(0.0, 1.0, 0.5))
    dd.explore(scene, alt="probe self-test, scene", a=(0.0, 1.0, 0.5))
    exec(PROBE, {})
    line = next(t for t in capsys.readouterr().out.splitlines() if t.startswith("PROBE"))
    mine = [r for r in json.loads(line[5:]) if r["explorer"] == "probe self-test"]
    at_max = next(r for r in mine if r["values"] == {"a": 1.0})
    assert at_max["warnings"] and at_max["empty"] == 1
    assert all(not r["warnings"] and r["empty"] == 0 for r in mine if r["values"] == {"a": 0.0})
    stale = [r["stale"] for r in json.loads(line[5:]) if r["explorer"] == "probe self-test, scene" and "stale" in r]
    assert stale and max(stale) > 0
