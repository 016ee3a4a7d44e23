"""The table of question kinds (grader.course.kinds): every strategy a row names exists in its
layer's table, the schemas list exactly the table's kinds, and each kind's key, printed as an
answer and read back by its parser, gets full marks from its comparator."""
import json

import pytest

from grader.batch.copied_answers import variant_check
from grader.course.assignment import QUANTITY_KINDS, load_assignment
from grader.course.kinds import KINDS, Kind
from grader.course.rubric import QuestionRubric, Rubric
from grader.judge.answers import COMPARATORS, PARSERS, compare_answers, parse_answer
from grader.results import CORRECT, REVIEW
from grader.keys.answer_key import KEY_ENTRIES, build_key
from grader.keys.key_text import PRINTERS, answer_value
from tests.conftest import ROOT

SCHEMAS = ROOT / "grader" / "course" / "schemas"
SHEET_SHAPES = {"value", "one per example", "symbolic", None}
# assignments that between them ask every kind (shape questions only in the engine tests' fixture)
SOURCES = [ROOT / "reference" / "mlp-numeric.yaml", ROOT / "reference" / "backprop-general.yaml",
           ROOT / "tests" / "fixtures" / "residual-tiny.yaml"]


def _kind_enums(node) -> list[list]:
    """Every ``kind`` property's enum anywhere in a schema."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "kind" and isinstance(value, dict) and "enum" in value:
                found.append(value["enum"])
            found += _kind_enums(value)
    elif isinstance(node, list):
        for value in node:
            found += _kind_enums(value)
    return found


@pytest.mark.parametrize("schema", ["assignment", "sheet"])
def test_the_schemas_list_exactly_the_tables_kinds(schema):
    enums = _kind_enums(json.loads((SCHEMAS / f"{schema}.schema.json").read_text()))
    assert enums, f"{schema}.schema.json has no 'kind' enum"
    for enum in enums:
        assert enum == list(KINDS)


def test_every_verb_has_a_kind_of_the_table():
    assert set(QUANTITY_KINDS.values()) <= set(KINDS)


def test_rows_are_keyed_by_their_own_name():
    assert all(name == kind.name for name, kind in KINDS.items())


@pytest.mark.parametrize("kind", KINDS.values(), ids=list(KINDS))
def test_every_strategy_a_row_names_exists(kind: Kind):
    assert kind.reads in PARSERS
    assert kind.judged in COMPARATORS
    assert kind.key is None or kind.key in KEY_ENTRIES
    assert kind.printed is None or kind.printed in PRINTERS
    assert kind.sheet_shape in SHEET_SHAPES


@pytest.mark.parametrize("kind", KINDS.values(), ids=list(KINDS))
def test_each_row_is_consistent(kind: Kind):
    # a kind without an engine value is answered from the reference text, and never printed as a value
    assert (kind.key is None) == (kind.printed is None)
    if kind.key is None:
        assert kind.reference_text
    if kind.by_hand:
        assert kind.reference_text and kind.reads == "text"
    # symbolic answers need the key's symbol table to be read
    assert kind.symbolic == (kind.reads == "expression")
    # misconception runs, follow-through and the copied-answers check compare arrays of numbers
    if kind.misconception_runs or kind.follow_through or kind.copy_check:
        assert kind.judged == "numbers" and kind.key == "numbers" and not kind.reference_text
    if kind.classes:
        assert kind.key == "classes" and kind.judged == "classes"
    if kind.asks_shape:
        assert kind.sheet_shape is None


def test_article():
    assert KINDS["expression"].a == "an expression"
    assert KINDS["matrix"].a == "a matrix"
    assert KINDS["manual"].a == "a manual"


@pytest.fixture(scope="module")
def keys():
    return [build_key(load_assignment(path)) for path in SOURCES]


def test_the_sources_ask_every_kind(keys):
    asked = {q.kind for key in keys for q in key.assignment.questions}
    assert asked == set(KINDS)


@pytest.mark.parametrize("name", list(KINDS))
def test_a_kinds_key_printed_and_read_back_gets_full_marks(keys, name):
    key, question = next((k, q) for k in keys for q in k.assignment.questions if q.kind == name)
    parsed = parse_answer(question, answer_value(key[question.id]), key)
    rubric = Rubric(key.assignment.id, "", {q.id: QuestionRubric() for q in key.assignment.questions})
    verdict = compare_answers({question.id: parsed}, key, rubric)[question.id]
    assert verdict.outcome == (REVIEW if KINDS[name].by_hand else CORRECT), verdict.feedback


def test_only_rows_with_the_copied_answers_check_are_compared(keys):
    key = keys[0]  # mlp-numeric: matrix questions and one class question
    mine, _ = variant_check(key, {}, {})
    checked = {qid for qid, _, _ in mine}
    assert checked == {q.id for q in key.assignment.questions if KINDS[q.kind].copy_check}
    assert checked == {q.id for q in key.assignment.questions if q.kind == "matrix"}  # numbers, not classes
    assert any(q.kind == "class" for q in key.assignment.questions)
