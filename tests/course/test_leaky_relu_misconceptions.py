"""The catalogue's ReLU misconceptions apply to leaky ReLU (issue 18): the slope is in their rule
(ReLU'(z) taken as 1 ignores it; leaky ReLU(z) for its derivative keeps it on negative z) and
their feedback speaks of leaky ReLU's slope α where the network's rectifier is leaky. The
numbers are the hand computation of tests/corpora/diagnosis/leaky_relu.py, not the engine's."""
import numpy as np
import pytest

from grader.batch.orchestrator import grade_submission
from grader.batch.selftest import run_selftest
from grader.course.misconceptions import advice, lookup
from grader.io.answer_files import Submission
from grader.keys.catalog import Catalog
from tests.corpora.diagnosis.leaky_relu import ASSIGNMENT, COURSE, run


@pytest.fixture(scope="module")
def course():
    return Catalog(root=COURSE)


def _verdict(course, question, value):
    result = grade_submission(Submission("<t>", ASSIGNMENT, "t", answers={question: np.asarray(value).tolist()}), course)
    return next(q.verdict for q in result.questions if q.question == question)


def test_the_hand_computation_is_the_key(course):
    for sid in ("s1", "s2"):
        for q, value in run(sid).items():
            assert _verdict(course, f"{sid}.{q}", value).correct


@pytest.mark.parametrize("question", ["s1.delta1", "s1.dW1", "s2.delta1", "s2.W1_new"])
def test_leaky_relu_taken_as_itself_is_named_in_leaky_words(course, question):
    sid, q = question.split(".")
    v = _verdict(course, question, run(sid, "is-leaky")[q])
    assert v.flags == ("relu-derivative-is-relu",)
    assert "the slope α for z < 0, not leaky ReLU(z) itself" in v.feedback and "max(0, z)" not in v.feedback


@pytest.mark.parametrize("question", ["s1.delta1", "s1.dW1", "s2.delta1", "s2.W1_new"])
def test_the_slope_ignored_is_relu_derivative_one(course, question):
    # 1 everywhere is also the derivative left out (and, with no z = 0, 1{z ≠ 0}): named together
    sid, q = question.split(".")
    v = _verdict(course, question, run(sid, "one")[q])
    assert set(v.flags) == {"relu-derivative-one", "relu-derivative-nonzero", "missing-activation-derivative"}


@pytest.mark.parametrize("mistake", ["relu-step", "slope-0.1"])
def test_other_slope_mistakes_are_wrong_and_named_by_no_relu_misconception(course, mistake):
    v = _verdict(course, "s1.delta1", run("s1", mistake)["delta1"])
    assert not v.correct and v.flags == ()


def test_the_relu_wording_stays_for_relu_and_for_a_place_that_is_relu():
    relu, leaky = {"contexts": frozenset()}, {"contexts": frozenset({"leaky_relu"})}
    one = lookup("relu-derivative-one")
    assert one.feedback_in(relu) == one.feedback
    assert "slope α" in one.feedback_in(leaky)
    assert "slope α" in one.feedback_in(relu, ("h = leaky_relu(z1, 0.2)",))  # the place names the op
    assert "slope α" not in one.feedback_in(relu, ("a1 = relu(z1)",))
    assert "slope α" in advice(["relu-derivative-nonzero"], leaky)[1]


def test_selftest_names_the_relu_misconceptions_on_the_leaky_course(course):
    result = run_selftest(course, ASSIGNMENT)
    assert result.failures == [] and result.checks > 10
