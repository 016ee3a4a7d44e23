"""The labelled diagnosis corpus: hand-written expression rows (``expressions.yaml``) and the
numeric answers worked out by hand (:mod:`.numeric_mlp`, :mod:`.leaky_relu` on a fixture course), the shipped exercises' sample files (:mod:`.exercises`), as one list of :class:`Row`."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
VERDICTS = ("correct", "wrong", "wrong shape", "transposed")


@dataclass(frozen=True)
class Row:
    assignment: str
    question: str
    answer: object
    verdict: str  # the TA's: one of VERDICTS
    flag: str | None  # the catalogue id the TA names
    note: str = ""


def courses() -> dict:
    """The fixture course folders some rows' assignments live in (assignment id → folder); the
    others are the shipped course's."""
    from tests.corpora.diagnosis.leaky_relu import ASSIGNMENT, COURSE
    return {ASSIGNMENT: COURSE}


def catalog_for(assignment: str, shipped, cache: dict):
    """The catalog an assignment of the corpus is graded with: ``shipped`` or a fixture course's."""
    from grader.keys.catalog import Catalog
    root = courses().get(assignment)
    if root is None:
        return shipped
    if root not in cache:
        cache[root] = Catalog(root=root)
    return cache[root]


def rows() -> list[Row]:
    from tests.corpora.diagnosis.exercises import rows as exercise_rows
    from tests.corpora.diagnosis.leaky_relu import rows as leaky_rows
    from tests.corpora.diagnosis.numeric_mlp import rows as numeric_rows
    written = yaml.safe_load((HERE / "expressions.yaml").read_text(encoding="utf-8"))["rows"]
    return [Row(*r) for r in written] + [Row(*r) for r in numeric_rows()] + [Row(*r) for r in exercise_rows()] \
        + [Row(*r) for r in leaky_rows()]
