"""Rubrics: points and tolerance for each question (``rubrics/<id>.yaml``).

    assignment: mlp-numeric
    defaults: {points: 1, tolerance: {rtol: 1e-3, atol: 1e-6}}
    questions:
      "ex*.z*": {points: 0.5}          # glob patterns are allowed ...
      ex1b.class: {points: 2}          # ... and later entries override earlier ones

Every key must match at least one question of the assignment; anything else is a
:class:`ConfigError` naming the rubric file and the key.
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass, replace
from pathlib import Path

from grader.assignment import Assignment
from grader.compare import Tolerance
from grader.errors import ConfigError
from grader.io.safe_load import load_file
from grader.io.validate import validate


@dataclass(frozen=True)
class QuestionRubric:
    points: float = 1.0
    tolerance: Tolerance = Tolerance()


@dataclass(frozen=True)
class Rubric:
    assignment: str
    path: str
    questions: dict  # question id -> QuestionRubric

    def __getitem__(self, qid: str) -> QuestionRubric:
        return self.questions[qid]

    @property
    def max_points(self) -> float:
        return sum(q.points for q in self.questions.values())


def _apply(base: QuestionRubric, settings: dict) -> QuestionRubric:
    out = base
    if "points" in settings:
        out = replace(out, points=float(settings["points"]))
    if "tolerance" in settings:
        t = settings["tolerance"]
        out = replace(out, tolerance=Tolerance(
            rtol=float(t.get("rtol", out.tolerance.rtol)),
            atol=float(t.get("atol", out.tolerance.atol)),
            sigfigs=int(t["sigfigs"]) if "sigfigs" in t else out.tolerance.sigfigs))
    return out


def load_rubric(path: Path, assignment: Assignment) -> Rubric:
    """Read and validate a rubric against its assignment (raises ConfigError)."""
    doc = load_file(Path(path))
    validate(doc, "rubric", error=ConfigError)
    data = doc.data
    if data["assignment"] != assignment.id:
        raise ConfigError(f"rubric is for assignment '{data['assignment']}', not '{assignment.id}'",
                          file=str(path), question="assignment")
    default = _apply(QuestionRubric(), data.get("defaults") or {})
    per_question = {qid: default for qid in assignment.question_ids}
    for pattern, settings in (data.get("questions") or {}).items():
        matched = [qid for qid in assignment.question_ids if fnmatch.fnmatchcase(qid, pattern)]
        if not matched:
            raise ConfigError(f"'{pattern}' matches no question of assignment {assignment.id}",
                              file=str(path), question=f"questions.{pattern}", line=doc.lines.get(("questions", pattern)))
        for qid in matched:
            per_question[qid] = _apply(per_question[qid], settings)
    return Rubric(assignment.id, str(path), per_question)
