"""Wrong answers to homework 6 (line search), and a right one in another style.

q1's points are 0.5 for each public test, 0 for the form check, 0.5 for the step sizes
anywhere, 1 for the longer runs and the measured cosines, and 0.5 for "each exact step goes
downhill": a step size upside down or a gradient of the wrong sign breaks the method and
keeps at most 1 of 3. q2's are 0.5 for the public search, 0 for the form check, 0.5 for the
other searches, 0.75 for the paths, 0.5 for the Armijo margins (recomputed, a typed-in 0
earns nothing) and 0.75 for "each step goes downhill": trials off by one only bends the
method and keeps 2 of 3, a path that climbs keeps 1. q4's are 0.75 for the public example
(weak and strong), 0 for the form check, 1.25 for the gaps anywhere and 1 for the verdicts.
q3's are 0.5 for the two tiny public runs, 0 for the form check, 0.75 for other runs and 0.25
for each of the three numbers on the ravine (steps, evaluations, largest step): a grid that does
not follow the step, or steps the wrong way, keeps nothing; counting one gradient too many costs
only the evaluations and keeps 1.75 of 2. q5_flat's are 0 for the form check and 0.25 each for the
trials and the ratios: a search that starts from η₀ = 1 instead of the best step gets neither, ratios
upside down keep the trials. q6_uphill's are 0 for the form check, 0.2 for the restarts with c = 1e-4
and 0.1 each for the restarts with c = 0.3 and the two step counts: the steps counted with the start
keep the restarts; an Armijo test with c η ‖d‖² (question 2's, along d) changes nothing with c = 1e-4,
but with c = 0.3 it never converges and restarts another number of times, so it loses uphill_large and
steps_large.
"""

from bank import right, wrong

_EXACT_RETURN = "    return gg / float(g @ np.asarray(H, dtype=float) @ g)\n"
_EXACT_LOOP = ("    thetas = [np.array(theta0, dtype=float)]\n    for _ in range(steps):\n"
               "        g = A @ thetas[-1] - b\n        thetas.append(thetas[-1] - exact_step(g, A) * g)\n")
_ARMIJO_TEST = "    while f(theta - eta * g) > f0 - c * eta * gg:\n"
_PATH_STEP = "        thetas.append(thetas[-1] - eta * g)\n"
_GAPS = "    return np.array([phi - phi0 - c1 * eta * dphi0, curvature])\n"
_CURVATURE = "    curvature = abs(dphi) - c2 * abs(dphi0) if strong else c2 * dphi0 - dphi\n"

ANSWERS = [
    wrong("the exact step upside down, gᵀHg / gᵀg",
          [(_EXACT_RETURN, "    return float(g @ np.asarray(H, dtype=float) @ g) / gg\n")],
          ["q1"], 0.2),
    wrong("the gradient's sign flipped in the exact path (b − Aθ): every step climbs",
          [("        g = A @ thetas[-1] - b\n", "        g = b - A @ thetas[-1]\n")],
          ["q1"], 0.34),
    wrong("θ updated in place in the exact path, so every row is the last θ (aliasing)",
          [(_EXACT_LOOP, "    theta = np.array(theta0, dtype=float)\n    thetas = [theta]\n"
                         "    for _ in range(steps):\n        g = A @ theta - b\n"
                         "        theta -= exact_step(g, A) * g\n        thetas.append(theta)\n")],
          ["q1"], 0.34),
    wrong("the library's exact line search called where the question asks for the loop",
          [(_EXACT_LOOP, "    thetas = dd.run(dd.exact_line_search(), dd.quadratic(A, b), theta0, steps=steps).xs\n"
                         "    thetas = list(thetas)\n")],
          ["q1"], 0.34),
    wrong("the trials counted from 0 (off by one): bends the search, keeps the path",
          [("    eta, trials = eta0, 1\n", "    eta, trials = eta0, 0\n")],
          ["q2"], 0.67, 0.6),
    wrong("τ and 1 − τ swapped in backtracking",
          [("        eta, trials = tau * eta, trials + 1\n", "        eta, trials = (1 - tau) * eta, trials + 1\n")],
          ["q2"], 0.42),
    wrong("the Armijo test with the sign of c η‖g‖² flipped (it accepts steps that climb; the searches tested pick the same step)",
          [(_ARMIJO_TEST, "    while f(theta - eta * g) > f0 + c * eta * gg:\n")],
          ["q2"], 0.34),
    wrong("the backtracking path steps along +g: a broken method costs more than trials off by one",
          [(_PATH_STEP, "        thetas.append(thetas[-1] + eta * g)\n")],
          ["q2"], 0.34),
    wrong("armijo_margins typed in as zeros (a self-reported number)",
          [("armijo_margins = rosen_losses[1:] - rosen_losses[:-1] + P.c_rosen * np.sum(rosen_grads * (rosen_path[:-1] - rosen_path[1:]), axis=1)",
            "armijo_margins = np.zeros(100)")],
          ["q2"], 0.84),
    wrong("the grid does not follow the step: the candidates are multiples of eta_init at every step",
          [("        candidates = [m * eta for m in factors]\n", "        candidates = [m * eta_init for m in factors]\n")],
          ["q3"], 0.25),
    wrong("the grid moves to the candidate with the highest loss",
          [("        eta = candidates[int(np.argmin(losses))]\n", "        eta = candidates[int(np.argmax(losses))]\n")],
          ["q3"], 0.25),
    wrong("the grid steps along +g after testing the candidates along −g",
          [("        theta = theta - eta * g\n        thetas.append(theta)\n        etas.append(eta)\n",
            "        theta = theta + eta * g\n        thetas.append(theta)\n        etas.append(eta)\n")],
          ["q3"], 0.25),
    wrong("the gradient that only tests convergence counted too (a counting slip keeps the method's points)",
          [("follow_evals = follow_steps * (3 + 1)", "follow_evals = follow_steps * (3 + 1) + 1")],
          ["q3"], 0.88, 0.85),
    wrong("the Armijo gap with + c₁ η φ′(0)",
          [(_GAPS, "    return np.array([phi - phi0 + c1 * eta * dphi0, curvature])\n")],
          ["q4"], 0.34),
    wrong("the strong curvature gap without the absolute values",
          [(_CURVATURE, "    curvature = dphi - c2 * abs(dphi0) if strong else c2 * dphi0 - dphi\n")],
          ["q4"], 0.5),
    wrong("the weak curvature gap with its sign flipped",
          [(_CURVATURE, "    curvature = abs(dphi) - c2 * abs(dphi0) if strong else dphi - c2 * dphi0\n")],
          ["q4"], 0.5),
    wrong("dd.check_wolfe called where the question asks for the gaps by hand",
          [(_GAPS, "    w = dd.check_wolfe(problem, theta, eta, c1=c1, c2=c2, strong=strong)\n"
                   "    curvature = abs(w.dphi) - c2 * abs(w.dphi0) if strong else c2 * w.dphi0 - w.dphi\n"
                   "    return np.array([w.phi - w.phi0 - c1 * eta * w.dphi0, curvature])\n")],
          ["q4"], 0.34),
    wrong("q5a's search starts from η₀ = 1 at every step instead of the best step |θ|^(2−p)",
          [("    eta, trials = abs(theta) ** (2 - P.p5), 1\n", "    eta, trials = 1.0, 1\n")],
          ["q5_flat"], 0.1),
    wrong("q5a's ratios upside down, L(θ_t) / L(θ_{t+1})",
          [("    ratio_list.append(flat_loss(theta - eta * g) / flat_loss(theta))\n",
            "    ratio_list.append(flat_loss(theta) / flat_loss(theta - eta * g))\n")],
          ["q5_flat"], 0.5, 0.5),
    wrong("q6a's steps counted with the start (one too many; the restarts are right)",
          [("    return uphill, steps\n", "    return uphill, steps + 1\n")],
          ["q6_uphill"], 0.6, 0.6),
    wrong("q6a's Armijo test with c η ‖d‖², question 2's condition, instead of −c η gᵀd along d",
          [("        while problem.f(theta + eta * d) > f0 + c * eta * slope:\n",
            "        while problem.f(theta + eta * d) > f0 - c * eta * (d @ d):\n")],
          ["q6_uphill"], 0.6),
    wrong("zeros of the right shape everywhere",
          [(_EXACT_RETURN, "    return 0.0\n"),
           ("    return np.array(thetas)\n", "    return np.zeros((steps + 1, np.size(theta0)))\n"),
           ("cos_two_apart = np.sum(grads3[2:] * grads3[:-2], axis=1) / (norms3[2:] * norms3[:-2])",
            "cos_two_apart = np.zeros(24)"),
           ("    return eta, trials\n", "    return 0.0, 0\n"),
           ("armijo_margins = rosen_losses[1:] - rosen_losses[:-1] + P.c_rosen * np.sum(rosen_grads * (rosen_path[:-1] - rosen_path[1:]), axis=1)",
            "armijo_margins = np.zeros(100)"),
           (_GAPS, "    return np.zeros(2)\n"),
           ("    return np.array(thetas), np.array(etas)\n",
            "    return np.zeros((max_steps + 1, np.size(theta0))), np.zeros(max_steps)\n"),
           ("follow_eta_max = float(np.max(follow_etas))", "follow_eta_max = 0.0"),
           ("flat_trials = np.array(trials_list)", "flat_trials = np.zeros(6)"),
           ("flat_ratios = np.array(ratio_list)", "flat_ratios = np.zeros(6)"),
           ("uphill_small = small[0]", "uphill_small = 0"), ("steps_small = small[1]", "steps_small = 0"),
           ("uphill_large = large[0]", "uphill_large = 0"), ("steps_large = large[1]", "steps_large = 0")],
          ["q1", "q2", "q3", "q4", "q5_flat", "q6_uphill"], 0.2),
    right("the step with np.dot, backtracking as a for loop, the gaps with np.vdot",
          [(_EXACT_RETURN, "    H = np.asarray(H, dtype=float)\n    return np.dot(g, g) / np.dot(g, np.dot(H, g))\n"),
           ("    eta, trials = eta0, 1\n    while f(theta - eta * g) > f0 - c * eta * gg:\n"
            "        eta, trials = tau * eta, trials + 1\n    return eta, trials\n",
            "    for trials in range(1, 100_000):\n        eta = eta0 * tau ** (trials - 1)\n"
            "        if f(theta - eta * g) <= f0 - c * eta * gg:\n            return eta, trials\n"),
           (_GAPS, "    slope = np.vdot(problem.grad(theta - eta * g), g)\n"
                   "    return np.array([phi - phi0 + c1 * eta * np.vdot(g, g),\n"
                   "                     abs(slope) - c2 * np.vdot(g, g) if strong else slope - c2 * np.vdot(g, g)])\n")],
          ["q1", "q2", "q4"]),
]
