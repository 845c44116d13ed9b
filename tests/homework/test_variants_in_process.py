"""Every variant the seeds 0–SEEDS draw can be answered: the solutions pass every test.

``test_variants.py`` builds one variant (seed 3) and grades it (one homework's editions with
otter as well); this runs each
homework's source in-process (``tools/homework_in_process.py``: solutions, then the public and hidden tests,
with ``SEED = k``) for many seeds, so a draw that makes a correct answer fail a test is caught.
"""

from __future__ import annotations

import os
import shutil
import sys
import traceback

import pytest

from descend.variants import homework_with_variants
from homework_source import GRADE_TIMEOUT, ROOT, in_forks

sys.path.insert(0, str(ROOT / "tools"))
from homework_in_process import run, source  # noqa: E402

SEEDS = range(0, 16)


def _run_seed(job: tuple[str, int]) -> list[str]:
    try:
        return run(source(job[0]), job[1])
    except BaseException as error:  # noqa: BLE001 - reported as a string any process can read
        where = traceback.format_exc(limit=-1).strip().splitlines()
        return [f"the notebook raised {type(error).__name__}: {error} ({' '.join(where[1:2]).strip()})"[:600]]


@pytest.mark.parametrize("stem", homework_with_variants())
def test_the_solutions_pass_every_variant(stem):
    # each seed in a process of its own, so a seed's run leaves no state behind for the next; a
    # seed takes 0.2 to 3 s, all of a homework's 40 s at most under the tests' load, so a deadline
    # of two submissions' grading time fails only a seed that hangs or a process that died
    runs = in_forks(_run_seed, {seed: (stem, seed) for seed in SEEDS}, timeout=2 * GRADE_TIMEOUT,
                    what=f"{stem}: seeds")
    failed = {seed: f for seed, f in runs.items() if f}
    assert not failed, "\n".join(f"{stem} seed {seed}: {line}" for seed, lines in failed.items()
                                 for line in lines)


def _square_or_die(x: int) -> int:
    if x == 3:
        os._exit(1)  # a worker killed mid-job: its result never comes
    if x == 4:
        raise ValueError("four")
    return x * x


def test_in_forks_names_a_job_whose_process_died_and_raises_what_a_job_raised():
    assert in_forks(_square_or_die, {"a": 1, "b": 2}, timeout=30) == {"a": 1, "b": 4}
    # the dead job holds the test until the deadline, idle: keep it short (a fork and a square
    # take milliseconds)
    with pytest.raises(AssertionError, match=r"squares \['dead'\] did not finish within 2 s"):
        in_forks(_square_or_die, {"ok": 2, "dead": 3}, timeout=2, what="squares")
    with pytest.raises(ValueError, match="four"):
        in_forks(_square_or_die, {"ok": 2, "raises": 4}, timeout=30)


def test_a_wrong_solution_fails_in_process(tmp_path):
    """The runner can fail: AdaGrad without the square fails its tests, for every seed tried."""
    copy = tmp_path / "hw07_adaptive.ipynb"
    shutil.copy(source("hw07_adaptive"), copy)
    text = copy.read_text()
    assert "v = v + g * g" in text
    copy.write_text(text.replace("v = v + g * g", "v = v + g", 1))
    for seed in (0, 5):
        failures = run(copy, seed)
        assert any(line.startswith("test_q1_adagrad") for line in failures), failures


def test_building_refuses_a_variant_its_solutions_fail(tmp_path):
    """``build_homework.py --seed`` runs the in-process check first and names the failing test."""
    import subprocess
    copy = tmp_path / "hw07_adaptive.ipynb"
    shutil.copy(source("hw07_adaptive"), copy)
    copy.write_text(copy.read_text().replace("v = v + g * g", "v = v + g", 1))
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "build_homework.py"), str(copy),
                           "--seed", "5", "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert done.returncode != 0
    assert "variant 5 cannot be answered" in done.stderr and "test_q1_adagrad" in done.stderr, done.stderr
    assert not (tmp_path / "out").exists()
