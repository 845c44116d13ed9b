"""The student route: the ``descend`` wheel for the site, and the workspace ``make lab`` opens.

Usage::

    python tools/student_route.py wheel [--out _build/homework/wheel]
    python tools/student_route.py lab [--out _build/lab] [--homework _build/homework]

``wheel`` builds ``descend-<version>-py3-none-any.whl`` from ``src/descend`` alone
(``tools/build_homework.py``, hence ``make homework``, calls it): ``pip wheel`` runs the
build backend of ``pyproject.toml`` (setuptools) offline, on a copy of ``pyproject.toml``,
``README.md``, ``LICENSE`` and ``src/descend``, so nothing else of the repository, and no
stale file of an earlier build, can end up in the wheel. Its dependencies are the library's
own (``[project] dependencies``). The site publishes it next to the student editions.

``lab`` writes the workspace that ``make lab`` opens: the chapters into ``<out>/notebooks/``
and the student editions (from ``make homework``) into ``<out>/homework/``, the same layout
as the website, so a chapter's link ``../homework/hwNN_slug.ipynb`` opens the student edition.
No homework source, solution or autograder goes there. It never overwrites a file that
was changed in the workspace since it wrote it: it keeps that file and says so (delete the
file to get the current version).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ROOT / "src" / "descend"
CHAPTERS = ROOT / "notebooks"
# what the build backend reads besides the package itself
PROJECT_FILES = ("pyproject.toml", "README.md", "LICENSE")
MANIFEST = ".lab-manifest.json"


def project() -> dict:
    """The ``[project]`` table of pyproject.toml."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def wheel_name() -> str:
    """File name of the library's wheel, e.g. ``descend-0.1.0-py3-none-any.whl``."""
    meta = project()
    return f"{meta['name']}-{meta['version']}-py3-none-any.whl"


def _library_files() -> list[Path]:
    return sorted(p for p in LIBRARY.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                  and p.suffix != ".pyc")


def _wheel_key() -> str:
    digest = hashlib.sha256()
    for path in [Path(__file__).resolve(), *(ROOT / f for f in PROJECT_FILES), *_library_files()]:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _not_for_students(directory: str, names: list[str]) -> set[str]:
    """What the wheel leaves out: caches, and the variants' draws and checks (``variants/hw*.py``),
    which compute answers to make sure each variant can be answered."""
    left = set(shutil.ignore_patterns("__pycache__", "*.pyc")(directory, names))
    if Path(directory).name == "variants":
        left |= {n for n in names if re.fullmatch(r"hw\d\d_\w+\.py", n)}
    return left


def wheel_modules() -> list[str]:
    """The modules the wheel holds, relative to ``src/descend``."""
    return sorted(p.relative_to(LIBRARY).as_posix() for p in LIBRARY.rglob("*.py")
                  if "__pycache__" not in p.parts and not _not_for_students(str(p.parent), [p.name]))


def wheel_data() -> list[str]:
    """The data files the wheel holds beside the modules (pyproject's package-data), relative to
    ``src/descend``: the vendored data sets the library loads."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return sorted(config["tool"]["setuptools"].get("package-data", {}).get("descend", []))


def build_wheel(out: Path, *, force: bool = False) -> tuple[Path, bool]:
    """Build the library's wheel into ``out``; return its path and whether it was (re)built.

    Other ``descend-*.whl`` files in ``out`` (older versions) are removed, so ``out`` holds
    exactly one wheel. Nothing is downloaded: pip runs with ``--no-index``, ``--no-deps`` and
    ``--no-build-isolation`` (the build backend, setuptools, must be installed).
    """
    out = Path(out)
    target, stamp = out / wheel_name(), out / ".wheel-stamp"
    key = _wheel_key()
    if not force and target.is_file() and stamp.is_file() and stamp.read_text() == key:
        return target, False
    if importlib.util.find_spec("setuptools") is None:
        raise SystemExit("building the descend wheel needs setuptools (pyproject.toml's build backend) "
                         f"in this environment: {sys.executable} -m pip install setuptools")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        stage, dist = Path(tmp) / "project", Path(tmp) / "dist"
        (stage / "src").mkdir(parents=True)
        for name in PROJECT_FILES:
            shutil.copy2(ROOT / name, stage / name)
        shutil.copytree(LIBRARY, stage / "src" / LIBRARY.name, ignore=_not_for_students)
        command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                   "--disable-pip-version-check", "--quiet", "--wheel-dir", str(dist), str(stage)]
        run = subprocess.run(command, capture_output=True, text=True, cwd=tmp)
        built = sorted(dist.glob("*.whl"))
        if run.returncode != 0 or [p.name for p in built] != [target.name]:
            sys.stderr.write(run.stdout + run.stderr)
            raise SystemExit(f"pip wheel did not build {target.name} (it wrote {[p.name for p in built]})")
        for old in out.glob("descend-*.whl"):
            old.unlink()
        shutil.copy2(built[0], target)
    stamp.write_text(key)
    return target, True


def notebook_strings(node):
    """Every string in a notebook's JSON (cells, outputs, metadata), depth first."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict | list):
        for value in node.values() if isinstance(node, dict) else node:
            yield from notebook_strings(value)


def chapters() -> list[Path]:
    """The chapter notebooks, ``notebooks/NN_slug.ipynb``, in order."""
    return sorted(CHAPTERS.glob("[0-9][0-9]_*.ipynb"))


def lab_files(homework: Path) -> dict[str, Path]:
    """What the workspace holds: its relative path -> the file it is copied from."""
    homework = Path(homework)
    files = {f"notebooks/{p.name}": p for p in chapters()}
    wanted = [f"hw{p.stem}" for p in chapters()]
    missing = [stem for stem in wanted if not (homework / "student" / f"{stem}.ipynb").is_file()]
    if missing:
        raise SystemExit(f"no student edition of {', '.join(missing)} in {homework / 'student'}: "
                         "run `make homework` first")
    files.update({f"homework/{stem}.ipynb": homework / "student" / f"{stem}.ipynb" for stem in wanted})
    return files


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_lab(out: Path, homework: Path) -> list[str]:
    """Write or update the student workspace in ``out``; return the files kept because edited.

    Parameters
    ----------
    out : Path
        The workspace folder (created if needed).
    homework : Path
        The output folder of ``tools/build_homework.py``; its ``student/`` is copied.

    Returns
    -------
    list of str
        Paths, relative to ``out``, of files changed in the workspace since this function
        wrote them (or not written by it at all). They are left as they are.
    """
    out = Path(out)
    files = lab_files(homework)
    manifest_path = out / MANIFEST
    written = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    kept, manifest = [], {}
    for rel, source in files.items():
        target = out / rel
        if target.is_file() and _sha(target) not in (written.get(rel), _sha(source)):
            kept.append(rel)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        manifest[rel] = _sha(target)
    for rel, sha in written.items():       # written before, no longer a chapter or a homework
        target = out / rel
        if rel not in files and target.is_file():
            if _sha(target) == sha:
                target.unlink()
            else:
                kept.append(rel)
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return kept


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    wheel = commands.add_parser("wheel", help="build the descend wheel")
    wheel.add_argument("--out", type=Path, default=ROOT / "_build" / "homework" / "wheel")
    wheel.add_argument("--force", action="store_true", help="rebuild even if up to date")
    lab = commands.add_parser("lab", help="write the student workspace that `make lab` opens")
    lab.add_argument("--out", type=Path, default=ROOT / "_build" / "lab")
    lab.add_argument("--homework", type=Path, default=ROOT / "_build" / "homework",
                     help="output folder of tools/build_homework.py (its student/ is copied)")
    args = parser.parse_args(argv)
    if args.command == "wheel":
        path, built = build_wheel(args.out, force=args.force)
        print(f"{path.name}: {'built' if built else 'up to date'} -> {path}")
        return
    kept = build_lab(args.out, args.homework)
    print(f"student workspace: {args.out} (chapters in notebooks/, student editions in homework/)")
    for rel in kept:
        print(f"  kept your edited {rel}; delete it and run `make lab` again for the current version")


if __name__ == "__main__":
    main()
