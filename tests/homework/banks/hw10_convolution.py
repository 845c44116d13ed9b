"""Wrong answers to homework 10 (convolution), and a right one in another style.

q1's points are 0.5 for the public counts, 0 for the form of c_fraction, 0.75 for the counts
anywhere and 0.75 for c_fraction: the groups ignored keep nothing, c_in and c_out swapped keep
c_fraction (a layer from C to C channels cannot tell them apart), a
strict inequality in the search for c_fraction (it is reached with equality) keeps 1.25 of 2.
q2's are 0.75 for the public size and convolution, 0 for the form of fields, 1.5 for both
anywhere and 0.75 for fields: a wrong size or a wrong convolution keeps only fields (0.25),
fields without its 1 or without the dilations keep 0.75. q3's are 0.5 for the public stack, 0
for the form of the check, 1.25 for other stacks, 0.75 for the reported check (grad_chk, and
rel_error recomputed from the student's functions) and 0.5 for "a step against the gradient
goes downhill" (by at least 1 % of what the gradient promises, so a gradient N times too long
still passes): a flipped sign keeps nothing of q3 and 1 of q4, a forgotten 1/N keeps the downhill step
and 1.5 of q4, a typed-in
rel_error keeps 2.25 of 3. q5_terms and q5_local put their points in one hidden value test per count (0.25 each;
the layer they count on is drawn per seed, not the chapter's), q6_counts half in the dense counts and
half in the views (their public tests check the form only): the chapter's printed LeNet counts, which are not the
published stack's, keep nothing.
q4's points are 0.5 for each public value test (the edge kernel, a short descent), 0 for the
form check, 0.5 for the edge kernel anywhere, 0.5 for other descents, 0.5 for the Hessian, the
bound and the learned kernel, and 0.5 for "the descent goes downhill": a flipped sign in the
descent keeps only the edge kernel (1 of 3), one step too few keeps 2 (the learned kernel
has converged, and the descent still goes downhill), the library's
backward pass in the descent keeps the edge kernel and the learned kernel.
"""

from bank import right, wrong

_STEP = "        K = K - eta * fit_grad(K, X, T)\n"
_GROUPS = "    return c_out * ((c_in // groups) * k * k + 1)  # SOLUTION"
_SEPARABLE = "    return conv_params(c_in, c_in, k, groups=c_in) + conv_params(c_in, c_out, 1)  # SOLUTION"
_SEARCH = "separable_params(c, c, P.k_sep) <= conv_params(c, c, P.k_sep) / P.fraction"
_SIZE = "    return (n + 2 * padding - dilation * (k - 1) - 1) // stride + 1  # SOLUTION"
_WINDOWS = "sliding_window_view(padded, span)[::stride, ::stride, ::dilation, ::dilation]"
_FIELDS = "fields = 1 + (P.k_dil - 1) * np.cumsum(P.dilations)  # SOLUTION"
_G = "    G = (np.einsum(\"nijab,ab->nij\", windows, K) - T) / len(X)"
_GRAD = "    return np.einsum(\"nijab,nij->ab\", windows, G)"
_REL = "rel_error = dd.check_grad("
_DENSE_WITH = "dense_with_pool = P.pool_units * (P.pool_ch * side_pooled**2 + 1)"
_DENSE_WITHOUT = "dense_without_pool = P.pool_units * (P.pool_ch * side_unpooled**2 + 1)"
_VIEW_WITH = "view_with_pool = 2 * P.view_k + (P.view_k - 1)"
_VIEW_WITHOUT = "view_without_pool = 1 + 2 * (P.view_k - 1)"
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
    wrong("the groups ignored in conv_params (every output channel sees every input channel)",
          [(_GROUPS, "    return c_out * (c_in * k * k + 1)")],
          ["q1"], 0.0),
    wrong("c_in and c_out swapped in conv_params (c_fraction, from C to C channels, is still right)",
          [(_GROUPS, "    return c_in * ((c_out // groups) * k * k + 1)")],
          ["q1"], 0.4),
    wrong("the pointwise part without its biases",
          [(_SEPARABLE, "    return conv_params(c_in, c_in, k, groups=c_in) + c_in * c_out")],
          ["q1"], 0.0),
    wrong("a strict inequality in the search for c_fraction (the fraction is reached with equality)",
          [(_SEARCH, "separable_params(c, c, P.k_sep) < conv_params(c, c, P.k_sep) / P.fraction")],
          ["q1"], 0.63, 0.6),
    wrong("the dilated span taken as d·k (output_size off by d − 1)",
          [(_SIZE, "    return (n + 2 * padding - dilation * k) // stride + 1")],
          ["q2"], 0.25),
    wrong("stride and dilation swapped in the windows",
          [(_WINDOWS, "sliding_window_view(padded, span)[::dilation, ::dilation, ::stride, ::stride]")],
          ["q2"], 0.25),
    wrong("the kernel flipped (the convolution of mathematics)",
          [("    return np.einsum(\"ijab,ab->ij\", windows, K)", "    return np.einsum(\"ijab,ab->ij\", windows, K[::-1, ::-1])")],
          ["q2"], 0.25),
    wrong("the library's conv2d called with a spread kernel in conv2d_dilated",
          [("    span = (dilation", "    spread = np.zeros((dilation * (K.shape[0] - 1) + 1, dilation * (K.shape[1] - 1) + 1))\n"
            "    spread[::dilation, ::dilation] = K\n    return dd.conv2d(padded, spread)[::stride, ::stride]\n    span = (dilation")],
          ["q2"], 0.25),
    wrong("fields without its 1 (the width added, not the width)",
          [(_FIELDS, "fields = (P.k_dil - 1) * np.cumsum(P.dilations)")],
          ["q2"], 0.75, 0.7),
    wrong("fields without the dilations (the chapter's 1 + L(k − 1))",
          [(_FIELDS, "fields = 1 + (P.k_dil - 1) * np.arange(1, 5)")],
          ["q2"], 0.75, 0.7),
    wrong("the sign of G flipped (T − Y): costs more than a forgotten 1/N",
          [(_G, "    G = (T - np.einsum(\"nijab,ab->nij\", windows, K)) / len(X)")],
          ["q3", "q4"], 0.2),
    wrong("the kernel's gradient without 1/N (the sum over the images)",
          [(_G, "    G = (np.einsum(\"nijab,ab->nij\", windows, K) - T)")],
          ["q3", "q4"], 0.4, 0.3),
    wrong("the chapter's formula Σ conv2d(X̃_n, G_n) with the stride ignored",
          [(_GRAD, "    return sum(dd.conv2d(x, g) for x, g in zip(X, G))")],
          ["q3"], 0.2),
    wrong("the library's conv2d_backward called in fit_grad (grad_chk right, but every call of fit_grad refuses)",
          [(_GRAD, "    full = dd.conv2d(X, K)\n    Gs = np.zeros_like(full)\n    Gs[:, ::stride, ::stride] = G\n"
                   "    return dd.conv2d_backward(X, K, Gs)[1]")],
          ["q3", "q4"], 0.3),
    wrong("rel_error typed in as 0 instead of computed",
          [(_REL, "rel_error = 0.0\n_unused = dd.check_grad(")],
          ["q3"], 0.75, 0.7),
    wrong("zeros of the right shape everywhere",
          [(_GROUPS, "    return 0"), (_SEPARABLE, "    return 0"),
           ("c_fraction = next(", "c_fraction = 0\n_unused = next("),
           (_SIZE, "    return 0"),
           ("    return np.einsum(\"ijab,ab->ij\", windows, K)", "    return np.zeros(windows.shape[:2])"),
           (_FIELDS, "fields = np.zeros(4)"),
           ("    return 0.5 * float(np.sum((Y - T) ** 2)) / len(X)", "    return 0.0"),
           (_GRAD, "    return np.zeros(K.shape)"),
           (_EDGE, "edge_kernel = np.zeros((3, 3))"),
           ("eta_max = 2 / np.linalg.eigvalsh(H_fit).max()", "eta_max = 0.0"),
           ("K_learned = descend_kernel(", "K_learned = np.zeros((3, 3))\n_unused = descend_kernel("),
           (_STEP, "        K = np.zeros_like(K)\n"),
           ("kernel_terms = P.terms_n * (", "kernel_terms = 0 * ("), ("dense_terms = P.terms_n * 1", "dense_terms = 0"),
           ("local_weights = (", "local_weights = 0 * ("), ("local_terms = P.terms_n * 1", "local_terms = 0"),
           (_DENSE_WITH, "dense_with_pool = 0"), (_DENSE_WITHOUT, "dense_without_pool = 0"),
           (_VIEW_WITH, "view_with_pool = 0"), (_VIEW_WITHOUT, "view_without_pool = 0"),
           ("tie_difference = (np.max(", "tie_difference = 0 * (np.max(")],
          ["q1", "q2", "q3", "q4", "q5_terms", "q5_local", "q6_counts", "q6_tie"], 0.0),
    wrong("the kernel's terms counted for one image only (its positions, not positions × images)",
          [("kernel_terms = P.terms_n * (", "kernel_terms = 1 * (")],
          ["q5_terms"], 0.5, at_least=0.5),   # dense_terms is right
    wrong("the stride ignored: the kernel's positions counted as (n − k + 1)² in q5a and q5b",
          [("kernel_terms = P.terms_n * ((P.terms_side - P.terms_k) // P.terms_stride + 1) ** 2",
            "kernel_terms = P.terms_n * (P.terms_side - P.terms_k + 1) ** 2"),
           ("local_weights = ((P.terms_side - P.terms_k) // P.terms_stride + 1) ** 2",
            "local_weights = (P.terms_side - P.terms_k + 1) ** 2")],
          ["q5_terms", "q5_local"], 0.5, at_least=0.5),   # dense_terms and local_terms are right
    wrong("the chapter's 1000 training images typed in for the terms of one position per image",
          [("dense_terms = P.terms_n * 1", "dense_terms = 1000"), ("local_terms = P.terms_n * 1", "local_terms = 1000")],
          ["q5_terms", "q5_local"], 0.5, at_least=0.5),   # kernel_terms and local_weights are right
    wrong("the dense layers counted without their biases",
          [(_DENSE_WITH, "dense_with_pool = P.pool_units * P.pool_ch * side_pooled**2"),
           (_DENSE_WITHOUT, "dense_without_pool = P.pool_units * P.pool_ch * side_unpooled**2")],
          ["q6_counts", "q6_tie"], 0.5, at_least=0.5),   # the views and tie_difference are right
    wrong("the pooled side as the unpooled side divided by 4 (the second convolution's shrink not halved)",
          [("side_pooled = ((P.pool_side - P.pool_k + 1) // 2 - P.pool_k + 1) // 2",
            "side_pooled = (P.pool_side - 2 * (P.pool_k - 1)) // 4")],
          ["q6_counts", "q6_tie"], 0.5, at_least=0.5),   # the views and tie_difference are right
    wrong("the chapter's printed LeNet counts and 3 × 3 views copied (48,120; 1,106,040; 8; 5)",
          [(_DENSE_WITH, "dense_with_pool = 48120"), (_DENSE_WITHOUT, "dense_without_pool = 1106040"),
           (_VIEW_WITH, "view_with_pool = 8"), (_VIEW_WITHOUT, "view_without_pool = 5")],
          ["q6_counts", "q6_tie"], 0.25, at_least=0.25),   # tie_difference is right
    right("conv2d_dilated as a sum of shifted slices, fit_grad with conv2d_dilated cut to K's shape",
          [("    span = (dilation", "    H, W = output_size(padded.shape[0], K.shape[0], 0, stride, dilation), "
            "output_size(padded.shape[1], K.shape[1], 0, stride, dilation)\n"
            "    Y = np.zeros((H, W))\n    for a in range(K.shape[0]):\n        for b in range(K.shape[1]):\n"
            "            Y += K[a, b] * padded[dilation * a:dilation * a + stride * (H - 1) + 1:stride,\n"
            "                                  dilation * b:dilation * b + stride * (W - 1) + 1:stride]\n"
            "    return Y\n    span = (dilation"),
           (_GRAD, "    return sum(conv2d_dilated(x, g, 0, 1, stride)[:K.shape[0], :K.shape[1]] for x, g in zip(X, G))")],
          ["q2", "q3"]),
    right("a descent written with a while loop and in-place updates on a copy",
          [("    for _ in range(steps):\n        K = K - eta * fit_grad(K, X, T)\n",
            "    t = 0\n    while t < steps:\n        K -= eta * fit_grad(K, X, T)\n        t += 1\n")],
          ["q4"]),
]
