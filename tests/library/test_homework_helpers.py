"""descend.homework: right answers pass through, wrong ones give one sentence, test bugs raise."""

from __future__ import annotations

import re
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import descend as dd
from descend.homework import call, expect_array, expect_below, expect_close, expect_function, expect_scalar


def sentence(excinfo) -> str:
    """The message of an AssertionError, checked to read as a sentence for a student."""
    message = str(excinfo.value)
    assert message and "\n" not in message and "Traceback" not in message
    assert message[-1] in ".?!", message
    assert len(message) < 300, message
    return message


def test_exported_as_dd_homework():
    assert dd.homework.expect_close is expect_close


# ------------------------------------------------------------------ expect_scalar


@pytest.mark.parametrize("value", [3, 3.0, np.float32(3.0), np.int64(3), np.array(3.0), np.array([3.0]), [3.0]])
def test_expect_scalar_accepts_one_number(value):
    result = expect_scalar("theta", value)
    assert result == 3.0 and type(result) is float


@pytest.mark.parametrize("value, words", [
    (..., "still `...`"),
    (None, "is None"),
    (True, "the bool True"),
    ("3.5", "string '3.5'; remove the quotes"),
    (2 + 1j, "complex"),
    ([1.0, 2.0], "single number, but it is a list of 2 entries"),
    (np.zeros((2, 2)), "array of shape (2, 2)"),
    (float("nan"), "is NaN"),
    (float("-inf"), "−infinity"),
    ({"a": 1}, "a dict"),
    (len, "did you forget to call it"),
])
def test_expect_scalar_rejects_with_a_sentence(value, words):
    with pytest.raises(AssertionError) as excinfo:
        expect_scalar("theta", value)
    message = sentence(excinfo)
    assert message.startswith("theta ") and words in message


def test_none_from_a_call_asks_for_return():
    with pytest.raises(AssertionError, match=r"^grad\(x\) returned None; does the function end with a `return`"):
        expect_scalar("grad(x)", None)


def test_hint_is_appended():
    with pytest.raises(AssertionError) as excinfo:
        expect_scalar("theta", "x", hint="Use a float.")
    assert str(excinfo.value).endswith("remove the quotes. Use a float.")


# ------------------------------------------------------------------ expect_array


def test_expect_array_converts_lists_and_checks_shape():
    out = expect_array("g", [1, 2], shape=2)
    assert out.dtype == np.float64 and out.shape == (2,)
    assert expect_array("X", ((1, 2), (3, 4)), shape=(2, 2)).shape == (2, 2)
    assert expect_array("anything", np.ones((3, 1))).shape == (3, 1)


@pytest.mark.parametrize("value, words", [
    (np.ones(3), "has shape (3,), but it should have shape (2,)."),
    (np.ones((2, 1)), "reshape it, for example with .reshape((2,))"),
    ([[1.0, 2.0], [3.0]], "NumPy cannot turn a list of 2 entries into one"),
    (["a", "b"], "NumPy cannot turn a list of 2 entries"),
    ([1.0, np.nan], "contains NaN (at index 1)"),
    (np.array([np.inf, 1.0]), "contains infinity (at index 0)"),
    (np.array([1 + 1j, 2]), "complex numbers"),
    (..., "still `...`"),
    ("[1, 2]", "the string"),
    (False, "the bool False"),
])
def test_expect_array_rejects_with_a_sentence(value, words):
    with pytest.raises(AssertionError) as excinfo:
        expect_array("g", value, shape=(2,))
    message = sentence(excinfo)
    assert message.startswith("g ") and words in message, message


def test_nan_in_a_matrix_gives_a_2d_index():
    m = np.zeros((2, 3))
    m[1, 2] = np.nan
    with pytest.raises(AssertionError, match=r"at index \(1, 2\)"):
        expect_array("H", m, shape=(2, 3))


# ------------------------------------------------------------------ expect_close


def test_expect_close_passes_and_returns_floats():
    assert expect_close("t", 592 / 169 * (1 + 1e-9), 592 / 169) == pytest.approx(592 / 169)
    np.testing.assert_array_equal(expect_close("g", [1, 2], np.array([1.0, 2.0])), [1.0, 2.0])
    assert expect_close("e", 1e-12, 0.0, atol=1e-9) == 1e-12


def test_expect_close_hides_the_answer_unless_told():
    with pytest.raises(AssertionError) as hidden:
        expect_close("theta_star", 3.1, 3.5029585798816565)
    assert "3.50" not in sentence(hidden) and "not the expected value" in str(hidden.value)
    with pytest.raises(AssertionError) as shown:
        expect_close("theta_star", 3.1, 3.5029585798816565, reveal=True)
    assert "it should be 3.502959" in sentence(shown)


@pytest.mark.parametrize("value, expected", [(0.27639321, 0.2763932), (0.2763932, 0.27639320000000004),
                                             (-1.0000001e-12, -1e-12)])
def test_a_revealed_value_is_printed_with_the_digits_that_tell_it_apart(value, expected):
    for answer in (value, [0.0, value]):
        with pytest.raises(AssertionError) as excinfo:
            expect_close("x", answer, expected if answer is value else [0.0, expected], rtol=1e-16, reveal=True)
        message = sentence(excinfo)
        shown, should = re.search(r"is ([^\s,]+),? but (?:it )?should be ([^\s,]+),", message).groups()
        assert shown != should and float(shown) == value and float(should) == expected, message
        assert f"a difference of {abs(value - expected):.2g}" in message


def test_expect_below_tells_a_value_apart_from_the_bound():
    with pytest.raises(AssertionError) as excinfo:
        expect_below("err", 1.00000001e-6, 1e-6)
    assert sentence(excinfo) == "err is 1.00000001e-06, but it should be below 1e-06."


def test_expect_close_on_arrays_names_the_worst_entry():
    with pytest.raises(AssertionError) as excinfo:
        expect_close("g", [1.0, 2.1, 9.0], [1.0, 2.0, 3.0], rtol=1e-3, reveal=True)
    message = sentence(excinfo)
    assert "2 of 3 entries" in message and "index 2, where g is 9 but should be 3" in message
    with pytest.raises(AssertionError) as excinfo:
        expect_close("g", [1.0, 2.1, 9.0], [1.0, 2.0, 3.0], rtol=1e-3)
    assert "should be 3" not in sentence(excinfo) and "index 2" in str(excinfo.value)


def test_expect_close_survives_overflow():
    with pytest.raises(AssertionError, match="1 of 1 entries"):
        expect_close("g", [1.7e308], [-1.7e308])  # the difference overflows to inf: wrong, no warning


def test_expect_close_checks_type_and_shape_first():
    with pytest.raises(AssertionError, match="shape"):
        expect_close("g", [1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(AssertionError, match="single number"):
        expect_close("t", [1.0, 2.0], 1.0)
    with pytest.raises(AssertionError, match="NaN"):
        expect_close("t", float("nan"), 1.0)


@pytest.mark.parametrize("kwargs, error", [
    ({"rtol": -1.0}, ValueError), ({"rtol": float("nan")}, ValueError), ({"atol": "0"}, ValueError),
    ({"rtol": 0.0, "atol": 0.0}, ValueError), ({"reveal": "yes"}, TypeError), ({"hint": 3}, TypeError),
])
def test_expect_close_rejects_bad_settings(kwargs, error):
    with pytest.raises(error):
        expect_close("t", 1.0, 1.0, **kwargs)


def test_expected_must_be_finite_numbers():
    with pytest.raises(ValueError):
        expect_close("t", 1.0, float("nan"))
    with pytest.raises(TypeError):
        expect_close("t", 1.0, "one")


# ------------------------------------------------------------------ expect_below, functions, call


def test_expect_below():
    assert expect_below("err", 1e-9, 1e-6) == 1e-9
    with pytest.raises(AssertionError) as excinfo:
        expect_below("err", 1e-6, 1e-6)
    assert sentence(excinfo) == "err is 1e-06, but it should be below 1e-06."
    with pytest.raises(AssertionError, match="NaN"):
        expect_below("err", float("nan"), 1.0)
    with pytest.raises(TypeError):
        expect_below("err", 0.0, "1")


def test_expect_function():
    assert expect_function("f", np.sin) is np.sin
    with pytest.raises(AssertionError, match=r"^f is still `...`"):
        expect_function("f", ...)
    with pytest.raises(AssertionError, match="define it with def"):
        expect_function("f", 3.0)


def test_call_turns_exceptions_into_a_sentence():
    assert call("f(2)", lambda x: x + 1, 2) == 3

    def broken(x):
        raise ValueError("first line\nsecond line")

    with pytest.raises(AssertionError) as excinfo:
        call("broken(1)", broken, 1)
    assert sentence(excinfo) == "broken(1) raised ValueError (first line) when the test called it."
    with pytest.raises(AssertionError, match=r"^grad is still `...`"):
        call("grad(x)", ..., 1.0)
    with pytest.raises(AssertionError, match=r"^grad should be a function"):
        call("grad(x)", [1.0], 1.0)
    with pytest.raises(AssertionError, match="RecursionError"):
        def forever(x):
            return forever(x)
        call("forever(0)", forever, 0)


def test_call_shortens_a_long_message():
    def verbose():
        raise RuntimeError("x" * 500)

    with pytest.raises(AssertionError) as excinfo:
        call("verbose()", verbose)
    assert len(sentence(excinfo)) < 200


@pytest.mark.parametrize("bad", [None, "", "  ", 3])
def test_name_must_be_a_string(bad):
    with pytest.raises(TypeError):
        expect_scalar(bad, 1.0)


@pytest.mark.parametrize("shape", [(2.0,), [2], (-1,), "2", (True,)])
def test_shape_must_be_a_tuple_of_counts(shape):
    with pytest.raises(TypeError):
        expect_array("g", [1.0, 2.0], shape=shape)


# ------------------------------------------------------------------ whatever a student types


anything = st.one_of(
    st.none(), st.just(...), st.booleans(), st.integers(), st.floats(), st.complex_numbers(), st.text(max_size=5),
    st.lists(st.floats(), max_size=4), st.lists(st.lists(st.integers(), max_size=3), max_size=3),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    hnp.arrays(hnp.floating_dtypes() | hnp.integer_dtypes() | hnp.complex_number_dtypes() | hnp.boolean_dtypes(),
               hnp.array_shapes(min_dims=0, max_dims=3, max_side=3)),
)


@settings(max_examples=300, deadline=None)
@given(anything)
def test_any_value_either_passes_or_gets_one_sentence(value):
    for check in (lambda v: expect_scalar("answer", v), lambda v: expect_array("answer", v, shape=(2,)),
                  lambda v: expect_close("answer", v, [1.0, 2.0]), lambda v: expect_close("answer", v, 1.0)):
        try:
            check(value)  # a NumPy warning from descend.* is an error in the test suite
        except AssertionError as error:
            message = str(error)
            assert message.startswith("answer ") and "\n" not in message and message[-1] in ".?!", message
            assert not re.search(r"\b(Traceback|Error:)", message), message


# ------------------------------------------------------------------ call(..., forbid=...)


def _loop_gd(grad, x0, eta, steps):
    x = np.array(x0, dtype=float)
    for _ in range(steps):
        x = x - eta * grad(x)
    return x


def _wraps_the_library(grad, x0, eta, steps):
    try:  # a student's blanket except must not hide the call
        return dd.run(dd.gd(eta=eta), dd.quadratic([[2.0]]), x0, steps=steps).x
    except Exception:
        return np.array(x0, dtype=float)


def _imported_by_name(grad, x0, eta, steps):
    from descend import gd as plain  # bound before the test starts watching
    return dd.run(plain(eta=eta), dd.quadratic([[2.0]]), x0, steps=steps).x


def test_forbid_lets_a_hand_written_answer_through_and_stops_watching():
    bowl = dd.quadratic([[2.0]])
    before = sys.gettrace()
    x = call("loop(...)", _loop_gd, bowl.grad, [1.0], 0.1, 3, forbid=(dd.gd, dd.run))
    assert np.allclose(x, 0.8**3) and sys.gettrace() is before


@pytest.mark.parametrize("answer", [_wraps_the_library, _imported_by_name])
def test_forbid_catches_an_answer_that_calls_the_library(answer):
    bowl = dd.quadratic([[2.0]])
    with pytest.raises(AssertionError) as excinfo:
        call("gd_path(...)", answer, bowl.grad, [1.0], 0.1, 3, forbid=(dd.gd, dd.run))
    assert sentence(excinfo) == "gd_path(...) calls descend.gd, which this question asks you to write yourself."
    assert sys.gettrace() is None
    # without forbid the same answer passes: the check is the forbid, not the answer's value
    assert np.allclose(call("gd_path(...)", answer, bowl.grad, [1.0], 0.1, 3), 0.8**3)


def test_forbid_names_another_library_by_its_public_name():
    def inverts(A):
        return np.linalg.inv(A)

    with pytest.raises(AssertionError) as excinfo:
        call("solve(A)", inverts, np.eye(2), forbid=(np.linalg.inv,))
    assert sentence(excinfo) == "solve(A) calls numpy.linalg.inv, which this question asks you to do without."


def test_forbid_needs_python_functions():
    with pytest.raises(TypeError, match="forbid must hold Python functions"):
        call("f(1)", abs, 1, forbid=(len,))
    with pytest.raises(TypeError, match="forbid must be a function or a sequence"):
        call("f(1)", abs, 1, forbid=3)
