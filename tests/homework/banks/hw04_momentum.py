"""Wrong answers to homework 4 (momentum and Nesterov), and a right one in another style.

q1's points are 0.75 for the public short run, 0 for the form check, 1 for the hidden runs
elsewhere, 0.5 for the valley path (which must come from the student's own heavy_ball) and 0.75
for "heavy ball goes downhill": a slip that bends the method (a velocity that starts at ηg₀, a
velocity averaged with 1 − β) keeps 0.75 of 3, a mistake that breaks it (a flipped sign, an
aliased path, the library called) keeps nothing. q3 likewise: a bent nag_torch keeps its
"downhill" 0.5 and the 1.25 of cs7015_from_lookahead, a flipped sign only the latter.
"""

from bank import right, wrong

_HB_STEP = "        u = beta * u + eta * np.asarray(grad(theta), dtype=float)\n        theta = theta - u\n"
_NAG_STEP = "        b = beta * b + g\n        theta = theta - eta * (g + beta * b)\n"
_CS7015 = ("    steps = [lookaheads[0]] + [p - eta * np.asarray(grad(p), dtype=float) for p in lookaheads[:-1]]\n")

ANSWERS = [
    wrong("the sign of heavy ball's step flipped (it climbs)",
          [(_HB_STEP, _HB_STEP.replace("theta = theta - u", "theta = theta + u"))],
          ["q1"], 0.0),
    wrong("θ updated in place, so every row of the path is the last θ (aliasing)",
          [(_HB_STEP, _HB_STEP.replace("theta = theta - u", "theta -= u"))],
          ["q1"], 0.0),
    wrong("the velocity averaged, u = βu + (1 − β)ηg: bends the method, keeps 'downhill'",
          [(_HB_STEP, _HB_STEP.replace("u = beta * u + eta *", "u = beta * u + (1 - beta) * eta *"))],
          ["q1"], 0.25, 0.25),
    wrong("the velocity starts at ηg₀ instead of 0 (off by one): bends the method",
          [("    u = np.zeros_like(theta)\n    thetas = [theta]\n    for _ in range(steps):\n        u = beta",
            "    u = eta * np.asarray(grad(theta), dtype=float)\n    thetas = [theta]\n    for _ in range(steps):\n"
            "        u = beta")],
          ["q1"], 0.25, 0.25),
    wrong("the library's momentum called where the question asks for the loop",
          [("def heavy_ball(grad, theta0, eta, beta, steps):\n",
            "def heavy_ball(grad, theta0, eta, beta, steps):\n"
            "    problem = dd.Problem(f=lambda x: 0.0, grad=grad, dim=len(theta0))\n"
            "    return dd.run(dd.momentum(eta=eta, beta=beta), problem, theta0, steps=steps).xs\n")],
          ["q1"], 0.0),
    wrong("nag_torch steps with the old buffer b_(t−1): bends the method",
          [(_NAG_STEP, "        theta = theta - eta * (g + beta * b)\n        b = beta * b + g\n")],
          ["q3"], 0.6, 0.55),
    wrong("nag_torch is heavy ball in PyTorch's form (θ̃ − ηb): bends the method",
          [(_NAG_STEP, "        b = beta * b + g\n        theta = theta - eta * b\n")],
          ["q3"], 0.6, 0.55),
    wrong("the sign of nag_torch's step flipped: costs more than a bent method",
          [(_NAG_STEP, _NAG_STEP.replace("theta = theta - eta", "theta = theta + eta"))],
          ["q3"], 0.42),
    wrong("CS7015's iterates one step early: no θ₀ row, a gradient step from every look-ahead point",
          [(_CS7015, "    steps = [p - eta * np.asarray(grad(p), dtype=float) for p in lookaheads]\n")],
          ["q3"], 0.59),
    wrong("CS7015's iterates with the library's nesterov_gradient_points",
          [(_CS7015, "    problem = dd.Problem(f=lambda x: 0.0, grad=lambda x: np.apply_along_axis(grad, 0, x), "
                     "dim=lookaheads.shape[1])\n"
                     "    return dd.theory.nesterov_gradient_points(lookaheads, problem, eta)\n"
                     "    steps = None\n")],
          ["q3"], 0.59),
    wrong("hb_rate takes the largest real part of the roots, not their size",
          [("np.abs(np.roots([1.0, -(1 + beta - eta * lam), beta])).max()",
            "np.abs(np.roots([1.0, -(1 + beta - eta * lam), beta]).real).max()")],
          ["q4"], 0.42),
    wrong("zeros of the right shape everywhere",
          [("    return np.array(thetas)\n", "    return np.zeros((steps + 1, np.size(theta0)))\n"),
           (_CS7015, "    steps = np.zeros(np.shape(lookaheads))\n"),
           ("    return -eta * c / (1 - beta) * (T - beta * (1 - beta**T) / (1 - beta))\n", "    return np.zeros(2)\n"),
           ("u_terminal = eta * c / (1 - beta)  # SOLUTION", "u_terminal = np.zeros(2)  # SOLUTION"),
           ("steps_to_95 = int(np.ceil(np.log(0.05) / np.log(beta))) - 1  # SOLUTION", "steps_to_95 = 0  # SOLUTION"),
           ("    return float(max(np.abs(np.roots([1.0, -(1 + beta - eta * lam), beta])).max() for lam in eigenvalues))\n",
            "    return 0.0\n"),
           ("eta_hb = 4 / (np.sqrt(lam_min) + np.sqrt(lam_max)) ** 2  # SOLUTION", "eta_hb = 0.0  # SOLUTION"),
           ("beta_hb = ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2  # SOLUTION", "beta_hb = 0.0  # SOLUTION"),
           ("rho_hb = hb_rate(eta_hb, beta_hb, lam)  # SOLUTION", "rho_hb = 0.0  # SOLUTION"),
           ("rho_gd = (kappa - 1) / (kappa + 1)  # SOLUTION", "rho_gd = 0.0  # SOLUTION"),
           ("speedup = np.log(rho_hb) / np.log(rho_gd)  # SOLUTION", "speedup = 0.0  # SOLUTION")],
          ["q1", "q2", "q3", "q4"], 0.0),
    right("heavy ball in Goodfellow et al.'s form (v = βv − ηg, θ += v, into a preallocated array), "
          "CS7015's iterates as one array expression, hb_rate from the companion matrices",
          [("    theta = np.array(theta0, dtype=float)\n    u = np.zeros_like(theta)\n    thetas = [theta]\n"
            "    for _ in range(steps):\n" + _HB_STEP + "        thetas.append(theta)\n    return np.array(thetas)\n",
            "    theta0 = np.asarray(theta0, dtype=float)\n    out = np.empty((steps + 1, theta0.size))\n"
            "    out[0] = theta0\n    v = np.zeros(theta0.size)\n    for t in range(steps):\n"
            "        v = beta * v - eta * np.asarray(grad(out[t]), dtype=float)\n        out[t + 1] = out[t] + v\n"
            "    return out\n"),
           (_CS7015, "    grads = np.array([grad(p) for p in lookaheads[:-1]], dtype=float).reshape(len(lookaheads) - 1, -1)\n"
                     "    steps = np.vstack([lookaheads[:1], lookaheads[:-1] - eta * grads])\n"),
           ("    return float(max(np.abs(np.roots([1.0, -(1 + beta - eta * lam), beta])).max() for lam in eigenvalues))\n",
            "    mats = [np.array([[1 + beta - eta * lam, -beta], [1.0, 0.0]]) for lam in np.atleast_1d(eigenvalues)]\n"
            "    return max(float(np.abs(np.linalg.eigvals(M)).max()) for M in mats)\n")],
          ["q1", "q3", "q4"]),
]
