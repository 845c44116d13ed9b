"""The test files of a ``--dist loadfile`` run, the longest first, by the last run's times.

``make test`` runs the notebooks and the homework stages with ``--dist loadfile``: each file
goes whole to one of two workers, in the order the files are queued, to whichever worker is
free. In collection order the longest chapter could come last and leave one worker alone
for tens of seconds (the notebooks stage: chapter 11's 35 s began after 86 of its 120 s).
The root ``conftest.py`` queues the files from the longest to the shortest as the last such
run timed them (``_build/test-times.json``; a file it did not time comes first) and records
this run's times when it ends. Only the order changes, never what runs; without a record (a
fresh clone) the order is the collection's.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

TIMES = Path(__file__).resolve().parents[1] / "_build" / "test-times.json"


KEY = "descend_longest_first"   # what the controller tells its workers, which collect with dist "no"


def on(config) -> bool:
    """Whether this run queues whole files (``--dist loadfile``): in xdist's controller, its
    option; in a worker, what the controller handed it (``pytest_configure_node``)."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        return bool(workerinput.get(KEY))
    return getattr(config.option, "dist", "no") == "loadfile"


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
    """The last times recorded, by file; none if there is no readable record."""
    try:
        times = json.loads(TIMES.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {f: float(t) for f, t in times.items()} if isinstance(times, dict) else {}


def write(spent: dict[str, float]) -> None:
    """Record ``spent`` (seconds by file) over the files' earlier times, the others kept."""
    times = read()
    times.update({f: round(t, 2) for f, t in spent.items()})
    TIMES.parent.mkdir(parents=True, exist_ok=True)
    TIMES.write_text(json.dumps(dict(sorted(times.items())), indent=1) + "\n", encoding="utf-8")
