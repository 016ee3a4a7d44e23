"""Rubrics: points and tolerance for each question (``rubrics/<id>.yaml``).

    assignment: mlp-numeric
    defaults: {points: 1, tolerance: {rtol: 1e-3, atol: 1e-6}}
    questions:
      "ex*.z*": {points: 0.5}          # glob patterns are allowed ...
      ex1b.class: {points: 2}          # ... and later entries override earlier ones
    reveal_solution: true              # feedback files show the worked step of a lost answer (default false)
    # a "show that" answered by a write-up's chain: a share for the steps that hold (default: all or nothing)
    #   questions: {task1.delta_L: {show_that: {per_step: true}}}

Every key must match at least one question of the assignment; anything else is a
:class:`ConfigError` naming the rubric file and the key.
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass, replace
from pathlib import Path

from grader.course.assignment import Assignment
from grader.tolerance import Tolerance
from grader.errors import ConfigError
from grader.io.safe_load import load_file
from grader.io.validate import validate


@dataclass(frozen=True)
class QuestionRubric:
    points: float = 1.0
    tolerance: Tolerance = Tolerance()
    transposed: float = 0.0  # share of the points for the transposed layout
    follow_through: float = 0.5  # share for an answer right given the student's own earlier answers
    flag_credit: tuple[tuple[str, float], ...] = ()  # (misconception id, share it still earns)
    flag_feedback: tuple[tuple[str, str], ...] = ()  # (misconception id, feedback replacing the catalogue's)
    show_that_per_step: bool = False  # a "show that" chain with a wrong step earns the share of its steps that hold

    def show_that_share(self, holds: int, fails: int) -> float:
        """The share a "show that" chain earns with ``holds`` steps that hold and ``fails`` that
        do not (read steps only): all or nothing unless the rubric sets ``per_step``.

        >>> QuestionRubric().show_that_share(3, 1), QuestionRubric(show_that_per_step=True).show_that_share(3, 1)
        (0.0, 0.75)
        """
        if fails == 0:
            return 1.0
        return holds / (holds + fails) if self.show_that_per_step else 0.0

    def credit_for(self, flags: tuple[str, ...]) -> float:
        shares = dict(self.flag_credit)
        return max((shares.get(f, 0.0) for f in flags), default=0.0)


@dataclass(frozen=True)
class Rubric:
    assignment: str
    path: str
    questions: dict  # question id -> QuestionRubric
    reveal_solution: bool = False  # feedback files may show the worked step of a lost answer

    def __getitem__(self, qid: str) -> QuestionRubric:
        return self.questions[qid]

    @property
    def max_points(self) -> float:
        return sum(q.points for q in self.questions.values())


def _apply(base: QuestionRubric, settings: dict, own: tuple = ()) -> QuestionRubric:
    out = base
    if "points" in settings:
        out = replace(out, points=float(settings["points"]))
    for name in ("transposed", "follow_through"):
        if name in settings:
            out = replace(out, **{name: float(settings[name])})
    if "flags" in settings:
        from grader.course.misconceptions import BY_ID
        known = [*BY_ID, *own]  # the catalogue's and the assignment's own
        unknown = sorted(set(settings["flags"]) - set(known))
        if unknown:
            raise ConfigError(f"unknown misconception id(s) {', '.join(unknown)} (known: {', '.join(known)})")
        credit = dict(out.flag_credit) | {f: float(v["credit"]) for f, v in settings["flags"].items() if "credit" in v}
        text = dict(out.flag_feedback) | {f: v["feedback"] for f, v in settings["flags"].items() if "feedback" in v}
        out = replace(out, flag_credit=tuple(sorted(credit.items())), flag_feedback=tuple(sorted(text.items())))
    if "show_that" in settings:  # YAML gives text, JSON a bool
        per_step = str(settings["show_that"].get("per_step", out.show_that_per_step)).lower() == "true"
        out = replace(out, show_that_per_step=per_step)
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
    try:
        own = tuple(m.id for m in assignment.misconceptions)
        default = _apply(QuestionRubric(), data.get("defaults") or {}, own)
    except ConfigError as e:
        raise e.at(file=str(path), question="defaults") from None
    per_question = {qid: default for qid in assignment.question_ids}
    for pattern, settings in (data.get("questions") or {}).items():
        matched = [qid for qid in assignment.question_ids if fnmatch.fnmatchcase(qid, pattern)]
        if not matched:
            raise ConfigError(f"'{pattern}' matches no question of assignment {assignment.id}",
                              file=str(path), question=f"questions.{pattern}", line=doc.lines.get(("questions", pattern)))
        try:
            for qid in matched:
                per_question[qid] = _apply(per_question[qid], settings, own)
        except ConfigError as e:
            raise e.at(file=str(path), question=f"questions.{pattern}") from None
    reveal = str(data.get("reveal_solution", "false")).lower() == "true"  # YAML gives text, JSON a bool
    return Rubric(assignment.id, str(path), per_question, reveal_solution=reveal)
