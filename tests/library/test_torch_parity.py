"""Agreement with PyTorch, through golden trajectories kept in fixtures/.

The fixture was written by fixtures/make_torch_fixtures.py with PyTorch in float64; these
tests need only NumPy. Each case names a descend optimizer, and optionally a schedule (for
its learning rate) and a clipping function (applied to every gradient).
"""

import json
import pathlib

import numpy as np
import pytest

import descend as dd

FIXTURE = json.loads((pathlib.Path(__file__).parent / "fixtures" / "torch_trajectories.json").read_text())


def covered() -> set[str]:
    """The descend names the fixture's cases exercise."""
    names = set()
    for case in FIXTURE["cases"].values():
        names.add(case["descend"])
        names.update(case[part]["descend"] for part in ("scheduler", "clipping") if part in case)
    return names


def test_fixture_is_long_enough_and_covers_every_torch_counterpart():
    assert FIXTURE["steps"] >= 50
    with_torch = {entry.name for entry in dd.optim.CATALOGUE if entry.torch}
    missing = sorted(with_torch - covered())
    assert not missing, (f"{missing} name a PyTorch counterpart in descend.optim.CATALOGUE but have no case in "
                         "tests/library/fixtures/make_torch_fixtures.py: add one and regenerate the fixture")
    # and no case exercises a name the catalogue does not describe
    assert covered() <= {entry.name for entry in dd.optim.CATALOGUE}


def build(case):
    kwargs = dict(case["kwargs"])
    if "scheduler" in case:
        kwargs["eta"] = getattr(dd, case["scheduler"]["descend"])(**case["scheduler"]["kwargs"])
    opt = getattr(dd, case["descend"])(**kwargs)
    if "clipping" in case:
        bound = case["clipping"]["kwargs"]
        opt = dd.clipped(opt, **({"max_norm": bound["max_norm"]} if case["clipping"]["descend"] == "clip_grad_norm"
                                 else {"clip_value": bound["clip_value"]}))
    return opt


@pytest.mark.parametrize("name", sorted(FIXTURE["cases"]))
def test_matches_torch(name):
    case = FIXTURE["cases"][name]
    problem = dd.quadratic(FIXTURE["A"], b=FIXTURE["b"])
    trace = dd.run(build(case), problem, x0=FIXTURE["x0"], steps=FIXTURE["steps"])
    expected = np.array(case["xs"])
    assert trace.xs.shape == expected.shape
    # relative to the size of the iterates, so coordinates that pass through 0 do not blow it up
    scale = np.abs(expected).max(axis=1, keepdims=True)
    assert np.max(np.abs(trace.xs - expected) / scale) < 1e-10
    # and the trajectory really moves: the test would catch an optimizer that did nothing
    assert np.linalg.norm(expected[-1] - expected[0]) > 0.1


def differs(case, **change):
    """The largest relative gap to torch after changing one setting of the case."""
    case = json.loads(json.dumps(case))
    for path, value in change.items():
        part, key = path.split("__") if "__" in path else (None, path)
        (case[part]["kwargs"] if part else case["kwargs"])[key] = value
    trace = dd.run(build(case), dd.quadratic(FIXTURE["A"], b=FIXTURE["b"]), x0=FIXTURE["x0"], steps=FIXTURE["steps"])
    expected = np.array(case["xs"])
    return np.max(np.abs(trace.xs - expected) / np.abs(expected).max(axis=1, keepdims=True))


@pytest.mark.parametrize("name, change", [
    ("adamw", {"weight_decay": 0.0}),                       # the decay matters in this case
    ("adamw_one_cycle_lr", {"weight_decay": 0.0}),
    ("adam_linear_lr", {"scheduler__start_factor": 1.0}),   # so does the warm-up
    ("adam_cosine_lr", {"scheduler__eta_min": 0.0}),
    ("sgd_one_cycle_linear", {"scheduler__anneal": "cos"}),
    ("sgd_clip_norm", {"clipping__max_norm": 100.0}),       # and the clipping
    ("adam_clip_norm", {"clipping__max_norm": 100.0}),
    ("momentum_clip_value", {"clipping__clip_value": 100.0}),
])
def test_each_setting_is_felt(name, change):
    """The parity above is not vacuous: each case's schedule, decay or clipping changes the run."""
    assert differs(FIXTURE["cases"][name], **change) > 1e-4
