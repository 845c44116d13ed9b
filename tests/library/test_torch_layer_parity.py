"""Convolution and pooling equal PyTorch's, forward and backward (fixtures/torch_layers.json).

The fixture was written by fixtures/make_torch_layer_fixtures.py with PyTorch 2.13.0 in
float64: ``torch.nn.functional.conv2d``, ``max_pool2d`` and ``avg_pool2d``, with the
gradients of sum(output · G) by autograd. These tests need only NumPy.
"""

import json
import pathlib

import numpy as np
import pytest

import descend as dd

FIXTURE = json.loads((pathlib.Path(__file__).parent / "fixtures" / "torch_layers.json").read_text())


def close(ours, theirs):
    theirs = np.array(theirs)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12 * np.abs(theirs).max())


@pytest.mark.parametrize("name", sorted(FIXTURE["conv"]))
def test_conv2d_multi_matches_torch(name):
    case = FIXTURE["conv"][name]
    x, k, b, G = (np.array(case[key]) for key in ("x", "kernels", "bias", "G"))
    close(dd.nn.conv2d_multi(x, k, b, **case["kwargs"]), case["out"])
    grad_x, grad_k, grad_b = dd.nn.conv2d_multi_backward(x, k, G, **case["kwargs"])
    close(grad_x, case["grad_x"])
    close(grad_k, case["grad_kernels"])
    close(grad_b, case["grad_bias"])


@pytest.mark.parametrize("name", sorted(FIXTURE["pool"]))
def test_pooling_matches_torch(name):
    case = FIXTURE["pool"][name]
    x, G = np.array(case["x"]), np.array(case["G"])
    forward = dd.nn.max_pool2d if case["kind"] == "max" else dd.nn.avg_pool2d
    backward = dd.nn.max_pool2d_backward if case["kind"] == "max" else dd.nn.avg_pool2d_backward
    close(forward(x, **case["kwargs"]), case["out"])
    close(backward(x, G, **case["kwargs"]), case["grad_x"])


def test_the_tie_case_has_ties():
    """The tie rule is really exercised: many windows of max_ties hold their maximum more than once."""
    x = np.array(FIXTURE["pool"]["max_ties"]["x"])
    windows = x.reshape(2, 2, 3, 2, 3, 2).transpose(0, 1, 2, 4, 3, 5).reshape(2, 2, 3, 3, 4)
    repeated = (windows == windows.max(axis=-1, keepdims=True)).sum(axis=-1) > 1
    assert repeated.sum() >= 10                     # 16 of the 36 windows
