"""Shared by every test and doctest, and the notebooks stage's record of each chapter.

* Tests and doctests that draw leave figures open; past twenty, pyplot warns, and the suite
  turns that warning into an error. Closing them after each test keeps each independent of
  the ones before.
* When nbval executes a chapter (``make test-notebooks``), its kernel runs the chapter as a
  reader does (live sliders), and after the last cell has passed, the probe of
  ``tests/rerun_record.py`` runs in the same kernel and the chapter's outputs are recorded
  for ``tests/site/test_reruns.py``, which compares them with the build's: the second
  execution it needs is this one, not a third.
"""

import os

import pytest


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def _nbval_on(config) -> bool:
    return bool(getattr(config.option, "nbval", False) or getattr(config.option, "nbval_lax", False))


def pytest_configure(config):
    if _nbval_on(config):
        from nbval.kernel import RunningKernel

        from tests.rerun_record import BACKEND

        os.environ["DESCEND_EXPLORE"] = BACKEND  # nbval's kernels inherit it
        RunningKernel.execute_cell_input = _execute_as_jupyter


def _execute_as_jupyter(self, cell_input, allow_stdin=None):
    """nbval's ``RunningKernel.execute_cell_input`` with the history kept, as Jupyter keeps it:
    IPython reads a cell's trailing ``;`` (no result shown) from its history, so without it
    every ``ax.legend();`` would show ``<matplotlib.legend.Legend at 0x…>``, unlike a reader's run."""
    return self.kc.execute(cell_input, store_history=True, allow_stdin=allow_stdin, stop_on_error=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if not hasattr(item, "cell_num") or not hasattr(item.parent, "kernel"):
        return  # not a notebook cell run by nbval
    report = outcome.get_result()
    cells = item.parent.__dict__.setdefault("_descend_cells", {"failed": False, "outputs": {}})
    if report.failed or (report.skipped and call.when == "call"):
        cells["failed"] = True
    if call.when == "call" and item.test_outputs is not None:
        index = next(i for i, c in enumerate(item.parent.nb.cells) if c is item.cell)
        cells["outputs"][index] = list(item.test_outputs)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item, nextitem):
    """After a chapter's last cell (before nbval stops its kernel): the probe, then the record."""
    if not hasattr(item, "cell_num") or not hasattr(item.parent, "kernel"):
        return
    if nextitem is not None and nextitem.parent is item.parent:
        return
    from tests import rerun_record

    name = rerun_record.name_of(item.parent.path)
    cells = item.parent.__dict__.get("_descend_cells")
    kernel = item.parent.kernel
    if name is None or cells is None or cells["failed"] or kernel is None or not kernel.is_alive():
        return  # not a chapter, or a cell failed: nbval reports it, and test_reruns executes the chapter itself
    n_code = sum(1 for c in item.parent.nb.cells if c.cell_type == "code")
    if len(cells["outputs"]) != n_code:
        return  # some cells did not run (a selection with -k): no record of a partial execution
    stdout = _run_probe(kernel, rerun_record.probe_code(rerun_record.folder(name)))
    rerun_record.save(name, item.parent.path, cells["outputs"], stdout)


def _run_probe(kernel, code: str, timeout: float = 600) -> str:
    """Execute ``code`` in nbval's kernel; return its stdout, with an error's name and message."""
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
            text.append(f"\nthe probe raised {content['ename']}: {content['evalue']}\n")
