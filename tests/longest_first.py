"""The test files of a ``--dist loadfile`` run, the longest first, by the last run's times.

``make test`` runs the notebooks and the homework stages with ``--dist loadfile``: each file
goes whole to one of two workers, the next file in the queue to a worker that is nearly done
with its own. In collection order the longest chapters came last and could leave one worker
alone at the end: in one notebooks stage of stop 46 (AMD EPYC, 2 cores, nothing else running),
chapter 11 began 86 s into the stage and ran alone for its last 20 of 120 s. The root
``conftest.py`` queues the files from the longest to the shortest as the last such run timed
them (``_build/test-times.json``; a file it did not time comes first), and records this run's
times when it ends. xdist's controller reads the record once and hands the times to its
workers, which must collect the same order. Only the order changes, never what runs; without
a record (a fresh clone) the order is the collection's. A record that cannot be read or
written is warned about and otherwise ignored.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from pathlib import Path

import pytest

#: the record; DESCEND_TEST_TIMES names another file (the tests of this module do)
TIMES = Path(os.environ.get("DESCEND_TEST_TIMES") or Path(__file__).resolve().parents[1] / "_build" / "test-times.json")
_STASH = pytest.StashKey[dict]()   # the controller's one reading of the record
KEY = "descend_longest_first"   # the times the controller hands its workers (they collect with dist "no")


def on(config) -> bool:
    """Whether this run queues whole files to workers (``-n N --dist loadfile``, N ≥ 1): in
    xdist's controller, its options; in a worker, whether the controller handed it times
    (``pytest_configure_node``)."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        return KEY in workerinput
    return getattr(config.option, "dist", "no") == "loadfile" and bool(getattr(config.option, "numprocesses", None))


def times_for(config) -> dict[str, float]:
    """The times to order by: in the controller, the record, read once a run (kept in the
    config's stash); in a worker, the controller's reading, handed over."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        return dict(workerinput[KEY])
    if _STASH not in config.stash:
        config.stash[_STASH] = read()
    return config.stash[_STASH]


def file_of(nodeid: str) -> str:
    """``notebooks/04_momentum.ipynb::Cell 3`` → ``notebooks/04_momentum.ipynb``."""
    return nodeid.split("::", 1)[0]


def ordered(nodeids: list[str], times: dict[str, float]) -> list[int]:
    """The positions of ``nodeids``, their files the longest first by ``times`` (one not timed
    first of all), each file's own order and the collection's order of equal files kept.

    >>> ordered(["a.py::x", "b.py::y", "b.py::z", "c.py::w"], {"a.py": 1.0, "b.py": 5.0})
    [3, 1, 2, 0]
    """
    first = {}
    for k, nodeid in enumerate(nodeids):
        first.setdefault(file_of(nodeid), k)
    return sorted(range(len(nodeids)), key=lambda k: (-times.get(file_of(nodeids[k]), math.inf),
                                                       first[file_of(nodeids[k])], k))


def read() -> dict[str, float]:
    """The last times recorded, by file: none if there is no record, and a warning if it
    cannot be read or is not a mapping of files to seconds."""
    try:
        times = json.loads(TIMES.read_text(encoding="utf-8"))
        if not isinstance(times, dict):
            raise ValueError("not a mapping")
        return {str(f): float(t) for f, t in times.items()}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, TypeError) as error:
        warnings.warn(f"{TIMES} ignored ({error}): the files are queued in collection order", stacklevel=1)
        return {}


def write(spent: dict[str, float]) -> None:
    """Record ``spent`` (seconds by file) over the files' earlier times, the others kept, in one
    replacement of the file (a run reading it meanwhile sees the old record or the new one)."""
    times = read()
    times.update({f: round(t, 2) for f, t in spent.items()})
    try:
        TIMES.parent.mkdir(parents=True, exist_ok=True)
        partial = TIMES.with_name(f"{TIMES.name}.{os.getpid()}")
        partial.write_text(json.dumps(dict(sorted(times.items())), indent=1) + "\n", encoding="utf-8")
        os.replace(partial, TIMES)
    except OSError as error:
        warnings.warn(f"the test times were not recorded in {TIMES}: {error}", stacklevel=1)
