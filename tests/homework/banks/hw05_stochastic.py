"""Wrong answers to homework 5 (stochastic and mini-batch gradient descent), and a right one in another style.

q1's points are 0.75 for the public three-example gradients, 0.5 for the public small epoch,
0.75 and 0.5 for the hidden gradients of other data and epochs, and 0.5 for "a step against the
batch gradient goes downhill": a flipped sign keeps nothing, the unweighted epoch mean keeps 2 of
3; a wrong formula for the unused examples keeps 2 (the gradients and the epoch's mean),
an epoch counted as ⌊N/B⌋ steps 2.5. q2 (importance-sampled draws, p_i ∝ ‖∇ℓ_i(θ)‖) has 0.75
for the public standard error, 0 for the form check, 0.75 for the hidden standard errors, and
one test per answer: 0.5 for sigma (σ_p), 0.5 for se, 0.25 for slope and 0.25 for B_needed; a
standard error without its root, or without the weights 1/(N p_i), keeps sigma and B_needed
(0.75), the chapter's uniform σ for σ_p loses sigma and B_needed (keeps 2.25). q3's are 0.5 for the public partial sums, 0
for the form check, 0.75 for the hidden partial sums, 0.5 for each closed form (sum_sq_stair,
nu_max) and 0.75 for the five verdicts. q4's are 0.75 for the public short run, 0 for the form check, 1 for other runs, 0.75 for the
two runs and 0.5 for "SGD goes downhill": a flipped sign or an aliased path keeps nothing, a
schedule one step late keeps 1.25 (the floor and the settling step barely move), the same
shuffle every epoch 0.5. q5_floor's are 0.1 for the public consistency of floor_predicted with
sigma_star and 0.4 for the hidden values: σ⋆ at the wrong point keeps 0.1. q5_half's are 0 for
the form check, 0.25 for floor_half (question 4's constant run on data with half the
residuals) and 0.25 for gaps_c0 (question 4's two runs on data fitted exactly, at step 1000: a
schedule one step late loses it, an aliased path keeps it: its last row is right);
q6_numbers's 0 for the form check, 0.25 for m_limit, 0.25 for floor_m2 (the run
with η and B doubled) and 0.25 for first_below (the first steps below a gap of 0.1): these use
the student's sgd, so an SGD loop that breaks the constant run (a flipped sign, an aliased path)
loses them too, the same shuffle every epoch keeps first_below (both runs cross 0.1 within their
first epoch); a schedule one step late does not (a constant rate is the same one step late).
q6_rules's are 0 for the form check, 0.125 for floor_sqrt4 and 0.125 for first_below_sqrt4 (the
square-root rule's run, 2η and 4B, with the student's sgd: the entries that break sgd lose them,
the same shuffle every epoch too, since that run crosses 0.1 in its second epoch) and 0.25 for lemma_factor (the lemma's
floor at 2η, 2B over that at η, B, from the c_j: eigenvectors taken as rows, or the first-order
factor 1, lose it).
"""

from bank import right, wrong

_EXAMPLE = "    return (X @ theta - y)[:, None] * X\n"
_SGD_STEP = "        theta = theta - schedule(t) * problem.batch_grad(theta, batches.pop(0))\n"
_SE = "    return float(np.sqrt(np.mean(np.sum((g - problem.grad(theta)) ** 2, axis=1))))\n"
_WEIGHTED = "    weighted = np.array([problem.batch_grad(theta, [i]) for i in range(n)]) / (n * p[:, None])\n"
_SIGMA = "sigma = np.sqrt(np.sum(p * np.sum((G / (N * p[:, None]) - G.mean(axis=0)) ** 2, axis=1)))"

ANSWERS = [
    wrong("the sign of the per-example gradient flipped (y − Xθ)",
          [(_EXAMPLE, "    return (y - X @ theta)[:, None] * X\n")],
          ["q1"], 0.0),
    wrong("the batch's gradients summed, not averaged",
          [("    return example_grads(theta, np.asarray(X)[idx], np.asarray(y)[idx]).mean(axis=0)\n",
            "    return example_grads(theta, np.asarray(X)[idx], np.asarray(y)[idx]).sum(axis=0)\n")],
          ["q1"], 0.2),
    wrong("the per-example gradients divided by N (a 1/N too many)",
          [(_EXAMPLE, "    return (X @ theta - y)[:, None] * X / len(y)\n")],
          ["q1", "q2", "q5_floor"], 0.44),
    wrong("the epoch's batch gradients averaged without their sizes",
          [("epoch_mean = counts @ batch_grads / N", "epoch_mean = batch_grads.mean(axis=0)")],
          ["q1"], 0.67, 0.6),
    wrong("the standard error without its square root (the mean square)",
          [(_SE, "    return float(np.mean(np.sum((g - problem.grad(theta)) ** 2, axis=1)))\n")],
          ["q2"], 0.25),
    wrong("the standard error as the mean distance, not the root mean square",
          [(_SE, "    return float(np.mean(np.linalg.norm(g - problem.grad(theta), axis=1)))\n")],
          ["q2"], 0.25),
    wrong("the weights 1/(N p_i) left out of the importance-sampled gradient (biased draws)",
          [(_WEIGHTED, "    weighted = np.array([problem.batch_grad(theta, [i]) for i in range(n)])\n")],
          ["q2"], 0.25),
    wrong("the chapter's uniform σ where σ_p of the weighted draws is asked",
          [(_SIGMA, "sigma = np.sqrt(np.mean(np.sum((G - G.mean(axis=0)) ** 2, axis=1)))")],
          ["q2"], 0.75),
    wrong("each batch's B left out: an example missed with probability (1 − 1/N) per step",
          [("    miss = (1 - 1 / N) ** B if replace else 1 - B / N\n",
            "    miss = (1 - 1 / N) if replace else 1 - B / N\n")],
          ["q1"], 0.67, 0.3),
    wrong("with and without replacement swapped",
          [("    miss = (1 - 1 / N) ** B if replace else 1 - B / N\n",
            "    miss = 1 - B / N if replace else (1 - 1 / N) ** B\n")],
          ["q1"], 0.67, 0.3),
    wrong("the expected fraction of unused examples, not their number",
          [("    return N * miss**steps\n", "    return miss**steps\n")],
          ["q1"], 0.67, 0.3),
    wrong("an epoch counted as ⌊N/B⌋ steps for unused_epoch",
          [("unused_epoch = expected_unused(N, B, -(-N // B), True)", "unused_epoch = expected_unused(N, B, N // B, True)")],
          ["q1"], 0.84, 0.8),
    wrong("the staircase's Σ η_t² summed numerically for 10⁵ steps instead of in closed form",
          [("sum_sq_stair = s * eta**2 * np.pi**2 / 6", "sum_sq_stair = partial_sums(schedules['staircase 1/t'], 10**5)[1]")],
          ["q3"], 0.84),
    wrong("nu_max from the integral η/ν = budget instead of the exact geometric sum",
          [("nu_max = -np.log(1 - eta / P.budget)", "nu_max = eta / P.budget")],
          ["q3"], 0.84),
    wrong("the Robbins–Monro verdicts read off the partial sums (1/(t log t) and 1/√(t log t) look finite)",
          [("meets_rm = [True, False, True, True, False]", "meets_rm = [True, False, False, True, True]")],
          ["q3"], 0.75),
    wrong("t off by one in the partial sums (t = 1, …, T)",
          [("    rates = np.array([schedule(t) for t in range(T)], dtype=float)\n",
            "    rates = np.array([schedule(t) for t in range(1, T + 1)], dtype=float)\n")],
          ["q3"], 0.6),
    wrong("the sign of the SGD step flipped (it climbs): costs more than a late schedule",
          [(_SGD_STEP, _SGD_STEP.replace("theta - schedule", "theta + schedule"))],
          ["q4", "q5_half", "q6_numbers", "q6_rules"], 0.12),   # m_limit and lemma_factor do not use sgd
    wrong("the learning rate one step late, schedule(t + 1)",
          [(_SGD_STEP, _SGD_STEP.replace("schedule(t)", "schedule(t + 1)"))],
          ["q4", "q5_half"], 0.43, 0.4),   # gaps_c0's 1/t run is 3 % off; floor_half (constant) is kept
    wrong("the same shuffle every epoch (a fresh generator each time)",
          [("            order = rng.permutation(n)\n", "            order = np.random.default_rng(seed).permutation(n)\n")],
          ["q4", "q5_half", "q6_numbers", "q6_rules"], 0.27, 0.12),   # keeps q4's 0.5, m_limit, first_below, lemma_factor
    wrong("θ updated in place, so every row of the path is the last θ (aliasing)",
          [(_SGD_STEP, "        theta -= schedule(t) * problem.batch_grad(theta, batches.pop(0))\n")],
          ["q4", "q5_half", "q6_numbers", "q6_rules"], 0.17),   # m_limit, lemma_factor do not use sgd, gaps_c0 only the last row
    wrong("dd.run called where the question asks for the loop",
          [("    rng = np.random.default_rng(seed)\n    n = problem.n_examples\n",
            "    return dd.run(dd.gd(eta=schedule), problem, theta0, steps, batch_size=B, seed=seed).xs\n"
            "    rng = np.random.default_rng(seed)\n    n = problem.n_examples\n")],
          ["q4"], 0.25),
    wrong("zeros of the right shape everywhere",
          [(_EXAMPLE, "    return np.zeros(np.shape(X))\n"),
           ("    return example_grads(theta, np.asarray(X)[idx], np.asarray(y)[idx]).mean(axis=0)\n",
            "    return np.zeros(np.shape(X)[1])\n"),
           ("    return N * miss**steps\n", "    return 0.0\n"),
           ("unused_epoch = expected_unused(N, B, -(-N // B), True)", "unused_epoch = 0.0"),
           ("epoch_mean = counts @ batch_grads / N", "epoch_mean = np.zeros(3)"),
           (_SE, "    return 0.0\n"),
           (_SIGMA, "sigma = 0.0"),
           ("slope = np.polyfit(np.log(sizes), np.log(se), 1)[0]", "slope = 0.0"),
           ("B_needed = int(np.ceil((sigma / (P.se_frac * np.linalg.norm(plane.grad(theta)))) ** 2))", "B_needed = 0"),
           ("    return np.array([rates.sum(), (rates**2).sum()])\n", "    return np.zeros(2)\n"),
           ("sum_sq_stair = s * eta**2 * np.pi**2 / 6", "sum_sq_stair = 0.0"),
           ("nu_max = -np.log(1 - eta / P.budget)", "nu_max = 0.0"),
           ("meets_rm = [True, False, True, True, False]", "meets_rm = [False] * 5"),
           ("    return np.array(thetas)\n", "    return np.zeros((steps + 1, np.size(theta0)))\n"),
           ("floor_constant = const_gap[2000:].mean()", "floor_constant = 0.0"),
           ("settle_decay = int(np.flatnonzero(decay_gap > tol)[-1]) + 1", "settle_decay = 0"),
           ("sigma_star = np.sqrt(np.mean(np.sum(example_grads(plane.x_star, X, y) ** 2, axis=1)))", "sigma_star = 0.0"),
           ("floor_predicted = P.eta * sigma_star**2 / (4 * P.B_run)", "floor_predicted = 0.0"),
           ("floor_half = (np.array([half.f(p) for p in half_path]) - half.f_star)[2000:].mean()", "floor_half = 0.0"),
           ("m_limit = 2 / (P.eta * lam_max)", "m_limit = 0.0"),
           ("floor_m2 = (np.array([plane.f(p) for p in m2_path]) - plane.f_star)[2000:].mean()", "floor_m2 = 0.0"),
           ("floor_sqrt4 = sqrt4_gap[2000:].mean()", "floor_sqrt4 = 0.0"),
           ("lemma_factor = np.sum(c_j / (1 - P.eta * lam)) / np.sum(c_j / (1 - P.eta * lam / 2))", "lemma_factor = 0.0")],
          ["q1", "q2", "q3", "q4", "q5_floor", "q5_half", "q6_numbers", "q6_rules"], 0.01),
    wrong("σ⋆ taken at question 1's θ instead of at θ⋆",
          [("sigma_star = np.sqrt(np.mean(np.sum(example_grads(plane.x_star, X, y) ** 2, axis=1)))",
            "sigma_star = np.sqrt(np.mean(np.sum(example_grads(theta, X, y) ** 2, axis=1)))")],
          ["q5_floor"], 0.2),
    wrong("the predicted floor with σ⋆ instead of σ⋆²",
          [("floor_predicted = P.eta * sigma_star**2 / (4 * P.B_run)", "floor_predicted = P.eta * sigma_star / (4 * P.B_run)")],
          ["q5_floor"], 0.0),
    wrong("the lemma's c_j from the rows of eigh's eigenvector matrix, not its columns (q_j)",
          [("c_j = np.sum((G_star @ Q) ** 2, axis=0) / N", "c_j = np.sum((G_star @ Q.T) ** 2, axis=0) / N")],
          ["q6_rules"], 0.5),   # keeps floor_sqrt4 and first_below_sqrt4
    wrong("the lemma's factor to first order (the same η/B keeps the floor), 1",
          [("lemma_factor = np.sum(c_j / (1 - P.eta * lam)) / np.sum(c_j / (1 - P.eta * lam / 2))", "lemma_factor = 1.0")],
          ["q6_rules"], 0.5),
    right("per-example gradients by a loop, the batch gradient as Xᵀr / B, and an SGD loop that counts its batches",
          [(_EXAMPLE, "    rows = []\n    for x_i, y_i in zip(X, y):\n        rows.append((x_i @ theta - y_i) * x_i)\n"
                      "    return np.array(rows).reshape(np.shape(X))\n"),
           ("    return example_grads(theta, np.asarray(X)[idx], np.asarray(y)[idx]).mean(axis=0)\n",
            "    Xb, yb = np.asarray(X, dtype=float)[idx], np.asarray(y, dtype=float)[idx]\n"
            "    return Xb.T @ (Xb @ np.asarray(theta, dtype=float) - yb) / len(idx)\n"),
           ("    thetas, batches = [theta], []\n    for t in range(steps):\n"
            "        if not batches:                                   # a new epoch: a fresh shuffle\n"
            "            order = rng.permutation(n)\n"
            "            batches = [order[start:start + B] for start in range(0, n, B)]\n" + _SGD_STEP
            + "        thetas.append(theta)\n",
            "    per_epoch = -(-n // B)\n    thetas = np.empty((steps + 1, theta.size))\n    thetas[0] = theta\n"
            "    for t in range(steps):\n        k = t % per_epoch\n        if k == 0:\n"
            "            order = rng.permutation(n)\n"
            "        theta = theta - schedule(t) * problem.batch_grad(theta, order[k * B:(k + 1) * B])\n"
            "        thetas[t + 1] = theta\n"),
           ("    return np.array(thetas)\n", "    return thetas\n")],
          ["q1", "q4"]),
]
