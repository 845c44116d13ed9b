# Descend — every command sets itself up: `make book` and `make test` create .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
PORT   ?= 8000
# Notebooks run on two workers; one notebook's cells always stay on one worker.
JOBS   ?= 2
# One BLAS thread per process: the tests run notebooks and graders side by side, and OpenBLAS
# threads in each of them fight over the cores. Measured on 2 cores: chapters 10 and 11
# executed together took 40.6 s with OpenBLAS's default threads, 18.1 s with one; chapter 11
# alone, 13.4 s either way. (torch, in `make bench`, uses its own OpenMP threads.)
export OPENBLAS_NUM_THREADS ?= 1

.PHONY: FORCE help book pdf homework test test-lib test-homework test-notebooks test-site test-lab test-lab-quick test-kernels lab lab-sources serve bench grade written clean distclean

help:
	@echo "make book   build the website into _build/html (creates .venv first if needed)"
	@echo "make pdf    the book as one PDF, _build/pdf/descend.pdf (XeLaTeX; copied into _build/html if the site exists)"
	@echo "make homework  student editions and autograder zips of the homework, and the descend wheel, into _build/homework"
	@echo "make homework SEED=N  variant N of the homework (other constants), into _build/homework/variants/seed-N"
	@echo "make test   run the whole test suite: library, notebooks, book build, site"
	@echo "make test-lab  every chapter in JupyterLab, driven in chromium: run all cells, no error, sliders redraw (slow; make test runs two)"
	@echo "make test-kernels  the chapters again with each other x86-64 OpenBLAS kernel this processor can run (KERNELS=\"Nehalem Haswell\" picks some): a claim must not rest on one kernel's rounding"
	@echo "make lab    JupyterLab on the student route: the chapters and student editions, copied to _build/lab"
	@echo "make lab-sources  JupyterLab on notebooks/, homework sources included (authors, instructors)"
	@echo "make serve  serve _build/html on http://localhost:$(PORT)"
	@echo "make bench  measure build time, slider latency, library speed, page weight (_build/bench.json)"
	@echo "make grade HW=hwNN_slug SUBMISSIONS=folder  grade a class with otter into a gradebook CSV (GRADE_ARGS for options)"
	@echo "make written HW=hwNN_slug SUBMISSIONS=folder  each student's written answers, one HTML file each, to grade by hand (WRITTEN_ARGS=--pdf for PDFs)"
	@echo "make clean  remove _build (make distclean also removes .venv)"

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

# jupyter-cache keys executed notebooks on their own text only, and Sphinx rebuilds only pages
# whose source changed; a change of the library must re-execute every notebook, so drop both
# the execution cache and Sphinx's saved environment when src/descend changes.
# Likewise when what picks NumPy's and OpenBLAS's code changes (the variables a machine or a
# command line may set, such as OPENBLAS_CORETYPE, and the instruction sets NumPy finds):
# _build/.numerics, written from the recipes' own environment by tests/rerun_record.py's
# numerics() (the key of its records too), is replaced only when it differs.
LIB := $(wildcard src/descend/*.py)
_build/.numerics: $(STAMP) FORCE
	@mkdir -p _build && $(PY) -c 'import sys; sys.path.insert(0, "."); from tests.rerun_record import numerics; print(numerics())' > $@.new \
	  && if cmp -s $@.new $@; then rm -f $@.new; else mv -f $@.new $@; fi
_build/.library-stamp: $(LIB) _build/.numerics
	rm -rf _build/.jupyter_cache _build/.doctrees
	@mkdir -p _build && touch $@
FORCE:

# tools/execute_book.py first runs the notebooks the execution cache lacks, JOBS at a time (the
# build itself would run them one after another); the build then finds them all cached.
book: $(STAMP) _build/.library-stamp homework
	$(PY) tools/execute_book.py --jobs $(JOBS)
	$(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going
	@echo "The book is at file://$(CURDIR)/_build/html/index.html"

# The PDF edition: Jupyter Book's LaTeX route (Sphinx's LaTeX builder, XeLaTeX, latexmk) into
# _build/pdf/descend.pdf, then copied to _build/html/descend.pdf, which every page of the site
# links, when the site exists. It builds in _build/pdf/_build with its own doctrees (the site's
# stay valid) but reuses the site's executed notebooks, _build/.jupyter_cache (book/_ext/descend_pdf.py):
# after `make book` it executes nothing; alone, it first executes what the cache lacks, JOBS at a
# time. Its doctrees go when the library changes, as the site's do.
# The PDF is rebuilt only when a file it is made from is newer than it: the book's sources
# (book/, the chapters in notebooks/, the two YAML files), tools/execute_book.py, the library,
# the installed packages or this Makefile (Sphinx would otherwise rewrite descend.tex and XeLaTeX
# run again: 30-40 s of every `make test`). The homework sources are not in the book. A change
# of TeX Live or its fonts is not seen: `rm _build/pdf/descend.pdf` rebuilds it (not `make -B`,
# which would also reinstall .venv and drop the execution cache). The PDF takes the time its
# build started, so a source saved during the build is newer and makes the next one. A source
# deleted is not seen either.
# Needs Debian's TeX Live, which .ci/run installs.
PDF_SOURCES := _config.yml _toc.yml Makefile tools/execute_book.py $(LIB) \
  $(shell find book notebooks -type f -not -path 'notebooks/homework/*' -not -path '*/.ipynb_checkpoints/*' \
            -not -path '*/__pycache__/*' 2>/dev/null)

pdf: _build/pdf/descend.pdf
	@if [ -f _build/html/index.html ]; then cp _build/pdf/descend.pdf _build/html/descend.pdf; fi
	@echo "The PDF is at file://$(CURDIR)/_build/pdf/descend.pdf"

_build/pdf/descend.pdf: $(STAMP) _build/.library-stamp $(PDF_SOURCES)
	@command -v xelatex >/dev/null && command -v latexmk >/dev/null && command -v makeindex >/dev/null \
	  || { echo "make pdf needs TeX Live (xelatex, latexmk, makeindex): install the packages that .ci/run installs"; exit 1; }
	@mkdir -p _build/pdf && touch _build/pdf/.started
	@if [ _build/.library-stamp -nt _build/pdf/.library-stamp ]; then rm -rf _build/pdf/_build/.doctrees; touch _build/pdf/.library-stamp; fi
	$(PY) tools/execute_book.py --jobs $(JOBS)
	$(BIN)/jupyter-book build . --builder pdflatex --path-output _build/pdf --warningiserror --nitpick --keep-going
	cp _build/pdf/_build/latex/descend.pdf $@.tmp && touch -r _build/pdf/.started $@.tmp && mv $@.tmp $@

# otter assign, offline, on every notebooks/homework/hw*.ipynb (an unchanged one is skipped):
# _build/homework/student/*.ipynb for students (the site links them), autograder/*.zip for
# `otter run` and Gradescope, solutions/*.ipynb for instructors; and wheel/descend-*.whl, the
# library alone, which the site publishes for students.
# SEED=N builds variant N of the homework that have variants into _build/homework/variants/seed-N.
homework: $(STAMP)
	$(PY) tools/build_homework.py $(if $(SEED),--seed $(SEED))

test: test-lib test-homework test-notebooks book pdf test-site test-lab-quick

# The notebooks stage records each chapter's execution (tests/rerun_record.py); in make test the
# site's comparison of it with the build's must find that record, not execute the chapter again.
test: export DESCEND_RERUNS = recorded

test-lib: $(STAMP)
	MPLBACKEND=Agg $(PY) -m pytest -q -n $(JOBS) tests/library src/descend

test-homework: homework
	MPLBACKEND=Agg $(PY) -m pytest -q -n $(JOBS) --dist loadfile --no-loadscope-reorder tests/homework

# The chapters and the errata. The homework sources are not run here: the homework stage runs
# every code line of each solved edition but otter's own in process (an error fails it) and
# grades it with `otter run` (every test, the hidden ones too), and test_homework.py refuses
# IPython magics and shell lines in a source, which those runs skip. With the sources this
# stage took 76-82 s, without them 65-72 s.
test-notebooks: $(STAMP)
	$(PY) -m pytest -q --nbval-lax -n $(JOBS) --dist loadfile --no-loadscope-reorder notebooks book/errata.ipynb --ignore=notebooks/homework

# The chapters again, with OpenBLAS forced to each other x86-64 kernel the processor can run
# and NumPy held to the same instruction set (tools/test_kernels.py): a claim that holds only with
# one kernel's rounding is not a fact. Other BLAS libraries and processors are not tried.
# Not part of `make test`; run it after changing a chapter.
test-kernels: $(STAMP)
	JOBS=$(JOBS) $(PY) tools/test_kernels.py $(KERNELS)

test-site: $(STAMP)
	$(PY) -m pytest -q -rs -n $(JOBS) --dist worksteal tests/site

# The chapters in JupyterLab as students run them (tests/lab): the `make lab` workspace in a temporary
# folder, JupyterLab headless on a free port, chromium runs all cells and moves the sliders.
# Two workers, each with its own JupyterLab and chromium: on one, the cores were 66 % busy and
# make test's chapters (then three) took 65-79 s; on two, 50-58 s (an Intel Xeon). Work
# stealing: with `--dist load` both of make test's two chapters (stop 46) went to one worker
# (56 s on an AMD EPYC); stolen, 46-49 s.
test-lab-quick: homework
	$(PY) -m pytest -q -rs -n $(JOBS) --dist worksteal tests/lab

test-lab: homework
	DESCEND_LAB_CHAPTERS=all $(PY) -m pytest -q -rs -n $(JOBS) --dist worksteal tests/lab

# The student route: chapters in _build/lab/notebooks, student editions in _build/lab/homework
# (no homework source, solution or autograder). A file changed there is never overwritten.
lab: homework
	$(PY) tools/student_route.py lab --out _build/lab
	$(BIN)/jupyter lab _build/lab

# The sources, for authors and instructors: notebooks/homework holds every solution and hidden test.
lab-sources: $(STAMP)
	$(BIN)/jupyter lab notebooks

serve:
	@test -f _build/html/index.html || { echo "No site yet: run 'make book' first."; exit 1; }
	$(PY) -m http.server --directory _build/html $(PORT)

# Pass options through BENCH_ARGS, e.g. BENCH_ARGS="--torch-python /path/to/python-with-torch".
bench: $(STAMP)
	$(PY) bench/bench.py $(BENCH_ARGS)

# Grade every .ipynb and grader.export .zip in SUBMISSIONS with HW's autograder (built first if
# stale) into SUBMISSIONS-graded/: gradebook.csv, canvas.csv, results/. Options through
# GRADE_ARGS, e.g. GRADE_ARGS="--jobs 4 --timeout 600 --out grades/hw01".
grade: $(STAMP)
	$(PY) tools/grade.py "$(HW)" "$(SUBMISSIONS)" $(GRADE_ARGS)

# Export each submission's written answers (every .ipynb and grader.export .zip in SUBMISSIONS)
# into SUBMISSIONS-written/: one self-contained <student>.html per submission, summary.csv and
# index.html. Options through WRITTEN_ARGS: "--pdf" also prints <student>.pdf with chromium,
# "--out dir" writes elsewhere.
written: $(STAMP)
	$(PY) tools/written.py "$(HW)" "$(SUBMISSIONS)" $(WRITTEN_ARGS)

clean:
	rm -rf _build

distclean: clean
	rm -rf $(VENV)
