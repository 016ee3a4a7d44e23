"""The notation corpus (``tests/corpora/notation/corpus.yaml``, written by its ``make_corpus.py``):
at least 300 answers in the notations of issue 17 and the seeds', right and wrong, each graded as
the pipeline grades it and required to get exactly the verdict it was built with."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import yaml

from grader.errors import AnswerError
from grader.judge.answers import parse_answer
from grader.judge.symbolic.equivalence import compare_expression, expression_key

CORPUS = Path(__file__).resolve().parent.parent / "corpora" / "notation" / "corpus.yaml"
ENTRIES = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))


def test_corpus_is_large_and_balanced():
    verdicts = Counter(e["verdict"] for e in ENTRIES)
    assert len(ENTRIES) >= 300 and verdicts["correct"] >= 150 and verdicts["wrong"] >= 100, verdicts
    assert len({(e["assignment"], e["question"], e["answer"]) for e in ENTRIES}) == len(ENTRIES)


def test_every_corpus_answer_gets_its_verdict(catalog):
    misses = []
    keys = {}
    for e in ENTRIES:
        assignment = catalog.assignment(e["assignment"])
        question = assignment.question(e["question"])
        if (e["assignment"], e["question"]) not in keys:
            key = catalog.key(assignment)
            keys[e["assignment"], e["question"]] = (key, expression_key(assignment, question, key[question.id].exact))
        key, ekey = keys[e["assignment"], e["question"]]
        try:
            outcome = compare_expression(parse_answer(question, e["answer"], key), ekey).outcome
        except AnswerError as err:
            outcome = f"refused: {err.describe()}"
        if outcome != e["verdict"]:
            misses.append(f"{e['question']}: {e['answer']!r}: {outcome}, expected {e['verdict']}")
    assert not misses, f"{len(misses)} of {len(ENTRIES)}:\n" + "\n".join(misses)
