"""Plots and explorers draw what they should and reject bad input."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import descend as dd  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_contour_and_path():
    p = dd.rosenbrock()
    ax = dd.plot.contour(p)
    traces = [dd.run(dd.gd(eta=1e-3), p, [-1.0, 2.0], 50), dd.run(dd.adam(eta=0.05), p, [-1.0, 2.0], 50)]
    dd.plot.path(traces, ax)
    assert len(ax.collections) > 0  # the contour lines
    labelled = [line.get_label() for line in ax.lines if not line.get_label().startswith("_")]
    assert labelled == [t.label for t in traces]
    assert ax.get_xlim() == p.bounds[0]


def test_diverged_path_is_marked_with_its_step():
    p = dd.quadratic(np.eye(2), bounds=[(-2, 2), (-2, 2)])
    trace = dd.run(dd.gd(eta=2.5), p, [1.0, 1.0], steps=3000)
    ax = dd.plot.contour(p)
    dd.plot.path(trace, ax)
    texts = [t.get_text() for t in ax.texts]
    assert any(t.startswith("left the plot at step") for t in texts), texts
    ax2 = dd.plot.loss(trace)
    assert any(f"diverged at step {trace.diverged_at}" == t.get_text() for t in ax2.texts)


def test_one_dimensional_plots():
    p = dd.scalar(lambda t: t**2, lambda t: 2 * t, bounds=(-2, 2))
    ax = dd.plot.curve(p)
    dd.plot.tangent(p, 1.0, ax, eta=0.25)
    dd.plot.path(dd.run(dd.gd(eta=0.25), p, 1.5, 5), ax, problem=p)
    labels = [line.get_label() for line in ax.lines]
    assert "tangent, slope +2" in labels and "step −ηL′(θ) = -0.5" in labels
    slope_line = next(line for line in ax.lines if line.get_label().startswith("tangent"))
    x, y = slope_line.get_data()
    assert (y[1] - y[0]) / (x[1] - x[0]) == pytest.approx(2.0)


def test_loss_plot_log_scale():
    ax = dd.plot.loss(dd.run(dd.gd(eta=0.1), dd.rosenbrock(), [0.0, 0.0], 20), f_star=0.0)
    assert ax.get_yscale() == "log"


def test_surface():
    ax = dd.plot.surface(dd.saddle())
    assert ax.name == "3d"


def draw(eta, beta=0.5):
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [eta, beta])
    return fig


def test_explorer_grid_and_rendering():
    ex = dd.explore(draw, alt="a line", eta=dd.slider(0.1, 0.5, 0.1, value=0.3), beta=(0.0, 1.0, 0.5))
    assert ex.initial == {"eta": 0.3, "beta": 0.0}
    assert len(list(ex.grid())) == 5 * 3
    a, b = ex.render({"eta": 0.1}), ex.render({"eta": 0.5})
    assert a[:8] == b"\x89PNG\r\n\x1a\n" and a != b
    assert plt.get_fignums() == []  # rendered figures are closed


def test_explorer_widget_redraws():
    ex = dd.explore(draw, alt="a line", eta=(0.1, 0.5, 0.1))
    box = ex.widget()
    slider, image = box.children
    before = image.value
    slider.value = 0.5
    assert image.value != before


def _frame_sets(page):
    import json
    import re

    return json.loads(re.search(r'class="descend-explorer-frames">(.*?)</script>', page).group(1))


def _decoded(uri):
    import base64
    import io

    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("RGB"))


def test_static_html_has_a_frame_per_grid_point(monkeypatch):
    monkeypatch.setenv("DESCEND_EXPLORE", "static")
    ex = dd.explore(draw, alt="a line <of> slope", eta=dd.slider(0.1, 0.5, 0.1, value=0.3), beta=(0.0, 1.0, 0.5))
    bundle = ex._repr_mimebundle_()
    page = bundle["text/html"]
    sets = _frame_sets(page)
    assert sorted(sets) == ["1", "2"]
    for frames in sets.values():
        assert len(frames) == 15 and len(set(frames)) == 15  # every frame differs
        assert all(f.startswith("data:image/webp;base64,") for f in frames)
    # shown at the size drawn (300 × 200 at 100 dpi), with the high-density frames at twice it
    assert 'width="300" height="200"' in page
    assert _decoded(sets["1"][6]).shape == (200, 300, 3) and _decoded(sets["2"][6]).shape == (400, 600, 3)
    assert f'src="{sets["1"][6]}"' in page and f'data-src2x="{sets["2"][6]}"' in page
    assert 'alt="a line &lt;of&gt; slope"' in page
    assert page.count('type="range"') == 2 and page.count("<label") == 2
    assert 'data-frame="6"' in page  # η=0.3 is index 2 of 5, β=0 index 0 of 3 → 2·3 + 0
    assert "http" not in page.replace("data:image", "")
    assert ex._repr_mimebundle_()["text/html"] == page  # deterministic
    assert 'data-encoding="palette-256"' in page and 'data-encoding-2x="palette-256"' in page


def test_a_figure_wider_than_the_column_is_drawn_at_the_column_width(monkeypatch):
    from descend import _static

    def wide(a):
        fig, ax = plt.subplots(figsize=(12, 3))  # 1200 px at 100 dpi
        ax.plot([0, 1], [0, a])
        return fig

    monkeypatch.setenv("DESCEND_EXPLORE", "static")
    ex = dd.explore(wide, alt="a wide line", a=(0.0, 1.0, 0.5))
    bundle = ex._repr_mimebundle_()
    sets = _frame_sets(bundle["text/html"])
    width = _static.DISPLAY_WIDTH
    assert _decoded(sets["1"][0]).shape[:2] == (width // 4, width)  # Agg drops the half pixel
    assert _decoded(sets["2"][0]).shape[:2] == (width // 2, 2 * width)
    assert f'width="{width}" height="{width // 4}"' in bundle["text/html"]
    import base64
    import io

    from PIL import Image

    png = Image.open(io.BytesIO(base64.b64decode(bundle["image/png"])))  # the PDF's frame, as drawn
    assert png.size == (1200, 300) and abs(png.info["dpi"][0] - 100) < 0.01  # PNG keeps pixels per metre


def test_static_frames_are_near_their_render(monkeypatch):
    """Each stored frame of both sets decodes to within the recorded error of the lossless render."""
    import re

    from descend import _static

    monkeypatch.setenv("DESCEND_EXPLORE", "static")
    ex = dd.explore(draw, alt="a line", eta=dd.slider(0.1, 0.5, 0.1, value=0.3))
    page = ex._repr_mimebundle_()["text/html"]
    sets = _frame_sets(page)
    for density, suffix in (("1", ""), ("2", "-2x")):
        recorded_max = int(re.search(rf'data-error-max{suffix}="(\d+)"', page).group(1))
        recorded_mean = float(re.search(rf'data-error-mean{suffix}="([\d.]+)"', page).group(1))
        errors = [np.abs(_decoded(f).astype(int) - ex.rgba(v, 100 * int(density))[..., :3])
                  for v, f in zip(ex.grid(), sets[density])]
        assert max(int(e.max()) for e in errors) == recorded_max <= 64
        assert abs(max(float(e.mean()) for e in errors) - recorded_mean) <= 0.005 and recorded_mean <= 2
    assert _static.frame_error(ex.rgba(), _static._webp(ex.rgba(), ("palette", 256))).max() <= 64


def _contours_and_sizes():
    """An explorer of a line and Rosenbrock's contours; the bytes of its high-density frames as
    palettes of 256 and 128 colours, and of its standard frames as 256."""
    from descend import _static

    ex = dd.explore(lambda eta: dd.plot.contour(dd.rosenbrock()).figure if eta else draw(eta),
                    alt="contours", eta=(0.0, 1.0, 1.0))

    def size(dpi, colours):
        return sum(len(_static._data_uri(_static._webp(ex.rgba(v, dpi), ("palette", colours)))) for v in ex.grid())

    return ex, {c: size(200, c) for c in (256, 128)}, size(100, 256)


def test_high_density_frames_take_fewer_colours_then_none_when_too_big(monkeypatch):
    from descend import _static

    monkeypatch.setenv("DESCEND_EXPLORE", "static")
    ex, size, standard = _contours_and_sizes()
    assert size[256] > size[128] > standard
    monkeypatch.setattr(_static, "MAX_BYTES_2X", size[128])
    page = ex._repr_mimebundle_()["text/html"]
    assert 'data-encoding-2x="palette-128"' in page and 'data-encoding="palette-256"' in page
    monkeypatch.setattr(_static, "MAX_BYTES_2X", size[128] - 1)
    page = ex._repr_mimebundle_()["text/html"]
    assert 'data-encoding-2x="none"' in page and "data-src2x" not in page and sorted(_frame_sets(page)) == ["1"]
    assert 'data-encoding="palette-256"' in page


def test_a_high_density_encoding_the_standard_set_rules_out_is_not_tried(monkeypatch):
    """_static.RATIO_2X: an encoding of the high-density set is tried only if the standard set's
    bytes times its ratio fit MAX_BYTES_2X; one ruled out draws and encodes no frame. The ratios
    are below the ones this explorer measures, as they are below the book's."""
    from descend import _static

    # a standard set that is not a palette took more than MAX_BYTES as one, which rules out both
    assert min(_static.RATIO_2X.values()) * _static.MAX_BYTES > _static.MAX_BYTES_2X
    monkeypatch.setenv("DESCEND_EXPLORE", "static")
    ex, size, standard = _contours_and_sizes()
    assert all(size[c] >= _static.RATIO_2X[("palette", c)] * standard for c in (256, 128)), (size, standard)
    tried, drawn, encode, rgba = [], [], _static._encode, ex.rgba

    def encoding(images, encodings, budget, **kwargs):
        if budget == _static.MAX_BYTES_2X:
            tried.extend(encodings)
        return encode(images, encodings, budget, **kwargs)

    def drawing(values=None, dpi=100):
        drawn.append(dpi)
        return rgba(values, dpi)

    monkeypatch.setattr(_static, "_encode", encoding)
    monkeypatch.setattr(ex, "rgba", drawing)
    low, high = (int(standard * _static.RATIO_2X[("palette", c)]) for c in (128, 256))
    for budget, expected in ((low - 1, []), (low + 1, [("palette", 128)]),
                             (high + 1, [("palette", 256), ("palette", 128)])):
        tried.clear()
        drawn.clear()
        monkeypatch.setattr(_static, "MAX_BYTES_2X", budget)
        page = ex._repr_mimebundle_()["text/html"]
        assert tried == expected, budget
        assert (max(drawn) > 150) == bool(expected), drawn  # no high-density frame drawn for nothing
        assert 'data-encoding-2x="none"' in page  # none fits: each is more than high + 1
    assert size[128] > high + 1
    # a standard set too large for a palette: no high-density encoding, whatever its budget
    monkeypatch.setattr(_static, "MAX_BYTES", standard - 1)
    monkeypatch.setattr(_static, "MAX_BYTES_2X", 10 * size[256])
    tried.clear()
    drawn.clear()
    page = ex._repr_mimebundle_()["text/html"]
    assert 'data-encoding="lossy-' in page and tried == [] and max(drawn) < 150


def _fake_frames(monkeypatch, factor):
    """_encode on stand-in frames: frame k "encodes" to ``factor[encoding] * k_bytes`` characters;
    returns the (frame, encoding) pairs it encoded, in order."""
    from descend import _static

    encoded = []

    def webp(frame, encoding):
        encoded.append((frame, encoding))
        return "x" * int(factor[encoding] * frame)

    monkeypatch.setattr(_static, "_webp", webp)
    monkeypatch.setattr(_static, "_data_uri", lambda w: w)
    monkeypatch.setattr(_static, "frame_error", lambda image, w: np.zeros(1))
    return encoded


def test_an_encoding_is_given_up_once_the_frames_to_come_cannot_fit(monkeypatch):
    """_encode's floor: an encoding stops at the first frame after which the bytes so far and the
    floor of the frames to come exceed the budget (not at the frame where the bytes alone do);
    a set whose floor is exact and that fits is kept; the last encoding with ``need`` is finished
    whatever the floor says."""
    from descend import _static

    frames = [40, 30, 20, 10]                       # "standard" bytes of each frame
    big, small = ("palette", 256), ("palette", 128)
    encoded = _fake_frames(monkeypatch, {big: 2.0, small: 1.5})
    rest = [sum(frames[k:]) for k in range(len(frames) + 1)]

    def floor(e, k):                                # exact for `small`, a lower bound for `big`
        return (1.5 if e == small else 1.8) * rest[k]

    # big (80, 60, 40, 20): 80 + 1.8·60 = 188 ≤ 190, then 140 + 1.8·30 = 194 > 190: given up
    # after two frames (on its bytes alone, after four: 80, 140, 180, 200); small: 150, kept
    out, encoding, _, _ = _static._encode(frames, [big, small], 190, need=False, floor=floor)
    assert encoding == small and sum(map(len, out)) == 150
    assert encoded == [(40, big), (30, big)] + [(f, small) for f in frames]
    encoded.clear()
    _static._encode(frames, [big, small], 190, need=False)
    assert [e for _, e in encoded].count(big) == 4
    # each encoding is given up on its own bound: at 165, small under big's 1.8 would be given up
    # after its first frame (60 + 1.8·60 = 168), under its own 1.5 it fits (150)
    assert _static._encode(frames, [big, small], 165, need=False, floor=floor)[1] == small
    # a budget the exact floor meets exactly: kept; one less: given up after the first frame
    encoded.clear()
    assert _static._encode(frames, [small], 150, need=False, floor=floor)[1] == small and len(encoded) == 4
    encoded.clear()
    assert _static._encode(frames, [small], 149, need=False, floor=floor)[0] is None and len(encoded) == 1
    # need: the last encoding is finished to say what it needs
    encoded.clear()
    out, needed, _, _ = _static._encode(frames, [big], 100, need=True, floor=floor)
    assert out is None and needed == 200 and len(encoded) == 4


def test_high_density_frames_still_to_come_that_cannot_fit_are_not_drawn(monkeypatch):
    """In bundle, the floor of the high-density frames still to come is the standard set's bytes
    of those frames times RATIO_2X. On an explorer of a line, then Rosenbrock's contours: at a
    budget that the whole standard set allows for one encoding, but not the line's high-density
    frame and the floor of the contours, that encoding is given up after the line (for 128
    colours, the contours are then never drawn at high density); at a budget the set fits, it is
    kept as before."""
    from descend import _static

    monkeypatch.setenv("DESCEND_EXPLORE", "static")
    ex, size, standard = _contours_and_sizes()
    line, contours = ({"eta": 0.0}, {"eta": 1.0})
    standard_of = [len(_static._data_uri(_static._webp(ex.rgba(v, 100), ("palette", 256)))) for v in (line, contours)]
    line2 = {c: len(_static._data_uri(_static._webp(ex.rgba(line, 200), ("palette", c)))) for c in (256, 128)}
    assert sum(standard_of) == standard
    drawn, encoded, rgba, webp = [], [], ex.rgba, _static._webp
    monkeypatch.setattr(ex, "rgba", lambda values=None, dpi=100: drawn.append((values, dpi)) or rgba(values, dpi))
    monkeypatch.setattr(_static, "_webp", lambda image, e: encoded.append(e) or webp(image, e))
    for c in (256, 128):
        ratio = _static.RATIO_2X[("palette", c)]
        tried, given_up = int(ratio * standard) + 1, int(line2[c] + ratio * standard_of[1])   # tried ≤ budget < given_up
        assert tried < given_up < size[c], (c, tried, given_up, size)
        drawn.clear()
        encoded.clear()
        monkeypatch.setattr(_static, "MAX_BYTES_2X", (tried + given_up) // 2)
        page = ex._repr_mimebundle_()["text/html"]
        # the two standard frames, then the line's high-density frame alone in this encoding
        assert encoded[:2] == [("palette", 256)] * 2 and encoded[2:].count(("palette", c)) == 1, encoded
        if c == 128:
            assert 'data-encoding-2x="none"' in page
            assert [v for v, dpi in drawn if dpi > 150] == [line], drawn   # the contours never at 2×
    monkeypatch.setattr(_static, "MAX_BYTES_2X", size[256])
    assert 'data-encoding-2x="palette-256"' in ex._repr_mimebundle_()["text/html"]


def test_palette_frames_are_sharper_than_lossy_webp():
    """On a plot of thin lines the palette encoding's worst pixel beats lossy WebP's at q80."""
    from descend import _static

    rgba = dd.explore(draw, alt="a line", eta=(0.1, 0.5, 0.1)).rgba({"eta": 0.3})
    palette = _static.frame_error(rgba, _static._webp(rgba, ("palette", 256)))
    lossy = _static.frame_error(rgba, _static._webp(rgba, ("lossy", 80)))
    assert palette.max() < lossy.max() and palette.mean() < lossy.mean()


def test_static_build_falls_back_to_lossy_when_the_palette_is_too_big(monkeypatch):
    """A photograph-like frame (smooth noise) is smaller as lossy WebP than as a palette."""
    from descend import _static

    def smooth_noise(seed):
        fig, ax = plt.subplots()
        ax.imshow(np.random.default_rng(int(seed)).random((40, 40)), interpolation="bicubic")
        return fig

    monkeypatch.setenv("DESCEND_EXPLORE", "static")
    ex = dd.explore(smooth_noise, alt="noise", seed=(0, 2, 1))
    palette = sum(len(_static._data_uri(_static._webp(ex.rgba(v), ("palette", 256)))) for v in ex.grid())
    monkeypatch.setattr(_static, "MAX_BYTES", palette - 1)
    page = ex._repr_mimebundle_()["text/html"]
    assert 'data-encoding="lossy-' in page
    monkeypatch.setattr(_static, "MAX_BYTES", 100)
    with pytest.raises(ValueError, match="even as lossy WebP of quality 35; coarsen"):
        ex._repr_mimebundle_()


def test_unknown_backend(monkeypatch):
    monkeypatch.setenv("DESCEND_EXPLORE", "svg")
    with pytest.raises(ValueError, match="DESCEND_EXPLORE must be one of"):
        dd.explore(draw, alt="x", eta=(0, 1, 0.5))._repr_mimebundle_()


def test_static_build_rejects_a_dead_slider(monkeypatch):
    monkeypatch.setenv("DESCEND_EXPLORE", "static")
    ex = dd.explore(lambda eta, beta: draw(eta), alt="beta does nothing", eta=(0.1, 0.3, 0.1), beta=(0.0, 1.0, 0.5))
    with pytest.raises(ValueError, match="slider 'beta' never changes the figure"):
        ex._repr_mimebundle_()


def test_animation_has_a_play_button_in_both_backends(monkeypatch):
    ex = dd.animate(lambda t: draw(t), t=dd.slider(0.0, 1.0, 0.25), alt="a line that moves", interval=100)
    box = ex.widget()
    import ipywidgets

    player = next(c for c in box.children if isinstance(c, ipywidgets.Play))
    slider, image = box.children[0], box.children[-1]
    before = image.value
    player.value = 4
    assert slider.value == 1.0 and image.value != before
    monkeypatch.setenv("DESCEND_EXPLORE", "static")
    page = ex._repr_mimebundle_()["text/html"]
    assert 'class="descend-explorer-play" data-slider="0" data-interval="100"' in page
    with pytest.raises(ValueError, match="exactly one slider"):
        dd.animate(draw, eta=(0, 1, 0.5), beta=(0, 1, 0.5), alt="x")
    with pytest.raises(ValueError, match="interval must be at most 2000"):
        dd.animate(draw, eta=(0, 1, 0.5), alt="x", interval=5000)


def test_palette_keeps_a_few_colours_and_paints_groups_their_mean():
    """_static._palette: an image of at most `colours` colours is kept as it is; otherwise
    Pillow's maximum-coverage groups are each painted the rounded mean of their pixels."""
    from PIL import Image

    from descend import _static

    rng = np.random.default_rng(0)
    few = rng.integers(0, 256, (16, 3), dtype=np.uint8)[rng.integers(0, 16, (40, 50))]
    image = Image.fromarray(few)
    assert _static._palette(image, 16) is image
    many = rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)
    image = Image.fromarray(many)
    painted = np.asarray(_static._palette(image, 16))
    index = np.asarray(image.quantize(colors=16, method=Image.Quantize.MAXCOVERAGE, dither=Image.Dither.NONE))
    assert len(np.unique(painted.reshape(-1, 3), axis=0)) <= 16
    for k in np.unique(index):
        group = many[index == k]
        assert (painted[index == k] == np.rint(group.mean(axis=0)).astype(np.uint8)).all()
