"""Benchmark: screening a randomized assignment's draws, before and after float screening.
Prints figures; asserts nothing.

Run from the repository root::

    python bench/bench_draws.py                  # mlp-random, 100 students, about 10 s
    python bench/bench_draws.py --students 300 --salt other --assignment mlp-random

What it measures: per student, ``screened_draw`` (:mod:`grader.keys.screening`) from the
student's first attempt to the accepted one, as ``Catalog.draw`` calls it once per student
(the assignment's probe profile is built once beforehand and not timed).

- **before**: the previous algorithm, kept as the reference in ``tests/keys/test_draw_speed.py``:
  every attempt builds its key (60-digit mpmath, plus the float cross-check) and every
  misconception variant, then compares every pair with one tolerance call each.
- **after**: today's ``screened_draw``: each attempt is screened in floats and only the
  accepted one (or one too close to call) gets its key.

Both share today's ``drawn()`` (realising the numbers and building the assignment), so
speed-ups there are in both columns. Students are timed in alternating blocks of 10 (before,
after, before, ...), so both columns see the same load on a shared machine; CPU time
(``time.process_time``) is printed beside wall time. The output also says whether the two
gave the same draws (the test suite checks this bit for bit).

Measured 2026-11-21, this machine (2 cores shared with other sessions, load average 6-8 during
the runs, so absolute times are inflated; the ratio is the figure to read), mlp-random, 100
students: salt ``bench`` (1.75 attempts per student) before 28.5-35.6 ms, after 11.0-13.8 ms
CPU per student, **2.6x** (wall 2.6x); salt ``other`` (1.92 attempts) 39.1 -> 16.1 ms, 2.4x.
Against the code before this change in full (its ``drawn()`` included, a copy of the old
tree run in its own process, alternating): 33-38 ms -> 11-14 ms CPU per student, about 2.9x.
Where the rest goes (py-spy): misconception variants ~30 %, the accepted draw's 60-digit key
~25 % (a sixth of it mpmath formatting an array for an error it then discards, in
``mpf * ndarray``), ``build_drawn`` ~14 % (half of it lark re-parsing the same equations).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the working tree's grader, whether or not it is installed

from grader.keys import screening as discriminate
from grader.keys.catalog import Catalog
from grader.keys.screening import profile, screened_draw
from tests.keys.test_draw_speed import ref_screened_draw, same_draw

BLOCK = 10


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--assignment", default="mlp-random")
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--salt", default="bench")
    args = parser.parse_args(argv)
    catalog = Catalog(root=ROOT)
    template = catalog.assignment(args.assignment)
    rubric = catalog.rubric(template)
    prof = profile(template, rubric)
    ids = [f"s{i}" for i in range(args.students)]
    screened_draw(template, "warm-up", args.salt, rubric, prof)  # imports, caches: not timed
    ref_screened_draw(template, "warm-up", args.salt, rubric, prof)

    keys = [0]
    build_key = discriminate.build_key

    def counted(*a, **k):
        keys[0] += 1
        return build_key(*a, **k)

    totals = {"before": [0.0, 0.0], "after": [0.0, 0.0]}
    draws: dict = {"before": {}, "after": {}}
    discriminate.build_key = counted
    try:
        for start in range(0, len(ids), BLOCK):
            block = ids[start:start + BLOCK]
            for label, fn in (("before", ref_screened_draw), ("after", screened_draw)):
                wall, cpu = time.perf_counter(), time.process_time()
                for sid in block:
                    draws[label][sid] = fn(template, sid, args.salt, rubric, prof)
                totals[label][0] += time.perf_counter() - wall
                totals[label][1] += time.process_time() - cpu
    finally:
        discriminate.build_key = build_key
    n = len(ids)
    attempts = sum(d.attempt + 1 for d in draws["after"].values())
    same = sum(same_draw(draws["after"][s], draws["before"][s]) for s in ids)
    print(f"{args.assignment}, {n} students (salt {args.salt!r}), {attempts} attempts ({attempts / n:.2f} per student)")
    print(f"    {'':<8} {'wall ms/student':>16} {'cpu ms/student':>15}")
    for label, (wall, cpu) in totals.items():
        print(f"    {label:<8} {wall / n * 1e3:>16.1f} {cpu / n * 1e3:>15.1f}")
    (bw, bc), (aw, ac) = totals["before"], totals["after"]
    print(f"    speed-up: {bw / aw:.1f}x wall, {bc / ac:.1f}x cpu")
    print(f"after: {keys[0]} keys built for {attempts} attempts ({keys[0] - n} beyond one per student: "
          f"attempts the float screen left to the key)")
    print(f"same draws as before (attempt, rejections, key, values): {same} of {n}")
    return 0  # figures only


if __name__ == "__main__":
    sys.exit(main())
