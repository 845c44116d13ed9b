"""Explorers that keep their figure repaint only what changes, and show the same pixels as a fresh figure."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import descend as dd  # noqa: E402
from descend._scene import Scene  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def contour_scene(mark_minima=True):
    """The common case: a contour map drawn once, a path, a legend and a title per frame."""
    p = dd.ill_conditioned(kappa=10.0)
    fig, ax = plt.subplots()
    dd.plot.contour(p, ax, levels=10, n=60, mark_minima=mark_minima)

    def update(eta, beta):
        trace = dd.run(dd.momentum(eta=eta, beta=beta), p, [2.5, 1.0], steps=30)
        dd.plot.path(trace, ax)
        ax.legend(loc="upper left")
        ax.set_title(f"η = {eta:g}, β = {beta:g}")
        fig.suptitle(f"L₃₀ = {trace.f:.2e}")
    return fig, update


def limits_scene():
    """An update that moves the axes' limits and scale: the background itself changes."""
    fig, ax = plt.subplots()

    def update(a):
        ax.plot([1, 2, 3], [1, a, a * a])
        ax.set(xlim=(0, 4), ylim=(0.5, 2 * a * a), yscale="log" if a > 2 else "linear")
    return fig, update


def counting(scene):
    """Count the scene's full draws (every other frame is painted over the saved background)."""
    draw, scene.full_draws = scene.canvas.draw, 0

    def counted():
        scene.full_draws += 1
        draw()
    scene.canvas.draw = counted
    return scene


@pytest.mark.parametrize("setup, values", [
    (contour_scene, [{"eta": 0.1, "beta": 0.0}, {"eta": 0.2, "beta": 0.9}, {"eta": 0.05, "beta": 0.5},
                     {"eta": 0.1, "beta": 0.0}]),
    (limits_scene, [{"a": 1.0}, {"a": 3.0}, {"a": 1.5}, {"a": 3.0}]),
])
def test_a_kept_figure_shows_what_a_fresh_one_shows(setup, values):
    kept = Scene(setup)
    for v in values:
        assert np.array_equal(kept.rgba(v), Scene(setup).rgba(v)), f"stale pixels at {v}"


@pytest.mark.parametrize("setup, values", [
    (contour_scene, [{"eta": 0.1, "beta": 0.0}, {"eta": 0.2, "beta": 0.9}]),
    (limits_scene, [{"a": 1.0}, {"a": 3.0}]),
])
def test_a_kept_figure_drawn_at_another_resolution_shows_what_a_fresh_one_shows(setup, values):
    """The static pages draw each explorer's frames at one resolution, then at twice it, from one scene."""
    kept = Scene(setup)
    for dpi in (100, 200, 65.8):
        kept.set_dpi(dpi)
        for v in values:
            frame = kept.rgba(v)
            assert frame.shape[1] == int(kept.fig.get_figwidth() * dpi + 1e-6)
            assert np.array_equal(frame, Scene(setup, dpi).rgba(v)), f"stale pixels at {v}, {dpi} dpi"


def test_the_pixels_are_those_of_a_full_draw():
    # the changing artists lie above everything else here, so a full draw also paints them last
    # (the minimum's star, above the path in a full draw, is below it in a kept figure)
    def setup():
        return contour_scene(mark_minima=False)
    v = {"eta": 0.15, "beta": 0.5}
    blitted = Scene(setup).rgba(v).copy()
    fig = Scene(setup).figure(v)
    fig.canvas.draw()
    assert np.array_equal(blitted, np.asarray(fig.canvas.buffer_rgba()))


def test_only_changed_artists_are_repainted():
    scene = counting(Scene(contour_scene))
    for eta in (0.1, 0.12, 0.14):   # the first frame draws the background without the changing artists
        scene.rgba({"eta": eta, "beta": 0.5})
    assert scene.full_draws == 1
    scene = counting(Scene(limits_scene))
    for a in (1.0, 1.5, 1.5):       # new limits need a new background; the same limits do not
        scene.rgba({"a": a})
    assert scene.full_draws == 2


def test_only_what_an_update_added_is_repainted():
    """Chapter 3's matching quiz: a full draw re-places each small map's empty side titles,
    which matplotlib 3.10 then leaves marked stale.  They are no change by the next update:
    the frames are painted over the background, and only what the update added is repainted."""
    from descend._scene import _units

    problems = [dd.quadratic([[1.0, 0.0], [0.0, 3.0]]), dd.saddle(), dd.himmelblau()]
    scene = counting(Scene(lambda: dd.plot.match_scene(problems, [2, 0, 1])))
    for surface in (1, 2, 3, 2):
        scene.rgba({"surface": surface})
        repainted = {id(a) for a in _units(scene.fig) if a.get_animated()}
        assert repainted == {id(a) for a in scene.added}, "an unchanged artist is repainted at every frame"
    assert scene.full_draws == 1
    fresh = Scene(lambda: dd.plot.match_scene(problems, [2, 0, 1])).rgba({"surface": 2})
    assert np.array_equal(scene.rgba({"surface": 2}), fresh)


def test_an_explorer_of_a_scene():
    ex = dd.explore(contour_scene, eta=dd.slider(0.05, 0.2, 0.05), beta=dd.slider(0.0, 0.9, 0.3), alt="paths")
    assert ex.scene
    png = ex.render({"eta": 0.1})
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    fig = ex.figure(eta=0.2, beta=0.9)
    assert fig.axes[0].get_title() == "η = 0.2, β = 0.9" and not any(a.get_animated() for a in fig.axes[0].lines)
    # a live slider can stop between grid values; the frame is that of the nearest one
    assert np.array_equal(ex.rgba({"eta": 0.1049, "beta": 0.31}), ex.rgba({"eta": 0.1, "beta": 0.3}))


def test_the_live_widgets_jpeg_frames_are_close_to_the_lossless_ones():
    """The widget shows JPEG frames (four times faster to encode than PNG); their error against
    the drawn pixels stays at a few levels in 255, on a contour map, a path, a legend and text."""
    import io

    from PIL import Image

    ex = dd.explore(contour_scene, eta=dd.slider(0.05, 0.2, 0.05), beta=dd.slider(0.0, 0.9, 0.3), alt="paths")
    for values in ({"eta": 0.1, "beta": 0.0}, {"eta": 0.2, "beta": 0.9}):
        drawn = ex.rgba(values)[..., :3].astype(int)
        shown = np.asarray(Image.open(io.BytesIO(ex.render(values, format="jpeg"))).convert("RGB")).astype(int)
        error = np.abs(shown - drawn)
        assert error.mean() < 0.5 and np.percentile(error, 99) <= 8 and error.max() <= 32, \
            (error.mean(), np.percentile(error, 99), error.max())
    box = ex.widget()
    assert box.children[-1].format == "jpeg" and box.children[-1].value[:3] == b"\xff\xd8\xff"
    with pytest.raises(ValueError, match="format must be one of 'png', 'jpeg'"):
        ex.render(format="webp")


def test_a_scene_must_return_a_figure_and_an_update():
    with pytest.raises(TypeError, match=r"\(figure, update\)"):
        dd.explore(lambda: plt.figure(), alt="x", a=(0, 1, 0.5)).render()
    with pytest.raises(TypeError, match="Figure or Axes"):
        dd.explore(lambda: (3, lambda a: None), alt="x", a=(0, 1, 0.5)).render()
