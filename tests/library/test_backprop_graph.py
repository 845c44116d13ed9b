"""Backpropagation on a computational graph, the softmax cross-entropy and its log-sum-exp (chapter 1).

The graph's forward and backward passes are compared with closed forms, with the library's
independent implementations (``sigmoid_neuron``, ``mlp_loss``/``mlp_grad``, ``cnn_loss``/``cnn_grad``)
and with central differences; the stable cross-entropy with the naive formula in 50-digit decimal
arithmetic, which does not overflow.
"""

from decimal import MAX_EMAX, MIN_EMIN, Decimal, localcontext

import numpy as np
import pytest

import descend as dd
from descend import calculus as C

rng = np.random.default_rng(16)


# --------------------------------------------------------------------------- the graph


def test_forward_values_and_shift():
    graph = [("u", "mul", ("w", 2.0)), ("v", "sub", ("u", "b")), ("L", "square", ("v",))]   # (2w − b)²
    values = C.graph_forward(graph, {"w": 3.0, "b": 1.0})
    assert values == {"w": 3.0, "b": 1.0, "u": 6.0, "v": 5.0, "L": 25.0}
    assert C.graph_forward(graph, {"w": 3.0, "b": 1.0}, shift={"u": 0.5})["L"] == 5.5**2   # u = 6.5
    assert C.graph_forward(graph, {"w": 3.0, "b": 1.0}, shift={"w": 0.5})["L"] == 6.0**2   # u = 7
    assert C.graph_forward(graph, {"w": 3.0, "b": 1.0}, shift={"L": 1.0})["L"] == 26.0


@pytest.mark.parametrize("op, args, value, local", [
    ("add", (2.0, 3.0), 5.0, (1.0, 1.0)),
    ("sub", (2.0, 3.0), -1.0, (1.0, -1.0)),
    ("mul", (2.0, 3.0), 6.0, (3.0, 2.0)),
    ("square", (3.0,), 9.0, (6.0,)),
    ("sigmoid", (0.0,), 0.5, (0.25,)),
    ("tanh", (0.0,), 0.0, (1.0,)),
    ("exp", (0.0,), 1.0, (1.0,)),
    ("log", (2.0,), np.log(2.0), (0.5,)),
])
def test_each_operation_and_its_local_derivatives(op, args, value, local):
    names = [f"x{k}" for k in range(len(args))]
    graph = [("out", op, tuple(names))]
    values = C.graph_forward(graph, dict(zip(names, args)))
    assert values["out"] == pytest.approx(value, rel=1e-15)
    adjoint = C.graph_backward(graph, values)
    assert [adjoint[n] for n in names] == pytest.approx(list(local), rel=1e-15)


@pytest.mark.parametrize("op, f", [("sigmoid", dd.sigmoid), ("tanh", np.tanh), ("exp", np.exp), ("log", np.log)])
def test_local_derivatives_against_central_differences(op, f):
    for x in rng.uniform(0.1, 3.0, size=10):
        adjoint = C.graph_backward([("y", op, ("x",))], C.graph_forward([("y", op, ("x",))], {"x": x}))["x"]
        assert adjoint == pytest.approx(float(dd.central_difference(f, x)), rel=1e-8)


def test_gradients_add_where_paths_branch():
    graph = [("u", "mul", ("w", "w")), ("L", "add", ("u", "w"))]        # L = w² + w: w used three times
    for w in (-2.0, 0.0, 0.7, 3.0):
        assert C.graph_backward(graph, C.graph_forward(graph, {"w": w}))["w"] == 2 * w + 1


def test_the_neuron_graph_is_the_library_neuron():
    graph, neuron = dd.nn.neuron_graph(), dd.sigmoid_neuron()
    for w, b in [(0.5, 0.0), *rng.uniform(-6, 6, size=(30, 2))]:
        values = C.graph_forward(graph, {"w": w, "b": b})
        adjoint = C.graph_backward(graph, values)
        assert values["L"] == pytest.approx(float(neuron.f(np.array([w, b]))), rel=1e-14, abs=1e-300)
        assert [adjoint["w"], adjoint["b"]] == pytest.approx(neuron.grad(np.array([w, b])), rel=1e-12, abs=1e-300)


def test_the_neuron_gradient_is_the_sum_of_its_two_paths():
    values = C.graph_forward(dd.nn.neuron_graph(), {"w": 0.5, "b": 0.0})
    adjoint = C.graph_backward(dd.nn.neuron_graph(), values)
    a = dd.sigmoid(np.array([0.5, 2.5]) * 0.5)
    paths = (a - [0.2, 0.9]) * a * (1 - a)                 # ∂L/∂z_i, by the chapter's formula
    assert [adjoint["z1"], adjoint["z2"]] == pytest.approx(paths, rel=1e-14)
    assert adjoint["b"] == pytest.approx(paths.sum(), rel=1e-14)
    assert adjoint["w"] == pytest.approx(paths @ [0.5, 2.5], rel=1e-14)


def test_every_adjoint_is_the_derivative_of_the_output_in_that_node():
    graph = dd.nn.neuron_graph(x=(0.5, 2.5, -1.0), y=(0.2, 0.9, 0.4))
    inputs = {"w": 0.8, "b": -0.3}
    adjoint = C.graph_backward(graph, C.graph_forward(graph, inputs))
    assert len(adjoint) == 2 + len(graph)
    for name, value in adjoint.items():
        fd = dd.central_difference(lambda s: C.graph_forward(graph, inputs, shift={name: s})["L"], 0.0)
        assert value == pytest.approx(float(fd), rel=1e-7, abs=1e-10), name


def test_output_other_than_the_last_node():
    graph = [("u", "mul", ("w", 3.0)), ("v", "log", ("u",)), ("L", "square", ("u",))]
    values = C.graph_forward(graph, {"w": 2.0})
    assert C.graph_backward(graph, values, output="u")["w"] == 3.0
    assert C.graph_backward(graph, values)["v"] == 0.0         # L does not use v


@pytest.mark.parametrize("X_shape, hidden", [((20, 1), 1), ((20, 1), 16), ((7, 3), 5), ((1, 2), 2)])
def test_the_mlp_graph_is_the_library_network(X_shape, hidden):
    X, y = rng.normal(size=X_shape), rng.normal(size=X_shape[0])
    graph, names = dd.nn.mlp_graph(X, y, hidden)
    assert len(names) == hidden * (X_shape[1] + 2) + 1
    for theta in rng.normal(size=(3, len(names))):
        values = C.graph_forward(graph, dict(zip(names, theta)))
        adjoint = C.graph_backward(graph, values)
        assert values["L"] == pytest.approx(dd.mlp_loss(theta, X, y), rel=1e-13)
        assert np.allclose([adjoint[n] for n in names], dd.mlp_grad(theta, X, y), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("N, n, h", [(20, 1, 1), (20, 1, 16), (7, 3, 5), (1, 2, 1)])
def test_graph_cost_counts_nodes_and_products(N, n, h):
    graph, _ = dd.nn.mlp_graph(np.ones((N, n)), np.zeros(N), h)
    adds = n - 1
    nodes = N * (h * (n + adds + 3) + (h - 1) + 3) + (N - 1 if N > 1 else 1) + 1
    products = N * (h * (n + 2 * adds + 5) + 2 * (h - 1) + 4) + (2 * (N - 1) if N > 1 else 1) + 1
    assert C.graph_cost(graph) == (len(graph), products) == (nodes, products)
    assert products <= 2 * nodes                              # at most two arguments per node
    assert C.graph_cost(dd.nn.neuron_graph()) == (12, 15)


def test_the_passes_make_exactly_the_counted_operations(monkeypatch):
    graph, names = dd.nn.mlp_graph(rng.normal(size=(4, 2)), rng.normal(size=4), 3)
    inputs = dict(zip(names, rng.normal(size=len(names))))
    calls = {"value": 0, "product": 0}

    class Local(float):                  # a local derivative that counts the products it enters
        def __rmul__(self, upstream):
            calls["product"] += 1
            return float(upstream) * float(self)

    def counting(n_args, value, local):
        def v(*a):
            calls["value"] += 1
            return value(*a)
        return n_args, v, lambda *a: tuple(Local(float(x)) for x in local(*a))

    monkeypatch.setattr(C, "GRAPH_OPS", {op: counting(*entry) for op, entry in C.GRAPH_OPS.items()})
    values = C.graph_forward(graph, inputs)
    adjoint = C.graph_backward(graph, values)
    assert (calls["value"], calls["product"]) == C.graph_cost(graph)
    monkeypatch.undo()
    plain = C.graph_backward(graph, C.graph_forward(graph, inputs))
    assert [adjoint[n] for n in names] == [plain[n] for n in names]     # counting changed nothing
    assert C.graph_operations(graph, inputs) == (calls["value"], calls["product"])


@pytest.mark.parametrize("hidden", [1, 4, 16])
def test_graph_operations_counts_what_the_passes_execute(hidden):
    X, y = rng.normal(size=(6, 2)), rng.normal(size=6)
    graph, names = dd.nn.mlp_graph(X, y, hidden)
    inputs = dict(zip(names, rng.normal(size=len(names))))
    ops_before = dict(C.GRAPH_OPS)
    assert C.graph_operations(graph, inputs) == C.graph_cost(graph)
    assert C.GRAPH_OPS == ops_before                                    # the table is left alone
    assert C.graph_operations(dd.nn.neuron_graph(), {"w": 0.5, "b": 0.0}) == (12, 15)
    assert C.graph_operations(dd.nn.cross_entropy_graph(4, 1), {f"z{k}": 0.1 * k for k in range(4)}) == (9, 13)   # 4 + 2·3 + 1 + 2
    assert C.graph_operations([("L", "mul", ("w", "w"))], {"w": 2.0}) == (1, 2)        # w used twice
    with pytest.raises(ValueError, match="neither an input"):
        C.graph_operations(graph, {})


# --------------------------------------------------------------------------- softmax and cross-entropy


def naive_cross_entropy(z, y):
    return -np.log(np.exp(z[y]) / np.exp(z).sum())


def exact_cross_entropy(z, y):
    """−log softmax(z)_y by the naive formula in 50-digit decimals (no overflow there)."""
    with localcontext() as ctx:
        ctx.prec = 50
        total = sum(Decimal(float(v)).exp() for v in z)
        return float(total.ln() - Decimal(float(z[y])))


def test_softmax_and_cross_entropy_agree_with_the_naive_formulas_where_they_work():
    for _ in range(50):
        z, y = rng.normal(scale=3.0, size=5), int(rng.integers(5))
        p = dd.nn.softmax(z)
        assert np.allclose(p, np.exp(z) / np.exp(z).sum(), rtol=1e-14)
        assert p.sum() == pytest.approx(1.0, abs=1e-15) and np.all(p > 0)
        assert dd.nn.cross_entropy(z, y) == pytest.approx(naive_cross_entropy(z, y), rel=1e-13, abs=1e-15)
        assert dd.nn.log_sum_exp(z) == pytest.approx(np.log(np.exp(z).sum()), rel=1e-14)


@pytest.mark.parametrize("z, y", [([1000.0, 990.0, 980.0], 1), ([1000.0, 990.0, 980.0], 0),
                                  ([-1000.0, -990.0, -1010.0], 2), ([710.0, -710.0], 1), ([5e5, 5e5 - 3.0], 1)])
def test_large_scores_the_naive_formula_fails_the_stable_one_is_exact(z, y):
    z = np.array(z)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        assert not np.isfinite(naive_cross_entropy(z, y))
    assert dd.nn.cross_entropy(z, y) == pytest.approx(exact_cross_entropy(z, y), rel=4e-16, abs=1e-300)


def exact_softmax(z):
    """e^{z_k} / Σ e^{z_j} by the naive formula in 50-digit decimals (e^{1e8} is a number there)."""
    with localcontext() as ctx:
        ctx.prec, ctx.Emax, ctx.Emin = 50, MAX_EMAX, MIN_EMIN
        e = [Decimal(float(v)).exp() for v in z]
        return np.array([float(t / sum(e)) for t in e])


@pytest.mark.parametrize("scale", [1.0, 1e8, -1e8, 1e10])
def test_softmax_keeps_its_digits_for_large_scores(scale):
    for _ in range(10):
        z = scale + rng.normal(scale=3.0, size=5)
        exact = exact_softmax(z)
        assert np.all(np.abs(dd.nn.softmax(z) - exact) <= 2e-15 * exact)
        lse_way = np.exp(z - dd.nn.log_sum_exp(z))                     # rounds lse at the size of z
        if abs(scale) >= 1e8:
            assert np.max(np.abs(lse_way - exact) / exact) > 1e-10


def test_shifting_every_score_changes_nothing():
    z = rng.normal(size=(6, 4))
    for c in (-800.0, 3.0, 900.0):
        assert np.allclose(dd.nn.softmax(z + c), dd.nn.softmax(z), rtol=1e-12, atol=1e-15)
        assert np.allclose(dd.nn.log_sum_exp(z + c), dd.nn.log_sum_exp(z) + c, rtol=1e-14)


def test_the_gradient_is_softmax_minus_one_hot():
    for m in (2, 3, 7):
        for _ in range(10):
            z, y = rng.normal(scale=2.0, size=m), int(rng.integers(m))
            g = dd.nn.softmax(z) - np.eye(m)[y]
            assert np.allclose(g, dd.numerical_grad(lambda s: dd.nn.cross_entropy(s, y), z), atol=1e-9)
            values = C.graph_forward(dd.nn.cross_entropy_graph(m, y), {f"z{k}": z[k] for k in range(m)})
            adjoint = C.graph_backward(dd.nn.cross_entropy_graph(m, y), values)
            assert values["loss"] == pytest.approx(dd.nn.cross_entropy(z, y), rel=1e-13)
            assert np.allclose([adjoint[f"z{k}"] for k in range(m)], g, rtol=1e-13, atol=1e-16)
            assert abs(g.sum()) < 1e-15


def test_stacks_of_rows():
    z, y = rng.normal(size=(5, 3)), np.array([0, 2, 1, 1, 0])
    out = dd.nn.cross_entropy(z, y)
    assert out.shape == (5,)
    assert np.allclose(out, [dd.nn.cross_entropy(z[n], int(y[n])) for n in range(5)], rtol=1e-15)
    assert np.allclose(dd.nn.softmax(z), [dd.nn.softmax(row) for row in z], rtol=1e-15)


def test_the_cnn_loss_is_the_same_cross_entropy():
    images, labels = dd.data.bars(n=12, seed=0)
    for scores in ([0.3, -1.0, 2.0, 0.5], [1000.0, 990.0, 980.0, -5.0]):
        theta = np.concatenate([np.zeros(6 * 10 + 4 * 6), scores])   # head weights 0: every image scores b
        expected = dd.nn.cross_entropy(np.tile(scores, (12, 1)), labels)
        assert dd.cnn_loss(theta, images, labels) == pytest.approx(expected.mean(), rel=1e-14)
        bias_grad = dd.cnn_grad(theta, images, labels)[-4:]
        assert np.allclose(bias_grad, (dd.nn.softmax(np.array(scores)) - np.eye(4)[labels]).mean(axis=0),
                           rtol=1e-12, atol=1e-16)


# --------------------------------------------------------------------------- counting evaluations


def test_counted_counts_the_evaluations_of_finite_difference_gradients():
    for d in (1, 5, 13):
        loss = C.counted(lambda x: float(np.sum(np.sin(x))))
        dd.numerical_grad(loss, np.zeros(d))
        assert loss.calls == 2 * d
        loss = C.counted(lambda x: float(np.sum(np.sin(x))))
        x, h = np.zeros(d), 1e-7
        f0 = loss(x)
        [(loss(x + h * e) - f0) / h for e in np.eye(d)]
        assert loss.calls == d + 1
    assert C.counted(lambda a, b=0: a + b)(1, b=2) == 3


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("graph, inputs, match", [
    ([("L", "cube", ("w",))], {"w": 1.0}, "op must be one of"),
    ([("L", "add", ("w",))], {"w": 1.0}, "add takes 2"),
    ([("L", "square", ("u",)), ("u", "mul", ("w", 2.0))], {"w": 1.0}, "neither an input nor an earlier node"),
    ([("u", "square", ("w",)), ("u", "exp", ("w",))], {"w": 1.0}, "defined twice"),
    ([("w", "square", ("w",))], {"w": 1.0}, "defined twice"),
    ([("L", "mul", ("w", float("nan")))], {"w": 1.0}, "finite number"),
    ([("L", "square")], {"w": 1.0}, r"\(name, op, args\)"),
    ([], {"w": 1.0}, "at least one node"),
])
def test_bad_graphs(graph, inputs, match):
    with pytest.raises(ValueError, match=match):
        C.graph_forward(graph, inputs)


def test_bad_inputs_shift_values_and_output():
    graph = [("L", "mul", ("w", "b"))]
    with pytest.raises(ValueError, match="neither an input"):
        C.graph_forward(graph, {"w": 1.0})
    with pytest.raises(ValueError, match=r"inputs\['w'\] must be one finite number"):
        C.graph_forward(graph, {"w": np.inf, "b": 1.0})
    with pytest.raises(TypeError, match="inputs must be a dict"):
        C.graph_forward(graph, [1.0, 2.0])
    with pytest.raises(ValueError, match="shift names 'u'"):
        C.graph_forward(graph, {"w": 1.0, "b": 1.0}, shift={"u": 1.0})
    with pytest.raises(TypeError, match="graph must be a list"):
        C.graph_forward("L = w b", {"w": 1.0})
    values = C.graph_forward(graph, {"w": 1.0, "b": 2.0})
    with pytest.raises(ValueError, match="output must be the name of a node"):
        C.graph_backward(graph, values, output="w")
    with pytest.raises(ValueError, match="values must hold every node"):
        C.graph_backward(graph, {"w": 1.0, "b": 2.0})
    with pytest.raises(TypeError, match="values must be the dict"):
        C.graph_backward(graph, [1.0])
    with pytest.raises(TypeError, match="f must be callable"):
        C.counted(3)


@pytest.mark.parametrize("scores, labels, match", [
    ([1.0], 0, "m ≥ 2"),
    ([[[1.0, 2.0]]], 0, "shape"),
    ([1.0, np.inf], 0, "finite"),
    ([1.0, 2.0], 2, "labels must be one integer in 0 … 1"),
    ([1.0, 2.0], -1, "labels must be"),
    ([1.0, 2.0], 0.0, "labels must be"),
    ([[1.0, 2.0], [3.0, 4.0]], [0], "labels must be 2 integers"),
])
def test_bad_scores_and_labels(scores, labels, match):
    with pytest.raises(ValueError, match=match):
        dd.nn.cross_entropy(scores, labels)


def test_bad_graph_builders():
    with pytest.raises(ValueError, match="same length"):
        dd.nn.neuron_graph(x=(0.5, 2.5), y=(0.2,))
    with pytest.raises(ValueError, match="label must be a class in 0 … 2"):
        dd.nn.cross_entropy_graph(3, 3)
    with pytest.raises(ValueError, match="m must be an integer ≥ 2"):
        dd.nn.cross_entropy_graph(1, 0)
    with pytest.raises(ValueError, match="hidden must be an integer ≥ 1"):
        dd.nn.mlp_graph(np.ones((2, 1)), np.ones(2), 0)
    with pytest.raises(ValueError, match="y must have shape"):
        dd.nn.mlp_graph(np.ones((2, 1)), np.ones(3), 1)
    with pytest.raises(TypeError, match="scores must be an array"):
        dd.nn.softmax("abc")
