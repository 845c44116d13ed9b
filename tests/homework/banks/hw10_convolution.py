"""Wrong answers to homework 10 (convolution), and a right one in another style.

q4's points are 0.5 for each public value test (the edge kernel, a short descent), 0 for the
form check, 0.5 for the edge kernel anywhere, 0.5 for other descents, 0.5 for the Hessian, the
bound and the learned kernel, and 0.5 for "the descent goes downhill": a flipped sign in the
descent keeps only the edge kernel (1 of 3), one step too few keeps 2 (the learned kernel
has converged, and the descent still goes downhill), the library's
backward pass in the descent keeps the edge kernel and the learned kernel.
"""

from bank import right, wrong

_STEP = "        K = K - eta * fit_grad(K, X, T)\n"
_EDGE = "edge_kernel = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])"

ANSWERS = [
    wrong("the sign of the descent step flipped (it climbs): costs more than one step too few",
          [(_STEP, "        K = K + eta * fit_grad(K, X, T)\n")],
          ["q4"], 0.34),
    wrong("one step too few in descend_kernel (range(steps - 1)); the learned kernel has converged and keeps its points",
          [("    for _ in range(steps):\n        K = K - eta", "    for _ in range(steps - 1):\n        K = K - eta")],
          ["q4"], 0.67, 0.6),
    wrong("the library's backward pass called in descend_kernel",
          [(_STEP, "        K = K - eta * dd.conv2d_backward(X, K, (dd.conv2d(X, K) - T) / len(X))[1]\n")],
          ["q4"], 0.5),
    wrong("a horizontal-edge kernel (the Sobel kernel transposed)",
          [(_EDGE, "edge_kernel = np.array([[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]])")],
          ["q4"], 0.67),
    wrong("a vertical-edge kernel of the wrong sign (bright to dark)",
          [(_EDGE, "edge_kernel = -np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])")],
          ["q4"], 0.67),
    wrong("eta_max without its 2 (1/λ_max), so K_learned takes half the step",
          [("eta_max = 2 / np.linalg.eigvalsh(H_fit).max()", "eta_max = 1 / np.linalg.eigvalsh(H_fit).max()")],
          ["q4"], 0.84),
    wrong("the kernel gradient without 1/N (the sum over the images)",
          [("    G = (dd.conv2d(X, K) - T) / len(X)", "    G = (dd.conv2d(X, K) - T)")],
          ["q3", "q4"], 0.5),
    wrong("zeros of the right shape everywhere",
          [("    return c_out * (c_in * k * k + 1)", "    return 0"),
           (_EDGE, "edge_kernel = np.zeros((3, 3))"),
           ("eta_max = 2 / np.linalg.eigvalsh(H_fit).max()", "eta_max = 0.0"),
           ("K_learned = descend_kernel(np.zeros((3, 3)), X_fit, T_fit, eta_max / 2, 100)", "K_learned = np.zeros((3, 3))"),
           (_STEP, "        K = np.zeros_like(K)\n")],
          ["q4"], 0.0),
    right("a descent written with a while loop and in-place updates on a copy",
          [("    for _ in range(steps):\n        K = K - eta * fit_grad(K, X, T)\n",
            "    t = 0\n    while t < steps:\n        K -= eta * fit_grad(K, X, T)\n        t += 1\n")],
          ["q4"]),
]
