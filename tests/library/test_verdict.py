"""The verdict helper: a claim that holds shows one line; a claim that fails raises, so the build fails."""

import re

import numpy as np
import pytest

import descend as dd
from descend.verdict import verdict, verdict_at_least, verdict_at_most, verdict_close


def test_close_passes_and_says_what_was_compared():
    v = verdict_close("the rate is 0.96", 0.9608, 0.96078, atol=1e-3)
    assert str(v).startswith("✓ checked: the rate is 0.96 — 0.9608 against 0.96078")


@pytest.mark.parametrize("measured", [0.97, np.nan, np.inf])
def test_close_fails_outside_the_tolerance_and_on_nan(measured):
    with pytest.raises(dd.ClaimFailed, match="the rate is 0.96"):
        verdict_close("the rate is 0.96", measured, 0.96, atol=1e-3)


def test_close_on_arrays_reports_the_worst_case():
    with pytest.raises(dd.ClaimFailed, match="1 of 3 values differ; the worst: measured 2.5"):
        verdict_close("equal", [1.0, 2.5, 3.0], [1.0, 2.0, 3.0], rtol=1e-6)
    assert "all 3 values agree" in str(verdict_close("equal", [1, 2, 3], [1, 2, 3.0000001], rtol=1e-6))


def test_close_needs_a_tolerance():
    with pytest.raises(ValueError, match="rtol or atol"):
        verdict_close("x", 1.0, 1.0)
    with pytest.raises(ValueError, match="atol must be a finite number ≥ 0"):
        verdict_close("x", 1.0, 1.0, atol=-1)


def test_bounds_compare_the_extreme_case():
    assert "largest of 4 values is 7.27 ≤ 7.3" in str(verdict_at_most("steps ≤ 7.3", [1, 7.27, 0, 3], 7.3))
    with pytest.raises(dd.ClaimFailed, match="largest of 3 values is 6.5, above the bound 1"):
        verdict_at_most("steps ≤ η", [0.1, 6.5, 1.0], 1.0)
    with pytest.raises(dd.ClaimFailed, match="smallest of 2 values is -1, below the bound 0"):
        verdict_at_least("losses ≥ 0", [3.0, -1.0], 0.0)
    with pytest.raises(dd.ClaimFailed, match="NaN"):
        verdict_at_most("finite", [1.0, np.nan], 2.0)


def test_a_timed_bound_shows_the_bound_not_the_timing_and_still_fails():
    a, b = verdict_at_least("faster", 36.5, 10, timed=True), verdict_at_least("faster", 66.9, 10, timed=True)
    assert str(a) == str(b) == "✓ checked: faster — timed in this run, ≥ 10 holds"
    assert "36.5" not in str(a)
    with pytest.raises(dd.ClaimFailed, match="the value is 9.5, below the bound 10"):
        verdict_at_least("faster", 9.5, 10, timed=True)
    with pytest.raises(dd.ClaimFailed, match="above the bound 8"):
        verdict_at_most("a quarter", 8.5, 8, timed=True)


def test_condition_counts_cases():
    assert str(verdict("decreases", np.array([True] * 5))).endswith("in all 5 cases")
    with pytest.raises(dd.ClaimFailed, match="fails in 2 of 4 cases"):
        verdict("decreases", np.array([True, False, True, False]))
    with pytest.raises(TypeError, match="holds must be a bool"):
        verdict("x", np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match="claim must be a non-empty string"):
        verdict("", True)


def test_claim_failed_is_an_assertion_error():
    assert issubclass(dd.ClaimFailed, AssertionError)


def test_html_escapes_the_claim():
    html = verdict("a < b & c", True)._repr_html_()
    assert "a &lt; b &amp; c" in html and 'class="dd-verdict"' in html


def test_check_prints_outside_a_notebook(capsys):
    assert dd.check_close("one", 1.0, 1.0, atol=1e-9) is None
    assert capsys.readouterr().out.startswith("✓ checked: one")


@pytest.mark.parametrize("measured, expected", [(1.0 + 3e-9, 1.0), ([1.0, 1.0 + 4e-12], [1.0, 1.0])])
def test_a_failure_prints_digits_enough_to_see_the_difference(measured, expected):
    with pytest.raises(dd.ClaimFailed) as failed:
        dd.check_close("x is one", measured, expected, rtol=1e-13)
    text = str(failed.value)
    got, want = re.search(r"measured (\S+), expected (\S+?)[:\s]", text).groups()
    assert got != want and "|Δ|" in text, text
