"""Execute the book's notebooks into its execution cache, several at a time, before the build.

``jupyter-book build`` executes the notebooks whose code jupyter-cache has not seen, one after
another, while it reads them: in one measured clean `make book` on 2 cores, 144 s of its 206 s,
with one core idle. This runs the same execution (jupyter-cache's
``single_nb_execution``, with the book's timeout, no errors allowed, each notebook in its own
folder, explorers static) for the notebooks the cache lacks, ``--jobs`` at a time, and stores
each result in ``_build/.jupyter_cache`` exactly as MyST-NB does; the build then finds every
notebook cached. A notebook that fails here is left out of the cache, so the build executes it
again and reports the failure with its traceback, as before.

Usage: ``python tools/execute_book.py --jobs 2`` (``make book`` runs it).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "_build" / ".jupyter_cache"


def book_notebooks(root: Path = ROOT) -> list[Path]:
    """The notebooks of ``_toc.yml``, in its order."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                path = root / f"{node['file']}.ipynb"
                if path.is_file():
                    found.append(path)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8")))
    return found


def _execute(path: Path, timeout: int):
    """Run one notebook as MyST-NB would; ``(path, executed notebook or None, seconds, error)``."""
    from jupyter_cache.executors.utils import single_nb_execution

    os.environ["DESCEND_EXPLORE"] = "static"  # as book/_ext/descend_site.py sets it for the build
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the Makefile does: kernels side by side
    try:
        nb = nbformat.read(path, as_version=4)
        result = single_nb_execution(nb, cwd=str(path.parent), timeout=timeout, allow_errors=False,
                                     meta_override=True)
    except Exception as err:  # a kernel that died or never started: the build will say why
        return path, None, 0.0, f"{type(err).__name__}: {err}"
    if result.err is not None:
        last = (str(result.err).strip().splitlines() or [""])[-1]
        return path, None, result.time, f"{type(result.err).__name__}: {last}"
    return path, nb, result.time, None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="notebooks executed at once (default 2)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be at least 1, got {args.jobs}")

    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    timeout = int(config.get("execute", {}).get("timeout", 300))
    cache = get_cache(str(CACHE))
    todo = []
    for path in book_notebooks():
        try:
            cache.match_cache_notebook(nbformat.read(path, as_version=4))
        except KeyError:
            todo.append(path)
    if not todo:
        print("execute_book: every notebook is cached")
        return 0
    start, workers = time.perf_counter(), min(args.jobs, len(todo))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for done in as_completed([pool.submit(_execute, path, timeout) for path in todo]):
            try:
                path, nb, seconds, error = done.result()
            except Exception as err:  # the worker itself died (e.g. out of memory): the build runs the rest
                print(f"execute_book: a worker failed ({type(err).__name__}); the build will execute what is left")
                continue
            name = path.relative_to(ROOT)
            if error is not None:
                print(f"execute_book: {name} failed ({error}); the build will run it again and show why")
                continue
            record = cache.add_nb_to_project(str(path))
            cache.cache_notebook_bundle(CacheBundleIn(nb, record.uri, data={"execution_seconds": seconds}),
                                        check_validity=False, overwrite=True)
            print(f"execute_book: {name} executed in {seconds:.1f} s")
    print(f"execute_book: {len(todo)} notebooks in {time.perf_counter() - start:.1f} s on {workers} workers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
