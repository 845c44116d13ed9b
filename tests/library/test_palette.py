"""The trajectory palette stays distinguishable under the common colour-vision deficiencies.

Simulation: Machado, Oliveira & Fernandes (2009), "A physiologically-based model for
simulation of color vision deficiency", IEEE TVCG 15(6), severity 1.0, applied to linear
RGB; distances are CIE76 ΔE in CIELAB (D65). A ΔE above about 10 reads as clearly different
colours at a glance.
"""

import itertools

import numpy as np
import pytest

import descend as dd

MACHADO = {
    "normal": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
# The colours that paths and loss curves cycle through first (a race has up to six optimizers).
USED = 6


def srgb_to_linear(c):
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def linear_to_lab(rgb):
    M = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = M @ rgb / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def hex_to_rgb(h):
    return np.array([int(h[i:i + 2], 16) for i in (1, 3, 5)]) / 255.0


@pytest.mark.parametrize("vision", sorted(MACHADO))
def test_palette_distinguishable(vision):
    labs = [linear_to_lab(np.clip(MACHADO[vision] @ srgb_to_linear(hex_to_rgb(c)), 0, 1)) for c in dd.plot.PALETTE[:USED]]
    worst = min(np.linalg.norm(a - b) for a, b in itertools.combinations(labs, 2))
    assert worst > 10, f"two palette colours are nearly the same under {vision}: ΔE = {worst:.1f}"


def test_the_simulation_would_catch_red_against_green():
    red, green = hex_to_rgb("#d62728"), hex_to_rgb("#2ca02c")  # matplotlib's default C3 and C2
    labs = [linear_to_lab(np.clip(MACHADO["deuteranopia"] @ srgb_to_linear(c), 0, 1)) for c in (red, green)]
    assert np.linalg.norm(labs[0] - labs[1]) < 10
