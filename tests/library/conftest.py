# The fixture generator imports torch, which the suite must not need.
collect_ignore = ["fixtures"]


def pytest_terminal_summary(terminalreporter):
    """After the library tests, the code lines each chapter page shows open and folded."""
    from test_cell_roles import CHAPTERS, OPEN_LINES_BUDGET, open_and_folded

    if not any("test_cell_roles" in str(item) for item in terminalreporter.stats.get("passed", [])
               + terminalreporter.stats.get("failed", [])):
        return
    rows = [(p.stem, *open_and_folded(p)) for p in CHAPTERS]
    terminalreporter.section("code on the chapter pages (lines: open / folded)")
    for stem, shown, folded in rows:
        terminalreporter.write_line(f"{stem:<22} {shown:>5} {folded:>7}")
    terminalreporter.write_line(f"{'all chapters':<22} {sum(r[1] for r in rows):>5} {sum(r[2] for r in rows):>7}"
                                f"   (budget {OPEN_LINES_BUDGET} open)")
