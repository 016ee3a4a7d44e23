#!/usr/bin/env python3
"""Where one `grade` run's time goes, phase by phase, and what that allows `--jobs 2` to gain.

    python bench/bench_phases.py CLASS_FOLDER [--repeat 3]

CLASS_FOLDER is a class from bench/make_class.py (bench/run keeps one with ``--workdir``). In
one process, like the CLI: imports, finding the files, the warm-up before the fork (keys,
variants, expression keys), grading every file in this process (CPU per file), then the
gradebook. Grading is also timed with expression answers never remembered
(``grader.judge.answers.SEEN_PER_QUESTION = 0``): a class whose expression answers are all different.
The share of expression answers that repeat an earlier (question, text) is printed, since
that is what remembering them saves.

The serial phases (imports, discovery, warm-up, gradebook) run once whatever ``--jobs``; only
grading is shared out. So with ``S`` the serial seconds and ``P`` the grading seconds, ``--jobs
2`` cannot beat ``(S + P) / (S + P / 2)`` (Amdahl); the figure is printed. Prints figures; asserts
nothing. Best of ``--repeat`` runs for each timed phase (CPU seconds of this process).

The machine's own ceiling (``--ceiling R``, default 2 rounds; 0 skips): after the warm-up this
process forks one child that grades every file in-process, then two children that each grade
every file at the same time (nothing shared but the machine, no pipes, no parent loop), in
alternation, ``R`` times; best wall time of each. If two copies take ``f`` times as long as
one (``f`` = 1 on two idle, independent cores), two processes get ``2 / f`` times the work
of one done: the most any ``--jobs 2`` can gain here, and with the serial seconds the bound
becomes ``(S + P) / (S + f P / 2)``. On a 2-vCPU virtual machine ``f`` is well above 1 (shared
caches, the host's other tenants), which is why it is measured rather than assumed.
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
T0 = time.perf_counter()
sys.path.insert(0, str(ROOT))

from grader.keys.catalog import Catalog  # noqa: E402 - timed: the imports of a run
from grader.reports.gradebooks import gradebook_chunks  # noqa: E402
from grader.batch.orchestrator import grade_file, warm_up  # noqa: E402
from grader.results import ClassResult
from grader.result_store import ResultStore  # noqa: E402
from grader.io.answer_files import discover, read_submission  # noqa: E402

IMPORTS = time.perf_counter() - T0


def cpu(fn) -> tuple[float, object]:
    start = time.process_time()
    out = fn()
    return time.process_time() - start, out


def repeats(files: list[Path], catalog: Catalog) -> tuple[int, int]:
    """Expression answers, and how many repeat an earlier (question, text) of the class."""
    seen, total = set(), Counter()
    for path in files:
        try:
            sub = read_submission(path)
            assignment = catalog.assignment(sub.assignment)
        except Exception:  # noqa: BLE001 - a broken or unknown file has no expression answers to count
            continue
        kinds = {q.id: q.kind for q in assignment.questions}
        for qid, raw in sub.answers.items():
            if kinds.get(qid) == "expression" and isinstance(raw, str):
                total["all"] += 1
                total["repeat"] += (assignment.id, qid, raw) in seen
                seen.add((assignment.id, qid, raw))
    return total["all"], total["repeat"]


def ceiling(folder: Path, files: list[Path], catalog: Catalog, rounds: int) -> tuple[float, float]:
    """Best wall seconds of one forked child grading ``files``, and of two grading them at once."""
    def run(copies: int) -> float:
        start = time.perf_counter()
        children = []
        for _ in range(copies):
            pid = os.fork()
            if pid == 0:  # the child: grade, pack as a worker does, and leave without cleanup
                code = 1
                try:
                    gc.freeze()
                    store = ResultStore()
                    for path in files:
                        store.append(grade_file(path, folder, catalog))
                    code = 0
                finally:
                    os._exit(code)
            children.append(pid)
        failed = [pid for pid in children if os.waitpid(pid, 0)[1] != 0]
        if failed:
            raise SystemExit(f"a ceiling child failed ({len(failed)} of {copies})")
        return time.perf_counter() - start

    one, two = [], []
    for _ in range(rounds):
        one.append(run(1))
        two.append(run(2))
    return min(one), min(two)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--salt", default="bench")
    ap.add_argument("--ceiling", type=int, default=2, metavar="R", help="rounds of the machine-ceiling run (0 skips)")
    args = ap.parse_args(argv)
    import grader.judge.answers as grading
    from grader.judge.symbolic import equivalence

    catalog = Catalog(salt=args.salt)
    remembered = grading.SEEN_PER_QUESTION
    t_discover, (files, _) = cpu(lambda: discover(args.folder))
    t_warm, _ = cpu(lambda: warm_up(catalog, files))

    def grade_all(remember: bool):
        grading.SEEN_PER_QUESTION = remembered if remember else 0
        for key in equivalence._CACHE.values():  # every run starts with nothing remembered
            key.seen.clear()
            for derived in key.entry_wise.values():
                derived.seen.clear()
        store = ResultStore()
        for path in files:
            store.append(grade_file(path, args.folder, catalog))
        return store

    t_grade = min(cpu(lambda: grade_all(True))[0] for _ in range(args.repeat))
    t_distinct = min(cpu(lambda: grade_all(False))[0] for _ in range(args.repeat))
    store = grade_all(True)
    result = ClassResult(str(args.folder), store, catalog)
    t_book = min(cpu(lambda: "".join(gradebook_chunks(result)))[0] for _ in range(args.repeat))
    answers, repeated = repeats(files, catalog)

    n = len(files)
    serial = IMPORTS + t_discover + t_warm + t_book
    print(f"bench_phases {time.strftime('%Y-%m-%d %H:%M')}: {args.folder}, {n} files")
    print(f"  imports (wall)                 {IMPORTS:6.2f} s")
    print(f"  discover                       {t_discover:6.2f} s")
    print(f"  warm-up (keys, before the fork) {t_warm:5.2f} s")
    print(f"  grading, in one process        {t_grade:6.2f} s  ({t_grade / n * 1e3:.2f} ms per file; result packed)")
    print(f"    expression answers all new   {t_distinct:6.2f} s  ({t_distinct / n * 1e3:.2f} ms per file)")
    print(f"  gradebook                      {t_book:6.2f} s")
    print(f"  expression answers: {answers}, of which {repeated} ({repeated / max(answers, 1):.0%}) repeat an "
          f"earlier (question, text)")
    print(f"  serial S = {serial:.2f} s, grading P = {t_grade:.2f} s: --jobs 2 at most "
          f"{(serial + t_grade) / (serial + t_grade / 2):.2f}x faster than --jobs 1 (Amdahl), "
          f"before the parent's own work and the machine's other load")
    if args.ceiling > 0:
        one, two = ceiling(args.folder, files, catalog, args.ceiling)
        f = two / one
        print(f"  machine ceiling: one forked copy grading the class {one:.2f} s, two at once {two:.2f} s each: "
              f"f = {f:.2f}, so two processes do {2 / f:.2f}x the work of one")
        print(f"    with S and P as above: --jobs 2 at most {(serial + t_grade) / (serial + f * t_grade / 2):.2f}x "
              f"faster than --jobs 1 on this machine now")
    return 0


if __name__ == "__main__":
    sys.exit(main())
