"""descend.variants: the homework's constants drawn from a seed; seed 0 is the published edition."""

import json

import numpy as np
import pytest

from descend.variants import constants, draws as draws_of, fill, homework_with_variants


def test_seed_0_is_the_published_edition():
    P = constants("hw07_adaptive", 0)
    assert (P.start, P.steps, P.eta_ada, P.eta_rms, P.beta_rms, P.eta_adam) == ((-4.0, -2.0), 100, 0.5, 0.1, 0.99, 0.1)
    assert (P.before, P.high, P.beta_jump, P.level, P.data_seed, P.sparse_seed) == (10, 5.0, 0.9, 4.75, 7, 0)


def test_a_seed_gives_the_same_constants_every_time_and_other_seeds_differ():
    draws = [vars(constants("hw07_adaptive", s)) for s in range(1, 21)]
    assert draws[0] == draws_of("hw07_adaptive").draw(1)    # drawn afresh: constants() remembers its draws
    published = vars(constants("hw07_adaptive", 0))
    for d in draws:   # every variant changes the data and at least one learning or decay rate
        assert d["sparse_seed"] != published["sparse_seed"] and d["data_seed"] != published["data_seed"]
        assert any(d[k] != published[k] for k in ("eta_ada", "eta_rms", "beta_rms", "eta_adam", "beta_jump"))
    assert len({tuple(sorted(d.items())) for d in draws}) == len(draws)


@pytest.mark.parametrize("homework", homework_with_variants())
def test_every_homework_draws_the_same_constants_for_a_seed_and_others_for_other_seeds(homework):
    published = vars(constants(homework, 0))
    draws = [vars(constants(homework, s)) for s in range(1, 21)]
    assert draws[0] == draws_of(homework).draw(1) and published == draws_of(homework).draw(0)   # afresh
    for d in draws:
        assert d.keys() == published.keys() and d != published
        json.dumps(d)   # plain numbers, lists and tuples: the tests and the Markdown can show them
    assert len({json.dumps(sorted(d.items())) for d in draws}) >= 15, "too few distinct variants"
    assert set(draws_of(homework).DEPENDS) and all(q.startswith("q") for q in draws_of(homework).DEPENDS)


@pytest.mark.parametrize("homework", homework_with_variants())
@pytest.mark.parametrize("seed", range(0, 30))
def test_every_variant_is_a_homework_that_can_be_answered(homework, seed):
    draws_of(homework).check(constants(homework, seed))


@pytest.mark.parametrize("homework", homework_with_variants())
@pytest.mark.parametrize("seed", [0, 2])
def test_changing_the_constants_changes_no_one_elses(homework, seed):
    P = constants(homework, seed)
    for value in vars(P).values():           # lists (a matrix, a vector) changed in place, rows too
        if isinstance(value, list):
            for row in value:
                if isinstance(row, list):
                    row.append(None)
            value.append(None)
    vars(P).clear()
    assert vars(constants(homework, seed)) == draws_of(homework).draw(seed)


def test_some_constants_are_lists_that_could_be_changed():
    """The test above means something: some homework's constants are lists (a matrix, a vector)."""
    assert any(isinstance(v, list) for h in homework_with_variants() for v in vars(constants(h)).values())


def test_fill_writes_the_constants_into_the_text():
    P = constants("hw07_adaptive", 0)
    assert fill("$(w, b) = {{ start }}$, {{steps}} steps, $\\eta = {{ eta_ada }}$", P) == \
        "$(w, b) = (-4, -2)$, 100 steps, $\\eta = 0.5$"
    with pytest.raises(KeyError, match="no constant 'eta'"):
        fill("{{ eta }}", P)


def test_bad_input_is_named():
    assert "hw07_adaptive" in homework_with_variants()
    with pytest.raises(ValueError, match="homework must be one with variants"):
        constants("hw99_nothing", 1)
    for seed in (-1, 1.5, True, "3"):
        with pytest.raises(ValueError, match="seed must be a whole number"):
            constants("hw07_adaptive", seed)
