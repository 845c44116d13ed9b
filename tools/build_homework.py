"""Build the graded homework: student editions and autograder zips, with otter-grader, offline.

Usage (``make homework`` runs the first form)::

    python tools/build_homework.py                        # every notebooks/homework/hw*.ipynb
    python tools/build_homework.py notebooks/homework/hw01_derivatives.ipynb --out /tmp/hw
    python tools/build_homework.py --seed 2027                 # one course's variant (make homework SEED=2027)

For each source notebook ``hwNN_slug.ipynb`` (otter-assign format: solutions, public and
hidden tests) this writes

* ``<out>/student/hwNN_slug.ipynb``: the student edition, without solutions or hidden tests
  (the public tests ride in its metadata, so ``grader.check("q1")`` works on the file alone);
* ``<out>/autograder/hwNN_slug-autograder.zip``: the autograder for ``otter run`` and for
  Gradescope. Besides otter's files (``run_autograder``, ``setup.sh``, ``environment.yml``,
  ``otter_config.json``, ``tests/*.py`` with the hidden tests) it carries the ``descend``
  package under ``files/descend`` and pins its requirements to the versions in
  requirements.txt, so the grader imports the same library the student used;
* ``<out>/solutions/hwNN_slug.ipynb``: the notebook as a perfect submission (otter's
  autograder notebook, with solutions). It is for instructors and the tests, never for the
  website, which copies ``student/`` only.

and, once for all homework, ``<out>/wheel/descend-<version>-py3-none-any.whl``: the library
alone, which the website publishes next to the student editions so that students install
``descend`` without the repository (``tools/student_route.py`` builds it).

**Variants.** A homework whose constants come from a seed (``descend.variants``; its
parameters cell says ``SEED = 0``) is built as the published edition by default. With
``--seed N`` every ``SEED = 0`` line of the notebook — the parameters cell and the tests — says
``SEED = N`` and the Markdown's ``{{ name }}`` placeholders show the variant's constants, so
the student edition, the solutions and the hidden tests all belong to variant N; the output
goes to ``_build/homework/variants/seed-N/`` (never to the site). Homework without variants is
listed and skipped. In the student edition the call that draws the constants becomes the
constants written out (``freeze_constants``), because the students' wheel leaves out the draws.
Before building, each homework's solutions are run against its public and
hidden tests for seed N (``homework_in_process.py``, about a second each); a seed whose
solutions fail a test is refused, with the failing tests named.

It adds three keys to the notebook's ``# ASSIGNMENT CONFIG`` on the way (the notebook must
not set them itself): ``requirements``, ``autograder_files: [descend]`` and
``python_version``. Nothing is downloaded: ``otter assign`` runs with ``--no-pdfs`` and
``--no-run-tests`` (tests/homework grades the solutions and the student editions instead).
A homework whose inputs (``fingerprint``: its source, the library, this script and the
tools it imports, requirements.txt, otter and Python's version) are unchanged since its last
build is skipped. One build runs at a time in a checkout (a lock on ``_build/.homework.lock``),
so the test workers and a ``make homework`` beside them never write the same files at once.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import pprint
import re
import shutil
import subprocess
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

import nbformat
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from student_route import build_wheel, notebook_strings  # noqa: E402  (tools/student_route.py)

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / "tools"
SOURCES = ROOT / "notebooks" / "homework"
LIBRARY = ROOT / "src" / "descend"
INJECTED = ("requirements", "autograder_files", "python_version")


def sources() -> list[Path]:
    """Every homework source notebook, in order."""
    return sorted(SOURCES.glob("hw*.ipynb"))


def pinned_requirements() -> list[str]:
    """descend's own dependencies (pyproject.toml), pinned as in requirements.txt."""
    names = [re.split(r"[<>=!~ ;\[]", dep, maxsplit=1)[0]
             for dep in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]]
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if "==" in line and not line.lstrip().startswith("#"):
            name, version = line.split("#")[0].strip().split("==")
            pins[_normal(name)] = f"{name}=={version}"
    missing = [n for n in names if _normal(n) not in pins]
    if missing:
        raise SystemExit(f"requirements.txt pins no version of {', '.join(missing)}")
    return [pins[_normal(n)] for n in names]


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _library_files() -> list[Path]:
    return sorted(p for p in LIBRARY.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                  and p.suffix != ".pyc")


def fingerprint(source: Path, seed: int = 0) -> str:
    """Hash of everything the outputs of one homework depend on: the source, this script and
    the tools it imports, every file of the library (by its place in it), the whole of
    requirements.txt (otter and everything otter runs on), the installed otter, Python's
    version (written into the autograder) and the seed."""
    digest = hashlib.sha256()
    tools = [Path(__file__).resolve(), *(TOOLS / name for name in ("student_route.py", "homework_in_process.py"))]
    for path in [source, *tools, ROOT / "requirements.txt", *_library_files()]:
        name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
        digest.update(str(name).encode() + b"\0" + path.read_bytes())
    digest.update(metadata.version("otter-grader").encode() + repr(pinned_requirements()).encode())
    digest.update(f"python {sys.version_info.major}.{sys.version_info.minor}, seed {seed}".encode())
    return digest.hexdigest()


def outputs(stem: str, out: Path) -> tuple[Path, Path, Path]:
    """The student edition, the autograder zip and the solved notebook of one homework."""
    return (out / "student" / f"{stem}.ipynb", out / "autograder" / f"{stem}-autograder.zip",
            out / "solutions" / f"{stem}.ipynb")


def build(source: Path, out: Path, *, force: bool = False, seed: int = 0) -> bool:
    """Build one homework (variant ``seed``) into ``out``; return False if it was already up to date."""
    stem = source.stem
    student, zipped, solved = outputs(stem, out)
    stamp = out / ".stamps" / stem
    key = fingerprint(source, seed)
    if not force and all(p.is_file() for p in (student, zipped, solved, stamp)) and stamp.read_text() == key:
        return False

    stamp.unlink(missing_ok=True)        # a build cut short is not taken for an up-to-date one
    work = out / ".work" / stem
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    shutil.copytree(LIBRARY, work / "descend", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    nb = nbformat.read(source, as_version=4)
    apply_variant(nb, source.stem, seed)
    _inject_config(nb, source)
    nbformat.write(nb, work / source.name)

    result = work / "dist"
    command = [sys.executable, "-m", "otter", "assign", "--no-pdfs", "--no-run-tests",
               str(work / source.name), str(result)]
    run = subprocess.run(command, capture_output=True, text=True, cwd=work)
    if run.returncode != 0:
        sys.stderr.write(run.stdout + run.stderr)
        raise SystemExit(f"otter assign failed on {source}")
    built_zips = sorted((result / "autograder").glob(f"{stem}-autograder_*.zip"))
    if len(built_zips) != 1:
        raise SystemExit(f"otter assign wrote {len(built_zips)} autograder zips for {stem}, expected one")

    for path in (student, zipped, solved):
        path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(result / "student" / source.name, student)
    freeze_constants(student, stem, seed)
    shutil.copy2(built_zips[0], zipped)
    shutil.copy2(result / "autograder" / source.name, solved)
    shutil.rmtree(work)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(key)
    return True


_SEED_LINE = re.compile(r"^(\s*)SEED = 0[ \t]*$", re.M)
_PLACEHOLDER = re.compile(r"\{\{\s*\w+\s*\}\}")


def has_variants(source: Path) -> bool:
    """Whether a homework's constants come from a seed (it has a line ``SEED = 0``)."""
    nb = nbformat.read(source, as_version=4)
    return any(c.cell_type == "code" and _SEED_LINE.search(c.source) for c in nb.cells)


def apply_variant(nb, stem: str, seed: int) -> None:
    """Make ``nb`` the edition of variant ``seed``: every ``SEED = 0`` line (the parameters cell
    and the tests alike) says ``SEED = seed``, and every ``{{ name }}`` of the Markdown shows the
    variant's constant (``descend.variants``). Seed 0 is the published edition."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise SystemExit(f"the seed must be a whole number ≥ 0, not {seed!r}")
    seeded = [c for c in nb.cells if c.cell_type == "code" and _SEED_LINE.search(c.source)]
    templated = [c for c in nb.cells if c.cell_type == "markdown" and _PLACEHOLDER.search(c.source)]
    if not seeded:
        if seed != 0:
            raise SystemExit(f"{stem} has no variants yet (no `SEED = 0` line): build it without a seed")
        if templated:
            raise SystemExit(f"{stem}: its Markdown has {{{{ … }}}} placeholders but no `SEED = 0` line")
        return
    sys.path.insert(0, str(ROOT / "src"))      # the library of this checkout, not an installed one
    try:
        from descend.variants import constants, fill
    finally:
        sys.path.pop(0)
    values = constants(stem, seed)
    for cell in seeded:
        cell.source = _SEED_LINE.sub(lambda m: f"{m.group(1)}SEED = {seed}", cell.source)
    for cell in templated:
        cell.source = fill(cell.source, values)


def refuse_unanswerable(sources: list[Path], seed: int) -> None:
    """Stop, naming the failing tests, if variant ``seed`` of a homework fails its own solutions."""
    from homework_in_process import run
    failed = {p.stem: f for p in sources if (f := run(p, seed))}
    if failed:
        lines = [f"  {stem}: {line}" for stem, lines in failed.items() for line in lines]
        raise SystemExit(f"variant {seed} cannot be answered as drawn: the solutions fail these tests\n"
                         + "\n".join(lines) + "\nchoose another seed, and please report it "
                         "(the homework's `check` in src/descend/variants should have refused it)")


def _constants_call(stem: str) -> re.Pattern:
    return re.compile(r"dd\.variants\.constants\(\s*['\"]" + re.escape(stem) + r"['\"]\s*,\s*SEED\s*\)")


def freeze_constants(student: Path, stem: str, seed: int) -> None:
    """Write variant ``seed``'s constants into the student edition as a literal.

    Every ``dd.variants.constants("<stem>", SEED)`` of the edition — its parameters cell and the
    public tests it carries in its metadata — becomes ``dd.variants.given({...})``, so the
    edition runs with the student wheel, which leaves out the draws and their checks (they
    compute answers to make sure a variant can be answered). The solutions and the
    autograder keep the call: they run with the whole library.
    """
    sys.path.insert(0, str(ROOT / "src"))
    try:
        from descend.variants import constants, draws
    finally:
        sys.path.pop(0)
    try:
        draws(stem)
    except ValueError:
        return                                   # no variants: nothing to freeze
    literal = "dd.variants.given(" + pprint.pformat(vars(constants(stem, seed)), width=96, sort_dicts=False) + ")"
    call = _constants_call(stem)
    nb = json.loads(student.read_text(encoding="utf-8"))

    def frozen(node):
        if isinstance(node, str):
            return call.sub(lambda _: literal, node)
        if isinstance(node, list):
            return [frozen(v) for v in node]
        if isinstance(node, dict):
            return {k: frozen(v) for k, v in node.items()}
        return node

    nb = frozen(nb)
    if not any("dd.variants.given(" in text for text in notebook_strings(nb)):
        raise SystemExit(f"{stem}: the student edition has no `P = dd.variants.constants(\"{stem}\", SEED)` "
                         "to freeze")
    left = [text for text in notebook_strings(nb) if "variants.constants(" in text]
    if left:
        raise SystemExit(f"{stem}: the student edition still draws its constants: {left[0][:200]!r}")
    student.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _inject_config(nb, source: Path) -> None:
    for cell in nb.cells:
        if cell.cell_type == "raw" and re.match(r"#\s+assignment\s+config", cell.source, re.IGNORECASE):
            config = yaml.safe_load(cell.source) or {}
            clash = [k for k in INJECTED if k in config]
            if clash:
                raise SystemExit(f"{source.name}: remove {', '.join(clash)} from the ASSIGNMENT CONFIG; "
                                 "tools/build_homework.py sets them")
            if config.get("name") != source.stem:
                raise SystemExit(f"{source.name}: the ASSIGNMENT CONFIG must say `name: {source.stem}` "
                                 "(otter rejects a submission made from another homework by this name)")
            extra = {"requirements": pinned_requirements(), "autograder_files": ["descend"],
                     "python_version": f"{sys.version_info.major}.{sys.version_info.minor}"}
            cell.source = cell.source.rstrip("\n") + "\n" + yaml.safe_dump(extra, sort_keys=False)
            return
    raise SystemExit(f"{source.name} has no `# ASSIGNMENT CONFIG` raw cell")


def prune(out: Path, keep: list[Path]) -> None:
    """Remove the outputs of homework whose source was deleted."""
    stems = {p.stem for p in keep}
    for path in [*(out / "student").glob("*.ipynb"), *(out / "solutions").glob("*.ipynb"),
                 *(out / "autograder").glob("*-autograder.zip")]:
        if path.name.removesuffix(".ipynb").removesuffix("-autograder.zip") not in stems:
            path.unlink()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="source notebooks (default: all)")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: _build/homework, or _build/homework/variants/seed-N "
                             "with --seed N)")
    parser.add_argument("--seed", type=int, default=None,
                        help="build the variant with this seed (a whole number ≥ 1; 0 is the published "
                             "edition) of every homework that has variants")
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="homework built at once (each is an `otter assign` process; default: cores)")
    args = parser.parse_args(argv)
    chosen = [p.resolve() for p in args.notebooks] or sources()
    if not chosen:
        print("no homework notebooks in notebooks/homework")
        return
    if args.jobs < 1:
        raise SystemExit(f"--jobs must be at least 1, not {args.jobs}")
    missing = [str(p) for p in chosen if not p.is_file()]
    if missing:
        raise SystemExit(f"no such notebook: {missing[0]}")
    seed = args.seed or 0
    if args.seed is not None and args.seed < 0:
        raise SystemExit(f"--seed must be a whole number ≥ 0, not {args.seed}")
    default_out = ROOT / "_build" / "homework"
    out = (args.out or (default_out / "variants" / f"seed-{seed}" if seed else default_out)).resolve()
    if seed:
        without = [p for p in chosen if not has_variants(p)]
        if args.notebooks and without:
            raise SystemExit(f"{without[0].stem} has no variants yet (no `SEED = 0` line): build it without --seed")
        for p in without:
            print(f"{p.stem}: no variants yet, not built for seed {seed}")
        chosen = [p for p in chosen if p not in without]
        refuse_unanswerable(chosen, seed)
    lock_file = ROOT / "_build" / ".homework.lock"
    lock_file.parent.mkdir(exist_ok=True)
    with open(lock_file, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)     # another build in this checkout: wait for it
        _build_all(chosen, out, args, seed)


def _build_all(chosen: list[Path], out: Path, args, seed: int) -> None:
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        done = list(pool.map(lambda source: build(source, out, force=args.force, seed=seed), chosen))
    for source, built in zip(chosen, done, strict=True):
        student, zipped, _ = outputs(source.stem, out)
        print(f"{source.stem}: {'built' if built else 'up to date'} -> {student.relative_to(out.parent)}, "
              f"{zipped.relative_to(out.parent)}")
    if seed:
        return                                   # a variant is for one course: the site's wheel is built by default
    if not args.notebooks:
        prune(out, chosen)
    wheel, built = build_wheel(out / "wheel", force=args.force)
    print(f"descend library: {'built' if built else 'up to date'} -> {wheel.relative_to(out.parent)}")


if __name__ == "__main__":
    main()
