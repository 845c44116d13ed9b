"""descend: the library behind *Descend*, an executable textbook of optimization for deep learning.

>>> import descend as dd
>>> trace = dd.run(dd.adam(eta=0.1), dd.rosenbrock(), x0=[-1.0, 1.0], steps=100)

The modules: :mod:`~descend.optim` (optimizers and schedules), :mod:`~descend.problems`
(test functions), :mod:`~descend.run` (the loop), :mod:`~descend.calculus` (finite
differences, gradient checks, Taylor), :mod:`~descend.plot`, :mod:`~descend.widgets`
(``explore``), :mod:`~descend.data`, :mod:`~descend.nn`, :mod:`~descend.theory`
(convergence rates on quadratics) and :mod:`~descend.homework` (the checks behind the
graded homework).
"""

from . import data, homework, plot, theory, widgets
from .averages import average_weights, decaying_average
from .calculus import (
    central_difference,
    check_grad,
    check_hessian,
    directional_derivative,
    forward_difference,
    level_curve,
    numerical_grad,
    numerical_hessian,
    taylor,
)
from .nn import sigmoid, sigmoid_prime
from . import optim
from .optim import Optimizer, Schedule, clipped, template

# Every optimizer, schedule and clipping function, from the one list that describes them.
globals().update({entry.name: getattr(optim, entry.name) for entry in optim.CATALOGUE})
from .problems import (
    Problem,
    beale,
    himmelblau,
    ill_conditioned,
    least_squares,
    logistic_regression,
    quadratic,
    rosenbrock,
    saddle,
    scalar,
    sigmoid_neuron,
)
from .run import Sweep, Trace, run, sweep, sweep_starts
from .stochastic import batch_gradients, time_batch_grad
from .linesearch import (Cost, LineSearchState, NegativeCurvature, WolfeCheck, backtracking, check_wolfe, cost,
                         exact_line_search, golden_section_line_search, grid_line_search, replay)
from .widgets import Explorer, Slider, animate, explore, slider

__version__ = "0.1.0"

__all__ = [
    "data", "homework", "plot", "theory", "widgets",
    "average_weights", "decaying_average",
    "central_difference", "check_grad", "check_hessian", "directional_derivative",
    "forward_difference", "level_curve", "numerical_grad", "numerical_hessian", "taylor",
    "sigmoid", "sigmoid_prime",
    "optim", "Optimizer", "Schedule", "clipped", "template", *(entry.name for entry in optim.CATALOGUE),
    "Problem", "beale", "himmelblau", "ill_conditioned", "least_squares", "logistic_regression", "quadratic",
    "rosenbrock", "saddle", "scalar", "sigmoid_neuron",
    "Sweep", "Trace", "run", "sweep", "sweep_starts",
    "batch_gradients", "time_batch_grad",
    "Cost", "LineSearchState", "NegativeCurvature", "WolfeCheck", "backtracking", "check_wolfe", "cost",
    "exact_line_search", "golden_section_line_search", "grid_line_search", "replay",
    "Explorer", "Slider", "animate", "explore", "slider",
]

# Chapter 9: the second-derivative test, Newton with backtracking, a tiny network.
from .calculus import second_derivative_test  # noqa: E402
from .linesearch import newton_backtracking  # noqa: E402
from .nn import mlp_grad, mlp_loss, swap_hidden  # noqa: E402

__all__ += ["second_derivative_test", "newton_backtracking", "mlp_grad", "mlp_loss", "swap_hidden"]

# Chapter 10: convolution and a tiny convolutional network.
from .nn import (cnn_classifier, cnn_grad, cnn_init, cnn_loss, cnn_predict, conv2d,  # noqa: E402
                 conv2d_backward, conv_output_size)

__all__ += ["conv2d", "conv2d_backward", "conv_output_size",
            "cnn_loss", "cnn_grad", "cnn_predict", "cnn_init", "cnn_classifier"]

# Claims checked with a one-line verdict on the page (every chapter).
from . import verdict  # noqa: E402
from .verdict import ClaimFailed, check, check_at_least, check_at_most, check_close  # noqa: E402

__all__ += ["verdict", "ClaimFailed", "check", "check_close", "check_at_most", "check_at_least"]

# The graded homework's per-course variants: each question's constants from a seed.
from . import variants  # noqa: E402

__all__ += ["variants"]

# Chapter 11: optimizers in practice (a classifier on real digits, early stopping, the range test).
from . import practice  # noqa: E402

__all__ += ["practice"]
