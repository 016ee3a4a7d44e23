"""Answers that fit another student's numbers: the sign of a copied randomized assignment.

Each student of a randomized assignment is graded against their own draw, so copied answers
score as wrong; this stage says whose numbers they fit, and withdraws follow-through credit
(answers worked from another student's numbers agree with each other, but are not the
student's own work). Grading records, per student,
their key's numeric values and their own numeric answers that were not correct
(``StudentResult.variant_check``); here every such answer is compared with every other
student's key, question by question, at the rubric's tolerance.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace

import numpy as np

from grader.catalog import Catalog
from grader.compare import FOLLOW, WRONG
from grader.scoring import QuestionResult, StudentResult

MIN_MATCHES = 2  # one coincidence is not evidence; two fitted answers are


def variant_check(key, parsed: dict, verdicts: dict) -> tuple:
    """What :func:`mark_other_variants` needs of one student: (their key values, their wrong
    numeric answers), each a tuple of (question id, shape, flat values)."""
    mine = tuple((q.id, key[q.id].value.shape, tuple(key[q.id].value.ravel().tolist()))
                 for q in key.assignment.questions if q.kind == "matrix" and key[q.id].value is not None)
    wrong = tuple((qid, got.values.shape, tuple(got.values.ravel().tolist()))
                  for qid, got in parsed.items()
                  if hasattr(got, "values") and qid in verdicts and not verdicts[qid].correct)
    return mine, wrong


def mark_other_variants(results: list[StudentResult], catalog: Catalog) -> list[StudentResult]:
    """Add a note to each student whose wrong answers fit another student's key (at least
    MIN_MATCHES of them, and at least half): the note names that student."""
    by_assignment = defaultdict(list)
    for i, r in enumerate(results):
        if r.variant_check and r.student_id:
            by_assignment[r.assignment].append(i)
    notes: dict[int, str] = {}
    for assignment_id, members in by_assignment.items():
        rubric = catalog.rubric(catalog.assignment(assignment_id))
        keys = defaultdict(lambda: ([], []))  # (qid, shape) -> (student indices, key rows)
        for i in members:
            for qid, shape, values in results[i].variant_check[0]:
                owners, rows = keys[(qid, shape)]
                owners.append(i)
                rows.append(values)
        stacked = {k: (owners, np.array(rows)) for k, (owners, rows) in keys.items()}
        for i in members:
            wrong = results[i].variant_check[1]
            fits: Counter = Counter()
            for qid, shape, values in wrong:
                if (qid, shape) not in stacked:
                    continue
                owners, rows = stacked[(qid, shape)]
                close = rubric[qid].tolerance.close(np.array(values)[None, :], rows).all(axis=1)
                fits.update(owners[j] for j in np.flatnonzero(close) if results[owners[j]].student_id != results[i].student_id)
            if fits:
                other, count = min(fits.items(), key=lambda kv: (-kv[1], results[kv[0]].student_id))
                if count >= MIN_MATCHES and 2 * count >= len(wrong):
                    notes[i] = (f"{count} of {len(wrong)} wrong answers fit the numbers of student "
                                f"{results[other].student_id}, not this student's own")
    return [_no_follow_through(replace(r, notes=r.notes + (notes[i],))) if i in notes else r
            for i, r in enumerate(results)]


def _no_follow_through(r: StudentResult) -> StudentResult:
    """Answers worked from someone else's numbers are consistent with each other, but they are not
    this student's work: follow-through credit does not apply to them."""
    questions = tuple(
        QuestionResult(q.question, replace(q.verdict, outcome=WRONG, feedback="these are not your numbers: "
                                           "the answer follows another student's variant"), 0.0, q.max_points)
        if q.verdict.outcome == FOLLOW else q for q in r.questions)
    return replace(r, questions=questions)
