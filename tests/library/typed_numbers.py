"""Find numbers typed into the prose of a chapter that a cell could compute and glue instead.

A chapter's prose must not carry a result typed by hand: a number in a markdown cell with
three or more significant digits either comes from ``{glue}`` (so a cell computed it), or is
listed, with the reason, as an allowed exception in the notebook's metadata::

    "metadata": {"descend": {"typed_numbers": {"0.999": "Adam's default β₂ (a setting, not a result)"}}}

Significant digits: leading zeros never count; an integer's trailing zeros do not count
either (``5,000 steps`` has one), so settings such as 100 or 5,000 pass and 1,797 or 0.897 do
not. Numbers inside glue roles, citations, cross-references, labels, links and HTML comments
are not prose and are skipped.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

# Markup whose digits are not numbers of the text: roles with a target, labels, links, comments.
_SKIP = [
    re.compile(r"\{(?:glue|glue:text|glue:any|glue:md|glue:figure|cite|cite:[a-z]+|ref|numref|eq|"
               r"prf:ref|doc|download|term|label|abbr)\}`[^`]*`"),
    re.compile(r"^\([^)\s]+\)=\s*$", re.M),                 # (label)=
    re.compile(r"^\s*:(?:label|name|class|nonumber|width|height|align|alt|figwidth)[^\n]*$", re.M),
    re.compile(r"\]\([^)]*\)"),                               # link targets
    re.compile(r"<!--.*?-->", re.S),
    re.compile(r"https?://\S+"),
    re.compile(r"\\(?:label|tag|ref|eqref)\{[^}]*\}"),
    re.compile(r"\{\s*(?:exercise|solution|prf:[a-z]+|admonition|figure|math)\}[^\n]*"),
    # numbers that name a part of a work, not a quantity: "section 10.2", "theorem 3.5", "§8.5.4"
    re.compile(r"(?:\b(?:sections?|theorems?|lemmas?|algorithms?|chapters?|equations?|eqs?\.|figures?|tables?|"
               r"lectures?|propositions?|corollary|definitions?|examples?|exercises?|modules?|slides?|pages?|pp?\.)"
               r"|§)\s*\d+(?:\.\d+)*", re.I),
]

_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\d])")


def significant_digits(integer: str, fraction: str | None) -> int:
    """Significant digits of a decimal written as ``integer`` and ``fraction`` (with its dot)."""
    digits = integer.replace(",", "")
    if fraction:
        return len((digits + fraction[1:]).lstrip("0"))
    return len(digits.strip("0")) if digits.strip("0") else 0


def typed_numbers(markdown: str) -> list[str]:
    """The numbers with three or more significant digits in a markdown cell's text."""
    # LaTeX thousands separators: 614{,}656 and 50\,000 are one number each.
    text = re.sub(r"(\d)\{,\}(?=\d{3})", r"\1,", markdown)
    text = re.sub(r"(\d)\\[,;](?=\d{3}(?!\d))", r"\1", text)
    for pattern in _SKIP:
        text = pattern.sub(" ", text)
    found = []
    for m in _NUMBER.finditer(text):
        if significant_digits(m.group(1), m.group(2)) >= 3:
            found.append(m.group(0))
    return found


def offenders(notebook: Path) -> list[tuple[int, str, str]]:
    """(cell index, number, the line it is on) for every typed number not in the allowed list."""
    nb = json.loads(notebook.read_text())
    allowed = nb.get("metadata", {}).get("descend", {}).get("typed_numbers", {})
    out = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"])
        for number in typed_numbers(source):
            if number not in allowed:
                tail = number.split(",")[-1]
                line = next((ln.strip() for ln in source.splitlines() if number in ln or tail in ln), "")
                out.append((i, number, line[:140]))
    return out
