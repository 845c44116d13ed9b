"""A bank of wrong answers, and of right answers in another style, for the homework tests.

Each entry edits the solved notebook of one homework (``_build/homework/solutions``, the
perfect submission) into the submission of a student who made one typical mistake: ε inside
the root, β and 1 − β swapped, a sign flipped, t off by one, an array aliased in place, the
bias correction forgotten, zeros of the right shape, the library called where the question
asks for the loop. ``tests/homework/test_bank.py`` grades each with the autograder: a wrong
answer must score at most ``at_most`` of the points of the questions it breaks (and at least
``at_least``: a mistake that breaks a method, such as a flipped sign, must cost more than one that
only bends it, such as t off by one), and a right answer in another style must score full marks.

An edit is ``(old, new)``: every occurrence of ``old`` in the code cells of the solved notebook
becomes ``new``, and ``old`` must occur (so an entry that no longer matches the source fails
loudly instead of grading the unchanged solutions).

To add a homework's bank, add its entries to ``BANK`` under its stem; the issue asks for at
least eight wrong answers per homework.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Answer:
    """A submission made from the solutions by ``edits``."""

    what: str                              # the mistake (or the other style), in a few words
    edits: tuple[tuple[str, str], ...]
    questions: tuple[str, ...]             # the questions it answers differently
    at_most: float = 0.0                   # the largest fraction of those questions' points it may keep
    at_least: float = 0.0                  # the smallest: a slip that only bends a method keeps more
    right: bool = False                    # a right answer in another style: it must get full marks


def wrong(what, edits, questions, at_most, at_least=0.0):
    return Answer(what, tuple(edits), tuple(questions), at_most, at_least)


def right(what, edits, questions):
    return Answer(what, tuple(edits), tuple(questions), right=True)


_ADAM_STEP = "        theta = theta - eta * m_hat / (np.sqrt(v_hat) + eps)\n"
_ADAM_HATS = "        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)\n"

HW07 = [
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
           ("lag = int(np.argmax(m_hat_jump[10:] >= 4.75)) + 1", "lag = 0"),
           ("    return float(lam[-1] / lam[0])\n", "    return 0.0\n"),
           ("    return (F - F.mean(axis=0)) / F.std(axis=0)\n", "    return np.zeros(np.shape(F))\n"),
           ("    return eta / (np.sqrt(np.cumsum(grads**2, axis=0)) + eps)\n", "    return np.zeros(np.shape(grads))\n"),
           ("    return eta / np.sqrt(v + eps) if inside else eta / (np.sqrt(v) + eps)\n",
            "    return np.zeros(np.shape(v))\n"),
           ("rate_ratio = raw_rates[-1, 1] / raw_rates[-1, 0]", "rate_ratio = 0.0"),
           ("v_split = v_grid[ratio_in_out < 0.5].max()", "v_split = 0.0")],
          ["q1", "q2", "q3", "q4"], 0.0),
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

#: the bank, by homework stem
BANK: dict[str, list[Answer]] = {"hw07_adaptive": HW07}
