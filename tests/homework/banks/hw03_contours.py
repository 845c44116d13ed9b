"""Wrong answers to homework 3 (contours), and a right one in another style.

q1's points are 0.5 for the gradient at one point, 0.25 for the cosines recomputed with the
student's own grad_L, 0.75 for the gradient at many points, 0.75 for the cosines against the
true gradient and 0.75 for "grad_L points uphill": a slip in the cosine (no absolute value, one
length only) keeps the 2 points of the gradient, a wrong gradient keeps at most the uphill test,
and a gradient with its sign flipped keeps only the cosines, which do not see the sign.
q2: 0.5 public, 0.75 for axis_ratio on other matrices, 0.5 for the semi-axes, 0.25 for the ratio
measured on the traced curve (recomputed there, so reporting axis_ratio(A) loses it).
q3: 0.5 public, 1 for other quadratics, 1 for the neuron's ratios, 0.5 for "the measured gap
tends to Δc/‖∇L‖ as Δc → 0": a bisection stopped early keeps that 0.5, a walk of the wrong
length or a wrong prediction keeps nothing.
q4_map: 0.25 for the public check that the steps are η‖∇L‖ and the gradient larger at U, and
0.15 for each of the five values, one hidden test each (a wrong rule for the gradients keeps
slope_W's 0.15; steps without η keep the gradients and slope_W, 0.45).
q5_rate: 0.25 for the public check that the three numbers agree with each other, 0.25 for
each value: a wrong bound keeps only the public quarter.
"""

from bank import right, wrong

_GRAD = "    return np.stack([4 * theta[0] ** 3 + theta[1], 2 * theta[1] + theta[0]])\n"
_COS = ("cosines = np.abs(np.sum(chords * gradients, axis=1)) / "
        "(np.linalg.norm(chords, axis=1) * np.linalg.norm(gradients, axis=1))")
_RATIO = "    return float(np.sqrt(lam.max() / lam.min()))\n"
_PREDICTED = "    return dc / np.linalg.norm(problem.grad(np.asarray(theta, dtype=float)))  # SOLUTION\n"
_BISECT = ("    while hi - lo > 1e-12 * hi:\n        mid = (lo + hi) / 2\n"
           "        if problem.f(theta + mid * u) < target:\n            lo = mid\n"
           "        else:\n            hi = mid\n    return (lo + hi) / 2\n")
_GRAD_U, _GRAD_V = "grad_U = P.dc_map / P.gap_U  # SOLUTION", "grad_V = P.dc_map / P.gap_V  # SOLUTION"
_ETA_MAX = "eta_max = 2 / P.kappa  # SOLUTION"
_RATIOS = ("ratios = np.array([[measured_gap(neuron, p, d) / predicted_gap(neuron, p, d) for d in dcs] "
           "for p in points])")

ANSWERS = [
    wrong("∂L/∂θ₁ without the cross term's θ₂",
          [(_GRAD, _GRAD.replace("4 * theta[0] ** 3 + theta[1]", "4 * theta[0] ** 3"))], ["q1"], 0.25),
    wrong("the exponent off by one: 4θ₁² in place of 4θ₁³",
          [(_GRAD, _GRAD.replace("theta[0] ** 3", "theta[0] ** 2"))], ["q1"], 0.25),
    wrong("grad_L's sign flipped (it points downhill): keeps only the sign-blind cosines",
          [(_GRAD, _GRAD.replace("return np.stack(", "return -np.stack("))], ["q1"], 0.34, 0.33),
    wrong("the cosine without its absolute value",
          [(_COS, _COS.replace("np.abs(np.sum(chords * gradients, axis=1))", "np.sum(chords * gradients, axis=1)"))],
          ["q1"], 0.67, 0.66),
    wrong("the cosine divided by the chord's length only",
          [(_COS, "cosines = np.abs(np.sum(chords * gradients, axis=1)) / np.linalg.norm(chords, axis=1)")],
          ["q1"], 0.67, 0.66),
    wrong("max_cos typed in as 0, cosines as zeros",
          [("max_cos = cosines.max()", "cosines, max_cos = np.zeros(len(chords)), 0.0")], ["q1"], 0.67),
    wrong("the axis ratio without the square root (κ itself)",
          [(_RATIO, "    return float(lam.max() / lam.min())\n")], ["q2"], 0.375),
    wrong("the axis ratio from the diagonal entries instead of the eigenvalues",
          [("    lam = np.linalg.eigvalsh(A)\n", "    lam = np.diag(A)\n")], ["q2"], 0.375),
    wrong("the semi-axes long first",
          [("np.linalg.eigvalsh(A)[::-1])", "np.linalg.eigvalsh(A))")], ["q2"], 0.75, 0.75),
    wrong("the semi-axes without the factor 2: √(c/λ)",
          [("np.sqrt(2 * P.level2 / np.linalg.eigvalsh(A)[::-1])", "np.sqrt(P.level2 / np.linalg.eigvalsh(A)[::-1])")],
          ["q2"], 0.75, 0.75),
    wrong("measured_ratio reported from A instead of measured on the curve",
          [("measured_ratio = distances.max() / distances.min()", "measured_ratio = axis_ratio(A)")],
          ["q2"], 0.875, 0.875),
    wrong("the walk along ∇L instead of the unit vector u",
          [("    u = g / np.linalg.norm(g)\n", "    u = g\n")], ["q3"], 0.0),
    wrong("the predicted gap with ‖∇L‖² (a wrong rule)",
          [(_PREDICTED, _PREDICTED.replace(")))  # SOLUTION", "))) ** 2  # SOLUTION"))], ["q3"], 0.0),
    wrong("the bisection stopped at a relative accuracy of 1e-4 (a slip that bends)",
          [("    while hi - lo > 1e-12 * hi:\n", "    while hi - lo > 1e-4 * hi:\n")], ["q3"], 0.17, 0.16),
    wrong("the bisection keeps the wrong half (it converges to the right end)",
          [(_BISECT, _BISECT.replace("            lo = mid\n        else:\n            hi = mid\n",
                                     "            hi = mid\n        else:\n            lo = mid\n"))],
          ["q3"], 0.0),
    wrong("ratios transposed (rows Δc, columns points)",
          [(_RATIOS, _RATIOS + ".T")], ["q3"], 0.67),
    wrong("the library's step_to_level called for the measured gap",
          [("    target = problem.f(theta) + dc\n",
            "    return float(np.linalg.norm(dd.calculus.step_to_level(problem, theta, dc)))\n")], ["q3"], 0.0),
    wrong("the map's gradients read as gap / Δc (the rule upside down)",
          [(_GRAD_U, "grad_U = P.gap_U / P.dc_map  # SOLUTION"), (_GRAD_V, "grad_V = P.gap_V / P.dc_map  # SOLUTION")],
          ["q4_map"], 0.15, 0.15),
    wrong("the first steps without η (step = ‖∇L‖): keeps the gradients and slope_W",
          [("step_U = P.eta_map * grad_U", "step_U = grad_U"), ("step_V = P.eta_map * grad_V", "step_V = grad_V")],
          ["q4_map"], 0.45, 0.45),
    wrong("the valley's bound taken as 1/λ_max (where the zig-zag starts) instead of 2/λ_max",
          [(_ETA_MAX, "eta_max = 1 / P.kappa  # SOLUTION")], ["q5_rate"], 0.25, 0.25),
    wrong("the steps counted down to 1e-6 from 1 instead of from x₁,₀",
          [("np.log(1e-6 / P.x1_start)", "np.log(1e-6)")], ["q5_rate"], 0.5, 0.5),
    wrong("zeros of the right shape everywhere",
          [(_GRAD, "    return np.zeros(np.shape(theta))\n"),
           (_COS, "cosines = np.zeros(len(chords))"),
           (_RATIO, "    return 0.0\n"),
           ("semi_axes = np.sqrt(2 * P.level2 / np.linalg.eigvalsh(A)[::-1])", "semi_axes = np.zeros(2)"),
           ("measured_ratio = distances.max() / distances.min()", "measured_ratio = 0.0"),
           (_PREDICTED, "    return 0.0\n"),
           ("    target = problem.f(theta) + dc\n", "    return 0.0\n"),
           (_RATIOS, "ratios = np.zeros((3, 3))"),
           ("grad_U, grad_V, step_U, step_V, slope_W", "grad_U = grad_V = step_U = step_V = slope_W = 0.0"),
           ("eta_max, factor_x1, steps_x1", "eta_max = factor_x1 = steps_x1 = 0.0")],
          ["q1", "q2", "q3", "q4_map", "q5_rate"], 0.0),
    right("the gradient as an array of rows, the cosines from dd.calculus.chord_cosines, κ from np.linalg.cond, "
          "a bisection of a fixed 200 halvings",
          [(_GRAD, "    return np.array([4 * theta[0]**3 + theta[1], theta[0] + 2 * theta[1]])\n"),
           (_COS, "cosines = dd.calculus.chord_cosines(surface, curve)"),
           (_RATIO, "    return float(np.linalg.cond(A)) ** 0.5\n"),
           ("    while hi - lo > 1e-12 * hi:\n", "    for _ in range(200):\n")],
          ["q1", "q2", "q3"]),
]
