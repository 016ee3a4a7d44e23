"""The labelled diagnosis corpus: hand-written expression rows (``expressions.yaml``) and the
numeric answers worked out by hand (:mod:`.numeric_mlp`), the shipped exercises' sample files (:mod:`.exercises`), as one list of :class:`Row`."""
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


def rows() -> list[Row]:
    from tests.corpora.diagnosis.exercises import rows as exercise_rows
    from tests.corpora.diagnosis.numeric_mlp import rows as numeric_rows
    written = yaml.safe_load((HERE / "expressions.yaml").read_text(encoding="utf-8"))["rows"]
    return [Row(*r) for r in written] + [Row(*r) for r in numeric_rows()] + [Row(*r) for r in exercise_rows()]
