"""Grade one submission with ``otter run`` and write what the tests need as JSON.

Usage: ``python tests/homework/_grade.py AUTOGRADER.zip SUBMISSION.ipynb RESULT.json``

This is the command ``otter run -a AUTOGRADER.zip SUBMISSION.ipynb`` (the same function,
``otter.run.main``: no container, the current environment), with the result of every test
case written out: its question, whether it is hidden, whether it passed, and its message.
"""

from __future__ import annotations

import json
import sys
import tempfile


def summarize(results) -> dict:
    summary = {"total": results.total, "possible": results.possible,
               "error": repr(results.catastrophic_error) if results.catastrophic_error else None,
               "questions": {}}
    for name in results.test_files:
        test_file = results.get_result(name)
        summary["questions"][name] = {
            "score": test_file.score,
            "possible": test_file.possible,
            "cases": [{"name": r.test_case.name, "hidden": r.test_case.hidden, "passed": r.passed,
                       "message": r.message} for r in test_file.test_case_results],
        }
    return summary


def main(autograder: str, submission: str, output: str) -> None:
    from otter.run import main as otter_run

    with tempfile.TemporaryDirectory() as results_dir:
        results = otter_run(submission, autograder=autograder, output_dir=results_dir, no_logo=True)
    with open(output, "w", encoding="utf-8") as f:
        json.dump(summarize(results), f, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main(*sys.argv[1:4])
