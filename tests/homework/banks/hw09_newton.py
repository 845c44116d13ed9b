"""Wrong answers to homework 9 (the Hessian and Newton's method), and a right one in another style.

Form checks carry no points. q1 gives 1 to the public gradient and Hessian at one point, 0.5 to
the public check of hess_error (recomputed from the student's functions) and of the values at p0
against the student's own g and H (and curvature_weights on a 3 × 3 matrix whose eigenvector
matrix is not symmetric), 0.75 to the hidden derivatives and 0.75 to the hidden values;
q2 gives 0.75 to one step, 0.5 to a short path, 0.25 to the recomputed one-step error and the
ratios, 0.5 and 1 to the hidden steps and paths; q3 and q4 give 0.75 and 0.5 to the public tests,
0.75 and 1 to the hidden ones; q5_cost 0.25 each to block_bytes, block_seconds, n_max and the
damped and backtracking counts (recomputed from the fixed valley, so a wrong
gradient or Hessian loses them too). Newton's loops forbid np.linalg.inv, dd.newton and dd.run.
"""

from bank import right, wrong

_STEP = "    return theta - np.linalg.solve(H, g)\n"
_HESS = "    return np.array([[24 * x**2 - 4 - 4 * y, -4 * x],\n                     [-4 * x, 2.0]])\n"

ANSWERS = [
    wrong("the sign of Newton's step flipped (θ + H⁻¹g): it breaks q2 and q3's landings",
          [(_STEP, "    return theta + np.linalg.solve(H, g)\n")],
          ["q2", "q3"], 0.4),
    wrong("the step returned instead of the next iterate",
          [(_STEP, "    return -np.linalg.solve(H, g)\n")],
          ["q2", "q3"], 0.4),
    wrong("the inverse formed, where the question asks to solve the system",
          [(_STEP, "    return theta - np.linalg.inv(H) @ g\n")],
          ["q2"], 0.1),
    wrong("the library's Newton method called in newton_path",
          [("    thetas = [np.array(theta0, dtype=float)]\n    for _ in range(steps):\n"
            "        thetas.append(newton_step(grad, hess, thetas[-1]))\n    return np.array(thetas)\n",
            "    problem = dd.Problem(f=lambda t: 0.0, grad=grad, hess=hess, dim=np.size(theta0), name='p')\n"
            "    return dd.run(dd.newton(), problem, np.array(theta0, dtype=float), steps=steps).xs\n")],
          ["q2"], 0.5),
    wrong("the Hessian's off-diagonal sign flipped (∂²L/∂x∂y = +4x): q3's landings and q5_cost's counts follow",
          [(_HESS, _HESS.replace("-4 * x", "4 * x"))],
          ["q1", "q3", "q5_cost"], 0.47),
    wrong("the chain rule's factor 2 forgotten in ∂L/∂x",
          [("4 * x * (x**2 - 1) - 4 * x * (y - x**2)", "2 * x * (x**2 - 1) - 4 * x * (y - x**2)")],
          ["q1", "q3", "q5_cost"], 0.47),
    wrong("hess_error reported as 0 instead of computed",
          [("hess_error = max(dd.check_hessian(grad_L, hess_L, p) for p in check_points)", "hess_error = 0.0")],
          ["q1"], 0.6, 0.5),
    wrong("the weights not squared (the coordinates qᵢᵀu instead of their squares)",
          [("    return (Q.T @ np.asarray(u, dtype=float)) ** 2\n", "    return Q.T @ np.asarray(u, dtype=float)\n")],
          ["q1"], 0.6, 0.5),
    wrong("the eigenvector coordinates taken with Q instead of Qᵀ (rows of Q for its columns)",
          [("    return (Q.T @ np.asarray(u, dtype=float)) ** 2\n", "    return (Q @ np.asarray(u, dtype=float)) ** 2\n")],
          ["q1"], 0.6, 0.5),
    wrong("C_theory without the factor ½ (L‴/L″)",
          [("C_theory = np.exp(np.log(2.0)) / (2 * np.exp(np.log(2.0)))", "C_theory = np.exp(np.log(2.0)) / np.exp(np.log(2.0))")],
          ["q2"], 0.7, 0.5),
    wrong("inertia's positive and negative counts swapped",
          [("    return np.array([np.sum((lam > 0) & ~zero), np.sum((lam < 0) & ~zero), np.sum(zero)])\n",
            "    return np.array([np.sum((lam < 0) & ~zero), np.sum((lam > 0) & ~zero), np.sum(zero)])\n")],
          ["q3"], 0.2),
    wrong("inertia without the tolerance (only exact zeros count as zero)",
          [("    zero = np.abs(lam) <= tol * np.abs(lam).max(initial=0.0)\n", "    zero = lam == 0\n")],
          ["q3"], 0.5),
    wrong("the condition number upside down (λ_min / λ_max)",
          [("    return lam[-1] / lam[0]\n", "    return lam[0] / lam[-1]\n")],
          ["q4"], 0.1),
    wrong("standardize with the sample standard deviation (ddof=1)",
          [("    return (F - F.mean(axis=0)) / F.std(axis=0)\n", "    return (F - F.mean(axis=0)) / F.std(axis=0, ddof=1)\n")],
          ["q4"], 0.5, 0.25),
    wrong("zeros of the right shape everywhere",
          [("    return np.array([4 * x * (x**2 - 1) - 4 * x * (y - x**2), 2 * (y - x**2)])\n", "    return np.zeros(2)\n"),
           (_HESS, "    return np.zeros((2, 2))\n"),
           (_STEP, "    return np.zeros(np.shape(theta))\n"),
           ("    return np.array(thetas)\n", "    return np.zeros((steps + 1, np.size(theta0)))\n"),
           ("    return np.array([np.sum((lam > 0) & ~zero), np.sum((lam < 0) & ~zero), np.sum(zero)])\n",
            "    return np.zeros(3)\n"),
           ("    return lam[-1] / lam[0]\n", "    return 0.0\n"),
           ("    return (F - F.mean(axis=0)) / F.std(axis=0)\n", "    return np.zeros(np.shape(F))\n"),
           ("critical = np.array([[-1.0, 1.0], [0.0, 0.0], [1.0, 1.0]])", "critical = np.zeros((3, 2))"),
           ("block_bytes = sum(4 * d_l**2 for d_l in layers)", "block_bytes = 0.0"),
           ("block_seconds = sum(d_l**3 / 3 for d_l in layers) / 1e18", "block_seconds = 0.0"),
           ("n_max = int((np.sqrt(1 + 4 * d_fit) - 1) // 2)", "n_max = 0"),
           ("saddle_damped = sum(", "saddle_damped = 0 * sum("),
           ("saddle_backtracking = sum(", "saddle_backtracking = 0 * sum("),
           ("L_mid = L(0.5 * (np.array([-1.0, 1.0]) + np.array([1.0, 1.0])))", "L_mid = 0.0"),
           ("lam_origin = np.linalg.eigvalsh(hess_L(np.zeros(2)))[0]", "lam_origin = 0.0")],
          ["q1", "q2", "q3", "q4", "q5_cost", "q6_midpoint"], 0.05),
    wrong("a Newton solve counted as d³ operations, and the Hessian in 8-byte floats (the counts right)",
          [("block_bytes = sum(4 * d_l**2 for d_l in layers)", "block_bytes = sum(8 * d_l**2 for d_l in layers)"),
           ("block_seconds = sum(d_l**3 / 3 for d_l in layers) / 1e18", "block_seconds = sum(d_l**3 for d_l in layers) / 1e18"),
           ("d_fit = np.sqrt(P.gpu_gb * 1e9 / 4)", "d_fit = np.sqrt(P.gpu_gb * 1e9 / 8)")],
          ["q5_cost"], 0.25),
    wrong("the full Hessian of the whole network where the question asks for the per-layer blocks (n_max, counts right)",
          [("block_bytes = sum(4 * d_l**2 for d_l in layers)", "block_bytes = 4 * sum(layers) ** 2"),
           ("block_seconds = sum(d_l**3 / 3 for d_l in layers) / 1e18", "block_seconds = sum(layers) ** 3 / 3 / 1e18")],
          ["q5_cost"], 0.5, 0.5),
    wrong("the widest layer taken as the most parameters a block can hold: the width n confused with the "
          "layer's n² + n parameters",
          [("n_max = int((np.sqrt(1 + 4 * d_fit) - 1) // 2)", "n_max = int(np.sqrt(P.gpu_gb * 1e9 / 4))")],
          ["q5_cost"], 0.75, 0.75),
    wrong("the damped and backtracking counts swapped",
          [("saddle_damped = sum(np.linalg.norm(dd.run(dd.newton(eta=0.5)",
            "saddle_damped = sum(np.linalg.norm(dd.run(dd.newton_backtracking()"),
           ("saddle_backtracking = sum(np.linalg.norm(dd.run(dd.newton_backtracking()",
            "saddle_backtracking = sum(np.linalg.norm(dd.run(dd.newton(eta=0.5)")],
          ["q5_cost"], 0.75),
    wrong("the chord's midpoint taken at the saddle (0, 0) instead of halfway between the minima",
          [("L_mid = L(0.5 * (np.array([-1.0, 1.0]) + np.array([1.0, 1.0])))", "L_mid = L(np.zeros(2))")],
          ["q6_midpoint"], 0.5),
    right("Newton's step through a Cholesky factor, inertia by counting signs, standardize by hand",
          [(_STEP, "    C = np.linalg.cholesky(H) if np.all(np.linalg.eigvalsh(H) > 0) else None\n"
                   "    if C is None:\n        return theta - np.linalg.solve(H, g)\n"
                   "    return theta - np.linalg.solve(C.T, np.linalg.solve(C, g))\n"),
           ("    return (F - F.mean(axis=0)) / F.std(axis=0)\n",
            "    centred = F - F.mean(axis=0)\n    return centred / np.sqrt((centred**2).mean(axis=0))\n"),
           ("    return np.array([np.sum((lam > 0) & ~zero), np.sum((lam < 0) & ~zero), np.sum(zero)])\n",
            "    signs = np.where(zero, 0, np.sign(lam))\n"
            "    return np.array([np.count_nonzero(signs == 1), np.count_nonzero(signs == -1), np.count_nonzero(signs == 0)])\n")],
          ["q2", "q3", "q4"]),
]
