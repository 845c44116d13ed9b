"""`make bench`: the book's performance figures, checked against their budgets.

Writes ``_build/bench.json`` (flat keys) and prints a table.  Exits 1 if a figure misses its
budget.  Every timing is a median over several runs, and every comparison is a ratio of two
timings taken in the same run, interleaved, so that a busy machine slows both alike.

    python bench/bench.py [--skip-make-test] [--torch-python PATH]

``--torch-python`` names a Python that has PyTorch (it is not a dependency of the book); the
Adam comparison is skipped with a note when neither it nor this Python can import torch.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PY = Path(sys.executable)
sys.path.insert(0, str(ROOT / "tests" / "site"))

BUDGETS = {  # key: (budget, "max" or "min", unit)
    "build_clean_s": (150.0, "max", "s"),
    "build_cached_s": (20.0, "max", "s"),
    "notebook_exec_s_max": (30.0, "max", "s"),
    "explorer_latency_ms_p95": (50.0, "max", "ms"),
    "explorer_latency_ms_median": (50.0, "max", "ms"),
    "sweep_speedup_vs_loop": (50.0, "min", "×"),
    "cnn_epoch_s": (1.0, "max", "s"),
    "adam_1e6_ratio_vs_torch": (1.5, "max", "×"),
    "page_dcl_ms_max": (1000.0, "max", "ms"),
    "page_load_ms_max": (1500.0, "max", "ms"),
    "page_explorer_ms_max": (1500.0, "max", "ms"),
    "largest_page_mb": (2.5, "max", "MB"),
    "site_mb": (40.0, "max", "MB"),
    "make_test_s": (540.0, "max", "s"),
}


def median_time(fn, repeat=5, number=1) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return statistics.median(times)


# ------------------------------------------------------------------ the book build


def copy_tree(dst: Path) -> Path:
    """A copy of the book's sources (no .venv, _build, .git), so the bench never touches _build."""
    ignore = shutil.ignore_patterns(".venv", "_build", ".git", ".hypothesis", "__pycache__", "*.egg-info")
    shutil.copytree(ROOT, dst, ignore=ignore)
    return dst


def build_homework(tree: Path) -> None:
    """The student editions the site links to (`make book` builds them first; not timed here)."""
    _checked([str(PY), str(tree / "tools" / "build_homework.py")], cwd=tree)


def build(tree: Path) -> float:
    t0 = time.perf_counter()  # as `make book` builds: the notebooks executed two at a time, then the build
    _checked([str(PY), str(tree / "tools" / "execute_book.py"), "--jobs", "2"])
    _checked([str(BIN / "jupyter-book"), "build", str(tree), "--warningiserror", "--nitpick", "--keep-going"])
    return time.perf_counter() - t0


def _checked(command: list[str], **kwargs) -> None:
    run = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if run.returncode != 0:
        sys.stderr.write(run.stdout[-4000:] + run.stderr[-4000:])
        raise SystemExit(f"bench: {' '.join(command[:3])} … failed (exit {run.returncode})")


def notebook_times(tree: Path) -> dict[str, float]:
    """Execution time of each notebook in the clean build, as jupyter-cache recorded it."""
    from jupyter_cache import get_cache

    cache = get_cache(str(tree / "_build" / ".jupyter_cache"))
    times = {}
    for record in cache.list_project_records():
        cached = cache.get_cached_project_nb(record.uri)
        if cached is not None:
            times[Path(record.uri).stem] = float(cached.data.get("execution_seconds", float("nan")))
    return times


def site_weights(html: Path) -> tuple[float, float, str]:
    from test_self_contained import page_weight

    pages = [p for p in html.rglob("*.html") if "_static" not in p.relative_to(html).parts]
    def weight(p):  # on an ordinary or a high-density screen, whichever fetches more
        return max(page_weight(html, p, 1), page_weight(html, p, 2))

    heaviest = max(pages, key=weight)
    total = sum(p.stat().st_size for p in html.rglob("*") if p.is_file())
    return weight(heaviest) / 1e6, total / 1e6, str(heaviest.relative_to(html))


# ------------------------------------------------------------------ page load in chromium

PAGE_TIMES = """() => { const n = performance.getEntriesByType('navigation')[0];
  return [n.domContentLoadedEventEnd, n.loadEventEnd]; }"""


MOVE_FIRST_SLIDER = """async () => {
  const ex = document.querySelector('.descend-explorer');
  const inp = ex.querySelector('input[type=range]'), img = ex.querySelector('img');
  const before = img.getAttribute('src');
  inp.value = +inp.value < +inp.max ? +inp.value + 1 : +inp.value - 1;
  inp.dispatchEvent(new Event('input'));
  await img.decode().catch(() => null);
  return [img.getAttribute('src') !== before, performance.now()];
}"""


@contextlib.contextmanager
def site_browser(html: Path):
    """The built site served from a local server, and Debian's chromium with the site tests'
    flags: ``(url of the site's root, browser)`` for the ``with`` block."""
    import functools
    import http.server
    import socketserver
    import threading

    from playwright.sync_api import sync_playwright
    from test_browser import ARGS, CHROMIUM

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    class Server(socketserver.ThreadingTCPServer):
        def handle_error(self, request, client_address):
            pass  # a page closed while a frame was still being sent: a broken pipe, not a failure

    with Server(("127.0.0.1", 0), functools.partial(Quiet, directory=str(html))) as httpd, \
            sync_playwright() as p:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield f"http://127.0.0.1:{httpd.server_address[1]}", browser
        finally:
            browser.close()
            httpd.shutdown()


def page_loads(html: Path, repeat: int = 3) -> dict[str, tuple[float, float, float]]:
    """Each chapter page in chromium from a local server, in a fresh context (empty cache).

    Returns, per page, the medians in ms since navigation of DOMContentLoaded, the load event,
    and the moment the first explorer shows a new frame (decoded) when its slider is moved at
    DOMContentLoaded (the move is handled as soon as the page's main thread is free).
    """
    out = {}
    with site_browser(html) as (site, browser):
        for page_file in sorted((html / "notebooks").glob("[0-9][0-9]_*.html")):
            url = f"{site}/notebooks/{page_file.name}"
            runs = []
            for _ in range(repeat):
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                page.goto(url, wait_until="domcontentloaded")
                # one step of the first explorer's first slider, as its input event would come:
                # handled once the page's main thread is free, then the new frame decoded
                moved, responded = page.evaluate(MOVE_FIRST_SLIDER)
                assert moved, f"the first explorer of {page_file.name} did not change its frame"
                page.wait_for_load_state("load")
                page.wait_for_function("() => performance.getEntriesByType('navigation')[0].loadEventEnd > 0")
                dcl, load = page.evaluate(PAGE_TIMES)
                runs.append((dcl, load, responded))
                context.close()
            out[page_file.stem] = tuple(statistics.median(r[i] for r in runs) for i in range(3))
    return out


# ------------------------------------------------------------------ explorer latency

LATENCY_PROBE = textwrap.dedent(r'''
    import json, time
    import numpy as np
    import descend as dd
    latencies = {}
    for i, ex in enumerate(dd.widgets.created()):
        box = ex.widget()
        name = f"{i + 1} ({', '.join(ex.sliders)}; {getattr(ex.draw, '__name__', 'draw')})"
        for control in box.children[:-1]:
            for value in np.linspace(control.min, control.max, 8)[1:]:
                t0 = time.perf_counter()
                control.value = float(value)        # the observer redraws synchronously
                latencies.setdefault(name, []).append((time.perf_counter() - t0) * 1e3)
    print("LATENCY" + json.dumps(latencies))
''')


def explorer_latencies(notebooks: list[Path]) -> dict[str, list[float]]:
    """Milliseconds per slider move, keyed "chapter explorer-number (sliders; draw function)"."""
    import nbformat
    from nbclient import NotebookClient

    out = {}
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell(LATENCY_PROBE))
        NotebookClient(nb, timeout=900, resources={"metadata": {"path": str(path.parent)}}).execute()
        text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
        line = next(t for t in text.splitlines() if t.startswith("LATENCY"))
        out.update({f"{path.stem[:2]} explorer {k}": v for k, v in json.loads(line[len("LATENCY"):]).items()})
    return out


# ------------------------------------------------------------------ library speed


def sweep_speedup(loop_sample: int = 200) -> tuple[float, str]:
    import descend as dd

    problem = dd.ill_conditioned(kappa=10.0)
    etas, betas = np.linspace(0.01, 0.4, 100), np.linspace(0.0, 0.95, 100)
    x0 = [1.0, 1.0]
    t_sweep = median_time(lambda: dd.sweep(dd.momentum, problem, x0, steps=200, eta=etas, beta=betas), repeat=5)
    pairs = np.random.default_rng(0).choice(10_000, size=loop_sample, replace=False)

    def loop():
        for k in pairs:
            dd.run(dd.momentum(eta=float(etas[k // 100]), beta=float(betas[k % 100])), problem, x0, steps=200)

    t_loop = median_time(loop, repeat=3) * (10_000 / loop_sample)
    note = (f"sweep {t_sweep * 1e3:.0f} ms for 10,000 settings × 200 steps; Python loop {t_loop:.1f} s "
            f"(timed on {loop_sample} random settings, scaled to 10,000)")
    return t_loop / t_sweep, note


def cnn_epoch() -> tuple[float, str]:
    """Chapter 10's network: one epoch of momentum on the digits' training set in mini-batches of 32."""
    import descend as dd

    train = dd.data.digits()[0]
    problem, theta = dd.nn.convnet_classifier(*train), dd.nn.convnet_init()
    steps = -(-len(train.labels) // 32)
    t = median_time(lambda: dd.run(dd.momentum(eta=0.1, beta=0.9), problem, theta, steps, batch_size=32, seed=0))
    return t, f"{steps} steps of {len(train.labels)} images, median of five"


TORCH_TIMER = textwrap.dedent(r'''
    import sys, time, statistics, torch
    if int(sys.argv[2]):
        torch.set_num_threads(int(sys.argv[2]))
    torch.manual_seed(0)
    p = torch.randn(10**6, dtype=torch.float64, requires_grad=True)
    p.grad = torch.randn(10**6, dtype=torch.float64)
    opt = torch.optim.Adam([p], lr=1e-3, foreach=True)
    for _ in range(5):
        opt.step()
    times = []
    for _ in range(int(sys.argv[1])):
        t0 = time.perf_counter(); opt.step(); times.append(time.perf_counter() - t0)
    print(statistics.median(times))
''')


def adam_ratio(torch_python: str | None) -> tuple[float | None, str]:
    import descend as dd

    candidates = [p for p in (torch_python, sys.executable) if p]
    python = next((p for p in candidates
                   if subprocess.run([p, "-c", "import torch"], capture_output=True).returncode == 0), None)
    if python is None:
        return None, "skipped: no Python with torch (pass --torch-python, e.g. a venv with torch==2.13.0)"
    rng = np.random.default_rng(0)
    x, g = rng.normal(size=10**6), rng.normal(size=10**6)
    opt = dd.adam(eta=1e-3)
    state = opt.init(x)
    for _ in range(5):
        _, state = opt.update(g, state, x)
    def torch_step(threads: int) -> float:    # 0: torch's default number of threads
        return float(subprocess.run([python, "-c", TORCH_TIMER, "20", str(threads)], capture_output=True,
                                    text=True, check=True).stdout)

    def steps():      # the way a training loop calls it: each step from the last one's state
        nonlocal state
        step, state = opt.update(g, state, x)
        np.add(x, step, out=x)       # torch's step also updates the parameters in place

    ours, theirs, theirs_1 = [], [], []
    for _ in range(5):  # interleave the three so a busy machine slows all alike
        ours.append(median_time(steps, repeat=20))
        theirs.append(torch_step(0))
        theirs_1.append(torch_step(1))
    version, default_threads = subprocess.run(
        [python, "-c", "import torch; print(torch.__version__, torch.get_num_threads())"], capture_output=True,
        text=True).stdout.split()
    ours, theirs, theirs_1 = (statistics.median(v) for v in (ours, theirs, theirs_1))
    return ours / theirs, (f"descend {ours * 1e3:.2f} ms vs torch {version} Adam(foreach=True) "
                           f"{theirs * 1e3:.2f} ms with its default {default_threads} threads "
                           f"(ratio {ours / theirs:.2f}), {theirs_1 * 1e3:.2f} ms with one thread "
                           f"(ratio {ours / theirs_1:.2f}), per step on 10⁶ float64 parameters")


# ------------------------------------------------------------------ main


def machine() -> str:
    """The processor as /proc/cpuinfo names it, with its family and model (a virtual machine's
    name can be as bare as "AMD EPYC"), OPENBLAS_CORETYPE if the environment forces OpenBLAS's
    kernel, the cores, and the software the figures depend on."""
    cpu, fields = platform.processor() or "cpu", {}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            name, _, value = line.partition(":")
            fields.setdefault(name.strip(), value.strip())
    except OSError:
        pass
    if "model name" in fields:
        cpu = fields["model name"]
        if "cpu family" in fields and "model" in fields:
            cpu += f" (family {fields['cpu family']}, model {fields['model']})"
    if os.environ.get("OPENBLAS_CORETYPE"):
        cpu += f", OPENBLAS_CORETYPE={os.environ['OPENBLAS_CORETYPE']}"
    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"NumPy {np.__version__}, {platform.system()} {platform.release()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-make-test", action="store_true", help="do not time `make test`")
    parser.add_argument("--torch-python", default=os.environ.get("TORCH_PYTHON"), help="a Python with torch")
    args = parser.parse_args()

    results, notes = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        tree = copy_tree(Path(tmp) / "book")
        build_homework(tree)
        print("building the book from an empty cache …", flush=True)
        results["build_clean_s"] = build(tree)
        times = notebook_times(tree)
        slowest = max(times, key=times.get)
        results["notebook_exec_s_max"] = times[slowest]
        notes["notebook_exec_s_max"] = f"two at a time, as make book runs them; slowest: {slowest}; " + ", ".join(f"{k} {v:.1f}" for k, v in sorted(times.items()))
        print("building it again, unchanged …", flush=True)
        results["build_cached_s"] = statistics.median(build(tree) for _ in range(3))
        html = tree / "_build" / "html"
        results["largest_page_mb"], results["site_mb"], heaviest = site_weights(html)
        notes["largest_page_mb"] = f"heaviest: {heaviest} (its HTML and images, and every frame of its explorers, on the screen density that fetches more)"
        pdf = ROOT / "_build" / "pdf" / "descend.pdf"      # make pdf copies it into the site
        if pdf.is_file():
            notes["site_mb"] = (f"{results['site_mb']:.1f} MB of pages and the PDF of the last make pdf, "
                                f"{pdf.stat().st_size / 1e6:.1f} MB")
            results["site_mb"] += pdf.stat().st_size / 1e6
        else:
            notes["site_mb"] = (f"not measured: the pages are {results.pop('site_mb'):.1f} MB, and the PDF that "
                                "make pdf adds is missing (run make pdf first)")
        print("chapter pages in chromium …", flush=True)
        loads = page_loads(html)
        for key, i, what in (("page_dcl_ms_max", 0, "DOMContentLoaded"), ("page_load_ms_max", 1, "load event"),
                             ("page_explorer_ms_max", 2, "first explorer's new frame after a slider move")):
            slowest = max(loads, key=lambda k: loads[k][i])
            results[key] = loads[slowest][i]
            notes[key] = f"{what}, slowest: {slowest}; " + ", ".join(f"{k[:2]} {v[i]:.0f}" for k, v in loads.items())

    print("explorer latency in a kernel …", flush=True)
    from conftest import chapter_files

    per = explorer_latencies([ROOT / f"{name}.ipynb" for name in chapter_files()])
    lat = [ms for moves in per.values() for ms in moves]
    results["explorer_latency_ms_p95"] = float(np.percentile(lat, 95))
    results["explorer_latency_ms_median"] = float(np.median(lat))
    slowest = sorted(per, key=lambda k: -np.percentile(per[k], 95))[:3]
    notes["explorer_latency_ms_p95"] = (
        f"{len(lat)} slider moves over {len(per)} explorers; slowest three by their p95: "
        + "; ".join(f"ch {k}: p95 {np.percentile(per[k], 95):.0f} ms, median {np.median(per[k]):.0f} ms"
                    for k in slowest))

    print("vectorized sweep against a loop …", flush=True)
    results["sweep_speedup_vs_loop"], notes["sweep_speedup_vs_loop"] = sweep_speedup()

    print("an epoch of chapter 10's network …", flush=True)
    results["cnn_epoch_s"], notes["cnn_epoch_s"] = cnn_epoch()

    print("Adam against torch.optim.Adam …", flush=True)
    ratio, notes["adam_1e6_ratio_vs_torch"] = adam_ratio(args.torch_python)
    if ratio is not None:
        results["adam_1e6_ratio_vs_torch"] = ratio

    if not args.skip_make_test:
        print("make test (warm) …", flush=True)
        t0 = time.perf_counter()
        _checked(["make", "test"], cwd=ROOT)
        results["make_test_s"] = time.perf_counter() - t0

    results = {k: round(float(v), 3) for k, v in results.items()}
    out = ROOT / "_build" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({**results, "machine": machine(), "notes": notes}, indent=2) + "\n")

    failed = []
    print(f"\nmachine: {machine()}\n")
    print(f"| {'key':<28} | {'value':>10} | {'budget':>10} | ok |")
    print(f"|{'-' * 30}|{'-' * 12}|{'-' * 12}|----|")
    for key, (budget, kind, unit) in BUDGETS.items():
        if key not in results:
            print(f"| {key:<28} | {'—':>10} | {('≤ ' if kind == 'max' else '≥ ') + f'{budget:g} {unit}':>10} | –  |")
            continue
        value = results[key]
        ok = value <= budget if kind == "max" else value >= budget
        failed += [] if ok else [key]
        bound = ("≤ " if kind == "max" else "≥ ") + f"{budget:g} {unit}"
        print(f"| {key:<28} | {value:>10.3g} | {bound:>10} | {'✓' if ok else '✗'}  |")
    for key, note in notes.items():
        print(f"  {key}: {note}")
    print(f"\nwritten to {out.relative_to(ROOT)}")
    if failed:
        print(f"OVER BUDGET: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
