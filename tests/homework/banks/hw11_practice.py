"""Wrong answers to homework 11 (optimizers in practice), and right ones in another style.

q1's points are 1 for the public rates, 0 for the form of the numbers, 1.25 for the rates
anywhere and 0.75 for mean_rate and composed_gap together: a warm-up from 0, a decay to 0
instead of η_min or a decay that does not stop at T keep nothing, an average over T + 1 steps
keeps 2.25 of 3. q2's are 0.75 for the public step and rates, 0 for the form, 0.75 for both
functions anywhere, 0.5 for gd_gap and 1 for the ratios: a flipped decay keeps the ratios (1),
ε inside the root keeps gd_gap (0.5), v̂ without its bias correction keeps 2. q3's are 0.75 for
the public clips, 0 for the form, 1 for clips anywhere and 1.25 for the runs: ε forgotten keeps
at most the runs, a clip that also lengthens short gradients keeps nothing, the blow-up counted
from 1 keeps the clip (1.75). q4's are 0.75 for the public short curve, 0 for the form, 1.25 for
any curve and 1 for stop_patience: ties taken as a new best keep the public curve and
stop_patience (CURVE has no ties at its lows), 1.75; an off-by-one patience or stop keeps
nothing. q6_range's 0.5 is in its hidden test: the steepest rate, or a window that ends at
η_low, keep nothing.
"""

from bank import right, wrong

_WARM = "        return eta * (start_factor + (1.0 - start_factor) * t / warmup)"
_COS = "    return eta_min + 0.5 * (eta - eta_min) * (1.0 + np.cos(np.pi * progress))"
_PROGRESS = "    progress = min(t - warmup, total - warmup) / (total - warmup)"
_MEAN = "for t in range(TOTAL)])  # SOLUTION"
_DECAY = "np.asarray(theta, dtype=float) * (1.0 - eta * lam)"
_ROOT = "    return eta * lam / (np.sqrt(np.asarray(v_hat, dtype=float)) + eps)  # SOLUTION"
_VHAT = "v_hat = adam_l2.state.v / (1 - 0.999**adam_l2.state.t)"
_CLIP = "    return g * min(1.0, max_norm / (np.sqrt(np.sum(g**2)) + eps))"
_BLOW = "theta, t = THETA0.copy(), 0"
_BEST = "        if val_loss[k] < val_loss[best]:"
_PATIENCE = "        elif k - best >= patience:"
_LAST = "    return best, len(val_loss) - 1"
_WINDOW = "window = np.array([eta_low / 10, 2 * eta_low])"
_LOW = "eta_low = range_sgd.etas[np.argmin(range_sgd.smoothed)]"

ANSWERS = [
    wrong("the warm-up starts from 0 instead of s·η",
          [(_WARM, "        return eta * t / warmup")],
          ["q1"], 0.0),
    wrong("the cosine decays to 0, not to η_min",
          [(_COS, "    return 0.5 * eta * (1.0 + np.cos(np.pi * progress))")],
          ["q1"], 0.0),
    wrong("the cosine does not stop at T (it climbs back after T)",
          [(_PROGRESS, "    progress = (t - warmup) / (total - warmup)")],
          ["q1"], 0.34),
    wrong("mean_rate averaged over T + 1 steps (t = 0, …, T): only the number is wrong",
          [(_MEAN, "for t in range(TOTAL + 1)])  # SOLUTION")],
          ["q1"], 0.76, 0.7),
    wrong("decoupled decay with the wrong sign (the weights grow)",
          [(_DECAY, "np.asarray(theta, dtype=float) * (1.0 + eta * lam)")],
          ["q2"], 0.34),
    wrong("ε inside the square root of Adam's decay rate",
          [(_ROOT, "    return eta * lam / np.sqrt(np.asarray(v_hat, dtype=float) + eps)  # SOLUTION")],
          ["q2"], 0.2),
    wrong("v̂ without its bias correction (v itself)",
          [(_VHAT, "v_hat = adam_l2.state.v")],
          ["q2"], 0.67, 0.6),
    wrong("ε forgotten in the clip (the norm alone)",
          [(_CLIP, "    return g * min(1.0, max_norm / np.sqrt(np.sum(g**2)))")],
          ["q3"], 0.45),
    wrong("every gradient rescaled to length c, short ones lengthened (no min with 1)",
          [(_CLIP, "    return g * (max_norm / (np.sqrt(np.sum(g**2)) + eps))")],
          ["q3"], 0.0),
    wrong("the blow-up step counted from 1 (one too many)",
          [(_BLOW, "theta, t = THETA0.copy(), 1")],
          ["q3"], 0.6, 0.55),
    wrong("a tie with the best loss counted as a new best",
          [(_BEST, "        if val_loss[k] <= val_loss[best]:")],
          ["q4"], 0.6, 0.55),
    wrong("the run waits one epoch too many (k − best > p)",
          [(_PATIENCE, "        elif k - best > patience:")],
          ["q4"], 0.34),
    wrong("without a stop, stop_epoch is one past the last epoch",
          [(_LAST, "    return best, len(val_loss)")],
          ["q4"], 0.34),
    wrong("the window ends at η_low instead of 2·η_low",
          [(_WINDOW, "window = np.array([eta_low / 10, eta_low])")],
          ["q6_range"], 0.0),
    wrong("the steepest rate instead of the lowest smoothed loss",
          [(_LOW, "eta_low = range_sgd.steepest")],
          ["q6_range"], 0.0),
    right("np.linalg.norm in the clip, and the range test's own minimum",
          [(_CLIP, "    return g * min(1.0, max_norm / (np.linalg.norm(g) + eps))"),
           (_LOW, "eta_low = range_sgd.minimum")],
          ["q3", "q6_range"]),
    right("the decoupled step written as the L2 step, θ − η(g + λθ)",
          [(_DECAY + " - eta * np.asarray(g, dtype=float)",
            "np.asarray(theta, dtype=float) - eta * (np.asarray(g, dtype=float) + lam * np.asarray(theta, dtype=float))")],
          ["q2"]),
]
