"""Run every chapter again with OpenBLAS's matrix kernel and NumPy's vector code set as on other
x86-64 processors: OpenBLAS forced to each of its other kernels this processor can run, and
NumPy's own vector code held to that kernel's instruction set.

A claim checked on one machine can rest on the last digits of its arithmetic: a chaotic run (a
large learning rate, Adam with a constant rate near an exact fit) ends somewhere else when a
matrix product rounds differently. OpenBLAS picks its kernels by processor (SkylakeX, with
AVX-512, on recent Intel Xeons; Haswell, with AVX2 and FMA, on AMD EPYCs and most laptops), and
NumPy its vector code (``tanh``, ``exp``, sums) likewise. This script executes the chapters with
nbval, as ``make test-notebooks`` does, once per kernel: ``OPENBLAS_CORETYPE`` picks the kernel
and ``NPY_DISABLE_CPU_FEATURES`` switches off NumPy's code for the instruction sets that kernel's
processors lack (the Jupyter kernels nbval starts inherit both). It skips a kernel only when
``make test`` runs its matched pair here: OpenBLAS loads it (its own pick, or the one this
environment's ``OPENBLAS_CORETYPE`` sets) and NumPy has none of the code that kernel's
processors lack. (One AMD EPYC here sets Haswell, where OpenBLAS would pick SkylakeX, and NumPy
runs its AVX-512 code: a mixed pair, so all four kernels run there.) It checks that OpenBLAS
really loads each one, runs them all, then reports. It cannot try what this processor lacks: on
one without AVX-512 the SkylakeX kernel is left out (it says so).

Only these two libraries' choices are varied, in matched pairs; other differences between
machines are not (glibc's math library, which picks FMA versions of exp and log by processor;
another BLAS; an ARM processor; a mixed pair such as AVX-512 NumPy with the Haswell kernel).

Usage: ``make test-kernels`` (``KERNELS="Nehalem Haswell"`` picks some) or
``python tools/test_kernels.py [KERNEL ...]``. Linux on x86-64 only.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Set in every run's environment: tests/rerun_record.py records no run on a forced kernel.
KERNEL_UNDER_TEST = "DESCEND_KERNEL_UNDER_TEST"
#: OpenBLAS's x86-64 kernels, oldest first: the processor flag each needs, and NumPy's dispatch
#: targets (of NumPy 2.x on x86-64) its processors lack, switched off for its run.
KERNELS = {
    "Nehalem": ("sse4_2", ("X86_V3", "X86_V4", "AVX512_ICL", "AVX512_SPR")),
    "Sandybridge": ("avx", ("X86_V3", "X86_V4", "AVX512_ICL", "AVX512_SPR")),
    "Haswell": ("avx2", ("X86_V4", "AVX512_ICL", "AVX512_SPR")),
    "SkylakeX": ("avx512f", ()),
}
#: The nbval run of ``make test-notebooks``.
NBVAL = ["-m", "pytest", "-q", "--nbval-lax", "--dist", "loadfile", "--no-loadscope-reorder",
         "notebooks", "book/errata.ipynb", "--ignore=notebooks/homework"]


def loaded_kernel(coretype: str | None) -> str:
    """The kernel NumPy's OpenBLAS reports loading with ``OPENBLAS_CORETYPE=coretype`` (its own
    pick for None), as it prints it: "Haswell", or "not found: X" for a name it does not know."""
    env = dict(os.environ, OPENBLAS_VERBOSE="2")
    env.pop("OPENBLAS_CORETYPE", None)
    if coretype:
        env["OPENBLAS_CORETYPE"] = coretype
    out = subprocess.run([sys.executable, "-c", "import numpy"], env=env, capture_output=True, text=True)
    lines = [line for line in (out.stdout + out.stderr).splitlines() if line.startswith("Core")]
    if not lines:
        return "unknown (OpenBLAS printed no Core line)"
    return lines[0][len("Core"):].lstrip(" :")


def cpu_flags() -> set[str]:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


def numpy_targets() -> tuple[set[str], set[str]]:
    """NumPy's dispatch targets: those it knows, and those this processor runs (switching off
    one it lacks is an error)."""
    from numpy._core._multiarray_umath import __cpu_features__

    return set(__cpu_features__), {name for name, on in __cpu_features__.items() if on}


def main(argv: list[str]) -> int:
    if platform.system() != "Linux" or platform.machine() != "x86_64":
        print(f"test_kernels: runs on Linux on x86-64 only, not {platform.system()} on {platform.machine()}")
        return 2
    unknown = [k for k in argv if k not in KERNELS]
    if unknown:
        print(f"test_kernels: a kernel must be one of {', '.join(KERNELS)}, not {', '.join(map(repr, unknown))}")
        return 2
    flags, own = cpu_flags(), loaded_kernel(os.environ.get("OPENBLAS_CORETYPE"))
    lacking = [k for k in (argv or KERNELS) if KERNELS[k][0] not in flags]
    if argv and lacking:
        print(f"test_kernels: this processor lacks the instructions of {', '.join(lacking)}")
        return 2
    numpy_known, numpy_here = numpy_targets()
    unknown = sorted({t for _, targets in KERNELS.values() for t in targets} - numpy_known)
    if unknown:
        print(f"test_kernels: this NumPy has no dispatch targets named {', '.join(unknown)} (NumPy >= 2.4 has)")
        return 2
    # make test's own run is the matched pair of kernel `own` only if NumPy lacks what its processors lack
    matched = own in KERNELS and not set(KERNELS[own][1]) & numpy_here
    kernels = argv or [k for k in KERNELS if k not in lacking and not (k == own and matched)]
    for k in lacking:
        print(f"test_kernels: this processor lacks {KERNELS[k][0]}: the {k} kernel is not tried here")
    if not kernels:
        print(f"test_kernels: no kernel to try here (make test runs {own} with NumPy's matching code)")
        return 2
    pick = loaded_kernel(None)
    where = f" (OPENBLAS_CORETYPE here; OpenBLAS alone would pick {pick})" if pick != own else ""
    pair = "with NumPy's matching code" if matched else "with NumPy's code for newer processors, a mixed pair"
    print(f"make test runs OpenBLAS's {own} kernel here{where}, {pair}; "
          f"the chapters run again with: {', '.join(kernels)}", flush=True)
    failed = []
    for kernel in kernels:
        got = loaded_kernel(kernel)
        if got != kernel:
            print(f"test_kernels: with OPENBLAS_CORETYPE={kernel} OpenBLAS reported {got!r}")
            failed.append(kernel)
            continue
        env = dict(os.environ, OPENBLAS_CORETYPE=kernel, MPLBACKEND="Agg", **{KERNEL_UNDER_TEST: kernel})
        env.setdefault("OPENBLAS_NUM_THREADS", "1")   # as the Makefile runs everything
        off = [t for t in KERNELS[kernel][1] if t in numpy_here]
        if off:
            env["NPY_DISABLE_CPU_FEATURES"] = " ".join(off)
        print(f"== OpenBLAS kernel {kernel}; NumPy without {', '.join(off) or 'nothing'}", flush=True)
        if subprocess.call([sys.executable, *NBVAL, "-n", os.environ.get("JOBS", "2")], cwd=ROOT, env=env):
            failed.append(kernel)
    if failed:
        print(f"test_kernels: the chapters failed with the kernels {', '.join(failed)} (above)")
        return 1
    print(f"test_kernels: every chapter passed with {', '.join(kernels)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
