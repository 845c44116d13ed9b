"""Wrong answers to homework 2 (Taylor's theorem and gradient descent), and a right one in another style.

q1's points are 0.5 for the public step (which must also leave ``theta`` unchanged), 0.5 for
the public short run, 0.75 for the hidden runs and 0.25 for ``theta_200`` (the run on the neuron
with a third example): a flipped sign keeps nothing, an aliased path keeps only ``theta_200``, a
path without its start also the public step, the run on the chapter's two-example neuron all but
``theta_200``. q2's are 0.5 for the public gradient and Hessian (against differences), 0.25 for the
public Taylor values, 0 for the form check, 1 for the derivatives at random points, 0.5 for
``taylor2`` anywhere and 0.75 for the slopes (to 10⁻⁴, so the predictions 2 and 3 typed in earn
nothing): a wrong derivative keeps nothing, the ½ forgotten in ``taylor2`` keeps the
derivatives' 1.5. q3's are 0.5 for the public rate of a non-diagonal matrix, 0 for the form
check, 1 for the rate of random matrices, 0.375 for ``eta_max``, 0.375 for ``eta_best``, 0.5
for ``rho_best`` and 0.25 for ``steps_needed``: a wrong ``eta_max`` alone keeps 2.625, a wrong
``eta_best`` (and with it ``rho_best`` and ``steps_needed``) keeps ``eta_max``'s 0.375. q4's are 0.5 for the public ``decayed``, 0 for the
form check, 0.25 for ``decayed`` anywhere, 0.25 for ``first_contracting``, 0.5 for the path,
0.125 for ``peak`` and 0.375 for "decay brings the run back": counting steps from 1 bends the
path and keeps 1.125 of 2, a flipped sign breaks it and keeps 0.75. q5_eta's 0.5 points are all
hidden (its public check only asks for a positive number); it uses the student's grad_L and
hess_L, so a wrong derivative costs it too.
"""

from bank import right, wrong

_STEP = "    return theta - eta * np.asarray(grad(theta), dtype=float)\n"
_LOOP = ("    thetas = [np.array(theta0, dtype=float)]\n    for _ in range(steps):\n"
         "        thetas.append(gd_step(grad, thetas[-1], eta))\n    return np.array(thetas)\n")
_GRAD = "    return np.array([b * e + 2 * a, a * e])\n"
_HESS = "    return np.array([[b * b * e + 2, (1 + a * b) * e], [(1 + a * b) * e, a * a * e]])\n"
_QUADRATIC_TERM = "0.5 * delta @ hess_L(theta0) @ delta"
_RATE = "    return float(np.max(np.abs(1 - eta * lam)))\n"
_STEPS = "steps_needed = int(np.ceil(np.log(1e-6) / np.log(rho_best)))"
_DECAYED = "    return eta / (1 + k * np.asarray(t, dtype=float))"

ANSWERS = [
    wrong("the sign of the step flipped (it climbs)",
          [(_STEP, _STEP.replace("theta - eta", "theta + eta"))], ["q1", "q6_ce"], 0.19),  # q6_ce keeps 0.5
    wrong("θ updated in place, so every row of the path is the last θ (aliasing)",
          [(_STEP, "    theta -= eta * np.asarray(grad(theta), dtype=float)\n    return theta\n")], ["q1", "q6_ce"], 0.28),  # q6_ce keeps 0.5
    wrong("the start left out of the path (steps rows, not steps + 1)",
          [(_LOOP, _LOOP.replace("return np.array(thetas)", "return np.array(thetas[1:])"))], ["q1"], 0.375),
    wrong("the library's gradient descent called where the question asks for the loop",
          [(_LOOP, "    opt, theta = dd.gd(eta=eta), np.array(theta0, dtype=float)\n"
                   "    state, thetas = opt.init(theta), [theta]\n"
                   "    for _ in range(steps):\n"
                   "        step, state = opt.update(np.asarray(grad(theta), dtype=float), state, theta)\n"
                   "        theta = theta + step\n"
                   "        thetas.append(theta)\n"
                   "    return np.array(thetas)\n")], ["q1"], 0.375),
    wrong("q1's run taken on the chapter's two-example neuron, not on neuron3 with the third example",
          [("gradient_descent(neuron3.grad, ", "gradient_descent(neuron.grad, ")], ["q1"], 1.75 / 2, 1.75 / 2),
    wrong("the chain rule's inner derivative forgotten: ∂e^(θ₁θ₂)/∂θ₁ written as e^(θ₁θ₂)",
          [(_GRAD, "    return np.array([e + 2 * a, e])\n")], ["q2", "q5_eta", "q5_neg"], 0.0),
    wrong("the product rule forgotten in the Hessian's off-diagonal entry (θ₁θ₂e^(θ₁θ₂))",
          [("(1 + a * b) * e", "a * b * e")], ["q2", "q5_eta", "q5_neg"], 0.07),   # eta_uphill (0.25) uses L, not hess_L
    wrong("the ½ of the second-order term forgotten in taylor2",
          [(_QUADRATIC_TERM, "delta @ hess_L(theta0) @ delta")], ["q2"], 0.5, 0.5),
    wrong("the slopes typed in as the predictions 2 and 3 instead of fitted",
          [("slope1 = np.polyfit(", "slope1 = 2.0 + 0 * np.polyfit("),
           ("slope2 = np.polyfit(", "slope2 = 3.0 + 0 * np.polyfit(")], ["q2"], 0.75, 0.75),
    wrong("the diagonal entries of A taken for its eigenvalues",
          [("lam = np.linalg.eigvalsh(A)", "lam = np.diag(A)")], ["q3"], 0.0),
    wrong("the absolute value forgotten in the rate: max(1 − ηλᵢ) misses the steep direction",
          [(_RATE, "    return float(np.max(1 - eta * lam))\n")], ["q3"], 0.5),
    wrong("the bound taken as 1/λmax (where the steepest direction lands in one step), not 2/λmax",
          [("eta_max = 2 / lam.max()", "eta_max = 1 / lam.max()")], ["q3"], 2.625 / 3, 2.625 / 3),
    wrong("the best learning rate taken as 1/λmax, so rho_best and steps_needed follow it; eta_max still counts",
          [("eta_best = 2 / (lam.min() + lam.max())", "eta_best = 1 / lam.max()")], ["q3"], 0.625, 0.625),
    wrong("steps_needed rounded down, one step short of the guarantee",
          [(_STEPS, _STEPS.replace("np.ceil", "np.floor"))], ["q3"], 2.75 / 3, 2.75 / 3),
    wrong("the factor 2 forgotten in the learning rate where the second-order model turns uphill",
          [("eta_up = 2 * ", "eta_up = ")], ["q5_eta"], 0.0),
    wrong("η/(1 + k)ᵗ in place of η/(1 + kt)",
          [(_DECAYED, "    return eta / (1 + k) ** np.asarray(t, dtype=float)")], ["q4"], 0.1875),
    wrong("the steps of the decayed run counted from t = 1 (it bends: off by one)",
          [("decayed(P.eta4, P.k, np.arange(60))", "decayed(P.eta4, P.k, np.arange(1, 61))")], ["q4"], 0.5625, 0.5625),
    wrong("the sign of the decayed step flipped (it breaks: the run diverges), costs more than t off by one",
          [("factors = 1 - ", "factors = 1 + ")], ["q4"], 0.375),
    wrong("zeros of the right shape everywhere",
          [(_STEP, "    return np.zeros_like(theta)\n"),
           (_LOOP, "    return np.zeros((steps + 1, np.size(theta0)))\n"),
           ("theta_200 = ", "theta_200 = 0 * "),
           (_GRAD, "    return np.zeros(2)\n"),
           (_HESS, "    return np.zeros((2, 2))\n"),
           ("    return float(loss(theta0) + ", "    return 0 * float(loss(theta0) + "),
           ("slope1 = ", "slope1 = 0 * "), ("slope2 = ", "slope2 = 0 * "),
           (_RATE, "    return 0.0\n"),
           ("eta_max = ", "eta_max = 0 * "), ("eta_best = ", "eta_best = 0 * "),
           ("rho_best = ", "rho_best = 0 * "), ("steps_needed = ", "steps_needed = 0 * "),
           (_DECAYED, "    return 0 * np.asarray(t, dtype=float)"),
           ("first_contracting = ", "first_contracting = 0 * "),
           ("theta_path = ", "theta_path = 0 * "), ("peak = ", "peak = 0 * "),
           ("eta_up = ", "eta_up = 0 * "),
           ("grad_norm_ce = np.linalg.norm(", "grad_norm_ce = 0 * np.linalg.norm("),
           ("loss_min_ce = -np.sum(", "loss_min_ce = 0 * np.sum("),
           ("halving_step = int(", "halving_step = 0 * int(")],
          ["q1", "q2", "q3", "q4", "q5_eta", "q5_neg", "q6_ce"], 0.0),
    right("the path in a preallocated array, the step component by component, the Taylor term with np.dot, "
          "the rate from the extreme eigenvalues of np.linalg.eigvals, and steps_needed counted in a loop",
          [(_STEP, "    g = grad(theta)\n    return np.array([th - eta * gi for th, gi in zip(theta, g)])\n"),
           (_LOOP, "    theta0 = np.asarray(theta0, dtype=float)\n    out = np.empty((steps + 1, theta0.size))\n"
                   "    out[0] = theta0\n    for t in range(steps):\n"
                   "        out[t + 1] = gd_step(grad, out[t], eta)\n    return out\n"),
           (_QUADRATIC_TERM, "np.dot(delta, hess_L(theta0).dot(delta)) / 2"),
           ("    lam = np.linalg.eigvalsh(A)\n" + _RATE,
            "    lam = np.linalg.eigvals(A).real\n    return max(1 - eta * lam.min(), eta * lam.max() - 1)\n"),
           (_STEPS, "steps_needed = next(t for t in range(1, 10**6) if rho_best**t <= 1e-6)")],
          ["q1", "q2", "q3", "q4"]),
]
