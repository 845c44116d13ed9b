"""Shared by every test and doctest, and the notebooks stage's record of each chapter.

* Tests and doctests that draw leave figures open; past twenty, pyplot warns, and the suite
  turns that warning into an error. Closing them after each test keeps each independent of
  the ones before.
* When nbval executes a chapter (``make test-notebooks``), its kernel runs the chapter as a
  reader does (live sliders, IPython's history kept as Jupyter keeps it), and after the last
  cell has passed, the probe of ``tests/rerun_record.py`` runs in the same kernel and the
  chapter's outputs are recorded for ``tests/site/test_reruns.py``, which compares them with
  the build's: the second execution it needs is this one, not a third.
"""

import os
import re
import traceback
import warnings

import pytest


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def _nbval_on(config) -> bool:
    return bool(getattr(config.option, "nbval", False) or getattr(config.option, "nbval_lax", False))


_RECORDING = False  # set when nbval runs with the sliders live (DESCEND_EXPLORE unset or "widgets")


def pytest_configure(config):
    global _RECORDING
    if not _nbval_on(config):
        return
    import nbval.kernel

    from tests.rerun_record import BACKEND

    # a reader's run has live sliders; one asked for otherwise (DESCEND_EXPLORE=static) is not recorded
    _RECORDING = os.environ.setdefault("DESCEND_EXPLORE", BACKEND) == BACKEND  # nbval's kernels inherit it
    nbval.kernel.RunningKernel.execute_cell_input = _execute_as_jupyter
    nbval.kernel.start_new_kernel = _start_with_history_in_memory(nbval.kernel.start_new_kernel)


def _execute_as_jupyter(self, cell_input, allow_stdin=None):
    """nbval's ``RunningKernel.execute_cell_input`` with the history kept, as Jupyter keeps it:
    IPython reads a cell's trailing ``;`` (no result shown) from its history, so without it
    every ``ax.legend();`` would show ``<matplotlib.legend.Legend at 0x…>``, unlike a reader's run."""
    return self.kc.execute(cell_input, store_history=True, allow_stdin=allow_stdin, stop_on_error=False)


def _start_with_history_in_memory(start_new_kernel):
    """nbval's kernels keep their history in memory, as nbclient's do: two kernels writing one
    history file on disk at once would contend for it."""
    def start(*args, **kwargs):
        extra = list(kwargs.pop("extra_arguments", []) or [])
        return start_new_kernel(*args, extra_arguments=extra + ["--HistoryManager.hist_file=:memory:"], **kwargs)
    return start


def _chapter(item):
    """The chapter an nbval cell belongs to (``notebooks/04_momentum``), or None."""
    if not _RECORDING or not hasattr(item, "cell_num") or not hasattr(item.parent, "kernel"):
        return None
    from tests.rerun_record import name_of

    return name_of(item.parent.path)


def pytest_runtest_setup(item):
    name = _chapter(item)
    if name is not None and item.parent.__dict__.get("_descend_cells") is None:
        from tests import rerun_record

        # before the first cell: no record of an earlier run survives this one, whatever happens
        rerun_record.forget(name)
        item.parent._descend_cells = {"failed": False, "outputs": {}, "key": rerun_record.key(item.parent.path)}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    cells = item.parent.__dict__.get("_descend_cells") if _chapter(item) else None
    if cells is None:
        return
    report = outcome.get_result()
    if report.failed or (report.skipped and call.when == "call"):
        cells["failed"] = True
    if call.when == "call" and item.test_outputs is not None:
        index = next(i for i, c in enumerate(item.parent.nb.cells) if c is item.cell)
        cells["outputs"][index] = list(item.test_outputs)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item, nextitem):
    """After a chapter's last cell (before nbval stops its kernel): the probe, then the record.
    Nothing here may raise: this hook runs before pytest's own teardown of the notebook."""
    name = _chapter(item)
    if name is None or (nextitem is not None and nextitem.parent is item.parent):
        return
    from tests import rerun_record

    cells, kernel = item.parent.__dict__.get("_descend_cells"), item.parent.kernel
    n_code = sum(1 for c in item.parent.nb.cells if c.cell_type == "code")
    if (cells is None or cells["failed"] or len(cells["outputs"]) != n_code  # a failure, or a selection (-k)
            or kernel is None or not kernel.is_alive()):
        return  # no record: nbval reports the failure, and test_reruns.py finds no record of this run
    try:
        stdout = _run_probe(kernel, rerun_record.probe_code(rerun_record.folder(name)))
        rerun_record.save(name, cells["key"], cells["outputs"], stdout, by="nbval")
    except Exception:  # noqa: BLE001 - a probe that hangs or a disk that fails: no record, said so
        rerun_record.forget(name)
        warnings.warn(f"no record of {name}: the probe or the record failed:\n{traceback.format_exc()}", stacklevel=1)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _run_probe(kernel, code: str, timeout: float = 600) -> str:
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
