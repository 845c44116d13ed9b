"""Grade a class: every submission in a folder, with ``otter run``, into one gradebook CSV.

Usage (``make grade HW=hw01_derivatives SUBMISSIONS=folder`` runs the first form)::

    python tools/grade.py hw01_derivatives submissions/
    python tools/grade.py hw01 submissions/ --out grades/hw01 --jobs 4 --timeout 600
    python tools/grade.py hw01_derivatives submissions/ --autograder other/hw01_derivatives-autograder.zip

What it grades: every ``.ipynb`` file and every ``.zip`` file (as written by
``grader.export``) directly in SUBMISSIONS, and in its immediate subfolders (one level, no
deeper); names starting with ``.`` are skipped, and so is the output folder.

Who the student is:

* a file in a subfolder belongs to the student named by the subfolder
  (``submissions/ada/hw01_derivatives_2026_03_02T10_15_00_000000.zip`` is ``ada``);
* a file named the way Canvas's *Download Submissions* names it,
  ``<name>[_late]_<user id>_<submission id>_<original name>``, belongs to ``<name>``, and
  its Canvas user id goes into the Canvas CSV;
* any other file belongs to its name without the extension (``ada.ipynb`` is ``ada``).

A student with two or more files gets a row for each in the gradebook, and each of those rows
says so; the Canvas CSV takes the one with the highest total (the first by file name on a tie).

Each submission is graded in a process of its own, ``--jobs`` at a time, by
``otter.run.main`` (what ``otter run -a AUTOGRADER SUBMISSION`` runs: the notebook executes
from top to bottom in a fresh kernel of this environment, then every test runs, the hidden ones
too). A submission still running after ``--timeout`` seconds is stopped (a submission whose
Jupyter kernel did not answer when it started, before any cell ran, is graded once more, with
``--timeout`` seconds again). None is skipped: an
empty, corrupt or unreadable file, a zip without a notebook, a notebook of another homework, a
kernel that dies, a timeout: each becomes a row with total 0, a ``status`` and a one-sentence
``reason``.

It writes, into ``--out`` (default: ``<SUBMISSIONS>-graded`` beside the folder):

* ``gradebook.csv``: one row per submission, with the columns ``student, file``, one per
  autograded question in the homework's order (the points earned, hidden tests included),
  ``total, possible, status, reason, results``. Written questions are not in it: they are
  graded by hand;
* ``canvas.csv``: one row per student in the layout of Canvas's gradebook import: ``Student,
  ID, SIS User ID, SIS Login ID, Section, <assignment>``, and a ``Points Possible`` row;
* ``results/<student>.json``: otter's full results for each submission (Gradescope's
  results format, every test's message, hidden tests included), for regrades; a student
  with two files gets ``<student>.1.json`` and ``<student>.2.json``. ``results/<student>.log``
  holds what grading printed.

``status`` is one of: ``graded`` (otter ran every test), ``wrong-homework``, ``unreadable``,
``no-notebook``, ``timeout``, ``crashed``.

The autograder is ``_build/homework/autograder/HW-autograder.zip``, built (or rebuilt if
stale) by ``tools/build_homework.py`` first, unless ``--autograder`` names another.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "notebooks" / "homework"
BUILD = ROOT / "_build" / "homework"
DEFAULT_TIMEOUT = 300.0
STATUSES = ("graded", "wrong-homework", "unreadable", "no-notebook", "timeout", "crashed")

# Canvas's "Download Submissions" names each file <name>[_late]_<user id>_<submission id>_<file>.
CANVAS_NAME = re.compile(r"^(?P<name>[^_]+?)(?:_late)?_(?P<user_id>\d+)_(?P<submission_id>\d+)_(?P<original>.+)$",
                         re.IGNORECASE)
WRONG_NAME = re.compile(r"Received submission for assignment '(?P<got>.*)' \(this is assignment '(?P<want>.*)'\)")


@dataclass
class Submission:
    """One file to grade and whose it is."""

    path: Path
    file: str                  # the path relative to the submissions folder, as the gradebook shows it
    student: str
    canvas_id: str = ""
    key: str = ""              # the name of its results/<key>.json


@dataclass
class Outcome:
    """What grading one submission gave."""

    status: str
    reason: str
    scores: dict[str, float] = field(default_factory=dict)
    total: float = 0.0
    results: dict | None = None    # otter's results.json (Gradescope's format), if otter wrote one
    log: str = ""


# ------------------------------------------------------------------ arguments


def homework_names() -> list[str]:
    return [p.stem for p in sorted(SOURCES.glob("hw*.ipynb"))]


def resolve_homework(name: str) -> str:
    """The homework called ``name`` (its full stem, or a prefix such as ``hw01`` that names one)."""
    names = homework_names()
    usage = "make grade HW=hwNN_slug SUBMISSIONS=folder"
    if not name:
        raise SystemExit(f"HW is missing ({usage}); HW is one of: {', '.join(names)}")
    if name in names:
        return name
    matches = [n for n in names if n.startswith(name)]
    if len(matches) == 1:
        return matches[0]
    raise SystemExit(f"HW={name}: no such homework in notebooks/homework; HW is one of: {', '.join(names)}")


def resolve_submissions(folder: str) -> Path:
    usage = "make grade HW=hwNN_slug SUBMISSIONS=folder"
    if not folder:
        raise SystemExit(f"SUBMISSIONS is missing ({usage}): name the folder that holds the .ipynb and .zip files")
    path = Path(folder).expanduser().resolve()
    if not path.is_dir():
        raise SystemExit(f"SUBMISSIONS={folder}: no such folder; name the folder that holds the .ipynb and .zip files")
    return path


def autograder_for(homework: str, given: Path | None) -> Path:
    """The autograder zip: ``given``, or the built one, built first if missing or stale."""
    if given is not None:
        zipped = given.expanduser().resolve()
        if not zipfile.is_zipfile(zipped):
            raise SystemExit(f"--autograder {given}: not a zip file")
        with zipfile.ZipFile(zipped) as z:
            name = json.loads(z.read("otter_config.json")).get("assignment_name")
        if name != homework:
            raise SystemExit(f"--autograder {given} grades {name!r}, not {homework!r}")
        return zipped
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "build_homework.py"),
                          str(SOURCES / f"{homework}.ipynb")], capture_output=True, text=True)
    if run.returncode != 0:
        sys.stderr.write(run.stdout + run.stderr)
        raise SystemExit(f"tools/build_homework.py failed on {homework}")
    return BUILD / "autograder" / f"{homework}-autograder.zip"


# ------------------------------------------------------------------ the questions


def natural_key(name: str) -> list:
    """Sort q2 before q10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def questions(autograder: Path) -> dict[str, float]:
    """The autograded questions of an autograder zip, in order, with their points (otter reads them)."""
    from otter.test_files import create_test_file
    from otter.nbmeta_config import NBMetadataConfig

    found = {}
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(autograder) as z:
        for name in z.namelist():
            if name.startswith("tests/") and name.endswith(".py"):
                path = Path(z.extract(name, tmp))
                test_file = create_test_file(str(path), NBMetadataConfig())
                found[test_file.name] = test_file.possible
    return {name: found[name] for name in sorted(found, key=natural_key)}


# ------------------------------------------------------------------ the submissions


def find_submissions(folder: Path, skip: Path) -> tuple[list[Submission], list[Path]]:
    """Every gradable file in ``folder`` and its subfolders (one level), and the files passed over."""
    chosen, ignored = [], []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or entry.name == "__MACOSX" or entry.resolve() == skip:
            continue
        if entry.is_dir():
            for inner in sorted(entry.iterdir()):
                if inner.name.startswith(".") or inner.is_dir():
                    continue
                if inner.suffix.lower() in (".ipynb", ".zip"):
                    chosen.append(Submission(inner, inner.relative_to(folder).as_posix(), entry.name))
                else:
                    ignored.append(inner)
        elif entry.suffix.lower() in (".ipynb", ".zip"):
            chosen.append(_top_level(entry, folder))
        else:
            ignored.append(entry)
    _assign_keys(chosen)
    return chosen, ignored


def _top_level(path: Path, folder: Path) -> Submission:
    canvas = CANVAS_NAME.match(path.name)
    if canvas:
        return Submission(path, path.name, canvas["name"], canvas_id=canvas["user_id"])
    return Submission(path, path.name, path.stem)


def _assign_keys(submissions: list[Submission]) -> None:
    by_student: dict[str, list[Submission]] = {}
    for s in submissions:
        by_student.setdefault(s.student, []).append(s)
    for student, own in by_student.items():
        safe = re.sub(r"[^\w.@+-]", "_", student) or "_"
        for i, s in enumerate(own, start=1):
            s.key = safe if len(own) == 1 else f"{safe}.{i}"


def precheck(path: Path) -> Outcome | None:
    """Reject what cannot be a submission before starting otter, with the reason."""
    if path.stat().st_size == 0:
        return Outcome("unreadable", "The file is empty.")
    if path.suffix.lower() == ".zip":
        if not zipfile.is_zipfile(path):
            return Outcome("unreadable", "The file is not a readable zip archive.")
        try:
            with zipfile.ZipFile(path) as z:
                notebooks = [n for n in z.namelist() if n.endswith(".ipynb") and "/" not in n.rstrip("/")]
        except (zipfile.BadZipFile, OSError) as error:
            return Outcome("unreadable", f"The zip archive cannot be read ({error}).")
        if not notebooks:
            return Outcome("no-notebook", "The zip holds no .ipynb notebook at its top level.")
        if len(notebooks) > 1:
            return Outcome("no-notebook", f"The zip holds {len(notebooks)} notebooks ({', '.join(notebooks)}); "
                                          "otter grades a zip with exactly one.")
        return None
    import nbformat

    try:
        nbformat.read(path, as_version=4)
    except Exception as error:  # noqa: BLE001 - any failure to read means the same for the gradebook
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return Outcome("unreadable", f"The file is not a Jupyter notebook ({first[:200]}).")
    return None


# ------------------------------------------------------------------ grading one (in its own process)


def grade_one(autograder: str, submission: str, output: str) -> None:
    """Run otter on one submission and write what the gradebook needs as JSON (the worker process)."""
    from otter.run import main as otter_run

    report: dict = {"error": None, "results": None, "scores": None, "total": 0.0, "cell_errors": []}
    with tempfile.TemporaryDirectory() as results_dir:
        try:
            results = otter_run(submission, autograder=autograder, output_dir=results_dir, no_logo=True)
        except BaseException as error:  # noqa: BLE001 - the gradebook reports whatever stopped otter
            report["error"] = f"{type(error).__name__}: {error}"
        else:
            report["results"] = json.loads(Path(results_dir, "results.json").read_text(encoding="utf-8"))
            if results.catastrophic_error:
                report["error"] = f"{type(results.catastrophic_error).__name__}: {results.catastrophic_error}"
            else:
                report["scores"] = {name: results.get_result(name).score for name in results.test_files}
                report["total"] = results.total
            report["cell_errors"] = _cell_errors(getattr(results, "notebook", None))
    Path(output).write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")


def _cell_errors(notebook) -> list[str]:
    """``Name: message`` of each error a cell of the executed notebook raised."""
    if notebook is None:
        return []
    errors = []
    for cell in notebook.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                errors.append(f"{out.get('ename')}: {out.get('evalue')}".strip().rstrip(":"))
    return errors


#: jupyter_client's errors when a kernel it started did not answer its first request (its
#: ``wait_for_ready``, which nbclient 0.11 calls only when it starts the kernel, before the first
#: cell): no reply within nbclient's ``startup_timeout`` (60 s), or the kernel exited first. Seen once
#: in a CI run (stop 37, an Intel Xeon with 2 cores), probably as two graders started their kernels
#: at once beside other tests.
KERNEL_NOT_READY = ("Kernel didn't respond in", "Kernel died before replying to kernel_info")
NOT_READY = "The Jupyter kernel did not answer when it started"


def grade(submission: Submission, autograder: Path, out: Path, timeout: float) -> Outcome:
    """Grade one submission in a fresh process; every failure becomes an Outcome, never an exception.

    A kernel that did not answer when it started ran none of the notebook, so the submission is
    graded once more (the log keeps both attempts, the reason says so); if that happens again, the
    reason says that."""
    early = precheck(submission.path)
    if early is not None:
        return early
    first = _grade_once(submission, autograder, out, timeout)
    if not first.reason.startswith(NOT_READY):
        return first
    outcome = _grade_once(submission, autograder, out, timeout)
    outcome.log = first.log + "\n--- graded again: the first kernel did not answer when it started ---\n" + outcome.log
    if outcome.reason.startswith(NOT_READY):
        outcome.reason = (f"{NOT_READY}, twice (an overloaded machine, or a file of the submission that "
                          "hangs Python's start?): grade this submission again.")
    else:
        outcome.reason += " (Graded at the second attempt: the first kernel did not answer when it started.)"
    return outcome


def _grade_once(submission: Submission, autograder: Path, out: Path, timeout: float) -> Outcome:
    work = Path(tempfile.mkdtemp(prefix=f"grade-{submission.key}-", dir=out))
    report_path = work / "report.json"
    # a plain name for otter: the homework's, as a student edition is called (Canvas renames files)
    copy = work / (autograder.name.removesuffix("-autograder.zip") + submission.path.suffix.lower())
    shutil.copyfile(submission.path, copy)
    env = {**os.environ, "MPLBACKEND": "Agg", "TMPDIR": str(work)}
    command = [sys.executable, str(Path(__file__).resolve()), "--grade-one", str(autograder), str(copy),
               str(report_path)]
    start = time.monotonic()
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          cwd=work, env=env, start_new_session=True) as process:
        try:
            log, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            # the whole session: the worker and what it started; the kernel, in a session of its
            # own, exits by itself within a second of its parent (ipykernel's parent poller)
            os.killpg(process.pid, signal.SIGKILL)
            log, _ = process.communicate()
            shutil.rmtree(work, ignore_errors=True)
            return Outcome("timeout", f"Grading was stopped after {timeout:g} s (an endless loop, or a very slow "
                                      "cell?).", log=log)
    elapsed = time.monotonic() - start
    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        report = None
    shutil.rmtree(work, ignore_errors=True)
    if report is None:
        last = log.strip().splitlines()[-1] if log.strip() else f"exit code {process.returncode}"
        return Outcome("crashed", f"The grading process ended without a result ({last[:200]}).", log=log)
    return _interpret(report, log, elapsed)


def _interpret(report: dict, log: str, elapsed: float) -> Outcome:
    error = report["error"]
    if error:
        wrong = WRONG_NAME.search(error)
        if wrong:
            got = wrong["got"]
            what = f"homework '{got}'" if got not in ("None", "") else "no homework (it has no otter metadata)"
            return Outcome("wrong-homework", f"The notebook is from {what}, not '{wrong['want']}'.",
                           results=report["results"], log=log)
        if any(message in error for message in KERNEL_NOT_READY):
            return Outcome("crashed", f"{NOT_READY} ({_first_line(error)}).", log=log)
        if "DeadKernelError" in error or "Kernel died" in error:
            return Outcome("crashed", "The kernel died while the notebook ran (os._exit, a crash in C code, "
                                      "or too much memory?).", results=report["results"], log=log)
        if "No gradable files" in error or "More than one" in error:
            return Outcome("no-notebook", f"otter found no single notebook to grade ({_first_line(error)}).",
                           results=report["results"], log=log)
        return Outcome("crashed", f"otter could not grade it ({_first_line(error)}).", results=report["results"],
                       log=log)
    scores, cells = report["scores"], report["cell_errors"]
    reason = f"otter ran every test in {elapsed:.0f} s."
    if cells:
        reason += (f" {len(cells)} cell{'s' if len(cells) > 1 else ''} of the notebook raised an error, "
                   f"the first: {_first_line(cells[0])}")
        reason = reason if reason.endswith((".", "!", "?", ")")) else reason + "."
    return Outcome("graded", reason, scores=scores, total=report["total"], results=report["results"], log=log)


def _first_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return (lines[0] if lines else text)[:200]


# ------------------------------------------------------------------ the gradebook


def number(x: float) -> str:
    """A score as the CSV shows it: at most four decimals, no trailing zeros."""
    text = f"{x:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def write_gradebook(path: Path, names: dict[str, float], rows: list[tuple[Submission, Outcome]]) -> None:
    possible = sum(names.values())
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "file", *names, "total", "possible", "status", "reason", "results"])
        for s, o in rows:
            writer.writerow([s.student, s.file, *(number(o.scores.get(q, 0.0)) for q in names), number(o.total),
                             number(possible), o.status, o.reason, f"results/{s.key}.json"])


def best_per_student(rows: list[tuple[Submission, Outcome]]) -> list[tuple[Submission, Outcome]]:
    """Each student's submission with the highest total (the first by file name on a tie)."""
    best: dict[str, tuple[Submission, Outcome]] = {}
    for s, o in rows:
        if s.student not in best or o.total > best[s.student][1].total:
            best[s.student] = (s, o)
    return list(best.values())


def write_canvas(path: Path, column: str, possible: float, rows: list[tuple[Submission, Outcome]]) -> None:
    """Canvas's gradebook import: the student columns, a Points Possible row, one row per student.

    Canvas finds the student by ID (its user id, from a Canvas-named file), then by SIS User
    ID, then SIS Login ID (the name the file gave), then by name.
    """
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column])
        writer.writerow(["Points Possible", "", "", "", "", number(possible)])
        for s, o in best_per_student(rows):
            writer.writerow([s.student, s.canvas_id, "", "" if s.canvas_id else s.student, "", number(o.total)])


def note_duplicates(rows: list[tuple[Submission, Outcome]]) -> None:
    files: dict[str, list[str]] = {}
    for s, _ in rows:
        files.setdefault(s.student, []).append(s.file)
    for s, o in rows:
        if len(files[s.student]) > 1:
            o.reason += (f" This student handed in {len(files[s.student])} files "
                         f"({', '.join(files[s.student])}); canvas.csv takes the highest total.")


def save_results(folder: Path, homework: str, s: Submission, o: Outcome) -> None:
    """otter's results.json, or one in the same format saying why there is none; and the log."""
    results = o.results if o.results is not None else {
        "score": 0, "output": f"{homework}, {s.file}: {o.status}. {o.reason}", "tests": []}
    (folder / f"{s.key}.json").write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    (folder / f"{s.key}.log").write_text(o.log, encoding="utf-8")


def fresh_results_folder(out: Path) -> Path:
    """``out/results``, emptied of an earlier run's files; never delete anything else."""
    folder = out / "results"
    if folder.is_dir():
        others = [p for p in folder.iterdir() if not (p.is_file() and p.suffix in (".json", ".log"))]
        if others:
            raise SystemExit(f"--out {out}: {folder} holds files this tool did not write ({others[0].name}); "
                             "choose another --out")
        for path in folder.iterdir():
            path.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# ------------------------------------------------------------------ main


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("homework", metavar="HW", help="the homework, e.g. hw01_derivatives (or hw01)")
    parser.add_argument("submissions", metavar="SUBMISSIONS", help="the folder of .ipynb and .zip submissions")
    parser.add_argument("--out", type=Path, help="where to write the gradebook (default: SUBMISSIONS-graded)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="submissions graded at once (default: the number of cores)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help=f"seconds one attempt at grading a submission may take before it is stopped "
                             f"(default: {DEFAULT_TIMEOUT:g}; a second attempt, only after a kernel that did not "
                             "answer when it started, has as long again)")
    parser.add_argument("--autograder", type=Path,
                        help="grade with this autograder zip (e.g. a variant) instead of building HW's")
    parser.add_argument("--canvas-assignment", help="the assignment column of canvas.csv (default: HW); use the "
                                                    "assignment's name in Canvas, or 'Name (id)'")
    args = parser.parse_args(argv)

    homework = resolve_homework(args.homework)
    folder = resolve_submissions(args.submissions)
    if args.jobs < 1:
        raise SystemExit(f"--jobs must be at least 1, not {args.jobs}")
    if not args.timeout > 0:
        raise SystemExit(f"--timeout must be a positive number of seconds, not {args.timeout:g}")
    out = (args.out or folder.with_name(folder.name + "-graded")).expanduser().resolve()
    if out == folder:
        raise SystemExit("--out must not be the submissions folder itself")

    submissions, ignored = find_submissions(folder, skip=out)
    for path in ignored:
        print(f"not graded (neither .ipynb nor .zip): {path.relative_to(folder)}")
    if not submissions:
        raise SystemExit(f"SUBMISSIONS={args.submissions}: no .ipynb or .zip file in it (nor in its subfolders)")

    autograder = autograder_for(homework, args.autograder)
    names = questions(autograder)
    results_dir = fresh_results_folder(out)
    print(f"grading {len(submissions)} submission(s) of {homework}, {args.jobs} at a time, "
          f"at most {args.timeout:g} s an attempt, with {autograder}")

    def one(s: Submission) -> Outcome:
        o = grade(s, autograder, out, args.timeout)
        print(f"  {s.file}: {o.status}, {number(o.total)} / {number(sum(names.values()))}", flush=True)
        return o

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        outcomes = list(pool.map(one, submissions))
    rows = sorted(zip(submissions, outcomes, strict=True), key=lambda r: (r[0].student, r[0].file))
    note_duplicates(rows)
    for s, o in rows:
        save_results(results_dir, homework, s, o)
    write_gradebook(out / "gradebook.csv", names, rows)
    write_canvas(out / "canvas.csv", args.canvas_assignment or homework, sum(names.values()), rows)
    counts = {status: sum(o.status == status for _, o in rows) for status in STATUSES}
    print(f"wrote {out / 'gradebook.csv'} ({len(rows)} rows: "
          + ", ".join(f"{n} {status}" for status, n in counts.items() if n) + f"), {out / 'canvas.csv'}, "
          f"{results_dir}/")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--grade-one":
        grade_one(*sys.argv[2:5])
    else:
        sys.exit(main())
