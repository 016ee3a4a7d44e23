#!/usr/bin/env python3
"""How fast write-ups are graded: one 3-page write-up, and a class of write-ups.

    python bench/bench_writeups.py [--students 500] [--jobs 2] [--repeat 5]

1. *One write-up*: the five seeds and the test corpus joined into one softmax-ce write-up of
   about three pages (every chain, noise included), graded the way ``grade FOLDER`` grades a
   write-up (:func:`grader.batch.writeup_grading.grade_writeup`: read, every step checked,
   answers graded): the first call (answer keys and instances built) and the best of
   ``--repeat`` later calls (keys built once per run, as in a class run).
   Then seed 004 as written (mlp-numeric: numbers matched to the questions they answer), and
   the annotated HTML of the three pages (every formula converted to MathML afresh).
2. *A class*: ``--students`` write-ups in a fresh folder, each a random mix of right and wrong
   chains of the corpus, 1-3 chains per question, plus a line of its own (so no two files are
   the same text), graded by :func:`grader.batch.orchestrator.grade_folder` with ``--jobs``
   workers: wall seconds, files per second.
3. *A numeric class*: ``--students`` copies of seed 004 (every step computed with its
   exercise's numbers), a third with one number changed, each with a line of its own.

Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.batch.orchestrator import grade_folder  # noqa: E402
from grader.batch.writeup_grading import grade_writeup  # noqa: E402
from grader.keys.catalog import Catalog  # noqa: E402

SEEDS = ROOT / "submissions" / "writeups"
CORPUS = ROOT / "tests" / "judge" / "writeups"

# chains of a softmax-ce write-up: (right, wrong) spellings per question
CHAINS = [
    (r"$$\frac{\partial L}{\partial \tilde{z}_j^{(L)}} = \sum_{i=1}^C -y_i (\delta_{ij} - \hat{y}_j) = \hat{y}_j - y_j$$",
     r"$$\frac{\partial L}{\partial \tilde{z}^{(L)}} = y - \hat{y}$$"),
    (r"$$\nabla_{w^{(L-1)}} L = \delta^{(L)} (z^{(L-1)})^T = (\hat{y} - y) (z^{(L-1)})^T$$",
     r"$$\nabla_{w^{(L-1)}} L = \hat{y} - y$$"),
    (r"$$\frac{\partial L}{\partial w_{ij}^{(L-1)}} = \delta_i^{(L)} z_j^{(L-1)}$$",
     r"$$\frac{\partial L}{\partial w_{ij}^{(L-1)}} = \delta_i^{(L)} z_j^{(L-1)} + b_i^{(L-1)}$$"),
    ("\\begin{align}\n\\frac{\\partial L}{\\partial b^{(L-1)}} &= \\delta^{(L)} \\\\\n &= \\hat{y} - y\n\\end{align}",
     r"$$\nabla_{b^{(L-1)}} L = y - \hat{y}$$"),
    (r"$$\phi'(x) = \mathbb{1}\{x > 0\}$$", r"$$\phi'(x) = \mathbb{1}\{x \neq 0\}$$"),
]
NOISE = [r"$$S^{(1)} = g - y, \quad as \quad also ired$$", r"$$(a) = \frac{1}{2} \frac{2}{2} \frac{1$$",
         "Thus, from Si = Jo - ys, we have"]


def writeup_of(paths) -> str:
    """One softmax-ce write-up made of the text of ``paths`` (their first lines dropped)."""
    parts = [p.read_text(encoding="utf-8").split("\n", 1)[1] for p in paths]
    return "assignment: softmax-ce, student: bench\n" + "\n\n".join(parts)


# three pages of handwriting, transcribed: seeds 000, 001 and 003 (about 190 lines, 10 kB)
THREE_PAGES = [SEEDS / "seed000_softmax-ce.md", SEEDS / "seed001_softmax-ce.md", SEEDS / "seed003_residual-softmax.md"]
# and everything: the five seeds and the test corpus (about 570 lines, 37 kB)
EVERYTHING = sorted(SEEDS.glob("*.md")) + sorted(CORPUS.glob("*.md"))


def forget() -> None:
    """Clear what grading remembers per text, so a timed write-up is one never seen before."""
    from grader.judge.derivation import layout, named, numbers, numeric_steps, numeric_values, steps

    layout.readable.cache_clear()
    steps._PARSED.clear()
    named._SYMBOLS.clear()
    numeric_values._PARSED.clear()
    numeric_values.with_literals.cache_clear()
    numeric_steps._CHAINS.clear()
    numbers._FOUND.clear()


def numeric_writeup(n: int, text: str, rng: random.Random) -> str:
    """Seed 004 as student ``n``'s, one of its numbers changed in a third of them (a slip)."""
    if rng.random() < 1 / 3:
        spots = [m for m in re.finditer(r"(?<=[ {&])0\.\d{4,}", text)]
        m = rng.choice(spots)
        text = text[:m.start()] + f"{float(m.group()) * 1.5:.6f}" + text[m.end():]
    return f"assignment: mlp-numeric, student: s{n:05d}\n" + text + f"\n$$z = {n}$$\n"


def student_writeup(n: int, rng: random.Random) -> str:
    lines = [f"assignment: softmax-ce, student: s{n:05d}", ""]
    for right, wrong in CHAINS:
        for _ in range(rng.randint(1, 3)):
            lines += ["", wrong if rng.random() < 0.3 else right]
    lines += ["", rng.choice(NOISE), "", f"$$\\hat{{y}} - y = \\delta^{{(L)}} + 0 \\cdot {n}$$"]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--students", type=int, default=500)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    catalog = Catalog(root=ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for label, paths in (("3 pages", THREE_PAGES), ("all seeds and corpus", EVERYTHING)):
            text = writeup_of(paths)
            one = folder / label.replace(" ", "_") / "bench.md"
            one.parent.mkdir()
            one.write_text(text, encoding="utf-8")
            t0 = time.perf_counter()
            result = grade_writeup(one, one.parent, catalog)
            first = time.perf_counter() - t0
            times = []
            for _ in range(args.repeat):
                forget()
                t0 = time.perf_counter()
                grade_writeup(one, one.parent, catalog)
                times.append(time.perf_counter() - t0)
            steps = sum(len(c.steps) for c in result.writeup.chains)
            print(f"one write-up, {label}: {len(text.split(chr(10)))} lines, {len(text)} characters, "
                  f"{len(result.writeup.chains)} chains, {steps} steps: first call {first:.2f} s (keys built), "
                  f"then never-seen text best {min(times):.3f} s (median {sorted(times)[len(times) // 2]:.3f} s)")
        # seed 004 as written (mlp-numeric): its numbers matched to the questions they answer
        seed4 = SEEDS / "seed004_mlp-numeric.md"
        t0 = time.perf_counter()
        result = grade_writeup(seed4, SEEDS, catalog)
        first = time.perf_counter() - t0
        times = []
        for _ in range(args.repeat):
            forget()
            t0 = time.perf_counter()
            grade_writeup(seed4, SEEDS, catalog)
            times.append(time.perf_counter() - t0)
        print(f"seed 004 (numbers): {len(result.writeup.answers)} questions answered: first call {first:.2f} s "
              f"(keys built), then best {min(times):.3f} s (median {sorted(times)[len(times) // 2]:.3f} s)")
        # the annotated HTML of the 3-page write-up, every formula converted to MathML afresh
        from grader.reports.annotated_writeup import writeup_html
        from grader.reports.mathml import formula_html

        three = grade_writeup(folder / "3_pages" / "bench.md", folder / "3_pages", catalog).writeup
        times = []
        for _ in range(args.repeat):
            formula_html.cache_clear()
            t0 = time.perf_counter()
            page = writeup_html(three)
            times.append(time.perf_counter() - t0)
        print(f"annotated HTML of the 3 pages: {page.count('<math ')} formulas as MathML, best {min(times):.3f} s "
              f"(median {sorted(times)[len(times) // 2]:.3f} s)")
        rng = random.Random(20)
        cls = folder / "class"
        cls.mkdir()
        for n in range(args.students):
            (cls / f"s{n:05d}.md").write_text(student_writeup(n, rng), encoding="utf-8")
        t0 = time.perf_counter()
        graded = grade_folder(cls, catalog=Catalog(root=ROOT), jobs=args.jobs)
        wall = time.perf_counter() - t0
        rows = graded.students.summaries()
        print(f"class: {len(rows)} write-ups graded with --jobs {args.jobs} in {wall:.1f} s "
              f"({len(rows) / wall:.0f} files/s); rejected {sum(r.rejected for r in rows)}")
        # a numeric class: seed 004 (211 lines, every step computed with its exercise's numbers)
        # per student, a third of them with an arithmetic slip in one matrix
        numeric = folder / "numeric"
        numeric.mkdir()
        text = (SEEDS / "seed004_mlp-numeric.md").read_text(encoding="utf-8").split("\n", 1)[1]
        for n in range(args.students):
            (numeric / f"s{n:05d}.md").write_text(numeric_writeup(n, text, rng), encoding="utf-8")
        t0 = time.perf_counter()
        graded = grade_folder(numeric, catalog=Catalog(root=ROOT), jobs=args.jobs)
        wall = time.perf_counter() - t0
        rows = graded.students.summaries()
        print(f"numeric class: {len(rows)} copies of seed 004 graded with --jobs {args.jobs} in {wall:.1f} s "
              f"({len(rows) / wall:.0f} files/s); rejected {sum(r.rejected for r in rows)}")


if __name__ == "__main__":
    main()
