"""tests/longest_first.py: the queue of a ``--dist loadfile`` run, the longest file first."""

import doctest
import json

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

    class Config:
        option = Option()

    assert longest_first.on(Config())
    Option.dist = "worksteal"
    assert not longest_first.on(Config())
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
