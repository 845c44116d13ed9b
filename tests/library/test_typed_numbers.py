"""No result is typed into a chapter's prose: a number a cell computes reaches the text through glue.

The scanner is in ``typed_numbers.py``; each chapter lists its allowed exceptions (settings,
defaults, hand arithmetic of a derivation, years), each with its reason, in its metadata.
"""

from pathlib import Path

import pytest

from typed_numbers import offenders, significant_digits, typed_numbers

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PAGES = CHAPTERS + sorted((ROOT / "book").glob("*.ipynb"))


@pytest.mark.parametrize("notebook", PAGES, ids=lambda p: p.stem)
def test_no_typed_results(notebook):
    found = offenders(notebook)
    assert not found, (
        f"{notebook.name}: numbers typed in the prose; glue them from the cell that computes them, "
        "or list them with a reason under metadata.descend.typed_numbers:\n"
        + "\n".join(f"  cell {i}: {n!r} in: {line}" for i, n, line in found))


def test_a_typed_number_is_found_and_a_glued_one_is_not():
    text = r"The mean is $\mathbb E|g_1| \approx 0.897$; the rate is {glue:text}`rate:.4f`."
    assert typed_numbers(text) == ["0.897"]
    assert typed_numbers("after 5,000 steps and 100 runs, with 2.5 and 0.05") == []
    assert typed_numbers(r"$28^4 = 614{,}656$ and $50\,000$ entries, 1,797 images") == ["614,656", "1,797"]
    assert typed_numbers("Nocedal and Wright's theorem 3.5, section 10.2 and §8.5.4 give 3.518") == ["3.518"]
    assert typed_numbers("see {cite}`kingma2015adam`, {numref}`fig-123`, [a](https://x.org/1234)") == []


def test_a_deliberately_typed_number_fails_a_chapter(tmp_path):
    import json
    nb = json.loads(CHAPTERS[0].read_text())
    nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": ["The loss is 0.2763932."]})
    planted = tmp_path / "planted.ipynb"
    planted.write_text(json.dumps(nb))
    assert (len(nb["cells"]) - 1, "0.2763932", "The loss is 0.2763932.") in offenders(planted)


@pytest.mark.parametrize("integer, fraction, digits", [
    ("0", ".897", 3), ("0", ".05", 1), ("5,000", None, 1), ("1,797", None, 4), ("100", ".0", 4), ("0", ".999", 3),
])
def test_significant_digits(integer, fraction, digits):
    assert significant_digits(integer, fraction) == digits


@pytest.mark.parametrize("notebook", PAGES, ids=lambda p: p.stem)
def test_every_listed_exception_is_still_in_the_text(notebook):
    import json
    nb = json.loads(notebook.read_text())
    allowed = nb.get("metadata", {}).get("descend", {}).get("typed_numbers", {})
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    present = set(typed_numbers(text))
    stale = sorted(set(allowed) - present)
    assert not stale, f"{notebook.name}: exceptions no longer in the text (remove them): {stale}"
    assert all(isinstance(r, str) and r.strip() for r in allowed.values()), "every exception needs its reason"
