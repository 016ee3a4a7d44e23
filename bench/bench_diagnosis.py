"""Diagnosis against a TA's labels, and what the smallest-repair search costs.

    python bench/bench_diagnosis.py            # from the repository root
    python bench/bench_diagnosis.py --list     # also every row where grader and TA differ

Grades every row of the labelled corpus (``tests/corpora/diagnosis/``: hand-written expression
answers in the seeds' and other notations, numeric answers worked out by hand) as a one-answer
file, and prints the issue's three figures: mistakes named with the TA's id (%), flags given
where the TA gives none (count), verdicts agreeing (%). Then the per-answer time of judging
the expression rows of ``tests/judge/test_equivalence_table.py`` without and with the repair
search (parse + check, as ``bench/bench_symbolic.py`` times it), best of ``--repeat`` passes.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.batch.orchestrator import grade_submission  # noqa: E402
from grader.io.answer_files import Submission  # noqa: E402
from grader.keys.catalog import Catalog  # noqa: E402
from tests.corpora.diagnosis.corpus import catalog_for, rows  # noqa: E402

OUTCOME = {"correct": "correct", "wrong": "wrong", "wrong shape": "wrong shape", "transposed": "transposed"}


def figures(catalog: Catalog, listing: bool) -> None:
    corpus = rows()
    named = mistakes = false_flags = agree = 0
    fixtures: dict = {}
    for r in corpus:
        result = grade_submission(Submission("<corpus>", r.assignment, "ta", answers={r.question: r.answer}),
                                  catalog_for(r.assignment, catalog, fixtures))
        v = next(q.verdict for q in result.questions if q.question == r.question)
        same_verdict = v.outcome == r.verdict
        agree += same_verdict
        if r.flag:
            mistakes += 1
            named += r.flag in v.flags
        elif v.flags:
            false_flags += 1
        if listing and (not same_verdict or (r.flag and r.flag not in v.flags) or (not r.flag and v.flags)):
            print(f"  {r.assignment} {r.question} {str(r.answer)[:60]!r}: TA {r.verdict}/{r.flag}, "
                  f"grader {v.outcome}/{','.join(v.flags) or '-'}")
    print(f"corpus: {len(corpus)} answers, {mistakes} with a mistake a TA names")
    print(f"mistakes named with the right id: {named}/{mistakes} = {100 * named / mistakes:.1f} %")
    print(f"flags where the TA gives none: {false_flags}")
    print(f"verdicts agreeing: {agree}/{len(corpus)} = {100 * agree / len(corpus):.1f} %")


def timing(catalog: Catalog, repeat: int) -> None:
    from grader.judge.answers import parse_answer
    from grader.judge.diagnosis.repair import diagnosed
    from grader.judge.symbolic.equivalence import compare_expression, expression_key
    from tests.judge.test_equivalence_table import ROWS
    pairs = []
    for row in ROWS:
        aid, qid, text = row.values[0], row.values[1], row.values[2]
        a = catalog.assignment(aid)
        key = catalog.key(a)
        q = a.question(qid)
        try:
            parsed = parse_answer(q, text, key)
        except Exception:  # noqa: BLE001 - rows that must not parse
            continue
        pairs.append((text, q, key, a, expression_key(a, q, key[qid].exact)))
    def run(with_repair: bool) -> float:
        best = float("inf")
        for _ in range(repeat):
            start = time.process_time()
            for text, q, key, a, ek in pairs:
                parsed = parse_answer(q, text, key)
                v = compare_expression(parsed, ek)
                if with_repair:
                    diagnosed(v, parsed, ek, a)
            best = min(best, time.process_time() - start)
        return best / len(pairs)
    plain, repaired = run(False), run(True)
    print(f"per answer, {len(pairs)} rows of the equivalence table (CPU, best of {repeat}): "
          f"{plain * 1e3:.3f} ms without the repair search, {repaired * 1e3:.3f} ms with it "
          f"({repaired / plain:.2f}x)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--list", action="store_true", help="list every row where grader and TA differ")
    ap.add_argument("--repeat", type=int, default=5, help="timing passes (default 5)")
    args = ap.parse_args()
    catalog = Catalog(root=ROOT)
    figures(catalog, args.list)
    timing(catalog, args.repeat)


if __name__ == "__main__":
    main()
