"""tests/longest_first.py: the queue of a ``--dist loadfile`` run, the longest file first."""

import doctest
import json
import os
import subprocess
import sys
from pathlib import Path

from tests import longest_first


def test_the_doctests():
    assert doctest.testmod(longest_first).failed == 0


def test_files_go_longest_first_and_untimed_ones_before_them():
    ids = ["n/01.ipynb::Cell 0", "n/01.ipynb::Cell 1", "n/02.ipynb::Cell 0", "n/03.ipynb::Cell 0",
           "n/03.ipynb::Cell 1", "n/04.ipynb::Cell 0"]
    order = longest_first.ordered(ids, {"n/01.ipynb": 2.0, "n/02.ipynb": 9.0, "n/03.ipynb": 2.0})
    assert [ids[k] for k in order] == ["n/04.ipynb::Cell 0", "n/02.ipynb::Cell 0", "n/01.ipynb::Cell 0",
                                       "n/01.ipynb::Cell 1", "n/03.ipynb::Cell 0", "n/03.ipynb::Cell 1"]
    assert longest_first.ordered(ids, {}) == list(range(len(ids)))   # no record: the collection's order


def test_a_record_keeps_the_files_this_run_did_not_time(tmp_path, monkeypatch):
    monkeypatch.setattr(longest_first, "TIMES", tmp_path / "times.json")
    assert longest_first.read() == {}
    longest_first.write({"a.py": 1.234, "b.py": 2.0})
    longest_first.write({"b.py": 3.0})
    assert longest_first.read() == {"a.py": 1.23, "b.py": 3.0}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["times.json"]   # no partial file left


def test_only_a_loadfile_run_is_ordered():
    class Option:
        dist = "loadfile"
        numprocesses = 2

    class Config:
        option = Option()

    assert longest_first.on(Config())
    Option.dist = "worksteal"
    assert not longest_first.on(Config())
    Option.dist, Option.numprocesses = "loadfile", 0
    assert not longest_first.on(Config())                    # -n 0: no workers, nothing queued
    Config.workerinput = {longest_first.KEY: {"a.py": 2.0}}   # a worker: dist is "no" there; the controller's times
    assert longest_first.on(Config()) and longest_first.times_for(Config()) == {"a.py": 2.0}
    Config.workerinput = {}
    assert not longest_first.on(Config())


def test_a_bad_record_is_warned_about_and_ignored(tmp_path, monkeypatch):
    import pytest

    monkeypatch.setattr(longest_first, "TIMES", tmp_path / "times.json")
    for text in ("not json", json.dumps([1, 2]), json.dumps({"a.py": None}), json.dumps({"a.py": "x"})):
        (tmp_path / "times.json").write_text(text)
        with pytest.warns(UserWarning, match="collection order"):
            assert longest_first.read() == {}
    monkeypatch.setattr(longest_first, "TIMES", tmp_path / "times.json" / "in-a-file")   # cannot be written
    with pytest.warns(UserWarning) as record:
        longest_first.write({"a.py": 1.0})
    assert any("were not recorded" in str(w.message) for w in record), [str(w.message) for w in record]


ROOT = Path(__file__).resolve().parents[2]
PLANTED_CONFTEST = f"""
import importlib.util, sys
sys.path.insert(0, {str(ROOT)!r})
spec = importlib.util.spec_from_file_location("descend_root_conftest", {str(ROOT / "conftest.py")!r})
root = importlib.util.module_from_spec(spec)
spec.loader.exec_module(root)
pytest_configure_node = root.pytest_configure_node
pytest_collection_modifyitems = root.pytest_collection_modifyitems
pytest_runtest_logreport = root.pytest_runtest_logreport
pytest_sessionfinish = root.pytest_sessionfinish
"""


def _run(folder: Path, *args: str) -> subprocess.CompletedProcess:
    # only xdist among the installed plugins: nbval, playwright and the others cost seconds to load
    env = dict(os.environ, DESCEND_TEST_TIMES=str(folder / "times.json"), PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "xdist.plugin", *args],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=120)


def test_the_root_conftest_queues_a_loadfile_run_by_the_record_and_records_it(tmp_path):
    """The hooks end to end, in a run of pytest with xdist: the worker runs the files in the
    order of the record (the one it does not know first), the record gets the three files'
    times, and a run stopped at its first failure (-x) leaves the record as it was."""
    (tmp_path / "conftest.py").write_text(PLANTED_CONFTEST)
    for name in "abc":
        (tmp_path / f"test_{name}.py").write_text(
            f"def test_{name}():\n    open('ran.txt', 'a').write('{name}')\n")
    (tmp_path / "times.json").write_text(json.dumps({"test_a.py": 1.0, "test_b.py": 5.0}))
    run = _run(tmp_path, "-n", "1", "--dist", "loadfile", "--no-loadscope-reorder")
    assert run.returncode == 0, run.stdout + run.stderr
    assert (tmp_path / "ran.txt").read_text() == "cba"
    recorded = json.loads((tmp_path / "times.json").read_text())
    assert sorted(recorded) == ["test_a.py", "test_b.py", "test_c.py"] and recorded["test_b.py"] < 5.0, recorded
    (tmp_path / "test_d.py").write_text("def test_d():\n    assert False\n")
    run = _run(tmp_path, "-n", "1", "--dist", "loadfile", "--no-loadscope-reorder", "-x")
    assert run.returncode != 0 and json.loads((tmp_path / "times.json").read_text()) == recorded, run.stdout
