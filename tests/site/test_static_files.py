"""The site's copies of book/_static follow their sources (book/_ext/descend_site.py).

Sphinx copies ``html_static_path`` only when it writes a page, and the pages name each file
with its checksum; an edited file alone used to leave the site with the old copy."""

from __future__ import annotations

import re
import sys
import zlib
from types import SimpleNamespace

from conftest import ROOT

sys.path.insert(0, str(ROOT / "book" / "_ext"))
import descend_site  # noqa: E402

STATIC = ROOT / "book" / "_static"


def test_the_site_serves_the_static_files_as_they_are_and_the_pages_name_them_so(site):
    import yaml

    sphinx = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]
    linked = sphinx["html_css_files"] + sphinx["html_js_files"]
    page = (site / "notebooks" / "01_derivatives.html").read_text(encoding="utf-8")
    for path in sorted(p for p in STATIC.iterdir() if p.is_file() and not p.name.startswith(".")):
        assert (site / "_static" / path.name).read_bytes() == path.read_bytes(), f"_static/{path.name} is stale"
    for name in linked:   # Sphinx's checksum: the CRC-32 of the file without carriage returns, 8 hex digits
        named = re.search(rf'_static/{re.escape(name)}\?v=([0-9a-f]{{8}})"', page)
        assert named, f"the page does not link _static/{name} with a checksum"
        data = (STATIC / name).read_bytes().replace(b"\r", b"")
        assert int(named.group(1), 16) == zlib.crc32(data), f"{name}: the page names an old checksum"


def _app(tmp_path):
    confdir, outdir = tmp_path / "book", tmp_path / "html"
    (confdir / "_static").mkdir(parents=True)
    (outdir / "_static").mkdir(parents=True)
    (confdir / "_static" / "a.js").write_text("one")
    (confdir / "_static" / ".ipynb_checkpoints").mkdir()
    for skipped in ("b.js_t", "c.html.jinja", ".a.js.swp", "d.js.map", ".ipynb_checkpoints/a-checkpoint.js"):
        (confdir / "_static" / skipped).write_text("not copied as it is")  # templates, hidden, dropped by the build
    (outdir / "_static" / "a.js").write_text("one")
    for name in ("intro", "ch/one"):
        (outdir / f"{name}.html").parent.mkdir(parents=True, exist_ok=True)
        (outdir / f"{name}.html").write_text("<html></html>")
    others = confdir / ".venv" / "site-packages" / "ext_static"   # an extension's own, by absolute path
    others.mkdir(parents=True)
    (others / "c.js").write_text("not copied yet")
    return SimpleNamespace(
        confdir=str(confdir), outdir=str(outdir),
        config=SimpleNamespace(html_static_path=["_static", str(others)], exclude_patterns=["_build"]),
        builder=SimpleNamespace(format="html", get_outfilename=lambda d: str(outdir / f"{d}.html")),
        env=SimpleNamespace(all_docs={"intro": 0, "ch/one": 0}))


def test_an_edited_static_file_has_every_page_written_again(tmp_path):
    app = _app(tmp_path)
    descend_site._pages_follow_the_static_files(app)   # the book's files as copied; templates and extensions' left
    assert (tmp_path / "html" / "intro.html").is_file() and (tmp_path / "html" / "ch" / "one.html").is_file()
    (tmp_path / "book" / "_static" / "a.js").write_text("two")
    assert [p.name for p in descend_site._static_files_changed(app)] == ["a.js"]
    descend_site._pages_follow_the_static_files(app)
    assert not (tmp_path / "html" / "intro.html").exists() and not (tmp_path / "html" / "ch" / "one.html").exists()


def test_a_new_static_file_counts_and_other_builders_are_left_alone(tmp_path):
    app = _app(tmp_path)
    (tmp_path / "book" / "_static" / "new.css").write_text("x")
    app.builder.format = "latex"
    descend_site._pages_follow_the_static_files(app)
    assert (tmp_path / "html" / "intro.html").is_file()
    app.builder.format = "html"
    descend_site._pages_follow_the_static_files(app)
    assert not (tmp_path / "html" / "intro.html").exists()
