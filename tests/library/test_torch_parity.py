"""Agreement with torch.optim, through golden trajectories kept in fixtures/.

The fixture was written by fixtures/make_torch_fixtures.py with PyTorch in float64; these
tests need only NumPy.
"""

import json
import pathlib

import numpy as np
import pytest

import descend as dd

FIXTURE = json.loads((pathlib.Path(__file__).parent / "fixtures" / "torch_trajectories.json").read_text())


def test_fixture_is_long_enough():
    assert FIXTURE["steps"] >= 50
    assert set(FIXTURE["cases"]) == {"sgd", "sgd_momentum", "sgd_nesterov", "adagrad", "rmsprop", "adam"}


@pytest.mark.parametrize("name", sorted(FIXTURE["cases"]))
def test_matches_torch(name):
    case = FIXTURE["cases"][name]
    problem = dd.quadratic(FIXTURE["A"], b=FIXTURE["b"])
    opt = getattr(dd, case["descend"])(**case["kwargs"])
    trace = dd.run(opt, problem, x0=FIXTURE["x0"], steps=FIXTURE["steps"])
    expected = np.array(case["xs"])
    assert trace.xs.shape == expected.shape
    # relative to the size of the iterates, so coordinates that pass through 0 do not blow it up
    scale = np.abs(expected).max(axis=1, keepdims=True)
    assert np.max(np.abs(trace.xs - expected) / scale) < 1e-10
    # and the trajectory really moves: the test would catch an optimizer that did nothing
    assert np.linalg.norm(expected[-1] - expected[0]) > 0.1
