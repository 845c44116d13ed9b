"""A chapter's second execution, recorded where the notebooks stage runs it, for
``tests/site/test_reruns.py`` to compare with the build's.

``make test`` executes each chapter twice: the book's build executes it into its cache (with
static explorers), and the notebooks stage (nbval) executes it as a reader runs it (live
explorers). ``test_reruns.py`` compares the two. So that a chapter is not executed a third
time for that, the root ``conftest.py`` hooks nbval: after a chapter's last cell has passed, it
runs :data:`PROBE` in nbval's kernel and writes a record to ``_build/reruns/<chapter>.json``:
the text outputs of every cell and what the probe found, with the frames it drew again at the
start and the corners of each explorer as lossless PNG files beside it (``test_reruns.py``
encodes them as the build encoded its frames and compares the bytes). A record is used only
while its :func:`key` matches (the notebook, the library and the probe, byte for byte);
otherwise ``test_reruns.py`` executes the chapter itself and writes the record (except under
``make test``, which runs the notebooks stage first and so requires its record:
``DESCEND_RERUNS=recorded``).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECORDS = ROOT / "_build" / "reruns"
TEXT = ("text/plain", "text/html", "text/markdown", "text/latex")
WIDGET = "application/vnd.jupyter.widget-view+json"
BACKEND = "widgets"  # DESCEND_EXPLORE for the recorded execution: live sliders, as a reader runs it

# Run in the chapter's kernel after its last cell. It prints two lines: PROBE, each explorer at
# each extreme (warnings, empty panels, pixels a kept figure failed to repaint) and through its
# live widgets; FRAMES, each explorer's sliders and the frames it draws at the start and the
# corners, at the build's two densities, saved in FOLDER.
PROBE = r"""
import json, os, warnings
import matplotlib.pyplot as plt
from PIL import Image
import descend as dd
from descend import _static

FOLDER = FOLDER_PATH
report, frames, settings, seen = [], [], [], {}
for i, ex in enumerate(dd.widgets.created()):
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
    n = seen[ex.alt] = seen.get(ex.alt, -1) + 1
    grid = list(ex.grid())
    settings.append({"alt": ex.alt, "n": n, "repr": repr(ex), "start": grid.index(ex.initial),
                     "count": len(grid), "labels": [[_static._format(v) for v in s.values]
                                                    for s in ex.sliders.values()]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the report above has the warnings of each extreme
        dpi = _static.frame_dpi(ex.rgba(None).shape[1])
        for values in dd.widgets.extremes(ex):
            k, drawn = grid.index(values), {}
            for density, scale in (("1", 1), ("2", 2)):
                drawn[density] = f"{i}-{k}-{density}x.png"  # RGB, as _static._webp encodes it
                Image.fromarray(ex.rgba(values, scale * dpi)).convert("RGB").save(
                    os.path.join(FOLDER, drawn[density]), compress_level=1)
            frames.append({"alt": ex.alt, "n": n, "k": k, "values": values, **drawn})
print("PROBE" + json.dumps(report))
print("FRAMES" + json.dumps({"explorers": settings, "frames": frames}))
"""


def key(notebook: Path) -> str:
    """What a record depends on: the notebook, every file of the library, the pinned
    requirements, Python's version, and the code that records and reads it (the probe here,
    the root conftest.py's hooks)."""
    h = hashlib.sha256(sys.version.encode())
    library = ROOT / "src" / "descend"
    files = [Path(notebook).resolve(), ROOT / "requirements.txt", ROOT / "pyproject.toml", ROOT / "conftest.py",
             Path(__file__).resolve()]
    for path in files + sorted(p for p in library.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    h.update(BACKEND.encode())
    return h.hexdigest()


def name_of(notebook: Path) -> str | None:
    """``notebooks/04_momentum`` for a chapter of the book; None for any other notebook."""
    notebook = Path(notebook).resolve()
    if notebook.parent == ROOT / "notebooks" and notebook.name[:2].isdigit() and notebook.suffix == ".ipynb":
        return f"notebooks/{notebook.stem}"
    return None


def folder(name: str) -> Path:
    """An empty folder for the probe's frames of chapter ``name``."""
    path = RECORDS / Path(name).stem
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def probe_code(where: Path) -> str:
    """The probe, saving its frames in ``where``."""
    return PROBE.replace("FOLDER_PATH", repr(str(where)))


def text_only(output: dict) -> dict:
    """An output as the comparison reads it: its kind, stream text or error, and its text data
    (images dropped, the widget key kept to tell a live explorer)."""
    kept = {k: output[k] for k in ("output_type", "name", "text", "ename", "evalue") if k in output}
    if "data" in output:
        kept["data"] = {m: v for m, v in output["data"].items() if m in TEXT or m == WIDGET}
    return kept


def save(name: str, key: str, outputs: dict[int, list], probe_stdout: str, by: str) -> dict:
    """Write chapter ``name``'s record: ``key`` is :func:`key` of the notebook taken before its
    first cell ran; ``outputs`` maps each code cell's index in the notebook to its outputs;
    ``probe_stdout`` is what the probe printed (or how it failed); ``by`` says which run made it."""
    record = {"key": key, "by": by, "outputs": {str(i): [text_only(o) for o in outs] for i, outs in outputs.items()},
              "probe": probe_stdout}
    (RECORDS / f"{Path(name).stem}.json").write_text(json.dumps(record), encoding="utf-8")
    return record


def forget(name: str) -> None:
    """Remove chapter ``name``'s record and frames (a run of it begins, or failed)."""
    (RECORDS / f"{Path(name).stem}.json").unlink(missing_ok=True)
    shutil.rmtree(RECORDS / Path(name).stem, ignore_errors=True)


def load(name: str) -> dict | None:
    """Chapter ``name``'s record if one was written for the notebook, library, requirements and
    recording code of now; None otherwise."""
    path = RECORDS / f"{Path(name).stem}.json"
    if not path.is_file():
        return None
    record = json.loads(path.read_text(encoding="utf-8"))
    return record if record.get("key") == key(ROOT / f"{name}.ipynb") else None
