"""The chapters in JupyterLab, as a student runs them: Debian's chromium, driven by Playwright.

The test writes the workspace ``make lab`` opens (``tools/student_route.py lab``, into a
temporary folder) and starts the project's ``jupyter lab`` on it: headless, on a free port of
127.0.0.1, with a token, and with temporary Jupyter config, data, runtime, settings and
workspace folders, so it never reads or writes the user's. Nothing is fetched: no news, no
update check, a read-only extension manager (no PyPI listing). Every Python process of the
server and its kernels records any attempt to reach a host other than this machine (an audit
hook, see ``NET_HOOK``), and the browser aborts and records every request to another origin.

For each chapter the test opens the notebook, runs it with the menu's Run > Run All Cells,
waits for the kernel to go idle, and checks that every code cell ran and none shows an error;
then, in the front end, it moves each explorer's first slider with the keyboard and checks
that the figure under it is redrawn. It thereby catches what the kernel-level tests
(``make test-notebooks``) cannot: a mismatch between ipywidgets, its JupyterLab extension
(jupyterlab_widgets) and JupyterLab, which shows "Error displaying widget", a widget that
never loads, or a plain ``VBox(...)`` text instead of sliders.

Chapters: QUICK by default (``make test`` runs them); all of notebooks/ with
``DESCEND_LAB_CHAPTERS=all`` (``make test-lab``), or a comma-separated list of chapter
names or numbers, e.g. ``DESCEND_LAB_CHAPTERS=03,10_convolution``. Screenshots of the first
explorer of each chapter, before and after the move (NN_slug-before.png, -after.png), and of
JupyterLab's window after it (-lab.png) go to _build/screenshots/lab/.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = ROOT / "notebooks"
SHOTS = ROOT / "_build" / "screenshots" / "lab"
JUPYTER = Path(sys.executable).parent / "jupyter"
CHROMIUM = os.environ.get("DESCEND_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# The same flags as tests/site/test_browser.py: no background traffic of chromium's own.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
        "--disable-background-networking", "--disable-component-update"]

# Chapters for `make test`. What this test catches that the notebooks stage cannot is mostly the
# same for every chapter (ipywidgets, its JupyterLab extension and JupyterLab out of step, a widget
# that never shows), so two chapters run there, one on each worker, each with one explorer (of one
# slider and of two), chosen for their short tests; what differs by chapter (its cells run in the
# student workspace, its requests, its console, a notebook with several explorers, as 03, 04, 07
# and 09 have) is left to `make test-lab`, which runs them all.
# The whole test of a chapter took (stop 47, AMD EPYC, 2 cores, beside the other worker): 01 20-23
# s, 08 26 s, 04 37 s (three explorers); with 01 and 04 the stage took 43 s alone (76 CPU-seconds),
# with 01 and 08 36 s (63). In stop 46, with 02 as well, it took 63-70 s.
QUICK = ("01_derivatives", "08_bias_correction")
START_TIMEOUT = 90          # s, for the server to answer and a notebook to open
RUN_TIMEOUT = 900           # s, for Run All Cells on one chapter
REDRAW_TIMEOUT = 60         # s, for a figure to be redrawn after a slider moved

# Installed as sitecustomize.py in a folder put first on PYTHONPATH for the server, so it runs
# in the server and in every kernel it starts (they inherit the environment).
NET_HOOK = '''
import os, sys

_LOG = os.environ.get("DESCEND_NET_LOG")
_LOCAL = ("127.", "::1", "::ffff:127.", "localhost", "0.0.0.0")


def _remote(host):
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    return isinstance(host, str) and host != "" and not host.startswith(_LOCAL)


def _hook(event, args):
    if event == "socket.connect":
        address = args[1]
        host = address[0] if isinstance(address, tuple) else None   # a str is a Unix socket
    elif event == "socket.getaddrinfo":
        host = args[0]
    elif event == "urllib.Request":
        host = args[0].split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0].strip("[]")
    else:
        return
    if _remote(host):
        with open(_LOG, "a", encoding="utf-8") as f:
            f.write(f"pid {os.getpid()} {event} {host}\\n")


if _LOG:
    sys.addaudithook(_hook)
    with open(_LOG + ".hooked", "a", encoding="utf-8") as f:   # which processes are watched
        f.write(f"pid {os.getpid()} {' '.join(sys.orig_argv[:3])}\\n")
'''


def _no_browser_reason() -> str | None:
    if not os.path.exists(CHROMIUM):
        return f"Debian's chromium is not installed ({CHROMIUM} missing): `apt-get install chromium`"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing: install requirements.txt"
    if not JUPYTER.exists():
        return f"jupyter is not installed next to {sys.executable}: install requirements.txt"
    return None


REASON = _no_browser_reason()
if REASON:
    # Loud, as in tests/site: a warning in the summary and a skip reason printed by -rs.
    warnings.warn(f"JUPYTERLAB TESTS SKIPPED: {REASON}", stacklevel=1)
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(REASON is not None, reason=f"JUPYTERLAB TESTS SKIPPED: {REASON}")]


def all_chapters() -> list[str]:
    """Every chapter notebook of notebooks/, by name without suffix, in order."""
    return sorted(p.stem for p in CHAPTERS.glob("[0-9][0-9]_*.ipynb"))


def chosen_chapters(spec: str | None) -> list[str]:
    """The chapters DESCEND_LAB_CHAPTERS selects: QUICK if unset, every one for ``all``, or a
    comma-separated list of names or two-digit numbers.

    >>> chosen_chapters(None) == list(QUICK)
    True
    >>> chosen_chapters("all") == all_chapters()
    True
    >>> chosen_chapters("02, 01_derivatives")
    ['01_derivatives', '02_gradient_descent']
    """
    if not spec or not spec.strip():
        return list(QUICK)
    if spec.strip() == "all":
        return all_chapters()
    known = all_chapters()
    chosen = set()
    for item in (s.strip() for s in spec.split(",") if s.strip()):
        match = [c for c in known if c == item or c.split("_", 1)[0] == item]
        if not match:
            raise ValueError(f"DESCEND_LAB_CHAPTERS: no chapter {item!r}; "
                             f"use 'all' or names/numbers among {', '.join(known)}")
        chosen.update(match)
    return sorted(chosen)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A JupyterLab server on a student workspace, with its own Jupyter folders."""

    def __init__(self, tmp: Path):
        self.tmp, self.workspace = tmp, tmp / "workspace"
        self.token, self.port = secrets.token_hex(16), _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.net_log, self.log_path = tmp / "network.log", tmp / "server.log"
        route = subprocess.run([sys.executable, str(ROOT / "tools" / "student_route.py"), "lab",
                                "--out", str(self.workspace)], capture_output=True, text=True)
        if route.returncode != 0:
            pytest.fail(f"tools/student_route.py lab failed (run `make homework` first, as `make lab` "
                        f"does):\n{route.stdout}{route.stderr}")
        dirs = {name: tmp / "jupyter" / name for name in
                ("config", "data", "runtime", "settings", "workspaces", "ipython", "mpl", "hook")}
        for d in dirs.values():
            d.mkdir(parents=True)
        (dirs["hook"] / "sitecustomize.py").write_text(NET_HOOK)
        # No "fetch news?" question and no update check in the page (the server fetches neither).
        notification = dirs["settings"] / "@jupyterlab" / "apputils-extension"
        notification.mkdir(parents=True)
        (notification / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False}))
        env = {k: v for k, v in os.environ.items()
               if k not in ("MPLBACKEND", "DESCEND_EXPLORE") and not k.startswith(("JUPYTER", "IPYTHON"))}
        env.update(JUPYTER_CONFIG_DIR=str(dirs["config"]), JUPYTER_DATA_DIR=str(dirs["data"]),
                   JUPYTER_RUNTIME_DIR=str(dirs["runtime"]), JUPYTERLAB_SETTINGS_DIR=str(dirs["settings"]),
                   JUPYTERLAB_WORKSPACES_DIR=str(dirs["workspaces"]), IPYTHONDIR=str(dirs["ipython"]),
                   MPLCONFIGDIR=str(dirs["mpl"]), DESCEND_NET_LOG=str(self.net_log),
                   PYTHONPATH=os.pathsep.join([str(dirs["hook"]), *filter(None, [env.get("PYTHONPATH")])]))
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
        command = [str(JUPYTER), "lab", str(self.workspace), "--no-browser", "--allow-root",
                   "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
                   f"--IdentityProvider.token={self.token}",
                   "--LabApp.news_url=None",
                   "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                   "--LabApp.extension_manager=readonly"]
        self.log = open(self.log_path, "w")
        # Its own process group, so that stopping it also stops the kernels it started.
        self.process = subprocess.Popen(command, env=env, cwd=tmp, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"jupyter lab exited with {self.process.returncode}:\n{self.server_log()}")
            try:
                self.api("GET", "/api/status")
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        pytest.fail(f"jupyter lab did not answer on {self.url} in {START_TIMEOUT} s:\n{self.server_log()}")

    def api(self, method: str, path: str):
        request = urllib.request.Request(self.url + path, method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shut_down_kernels(self) -> None:
        for session in self.api("GET", "/api/sessions"):
            self.api("DELETE", f"/api/sessions/{session['id']}")

    def server_log(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def network_attempts(self) -> list[str]:
        return self.net_log.read_text().splitlines() if self.net_log.exists() else []

    def watched(self) -> list[str]:
        """The processes the network hook was installed in: "pid N" and the command's first words."""
        hooked = Path(f"{self.net_log}.hooked")
        return hooked.read_text().splitlines() if hooked.exists() else []

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    server = Lab(tmp_path_factory.mktemp("lab"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


# -------------------------------------------------------------------------- in the page

# Done when the kernel is idle and no cell waits ([*]); checked twice, 0.5 s apart, by the caller.
RUN_STATE = """() => {
  const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!nb) return null;
  const indicator = nb.querySelector('.jp-Notebook-ExecutionIndicator');
  const prompts = [...nb.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(e => e.textContent.trim());
  return {status: indicator ? indicator.dataset.status : null, prompts};
}"""

EXPLORER = ".jp-OutputArea-output > .widget-vbox:has(.widget-slider):has(img.widget-image)"
OUTPUTS = """() => {
  const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const text = (sel) => [...nb.querySelectorAll(sel)].map(e => e.textContent);
  return {
    stderr: text('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'),
    plain: text('.jp-OutputArea-output[data-mime-type="text/plain"]'),
    widgetErrors: text('.jupyter-widgets-error-widget').concat(
      [...nb.querySelectorAll('.jp-OutputArea-output')]
        .map(e => e.textContent.trim())
        .filter(t => t.startsWith('Error displaying widget') || t.startsWith('Loading widget'))),
    explorers: nb.querySelectorAll(EXPLORER).length,
  };
}""".replace("EXPLORER", repr(EXPLORER))
# An error output: a traceback, or an exception's last line (e.g. "ZeroDivisionError: ...").
ERROR = re.compile(r"Traceback \(most recent call last\)|^\s*\w*(Error|Exception)\b.*:", re.M)
# What JupyterLab shows instead of a widget it cannot render: the widget's plain-text repr.
WIDGET_AS_TEXT = re.compile(r"^\s*(VBox|HBox|FloatSlider|IntSlider|Image|Play|Box)\(", re.M)


class Notebook:
    """A notebook of the workspace opened in its own browser context; requests to any origin
    other than the server's are aborted and recorded, console errors are kept."""

    def __init__(self, browser, lab: Lab, relpath: str):
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.page = self.context.new_page()
        self.external, self.console = [], []
        self.page.on("console", lambda m: self.console.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.console.append(str(e)))
        self.page.on("websocket", lambda ws: None if ws.url.startswith(lab.url.replace("http", "ws"))
                     else self.external.append(ws.url))

        def route(r):
            url = r.request.url
            if url.startswith((lab.url + "/", "data:", "blob:")):
                r.continue_()
            else:
                self.external.append(url)
                r.abort()

        self.page.route("**/*", route)
        self.name = Path(relpath).stem
        self.page.set_default_timeout(START_TIMEOUT * 1000)
        # ?reset: a fresh workspace, only this notebook open
        self.page.goto(f"{lab.url}/lab/tree/{relpath}?token={lab.token}&reset")
        self.page.wait_for_selector(".jp-NotebookPanel .jp-CodeCell")
        self.kernel_dialog = False
        self._wait_for_kernel(lab, relpath)

    def _wait_for_kernel(self, lab: Lab, relpath: str) -> None:
        """Wait until the notebook's kernel has started and is idle, on the server and in the page.

        The page's indicator says "idle" before it has a kernel at all. On a freshly started
        server JupyterLab sometimes asks which kernel to start; a student would accept its
        proposal, Python 3 (ipykernel), and so does this (``kernel_dialog`` records it).
        """
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            dialog = self.page.locator(".jp-Dialog")
            if dialog.count() and "Select Kernel" in dialog.first.text_content():
                assert "Python 3" in dialog.locator("select").first.evaluate(
                    "s => s.options[s.selectedIndex].text"), "the kernel proposed is not Python 3"
                dialog.locator(".jp-mod-accept").first.click()
                self.kernel_dialog = True
            sessions = [s for s in lab.api("GET", "/api/sessions") if s["path"] == relpath]
            if (sessions and sessions[0]["kernel"]["execution_state"] == "idle"
                    and self.page.evaluate(RUN_STATE)["status"] == "idle"):
                return
            time.sleep(0.3)
        pytest.fail(f"the kernel of {relpath} did not start in {START_TIMEOUT} s:\n{lab.server_log()}")

    def run_all(self) -> dict:
        """Run > Run All Cells from the menu bar; wait until the kernel is idle; return RUN_STATE."""
        p = self.page
        p.locator(".lm-MenuBar-item", has_text="Run").first.click()
        p.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()
        # the first cell is queued or done before the run can be said to be over
        try:
            p.wait_for_function("() => /\\[(\\*|\\d+)\\]/.test("
                                "document.querySelector('.jp-NotebookPanel .jp-CodeCell .jp-InputPrompt').textContent)")
        except Exception:
            SHOTS.mkdir(parents=True, exist_ok=True)
            p.screenshot(path=SHOTS / f"{self.name}-run-all-did-not-start.png")
            raise
        deadline, settled = time.monotonic() + RUN_TIMEOUT, 0
        while time.monotonic() < deadline:
            state = p.evaluate(RUN_STATE)
            done = state["status"] == "idle" and not any("*" in x for x in state["prompts"])
            settled = settled + 1 if done else 0
            if settled == 2:
                return state
            time.sleep(0.5)
        pytest.fail(f"Run All Cells did not finish in {RUN_TIMEOUT} s")

    def outputs(self) -> dict:
        """Once no widget is still loading (or after REDRAW_TIMEOUT s): what OUTPUTS reads."""
        self.page.wait_for_function(
            "() => ![...document.querySelectorAll('.jp-OutputArea-output')]"
            ".some(e => e.textContent.trim().startsWith('Loading widget'))", timeout=REDRAW_TIMEOUT * 1000)
        return self.page.evaluate(OUTPUTS)

    def close(self) -> None:
        self.context.close()


def problems_after_run(state: dict, outputs: dict, code_cells: int) -> list[str]:
    """What a student would see go wrong after Run All Cells, as sentences (none: all is well).

    Parameters
    ----------
    state : dict
        RUN_STATE: the kernel status and the input prompts of the code cells.
    outputs : dict
        OUTPUTS: the texts of the error-stream, plain-text and widget-error outputs, and the
        number of rendered explorers.
    code_cells : int
        The number of code cells with code in the notebook file, which must all have run.

    >>> good = {"status": "idle", "prompts": ["[1]:", "[2]:"]}
    >>> problems_after_run(good, {"stderr": ["UserWarning: x"], "plain": ["3"],
    ...                           "widgetErrors": [], "explorers": 1}, 2)
    []
    >>> bad = {"status": "idle", "prompts": ["[1]:", "[ ]:"]}
    >>> for p in problems_after_run(bad, {"stderr": ["ZeroDivisionError: division by zero"],
    ...         "plain": ["VBox(children=(FloatSlider(value=0.0),))"], "widgetErrors": [], "explorers": 0}, 2):
    ...     print(p[:40])
    1 of 2 code cells ran ([n] prompts): Run
    a cell shows an error: ZeroDivisionError
    a widget is shown as text (is the widget
    no explorer (sliders above a figure) was
    """
    found = []
    ran = sum(bool(re.fullmatch(r"\[\d+\]:", x)) for x in state["prompts"])
    if ran != code_cells:
        found.append(f"{ran} of {code_cells} code cells ran ([n] prompts): Run All stopped early")
    found += [f"a cell shows an error: {text[-1500:]}" for text in outputs["stderr"] if ERROR.search(text)]
    found += [f"a widget is shown as text (is the widgets extension missing or mismatched?): {text[:300]}"
              for text in outputs["plain"] if WIDGET_AS_TEXT.search(text)]
    found += [f"a widget did not render: {text[:300]}" for text in outputs["widgetErrors"]]
    if outputs["explorers"] == 0:
        found.append("no explorer (sliders above a figure) was rendered")
    return found


def code_cell_count(path: Path) -> int:
    """Code cells with code in them (an empty one is never run, so shows no number)."""
    return sum(c.cell_type == "code" and bool(c.source.strip()) for c in nbformat.read(path, as_version=4).cells)


def move_and_check(page, index: int, shots: tuple[Path, Path, Path] | None) -> str:
    """Move the first slider of explorer ``index`` one step with the keyboard (right, or left at
    the end of its range) and wait until the figure under it has been redrawn; return what changed.

    Fails unless the slider's value, the image's source and its pixels all change.
    """
    box = page.locator(EXPLORER).nth(index)
    box.scroll_into_view_if_needed()
    image, handle = box.locator("img.widget-image"), box.locator(".noUi-handle").first
    readout = box.locator(".widget-readout").first
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    value, source, pixels = readout.text_content(), image.get_attribute("src"), image.screenshot()
    if shots:
        box.screenshot(path=shots[0])
    handle.focus()
    for key in ("ArrowRight", "ArrowLeft"):   # at the end of its range, the other way
        page.keyboard.press(key)
        deadline = time.monotonic() + 3
        while readout.text_content() == value and time.monotonic() < deadline:
            time.sleep(0.1)
        if readout.text_content() != value:
            break
    new_value = readout.text_content()
    assert new_value != value, f"explorer {index}: the slider did not move with the arrow keys"
    # the locator is resolved again at each poll: a view rendered anew is followed too
    deadline = time.monotonic() + REDRAW_TIMEOUT
    while image.get_attribute("src") == source or not image.evaluate("i => i.complete && i.naturalWidth > 0"):
        if time.monotonic() > deadline:
            sliders = [r.text_content() for r in box.locator(".widget-readout").all()]
            raise AssertionError(
                f"explorer {index}: the slider moved ({value} -> {new_value}; sliders now {sliders}) but the "
                f"figure was not redrawn in {REDRAW_TIMEOUT} s (is the kernel busy? "
                f"{page.evaluate(RUN_STATE)['status']}; widget views of the page: "
                f"{page.locator(EXPLORER).count()})")
        time.sleep(0.2)
    page.wait_for_timeout(200)   # let the new frame paint before the screenshot
    assert image.screenshot() != pixels, f"explorer {index}: a new image came but its pixels did not change"
    if shots:
        box.screenshot(path=shots[1])
        page.screenshot(path=shots[2])   # the explorer in JupyterLab's window
    return f"{value} -> {new_value}"


# -------------------------------------------------------------------------------- tests

def test_network_hook_records_an_attempt(tmp_path):
    """The network record is not vacuous: a lookup of another host is written to the log."""
    (tmp_path / "sitecustomize.py").write_text(NET_HOOK)
    log = tmp_path / "net.log"
    env = dict(os.environ, PYTHONPATH=str(tmp_path), DESCEND_NET_LOG=str(log))
    code = ("import socket\ntry: socket.getaddrinfo('example.invalid', 80)\nexcept OSError: pass\n"
            "socket.getaddrinfo('127.0.0.1', 80)")
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
    lines = log.read_text().splitlines()
    assert len(lines) == 1 and lines[0].endswith("socket.getaddrinfo example.invalid"), lines
    assert Path(f"{log}.hooked").read_text().startswith("pid ")


def test_checks_catch_a_failing_cell_and_a_broken_widget(browser, lab):
    """The checks are not vacuous: in a notebook whose widget cannot be shown and whose cell
    raises, Run All Cells stops, and the error, the stopped run and the broken widget are found."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in (
        "import ipywidgets as w\nfrom traitlets import Unicode",
        "class Missing(w.DOMWidget):  # a front end without this widget's module\n"
        "    _model_module = _view_module = Unicode('no-such-widgets').tag(sync=True)\n"
        "    _model_name, _view_name = Unicode('M').tag(sync=True), Unicode('V').tag(sync=True)\n"
        "Missing()",
        "1 / 0",
        "print('never run')")]
    path = lab.workspace / "broken.ipynb"
    nbformat.write(nb, path)
    notebook = Notebook(browser, lab, "broken.ipynb")
    try:
        found = problems_after_run(notebook.run_all(), notebook.outputs(), code_cell_count(path))
    finally:
        notebook.close()
        lab.shut_down_kernels()
    assert any(p.startswith("3 of 4 code cells ran") for p in found), found
    assert any("ZeroDivisionError" in p for p in found), found
    assert any(p.startswith("a widget did not render") for p in found), found
    assert "no explorer (sliders above a figure) was rendered" in found


@pytest.mark.parametrize("chapter", chosen_chapters(os.environ.get("DESCEND_LAB_CHAPTERS")))
def test_chapter_in_jupyterlab(browser, lab, chapter):
    SHOTS.mkdir(parents=True, exist_ok=True)
    relpath = f"notebooks/{chapter}.ipynb"
    notebook = Notebook(browser, lab, relpath)
    try:
        start = time.monotonic()
        state = notebook.run_all()
        ran = time.monotonic() - start
        outputs = notebook.outputs()
        found = problems_after_run(state, outputs, code_cell_count(lab.workspace / relpath))
        assert not found, f"{chapter} in JupyterLab:\n" + "\n".join(found)
        moves = [move_and_check(notebook.page, k, (SHOTS / f"{chapter}-before.png",
                                                   SHOTS / f"{chapter}-after.png", SHOTS / f"{chapter}-lab.png") if k == 0 else None)
                 for k in range(outputs["explorers"])]
        print(f"{chapter}: ran all cells in {ran:.1f} s; {len(moves)} explorers redrawn ({', '.join(moves)}); "
              f"{len(outputs['stderr'])} outputs on stderr (warnings)"
              + ("; JupyterLab asked which kernel to start" if notebook.kernel_dialog else ""))
        assert notebook.console == [], f"console errors in JupyterLab: {notebook.console[:10]}"
        assert notebook.external == [], f"the page asked for other origins: {notebook.external}"
    finally:
        notebook.close()
        lab.shut_down_kernels()
    watched = lab.watched()
    assert any(line.startswith(f"pid {lab.process.pid} ") for line in watched), f"server not watched: {watched}"
    assert any("ipykernel_launcher" in line for line in watched), f"no kernel watched: {watched}"
    assert lab.network_attempts() == [], f"the server or a kernel tried the network: {lab.network_attempts()}"
