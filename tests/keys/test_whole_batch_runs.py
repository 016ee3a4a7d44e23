"""``whole-batch-vs-single`` for answer files (issue 18): a one-example part answered with the
numbers of the batch part that starts with that example (seed 004's Exercises 2 and 3, as its
write-up does for Exercise 3: grader/judge/derivation/numbers.py), and a batch part's gradients
answered with the one example's, are flagged with that id wherever the numbers differ from the
key; where they coincide (ex3's ∂E/∂W1: the second example's x adds nothing there) they are right."""
import pytest

from grader.batch.orchestrator import grade_submission
from grader.io.answer_files import Submission

PAIRS = [("ex2a", "ex2b"), ("ex3a", "ex3b")]


def _verdict(catalog, question, value):
    result = grade_submission(Submission("<t>", "mlp-numeric", "t", answers={question: value.tolist()}), catalog)
    return next(q.verdict for q in result.questions if q.question == question)


@pytest.mark.parametrize("single, batch", PAIRS)
def test_a_single_part_answered_with_the_batchs_numbers(catalog, single, batch):
    a = catalog.assignment("mlp-numeric")
    key, rubric = catalog.key(a), catalog.rubric(a)
    flagged = 0
    for q in a.questions:
        if q.scenario != single or f"{batch}.{q.id.split('.', 1)[1]}" not in key.entries:
            continue
        theirs = key[f"{batch}.{q.id.split('.', 1)[1]}"].value
        v = _verdict(catalog, q.id, theirs)
        same = theirs.shape == key[q.id].shape and rubric[q.id].tolerance.close(theirs, key[q.id].value).all()
        assert v.correct if same else v.flags == ("whole-batch-vs-single",), (q.id, v.outcome, v.flags)
        flagged += not same
    assert flagged >= 10


@pytest.mark.parametrize("single, batch", PAIRS)
def test_a_batch_parts_gradients_answered_with_the_one_examples(catalog, single, batch):
    a = catalog.assignment("mlp-numeric")
    key, rubric = catalog.key(a), catalog.rubric(a)
    for q in a.questions:
        if q.scenario != batch or q.verb != "grad" or f"{single}.{q.id.split('.', 1)[1]}" not in key.entries:
            continue
        theirs = key[f"{single}.{q.id.split('.', 1)[1]}"].value
        v = _verdict(catalog, q.id, theirs)
        same = theirs.shape == key[q.id].shape and rubric[q.id].tolerance.close(theirs, key[q.id].value).all()
        assert v.correct if same else "whole-batch-vs-single" in v.flags, (q.id, v.outcome, v.flags)
