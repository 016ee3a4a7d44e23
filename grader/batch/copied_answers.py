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

import pickle
from array import array
from collections import Counter, defaultdict
from dataclasses import replace

import numpy as np

from grader.course.kinds import KINDS
from grader.keys.catalog import Catalog
from grader.results import FOLLOW, WRONG, QuestionResult, StudentResult
from grader.result_store import ResultStore

MIN_MATCHES = 2  # one coincidence is not evidence; two fitted answers are


def variant_check(key, parsed: dict, verdicts: dict) -> tuple:
    """What :func:`mark_other_variants` needs of one student: (their key values, their wrong
    numeric answers), each a tuple of (question id, shape, flat values)."""
    mine = tuple((q.id, key[q.id].value.shape, tuple(key[q.id].value.ravel().tolist()))
                 for q in key.assignment.questions if KINDS[q.kind].copy_check and key[q.id].value is not None)
    wrong = tuple((qid, got.values.shape, tuple(got.values.ravel().tolist()))
                  for qid, got in parsed.items()
                  if hasattr(got, "values") and qid in verdicts and not verdicts[qid].correct)
    return mine, wrong


def mark_other_variants(results: ResultStore, catalog: Catalog) -> ResultStore:
    """Add a note to each student whose wrong answers fit another student's key (at least
    MIN_MATCHES of them, and at least half): the note names that student. Changes, in place,
    only the results it notes; reads each randomized result once (keys kept as float64 rows,
    wrong answers pickled, until every key of the assignment is known)."""
    summaries = results.summaries()
    by_assignment = defaultdict(list)
    for i, s in enumerate(summaries):
        if s.variants and s.student_id:
            by_assignment[s.assignment].append(i)
    notes: dict[int, str] = {}
    for assignment_id, members in by_assignment.items():
        rubric = catalog.rubric(catalog.assignment(assignment_id))
        keys: dict = {}  # (qid, shape) -> (student indices, key rows)
        wrongs: dict[int, bytes] = {}
        for i in members:
            mine, wrong = results[i].variant_check
            for qid, shape, values in mine:
                owners, rows = keys.setdefault((qid, shape), ([], _Rows()))
                owners.append(i)
                rows.add(values)
            wrongs[i] = pickle.dumps(wrong, protocol=pickle.HIGHEST_PROTOCOL)
        stacked = {k: (owners, rows.array()) for k, (owners, rows) in keys.items()}
        del keys
        for i in members:
            wrong = pickle.loads(wrongs.pop(i))
            fits: Counter = Counter()
            for qid, shape, values in wrong:
                if (qid, shape) not in stacked:
                    continue
                owners, rows = stacked[(qid, shape)]
                close = rubric[qid].tolerance.close(np.array(values)[None, :], rows).all(axis=1)
                fits.update(owners[j] for j in np.flatnonzero(close)
                            if summaries[owners[j]].student_id != summaries[i].student_id)
            if fits:
                other, count = min(fits.items(), key=lambda kv: (-kv[1], summaries[kv[0]].student_id))
                if count >= MIN_MATCHES and 2 * count >= len(wrong):
                    notes[i] = (f"{count} of {len(wrong)} wrong answers fit the numbers of student "
                                f"{summaries[other].student_id}, not this student's own")
    for i, note in notes.items():
        r = results[i]
        results[i] = _no_follow_through(replace(r, notes=r.notes + (note,)))
    return results


class _Rows:
    """One key's values for every student of an assignment, as ``np.array(rows)`` would give
    them: floats in one float64 buffer (8 bytes a value, not a tuple of float objects), any
    other values as the tuples they are."""

    def __init__(self):
        self.flat, self.n, self.width, self.tuples = array("d"), 0, 0, None

    def add(self, values: tuple) -> None:
        if self.tuples is None and all(type(x) is float for x in values):
            self.flat.extend(values)
            self.n, self.width = self.n + 1, len(values)
            return
        if self.tuples is None:  # not all floats: keep every row as given
            w = self.width
            self.tuples = [tuple(self.flat[k * w:(k + 1) * w]) for k in range(self.n)]
        self.tuples.append(values)

    def array(self) -> np.ndarray:
        if self.tuples is not None:
            return np.array(self.tuples)
        return np.array(self.flat, dtype=np.float64).reshape(self.n, self.width)


def _no_follow_through(r: StudentResult) -> StudentResult:
    """Answers worked from someone else's numbers are consistent with each other, but they are not
    this student's work: follow-through credit does not apply to them."""
    questions = tuple(
        QuestionResult(q.question, replace(q.verdict, outcome=WRONG, feedback="these are not your numbers: "
                                           "the answer follows another student's variant"), 0.0, q.max_points)
        if q.verdict.outcome == FOLLOW else q for q in r.questions)
    return replace(r, questions=questions)
