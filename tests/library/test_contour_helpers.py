"""Chapter 3's helpers: points onto a level set, chords against the gradient, a level set
crossing a circle (minima, maxima and saddles read off the map), valley and ridge lines through
a saddle, and the panels that draw them."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import descend as dd  # noqa: E402

BOX = [(-2.0, 2.0), (-2.0, 2.0)]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def monkey_saddle():
    """x₁³ − 3x₁x₂²: a critical point at 0 whose Hessian is zero; three valleys, three ridges."""
    return dd.Problem(f=lambda x: x[0] ** 3 - 3 * x[0] * x[1] ** 2,
                      grad=lambda x: np.stack([3 * x[0] ** 2 - 3 * x[1] ** 2, -6 * x[0] * x[1]]),
                      bounds=BOX)


def himmelblau_critical():
    p = dd.himmelblau()
    g = np.linspace(-5, 5, 21)
    points = dd.calculus.critical_points(p, np.array([(a, b) for a in g for b in g]))
    return p, points, [dd.second_derivative_test(p.hess(x)) for x in points]


def test_onto_level_set_lands_on_the_curve_to_rounding():
    ellipse = dd.quadratic(np.diag([1.0, 9.0]))
    rng = np.random.default_rng(0)
    start = np.column_stack([np.cos(t := rng.uniform(0, 2 * np.pi, 50)), np.sin(t) / 3]) * 1.05
    moved = dd.calculus.onto_level_set(ellipse, start, 0.5)
    assert np.abs(ellipse.f(moved.T) - 0.5).max() < 1e-13
    assert np.linalg.norm(moved - start, axis=1).max() < 0.1   # a short move, not a jump across
    neuron = dd.sigmoid_neuron()
    traced = dd.level_curve(neuron, 0.2)[0]
    assert np.abs(neuron.f(dd.calculus.onto_level_set(neuron, traced, 0.2).T) - 0.2).max() < 1e-13


def test_chord_deviation_separates_the_tracer_from_the_curve():
    p = dd.himmelblau()
    traced = [dd.calculus.chord_deviation(p, [40.0, 100.0], n=n) for n in (200, 400)]
    moved = [dd.calculus.chord_deviation(p, [40.0, 100.0], n=n, onto_curve=True) for n in (200, 400)]
    assert traced[1][0] < traced[0][0] and traced[0][1] > 1e-4       # off the curve, by O(h²)
    assert moved[0][1] < 1e-10 and moved[1][0] < moved[0][0] / 2.5    # on it: second order
    assert moved[1][0] < traced[1][0]


@pytest.mark.parametrize("lam1, lam2", [(1.0, -1.0), (3.0, -1.0), (1.0, -5.0)])
def test_circle_crossings_of_a_quadratic_saddle_match_the_eigenvalues(lam1, lam2):
    # ½(λ₁x₁² + λ₂x₂²) = 0 on the lines tan²φ = λ₁/|λ₂|, rotated by 0.3 to leave the axes
    R = np.array([[np.cos(0.3), -np.sin(0.3)], [np.sin(0.3), np.cos(0.3)]])
    p = dd.quadratic(R @ np.diag([lam1, lam2]) @ R.T)
    phi = dd.calculus.circle_crossings(p, [0.0, 0.0], 0.5)
    star = np.arctan(np.sqrt(lam1 / -lam2))
    expected = np.sort(np.mod(0.3 + np.array([star, np.pi - star, np.pi + star, -star]), 2 * np.pi))
    assert np.allclose(phi, expected, atol=1e-12)


def test_circle_crossings_count_minima_maxima_saddles_and_a_degenerate_point():
    center = [0.0, 0.0]
    assert dd.calculus.circle_crossings(dd.quadratic(np.eye(2)), center, 0.1).size == 0
    assert dd.calculus.circle_crossings(dd.quadratic(-np.eye(2)), center, 0.1).size == 0
    assert dd.calculus.circle_crossings(monkey_saddle(), center, 0.1).size == 6
    # another level than the centre's: the circle of radius 1.5 about (2, 0) meets the level set
    # ½‖x‖² = ½, the unit circle, at x₁ = 0.6875, where it sits at the angles 180° ∓ arccos(1.3125/1.5)
    phi = dd.calculus.circle_crossings(dd.quadratic(np.eye(2)), [2.0, 0.0], 1.5, level=0.5)
    off = np.arccos(1.3125 / 1.5)
    assert np.allclose(phi, [np.pi - off, np.pi + off], atol=1e-12)


def test_circle_crossings_at_himmelblaus_critical_points():
    p, points, kinds = himmelblau_critical()
    assert sorted(kinds) == ["maximum"] + ["minimum"] * 4 + ["saddle"] * 4
    for x, kind in zip(points, kinds):
        assert dd.calculus.circle_crossings(p, x, 0.01).size == (4 if kind == "saddle" else 0)


def test_angle_between():
    assert dd.calculus.angle_between([1.0, 0.0], [0.0, 3.0]) == pytest.approx(90.0)
    assert dd.calculus.angle_between([1.0, 1.0], [1.0, 1.0]) == pytest.approx(0.0, abs=1e-5)   # clipped, no NaN
    assert np.allclose(dd.calculus.angle_between([[1.0, 0.0], [-1.0, 0.0]], [1.0, 1.0]), [45.0, 135.0])
    with pytest.raises(ValueError, match="non-zero vectors"):
        dd.calculus.angle_between([[1.0, 0.0], [0.0, 0.0]], [1.0, 1.0])


def test_onto_level_set_refuses_a_vanishing_gradient():
    with pytest.raises(ValueError, match="needs ∇L ≠ 0"):
        dd.calculus.onto_level_set(dd.quadratic(np.eye(2)), [[0.6, 0.0], [0.0, 0.0]], 0.5)


def test_saddle_lines_join_himmelblaus_minima_and_run_up_to_its_maximum():
    p, points, kinds = himmelblau_critical()
    minima = np.array(p.minima)
    peak = points[kinds.index("maximum")]
    for s in points[[k == "saddle" for k in kinds]]:
        valleys, ridges = dd.calculus.saddle_lines(p, s, eta=0.002)
        ends = [np.linalg.norm(minima - v[-1], axis=1) for v in valleys]
        assert min(e.min() for e in ends) < 1e-4 and max(e.min() for e in ends) < 1e-4
        assert np.argmin(ends[0]) != np.argmin(ends[1])                 # two different minima
        assert all(np.allclose(line[0], s) for line in valleys + ridges)
        tops = [np.linalg.norm(r[-1] - peak) < 1e-4 for r in ridges]
        out = [np.abs(r[-1]).max() > 5 for r in ridges]
        assert sorted(tops) == [False, True] and sorted(out) == [False, True]
        assert all(np.all(np.diff(p.f(v.T)) <= 1e-12) for v in valleys)   # down all the way
        assert all(np.all(np.diff(p.f(r.T)) >= -1e-12) for r in ridges)   # up all the way


def test_saddle_lines_refuse_a_minimum():
    with pytest.raises(ValueError, match="no saddle"):
        dd.calculus.saddle_lines(dd.quadratic(np.eye(2)), [0.0, 0.0], eta=0.1)


def test_surface_and_map_panels():
    p = dd.quadratic(np.diag([1.0, 4.0]))
    fig = dd.plot.surface_and_map(p, [0.5, 1.0], labels=False, mark_minima=False)
    surf, flat = fig.axes
    assert surf.name == "3d" and len(surf.lines) == 4          # two slices, on the surface and the floor
    assert list(flat.collections[0].levels) == [0.5, 1.0] and not flat.texts and not flat.lines


def test_critical_points_marks_each_kind():
    ax = dd.plot.critical_points([[0, 1], [0, -1], [0, 0], [1, 1]], ["minimum", "minimum", "saddle", "maximum"])
    assert {line.get_label(): len(line.get_xdata()) for line in ax.lines} == {"minimum": 2, "maximum": 1,
                                                                           "saddle": 1}
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["minimum", "maximum", "saddle"]
    with pytest.raises(ValueError, match="unknown kinds"):
        dd.plot.critical_points([[0, 0]], ["col"])
    with pytest.raises(ValueError, match="one kind per point"):
        dd.plot.critical_points([[0, 0], [1, 1]], ["saddle"])


def test_match_scene_keeps_its_maps_and_axes_while_the_surface_changes():
    bowl, pass_, ridge = (dd.quadratic(np.eye(2), bounds=BOX), dd.quadratic(np.diag([1.0, -1.0]), bounds=BOX),
                          dd.Problem(f=lambda x: x[1] - x[0] ** 2,
                                     grad=lambda x: np.stack([-2 * x[0], np.ones_like(x[1])]), bounds=BOX))
    problems, order = [bowl, pass_, ridge], [2, 0, 1]
    fig, update = dd.plot.match_scene(problems, order, levels=5)
    surf, *maps = fig.axes
    assert [ax.get_title() for ax in maps] == ["1", "2", "3"]
    for ax, i in zip(maps, order):
        _, _, Z = problems[i].grid(120)
        assert np.allclose(ax.collections[0].levels, np.linspace(Z.min(), Z.max(), 7)[1:-1])
        assert not ax.texts and not ax.lines                    # nothing gives the answer away
    limits = (surf.get_xlim(), surf.get_ylim(), surf.get_zlim())
    update(3)
    assert [t.get_text() for t in surf.texts] == ["Surface C"] and len(surf.collections) == 1
    assert (surf.get_xlim(), surf.get_ylim(), surf.get_zlim()) == limits
    update(3)                                   # the same surface again: shown once, drawable
    assert len(surf.collections) == 1
    fig.canvas.draw()
    with pytest.raises(ValueError, match="surface must be 1"):
        update(4)
    explorer = dd.explore(lambda: dd.plot.match_scene(problems, order), surface=dd.slider(1, 3, 1),
                          alt="a surface and three maps")
    kept = [explorer.rgba({"surface": s}) for s in (3, 1)]          # moved about, then back
    fresh = dd._scene.Scene(explorer.draw).rgba({"surface": 1})
    assert np.array_equal(kept[-1], fresh)


def test_step_to_level_is_the_exact_shortest_step_on_a_bowl_and_two_cylinders():
    # ‖x‖²: from radius ρ the next circle, at height ρ² + Δc, is √(ρ² + Δc) − ρ away, straight out
    bowl = dd.quadratic(2 * np.eye(2), bounds=BOX)
    p = np.array([0.6, 0.8])                                             # ρ = 1
    step = dd.calculus.step_to_level(bowl, p, 0.3)
    assert np.linalg.norm(step) == pytest.approx(np.sqrt(1.3) - 1, rel=1e-5)
    assert dd.calculus.angle_between(step, p) < 0.1                      # along the gradient
    # gθ₁ ± ½Mθ₁²: the gap lemma's bounds r₋ and r₊ are attained (chapter 3); the tracer errs by ~1e-5
    g, M, dc = 0.3, 0.4, 0.05
    r_lo, r_hi = dd.calculus.level_gap_bounds(g, M, dc)
    for sign, gap in ((1.0, r_lo), (-1.0, r_hi)):
        cylinder = dd.quadratic(np.diag([sign * M, 0.0]), b=[-g, 0.0], bounds=BOX)
        assert np.linalg.norm(dd.calculus.step_to_level(cylinder, [0.0, 0.0], dc)) == pytest.approx(gap, rel=1e-4)


def test_step_to_level_on_the_neuron():
    neuron = dd.sigmoid_neuron()
    p = np.array([1.0, -4.0])
    step = dd.calculus.step_to_level(neuron, p, 0.01)
    assert abs(neuron.f(p + step) - neuron.f(p) - 0.01) < 1e-5           # on the next contour
    assert np.linalg.norm(step) < 0.01 / np.linalg.norm(neuron.grad(p)) * 1.1
    down = dd.calculus.step_to_level(neuron, p, -0.01)
    assert abs(neuron.f(p + down) - neuron.f(p) + 0.01) < 1e-5 and down @ neuron.grad(p) < 0
    with pytest.raises(ValueError, match="needs ∇L ≠ 0"):
        dd.calculus.step_to_level(dd.quadratic(np.eye(2)), [0.0, 0.0], 0.01)
    # past 2M|Δc| > ‖∇L‖² the next contour can lie beyond the search: gθ₁ − ½Mθ₁² never reaches 0.2
    top = dd.quadratic(np.diag([-0.4, 0.0]), b=[-0.3, 0.0], bounds=BOX)
    with pytest.raises(ValueError, match="does not come within"):
        dd.calculus.step_to_level(top, [0.0, 0.0], 0.2)
