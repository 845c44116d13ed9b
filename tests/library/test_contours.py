"""Chapter 3's plots: sliced surfaces, contour maps at given heights, the matching quiz, path + loss."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import descend as dd  # noqa: E402

BOWL = dd.quadratic(np.diag([1.0, 4.0]))  # L = ½x₁² + 2x₂², window [-2, 2]²


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_sliced_surface_draws_each_slice_at_its_height_and_on_the_floor():
    heights = [0.5, 1.0, 1.5]
    ax = dd.plot.sliced_surface(BOWL, heights)
    assert ax.name == "3d"
    slices = [line.get_data_3d() for line in ax.lines]
    assert len(slices) == 2 * len(heights)  # one closed ellipse per height, twice
    zs = sorted({float(z[0]) for _, _, z in slices})
    floor = zs[0]
    assert floor < 0.0 and zs[1:] == heights  # the floor lies below the surface's minimum, 0
    for x, y, z in slices:
        assert np.all(z == z[0])  # each slice is flat
        if z[0] != floor:
            assert np.allclose(BOWL.f(np.stack([x, y])), z[0], atol=1e-3)  # and lies on the surface
    assert min(ax.get_zticks()) >= 0.0  # no ticks below the surface


def test_sliced_surface_without_floor():
    ax = dd.plot.sliced_surface(BOWL, [1.0], floor=False)
    assert len(ax.lines) == 1 and ax.get_zlim()[0] == pytest.approx(BOWL.grid(60)[2].min())


def test_level_map_uses_exactly_the_given_heights():
    ax = dd.plot.level_map(BOWL, [0.25, 0.5, 1.0])
    assert list(ax.collections[0].levels) == [0.25, 0.5, 1.0]
    assert {t.get_text() for t in ax.texts} >= {"0.25", "0.5", "1"}  # labelled
    assert any(line.get_marker() == "*" for line in ax.lines)  # the minimum is marked
    bare = dd.plot.level_map(BOWL, [0.5], labels=False, mark_minima=False)
    assert not bare.texts and not bare.lines


def test_level_map_spacing_reads_the_slope():
    # on the bowl x₁² + x₂² with equally spaced heights the radii are √c: gaps shrink outwards
    bowl = dd.quadratic(2 * np.eye(2), bounds=[(-2, 2), (-2, 2)])
    ax = dd.plot.level_map(bowl, [1.0, 2.0, 3.0])
    radii = [np.linalg.norm(seg, axis=1).mean() for seg in
             (p.vertices for p in ax.collections[0].get_paths())]
    assert np.allclose(radii, np.sqrt([1.0, 2.0, 3.0]), rtol=1e-3)


def test_match_contours_shuffles_the_maps():
    bowl, saddle = dd.quadratic(np.eye(2)), dd.quadratic(np.diag([1.0, -1.0]))
    cliff = dd.Problem(f=lambda x: np.tanh(x[0]), grad=lambda x: np.stack([1 / np.cosh(x[0]) ** 2, 0 * x[1]]),
                       bounds=[(-2, 2), (-2, 2)])
    problems = [bowl, saddle, cliff]
    fig = dd.plot.match_contours(problems, order=np.array([2, 0, 1]), levels=5)
    assert [ax.get_title() for ax in fig.axes] == ["A", "B", "C", "1", "2", "3"]
    assert [ax.name for ax in fig.axes[:3]] == ["3d"] * 3
    for ax, i in zip(fig.axes[3:], [2, 0, 1]):
        _, _, Z = problems[i].grid(120)
        expected = np.linspace(Z.min(), Z.max(), 7)[1:-1]
        assert np.allclose(ax.collections[0].levels, expected)
        assert not ax.texts and not ax.lines  # no labels, no stars: nothing gives the answer away


def test_path_and_loss_puts_the_path_beside_its_loss():
    p = dd.ill_conditioned(kappa=10.0)
    traces = [dd.run(dd.gd(eta=eta), p, [2.5, 1.0], steps=30) for eta in (0.15, 0.05)]
    fig = dd.plot.path_and_loss(p, traces, heights=[0.5, 1.0, 2.0], log=False)
    ax_map, ax_loss = fig.axes
    assert list(ax_map.collections[0].levels) == [0.5, 1.0, 2.0]
    drawn = [line for line in ax_map.lines if not line.get_label().startswith("_")]
    assert [line.get_label() for line in drawn] == [t.label for t in traces]
    assert np.allclose(drawn[0].get_xydata(), traces[0].xs)
    assert ax_loss.get_yscale() == "linear"
    assert np.allclose(ax_loss.lines[0].get_ydata(), traces[0].fs)
    default = dd.plot.path_and_loss(p, traces[0])
    assert default.axes[1].get_yscale() == "log"


BAD = [
    ("heights a number", lambda: dd.plot.level_map(BOWL, 0.5), TypeError, r"heights must be a sequence"),
    ("heights empty", lambda: dd.plot.sliced_surface(BOWL, []), ValueError, r"heights must be a non-empty"),
    ("heights decreasing", lambda: dd.plot.level_map(BOWL, [1.0, 0.5]), ValueError, r"increasing"),
    ("heights NaN", lambda: dd.plot.level_map(BOWL, [0.5, float("nan")]), ValueError,
     r"heights must be a finite"),
    ("heights text", lambda: dd.plot.level_map(BOWL, [0.5, "1"]), TypeError,
     r"heights must be a real number"),
    ("surface n = 1", lambda: dd.plot.sliced_surface(BOWL, [1.0], n=1), ValueError,
     r"n must be an integer ≥ 2"),
    ("1-D problem", lambda: dd.plot.level_map(dd.scalar(np.sin, np.cos, bounds=(0, 1)), [0.5]), ValueError,
     r"needs a 2-D problem"),
    ("one problem", lambda: dd.plot.match_contours([BOWL], [0]), ValueError, r"two to six problems"),
    ("not a problem", lambda: dd.plot.match_contours([BOWL, "bowl"], [0, 1]), TypeError, r"problem must be"),
    ("order not a permutation", lambda: dd.plot.match_contours([BOWL, BOWL], [0, 0]), ValueError,
     r"order must be a permutation of 0..1"),
    ("order of floats", lambda: dd.plot.match_contours([BOWL, BOWL], [1.0, 0.0]), TypeError,
     r"order must be"),
    ("order a number", lambda: dd.plot.match_contours([BOWL, BOWL], 1), TypeError,
     r"order must be a sequence"),
    ("levels = 1", lambda: dd.plot.match_contours([BOWL, BOWL], [1, 0], levels=1), ValueError,
     r"levels must be an integer ≥ 2"),
    ("traces not traces", lambda: dd.plot.path_and_loss(BOWL, [1, 2]), TypeError, r"traces must be a Trace"),
]


@pytest.mark.parametrize("what, call, exc, message", BAD, ids=[b[0] for b in BAD])
def test_bad_input(what, call, exc, message):
    with pytest.raises(exc, match=message):
        call()
