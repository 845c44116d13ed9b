"""Every entry of ``descend.optim.CATALOGUE`` is complete: this test names what a new one lacks.

Adding an optimizer, a schedule or a clipping function is one entry in the catalogue (plus
its function, its hand-worked tests and, if PyTorch has it, a fixture case). The package's
exports derive from the catalogue; the tests below walk it and say, for each entry, which
piece is missing: a docstring part, a legend symbol, the validation of an argument, the
float64 arithmetic, the purity of ``update``. ``test_torch_parity.py`` checks the fixture
covers every entry with a PyTorch counterpart; ``test_run.py`` runs every optimizer on
every convex problem with the entry's ``on_convex`` setting.
"""

import inspect
import math
import re

import numpy as np
import pytest

import descend as dd
from descend.optim import CATALOGUE, SYMBOLS, Optimizer, Schedule

ENTRIES = {entry.name: entry for entry in CATALOGUE}
OPTIMIZERS = [name for name, entry in ENTRIES.items() if entry.kind == "optimizer"]
SCHEDULES = [name for name, entry in ENTRIES.items() if entry.kind == "schedule"]
CLIPS = [name for name, entry in ENTRIES.items() if entry.kind == "clip"]


def make(name, **change):
    return getattr(dd, name)(**{**ENTRIES[name].example, **change})


def test_catalogue_is_well_formed():
    assert len(ENTRIES) == len(CATALOGUE), "two entries share a name"
    for entry in CATALOGUE:
        assert entry.kind in ("optimizer", "schedule", "clip"), entry
        assert 1 <= entry.chapter <= 11, entry
        assert (entry.on_convex is not None) == (entry.kind == "optimizer"), \
            f"{entry.name}: give on_convex (a setting that lowers a convex loss) exactly for optimizers"


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_exported(name):
    assert callable(getattr(dd.optim, name, None)), f"descend.optim has no function {name}"
    assert getattr(dd, name) is getattr(dd.optim, name), f"descend.{name} is not descend.optim.{name}"
    assert name in dd.__all__ and name in dd.optim.__all__


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_docstring_has_the_parts_the_readme_asks_for(name):
    entry, doc = ENTRIES[name], inspect.getdoc(getattr(dd, name)) or ""
    missing = [part for part, ok in [
        ("the rule in LaTeX (a '.. math::' block)", ".. math::" in doc),
        ("an Examples section with a doctest", "Examples\n--------" in doc and ">>> " in doc),
        (f"'Taught in chapter {entry.chapter}'", re.search(rf"Taught in chapters? [\d, and]*\b{entry.chapter}\b", doc)),
        (f"the PyTorch counterpart {entry.torch}", entry.torch is None
         or entry.torch.rsplit(".", 1)[-1] in doc),
    ] if not ok]
    assert not missing, f"descend.{name}'s docstring lacks: {', '.join(missing)}"


def numeric_arguments(name):
    """The arguments of the entry's example call that are numbers (not flags or choices)."""
    return [k for k, v in ENTRIES[name].example.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool)]


@pytest.mark.parametrize("name, arg", [(n, a) for n in sorted(ENTRIES) for a in numeric_arguments(n)])
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "0.1", None])
def test_every_numeric_argument_is_validated(name, arg, bad):
    """A bad value of any numeric argument gets a clear error that names the argument."""
    with pytest.raises((ValueError, TypeError), match=rf"\b{arg}\b"):
        make(name, **{arg: bad})


@pytest.mark.parametrize("name, arg", [(n, a) for n in sorted(ENTRIES) for a in numeric_arguments(n)])
def test_out_of_range_values_are_refused(name, arg):
    """Every numeric argument has a range: a negative value far outside it is refused by name
    (no argument of the catalogue may be −10⁶)."""
    with pytest.raises((ValueError, TypeError), match=rf"\b{arg}\b"):
        make(name, **{arg: -1e6})


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizer_labels_use_the_books_symbols(name):
    opt = make(name)
    assert isinstance(opt, Optimizer) and opt.name == name
    unnamed = [k for k in opt.hyper if k not in SYMBOLS]
    assert not unnamed, f"add {unnamed} to descend.optim.SYMBOLS, so that {name}'s legend label uses a symbol"
    assert opt.label.startswith(name)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizer_is_pure_and_float64(name):
    """``update`` returns float64 from float32 input and never changes the state it is given."""
    opt = make(name, **ENTRIES[name].on_convex(4.0))
    p = dd.quadratic([[4.0, 1.0, 0.0], [1.0, 2.0, 0.0], [0.0, 0.0, 1.0]], b=[1.0, 0.0, -1.0])
    x = np.array([1.0, -2.0, 0.5], dtype=np.float32)
    kwargs = {"problem": p} if opt.needs_problem else {}
    state = opt.init(x)
    for _ in range(3):
        g = p.grad(x).astype(np.float32)
        frozen = [np.array(a, copy=True) for a in state]
        step, new_state = opt.update(g, state, x, **kwargs)
        for before, after in zip(frozen, state):
            np.testing.assert_array_equal(before, after, err_msg=f"{name}.update changed the state it was given")
        assert step.dtype == np.float64, name
        assert all(getattr(a, "dtype", np.float64) == np.float64 for a in new_state[1:]), name
        assert new_state.t == state.t + 1
        state, x = new_state, (x + step).astype(np.float32)


@pytest.mark.parametrize("name", SCHEDULES)
def test_schedule_is_a_schedule(name):
    s = make(name)
    assert isinstance(s, Schedule)
    values = [s(t) for t in range(2000)]
    assert values[0] == pytest.approx(s.eta0, rel=1e-15), f"{name}: eta0 must be the value at t = 0"
    assert all(math.isfinite(v) and v > 0 for v in values), name


@pytest.mark.parametrize("name", CLIPS)
def test_clip_is_pure_and_bounded(name):
    g = np.array([[30.0, -0.5], [2.0, -40.0]])
    out = make(name, g=g)
    np.testing.assert_array_equal(g, [[30.0, -0.5], [2.0, -40.0]])        # the input is left alone
    assert out.shape == g.shape and out.dtype == np.float64
    assert np.linalg.norm(out) < np.linalg.norm(g)                          # a long gradient is cut
    short = np.array([[0.1, -0.2], [0.0, 0.3]])
    np.testing.assert_allclose(make(name, g=short), short, rtol=1e-5)       # a short one is kept


def test_every_public_factory_of_optim_is_catalogued():
    """A new optimizer, schedule or clipping function written in optim.py but not catalogued
    would be missing from the package and from every test above."""
    factories = {name for name, fn in inspect.getmembers(dd.optim, inspect.isfunction)
                 if fn.__module__ == "descend.optim" and not name.startswith("_")
                 and inspect.signature(fn).return_annotation in ("Optimizer", "Schedule", "np.ndarray")}
    tools = {"template", "clipped", "steps_on", "scaled_steps"}
    assert factories - tools <= set(ENTRIES), f"not in CATALOGUE: {sorted(factories - tools - set(ENTRIES))}"
