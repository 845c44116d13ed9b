"""Wrong answers to homework 8 (bias correction in Adam), and a right one in another style.

q1's points are 0.5 for each public test, 0.75 for the weights anywhere, 0.75 for the
missing weight and 0.5 for "each weight is β times the next": an exponent off by one keeps
0.5 of 3, the weights newest first keep the missing weight (0.75), β ↔ 1 − β keeps nothing.
q2's are 0.5, 0.25, 0.75 (many streams, and q left unchanged), 0.25 and 0.25 for "late in a
stream it is the decaying average": t off by one or no correction keeps 0.25 of 2, β ↔ 1 − β
nothing. q3's are 0.5 for the public values at t = 1 (sd_theory and the mean squared errors), 0 for the
form (and sd_hat at t = 1), 0.5 for sd_hat, 0.5 for sd_theory, 0.5 for mean_squared_errors' values, 0.25 for
"without noise m̂_t wins, without signal it loses" and 0.5 and 0.25 for t_cross and t_back: a slip in
corrected_average costs q3 only sd_hat (0.5 of 3); Var(m_t) taken for m̂_t keeps sd_hat (0.5), t off by one
in the formulas keeps sd_hat and the qualitative test (0.75).
q4's are 0.5, 0.25, 0 (form), 0.5, 0.25, 0.5, 0.75 for "the first step goes downhill" and 0.25
for "large and small gradients": a flipped sign in the first step keeps 1.25 of 3, t off by
one in the step ratio 1.75, ε inside the root or no correction in the first step 2.
q5_lag's are 0.125 for lags between 0 and β/(1 − β) and 0.375 for their values; q5_adam's 0.25 is for
Adam's two steps, computed with corrected_average (so its mistakes cost q5_adam too); q6_warmup's
are 0.5 for the shortest warm-up and 0.5 for the lead.
"""

from bank import right, wrong

_WEIGHTS = "    return (1.0 - beta) * float(beta) ** ages\n"
_EMA = "        m = beta * m + (1.0 - beta) * q[t - 1]\n"
_CORRECT = "        out[t - 1] = m / (1.0 - beta**t)\n"
_STEP = "    return -eta * m1 / (np.sqrt(v1) + eps)\n"
_RATIO = ("    uncorrected = (1 - beta1**t) * g / (np.sqrt(1 - beta2**t) * g + eps)"
          "  # m_t = (1 − β₁ᵗ) g, v_t = (1 − β₂ᵗ) g²\n")
_RATIO_ALL = (_RATIO + "    adam = g / (g + eps)                                                   # m̂_t = g, v̂_t = g²\n"
              "    return uncorrected / adam\n")
_FIRST_DOC = '    """Adam\'s first step θ_1 − θ_0, with or without bias correction, ε included."""\n'
_AVERAGE_DOC = '    """m̂_1, …, m̂_T of the values along the first axis of q, every stream at once."""\n'
_SD = "sd_theory = sigma8 * np.sqrt((1 - b8) * (1 + b8**t8) / ((1 + b8) * (1 - b8**t8)))"
_MSE_RETURN = "    return (beta_t * mu) ** 2 + var_raw, var_raw / (1 - beta_t) ** 2   # m_t is biased by −βᵗμ, m̂_t not\n"
_MSE_DOC = '    """E[(m_t − μ)²] and E[(m̂_t − μ)²] at the steps t, for independent gradients with mean mu and sd sigma."""\n'

ANSWERS = [
    wrong("β and 1 − β swapped in the unrolled weights",
          [(_WEIGHTS, "    return float(beta) * (1.0 - beta) ** ages\n")],
          ["q1"], 0.0),
    wrong("the weights newest first",
          [("    ages = np.arange(t - 1, -1, -1)", "    ages = np.arange(t)")],
          ["q1"], 0.25),
    wrong("the weights' exponent off by one (β^(t−i+1)): costs less than β ↔ 1 − β",
          [(_WEIGHTS, "    return (1.0 - beta) * float(beta) ** (ages + 1)\n")],
          ["q1"], 0.2, 0.15),
    wrong("the library's weights in unrolled_weights",
          [(_WEIGHTS, "    return dd.average_weights(beta, t)\n")],
          ["q1"], 0.0),
    wrong("β and 1 − β swapped in the corrected average",
          [(_EMA, "        m = (1.0 - beta) * m + beta * q[t - 1]\n")],
          ["q2", "q3", "q5_adam"], 0.48),
    wrong("t off by one in the correction (1 − β^(t+1))",
          [(_CORRECT, "        out[t - 1] = m / (1.0 - beta**(t + 1))\n")],
          ["q2", "q3", "q5_adam"], 0.53, 0.5),
    wrong("the corrected average without its correction",
          [(_CORRECT, "        out[t - 1] = m\n")],
          ["q2", "q3", "q5_adam"], 0.53),
    wrong("the averages written into the caller's q (out = q, in-place aliasing)",
          [("    out = np.empty_like(q)\n", "    out = q\n")],
          ["q2", "q5_adam"], 0.56),
    wrong("the library's decaying_average called in corrected_average",
          [(_AVERAGE_DOC, _AVERAGE_DOC + "    return dd.decaying_average(q, beta, bias_correction=True)\n")],
          ["q2"], 0.0),
    wrong("Var(m_t) taken for m̂_t (the noise that the division by 1 − βᵗ scales up is forgotten): costs more "
          "than t off by one in the formulas",
          [(_SD, "sd_theory = sigma8 * np.sqrt((1 - b8) * (1 - b8**(2 * t8)) / (1 + b8))"),
           (_MSE_RETURN, "    return (beta_t * mu) ** 2 + var_raw, var_raw\n")],
          ["q3"], 0.17),
    wrong("t off by one in the formulas of the spread and the mean squared errors (β^(t+1))",
          [(_SD, "sd_theory = sigma8 * np.sqrt((1 - b8) * (1 + b8**(t8 + 1)) / ((1 + b8) * (1 - b8**(t8 + 1))))"),
           ("    beta_t = float(beta) ** np.asarray(t)\n", "    beta_t = float(beta) ** (np.asarray(t) + 1)\n")],
          ["q3"], 0.25, 0.2),
    wrong("the squared bias left out of the uncorrected average's mean squared error (no step at which m̂_t wins)",
          [(_MSE_RETURN, "    return var_raw, var_raw / (1 - beta_t) ** 2\n")],
          ["q3"], 0.34),
    wrong("the sign of Adam's first step flipped (it climbs): costs more than t off by one in r_t",
          [(_STEP, "    return eta * m1 / (np.sqrt(v1) + eps)\n")],
          ["q4"], 0.5),
    wrong("ε inside the root in the first step",
          [(_STEP, "    return -eta * m1 / np.sqrt(v1 + eps)\n")],
          ["q4"], 0.67, 0.6),
    wrong("the first step without its bias correction (corrected ignored)",
          [("    if corrected:\n        m1, v1 = m1 / (1 - beta1), v1 / (1 - beta2)\n", "")],
          ["q4"], 0.67, 0.6),
    wrong("t off by one in the step ratio (β^(t+1) in m_t and v_t); q6_warmup's r_t comes from it",
          [(_RATIO, "    uncorrected = (1 - beta1**(t + 1)) * g / (np.sqrt(1 - beta2**(t + 1)) * g + eps)\n")],
          ["q4", "q6_warmup"], 0.45, 0.4),
    wrong("ε left out of Adam's step in the step ratio (the chapter's r_t whatever g)",
          [("    adam = g / (g + eps) ", "    adam = g / (g + 0.0) ")],
          ["q4"], 0.6),
    wrong("the library's optimizer called in first_step",
          [(_FIRST_DOC, _FIRST_DOC
            + "    opt = dd.template(\"rmsprop\", \"average\", eta=eta, beta=beta1, beta2=beta2, eps=eps,\n"
            + "                      bias_correction=corrected)\n"
            + "    theta0 = np.zeros(np.shape(g1))\n"
            + "    return opt.update(np.asarray(g1, dtype=float), opt.init(theta0), theta0)[0]\n")],
          ["q4"], 0.5),
    wrong("zeros of the right shape everywhere",
          [(_WEIGHTS, "    return np.zeros(t)\n"),
           ("m_unrolled = np.array([unrolled_weights(P.beta_stream, t) @ g_stream[:t] for t in range(1, 31)])",
            "m_unrolled = np.zeros(30)"),
           ("missing_weight = np.array([1.0 - unrolled_weights(beta, P.t_missing).sum() for beta in betas])",
            "missing_weight = np.zeros(4)"),
           ("half_weight_steps = next(t for t in range(1, 10_000) if unrolled_weights(P.beta_half, t).sum() >= 0.5)",
            "half_weight_steps = 0"),
           (_AVERAGE_DOC, _AVERAGE_DOC + "    return np.zeros(np.shape(q))\n"),
           ("const_error = np.abs(m_hat_const - g_const).max()", "const_error = 0.0"),
           ("raw_fraction = (1 - P.beta_const**1000) * m_hat_const[-1, 0] / g_const[-1, 0]", "raw_fraction = 0.0"),
           ("sd_hat = m8_hat.std(axis=1, ddof=1)", "sd_hat = np.zeros(40)"),
           (_SD, "sd_theory = np.zeros(40)"),
           (_MSE_DOC, _MSE_DOC + "    return np.zeros(np.shape(t)), np.zeros(np.shape(t))\n"),
           ("t_cross = int(better[0])", "t_cross = 0"),
           ("t_back = int(better[-1])", "t_back = 0"),
           (_FIRST_DOC, _FIRST_DOC + "    return np.zeros(np.shape(g1))\n"),
           (_RATIO_ALL, "    return np.zeros(np.shape(t))\n"),
           ("g_equal = np.array([b1 * eps_q4 / ((1 - b1) - np.sqrt(1 - b2)) for b1, b2 in beta_pairs])",
            "g_equal = np.zeros(4)"),
           ("ratio_first = step_ratio(1, g_sizes, *P.ratio_pair, eps_q4)", "ratio_first = np.zeros(5)"),
           ("ratio_max = np.array([step_ratio(steps_q4, g, *P.ratio_pair, eps_q4).max() for g in g_sizes])",
            "ratio_max = np.zeros(5)"),
           ("r_default = step_ratio(steps_q4, 1.0, 0.9, 0.999, 0.0)", "r_default = np.zeros(100_000)"),
           ("T_cap = next(T_w for T_w in range(1, 100_001) if longest_warm_step(T_w) <= P.cap)", "T_cap = 0"),
           ("lead = float(np.sum(np.minimum(1, steps_q4[:P.lead_steps] / T_cap) * (r_default[:P.lead_steps] - 1)))",
            "lead = 0.0"),
           ("lag_m = mean_age(0.9, P.t_lag)", "lag_m = 0.0"),
           ("lag_v = mean_age(0.999, P.t_lag)", "lag_v = 0.0"),
           ("adam_steps = np.array([m_hat[t - 1] / np.sqrt(v_hat[t - 1]) for t in (100, 300)])",
            "adam_steps = np.zeros(2)")],
          ["q1", "q2", "q3", "q4", "q5_lag", "q5_adam", "q6_warmup"], 0.0),
    wrong("β and 1 − β swapped in the mean age",
          [("    weights = (1 - beta) * beta**ages / (1 - beta**t)", "    weights = beta * (1 - beta)**ages / (1 - (1 - beta)**t)")],
          ["q5_lag"], 0.25),
    right("the weights from i = 1, …, t, the corrected averages in a list, sd_theory from the weights, the mean "
          "squared errors from Var(m̂_t) = σ²(1 − β)(1 + βᵗ)/((1 + β)(1 − βᵗ)), t_cross and t_back from the roots "
          "of βᵗ(1 − βᵗ) = 2S/(μ² − S), the first step from the corrected v̂₁, the step ratio from m_t, v_t, m̂_t "
          "and v̂_t, g_equal and T_cap by bisection",
          [("    ages = np.arange(t - 1, -1, -1)              # t − i for i = 1, …, t\n" + _WEIGHTS,
            "    i = np.arange(1, t + 1)\n    return (1 - beta) * np.power(float(beta), t - i)\n"),
           ("    m = np.zeros(q.shape[1:])\n    out = np.empty_like(q)\n"
            "    for t in range(1, len(q) + 1):\n" + _EMA + _CORRECT + "    return out\n",
            "    m, out = np.zeros(q.shape[1:]), []\n"
            "    for t, q_t in enumerate(q, start=1):\n"
            "        m = beta * m + (1 - beta) * q_t\n"
            "        out.append(m / (1 - beta**t))\n"
            "    return np.array(out)\n"),
           (_SD, "sd_theory = sigma8 * np.sqrt([np.sum(unrolled_weights(b8, t) ** 2) for t in t8]) / (1 - b8**t8)"),
           ("    beta_t = float(beta) ** np.asarray(t)\n"
            "    var_raw = sigma**2 * (1 - beta) * (1 - beta_t**2) / (1 + beta)   # σ² Σ w_i², a geometric sum\n"
            + _MSE_RETURN,
            "    x = np.power(float(beta), t)\n"
            "    late = sigma**2 * (1 - beta) / (1 + beta)\n"
            "    return x**2 * mu**2 + late * (1 - x**2), late * (1 + x) / (1 - x)\n"),
           ("mse_raw, mse_hat = mean_squared_errors(steps_q3, P.beta_cross, mu8, sigma8)\n"
            "better = steps_q3[mse_hat < mse_raw]   # the steps at which m̂_t is the better estimate\n",
            "S = sigma8**2 * (1 - P.beta_cross) / (1 + P.beta_cross)\n"
            "c = 2 * S / (mu8**2 - S)             # m̂_t wins where x(1 − x) > c, x = βᵗ\n"
            "x_hi, x_lo = (1 + np.sqrt(1 - 4 * c)) / 2, (1 - np.sqrt(1 - 4 * c)) / 2\n"),
           ("t_cross = int(better[0])", "t_cross = int(np.ceil(np.log(x_hi) / np.log(P.beta_cross)))"),
           ("t_back = int(better[-1])", "t_back = int(np.floor(np.log(x_lo) / np.log(P.beta_cross)))"),
           ("    if corrected:\n        m1, v1 = m1 / (1 - beta1), v1 / (1 - beta2)\n" + _STEP,
            "    m_hat = m1 / (1 - beta1) if corrected else m1\n"
            "    v_hat = v1 / (1 - beta2) if corrected else v1\n"
            "    return -eta * m_hat / (np.sqrt(v_hat) + eps)\n"),
           (_RATIO_ALL,
            "    m, v = (1 - beta1**t) * g, (1 - beta2**t) * g**2\n"
            "    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)\n"
            "    return (m / (np.sqrt(v) + eps)) / (m_hat / (np.sqrt(v_hat) + eps))\n"),
           ("g_equal = np.array([b1 * eps_q4 / ((1 - b1) - np.sqrt(1 - b2)) for b1, b2 in beta_pairs])",
            "def _equal(b1, b2, lo=1e-30, hi=1.0):  # bisection on a log scale: the ratio grows with g\n"
            "    for _ in range(200):\n"
            "        mid = np.sqrt(lo * hi)\n"
            "        lo, hi = (mid, hi) if step_ratio(np.array([1]), mid, b1, b2, eps_q4)[0] < 1 else (lo, mid)\n"
            "    return np.sqrt(lo * hi)\n"
            "g_equal = np.array([_equal(b1, b2) for b1, b2 in beta_pairs])"),
           ("T_cap = next(T_w for T_w in range(1, 100_001) if longest_warm_step(T_w) <= P.cap)",
            "lo, hi = 1, 100_000  # the longest step falls as the warm-up grows: bisect\n"
            "while lo < hi:\n"
            "    mid = (lo + hi) // 2\n"
            "    lo, hi = (lo, mid) if longest_warm_step(mid) <= P.cap else (mid + 1, hi)\n"
            "T_cap = lo")],
          ["q1", "q2", "q3", "q4", "q6_warmup"]),
]
