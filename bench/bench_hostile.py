"""Benchmark: CPU seconds to refuse each answer of the hostile corpus (``tests/hostile``).

Run from the repository root::

    python bench/bench_hostile.py          # the 10 slowest, and the total

Tests assert each hostile answer's *category* and message; how long refusing takes is measured
here, not asserted there (a test must not depend on the machine's speed). The grader's own
guard is structural (limits on size, depth, powers, sums) plus the per-answer time limit.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.keys.catalog import Catalog  # noqa: E402
from grader.errors import AnswerError  # noqa: E402
from grader.judge.answers import parse_answer  # noqa: E402
from tests.hostile.corpus import ENTRIES  # noqa: E402


def main() -> None:
    catalog = Catalog(root=ROOT)
    times = []
    for entry in ENTRIES:
        assignment = catalog.assignment(entry.assignment)
        question, key = assignment.question(entry.question), catalog.key(assignment)
        raw = entry.raw()
        start = time.process_time()
        try:
            parse_answer(question, raw, key)
        except AnswerError:
            pass
        times.append((time.process_time() - start, entry.name))
    times.sort(reverse=True)
    print(f"{len(times)} hostile answers: {sum(t for t, _ in times):.3f} CPU s in all")
    for t, name in times[:10]:
        print(f"  {t:8.4f} s  {name}")


if __name__ == "__main__":
    main()
