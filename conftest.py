"""Shared by every test and doctest: close matplotlib's figures after each one.

Tests and doctests that draw leave figures open; past twenty, pyplot warns, and the suite turns
that warning into an error. Closing them here keeps each test independent of the ones before.
"""

import pytest


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
