"""Export the written answers of a class's homework, one file per student, for grading by hand.

Usage (``make written HW=hw01_derivatives SUBMISSIONS=dir`` runs the first form)::

    python tools/written.py hw01_derivatives submissions/          # HTML into submissions-written/
    python tools/written.py hw01_derivatives submissions/ --pdf    # and PDFs
    python tools/written.py hw01_derivatives submissions/ --out marking/hw01

The written questions are those with ``manual: true`` in their ``# BEGIN QUESTION`` cell of
``notebooks/homework/<HW>.ipynb``. For every submission in the folder or in its subfolders,
one level deep (a notebook ``*.ipynb``, or a zip file ``*.zip`` written by ``grader.export``
that holds one), this writes ``<out>/<student>.html``, where the student is the subfolder the
file is in, else the file's name without its extension (``ada.1``, ``ada.2`` when two files
are Ada's): for each written question, its title, points and prompt, then the student's answer
(Markdown rendered, code with its output; a blank answer shows "(no answer)"). The files are
self-contained: no script, font, stylesheet or image is loaded from anywhere, and the
students' own HTML is stripped of scripts, styles and links to other hosts; mathematics stays
as its TeX source, ``$...$``. With ``--pdf`` each file is also printed to ``<student>.pdf`` by Chromium
(Debian's ``chromium``, driven by Playwright, with every request outside the file refused),
with the mathematics typeset by the MathJax that the book already ships
(``django-static-mathjax``); one question per page, which suits Gradescope.

Nothing is skipped silently: ``<out>/summary.csv`` and ``<out>/index.html`` list every file
found, with the number of written questions answered, or the reason it could not be read
(not a notebook, a broken file, a zip without exactly one notebook, another homework). The
same lines are printed. A new run first deletes the files that the last run's summary.csv
lists. The command fails only on bad arguments; unreadable submissions are reported, not fatal.
The default ``<out>`` is the submissions folder's name followed by ``-written``, beside it.
"""

from __future__ import annotations

import argparse
import csv
import html
import os
import re
import shutil
import sys
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "notebooks" / "homework"
# otter assign writes this into a written question's empty answer cell (otter/assign/cell_factory.py)
PLACEHOLDER = "_Type your answer here, replacing this text._"
_BOUNDARY = re.compile(r"#\s+(begin|end)\s+(question|prompt|solution|tests)\b", re.IGNORECASE)
# otter's own markers around a written question in the student edition (otter/export/exporters/utils.py)
_EXPORT_MARKER = re.compile(r"<!--\s*(BEGIN|END) QUESTION\s*-->", re.IGNORECASE)
# elements removed from the students' HTML, and attributes that make a browser fetch or open an address
_REMOVED = {"script", "style", "iframe", "frame", "object", "embed", "link", "meta", "base", "form"}
_URL_ATTRIBUTES = {"src", "href", "srcset", "action", "formaction", "poster", "data", "xlink:href",
                   "background"}


class Unreadable(Exception):
    """A submission that cannot be exported; the message says why."""


@dataclass
class Question:
    """A written question of the source notebook."""
    name: str
    points: float
    prompt_ids: list[str]
    prompt: str                       # the prompt's Markdown, as in the source


@dataclass
class Answer:
    question: Question
    prompt: str                       # the prompt as the submission shows it
    cells: list = field(default_factory=list)
    found: bool = True                # False: the submission lacks the question's prompt


@dataclass
class Row:
    """One line of the summary."""
    submission: str
    student: str
    status: str                       # "ok" or "unreadable"
    answered: int | str
    questions: int
    html: str
    pdf: str
    reason: str


# ----------------------------------------------------------------------- the homework's source


def written_questions(source: Path) -> list[Question]:
    """The ``manual: true`` questions of an otter-assign source notebook, in order."""
    nb = nbformat.read(source, as_version=4)
    questions, blocks, current = [], [], None
    for cell in nb.cells:
        first = cell.source.splitlines()[0] if cell.source else ""
        boundary = _BOUNDARY.match(first) if cell.cell_type == "raw" else None
        if boundary:
            kind, block = boundary.group(1).lower(), boundary.group(2).lower()
            if kind == "begin":
                blocks.append(block)
                if block == "question":
                    config = yaml.safe_load(cell.source) or {}
                    current = None
                    if config.get("manual"):
                        current = Question(str(config["name"]), float(config.get("points", 1)), [], "")
                        questions.append(current)
            elif blocks:
                blocks.pop()
            continue
        inside = [b for b in blocks if b != "prompt"]
        if current is not None and inside == ["question"] and cell.cell_type == "markdown":
            current.prompt_ids.append(cell.get("id", ""))
            current.prompt = (current.prompt + "\n\n" + cell.source).strip()
    return questions


# ----------------------------------------------------------------------------- submissions


def submissions(folder: Path) -> list[Path]:
    """Every file of the folder and of its subfolders, one level deep, sorted (names starting
    with a dot are left out); those that are no submission get a row in the summary too."""
    visible = [p for p in sorted(folder.iterdir()) if not p.name.startswith(".")]
    files = [p for p in visible if p.is_file()]
    for sub in (p for p in visible if p.is_dir()):
        files += [p for p in sorted(sub.iterdir()) if p.is_file() and not p.name.startswith(".")]
    return sorted(files)


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """The notebook of a submission: the ``.ipynb`` itself or the one in an export ``.zip``."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".ipynb":
            return nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        if suffix == ".zip":
            with zipfile.ZipFile(path) as zf:
                # otter run grades the one notebook at the top of the zip; so do we
                names = [n for n in zf.namelist() if n.endswith(".ipynb") and "/" not in n.strip("/")]
                if len(names) != 1:
                    found = ", ".join(names) if names else "none"
                    raise Unreadable("the zip must hold exactly one notebook at its top level "
                                     f"(found: {found})")
                return nbformat.reads(zf.read(names[0]).decode("utf-8"), as_version=4)
    except Unreadable:
        raise
    except zipfile.BadZipFile:
        raise Unreadable("not a valid zip file") from None
    except UnicodeDecodeError:
        raise Unreadable("not UTF-8 text, so not a notebook") from None
    except Exception as error:  # nbformat raises several kinds for broken JSON or a bad schema
        raise Unreadable(f"not a readable notebook ({type(error).__name__}: {_first_line(error)})") from None
    raise Unreadable("not a submission: only .ipynb notebooks and .zip exports are read")


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else "no detail"


def check_homework(nb, homework: str) -> None:
    """Refuse a notebook that otter's metadata marks as another homework."""
    name = nb.metadata.get("otter", {}).get("assignment_name")
    if name and name != homework:
        raise Unreadable(f"this is homework {name}, not {homework}")


def _strip_markers(text: str) -> str:
    return _EXPORT_MARKER.sub("", text).strip()


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", _strip_markers(text)).strip()


def _is_boundary(cell) -> bool:
    """A cell that ends a written answer: otter's question markers, or a locked cell."""
    if cell.cell_type == "markdown" and _EXPORT_MARKER.search(cell.source):
        return True
    return cell.metadata.get("editable", True) is False


def is_blank(cell) -> bool:
    """An answer cell the student left as handed out (or emptied)."""
    text = cell.source.replace(PLACEHOLDER, "").strip()
    if cell.cell_type == "code":
        code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")).strip()
        return code in ("", "...") and not cell.get("outputs")
    return text == ""


def find_answers(nb, questions: list[Question]) -> list[Answer]:
    """Each written question's prompt and the cells that follow it up to the next boundary."""
    cells = nb.cells
    answers = []
    for question in questions:
        index = _find_prompt(cells, question)
        if index is None:
            answers.append(Answer(question, question.prompt, found=False))
            continue
        answer = Answer(question, _strip_markers(cells[index].source))
        for cell in cells[index + 1:]:
            if _is_boundary(cell):
                break
            if cell.cell_type in ("markdown", "code") and not is_blank(cell):
                answer.cells.append(cell)
        answers.append(answer)
    return answers


def _find_prompt(cells, question: Question) -> int | None:
    """The index of the question's prompt cell: by cell id (otter keeps it), else by its text."""
    last = question.prompt_ids[-1] if question.prompt_ids else None
    for i, cell in enumerate(cells):
        if last and cell.get("id") == last and cell.cell_type == "markdown":
            return i
    wanted = _normal(question.prompt)
    heading = question.prompt.strip().splitlines()[0].strip() if question.prompt.strip() else ""
    for i, cell in enumerate(cells):
        if cell.cell_type == "markdown" and _normal(cell.source) == wanted:
            return i
    for i, cell in enumerate(cells):
        if cell.cell_type == "markdown" and heading and _strip_markers(cell.source).startswith(heading):
            return i
    return None


# ------------------------------------------------------------------------------- rendering

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; max-width: 48rem;
       margin: 2rem auto; padding: 0 1rem; line-height: 1.45; color: #1a1a1a; }
header { border-bottom: 2px solid #333; margin-bottom: 1.5rem; }
header h1 { font-size: 1.4rem; margin: 0 0 .3rem; }
header p { margin: .2rem 0; color: #444; }
section.question { margin: 0 0 2.5rem; }
section.question + section.question { break-before: page; }
.label { font-weight: 600; font-size: .85rem; text-transform: uppercase; letter-spacing: .04em;
         color: #555; margin: 1rem 0 .3rem; }
.question-prompt { color: #333; background: #f4f4f4; padding: .2rem 1rem; border-radius: 4px; }
.question-prompt h2 { font-size: 1.1rem; }
.answer { border-left: 4px solid #0072b2; padding: .2rem 1rem; }
.none { font-style: italic; color: #b00; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f7f7f7; padding: .5rem; }
.cell .prompt { display: none; }
img { max-width: 100%; }
.anchor-link { display: none; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: .2rem .5rem; }
"""


class Renderer:
    """Notebook cells to HTML with nbconvert's *basic* template (no scripts, no stylesheets)."""

    def __init__(self):
        from nbconvert import HTMLExporter
        from pygments.formatters import HtmlFormatter

        self.exporter = HTMLExporter(template_name="basic")
        self.pygments_css = HtmlFormatter(style="default").get_style_defs(".highlight")

    def cells(self, cells) -> str:
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.from_dict(dict(cell)) for cell in cells]
        nb.metadata["language_info"] = {"name": "python"}
        body, _ = self.exporter.from_notebook_node(nb)
        return body

    def markdown(self, text: str) -> str:
        return self.cells([nbformat.v4.new_markdown_cell(text)])

    def page(self, homework: str, student: str, submission: str, answers: list[Answer]) -> str:
        sections = []
        for a in answers:
            q = a.question
            points = f"{q.points:g} point{'s' if q.points != 1 else ''}"
            if not a.found:
                answer = ('<p class="none">(no answer: this question is missing from the submitted '
                          'notebook)</p>')
            elif a.cells:
                answer = offline(self.cells(a.cells), students=True)
            else:
                answer = '<p class="none">(no answer)</p>'
            sections.append(
                f'<section class="question" id="{html.escape(q.name)}">\n'
                f'<p class="label">{html.escape(q.name)} · {points}</p>\n'
                f'<div class="question-prompt">{offline(self.markdown(a.prompt), students=True)}</div>\n'
                f'<p class="label">Answer</p>\n<div class="answer">{answer}</div>\n</section>')
        title = f"{homework}: written answers of {student}"
        page = (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
                f"<title>{html.escape(title)}</title>\n<style>{STYLE}\n{self.pygments_css}</style>\n"
                f"</head>\n<body>\n<header>\n<h1>{html.escape(title)}</h1>\n"
                f"<p>Submission: {html.escape(submission)} · {len(answers)} written questions, "
                f"{sum(1 for a in answers if a.cells)} answered</p>\n</header>\n"
                + "\n".join(sections) + "\n</body>\n</html>\n")
        return offline(page)


def offline(page: str, *, students: bool = False) -> str:
    """The page with every attribute that points outside the file disarmed (its address stays visible).

    With ``students=True`` (for HTML made from a student's cells) also remove what could run or
    restyle: script, style, iframe, object, embed, link, meta, base and form elements, and every
    ``on...`` and ``style`` attribute.
    """
    rewriter = _Offline(students)
    rewriter.feed(page)
    rewriter.close()
    return "".join(rewriter.out)


def _inside(address: str) -> bool:
    """An address that stays inside the page: a data: URI or an anchor."""
    return address.strip().lower().startswith(("data:", "#"))


class _Offline(HTMLParser):
    """Re-emit HTML unchanged, but rename src/href/... that do not start with data: or #."""

    def __init__(self, students: bool):
        super().__init__(convert_charrefs=False)
        self.students = students
        self.out: list[str] = []
        self.skipping = 0                 # depth inside a removed script or style element

    def _tag(self, tag, attrs, close=""):
        parts = [tag]
        for name, value in attrs:
            if self.students and (name.lower().startswith("on") or name.lower() == "style"):
                continue
            if name.lower() in _URL_ATTRIBUTES and value is not None and not _inside(value):
                name = "data-offsite"
            parts.append(name if value is None else f'{name}="{html.escape(value, quote=True)}"')
        self.out.append(f"<{' '.join(parts)}{close}>")

    def _removed(self, tag) -> bool:
        return self.students and tag.lower() in _REMOVED

    def handle_starttag(self, tag, attrs):
        if tag.lower() in ("script", "style") and self.students:
            self.skipping += 1
        elif not self._removed(tag) and not self.skipping:
            self._tag(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        if not self._removed(tag) and not self.skipping:
            self._tag(tag, attrs, "/")

    def handle_endtag(self, tag):
        if tag.lower() in ("script", "style") and self.students:
            self.skipping = max(0, self.skipping - 1)
        elif not self._removed(tag) and not self.skipping:
            self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if not self.skipping:
            self.out.append(data)

    def handle_entityref(self, name):
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        self.out.append(f"&#{name};")

    def handle_comment(self, data):
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data):
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data):
        self.out.append(f"<![{data}]>")


# ------------------------------------------------------------------------------------- PDF


def chromium_path() -> str:
    """Debian's chromium (or $DESCEND_CHROMIUM), the browser the site's tests already use."""
    path = os.environ.get("DESCEND_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path or not os.path.exists(path):
        raise SystemExit("--pdf needs Chromium, and none was found: install it (`apt-get install chromium`) "
                         "or set DESCEND_CHROMIUM to its path; or leave out --pdf and print the HTML files")
    return path


def mathjax_file() -> Path:
    import mathjax  # the django-static-mathjax package carries MathJax 3's files

    return Path(mathjax.__file__).parent / "static" / "mathjax" / "es5" / "tex-svg.js"


MATHJAX_CONFIG = """window.MathJax = {
  tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], processEscapes: true},
  svg: {fontCache: 'local'}, startup: {typeset: true}};"""


def print_pdfs(pages: list[Path]) -> None:
    """Print each HTML file to a PDF next to it, typesetting its mathematics with local MathJax."""
    from playwright.sync_api import sync_playwright

    executable, script = chromium_path(), mathjax_file()
    args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
            "--disable-background-networking", "--disable-component-update"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=args)
        page = browser.new_page()
        # nothing may leave the machine: only the file itself and data: URIs load
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
                   else route.abort())
        for path in pages:
            page.goto(path.resolve().as_uri())
            page.add_script_tag(content=MATHJAX_CONFIG)
            page.add_script_tag(path=str(script))
            page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
            page.evaluate("MathJax.startup.promise")
            page.pdf(path=str(path.with_suffix(".pdf")), format="Letter", print_background=True,
                     margin={"top": "15mm", "bottom": "15mm", "left": "15mm", "right": "15mm"})
        browser.close()


# ----------------------------------------------------------------------------------- export


def _names(folder: Path, paths: list[Path]) -> dict[Path, str]:
    """Whose each file is: the subfolder it is in, else its name without the extension
    (``ada/hw01.zip`` and ``ada.ipynb`` are both ``ada``); names that clash get .1, .2, ..."""
    base = {p: p.parent.name if p.parent != folder else p.stem for p in paths}
    counts: dict[str, int] = {}
    for name in base.values():
        counts[name] = counts.get(name, 0) + 1
    seen: dict[str, int] = {}
    names = {}
    for p in paths:
        name = base[p]
        if counts[name] > 1:
            seen[name] = seen.get(name, 0) + 1
            name = f"{name}.{seen[name]}"
        names[p] = name
    return names


def export(homework: str, folder: Path, out: Path, *, pdf: bool = False) -> list[Row]:
    """Write one HTML file (and PDF) per readable submission and the summary; return its rows."""
    source = SOURCES / f"{homework}.ipynb"
    questions = written_questions(source)
    out.mkdir(parents=True, exist_ok=True)
    _remove_previous(out)
    renderer = Renderer()
    rows, written = [], []
    paths = [p for p in submissions(folder) if out.resolve() not in p.resolve().parents]
    names = _names(folder, paths)
    for path in paths:
        student, shown = names[path], path.relative_to(folder).as_posix()
        try:
            nb = read_notebook(path)
            check_homework(nb, homework)
            answers = find_answers(nb, questions)
        except Unreadable as error:
            rows.append(Row(shown, student, "unreadable", "", len(questions), "", "", str(error)))
            continue
        target = out / f"{student}.html"
        target.write_text(renderer.page(homework, student, shown, answers), encoding="utf-8")
        written.append(target)
        missing = [a.question.name for a in answers if not a.found]
        reason = f"questions missing from the notebook: {', '.join(missing)}" if missing else ""
        rows.append(Row(shown, student, "ok", sum(1 for a in answers if a.cells), len(questions),
                        target.name, target.with_suffix(".pdf").name if pdf else "", reason))
    if pdf and written:
        print_pdfs(written)
    write_summary(homework, rows, out)
    return rows


def _remove_previous(out: Path) -> None:
    """Delete the files that an earlier export listed in out/summary.csv (and only those)."""
    summary = out / "summary.csv"
    if not summary.is_file():
        return
    with open(summary, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for name in (row.get("html"), row.get("pdf")):
                if name and Path(name).name == name:
                    (out / name).unlink(missing_ok=True)


def write_summary(homework: str, rows: list[Row], out: Path) -> None:
    """summary.csv and index.html: every file of the folder, exported or not, and why."""
    with open(out / "summary.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["submission", "student", "status", "answered", "questions", "html", "pdf", "reason"])
        for r in rows:
            writer.writerow([r.submission, r.student, r.status, r.answered, r.questions, r.html, r.pdf,
                             r.reason])
    lines = []
    for r in rows:
        link = html.escape(r.student)
        if r.html:
            link = f'<a href="{html.escape(r.html)}">{link}</a>'
        if r.pdf:
            link += f' (<a href="{html.escape(r.pdf)}">PDF</a>)'
        answered = f"{r.answered} of {r.questions}" if r.status == "ok" else "—"
        lines.append(f"<tr><td>{html.escape(r.submission)}</td><td>{link}</td><td>{r.status}</td>"
                     f"<td>{answered}</td><td>{html.escape(r.reason)}</td></tr>")
    bad = sum(r.status != "ok" for r in rows)
    (out / "index.html").write_text(
        f'<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>{homework}: written answers'
        f"</title>\n<style>{STYLE}</style></head>\n<body>\n<h1>{homework}: written answers</h1>\n"
        f"<p>{len(rows)} files, {len(rows) - bad} exported, {bad} unreadable.</p>\n"
        "<table>\n<tr><th>submission</th><th>student</th><th>status</th><th>answered</th>"
        "<th>reason</th></tr>\n"
        + "\n".join(lines) + "\n</table>\n</body>\n</html>\n", encoding="utf-8")


def homeworks() -> list[str]:
    return sorted(p.stem for p in SOURCES.glob("hw*.ipynb"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("homework", help="the homework, e.g. hw01_derivatives (a notebooks/homework/ stem)")
    parser.add_argument("submissions", help="folder of submissions (.ipynb, and .zip from grader.export)")
    parser.add_argument("--out", type=Path,
                        help="output folder (default: the submissions folder's name + -written, beside it)")
    parser.add_argument("--pdf", action="store_true", help="also print each file to PDF with chromium")
    args = parser.parse_args(argv)
    known = homeworks()
    if not args.homework:
        parser.error(f"homework: name one (make written HW=...), one of {', '.join(known)}")
    if args.homework not in known:
        parser.error(f"homework: no notebooks/homework/{args.homework}.ipynb; "
                     f"choose one of {', '.join(known)}")
    if not args.submissions.strip():
        parser.error("submissions: name the folder of submissions (make written SUBMISSIONS=...)")
    if not Path(args.submissions).is_dir():
        parser.error(f"submissions: {args.submissions} is not a folder")
    if args.pdf:
        chromium_path()                      # fail before any work if it cannot be done
    folder = Path(args.submissions).resolve()
    out = args.out or folder.with_name(folder.name + "-written")
    rows = export(args.homework, folder, out, pdf=args.pdf)
    for r in rows:
        if r.status == "ok":
            note = f"; {r.reason}" if r.reason else ""
            print(f"{r.submission}: {r.answered} of {r.questions} written answers -> {out / r.html}{note}")
        else:
            print(f"{r.submission}: NOT EXPORTED: {r.reason}")
    bad = sum(r.status != "ok" for r in rows)
    print(f"{len(rows)} files, {len(rows) - bad} exported, {bad} unreadable; "
          f"summary in {out / 'summary.csv'} and {out / 'index.html'}")
    if not rows:
        print(f"warning: {args.submissions} holds no files", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
