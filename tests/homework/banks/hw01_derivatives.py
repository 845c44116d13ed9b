"""Wrong answers to homework 1 (derivatives), and a right one in another style.

q1's points are 0.5 each for the public penalized fit, the public ``lam_half`` (checked against
θ* found from the loss itself), random data (with λ = 0 and with every x_i = 0) and "the penalty
shrinks θ* towards 0": λ left out (chapter 1's formula) keeps only ``lam_half``, the penalty
differentiated without its factor 2 (which bends) keeps 0.5, a subtracted penalty (which breaks) nothing.
q2's points are 0 for the form check, 0.5 for the own check (``rel_error`` recomputed with the
student's ``grad``), 0.75 for the gradient at a point where a ≠ 1, 1.25 for the gradient at
random points and 0.5 for "a step against grad goes downhill": a factor a missing in ∂L/∂k
(hidden at θ0, where a = 1) keeps 1 of 3, the forgotten ½ keeps 0.5, a flipped sign keeps
nothing. q3's are 0.5 for the public sine, 0 for the form check, 0.75 for the exact formula,
0.5 for "the estimates approach the derivative", 0.75 for ``errors`` and 0.5 for ``order``
(recomputed from ``errors``): a forward difference keeps 0.5, dividing by h (or the slip / 2 * h) nothing.
q4's are 0 for the form check, 0.25 for "the gradient vanishes at the solution", 0.5 for the
public finite differences, 0.75 for random gradients, 1 for random solutions and 0.5 for "a
step against ls_grad goes downhill": 1/N forgotten keeps 1.75 of 3, a flipped sign 1.25.
q6_complex's are 0.25 each for the public sine, the formula (a cube and tiny steps), ``cs_errors``
and ``cd_errors`` (recomputed with the student's own ``central_diff``, so a mistake in q3 is not
charged twice): a wrong complex step keeps only ``cd_errors``.
"""

from bank import right, wrong

_THETA = "    return float(np.sum(x * y) / (np.sum(x * x) + lam))\n"
_LAM_HALF = "lam_half = float(np.sum(x_two * x_two))"
_COMPLEX = "np.imag(f(x + 1j * h)) / h"
_CS_ERRORS = "cs_errors = np.abs(complex_step(np.exp, P.x6, hs6) - np.exp(P.x6))"
_CD_ERRORS = "cd_errors = np.abs(central_diff(np.exp, P.x6, hs6) - np.exp(P.x6))"
_GRAD = "    return np.array([np.sum(r * growth), np.sum(r * a * t_data * growth)])\n"
_RESIDUAL = "    r = a * growth - y_data\n"
_REL_ERROR = "rel_error = dd.check_grad(loss, grad, theta0)"
_CENTRAL = "(f(x + h) - f(x - h)) / (2 * h)"
_ERRORS = "errors = np.abs(central_diff(np.exp, P.x3, hs) - np.exp(P.x3))"
_ORDER = "order = np.polyfit(np.log10(hs), np.log10(errors), 1)[0]"
_LS_GRAD = "    return X.T @ (X @ theta - y) / len(y)\n"
_LS_SOLVE = "    return np.linalg.solve(X.T @ X, X.T @ y)\n"

ANSWERS = [
    wrong("λ left out: chapter 1's formula Σxy / Σx², with lam_half right",
          [(_THETA, "    return float(np.sum(x * y) / np.sum(x * x))\n")], ["q1"], 0.25),
    wrong("the penalty differentiated as λ, not 2λ: Σxy / (Σx² + λ/2), lam_half = 2Σx² (it bends)",
          [(_THETA, "    return float(np.sum(x * y) / (np.sum(x * x) + lam / 2))\n"),
           (_LAM_HALF, "lam_half = float(2 * np.sum(x_two * x_two))")], ["q1"], 0.25, 0.25),
    wrong("the penalty's sign flipped: Σxy / (Σx² − λ), and lam_half = −Σx² (it breaks: θ* grows)",
          [(_THETA, "    return float(np.sum(x * y) / (np.sum(x * x) - lam))\n"),
           (_LAM_HALF, "lam_half = float(-np.sum(x_two * x_two))")], ["q1"], 0.0),
    wrong("np.linalg.lstsq on the data with a row √λ added, where the question asks for the formula",
          [(_THETA, "    A, b = np.append(x, np.sqrt(lam))[:, None], np.append(y, 0.0)\n"
                    "    return float(np.linalg.lstsq(A, b, rcond=None)[0][0])\n")], ["q1"], 0.25),
    wrong("the real part where the complex step takes the imaginary one",
          [(_COMPLEX, "np.real(f(x + 1j * h)) / h")], ["q6_complex"], 0.25),
    wrong("a central difference in place of the complex step",
          [(_COMPLEX, "(f(x + h) - f(x - h)) / (2 * h)")], ["q6_complex"], 0.25),
    wrong("the complex step divided by 2h, as the central difference is",
          [(_COMPLEX, "np.imag(f(x + 1j * h)) / (2 * h)")], ["q6_complex"], 0.25),
    wrong("the sign of the residual flipped in the gradient (it points uphill)",
          [(_RESIDUAL, "    r = y_data - a * growth\n")], ["q2"], 0.0),
    wrong("the factor a missing in ∂L/∂k, which θ0 (a = 1) hides from the student's own check",
          [("np.sum(r * a * t_data * growth)", "np.sum(r * t_data * growth)")], ["q2"], 1 / 3, 1 / 3),
    wrong("the ½ of the loss forgotten: the gradient twice too long",
          [(_GRAD, _GRAD.replace("return np.array(", "return 2 * np.array("))], ["q2"], 1 / 6, 1 / 6),
    wrong("a wrong gradient with rel_error typed in as 0 (nothing recomputed it before)",
          [(_RESIDUAL, "    r = y_data - a * growth\n"), (_REL_ERROR, "rel_error = 0.0")], ["q2"], 0.0),
    wrong("the library's numerical gradient where the question asks for a derivation",
          [(_GRAD, "    return dd.numerical_grad(loss, theta)\n")], ["q2"], 1 / 6),
    wrong("a forward difference in place of the central one (it bends: the error falls like h)",
          [(_CENTRAL, "(f(x + h) - f(x)) / h")], ["q3"], 1 / 6, 1 / 6),
    wrong("the central difference divided by h, not 2h (it breaks: twice the derivative)",
          [(_CENTRAL, "(f(x + h) - f(x - h)) / h")], ["q3"], 0.0),
    wrong("the precedence slip / 2 * h, which multiplies by h",
          [(_CENTRAL, "(f(x + h) - f(x - h)) / 2 * h")], ["q3"], 0.0),
    wrong("dd.central_difference called where the question asks for the formula",
          [(_CENTRAL, "dd.central_difference(f, x, h)")], ["q3"], 1.25 / 3),
    wrong("order typed in as the prediction 2 instead of fitted",
          [(_ORDER, "order = 2.0")], ["q3"], 2.5 / 3, 2.5 / 3),
    wrong("the 1/N of the mean squared error forgotten in the gradient",
          [(_LS_GRAD, "    return X.T @ (X @ theta - y)\n")], ["q4"], 1.75 / 3, 1.75 / 3),
    wrong("the gradient divided by d = len(theta) instead of N",
          [(_LS_GRAD, "    return X.T @ (X @ theta - y) / len(theta)\n")], ["q4"], 1.75 / 3),
    wrong("the sign of the least-squares gradient flipped: costs more than a wrong 1/N",
          [(_LS_GRAD, "    return X.T @ (y - X @ theta) / len(y)\n")], ["q4"], 1.25 / 3),
    wrong("the normal equations solved by forming the inverse, which the question forbids",
          [(_LS_SOLVE, "    return np.linalg.inv(X.T @ X) @ X.T @ y\n")], ["q4"], 1.75 / 3),
    wrong("zeros of the right shape everywhere",
          [(_THETA, "    return 0.0\n"),
           (_LAM_HALF, "lam_half = 0.0"),
           (_COMPLEX, "0.0 * h"),
           (_CS_ERRORS, "cs_errors = np.zeros(4)"),
           (_CD_ERRORS, "cd_errors = np.zeros(4)"),
           (_GRAD, "    return np.zeros(2)\n"),
           (_REL_ERROR, "rel_error = 0.0"),
           (_CENTRAL, "0.0 * (x + h)"),
           (_ERRORS, "errors = np.zeros(3)"),
           (_ORDER, "order = 0.0"),
           (_LS_GRAD, "    return np.zeros(np.shape(theta))\n"),
           (_LS_SOLVE, "    return np.zeros(X.shape[1])\n")],
          ["q1", "q2", "q3", "q4", "q6_complex"], 0.0),
    right("dot products (with the penalty), .imag, the partial derivatives named, the difference divided "
          "twice, errors in a loop, order from natural logarithms, and the gradient as a row vector times X",
          [(_THETA, "    return float(x @ y / (x @ x + lam))\n"),
           (_LAM_HALF, "lam_half = x_two @ x_two"),
           (_COMPLEX, "(f(x + h * 1j)).imag / h"),
           (_CS_ERRORS, "cs_errors = np.array([abs(complex_step(np.exp, P.x6, h) - np.exp(P.x6)) for h in hs6])"),
           (_GRAD, "    d_da, d_dk = growth, a * t_data * growth\n    return np.array([r @ d_da, r @ d_dk])\n"),
           (_CENTRAL, "(f(x + h) - f(x - h)) / h / 2"),
           (_ERRORS, "errors = np.array([abs(central_diff(np.exp, P.x3, h) - np.exp(P.x3)) for h in hs])"),
           (_ORDER, "order = np.polyfit(np.log(hs), np.log(errors), 1)[0]"),
           (_LS_GRAD, "    return (X @ theta - y) @ X / X.shape[0]\n")],
          ["q1", "q2", "q3", "q4", "q6_complex"]),
]
