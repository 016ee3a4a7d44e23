"""The quick schema check (fastjsonschema) only ever says "valid" where jsonschema does, and
says it for the documents real classes send (else it buys nothing)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.errors import ConfigError, SubmissionError
from grader.io.safe_load import load_text
from grader.io.validate import SAME_IN_DRAFT_7, keywords, load_schema, quick_check, validate, validator

ROOT = Path(__file__).resolve().parents[2]
HEAD = "assignment: mlp-numeric\nstudent: {id: s1, name: Ada}\n"


def agree(data) -> None:
    """Never "certainly valid" where jsonschema finds an error."""
    if quick_check("answer_file")(data):
        assert validator("answer_file").is_valid(data), data


def test_only_the_answer_file_schema_has_a_quick_check():
    assert quick_check("answer_file") is not None
    # $ref, $defs, anyOf...: keywords fastjsonschema's draft 7 would not read as 2020-12 does
    assert quick_check("assignment") is None and quick_check("rubric") is None
    assert "$ref" in keywords(load_schema("rubric")) - SAME_IN_DRAFT_7


def test_every_sample_and_fixture_file_is_recognised_as_valid_quickly():
    files = sorted((ROOT / "submissions").rglob("*.y*ml")) + sorted((ROOT / "submissions").rglob("*.json"))
    seen = 0
    for path in files:
        fmt = "json" if path.suffix == ".json" else "yaml"
        try:
            data = load_text(path.read_text(encoding="utf-8"), source=path.name, fmt=fmt).data
        except (SubmissionError, UnicodeDecodeError):
            continue
        if validator("answer_file").is_valid(data):
            assert quick_check("answer_file")(data), path
            seen += 1
    assert seen >= 8


@pytest.mark.parametrize("body, message", [
    ("answers: {}\nextra: 1\n", "unknown key 'extra' (the keys here: answers, assignment, notes, student)"),
    ("answers: [1]\n", "s1.yaml:3: at answers: expected a mapping (key: value) here, got a list ['1']"),
    ("answers: {ex1a.z1: 1}\nnotes: [1]\n", "s1.yaml:4: at notes: expected text here, got a list ['1']"),
], ids=["extra-field", "answers-a-list", "notes-a-list"])
def test_a_refused_document_gets_jsonschemas_finding_in_our_words(body, message):
    doc = load_text(HEAD + body, source="s1.yaml", fmt="yaml")
    assert not quick_check("answer_file")(doc.data)
    with pytest.raises(SubmissionError) as e:
        validate(doc, "answer_file", error=SubmissionError)
    assert message in str(e.value) and e.value.category == "schema"


def test_stricter_quick_check_defers_to_jsonschema():
    # fastjsonschema reads a pattern's $ as the very end; jsonschema (Python re) lets one final
    # newline through. The quick check refuses, jsonschema is asked, the file is accepted as before.
    data = {"assignment": "mlp-numeric\n", "student": {"id": "s1"}, "answers": {}}
    assert not quick_check("answer_file")(data)
    assert validator("answer_file").is_valid(data)
    validate(load_text('{"assignment": "mlp-numeric\\n", "student": {"id": "s1"}, "answers": {}}',
                       source="s1.json", fmt="json"), "answer_file", error=SubmissionError)


texts = st.text(max_size=8) | st.sampled_from(["", "mlp-numeric", "s1", "a/b", "x" * 65, " s", "s\n", "é"])
values = st.recursive(texts | st.integers() | st.booleans() | st.none() | st.floats(allow_nan=False),
                      lambda kids: st.lists(kids, max_size=3) | st.dictionaries(texts, kids, max_size=3),
                      max_leaves=8)
fields = st.sampled_from(["assignment", "student", "answers", "notes", "id", "name", "email", "extra"])
students = st.dictionaries(st.sampled_from(["id", "name", "email", "x"]), values | texts, max_size=4)
documents = st.dictionaries(fields, values | students | st.dictionaries(texts, values, max_size=4), max_size=5)


@settings(max_examples=400, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(documents)
def test_quick_check_never_accepts_what_jsonschema_refuses(doc):
    agree(doc)


@settings(max_examples=200, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(st.fixed_dictionaries({"assignment": texts, "student": students,
                              "answers": st.dictionaries(texts, values, max_size=4)},
                             optional={"notes": texts, "extra": values}))
def test_quick_check_agrees_on_nearly_valid_documents(doc):
    agree(doc)


def test_a_missing_key_and_a_place_with_a_description_are_said_in_words():
    doc = load_text("assignment: mlp-numeric\nstudent: {name: Ada}\nanswers: {}\n", source="s1.yaml", fmt="yaml")
    with pytest.raises(SubmissionError) as e:
        validate(doc, "answer_file", error=SubmissionError)
    assert "at student: missing 'id'" in str(e.value)
    text = re.sub(r"    examples:\n(      - .*\n)+", "    examples:\n      x: [1, 0, 2]\n",
                  (ROOT / "reference" / "batchnorm.yaml").read_text())
    doc = load_text(text, source="bn.yaml", fmt="yaml")
    with pytest.raises(ConfigError) as e:
        validate(doc, "assignment", error=ConfigError)
    assert "at scenarios.batch.examples: expected a list here, got a mapping" in str(e.value)
    assert "one item per example" in str(e.value)  # the schema's description of the place
