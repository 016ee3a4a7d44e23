"""Feedback in the assignment's own words (issue 18, part 5), over every question of every shipped
assignment: each catalogue message spells the quantities as the assignment does, speaks of no
quantity the question does not involve (a missing transpose on a δ question says nothing of
∂L/∂W, on a ∂L/∂W question nothing of Wᵀδ) and states no convention the assignment does not."""
import pytest

from grader.course.misconceptions import CATALOGUE, DEFAULT_WORDS, advice, words_of

MESSAGES = [m for m in CATALOGUE if not m.answer_level]


def _questions(catalog):
    for aid in catalog.known_ids():
        a = catalog.assignment(aid)
        for q in a.questions:
            if q.verb in ("grad", "updated") and len(q.nodes) == 1 and q.scenario in a.scenarios:
                yield a, q


@pytest.fixture(scope="module")
def worded(catalog):
    """(assignment, question, words, {id: feedback}) for every gradient or update question."""
    out = []
    for a, q in _questions(catalog):
        words = words_of(a, q.scenario, q)
        out.append((a, q, words, {m.id: advice([m.id], words)[1] for m in MESSAGES}))
    return out


def _asks(words, context):
    return context in words.get("contexts", ())


def test_every_kind_of_question_is_in_the_table(worded):
    kinds = {c for _, _, w, _ in worded for c in w.get("contexts", ()) if c.startswith("asks-")}
    assert {"asks-weight-gradient", "asks-signal", "asks-update", "asks-parameter-gradient"} <= kinds


def test_no_placeholder_is_left_and_no_convention_is_stated(worded):
    for a, q, _, texts in worded:
        for mid, text in texts.items():
            assert "{" + "prediction}" not in text and "{asked}" not in text and "{node}" not in text, (a.id, q.id, mid)
            assert "convention" not in text, (a.id, q.id, mid)


def test_a_missing_transpose_speaks_of_the_questions_own_quantity(worded):
    for a, q, words, texts in worded:
        text = texts["missing-transpose"]
        if _asks(words, "asks-signal"):
            assert "∂L/∂W" not in text and "aᵀ" not in text, (a.id, q.id)
        if _asks(words, "asks-weight-gradient"):
            assert "Wᵀ" not in text and "(W^(l+1))ᵀ" not in text and "δ^(l)" not in text, (a.id, q.id)
        if _asks(words, "asks-weight-gradient") or _asks(words, "asks-signal"):
            assert words["asked"] in text and words["node"] in text, (a.id, q.id)


def test_a_stray_bias_names_the_questions_gradient_not_dl_dw(worded):
    for a, q, words, texts in worded:
        if any(_asks(words, c) for c in ("asks-weight-gradient", "asks-signal", "asks-parameter-gradient")):
            assert words["asked"] in texts["stray-bias"], (a.id, q.id)
            assert "∂L/∂W" not in texts["stray-bias"] or words["asked"].startswith("∂L/∂W"), (a.id, q.id)


def test_the_prediction_and_target_are_the_assignments(worded):
    spelled = [(a, q, w, t) for a, q, w, t in worded if w["prediction"] != DEFAULT_WORDS["prediction"]]
    assert spelled  # some shipped assignment names its prediction
    for a, q, words, texts in spelled:
        for mid in ("loss-gradient-sign", "missing-half"):
            assert f"{words['prediction']} − {words['target']}" in texts[mid], (a.id, q.id, mid)
            assert "ŷ" not in texts[mid] or "ŷ" in words["prediction"], (a.id, q.id, mid)


@pytest.mark.parametrize("assignment, question, asked", [
    ("softmax-ce", "task2a.grad_W", "∂L/∂w^{(L-1)}"),      # the weight spelled as the assignment binds it
    ("softmax-ce", "task3.delta_prev", "\\delta^{(L-1)}"),     # bound since seed 000's task 3 is read
    ("softmax-ce", "task1.delta_L", "\\delta^{(L)}"),        # a bound gradient symbol: its own spelling
])
def test_the_asked_quantity_is_spelled_as_the_assignment_does(catalog, assignment, question, asked):
    a = catalog.assignment(assignment)
    q = a.question(question)
    assert words_of(a, q.scenario, q)["asked"] == asked


def test_errors_named_together_speak_of_the_questions_quantity_too(worded):
    for a, q, words, _ in worded:
        text = advice(["missing-transpose", "stray-bias"], words)[1]
        if _asks(words, "asks-signal"):
            assert "∂L/∂W" not in text and "δ aᵀ" not in text and words["asked"] in text, (a.id, q.id)
        if _asks(words, "asks-weight-gradient"):
            assert "Wᵀ δ" not in text and words["asked"] in text, (a.id, q.id)
