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
while its :func:`key` matches (the notebook, the library, the requirements, Python's version,
what picks NumPy's and OpenBLAS's code, and the recording code, byte for byte);
otherwise ``test_reruns.py`` executes the chapter itself and writes the record (except under
``make test``, which runs the notebooks stage first and so requires its record:
``DESCEND_RERUNS=recorded``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import traceback
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECORDS = ROOT / "_build" / "reruns"
TEXT = ("text/plain", "text/html", "text/markdown", "text/latex")
WIDGET = "application/vnd.jupyter.widget-view+json"
BACKEND = "widgets"  # DESCEND_EXPLORE for the recorded execution: live sliders, as a reader runs it
KERNEL_UNDER_TEST = "DESCEND_KERNEL_UNDER_TEST"  # set by tools/test_kernels.py: no record of its runs
#: The environment variables that pick the code NumPy and OpenBLAS run, and how (the kernel, the
#: blocking, the threads), part of a record's key: those that begin so.
NUMERICS = ("OPENBLAS_", "GOTO_", "NPY_DISABLE_CPU_FEATURES", "NPY_ENABLE_CPU_FEATURES")
#: What every execution of a chapter runs with unless the environment says otherwise: the
#: Makefile and tools/execute_book.py (the build), :func:`configure` (nbval) and the site's own
#: reruns all set one OpenBLAS thread.
DEFAULTS = {"OPENBLAS_NUM_THREADS": "1"}


def numerics() -> str:
    """What picks the code NumPy and OpenBLAS run here: the variables of :data:`NUMERICS` (with
    :data:`DEFAULTS` where unset), and the instruction sets NumPy found on this processor (a
    record copied to another machine is not current there). The Makefile writes it to
    ``_build/.numerics`` for the build it makes."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__
        cpu = sorted(name for name, on in __cpu_features__.items() if on)
    except ImportError:  # another NumPy: its version, in the requirements, is keyed already
        cpu = []
    env = {**DEFAULTS, **os.environ}
    names = sorted(v for v in env if v.startswith(NUMERICS))
    return "\n".join([f"{v}={env[v]}" for v in names] + [" ".join(cpu)])


def run_as_the_build() -> None:
    """Set :data:`DEFAULTS` in this process's environment where unset, for the kernels it starts."""
    for name, value in DEFAULTS.items():
        os.environ.setdefault(name, value)


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
    fresh = []   # a scene explorer's frames drawn by a fresh scene, at each extreme
    for values in dd.widgets.extremes(ex):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig, frame = ex._fresh(values)   # ex.figure(**values), and a fresh scene's frame
            fresh.append(frame)
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
        for values, new in list(zip(dd.widgets.extremes(ex), fresh, strict=True))[::-1]:
            kept = ex.rgba(values)
            report.append({"explorer": ex.alt[:50], "values": values, "empty": 0, "warnings": [],
                           "stale": int((kept != new).any(-1).sum())})
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


def _code_hash() -> str:
    """The recording code as this process imported it: this file and the root conftest.py."""
    h = hashlib.sha256()
    for path in (Path(__file__).resolve(), ROOT / "conftest.py"):
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


_CODE = _code_hash()  # at import: a record is stamped with the code that made it, not a later edit


def key(notebook: Path) -> str:
    """What a record depends on: the notebook, every file of the library, the pinned
    requirements, Python's version, what picks NumPy's and OpenBLAS's code (:func:`numerics`),
    and the code that records and reads it (the probe here, the root
    conftest.py's hooks, as imported)."""
    h = hashlib.sha256((sys.version + _CODE + BACKEND + "\0" + numerics()).encode())
    library = ROOT / "src" / "descend"
    files = [Path(notebook).resolve(), ROOT / "requirements.txt", ROOT / "pyproject.toml"]
    for path in files + sorted(p for p in library.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
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
    path = RECORDS / f"{Path(name).stem}.json"
    part = path.with_suffix(".part")
    part.write_text(json.dumps(record), encoding="utf-8")
    os.replace(part, path)  # whole or not at all: a run stopped while writing leaves no half record
    return record


def forget(name: str) -> None:
    """Remove chapter ``name``'s record and frames (a run of it begins, or failed)."""
    (RECORDS / f"{Path(name).stem}.json").unlink(missing_ok=True)
    shutil.rmtree(RECORDS / Path(name).stem, ignore_errors=True)


def load(name: str) -> dict | None:
    """Chapter ``name``'s record if one was written for the notebook, library, requirements,
    NumPy's and OpenBLAS's code and recording code of now (:func:`key`); None otherwise."""
    path = RECORDS / f"{Path(name).stem}.json"
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if record.get("key") == key(ROOT / f"{name}.ipynb") else None


# ---------------------------------------------------------------------- nbval's side (root conftest.py)

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
recording = False  #: set by :func:`configure` when nbval runs with live sliders


def configure() -> None:
    """Before nbval starts any kernel: live sliders unless DESCEND_EXPLORE says otherwise (a run
    asked for with static explorers is not recorded, nor one of tools/test_kernels.py, which
    forces OpenBLAS and NumPy to other code than the build ran and says so in
    :data:`KERNEL_UNDER_TEST`: its outputs may differ from the build's in the last digits), and
    nbval's kernels run cells as Jupyter does (:func:`execute_as_jupyter`,
    :func:`start_with_history_in_memory`). A machine's own OPENBLAS_CORETYPE (one AMD EPYC here
    sets Haswell) does not stop the record: :func:`key` includes it (:func:`numerics`), and the
    site's test compares the record only with a build made with the same (the Makefile drops the
    execution cache when ``_build/.numerics`` changes; the test fails if it differs from now)."""
    global recording
    import nbval.kernel

    recording = (os.environ.setdefault("DESCEND_EXPLORE", BACKEND) == BACKEND  # nbval's kernels inherit it
                 and not os.environ.get(KERNEL_UNDER_TEST))
    run_as_the_build()
    nbval.kernel.RunningKernel.execute_cell_input = execute_as_jupyter
    nbval.kernel.start_new_kernel = start_with_history_in_memory(nbval.kernel.start_new_kernel)


def execute_as_jupyter(self, cell_input, allow_stdin=None):
    """nbval's ``RunningKernel.execute_cell_input`` with the history kept, as Jupyter keeps it:
    IPython reads a cell's trailing ``;`` (no result shown) from its history, so without it
    every ``ax.legend();`` would show ``<matplotlib.legend.Legend at 0x…>``, unlike a reader's run."""
    return self.kc.execute(cell_input, store_history=True, allow_stdin=allow_stdin, stop_on_error=False)


def start_with_history_in_memory(start_new_kernel):
    """nbval's kernel start, with the history kept in memory as nbclient keeps it: two kernels
    writing one history file on disk at once would contend for it."""
    def start(*args, **kwargs):
        extra = list(kwargs.pop("extra_arguments", None) or [])
        return start_new_kernel(*args, extra_arguments=extra + ["--HistoryManager.hist_file=:memory:"], **kwargs)
    return start


def _chapter(item) -> str | None:
    """The chapter an nbval cell belongs to (``notebooks/04_momentum``), or None."""
    if not recording or not hasattr(item, "cell_num") or not hasattr(item.parent, "kernel"):
        return None
    return name_of(item.parent.path)


def on_setup(item) -> None:
    """Before a chapter's first cell: no record of an earlier run survives this one, and the
    key is taken of what is about to run."""
    name = _chapter(item)
    if name is not None and getattr(item.parent, "_descend_cells", None) is None:
        forget(name)
        item.parent._descend_cells = {"failed": False, "outputs": {}, "key": key(item.parent.path)}


UNRECORDABLE = ("unhandled iopub msg",)  # nbval drops these messages (clear_output, update_display_data)


def on_report(item, call, report) -> None:
    """Keep each cell's outputs; a cell that failed, was skipped or that nbval could not read
    in full leaves the chapter unrecorded."""
    cells = getattr(item.parent, "_descend_cells", None) if _chapter(item) else None
    if cells is None:
        return
    tags = item.cell.get("metadata", {}).get("tags", [])
    if (report.failed or (report.skipped and call.when == "call") or "skip-execution" in tags
            or any(m in report.capstdout for m in UNRECORDABLE)):
        cells["failed"] = True
    if call.when == "call" and item.test_outputs is not None:
        index = next(i for i, c in enumerate(item.parent.nb.cells) if c is item.cell)
        cells["outputs"][index] = list(item.test_outputs)


def on_teardown(item, nextitem) -> None:
    """After a chapter's last cell (before nbval stops its kernel): the probe, then the record.
    It never raises: it runs before pytest's own teardown of the notebook, which an exception
    here would skip, breaking the next notebook."""
    name = _chapter(item)
    if name is None or (nextitem is not None and nextitem.parent is item.parent):
        return
    cells, kernel = getattr(item.parent, "_descend_cells", None), item.parent.kernel
    n_code = sum(1 for c in item.parent.nb.cells if c.cell_type == "code")
    if (cells is None or cells["failed"] or len(cells["outputs"]) != n_code  # a failure, or a selection (-k)
            or kernel is None or not kernel.is_alive()):
        return  # no record: the site's test finds none of this run
    try:
        stdout = run_probe(kernel, probe_code(folder(name)))
        save(name, cells["key"], cells["outputs"], stdout, by="nbval")
    except Exception:  # noqa: BLE001 - a probe that hangs, a disk that fails: no record, and a warning
        why = traceback.format_exc()
        try:
            forget(name)
            warnings.warn(f"no record of {name}: the probe or the record failed:\n{why}", stacklevel=1)
        except Exception:  # noqa: BLE001 - under -W error the warning raises; the teardown must go on
            pass


def run_probe(kernel, code: str, timeout: float = 600) -> str:
    """Execute ``code`` in nbval's kernel; return its stdout, and an error's traceback."""
    msg_id = kernel.execute_cell_input(code, allow_stdin=False)
    kernel.await_reply(msg_id, timeout=timeout)
    text = []
    while True:
        msg = kernel.get_message(stream="iopub", timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        content = msg["content"]
        if msg["msg_type"] == "status" and content["execution_state"] == "idle":
            return "".join(text)
        if msg["msg_type"] == "stream" and content["name"] == "stdout":
            text.append(content["text"])
        elif msg["msg_type"] == "error":
            text.append("\nthe probe raised:\n" + _ANSI.sub("", "\n".join(content["traceback"])) + "\n")
