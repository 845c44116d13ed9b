"""Bad input, everywhere public: one table of bad calls across the whole API.

Each call must raise ValueError or TypeError whose message names the argument and says
what is allowed, and the error must be raised by descend itself (a check), not surface
from deep inside NumPy or matplotlib.
"""

from __future__ import annotations

import traceback

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import descend as dd  # noqa: E402


def _draw(eta, beta=0.5):
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [eta, beta])
    return fig


ONE_D = dd.scalar(np.sin, np.cos, bounds=(0, 1))
DATA = dd.least_squares(np.column_stack([np.arange(20.0), np.ones(20)]), np.arange(20.0))

# (description, call, exception, regex the message must match: the argument and what is allowed)
BAD_CALLS = [
    # optimizers
    ("η = 0", lambda: dd.gd(eta=0), ValueError, r"eta must lie in \(0, inf\)"),
    ("η < 0", lambda: dd.gd(eta=-0.1), ValueError, r"eta must lie in \(0, inf\)"),
    ("η NaN", lambda: dd.momentum(eta=float("nan")), ValueError, r"eta must be a finite number"),
    ("η inf", lambda: dd.adam(eta=float("inf")), ValueError, r"eta must be a finite number"),
    ("η a string", lambda: dd.gd(eta="0.1"), TypeError, r"eta must be a real number"),
    ("η None", lambda: dd.rmsprop(eta=None), TypeError, r"eta must be a real number"),
    ("η a bool", lambda: dd.adagrad(eta=True), TypeError, r"eta must be a real number"),
    ("η a list", lambda: dd.nesterov(eta=[0.1]), TypeError, r"eta must be a real number"),
    ("β = 1", lambda: dd.momentum(beta=1.0), ValueError, r"beta must lie in \[0, 1\)"),
    ("β < 0", lambda: dd.nesterov(beta=-0.1), ValueError, r"beta must lie in \[0, 1\)"),
    ("RMSProp β = 1", lambda: dd.rmsprop(beta=1.0), ValueError, r"beta must lie in \[0, 1\)"),
    ("β₁ = 1", lambda: dd.adam(beta1=1.0), ValueError, r"beta1 must lie in \[0, 1\)"),
    ("β₂ < 0", lambda: dd.adam(beta2=-0.5), ValueError, r"beta2 must lie in \[0, 1\)"),
    ("ε = 0", lambda: dd.adam(eps=0.0), ValueError, r"eps must lie in \(0, inf\)"),
    ("AdaGrad ε = 0", lambda: dd.adagrad(eps=0), ValueError, r"eps must lie in \(0, inf\)"),
    ("RMSProp ε < 0", lambda: dd.rmsprop(eps=-1e-8), ValueError, r"eps must lie in \(0, inf\)"),
    ("Newton η = 0", lambda: dd.newton(eta=0), ValueError, r"eta must lie in \(0, inf\)"),
    ("Newton without problem", lambda: dd.newton().update(np.ones(2), dd.newton().init(np.zeros(2)), np.zeros(2)),
     ValueError, r"newton needs problem="),
    ("g of the wrong shape for Newton", lambda: dd.newton().update(np.ones(3), None, np.zeros(2), problem=dd.saddle()),
     ValueError, r"g must have the shape of x"),
    # schedules
    ("decay k < 0", lambda: dd.time_decay(0.1, k=-1), ValueError, r"k must lie in \[0, inf\)"),
    ("drop > 1", lambda: dd.step_decay(0.1, drop=1.5, every=10), ValueError, r"drop must lie in \(0, 1\]"),
    ("every = 0", lambda: dd.step_decay(0.1, drop=0.5, every=0), ValueError, r"every must be an integer ≥ 1"),
    ("exponential η = 0", lambda: dd.exponential_decay(0.0, 0.1), ValueError, r"eta must lie in \(0, inf\)"),
    ("β_max = 1", lambda: dd.sutskever_momentum(beta_max=1.0), ValueError, r"beta_max must lie in \[0, 1\)"),
    # problems
    ("A not symmetric", lambda: dd.quadratic([[1.0, 2.0], [0.0, 1.0]]), ValueError, r"A must be symmetric"),
    ("A a vector", lambda: dd.quadratic([1.0, 2.0]), ValueError, r"A must be a 2-D array"),
    ("b of the wrong length", lambda: dd.quadratic(np.eye(2), b=[1.0]), ValueError, r"b must have shape \(2,\)"),
    ("A with NaN", lambda: dd.quadratic([[np.nan]]), ValueError, r"A must be finite"),
    ("A of strings", lambda: dd.quadratic([["a"]]), TypeError, r"A must be a matrix of real numbers"),
    ("κ < 1", lambda: dd.ill_conditioned(kappa=0.5), ValueError, r"kappa must lie in \[1, inf\)"),
    ("Rosenbrock b = 0", lambda: dd.rosenbrock(b=0), ValueError, r"b must lie in \(0, inf\)"),
    ("sigmoid targets outside (0, 1)", lambda: dd.sigmoid_neuron(y=(0.2, 1.0)), ValueError, r"y must lie strictly between 0 and 1"),
    ("sigmoid data of different lengths", lambda: dd.sigmoid_neuron(y=(0.2,)), ValueError, r"y must have shape \(2,\)"),
    ("least squares y too short", lambda: dd.least_squares(np.ones((3, 2)), [1.0, 2.0]), ValueError, r"y must have shape \(3,\)"),
    ("Problem f not callable", lambda: dd.Problem(f=1, grad=lambda x: x, dim=1), TypeError, r"f must be callable"),
    ("Problem without dim", lambda: dd.Problem(f=lambda x: x, grad=lambda x: x), ValueError, r"dim must be given"),
    ("Problem bounds reversed", lambda: dd.Problem(f=lambda x: x, grad=lambda x: x, bounds=[(1, 0)]), ValueError,
     r"bounds must be \(lo, hi\) pairs with lo < hi"),
    ("grid n = 1", lambda: dd.rosenbrock().grid(n=1), ValueError, r"n must be an integer ≥ 2"),
    ("grid of a 1-D problem", lambda: ONE_D.grid(), ValueError, r"grid needs a 2-D problem"),
    ("logistic labels not 0/1", lambda: dd.logistic_regression(np.ones((3, 1)), [0.0, 0.5, 1.0]), ValueError,
     r"y must contain only the labels 0 and 1"),
    ("n_examples without batch_grad", lambda: dd.Problem(f=lambda x: x, grad=lambda x: x, dim=1, n_examples=3),
     ValueError, r"n_examples and batch_grad must be given together"),
    ("scalar df missing", lambda: dd.scalar(np.sin, None), TypeError, r"df must be callable"),
    # run and sweep
    ("x0 of the wrong shape", lambda: dd.run(dd.gd(), dd.rosenbrock(), [1.0, 2.0, 3.0]), ValueError, r"x0 must have shape \(2,\)"),
    ("x0 not finite", lambda: dd.run(dd.gd(), dd.rosenbrock(), [np.nan, 1.0]), ValueError, r"x0 must be finite"),
    ("x0 a matrix", lambda: dd.run(dd.gd(), dd.rosenbrock(), [[1.0, 2.0]]), ValueError, r"x0 must be a 1-D array"),
    ("x0 text", lambda: dd.run(dd.gd(), dd.rosenbrock(), "ab"), TypeError, r"x0 must be an array of real numbers"),
    ("steps < 0", lambda: dd.run(dd.gd(), dd.rosenbrock(), [0.0, 0.0], steps=-1), ValueError, r"steps must be an integer ≥ 0"),
    ("steps a float", lambda: dd.run(dd.gd(), dd.rosenbrock(), [0.0, 0.0], steps=2.5), TypeError, r"steps must be an integer"),
    ("tol < 0", lambda: dd.run(dd.gd(), dd.rosenbrock(), [0.0, 0.0], tol=-1.0), ValueError, r"tol must lie in \[0, inf\)"),
    ("opt a string", lambda: dd.run("adam", dd.rosenbrock(), [0.0, 0.0]), TypeError, r"opt must be an Optimizer"),
    ("problem a function", lambda: dd.run(dd.gd(), lambda x: x, [0.0]), TypeError, r"problem must be a descend.Problem"),
    ("x0 outside the domain", lambda: dd.run(dd.gd(), dd.scalar(np.log, lambda t: 1 / t, bounds=(0.1, 2)), -1.0),
     ValueError, r"x0 must be a point where the loss and gradient are finite"),
    ("sweep with nothing to sweep", lambda: dd.sweep(dd.gd, dd.saddle(), [1.0, 1.0]), ValueError, r"give at least one hyperparameter"),
    ("sweep with a bad η", lambda: dd.sweep(dd.gd, dd.saddle(), [1.0, 1.0], eta=[0.1, -0.1]), ValueError, r"eta must lie in \(0, inf\)"),
    ("sweep η as a matrix", lambda: dd.sweep(dd.gd, dd.saddle(), [1.0, 1.0], eta=[[0.1]]), ValueError, r"eta must be a non-empty 1-D"),
    ("sweep of Newton", lambda: dd.sweep(dd.newton, dd.saddle(), [1.0, 1.0], eta=[1.0]), ValueError, r"needs the problem's Hessian"),
    ("sweep_starts of a factory", lambda: dd.sweep_starts(dd.gd, dd.saddle(), [[1.0, 1.0]]), TypeError,
     r"opt must be an Optimizer such as descend.gd\(eta=0.1\)"),
    ("sweep_starts on a function", lambda: dd.sweep_starts(dd.gd(), np.sin, [[1.0, 1.0]]), TypeError,
     r"problem must be a descend.Problem"),
    ("sweep_starts from one 2-D start", lambda: dd.sweep_starts(dd.gd(), dd.saddle(), [1.0, 1.0]), ValueError,
     r"starts must have shape \(S, 2\) for this problem, one start per row"),
    ("sweep_starts of 3-D starts on a 2-D problem", lambda: dd.sweep_starts(dd.gd(), dd.saddle(), np.ones((4, 3))),
     ValueError, r"starts must have shape \(S, 2\) .* got shape \(4, 3\)"),
    ("sweep_starts from no start", lambda: dd.sweep_starts(dd.gd(), ONE_D, []), ValueError,
     r"starts must have shape \(S, 1\) for this problem, one start per row with S ≥ 1 \(or S numbers\)"),
    ("sweep_starts from NaN", lambda: dd.sweep_starts(dd.gd(), dd.saddle(), [[1.0, np.nan]]), ValueError,
     r"starts must be finite"),
    ("sweep_starts from text", lambda: dd.sweep_starts(dd.gd(), dd.saddle(), "ab"), TypeError,
     r"starts must be an array of real numbers"),
    ("sweep_starts steps < 0", lambda: dd.sweep_starts(dd.gd(), dd.saddle(), [[1.0, 1.0]], steps=-1), ValueError,
     r"steps must be an integer ≥ 0"),
    ("sweep_starts where only the gradient is not finite",
     lambda: dd.sweep_starts(dd.gd(), dd.scalar(np.sqrt, lambda t: 0.5 / np.sqrt(t)), [1.0, 0.0]), ValueError,
     r"starts must be points where the loss and gradient are finite; at starts\[1\]"),
    ("sweep from x0 where only the gradient is not finite",
     lambda: dd.sweep(dd.gd, dd.scalar(np.sqrt, lambda t: 0.5 / np.sqrt(t)), [0.0], eta=[0.1]), ValueError,
     r"x0 must be a point where the loss and gradient are finite"),
    ("sweep_starts of Newton", lambda: dd.sweep_starts(dd.newton(), dd.saddle(), [[1.0, 1.0]]), ValueError,
     r"needs the problem's Hessian"),
    ("batch_size on a non-average loss", lambda: dd.run(dd.gd(), dd.rosenbrock(), [0.0, 0.0], batch_size=4),
     ValueError, r"batch_size needs a loss averaged over examples"),
    ("batch_size 0", lambda: dd.run(dd.gd(), DATA, [0.0, 0.0], batch_size=0), ValueError, r"batch_size must be an integer ≥ 1"),
    ("batch_size > N", lambda: dd.run(dd.gd(), DATA, [0.0, 0.0], batch_size=21), ValueError,
     r"batch_size must be at most the number of examples, 20"),
    ("seed < 0", lambda: dd.run(dd.gd(), DATA, [0.0, 0.0], batch_size=4, seed=-1), ValueError, r"seed must be an integer ≥ 0"),
    # calculus
    ("h = 0", lambda: dd.forward_difference(np.sin, 1.0, h=0.0), ValueError, r"h must be a positive finite step"),
    ("f not callable", lambda: dd.central_difference("sin", 1.0), TypeError, r"f must be callable"),
    ("check_grad at inf", lambda: dd.check_grad(np.sin, np.cos, [np.inf]), ValueError, r"x must be finite"),
    ("numerical_grad h < 0", lambda: dd.numerical_grad(np.sin, [1.0], h=-1), ValueError, r"h must lie in \(0, inf\)"),
    ("numerical_grad of a vector function", lambda: dd.numerical_grad(lambda x: x, [1.0, 2.0]), ValueError,
     r"f must return a single number"),
    ("Taylor order 3", lambda: dd.taylor(dd.rosenbrock(), [0, 0], order=3), ValueError, r"order must be one of 1, 2"),
    ("Taylor x0 wrong shape", lambda: dd.taylor(dd.rosenbrock(), [0, 0, 0]), ValueError, r"x0 must have shape \(2,\)"),
    ("direction zero", lambda: dd.directional_derivative(dd.saddle().grad, [1.0, 2.0], [0.0, 0.0]), ValueError,
     r"d must be a non-zero direction"),
    ("level of NaN", lambda: dd.level_curve(dd.saddle(), float("nan")), ValueError, r"level must be a finite number"),
    # plotting
    ("contour of a 1-D problem", lambda: dd.plot.contour(ONE_D), ValueError, r"needs a 2-D problem"),
    ("curve of a 2-D problem", lambda: dd.plot.curve(dd.rosenbrock()), ValueError, r"needs a 1-D problem"),
    ("path of nothing", lambda: dd.plot.path([]), TypeError, r"traces must be a Trace or a list of Traces"),
    ("contour of a string", lambda: dd.plot.contour("rosenbrock"), TypeError, r"problem must be a descend.Problem"),
    ("one contour level", lambda: dd.plot.contour(dd.rosenbrock(), levels=1), ValueError, r"levels must be an integer ≥ 2"),
    ("tangent with η < 0", lambda: dd.plot.tangent(ONE_D, 0.5, eta=-1), ValueError, r"eta must lie in \(0, inf\)"),
    ("loss of a number", lambda: dd.plot.loss(3.0), TypeError, r"traces must be a Trace"),
    ("1-D path without its problem", lambda: dd.plot.path(dd.run(dd.gd(), ONE_D, 0.5, 2)), ValueError,
     r"problem must be given to draw a 1-D path"),
    # explore
    ("no slider", lambda: dd.explore(_draw, alt="x"), ValueError, r"explore takes one or two sliders"),
    ("three sliders", lambda: dd.explore(_draw, alt="x", a=(0, 1, 0.5), b=(0, 1, 0.5), c=(0, 1, 0.5)), ValueError,
     r"explore takes one or two sliders"),
    ("no alt text", lambda: dd.explore(_draw, alt="", eta=(0, 1, 0.1)), ValueError, r"alt must be a non-empty description"),
    ("draw not callable", lambda: dd.explore("draw", alt="x", eta=(0, 1, 0.1)), TypeError, r"draw must be callable"),
    ("slider as a list", lambda: dd.explore(_draw, alt="x", eta=[0, 1]), TypeError, r"slider 'eta' must be dd.slider"),
    ("slider hi < lo", lambda: dd.slider(1, 0, 0.1), ValueError, r"hi must be greater than lo"),
    ("slider step 0", lambda: dd.slider(0, 1, 0), ValueError, r"step must lie in \(0, inf\)"),
    ("slider with too many values", lambda: dd.slider(0, 1, 1e-4), ValueError, r"step must give between 2 and 201"),
    ("slider start outside", lambda: dd.slider(0, 1, 0.1, value=2), ValueError, r"value must lie in \[0, 1\]"),
    ("draw returns a number", lambda: dd.explore(lambda eta: 1, alt="x", eta=(0, 1, 0.5)).render(), TypeError,
     r"draw function must return a matplotlib Figure"),
    ("unknown slider value", lambda: dd.explore(_draw, alt="x", eta=(0, 1, 0.5)).render({"gamma": 1}), ValueError,
     r"unknown slider\(s\) \['gamma'\]"),
    # data sets
    ("rent n = 1", lambda: dd.data.rent(n=1), ValueError, r"n must be an integer ≥ 2"),
    ("rent seed < 0", lambda: dd.data.rent(seed=-1), ValueError, r"seed must be an integer ≥ 0"),
    ("rent n a float", lambda: dd.data.rent(n=10.5), TypeError, r"n must be an integer"),
]


def test_the_table_is_large():
    assert len(BAD_CALLS) >= 40


@pytest.mark.parametrize("what, call, exc, message", BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_bad_call(what, call, exc, message):
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    plt.close("all")
    assert info.type is exc, f"{what}: raised {info.type.__name__}: {info.value}"
    assert info.match(message)
    # raised by descend's own checks, not from inside NumPy or matplotlib
    frames = traceback.extract_tb(info.tb)
    origin = frames[-1].filename
    assert "/descend/" in origin.replace("\\", "/"), f"{what}: raised from {origin}, not by descend"


def test_a_step_of_another_shape_is_the_optimizers_fault():
    """dd.run checks each step's shape, so a broken update is named, not the problem's gradient."""
    bad = dd.Optimizer(lambda x: None, lambda g, state, x=None: (np.zeros((2, 2)), state), "broadcasting", {})
    with pytest.raises(ValueError, match=r"broadcasting's update must return a step of the shape of x, \(2,\); got \(2, 2\)"):
        dd.run(bad, dd.quadratic(np.eye(2)), [1.0, 1.0], steps=3)
