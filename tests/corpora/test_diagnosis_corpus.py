"""The labelled diagnosis corpus (issue 18): well-formed, large enough, covering the catalogue
in two questions or more; and graded as the TA labels it (bench/bench_diagnosis.py prints the
figures). The thresholds are the issue's: at least 97 % of the mistakes named with the TA's id,
no flag where the TA gives none, verdicts agreeing on at least 99 %."""
from collections import defaultdict

import pytest

from grader.batch.orchestrator import grade_submission
from grader.course.misconceptions import BY_ID
from grader.io.answer_files import Submission
from tests.corpora.diagnosis.corpus import VERDICTS, catalog_for, rows

ROWS = rows()


def test_the_corpus_is_large_and_well_formed():
    assert len(ROWS) >= 400
    assert all(r.verdict in VERDICTS and (r.flag is None or r.flag in BY_ID) for r in ROWS)
    questions = defaultdict(set)
    for r in ROWS:
        if r.flag:
            questions[r.flag].add((r.assignment, r.question))
    # every catalogue error in two questions or more, but for those the shipped course can show in
    # one question only: the skip path (residual-softmax's q1c.xbar), a convolution layer's input
    # gradient (conv-pool's cnn.dx) and a batch-norm input gradient (batchnorm's bn.dx)
    one_question = {"missing-skip-path", "conv-gradient-not-flipped", "normalization-statistics-constant"}
    thin = sorted(m for m in BY_ID if len(questions[m]) < (1 if m in one_question else 2))
    assert not thin, thin
    assert sum(1 for r in ROWS if r.flag is None and r.verdict != "correct") >= 40  # wrong, no misconception


@pytest.fixture(scope="module")
def graded(catalog):
    out, fixtures = [], {}
    for r in ROWS:
        result = grade_submission(Submission("<corpus>", r.assignment, "ta", answers={r.question: r.answer}),
                                  catalog_for(r.assignment, catalog, fixtures))
        out.append((r, next(q.verdict for q in result.questions if q.question == r.question)))
    return out


def test_mistakes_are_named_with_the_tas_id(graded):
    named = [r.flag in v.flags for r, v in graded if r.flag]
    assert sum(named) / len(named) >= 0.97


def test_no_flag_where_the_ta_gives_none(graded):
    assert [(r.question, r.answer, v.flags) for r, v in graded if not r.flag and v.flags] == []


def test_verdicts_agree(graded):
    agree = [v.outcome == r.verdict for r, v in graded]
    assert sum(agree) / len(agree) >= 0.99
