"""bench/ab_symbolic.py ROUNDS TREE_A TREE_B [--repeat N]: CPU time per expression answer (parse + check) of two
source trees, alternating, on the same answers (the rows of TREE_A's tests/judge/test_equivalence_table.py that
TREE_A parses): a before/after figure of a change that the whole bench_symbolic.py run (dominated by its sympy
baseline) measures too coarsely. Each measurement is a fresh process (``PYTHONPATH`` = its tree); prints each
run and the median per tree."""
import argparse
import statistics
import subprocess
import sys

ONE = r"""
import importlib.util, sys, time
from pathlib import Path
tree, rows_tree, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
from grader.errors import AnswerError
from grader.judge.symbolic.equivalence import compare_expression, expression_key, parse_for
from grader.keys.catalog import Catalog
sys.path.insert(0, rows_tree)
spec = importlib.util.spec_from_file_location("rows", Path(rows_tree) / "tests/judge/test_equivalence_table.py")
rows = importlib.util.module_from_spec(spec); spec.loader.exec_module(rows)
catalog, work = Catalog(root=Path(tree)), []
for p in rows.ROWS:
    a, q, text, _ = p.values
    assignment = catalog.assignment(a); key = catalog.key(assignment); question = assignment.question(q)
    work.append((question, text, expression_key(assignment, question, key[question.id].exact)))
start, n = time.process_time(), 0
for _ in range(repeat):
    for question, text, k in work:
        try:
            compare_expression(parse_for(question, text, k), k)
        except AnswerError:
            pass
        n += 1
print((time.process_time() - start) / n * 1e3)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("rounds", type=int)
    ap.add_argument("trees", nargs=2)
    ap.add_argument("--repeat", type=int, default=8, help="passes over the rows per measurement (default 8)")
    args = ap.parse_args()
    got = {t: [] for t in args.trees}
    for _ in range(args.rounds):
        for tree in args.trees:
            out = subprocess.run([sys.executable, "-c", ONE, tree, args.trees[0], str(args.repeat)], check=True,
                                 capture_output=True, text=True, env={"PYTHONPATH": tree, "PATH": "/usr/bin:/bin"})
            got[tree].append(float(out.stdout.split()[-1]))
            print(f"{tree}: {got[tree][-1]:.4f} ms CPU/answer", flush=True)
    for tree, values in got.items():
        print(f"median {tree}: {statistics.median(values):.4f} ms CPU/answer ({len(values)} runs)")


if __name__ == "__main__":
    main()
