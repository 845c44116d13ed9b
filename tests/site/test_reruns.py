"""Each chapter executed a second time, as a reader runs it (live sliders), then checked two ways.

The second execution is the notebooks stage's: nbval executes the chapter, and the root
``conftest.py`` records its outputs and what the probe below finds (``tests/rerun_record.py``),
so that ``make test`` executes no chapter a third time. Without a current record (the site
tests run on their own, or the chapter, library or requirements changed since, or the
variables that pick NumPy's and OpenBLAS's code differ: ``rerun_record.numerics``) the chapter is
executed here the same way and recorded; ``make test`` sets ``DESCEND_RERUNS=recorded``, under
which a missing record fails instead.

* Determinism: every text output equals the build's (from its execution cache), and no
  output carries a memory address or a timing, which would differ from run to run.  An
  explorer is shown differently by the two on purpose (the build's frames, the reader's live
  widgets), so for each explorer its sliders must be the build's (its repr, which names each
  slider and its range; each slider's values as the page shows them, to six significant
  digits; the starting frame; the number of frames), and the run draws again, at its start and
  at every corner of its slider grid, the frames the build stored there, at both densities
  where the build stored both; encoded as the build encoded that explorer
  (``descend._static.frame_uri``), each must equal the build's byte for byte. The frames between
  the corners, the sliders' display labels and the Play button are not compared.
* Every slider at every extreme: the probe, run after the chapter's last cell, drives every explorer of the
  chapter through its start and the corners of its slider grid, as a figure and through the
  live widgets; nothing may raise or warn, and no panel may come out empty.  An explorer
  that keeps its figure and repaints only what changes must show, at each extreme, exactly
  the pixels of a figure made afresh there.  (The static
  build renders every grid value, so it covers them too; tests/site/test_pages.py checks
  the pages show no error or warning text.)
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT, chapter_files
from tests import rerun_record
from tests.rerun_record import TEXT, WIDGET

CACHE = ROOT / "_build" / ".jupyter_cache"  # where the build keeps the executed notebooks
UNSTABLE = [
    (re.compile(r"\bat 0x[0-9a-fA-F]{6,}"), "a memory address"),
    (re.compile(r"\b\d+(\.\d+)?\s?(ms|µs|us|ns|seconds?|secs?)\b"), "a timing"),
]
# one explorer of the build's page (descend._static.bundle): its starting frame, encodings, alt text and frames
EXPLORER = re.compile(
    r'<div class="descend-explorer" id="[^"]*" data-frame="(?P<start>\d+)" data-encoding="(?P<enc>[\w-]+)"'
    r'[^>]*? data-encoding-2x="(?P<enc2>[\w-]+)".*?<img class="descend-explorer-frame" src="[^"]*" '
    r'alt="(?P<alt>[^"]*)".*?<script type="application/json" class="descend-explorer-frames">(?P<sets>.*?)</script>',
    re.S)


def _encoding(text: str):
    if text == "none":
        return None
    kind, level = text.rsplit("-", 1)
    return [kind, int(level)]


def built_explorers(nb) -> list[dict]:
    """The explorers of the build's executed notebook, in order: alt text, repr, encodings, the
    starting frame, each slider's values as shown, and the frame sets."""
    found = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            for m in EXPLORER.finditer(data.get("text/html", "")):
                found.append({"alt": html.unescape(m["alt"]), "repr": data.get("text/plain"),
                              "start": int(m["start"]), "encodings": [_encoding(m["enc"]), _encoding(m["enc2"])],
                              "labels": [json.loads(v) for v in re.findall(r"data-values='([^']*)'", m[0])],
                              "sets": json.loads(m["sets"])})
    return found


def rerun(name: str):
    """(the build's executed notebook, its explorers, the notebook as executed a second time,
    what the probe printed, the folder of the frames it drew): the notebooks stage's record
    (``tests/rerun_record.py``) if it is current, else the chapter executed here and recorded."""
    from jupyter_cache import get_cache

    source = nbformat.read(ROOT / f"{name}.ipynb", as_version=4)
    try:
        _, built = get_cache(str(CACHE)).merge_match_into_notebook(source)
    except KeyError:
        pytest.fail(f"{name} is not in the build's execution cache: build the book first (make book)")
    stamp = ROOT / "_build" / ".numerics"   # what the Makefile's build ran with (absent: not built by make)
    if stamp.is_file() and stamp.read_text(encoding="utf-8").strip() != rerun_record.numerics():
        pytest.fail(f"the build's execution cache was made with other NumPy and OpenBLAS settings ({stamp}) "
                    f"than these tests run with:\n{rerun_record.numerics()}\nbuild the book again here (make book)")
    record = rerun_record.load(name)
    if record is None:
        if os.environ.get("DESCEND_RERUNS") == "recorded":  # make test: the notebooks stage ran first
            pytest.fail(f"no current record of {name} in {rerun_record.RECORDS}: the notebooks stage writes one "
                        "after a chapter's last cell passes (tests/rerun_record.py). A cell failed or was "
                        "skipped there, the probe failed (its warning says how), DESCEND_EXPLORE was set to "
                        "static, the chapter, the library or the requirements changed since, or the variables that "
                        "pick NumPy's and OpenBLAS's code (OPENBLAS_*, NPY_*_CPU_FEATURES) differ from the "
                        "notebooks stage's. Run "
                        f"`.venv/bin/python -m pytest --nbval-lax {name}.ipynb`, or these tests without "
                        "DESCEND_RERUNS=recorded, which then execute the chapter themselves")
        record = execute_and_record(name)
    fresh = nbformat.read(ROOT / f"{name}.ipynb", as_version=4)
    for i, cell in enumerate(fresh.cells):
        if cell.cell_type == "code":
            cell.outputs = [nbformat.from_dict(o) for o in record["outputs"].get(str(i), [])]
    return built, built_explorers(built), fresh, record["probe"], rerun_record.RECORDS / Path(name).stem


def execute_and_record(name: str) -> dict:
    """The chapter executed as the notebooks stage executes it (live sliders, the probe after
    its last cell), recorded as that stage records it, for when no current record exists."""
    path = ROOT / f"{name}.ipynb"
    rerun_record.forget(name)
    key = rerun_record.key(path)
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(rerun_record.probe_code(rerun_record.folder(name))))
    old = os.environ.get("DESCEND_EXPLORE")
    os.environ["DESCEND_EXPLORE"] = rerun_record.BACKEND
    rerun_record.run_as_the_build()
    try:
        NotebookClient(nb, timeout=600, resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        if old is None:
            os.environ.pop("DESCEND_EXPLORE")
        else:
            os.environ["DESCEND_EXPLORE"] = old
    probe = nb.cells.pop()
    stdout = "".join(o.text for o in probe.outputs if o.output_type == "stream" and o.name == "stdout")
    outputs = {i: cell.outputs for i, cell in enumerate(nb.cells) if cell.cell_type == "code"}
    return rerun_record.save(name, key, outputs, stdout, by="test_reruns.py")


def hashed_frames(explorers: list[dict], drawn: dict, folder: Path) -> dict:
    """The probe's FRAMES with each frame file it drew replaced by the SHA-1 of the data URI the
    build would store for it (its encoding as the build chose it for that explorer; a density
    the build stored no encoding for is dropped), so that :func:`frame_mismatches` compares bytes."""
    import numpy as np
    from PIL import Image

    from descend import _static

    by_alt: dict = {}
    for ex in explorers:
        by_alt.setdefault(ex["alt"], []).append(ex)
    frames = []
    for d in drawn["frames"]:
        d = dict(d)
        if d["n"] < len(by_alt.get(d["alt"], [])):
            encodings = by_alt[d["alt"]][d["n"]]["encodings"]
            for density, encoding in zip(("1", "2"), encodings):
                if encoding is None:
                    d.pop(density, None)
                else:
                    uri = _static.frame_uri(np.asarray(Image.open(folder / d[density])), tuple(encoding))
                    d[density] = hashlib.sha1(uri.encode()).hexdigest()
        frames.append(d)
    return {**drawn, "frames": frames}


def _is_explorer(output) -> bool:
    data = output.get("data", {})
    return WIDGET in data or 'class="descend-explorer"' in data.get("text/html", "")


def text_outputs(nb) -> tuple[list[tuple[int, str]], int]:
    """The text of every output but the explorers' (a cell's stdout, and stderr, joined into one,
    as the build merges it), and the number of explorers shown."""
    out, explorers = [], 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for stream in ("stdout", "stderr"):
            text = "".join(o.text for o in cell.get("outputs", []) if o.output_type == "stream" and o.name == stream)
            if text:
                out.append((i, text))
        for o in cell.get("outputs", []):
            if o.output_type in ("display_data", "execute_result"):
                if _is_explorer(o):
                    explorers += 1
                else:
                    out += [(i, o.data[m]) for m in TEXT if m in o.data]
            elif o.output_type == "error":
                out.append((i, f"{o.ename}: {o.evalue}"))
    return out, explorers


def _probe_line(stdout: str, prefix: str):
    """What the probe printed after ``prefix`` (a probe that raised stops before it, and its
    error is in ``stdout``)."""
    line = next((t for t in stdout.splitlines() if t.startswith(prefix)), None)
    if line is None:
        pytest.fail(f"the probe printed no {prefix} line: {stdout[-600:]!r}")
    return json.loads(line[len(prefix):])


@pytest.mark.parametrize("name", chapter_files())
def test_a_second_execution_gives_the_same_text_and_every_slider_holds(name, site):
    """Both checks of the module docstring on one execution of the chapter (one test, so that
    the test runners can share the chapters out without executing one twice)."""
    built, explorers, fresh, probe, folder = rerun(name)
    problems = text_mismatches(built, fresh, len(explorers))
    problems += frame_mismatches(explorers, hashed_frames(explorers, _probe_line(probe, "FRAMES"), folder))
    problems += slider_problems(_probe_line(probe, "PROBE"))
    assert not problems, f"{name}:\n" + "\n".join(problems)


def text_mismatches(built, fresh, shown: int) -> list[str]:
    """What differs between the text outputs of the build and of the second execution, and any
    output that would differ between runs (a memory address, a timing)."""
    (a, shown_a), (b, shown_b) = text_outputs(built), text_outputs(fresh)
    if not shown_a == shown_b == shown:
        return [f"{shown_a} explorers in the build ({shown} read), {shown_b} now"]
    if len(a) != len(b):
        return [f"{len(a)} text outputs in the build, {len(b)} now"]
    problems = [f"cell {cell_a}: the output changed between executions:\n--- build\n{text_a[:400]}\n"
                f"--- now (cell {cell_b})\n{text_b[:400]}" for (cell_a, text_a), (cell_b, text_b) in zip(a, b)
                if (cell_a, text_a) != (cell_b, text_b)]
    for cell, text in b:
        for pattern, what in UNSTABLE:
            match = pattern.search(text)
            if match:
                problems.append(f"cell {cell}: output contains {what} ({match.group(0)!r})")
    return problems


def frame_mismatches(explorers: list[dict], drawn: dict) -> list[str]:
    """What differs between the build's explorers and the probe's: the explorers themselves, each
    one's sliders (repr, values, starting frame, number of frames) and the frames drawn again."""
    by_alt: dict = {}
    for ex in explorers:
        by_alt.setdefault(ex["alt"], []).append(ex)
    wanted = {(alt, n) for alt, exs in by_alt.items() for n in range(len(exs))}
    if {(d["alt"], d["n"]) for d in drawn["explorers"]} != wanted or {(d["alt"], d["n"]) for d in drawn["frames"]} != wanted:
        return ["the run drew frames for other explorers than the build shows"]
    problems = []
    for d in drawn["explorers"]:
        ex = by_alt[d["alt"]][d["n"]]
        built = {"repr": ex["repr"], "start": ex["start"], "count": len(ex["sets"]["1"]), "labels": ex["labels"]}
        now = {key: d[key] for key in built}
        if now != built:
            problems.append(f"the explorer {d['alt']!r} has other sliders than in the build: {now} against {built}")
    if problems:  # the frames' places in the grid differ too: comparing them would mean nothing
        return problems
    for d in drawn["frames"]:
        ex = by_alt[d["alt"]][d["n"]]
        for density in ("1", "2"):
            if (density in d) != (density in ex["sets"]):
                problems.append(f"{d['alt']!r}: the build's page records a {density}x encoding but stores no "
                                f"{density}x frames, or the reverse")
            elif density in d and d[density] != hashlib.sha1(ex["sets"][density][d["k"]].encode()).hexdigest():
                problems.append(f"the explorer {d['alt']!r} at {d['values']} (frame {d['k']}, {density}x) "
                                "is not the frame the build stored there")
    return problems


def slider_problems(report: list[dict]) -> list[str]:
    """What the probe found wrong with the explorers at their extremes."""
    if not report:
        return ["no explorer"]
    problems = []
    for r in report:
        if r["warnings"]:
            problems.append(f"{r['explorer']} at {r['values']} warns: {r['warnings']}")
        if r["empty"]:
            problems.append(f"{r['explorer']} at {r['values']} draws {r['empty']} empty panel(s)")
        if r.get("stale", 0):
            problems.append(f"{r['explorer']} at {r['values']}: {r['stale']} pixels of the kept figure differ "
                            "from a fresh one (an update changed something unseen)")
    return problems


def test_the_probe_catches_a_warning_and_an_empty_panel(capsys, tmp_path):
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import descend as dd

    def draw(a):
        fig, (left, right) = plt.subplots(1, 2)
        left.plot([0, 1], [0, a])
        if a == 1.0:
            warnings.warn("overflow encountered", RuntimeWarning)
            right.set_visible(True)  # and leave the right panel empty
        else:
            right.plot([0, 1], [1, 0])
        return fig

    def scene():  # an update that changes what the kept figure never repaints: stale pixels
        fig, ax = plt.subplots()
        ax.plot([0.0, 1.0], [0.0, 1.0])

        def update(a):
            ax.patch.set_facecolor((1.0, 1.0 - a, 1.0))
        return fig, update

    def fine():  # an update that changes only what it draws: no stale pixels
        fig, ax = plt.subplots()
        ax.plot([0.0, 1.0], [0.0, 1.0])

        def update(a):
            ax.plot([0.0, 1.0], [a, 1.0 - a], color="C3")
        return fig, update

    dd.explore(draw, alt="probe self-test", a=(0.0, 1.0, 0.5))
    dd.explore(scene, alt="probe self-test, scene", a=(0.0, 1.0, 0.5))
    dd.explore(fine, alt="probe self-test, fine scene", a=(0.0, 1.0, 0.5))
    exec(rerun_record.probe_code(tmp_path), {})
    line = next(t for t in capsys.readouterr().out.splitlines() if t.startswith("PROBE"))
    mine = [r for r in json.loads(line[5:]) if r["explorer"] == "probe self-test"]
    at_max = next(r for r in mine if r["values"] == {"a": 1.0})
    assert at_max["warnings"] and at_max["empty"] == 1
    assert all(not r["warnings"] and r["empty"] == 0 for r in mine if r["values"] == {"a": 0.0})
    stale = [r["stale"] for r in json.loads(line[5:]) if r["explorer"] == "probe self-test, scene" and "stale" in r]
    assert stale and max(stale) > 0
    fine_stale = [r["stale"] for r in json.loads(line[5:]) if r["explorer"] == "probe self-test, fine scene" and "stale" in r]
    assert len(fine_stale) == 2 and fine_stale == [0, 0], "a scene repainted right must show no stale pixel"
    found = "\n".join(slider_problems(json.loads(line[5:])))
    assert "probe self-test at {'a': 1.0} warns" in found and "draws 1 empty panel" in found
    assert "pixels of the kept figure differ" in found
    assert slider_problems([]) == ["no explorer"]


def test_a_changed_output_a_timing_and_a_lost_explorer_are_caught():
    def notebook(*outputs):
        cell = nbformat.v4.new_code_cell()
        cell.outputs = list(outputs)
        return nbformat.v4.new_notebook(cells=[cell])

    def text(t):
        return nbformat.v4.new_output("stream", name="stdout", text=t)

    shown = nbformat.v4.new_output("display_data", data={"text/html": '<div class="descend-explorer" id="x">'})
    live = nbformat.v4.new_output("display_data", data={WIDGET: {"model_id": "m"}, "text/plain": "VBox()"})
    assert text_mismatches(notebook(text("1.5\n"), shown), notebook(text("1.5\n"), live), 1) == []
    assert "the output changed" in text_mismatches(notebook(text("1.5\n")), notebook(text("1.6\n")), 0)[0]
    moved = notebook(text("1.5\n"))
    moved.cells.insert(0, nbformat.v4.new_code_cell())   # the same text, one cell later
    assert "the output changed" in text_mismatches(notebook(text("1.5\n")), moved, 0)[0]
    assert "a timing" in text_mismatches(notebook(text("took 3 ms\n")), notebook(text("took 3 ms\n")), 0)[0]
    assert text_mismatches(notebook(text("1\n"), shown), notebook(text("1\n")), 1) == [
        "1 explorers in the build (1 read), 0 now"]
    unreadable = notebook(shown)   # an explorer block built_explorers cannot parse: none read
    assert built_explorers(unreadable) == []
    assert text_mismatches(unreadable, notebook(live), len(built_explorers(unreadable))) == [
        "1 explorers in the build (0 read), 1 now"]


def test_the_frames_drawn_again_are_the_builds_and_a_changed_frame_is_caught(capsys, tmp_path):
    import copy

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import descend as dd
    from descend import _static

    def draw(a, b):
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.plot([0, 1], [0, a])
        ax.set_title(f"b = {b:g}")
        return fig

    alt = "frames self-test: a 'line' & <its> title"  # escaped in the page's HTML
    ex = dd.explore(draw, alt=alt, a=(0.0, 1.0, 0.5), b=dd.slider(0, 2, 1, value=1))
    cell = nbformat.v4.new_code_cell()
    cell.outputs = [nbformat.v4.new_output("display_data", data={**_static.bundle(ex), "text/plain": repr(ex)})]
    explorers = built_explorers(nbformat.v4.new_notebook(cells=[cell]))
    assert [e["alt"] for e in explorers] == [alt] and set(explorers[0]["sets"]) == {"1", "2"}
    exec(rerun_record.probe_code(tmp_path), {})
    line = next(t for t in capsys.readouterr().out.splitlines() if t.startswith("FRAMES"))
    drawn = json.loads(line[len("FRAMES"):])
    drawn = hashed_frames(explorers, {key: [d for d in drawn[key] if d["alt"] == alt] for key in drawn}, tmp_path)
    assert len(drawn["frames"]) == 5 and all({"1", "2"} <= set(d) for d in drawn["frames"])  # start, 4 corners
    assert frame_mismatches(explorers, drawn) == []

    def mismatches(change):
        built = copy.deepcopy(explorers)
        change(built[0])
        return frame_mismatches(built, drawn)

    k = drawn["frames"][-1]["k"]
    assert mismatches(lambda e: e["sets"]["2"].__setitem__(k, e["sets"]["2"][k - 1])) == [  # a neighbour's frame
        f"the explorer {alt!r} at {drawn['frames'][-1]['values']} (frame {k}, 2x) is not the frame the build stored there"]
    assert mismatches(lambda e: e["sets"].pop("2")) == [
        f"{alt!r}: the build's page records a 2x encoding but stores no 2x frames, or the reverse"] * 5
    for change in (lambda e: e.__setitem__("start", 0), lambda e: e["labels"][1].append("3"),
                   lambda e: e.__setitem__("repr", "Explorer()"), lambda e: e["sets"]["1"].pop()):
        assert mismatches(change)[0].startswith(f"the explorer {alt!r} has other sliders than in the build")
    assert frame_mismatches(explorers, {"explorers": [], "frames": []}) == [
        "the run drew frames for other explorers than the build shows"]
    assert frame_mismatches(explorers + explorers, drawn) == ["the run drew frames for other explorers than the build shows"]


# ------------------------------------------------------ the notebooks stage's record (tests/rerun_record.py)

class _FakeKernel:
    """Enough of nbval's RunningKernel for the probe runner: canned iopub messages."""

    def __init__(self, messages=()):
        self.messages = list(messages)

    def execute_cell_input(self, code, allow_stdin=None):
        return "m1"

    def await_reply(self, msg_id, timeout=None):
        pass

    def get_message(self, stream, timeout=None):
        import queue

        if not self.messages:
            raise queue.Empty
        return self.messages.pop(0)

    def is_alive(self):
        return True


def _msg(parent, kind, **content):
    return {"parent_header": {"msg_id": parent}, "msg_type": kind, "content": content}


def test_the_probe_runner_keeps_its_stdout_and_its_traceback():
    kernel = _FakeKernel([_msg("other", "stream", name="stdout", text="not ours\n"),
                          _msg("m1", "stream", name="stdout", text="PROBE[]\n"),
                          _msg("m1", "stream", name="stderr", text="noise\n"),
                          _msg("m1", "error", ename="ValueError", evalue="boom",
                               traceback=["\x1b[31mValueError\x1b[0m: boom"]),
                          _msg("m1", "status", execution_state="idle")])
    out = rerun_record.run_probe(kernel, "code")
    assert out.startswith("PROBE[]\n") and "not ours" not in out and "noise" not in out
    assert "the probe raised:\nValueError: boom" in out and "\x1b" not in out


def test_nbvals_kernels_keep_their_history_in_memory():
    calls = []
    start = rerun_record.start_with_history_in_memory(lambda *a, **k: calls.append(k))
    start(kernel_name="python3", extra_arguments=["--x"])
    start(kernel_name="python3")
    assert [c["extra_arguments"] for c in calls] == [["--x", "--HistoryManager.hist_file=:memory:"],
                                                    ["--HistoryManager.hist_file=:memory:"]]


def _drive(tmp_path, monkeypatch, *, fail_cell=None, stdout="", probe=None, recording=True):
    """nbval's run of chapter 1 as the hooks see it (fake cells, fake kernel), over a stale record."""
    from types import SimpleNamespace

    name = "notebooks/01_derivatives"
    monkeypatch.setattr(rerun_record, "RECORDS", tmp_path)
    monkeypatch.setattr(rerun_record, "recording", recording)
    monkeypatch.setattr(rerun_record, "run_probe", probe or (lambda kernel, code: 'PROBE[]\nFRAMES{}\n'))
    rerun_record.save(name, rerun_record.key(ROOT / f"{name}.ipynb"), {}, "stale", by="an earlier run")
    nb = nbformat.read(ROOT / f"{name}.ipynb", as_version=4)
    parent = SimpleNamespace(path=ROOT / f"{name}.ipynb", nb=nb, kernel=_FakeKernel())
    items = [SimpleNamespace(cell_num=k, cell=c, parent=parent, test_outputs=[
        {"output_type": "stream", "name": "stdout", "text": f"cell {k}\n"}])
        for k, c in enumerate(c for c in nb.cells if c.cell_type == "code")]
    for k, item in enumerate(items):
        rerun_record.on_setup(item)
        for when in ("setup", "call", "teardown"):
            report = SimpleNamespace(failed=when == "call" and k == fail_cell, skipped=False,
                                     capstdout=stdout if when == "call" else "")
            rerun_record.on_report(item, SimpleNamespace(when=when), report)
    rerun_record.on_teardown(items[-1], None)
    return rerun_record.load(name)


def test_a_chapter_is_recorded_after_a_whole_clean_run_only(tmp_path, monkeypatch):
    record = _drive(tmp_path, monkeypatch)
    assert record["by"] == "nbval" and record["probe"] == "PROBE[]\nFRAMES{}\n"
    texts = [outs[0]["text"] for _, outs in sorted(record["outputs"].items(), key=lambda kv: int(kv[0]))]
    assert len(texts) > 30 and texts == [f"cell {k}\n" for k in range(len(texts))]
    assert _drive(tmp_path, monkeypatch, fail_cell=3) is None      # the stale record is gone too
    assert _drive(tmp_path, monkeypatch, stdout="unhandled iopub msg: clear_output") is None
    stale = _drive(tmp_path, monkeypatch, recording=False)          # DESCEND_EXPLORE=static: hands off
    assert stale["by"] == "an earlier run"


def test_a_probe_that_fails_leaves_a_warning_and_no_record_and_never_raises(tmp_path, monkeypatch):
    import queue
    import warnings

    def hangs(kernel, code):
        raise queue.Empty

    with pytest.warns(UserWarning, match="no record of notebooks/01_derivatives: the probe or the record failed"):
        assert _drive(tmp_path, monkeypatch, probe=hangs) is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # as under -W error: the warning raises, the hook must not
        assert _drive(tmp_path, monkeypatch, probe=hangs) is None


def _clear(monkeypatch, names):
    """Unset ``names`` for one test; each is put back as it was, set or not, afterwards."""
    for name in names:
        monkeypatch.setenv(name, "x")   # so that monkeypatch restores an unset variable as unset
        monkeypatch.delenv(name)


_NUMERIC_NAMES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "NPY_DISABLE_CPU_FEATURES", "NPY_ENABLE_CPU_FEATURES")


@pytest.mark.parametrize("env, records", [
    ({}, True),
    ({"OPENBLAS_CORETYPE": "Haswell"}, True),      # a machine's own setting: the build runs with it too
    ({"NPY_DISABLE_CPU_FEATURES": "AVX512F"}, True),
    ({"DESCEND_EXPLORE": "static"}, False),
    ({"OPENBLAS_CORETYPE": "Prescott", "NPY_DISABLE_CPU_FEATURES": "AVX2",
      "DESCEND_KERNEL_UNDER_TEST": "Prescott"}, False),   # tools/test_kernels.py's runs
    ({"OPENBLAS_CORETYPE": "SkylakeX", "DESCEND_KERNEL_UNDER_TEST": "SkylakeX"}, False),
])
def test_what_the_notebooks_stage_records(monkeypatch, env, records):
    import nbval.kernel

    # configure() sets DESCEND_EXPLORE and OPENBLAS_NUM_THREADS where unset: put back afterwards
    _clear(monkeypatch, (*_NUMERIC_NAMES, "OPENBLAS_NUM_THREADS", "DESCEND_EXPLORE", rerun_record.KERNEL_UNDER_TEST))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(nbval.kernel.RunningKernel, "execute_cell_input", nbval.kernel.RunningKernel.execute_cell_input)
    monkeypatch.setattr(nbval.kernel, "start_new_kernel", nbval.kernel.start_new_kernel)
    monkeypatch.setattr(rerun_record, "recording", None)
    rerun_record.configure()
    assert rerun_record.recording is records


def test_a_record_is_keyed_by_the_code_numpy_and_openblas_run(monkeypatch):
    path = ROOT / "notebooks" / "01_derivatives.ipynb"
    _clear(monkeypatch, _NUMERIC_NAMES)
    keys = [rerun_record.key(path)]
    monkeypatch.setenv("DESCEND_SOMETHING_ELSE", "1")      # not a numeric variable: the same key
    assert rerun_record.key(path) == keys[0]
    for name, value in (("OPENBLAS_CORETYPE", "Haswell"), ("NPY_DISABLE_CPU_FEATURES", "AVX512F"),
                        ("OPENBLAS_CORETYPE", "SkylakeX"), ("OPENBLAS_L2_SIZE", "512"),
                        ("NPY_ENABLE_CPU_FEATURES", "SSE SSE2")):
        monkeypatch.setenv(name, value)
        keys.append(rerun_record.key(path))
    assert len(set(keys)) == len(keys)
    from numpy._core._multiarray_umath import __cpu_features__   # and by the processor NumPy found
    monkeypatch.setitem(__cpu_features__, "SSE", not __cpu_features__["SSE"])
    assert rerun_record.key(path) not in keys


@pytest.mark.parametrize("coretype, flags, numpy_here, tried", [
    # this AMD EPYC: the environment sets Haswell, NumPy runs its AVX-512 code: a mixed pair, all four run
    ("Haswell", {"sse4_2", "avx", "avx2", "avx512f"}, {"X86_V3", "X86_V4"},
     ["Nehalem", "Sandybridge", "Haswell", "SkylakeX"]),
    # a laptop with AVX2: OpenBLAS picks Haswell and NumPy has no AVX-512 code: make test ran that pair
    (None, {"sse4_2", "avx", "avx2"}, {"X86_V3"}, ["Nehalem", "Sandybridge"]),
    # an Intel Xeon: SkylakeX, with all NumPy's code
    (None, {"sse4_2", "avx", "avx2", "avx512f"}, {"X86_V3", "X86_V4"}, ["Nehalem", "Sandybridge", "Haswell"]),
])
def test_the_kernels_tool_marks_its_runs_unrecorded(monkeypatch, coretype, flags, numpy_here, tried):
    """tools/test_kernels.py's runs, on other OpenBLAS kernels, tell the record hooks so; and it
    skips a kernel only where ``make test`` runs it with NumPy's matching code."""
    import importlib.util
    import subprocess

    spec = importlib.util.spec_from_file_location("descend_test_kernels", ROOT / "tools" / "test_kernels.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert tool.KERNEL_UNDER_TEST == rerun_record.KERNEL_UNDER_TEST
    envs = []
    pick = "Haswell" if "avx512f" not in flags else "SkylakeX"
    monkeypatch.setattr(tool.platform, "system", lambda: "Linux")
    monkeypatch.setattr(tool.platform, "machine", lambda: "x86_64")
    monkeypatch.setattr(tool, "cpu_flags", lambda: flags)
    monkeypatch.setattr(tool, "loaded_kernel", lambda forced: forced or pick)
    monkeypatch.setattr(tool, "numpy_targets",
                        lambda: ({"X86_V3", "X86_V4", "AVX512_ICL", "AVX512_SPR"}, numpy_here))
    monkeypatch.setattr(subprocess, "call", lambda command, cwd, env: envs.append(env) or 0)
    _clear(monkeypatch, ("OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES", rerun_record.KERNEL_UNDER_TEST))
    if coretype:
        monkeypatch.setenv("OPENBLAS_CORETYPE", coretype)
    assert tool.main([]) == 0
    assert [e["OPENBLAS_CORETYPE"] for e in envs] == tried
    assert all(e[rerun_record.KERNEL_UNDER_TEST] == e["OPENBLAS_CORETYPE"] for e in envs)
