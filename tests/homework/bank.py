"""A bank of wrong answers, and of right answers in another style, for the homework tests.

Each entry edits the solved notebook of one homework (``_build/homework/solutions``, the
perfect submission) into the submission of a student who made one typical mistake: ε inside
the root, β and 1 − β swapped, a sign flipped, t off by one, an array aliased in place, the
bias correction forgotten, zeros of the right shape, the library called where the question
asks for the loop. ``tests/homework/test_bank.py`` grades each with the autograder: a wrong
answer must score at most ``at_most`` of the points of the questions it breaks (and at least
``at_least``: a mistake that breaks a method, such as a flipped sign, must cost more than one that
only bends it, such as t off by one), and a right answer in another style must score full marks.

An edit is ``(old, new)``: every occurrence of ``old`` in the code cells of the solved notebook
becomes ``new``, and ``old`` must occur (so an entry that no longer matches the source fails
loudly instead of grading the unchanged solutions).

Each homework's entries live in ``tests/homework/banks/<stem>.py`` as a list ``ANSWERS`` (see
``banks/hw07_adaptive.py``); ``BANK`` collects them by stem. A homework needs at least eight
wrong answers and one right answer in another style.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Answer:
    """A submission made from the solutions by ``edits``."""

    what: str                              # the mistake (or the other style), in a few words
    edits: tuple[tuple[str, str], ...]
    questions: tuple[str, ...]             # the questions it answers differently
    at_most: float = 0.0                   # the largest fraction of those questions' points it may keep
    at_least: float = 0.0                  # the smallest: a slip that only bends a method keeps more
    right: bool = False                    # a right answer in another style: it must get full marks


def wrong(what, edits, questions, at_most, at_least=0.0):
    return Answer(what, tuple(edits), tuple(questions), at_most, at_least)


def right(what, edits, questions):
    return Answer(what, tuple(edits), tuple(questions), right=True)


#: the bank, by homework stem: every tests/homework/banks/<stem>.py with its ANSWERS
BANK: dict[str, list[Answer]] = {}
for _path in sorted(Path(__file__).with_name("banks").glob("hw*.py")):
    _spec = importlib.util.spec_from_file_location(f"banks.{_path.stem}", _path)
    _module = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_module)
    BANK[_path.stem] = list(_module.ANSWERS)
