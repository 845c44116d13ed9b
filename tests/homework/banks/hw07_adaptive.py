"""Wrong answers to homework 7 (AdaGrad, RMSProp and Adam), and a right one in another style.

q1's points are 0.5 for each public short run, 0 for the form check, 1 for the hidden longer
runs, 1 for the sparse runs and 0.5 for "each method goes downhill": a slip that bends one
method (t off by one, ε inside the root, no bias correction) keeps 1.5 of 4, a mistake that
breaks one (a flipped sign) keeps 1, an aliased path in two methods keeps 0.5.
"""

from bank import right, wrong

_ADAM_STEP = "        theta = theta - eta * m_hat / (np.sqrt(v_hat) + eps)\n"
_ADAM_HATS = "        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)\n"

ANSWERS = [
    wrong("ε inside the root, in Adam", [(_ADAM_STEP, _ADAM_STEP.replace("(np.sqrt(v_hat) + eps)",
                                                                            "np.sqrt(v_hat + eps)"))],
          ["q1"], 0.375, 0.375),
    wrong("β and 1 − β swapped, in the decaying average",
          [("        m = beta * m + (1 - beta) * value\n", "        m = (1 - beta) * m + beta * value\n")],
          ["q2"], 0.0),
    wrong("β and 1 − β swapped, in RMSProp",
          [("        v = beta * v + (1 - beta) * g * g\n", "        v = (1 - beta) * v + beta * g * g\n")],
          ["q1"], 0.5),
    wrong("the sign of AdaGrad's step flipped (it climbs): costs more than t off by one",
          [("        theta = theta - eta / (np.sqrt(v) + eps) * g\n        thetas.append(theta)\n    return np.array(thetas)\n    # END SOLUTION\n\n\ndef rmsprop_path",
            "        theta = theta + eta / (np.sqrt(v) + eps) * g\n        thetas.append(theta)\n    return np.array(thetas)\n    # END SOLUTION\n\n\ndef rmsprop_path")],
          ["q1"], 0.25),
    wrong("t off by one in Adam's bias correction",
          [(_ADAM_HATS, "        m_hat, v_hat = m / (1 - beta1**(t + 1)), v / (1 - beta2**(t + 1))\n")],
          ["q1"], 0.375, 0.375),
    wrong("t off by one in the corrected decaying average",
          [("enumerate(np.asarray(q, dtype=float), start=1)", "enumerate(np.asarray(q, dtype=float), start=2)")],
          ["q2"], 0.5),
    wrong("θ updated in place, so every row of the path is the last θ (aliasing)",
          [("        theta = theta - eta / (np.sqrt(v) + eps) * g\n", "        theta -= eta / (np.sqrt(v) + eps) * g\n")],
          ["q1"], 0.125),
    wrong("Adam without its bias correction",
          [(_ADAM_HATS, "        m_hat, v_hat = m, v\n")],
          ["q1"], 0.375, 0.375),
    wrong("the library's optimizers called where the question asks for the loops",
          [("def adam_path(grad, theta0, eta, beta1, beta2, steps, eps=1e-8):\n",
            "def adam_path(grad, theta0, eta, beta1, beta2, steps, eps=1e-8):\n"
            "    opt = dd.adam(eta=eta, beta1=beta1, beta2=beta2, eps=eps)\n"
            "    theta = np.array(theta0, dtype=float)\n"
            "    state, thetas = opt.init(theta), [theta]\n"
            "    for _ in range(steps):\n"
            "        step, state = opt.update(np.asarray(grad(theta), dtype=float), state, theta)\n"
            "        theta = theta + step\n"
            "        thetas.append(theta)\n"
            "    return np.array(thetas)\n")],
          ["q1"], 0.5),
    wrong("zeros of the right shape everywhere",
          [("    return np.array(thetas)\n", "    return np.zeros((steps + 1, np.size(theta0)))\n"),
           ("    return np.array(out)\n", "    return np.zeros(len(q))\n"),
           ("lag = int(np.argmax(m_hat_jump[P.before:] >= P.level)) + 1", "lag = 0"),
           ("    return float(lam[-1] / lam[0])\n", "    return 0.0\n"),
           ("    return (F - F.mean(axis=0)) / F.std(axis=0)\n", "    return np.zeros(np.shape(F))\n"),
           ("    return eta / (np.sqrt(np.cumsum(grads**2, axis=0)) + eps)\n", "    return np.zeros(np.shape(grads))\n"),
           ("    return eta / np.sqrt(v + eps) if inside else eta / (np.sqrt(v) + eps)\n",
            "    return np.zeros(np.shape(v))\n"),
           ("rate_ratio = raw_rates[-1, 1] / raw_rates[-1, 0]", "rate_ratio = 0.0"),
           ("v_split = v_grid[ratio_in_out < 0.5].max()", "v_split = 0.0"),
           ("steps_adagrad = int(s[np.argmax(np.cumsum(P.eta_trip / np.sqrt(v_ada)) >= P.dist)])", "steps_adagrad = 0.0"),
           ("steps_rmsprop = int(s[np.argmax(np.cumsum(P.eta_trip / np.sqrt(v_rms)) >= P.dist)])", "steps_rmsprop = 0.0"),
           ("spike_step = float(step[last])", "spike_step = 0.0"),
           ("spike_travel = float(step[last:last + P.period].sum())", "spike_travel = 0.0")],
          ["q1", "q2", "q3", "q4", "q5_steps", "q6_spike"], 0.0),
    wrong("the chapter's counts for the gentle slope alone, (D/2η)² and D/η: the steep stretch forgotten",
          [("steps_adagrad = int(s[np.argmax(np.cumsum(P.eta_trip / np.sqrt(v_ada)) >= P.dist)])",
            "steps_adagrad = (P.dist / (2 * P.eta_trip)) ** 2"),
           ("steps_rmsprop = int(s[np.argmax(np.cumsum(P.eta_trip / np.sqrt(v_rms)) >= P.dist)])",
            "steps_rmsprop = P.dist / P.eta_trip")],
          ["q5_steps"], 0.0),
    wrong("AdaGrad's sum started afresh on the gentle slope (K G² left out of v)",
          [("v_ada = P.k_steep * P.g_steep**2 + s", "v_ada = s")],
          ["q5_steps"], 0.5, 0.5),
    wrong("the chapter's step of one gradient after a long silence, (1 − β₁)/√(1 − β₂), for the rare word's step "
          "and travel: v's memory of the earlier occurrences forgotten",
          [("spike_step = float(step[last])", "spike_step = 0.1 / np.sqrt(0.001)"),
           ("spike_travel = float(step[last:last + P.period].sum())", "spike_travel = 0.1 / np.sqrt(0.001)")],
          ["q6_spike"], 0.0),
    wrong("the rare word's weight moves only at an occurrence (m's carry after it forgotten)",
          [("spike_travel = float(step[last:last + P.period].sum())", "spike_travel = float(step[last])")],
          ["q6_spike"], 0.5, 0.5),
    wrong("the rare word's travel measured after the first occurrence, not in a long run",
          [("last = t[g > 0][-2] - 1 ", "last = t[g > 0][0] - 1 ")],
          ["q6_spike"], 0.5, 0.5),
    wrong("DDᵀ in place of DᵀD in the condition number",
          [("np.linalg.eigvalsh(D.T @ D / len(D))", "np.linalg.eigvalsh(D @ D.T / len(D))")],
          ["q3"], 0.5),
    right("the decaying average unrolled as a matrix of weights, and Adam's loop counting from 0",
          [("    m, out = 0.0, []\n    for t, value in enumerate(np.asarray(q, dtype=float), start=1):\n"
            "        m = beta * m + (1 - beta) * value\n"
            "        out.append(m / (1 - beta**t) if corrected else m)\n    return np.array(out)\n",
            "    q = np.asarray(q, dtype=float)\n    t = np.arange(1, len(q) + 1)\n"
            "    ages = t[:, None] - t[None, :]\n"
            "    w = np.where(ages >= 0, (1 - beta) * beta ** np.maximum(ages, 0), 0.0)\n"
            "    m = w @ q\n    return m / (1 - beta**t) if corrected else m\n"),
           ("    for t in range(1, steps + 1):\n", "    for k in range(steps):\n        t = k + 1\n")],
          ["q1", "q2"]),
]
