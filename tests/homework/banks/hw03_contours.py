"""Wrong answers to homework 3 (contours), and a right one in another style.

q1's points are 0.5 for the gradient at one point, 0.25 for the cosines recomputed with the
student's own grad_L, 0.75 for the gradient at many points, 0.75 for the cosines against the
true gradient and 0.75 for "grad_L points uphill": a slip in the cosine (no absolute value, one
length only) keeps the 2 points of the gradient, a wrong gradient keeps at most the uphill test,
and a gradient with its sign flipped keeps only the cosines, which do not see the sign.
q2: 0.5 public, 0.75 for ellipse_area on other matrices and heights, 0.5 for the area measured on
the traced curve (recomputed there, so reporting the formula's value loses it), 0.25 for det A read
back from the measured area (det A computed from A itself loses it).
q3: 0.5 public, 1 for other quadratics, 1 for the neuron's ratios, 0.5 for "the measured gap
tends to Δc/‖∇L‖ as Δc → 0": a bisection stopped early keeps that 0.5, a walk of the wrong
length or a wrong prediction keeps nothing.
q4_map: 0.25 for the public check that the bounds at U and V hold the first-order Δc/gap and are not
negative, and 0.15 for each of the five bounds, one hidden test each (first-order values for both
bounds keep only the public quarter; Md for Md/2 in the upper bounds keeps 0.7; W's bound from one
side keeps 0.85).
q5_rate: 0.25 for the public check of the forms and orders, 0.25 for each value: a window from the
η_a step alone loses it and the public check, keeping 0.5; a pair's factor that forgets the η_b step
keeps 0.75.
"""

from bank import right, wrong

_GRAD = "    return np.stack([4 * theta[0] ** 3 + theta[1], 2 * theta[1] + theta[0]])\n"
_COS = ("cosines = np.abs(np.sum(chords * gradients, axis=1)) / "
        "(np.linalg.norm(chords, axis=1) * np.linalg.norm(gradients, axis=1))")
_AREA = "    return float(2 * np.pi * c / np.sqrt(np.linalg.det(A)))\n"
_MEASURED = "measured_area = 0.5 * abs(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))"
_DET = "det_from_area = (2 * np.pi * P.level2 / measured_area) ** 2"
_PREDICTED = "    return dc / np.linalg.norm(problem.grad(np.asarray(theta, dtype=float)))  # SOLUTION\n"
_BISECT = ("    while hi - lo > 1e-12 * hi:\n        mid = (lo + hi) / 2\n"
           "        if problem.f(theta + mid * u) < target:\n            lo = mid\n"
           "        else:\n            hi = mid\n    return (lo + hi) / 2\n")
_WINDOW = "window_a = np.array([(P.kappa - 2) / (P.kappa * (P.kappa - 1)), 1 / (P.kappa - 1)])"
_LO = "grad_{0}_lo = max(0.0, P.dc_map / P.gap_{0} - P.M_map * P.gap_{0} / 2)"
_HI = "grad_{0}_hi = P.dc_map / P.gap_{0} + P.M_map * P.gap_{0} / 2"
_W = "grad_W_hi = P.dc_map / (2 * s) + P.M_map * s / 2"
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
    wrong("the ellipse's area with semi-axes √(c/λ), without the factor 2 (πc/√det A), and det A read with it",
          [(_AREA, "    return float(np.pi * c / np.sqrt(np.linalg.det(A)))\n"),
           (_DET, _DET.replace("2 * np.pi", "np.pi"))], ["q2"], 0.25, 0.25),
    wrong("the area from the diagonal entries (a₁₁a₂₂ in place of det A)",
          [(_AREA, "    return float(2 * np.pi * c / np.sqrt(A[0][0] * A[1][1]))\n")], ["q2"], 0.375, 0.375),
    wrong("the polygon's area without the ½ of the shoelace formula",
          [(_MEASURED, "measured_area = abs(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))")], ["q2"], 0.625, 0.625),
    wrong("measured_area reported from the formula instead of measured on the curve",
          [(_MEASURED, "measured_area = ellipse_area(A, P.level2)")], ["q2"], 0.75, 0.75),
    wrong("det A read off the area without the square: 2πc/area",
          [(_DET, "det_from_area = 2 * np.pi * P.level2 / measured_area")], ["q2"], 0.875, 0.875),
    wrong("det_from_area computed from A itself, not read from the measured area",
          [(_DET, "det_from_area = np.linalg.det(A)")], ["q2"], 0.875, 0.875),
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
    wrong("the map's bounds at U and V both taken as the first-order Δc/gap, and W's as the average slope Δc/r",
          [(_LO.format(p), f"grad_{p}_lo = P.dc_map / P.gap_{p}") for p in "UV"]
          + [(_HI.format(p), f"grad_{p}_hi = P.dc_map / P.gap_{p}") for p in "UV"]
          + [(_W, "grad_W_hi = P.dc_map / P.radius_W")], ["q4_map"], 0.25, 0.25),
    wrong("the upper bounds at U and V with the curvature term Md in place of Md/2",
          [(_HI.format(p), _HI.format(p).replace(" / 2", "")) for p in "UV"], ["q4_map"], 0.7, 0.7),
    wrong("W's bound from one side only, L(W + su) − L(W) < Δc: √(2MΔc)",
          [("s = min(P.radius_W, np.sqrt(P.dc_map / P.M_map))", "s = min(P.radius_W, np.sqrt(2 * P.dc_map / P.M_map))"),
           (_W, "grad_W_hi = P.dc_map / s + P.M_map * s / 2")],
          ["q4_map"], 0.85, 0.85),
    wrong("the window of η_a from its own step alone, |1 − κη_a| < 1: (0, 2/κ)",
          [(_WINDOW, "window_a = np.array([0.0, 2 / P.kappa])")], ["q5_rate"], 0.5, 0.5),
    wrong("the pair's factor on x₂ without the η_b = 1 step: 1 − 1.01",
          [("factor_pair_x2 = (1 - P.kappa * 1.01 / P.kappa) * (1 - P.kappa)", "factor_pair_x2 = 1 - 1.01")],
          ["q5_rate"], 0.75, 0.75),
    wrong("zeros of the right shape everywhere",
          [(_GRAD, "    return np.zeros(np.shape(theta))\n"),
           (_COS, "cosines = np.zeros(len(chords))"),
           (_AREA, "    return 0.0\n"),
           (_MEASURED, "measured_area = 0.0"),
           (_DET, "det_from_area = 0.0"),
           (_PREDICTED, "    return 0.0\n"),
           ("    target = problem.f(theta) + dc\n", "    return 0.0\n"),
           (_RATIOS, "ratios = np.zeros((3, 3))"),
           (_W, "grad_W_hi = grad_U_lo = grad_U_hi = grad_V_lo = grad_V_hi = 0.0"),
           ("eta_pair = np.array([1 / P.kappa, 1.0])", "eta_pair = np.zeros(2)"),
           (_WINDOW, "window_a = np.zeros(2)"),
           ("factor_pair_x2 = (1 - P.kappa * 1.01 / P.kappa) * (1 - P.kappa)", "factor_pair_x2 = 0.0")],
          ["q1", "q2", "q3", "q4_map", "q5_rate"], 0.0),
    right("the gradient as an array of rows, the cosines from dd.calculus.chord_cosines, the area as πab from the "
          "eigenvalues and the polygon's area by pairs of points, a bisection of a fixed 200 halvings, W's bound "
          "minimised on a grid, the window as (1 ∓ 1/(κ − 1))/κ",
          [(_GRAD, "    return np.array([4 * theta[0]**3 + theta[1], theta[0] + 2 * theta[1]])\n"),
           (_COS, "cosines = dd.calculus.chord_cosines(surface, curve)"),
           (_AREA, "    lam = np.linalg.eigvalsh(A)\n    return float(np.pi * np.prod(np.sqrt(2 * c / lam)))\n"),
           (_MEASURED, "measured_area = abs(np.sum(x[:-1] * y[1:] - x[1:] * y[:-1]) + x[-1] * y[0] - x[0] * y[-1]) / 2"),
           ("    while hi - lo > 1e-12 * hi:\n", "    for _ in range(200):\n"),
           (_W,
            "grad_W_hi = min(P.dc_map / (2 * t) + P.M_map * t / 2 for t in np.linspace(1e-3, P.radius_W, 400_001))"),
           (_WINDOW, "window_a = (1 + np.array([-1.0, 1.0]) / (P.kappa - 1)) / P.kappa")],
          ["q1", "q2", "q3", "q4_map", "q5_rate"]),
]
