"""Printing an answer key: as text for people, as JSON or as a ready answer file.

Every printed number is the float nearest the exact value, printed with as many digits as
it takes to read back the same float (up to 17 significant), so pasting it into an answer
file scores full marks. A column vector prints as a flat list, a 1×1 value as a number.
"""
from __future__ import annotations

import json

import numpy as np
import yaml

from grader.course.kinds import KINDS
from grader.keys.answer_key import AnswerKey, KeyEntry


def answer_value(entry: KeyEntry):
    """The key entry as a plain JSON value that scores full marks when pasted back."""
    if entry.value is None:  # an expression or manual question: its reference text
        return entry.expression
    return PRINTERS[KINDS[entry.question.kind].printed](entry.value)


def _shape_value(value: np.ndarray) -> str:
    return "{}x{}".format(*(int(x) for x in value.ravel()))


def _classes_value(value: np.ndarray):
    """One class, or a list of them (one per example)."""
    classes = [int(c) for c in value.ravel()]
    return classes[0] if len(classes) == 1 else classes


def _numbers_value(value: np.ndarray):
    """A number (1×1), a flat list (a column vector) or a list of rows."""
    v = np.asarray(value, dtype=float)
    if v.shape == (1, 1):
        return float(v[0, 0])
    if v.shape[1] == 1:
        return [float(x) for x in v[:, 0]]
    return [[float(x) for x in row] for row in v]


# a Kind's ``printed`` -> the key's value as a plain JSON value
PRINTERS = {"numbers": _numbers_value, "classes": _classes_value, "shape": _shape_value}


def key_json(key: AnswerKey) -> str:
    questions = [{"id": q.id, "kind": q.kind, "answer": answer_value(key[q.id])} for q in key.assignment.questions]
    return json.dumps({"assignment": key.assignment.id, "arithmetic": key.arithmetic, "questions": questions}, indent=2)


def key_answer_file(key: AnswerKey, *, student_id: str = "KEY") -> str:
    """A complete answer file (YAML) holding the key: a template, and a full-marks fixture."""
    data = {"assignment": key.assignment.id, "student": {"id": student_id, "name": "Answer key"},
            "answers": {q.id: answer_value(key[q.id]) for q in key.assignment.questions}}
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=200)


def kink_conventions(assignment, *graphs) -> str:
    """``ReLU'(0) = 0`` (and leaky ReLU's value at 0) when one of ``graphs`` (default: the
    assignment's) has a ReLU or leaky ReLU; "" when none has."""
    at_zero = assignment.rules.relu_grad_at_zero
    parts = []
    nodes = [n for g in (graphs or assignment.graphs.values()) for n in g.nodes]
    if any(n.op == "relu" for n in nodes):
        parts.append(f"ReLU'(0) = {at_zero}")
    consts = {n.name: n.value for n in nodes if n.op == "const"}
    for slope in sorted({consts.get(n.args[1]) for n in nodes if n.op == "leaky_relu"} - {None}):
        parts.append(f"LeakyReLU'(0) = {at_zero + (1 - at_zero) * slope} (slope {slope})")
    return "; ".join(parts)


def conventions_text(assignment, *, graphs=None) -> str:
    """The conventions the key follows, stated with it (ReLU'(0) where a network of ``graphs``,
    default all the assignment's, has a ReLU; batch reduction; classes)."""
    parts = []
    kinks = kink_conventions(assignment, *graphs) if graphs is not None else kink_conventions(assignment)
    if kinks and (graphs is None or graphs):
        parts.append(kinks)
    parts.append(f"batch gradients are the {assignment.rules.reduction} over examples")
    if any(KINDS[q.kind].classes for q in assignment.questions):
        parts.append(f"classes are numbered from {assignment.class_base}")
    return "Conventions: " + "; ".join(parts) + "."


def key_text(key: AnswerKey) -> str:
    a = key.assignment
    lines = [f"{a.id}: {a.title}", conventions_text(a)] + ([f"Computed in {key.arithmetic}."] if key.arithmetic else []) + [""]
    for q in a.questions:
        value = answer_value(key[q.id])
        if isinstance(value, str):
            shown = value
        elif isinstance(value, list) and isinstance(value[0], list):
            shown = "[" + ", ".join(json.dumps(r) for r in value) + "]"
        else:
            shown = json.dumps(value)
        lines.append(f"{q.id:<16} {shown}" + (f"    # {q.text}" if q.text else ""))
    return "\n".join(lines)
