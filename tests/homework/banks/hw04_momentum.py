"""Wrong answers to homework 4 (momentum and Nesterov), and a right one in another style.

q1 (heavy ball with adaptive restart) has 0.75 for the public short run with restarts, 0 for the
form check, 0.25 for heavy ball without restarts, 1.25 for restarted runs elsewhere, 0.25 each for the
valley path (which must come from the student's own heavy_ball) and n_restarts, and 0.25 for "it
goes downhill" (plain heavy ball passes it too, so it carries little): a slip that bends the method (a
velocity that starts at ηg₀, a velocity averaged with 1 − β) keeps 0.25 of 3, a wrong restart (the
test the wrong way round, a restart that stops the ball) keeps heavy ball without restarts and
"downhill", 0.5 of 3, a mistake that breaks it (a flipped sign, an aliased path, the library called)
keeps nothing; a wrong count keeps 2.75.
q3's points follow the code, not the coupling: 0.25 public ys, 0.75 the public check that ys and zs
follow the coupled form with the student's own coupling, 0.25 each for τ and γ, 0.25 for ys and 1 for zs
elsewhere, 0.25 for "ys and zs go downhill". A wrong coupling keeps the consistency check; the right
coupling with wrong zs (aliased, or zs = ys from the chapter's form) keeps 1 or 1.25 of 3 (it kept
2.25 when τ and γ carried 0.5 each and zs 0.25); a flipped sign or the library keeps only what does not
depend on it.
q2: a wrong velocity keeps only the public check that t_turn and overshoot agree with it (0.25
of 2); a right velocity with t_turn or the overshoot off by one keeps its 1 point. q4: a wrong
best β keeps hb_rate's 1.5 and the consistency check's 0.25 of 3. q5_memory: one test each for
memory, period, the first overshoot and its step, the fixes' periods and the three steps_100 (0.25 each of 1.25), so a
wrong memory or a wrong period keeps 1 of 1.25, and so does a wrong first_overshoot or steps_100. Every answer is checked in
the published edition; the constants come from P (descend.variants.hw04_momentum). q6_numbers: one
test per number (0.25 each); its solution runs the library, so a wrong heavy_ball, nag_coupled or
hb_rate costs no points there.
"""

from bank import right, wrong

_HB_STEP = "        u = beta * u + eta * g\n        theta = theta - u\n"
_RESTART = "        if restart and g @ u < 0:           # the last step went uphill: forget the velocity\n"
_COUPLING = "    return 1 - beta, eta / (1 - beta)\n"
_MIX = "(1 - tau) * theta + tau * z"
_Z_STEP = "        z = z - gamma * g\n"
_COUPLED_BODY = ("    tau, gamma = coupling(eta, beta)\n    theta = np.array(theta0, dtype=float)\n    z = theta.copy()\n"
                 "    ys, zs = [], [z]\n    for _ in range(steps):\n        y = (1 - tau) * theta + tau * z\n"
                 "        g = np.asarray(grad(y), dtype=float)\n        ys.append(y)\n        theta = y - eta * g\n"
                 "        z = z - gamma * g\n        zs.append(z)\n    ys.append((1 - tau) * theta + tau * z)\n"
                 "    return np.array(ys), np.array(zs)\n")
_VELOCITY = "    return eta * g / (1 - beta) * (2 * beta ** (t - s + 1) - beta ** (t + 1) - 1)\n"
_T_TURN = "t_turn = next(t for t in range(s, 100 * s) if velocity(t, g, eta, beta, s) < 0)  # SOLUTION"
_OVERSHOOT = "overshoot = sum(velocity(t, g, eta, beta, s) for t in range(s, t_turn))  # SOLUTION"
_BETA_FIXED = "beta_fixed = (1 - np.sqrt(eta_fixed * lam.min())) ** 2  # SOLUTION"
_RHO_FIXED = "rho_fixed = hb_rate(eta_fixed, beta_fixed, lam)  # SOLUTION"
_STEP_RATIO = "step_ratio = np.log((root_kappa - 1) / (root_kappa + 1)) / np.log(rho_fixed)  # SOLUTION"
_MEMORY = "memory = 1 / np.log(1 / beta_big)  # SOLUTION"
_PERIOD = "period = 2 * np.pi / abs(np.angle(np.roots([1.0, -(1 + beta_big - etalam), beta_big])[0]))  # SOLUTION"
_SETTLE = "    return int(np.nonzero(np.abs(e) >= 0.01)[0][-1]) + 1  # SOLUTION NO PROMPT"
_OVERSHOOT5 = "first_overshoot = -e_her.min()  # SOLUTION"
_PATH_NAG = "path_nag = dd.run(dd.nesterov(eta=eta6, beta=beta6), valley, list(P.start), steps=10).xs  # SOLUTION"
_STEEP_HB = "steep_hb = (path_hb @ Q_v)[[0, 1, 2, 10], 1]  # SOLUTION"
_STEEP_NAG = "steep_nag = (path_nag @ Q_v)[[0, 1, 2, 10], 1]  # SOLUTION"
_RATE_HB = "rate_hb = max(float(np.abs(np.roots([1.0, -(1 + beta6 - eta6 * l), beta6])).max()) for l in lam_v)  # SOLUTION"
_RATE_NAG = ("rate_nag = max(float(np.abs(np.roots([1.0, -(1 + beta6) * (1 - eta6 * l), beta6 * (1 - eta6 * l)])).max()) "
             "for l in lam_v)  # SOLUTION")

ANSWERS = [
    wrong("the sign of heavy ball's step flipped (it climbs)",
          [(_HB_STEP, _HB_STEP.replace("theta = theta - u", "theta = theta + u"))],
          ["q1"], 0.0),
    wrong("θ updated in place, so every row of the path is the last θ (aliasing)",
          [(_HB_STEP, _HB_STEP.replace("theta = theta - u", "theta -= u"))],
          ["q1"], 0.0),
    wrong("the velocity averaged, u = βu + (1 − β)ηg: bends the method, keeps 'downhill'",
          [(_HB_STEP, _HB_STEP.replace("u = beta * u + eta * g", "u = beta * u + (1 - beta) * eta * g"))],
          ["q1"], 0.09, 0.08),
    wrong("the velocity starts at ηg₀ instead of 0 (off by one): bends the method",
          [("    u = np.zeros_like(theta)\n    thetas = [theta]\n",
            "    u = eta * np.asarray(grad(theta), dtype=float)\n    thetas = [theta]\n")],
          ["q1"], 0.09, 0.08),
    wrong("the library's momentum called where the question asks for the loop",
          [("def heavy_ball(grad, theta0, eta, beta, steps, restart=False):\n",
            "def heavy_ball(grad, theta0, eta, beta, steps, restart=False):\n"
            "    problem = dd.Problem(f=lambda x: 0.0, grad=grad, dim=len(theta0))\n"
            "    return dd.run(dd.momentum(eta=eta, beta=beta), problem, theta0, steps=steps).xs\n")],
          ["q1"], 0.0),
    wrong("the restart test the wrong way round: the velocity forgotten while the ball goes downhill (g · u > 0)",
          [(_RESTART, _RESTART.replace("g @ u < 0", "g @ u > 0"))],
          ["q1"], 0.17),
    wrong("a restart that stops the ball for a step (u = 0 and no step from θ_t) instead of a gradient step",
          [(_RESTART + "            u = np.zeros_like(theta)\n",
            _RESTART + "            u = np.zeros_like(theta)\n            thetas.append(theta)\n            continue\n")],
          ["q1"], 0.17),
    wrong("restart ignored: the chapter's plain heavy ball whatever restart says",
          [(_RESTART + "            u = np.zeros_like(theta)\n", "")],
          ["q1"], 0.17),
    wrong("n_restarts counts the steps that still go downhill",
          [("n_restarts = sum(valley.grad(valley_path[t]) @ (valley_path[t - 1] - valley_path[t]) < 0",
            "n_restarts = sum(valley.grad(valley_path[t]) @ (valley_path[t - 1] - valley_path[t]) > 0")],
          ["q1"], 0.92, 0.91),
    wrong("τ and 1 − τ swapped in the mix, y = τθ + (1 − τ)z",
          [(_MIX, "tau * theta + (1 - tau) * z")],
          ["q3"], 0.25),
    wrong("z built with the look-ahead's push c = β (τ = 1/(1 + β), γ = (1 + β)η), not β/(1 − β)",
          [(_COUPLING, "    return 1 / (1 + beta), (1 + beta) * eta\n")],
          ["q3"], 0.34),
    wrong("z steps with η, not with the long step η/(1 − β)",
          [(_COUPLING, "    return 1 - beta, eta\n")],
          ["q3"], 0.42, 0.41),
    wrong("the sign of z's step flipped (z climbs)",
          [(_Z_STEP, "        z = z + gamma * g\n")],
          ["q3"], 0.34),
    wrong("z updated in place, so every row of zs is the last z (aliasing)",
          [(_Z_STEP, "        z -= gamma * g\n")],
          ["q3"], 0.34),
    wrong("ys by the chapter's gradient-step-and-push form, zs left equal to ys (no coupled form)",
          [(_COUPLED_BODY,
            "    theta = np.array(theta0, dtype=float)\n    look, ys = theta.copy(), [theta.copy()]\n"
            "    for _ in range(steps):\n        new = look - eta * np.asarray(grad(look), dtype=float)\n"
            "        look = new + beta * (new - theta)\n        theta = new\n        ys.append(look)\n"
            "    return np.array(ys), np.array(ys)\n")],
          ["q3"], 0.42),
    wrong("the library's nesterov called for the ys",
          [("    return np.array(ys), np.array(zs)\n",
            "    problem = dd.Problem(f=lambda x: 0.0, grad=grad, dim=len(theta0))\n"
            "    return dd.run(dd.nesterov(eta=eta, beta=beta), problem, theta0, steps=steps).xs, np.array(zs)\n")],
          ["q3"], 0.34),
    # at the best β for the fixed η the largest root is real (λ_min's double root), so the
    # numbers of parts 2 and 3 come out right: the slip loses both hb_rate tests, 1.5 of 3
    wrong("hb_rate takes the largest real part of the roots, not their size",
          [("np.abs(np.roots([1.0, -(1 + beta - eta * lam), beta])).max()",
            "np.abs(np.roots([1.0, -(1 + beta - eta * lam), beta]).real).max()")],
          ["q4"], 0.5),
    wrong("after the turn, the velocity as if the ball had reached its terminal velocity (β^(t+1) dropped)",
          [(_VELOCITY, "    return eta * g / (1 - beta) * (2 * beta ** (t - s + 1) - 1)\n")],
          ["q2"], 0.13),
    wrong("after the turn, the exponent off by one (β^(t−s) for β^(t−s+1))",
          [(_VELOCITY, "    return eta * g / (1 - beta) * (2 * beta ** (t - s) - beta ** (t + 1) - 1)\n")],
          ["q2"], 0.13),
    wrong("t_turn off by one: the last step that still goes forward",
          [(_T_TURN, "t_turn = next(t for t in range(s, 100 * s) if velocity(t + 1, g, eta, beta, s) < 0)  # SOLUTION")],
          ["q2"], 0.5, 0.5),
    wrong("the overshoot counts the step back as well (sum up to t_turn inclusive)",
          [(_OVERSHOOT, "overshoot = sum(velocity(t, g, eta, beta, s) for t in range(s, t_turn + 1))  # SOLUTION")],
          ["q2"], 0.5, 0.5),
    wrong("the best momentum of chapter 4, β* = ((√κ − 1)/(√κ + 1))², although η is fixed",
          [(_BETA_FIXED, "beta_fixed = ((np.sqrt(lam.max() / lam.min()) - 1) / (np.sqrt(lam.max() / lam.min()) + 1)) ** 2  # SOLUTION")],
          ["q4"], 0.59),
    wrong("Nesterov's momentum (√κ − 1)/(√κ + 1) for the fixed η",
          [(_BETA_FIXED, "beta_fixed = (np.sqrt(lam.max() / lam.min()) - 1) / (np.sqrt(lam.max() / lam.min()) + 1)  # SOLUTION")],
          ["q4"], 0.59),
    wrong("step_ratio upside down (best over fixed)",
          [(_STEP_RATIO, "step_ratio = np.log(rho_fixed) / np.log((root_kappa - 1) / (root_kappa + 1))  # SOLUTION")],
          ["q4"], 0.84),
    wrong("the memory as a half-life, ln 2 / ln(1/β), not the 1/e age",
          [(_MEMORY, "memory = np.log(2) / np.log(1 / beta_big)  # SOLUTION")],
          ["q5_memory"], 0.8, 0.8),
    wrong("half a swing for the period: π/ω, one crossing of the minimum to the next",
          [(_PERIOD, "period = np.pi / abs(np.angle(np.roots([1.0, -(1 + beta_big - etalam), beta_big])[0]))  # SOLUTION")],
          ["q5_memory"], 0.8, 0.8),
    wrong("the period from the small-ηλ estimate 2π/√(ηλ), not from the roots",
          [(_PERIOD, "period = 2 * np.pi / np.sqrt(etalam)  # SOLUTION")],
          ["q5_memory"], 0.8, 0.8),
    wrong("steps_100 as the first step with |e_t| < e_0/100, which is a crossing of the minimum, not the step from which it stays below",
          [(_SETTLE, "    return int(np.nonzero(np.abs(e) < 0.01)[0][0])  # SOLUTION NO PROMPT")],
          ["q5_memory"], 0.8, 0.8),
    wrong("the overshoot predicted with an envelope of β per step, β^(period/2), instead of measured",
          [(_OVERSHOOT5, "first_overshoot = beta_big ** (period / 2)  # SOLUTION")],
          ["q5_memory"], 0.8, 0.8),
    wrong("q6: Nesterov's steep coordinate from CS7015's iterates θ_t (a gradient step from each look-ahead point), not the ys",
          [(_PATH_NAG, "path_nag = np.array([P.start] + [y - eta6 * valley.grad(y) for y in "
                       "dd.run(dd.nesterov(eta=eta6, beta=beta6), valley, list(P.start), steps=10).xs[:-1]])  # SOLUTION")],
          ["q6_numbers"], 0.75, 0.75),
    wrong("q6: Nesterov's rate as heavy ball's √β (the damping of β(1 − ηλ) forgotten)",
          [(_RATE_NAG, "rate_nag = np.sqrt(beta6)  # SOLUTION")],
          ["q6_numbers"], 0.75, 0.75),
    wrong("zeros of the right shape everywhere",
          [("    return np.array(thetas)\n", "    return np.zeros((steps + 1, np.size(theta0)))\n"),
           ("n_restarts = sum(valley.grad(valley_path[t]) @ (valley_path[t - 1] - valley_path[t]) < 0 for t in range(1, P.steps1))  # SOLUTION",
            "n_restarts = 0  # SOLUTION"),
           (_COUPLING, "    return 0.0, 0.0\n"),
           ("    return np.array(ys), np.array(zs)\n", "    return np.zeros((2, steps + 1, np.size(theta0)))\n"),
           (_VELOCITY, "    return 0.0\n"),
           (_T_TURN, "t_turn = 0  # SOLUTION"),
           (_OVERSHOOT, "overshoot = 0.0  # SOLUTION"),
           ("    return float(max(np.abs(np.roots([1.0, -(1 + beta - eta * lam), beta])).max() for lam in eigenvalues))\n",
            "    return 0.0\n"),
           (_BETA_FIXED, "beta_fixed = 0.0  # SOLUTION"),
           (_RHO_FIXED, "rho_fixed = 0.0  # SOLUTION"),
           (_STEP_RATIO, "step_ratio = 0.0  # SOLUTION"),
           (_MEMORY, "memory = 0.0  # SOLUTION"),
           (_PERIOD, "period = 0.0  # SOLUTION"),
           (_OVERSHOOT5, "first_overshoot = 0.0  # SOLUTION"),
           ("first_overshoot_step = int(e_her.argmin())  # SOLUTION", "first_overshoot_step = 0  # SOLUTION"),
           ("period_half_eta = 2 * np.pi", "period_half_eta = 0.0  # "),
           ("period_beta09 = 2 * np.pi", "period_beta09 = 0.0  # "),
           (_SETTLE, "    return 0  # SOLUTION NO PROMPT"),
           (_STEEP_HB, "steep_hb = np.zeros(4)  # SOLUTION"),
           (_STEEP_NAG, "steep_nag = np.zeros(4)  # SOLUTION"),
           (_RATE_HB, "rate_hb = 0.0  # SOLUTION"),
           (_RATE_NAG, "rate_nag = 0.0  # SOLUTION")],
          ["q1", "q2", "q3", "q4", "q5_memory", "q6_numbers"], 0.0),
    right("heavy ball with restart in Goodfellow et al.'s form (v = βv − ηg, v forgotten when g · v > 0, θ += v, into a preallocated array), "
          "n_restarts counted from the path, "
          "the coupled form from c = β/(1 − β) into preallocated arrays, the velocity after the turn from u_(s−1), t_turn from "
          "logarithms, hb_rate from the companion matrices and rho_fixed as 1 − √(ηλ_min)",
          [("    theta = np.array(theta0, dtype=float)\n    u = np.zeros_like(theta)\n    thetas = [theta]\n"
            "    for _ in range(steps):\n        g = np.asarray(grad(theta), dtype=float)\n" + _RESTART
            + "            u = np.zeros_like(theta)\n" + _HB_STEP + "        thetas.append(theta)\n    return np.array(thetas)\n",
            "    theta0 = np.asarray(theta0, dtype=float)\n    out = np.empty((steps + 1, theta0.size))\n"
            "    out[0] = theta0\n    v = np.zeros(theta0.size)\n    for t in range(steps):\n"
            "        g = np.asarray(grad(out[t]), dtype=float)\n"
            "        keep = 0.0 if restart and np.dot(g, v) > 0 else beta    # v = −u: uphill when g · v > 0\n"
            "        v = keep * v - eta * g\n        out[t + 1] = out[t] + v\n"
            "    return out\n"),
           ("n_restarts = sum(valley.grad(valley_path[t]) @ (valley_path[t - 1] - valley_path[t]) < 0 for t in range(1, P.steps1))  # SOLUTION",
            "n_restarts = len([t for t in range(1, P.steps1) "
            "if np.dot(valley.grad(valley_path[t]), valley_path[t] - valley_path[t - 1]) > 0])  # SOLUTION"),
           (_COUPLING, "    c = beta / (1 - beta)                    # z_t = θ_t + c (θ_t − θ_(t−1))\n"
                       "    return 1 / (1 + c), (1 + c) * eta\n"),
           (_COUPLED_BODY,
            "    theta0 = np.asarray(theta0, dtype=float)\n    tau, gamma = coupling(eta, beta)\n"
            "    ys, zs = np.empty((steps + 1, theta0.size)), np.empty((steps + 1, theta0.size))\n"
            "    theta, zs[0] = theta0, theta0\n    for t in range(steps + 1):\n"
            "        ys[t] = theta + tau * (zs[t] - theta)\n        if t == steps:\n            break\n"
            "        g = np.asarray(grad(ys[t]), dtype=float)\n        theta = ys[t] - eta * g\n"
            "        zs[t + 1] = zs[t] - gamma * g\n    return ys, zs\n"),
           ("    return float(max(np.abs(np.roots([1.0, -(1 + beta - eta * lam), beta])).max() for lam in eigenvalues))\n",
            "    mats = [np.array([[1 + beta - eta * lam, -beta], [1.0, 0.0]]) for lam in np.atleast_1d(eigenvalues)]\n"
            "    return max(float(np.abs(np.linalg.eigvals(M)).max()) for M in mats)\n"),
           ("    if t < s:\n        return eta * g * (1 - beta ** (t + 1)) / (1 - beta)\n" + _VELOCITY,
            "    before = eta * g * (1 - beta ** min(t + 1, s)) / (1 - beta)     # u_min(t, s−1)\n"
            "    k = max(t - s + 1, 0)                                           # steps since the turn\n"
            "    return beta**k * before - eta * g * (1 - beta**k) / (1 - beta)\n"),
           (_T_TURN, "t_turn = s - 1 + int(np.floor(np.log(2 - beta**s) / np.log(1 / beta))) + 1  # SOLUTION"),
           (_RHO_FIXED, "rho_fixed = 1 - np.sqrt(eta_fixed * lam[0])  # SOLUTION")],
          ["q1", "q2", "q3", "q4"]),
]
