"""Shared by every test and doctest, and the notebooks stage's record of each chapter.

* Tests and doctests that draw leave figures open; past twenty, pyplot warns, and the suite
  turns that warning into an error. Closing them after each test keeps each independent of
  the ones before.
* When nbval executes a chapter (``make test-notebooks``), its kernel runs the chapter as a
  reader does (live sliders, IPython's history kept as Jupyter keeps it), and after the last
  cell has passed, the probe of ``tests/rerun_record.py`` runs in the same kernel and the
  chapter's outputs are recorded for ``tests/site/test_reruns.py``, which compares them with
  the build's: the second execution it needs is this one, not a third. The hooks below only
  hand over to ``tests/rerun_record.py``, where the logic and its tests' targets live.
* In a ``--dist loadfile`` run (the notebooks and homework stages), the files are queued the
  longest first by the last run's times, and this run's are recorded (``tests/longest_first.py``).
"""

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
        from tests import rerun_record

        rerun_record.configure()


def pytest_runtest_setup(item):
    if hasattr(item, "cell_num"):
        from tests import rerun_record

        rerun_record.on_setup(item)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if hasattr(item, "cell_num"):
        from tests import rerun_record

        rerun_record.on_report(item, call, outcome.get_result())


@pytest.hookimpl(tryfirst=True)  # before nbval's teardown of the notebook stops its kernel
def pytest_runtest_teardown(item, nextitem):
    if hasattr(item, "cell_num"):
        from tests import rerun_record

        rerun_record.on_teardown(item, nextitem)


@pytest.hookimpl(optionalhook=True)   # an xdist hook: the controller hands each worker the times
def pytest_configure_node(node):
    from tests import longest_first

    if longest_first.on(node.config):
        node.workerinput[longest_first.KEY] = longest_first.times_for(node.config)


def pytest_collection_modifyitems(config, items):
    from tests import longest_first

    if longest_first.on(config):
        order = longest_first.ordered([item.nodeid for item in items], longest_first.times_for(config))
        items[:] = [items[k] for k in order]


_SPENT: dict[str, float] = {}


def pytest_runtest_logreport(report):
    from tests import longest_first

    _SPENT[longest_first.file_of(report.nodeid)] = _SPENT.get(longest_first.file_of(report.nodeid), 0.0) + report.duration


def pytest_sessionfinish(session, exitstatus):
    from tests import longest_first

    # the controller, after a whole run (not one interrupted or stopped at a first failure)
    whole = exitstatus in (0, 1) and not session.shouldstop and not session.shouldfail
    if longest_first.on(session.config) and not hasattr(session.config, "workerinput") and _SPENT and whole:
        longest_first.write(_SPENT)
