"""Which random draws may be handed out: each must tell the common errors apart.

A draw of a randomized assignment (:mod:`grader.randomize`) is rejected, and the next attempt
drawn from the same seed chain, when it is degenerate:

- a gradient (``grad`` question: a δ, ∂L/∂W, ∂L/∂b) that is all zeros;
- a tie for the predicted class (``class`` question);
- a ReLU pre-activation exactly at 0 (unless the file's ``draws.allow_kinks`` is ``true``);
- a saturated sigmoid: an output above ``draws.saturation`` (default 0.99) or below 1 − it;
- a catalogue misconception that, on a question it applies to, gives the key's answer, or two
  that give the same answer as each other (both within the rubric's tolerance).

"Applies to" and "tell apart" are learned from a few probe draws of the same assignment
(:func:`profile`): a misconception applies to a question when it changes that question's
answer on some probe; two misconceptions are told apart there when they differ on some probe.
Pairs that coincide on every probe are the same error for that question (the flag names both)
and are not asked to differ.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations

import numpy as np

from grader.assignment import Assignment, build_drawn
from grader.engine.autodiff import EXACT, FLOAT
from grader.engine.backends import exact_sign
from grader.errors import ConfigError
from grader.key import AnswerKey, KINK_OPS, build_key, run_scenarios
from grader.randomize import realise, student_rng
from grader.rubric import Rubric
from grader.variants import variant_values

PROBES = 4


@dataclass(frozen=True)
class Screening:
    """The file's ``draws`` options."""

    max_attempts: int = 50
    saturation: float = 0.99
    allow_kinks: bool = False

    @classmethod
    def of(cls, template: Assignment) -> "Screening":
        options = (template.draws or {}).get("draws") or {}
        return cls(int(options.get("max_attempts", cls.max_attempts)),
                   float(Fraction(options.get("saturation", "0.99"))),
                   options.get("allow_kinks", "false") == "true")


@dataclass(frozen=True)
class Profile:
    """Per question: the misconceptions that apply, and the pairs that probes tell apart."""

    applies: dict = field(default_factory=dict)  # qid -> frozenset of misconception ids
    separable: dict = field(default_factory=dict)  # qid -> frozenset of frozenset pairs


@dataclass(frozen=True)
class Draw:
    """One student's accepted draw: the assignment with their numbers, its key, the raw
    misconception values, and why earlier attempts were rejected."""

    assignment: Assignment
    key: AnswerKey
    values: dict
    attempt: int
    rejected: tuple[tuple[int, tuple[str, ...]], ...] = ()


def drawn(template: Assignment, student_id: str, salt: str, attempt: int) -> Assignment:
    """Attempt ``attempt`` of ``student_id``'s numbers (no screening)."""
    data = realise(template.draws, student_rng(template.id, student_id, salt, attempt), template.path)
    return build_drawn(template, data, f"{student_id}#{attempt}")


def profile(template: Assignment, rubric: Rubric) -> Profile:
    """Learn, from PROBES draws that belong to no student, which misconceptions apply to which
    question and which pairs differ there."""
    applies: dict[str, set] = {}
    separable: dict[str, set] = {}
    for i in range(PROBES):
        a = drawn(template, f"\x00probe{i}", "", 0)
        key = build_key(a, cross_check=False)
        values = variant_values(a, key)
        for q in a.questions:
            present = {m: v[q.id] for m, v in values.items() if q.id in v}
            applies.setdefault(q.id, set()).update(present)
            for m1, m2 in combinations(sorted(present), 2):
                if not _same(present[m1], present[m2], rubric[q.id].tolerance):
                    separable.setdefault(q.id, set()).add(frozenset((m1, m2)))
    return Profile({q: frozenset(s) for q, s in applies.items()},
                   {q: frozenset(s) for q, s in separable.items()})


def _same(a: np.ndarray, b: np.ndarray, tol) -> bool:
    """Indistinguishable at grading tolerance (either one would be accepted for the other)."""
    return a.shape == b.shape and bool(tol.close(a, b).all() or tol.close(b, a).all())


def problems(a: Assignment, key: AnswerKey, values: dict, rubric: Rubric, prof: Profile,
             screening: Screening) -> list[str]:
    """Why a draw is degenerate (empty when it may be handed out)."""
    found: list[str] = []
    for q in a.questions:
        entry = key[q.id]
        if q.verb == "grad" and entry.value is not None and not entry.value.any():
            found.append(f"{q.id}: the gradient is all zeros")
        if q.kind == "class" and any(len(t) > 1 for t in entry.tied):
            found.append(f"{q.id}: a tie for the predicted class")
    found += _forward_problems(a, screening)
    for q in a.questions:
        tol = rubric[q.id].tolerance
        mine = {m: v[q.id] for m, v in values.items() if q.id in v}
        for m in sorted(prof.applies.get(q.id, ())):
            if m in mine and _same(mine[m], key[q.id].value, tol):  # absent: it cannot arise on this draw
                found.append(f"{q.id}: misconception {m} gives the key's answer")
        for pair in sorted(prof.separable.get(q.id, ()), key=sorted):
            m1, m2 = sorted(pair)
            if m1 in mine and m2 in mine and _same(mine[m1], mine[m2], tol):
                found.append(f"{q.id}: misconceptions {m1} and {m2} give the same answer")
    return found


def _differing(values: dict, key: AnswerKey) -> dict:
    """The values a misconception can be flagged by: those that differ from the key."""
    out = {}
    for m, per_question in values.items():
        kept = {q: v for q, v in per_question.items()
                if v.shape != key[q].shape or not np.allclose(v, key[q].value, rtol=1e-9, atol=1e-12)}
        if kept:
            out[m] = kept
    return out


def _forward_problems(a: Assignment, screening: Screening) -> list[str]:
    found = []
    kinks = any(n.op in KINK_OPS for g in a.graphs.values() for n in g.nodes)
    runs = run_scenarios(a, backend=FLOAT)
    exact = run_scenarios(a, backend=EXACT) if kinks and not screening.allow_kinks else {}
    low = 1 - screening.saturation
    for name, ev in runs.items():
        graph = a.graphs[a.scenarios[name].network]
        for node in graph.nodes:
            if node.op == "sigmoid":
                out = np.asarray(ev.values[node.name], dtype=float)
                if (out > screening.saturation).any() or (out < low).any():
                    found.append(f"{name}: sigmoid {node.name} is saturated (outside [{low:g}, {screening.saturation:g}])")
            if node.op in KINK_OPS and name in exact:
                if any(exact_sign(v) == 0 for v in np.asarray(exact[name].values[node.args[0]]).ravel()):
                    found.append(f"{name}: a pre-activation {node.args[0]} of {node.op} is exactly 0")
    return found


def screened_draw(template: Assignment, student_id: str, salt: str, rubric: Rubric, prof: Profile) -> Draw:
    """The first attempt of ``student_id``'s seed chain with no problem (deterministic)."""
    screening = Screening.of(template)
    rejected = []
    for attempt in range(screening.max_attempts):
        a = drawn(template, student_id, salt, attempt)
        key = build_key(a)
        values = variant_values(a, key, keep_equal=True)
        found = problems(a, key, values, rubric, prof, screening)
        if not found:
            return Draw(a, key, _differing(values, key), attempt, tuple(rejected))
        rejected.append((attempt, tuple(found)))
    raise ConfigError(f"no usable draw for student '{student_id}' in {screening.max_attempts} attempts; the last was "
                      f"rejected for: {'; '.join(rejected[-1][1][:3])}", file=template.path)
