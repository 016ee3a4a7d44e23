"""The public sheet of an assignment: what a student may see, and all `grade check` needs.

An assignment file holds the key (weights, inputs, targets, learning rates, draw specs, and the
reference expressions); it belongs on the course's machine. Its public sheet
(``grade publish ASSIGNMENT --out DIR`` writes ``DIR/<id>.sheet.json``, schema
``grader/course/schemas/sheet.schema.json``) holds only:

- the title, and per question its id, text and kind (``matrix`` numbers, ``class``,
  ``shape``, ``expression``, ``manual``);
- for a numeric question the expected shape, and for an expression question the shape of the
  quantity, both written in size symbols (``d x 1``; a fixed network's sizes are numbers). A
  network whose widths are drawn per student gets no shape: it would be one draw's numbers;
- for an expression question its scenario, whether its answer is a shape or a count, its free
  indices; and the declared symbols (spellings and shape in size symbols), sizes (spellings),
  function spellings and indices an answer may use.

Nothing from which a value can be computed is in it: no numbers of the scenarios, no
description, no reference answer, no rubric, no misconception. The sheet of a randomized
assignment is the same for every salt (nothing in it is drawn).

:class:`Sheet` reads a sheet back and parses answers against it exactly as grading does (the
same parsers and the same symbol table), so ``grade check`` gives the same problems from a
sheet as from the course's assignment file.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from grader.course.assignment import Assignment, Binding, Question
from grader.course.kinds import KINDS
from grader.errors import AnswerError, ConfigError, SubmissionError

FORMAT = "backprop-grader public sheet 1"
SUFFIX = ".sheet.json"


# --- making a sheet (the course's machine) --------------------------------------------------------

def make_sheet(assignment: Assignment) -> dict:
    """The public sheet of ``assignment`` as plain data (every value a string or a list)."""
    from grader.judge.sheet_shapes import question_shapes

    sizes = {name: list(spellings) for name, (_, spellings) in assignment.sizes.items()}
    questions, shapes = [], question_shapes(assignment)
    for q in assignment.questions:
        entry = {"id": q.id, "kind": q.kind, "text": q.text}
        if KINDS[q.kind].symbolic:  # what its answer may be written in
            entry["scenario"] = q.scenario
            entry["form"] = {"shape": "shape", "count": "count"}.get(q.verb, "value")
            if q.indices:
                entry["indices"] = list(q.indices)
        if shapes[q.id] is not None:
            entry["shape"] = shapes[q.id]
        questions.append(entry)
    used = sorted({q.scenario for q in assignment.questions if KINDS[q.kind].symbolic})
    symbols = {scenario: _public_symbols(assignment, scenario) for scenario in used}
    sheet = {"sheet": FORMAT, "assignment": assignment.id, "title": assignment.title}
    if used:
        sheet.update({"sizes": sizes, "functions": {k: list(v) for k, v in assignment.functions.items()},
                      "indices": list(assignment.indices), "symbols": symbols})
    sheet["questions"] = questions
    return sheet


def _public_symbols(assignment: Assignment, scenario: str) -> dict:
    """Each symbol's spellings and shape, and how gradients relate them (``derivable``: the loss
    may be differentiated by it, ``\\frac{\\partial J}{\\partial Z^{[L]}}``; ``gradient_of``: it
    names that gradient, as ``\\delta^{[L]}`` does): what reading needs, no node of the graph."""
    from grader.judge.sheet_shapes import symbol_shapes
    from grader.judge.symbolic.gradients import gradient_symbols

    bindings = assignment.symbols.get(scenario, {})
    shapes, derivable = symbol_shapes(assignment, scenario), gradient_symbols(bindings)
    by_node = {b.quantity: name for name, b in bindings.items()}
    out = {}
    for name, b in bindings.items():
        entry = {"spellings": list(b.spellings)}
        if shapes.get(name):
            entry["shape"] = shapes[name]
        if name in derivable:
            entry["derivable"] = True
        if b.quantity.startswith("grad ") and b.quantity[5:] in by_node:
            entry["gradient_of"] = by_node[b.quantity[5:]]
        out[name] = entry
    return out


def _binding(name: str, entry: dict) -> Binding:
    """A sheet's symbol as a binding: a stand-in quantity (the symbol's own name) that keeps which
    symbol is whose gradient, so a sheet reads ∂ and ∇ as the course's file does."""
    quantity = name if entry.get("derivable") else (f"grad {entry['gradient_of']}" if "gradient_of" in entry else "")
    return Binding(quantity, tuple(entry["spellings"]))


def sheet_text(sheet: dict) -> str:
    """The sheet as written: JSON, two-space indents, keys in the order made, UTF-8 (byte-stable,
    so a committed sheet can be compared with a fresh one)."""
    return json.dumps(sheet, indent=2, ensure_ascii=False) + "\n"


def publish(assignment: Assignment, out_dir: Path) -> Path:
    """Write ``out_dir/<id>.sheet.json`` (the folder is made if needed); returns its path."""
    from grader.io.outputs import write_atomic

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{assignment.id}{SUFFIX}"
    write_atomic(path, sheet_text(make_sheet(assignment)))
    return path


# --- reading a sheet (a student's machine) --------------------------------------------------------

@dataclass(frozen=True)
class _Declared:
    """What :func:`grader.judge.symbolic.equivalence.symbol_table` reads of an assignment, from a sheet."""

    functions: dict
    symbols: dict
    indices: tuple
    sizes: dict


@dataclass(frozen=True)
class Sheet:
    """A public sheet read back: its questions, and the parsing of answers against them."""

    id: str
    title: str
    path: str
    questions: tuple[Question, ...]
    forms: dict  # question id -> "shape" | "count" | "value" (expression questions)
    declared: _Declared
    data: dict = field(compare=False, repr=False)

    @cached_property
    def _by_id(self) -> dict[str, Question]:
        by_id: dict[str, Question] = {}
        for q in self.questions:
            by_id.setdefault(q.id, q)
        return by_id

    def question(self, qid: str) -> Question:
        """The question with id ``qid`` (KeyError if none)."""
        return self._by_id[qid]

    def parse(self, question: Question, raw):
        """Read one raw answer as grading reads it (raises AnswerError): numbers, classes and
        shapes by the same parsers; an expression by the expression grammar with the symbol
        table grading builds from the assignment file."""
        from grader.judge.answers import parse_answer

        if not KINDS[question.kind].symbolic:
            return parse_answer(question, raw)
        text = parse_answer(question, raw)  # without a key (no symbol table here): checked to be text
        from grader.judge.symbolic.suggest import with_suggestion
        from grader.parse.expression.parser import parse_expression
        try:
            return parse_expression(text, self._table(question.scenario),
                                    expect="shape" if self.forms.get(question.id) == "shape" else "expression")
        except AnswerError as e:  # worded as grading words it (the names as the assignment spells them)
            bindings = self.declared.symbols.get(question.scenario, {})
            raise with_suggestion(e, tuple(b.spellings[0] for b in bindings.values() if b.spellings)) from None

    def _table(self, scenario: str):
        tables = self.__dict__.setdefault("_tables", {})
        if scenario not in tables:
            from grader.judge.symbolic.equivalence import symbol_table
            tables[scenario] = symbol_table(self.declared, Question("", scenario))
        return tables[scenario]


def load_sheet(path: Path) -> Sheet:
    """Read and validate a sheet file (a broken one is a ConfigError: it is the course's file)."""
    from grader.io.safe_load import load_file
    from grader.io.validate import validate

    try:
        doc = load_file(Path(path))
    except SubmissionError as e:
        raise ConfigError(f"cannot read the sheet: {e.message}", file=str(path), line=e.line) from None
    validate(doc, "sheet", error=ConfigError)
    data = doc.data
    questions = tuple(Question(q["id"], q.get("scenario", ""), "", q.get("text", ""), q["kind"],
                               indices=tuple(q.get("indices") or ())) for q in data["questions"])
    forms = {q["id"]: q.get("form", "value") for q in data["questions"] if KINDS[q["kind"]].symbolic}
    declared = _Declared(
        functions={k: tuple(v) for k, v in (data.get("functions") or {}).items()},
        symbols={scenario: {name: _binding(name, s) for name, s in table.items()}
                 for scenario, table in (data.get("symbols") or {}).items()},
        indices=tuple(data.get("indices") or ()),
        sizes={name: ((0, 0), tuple(spellings)) for name, spellings in (data.get("sizes") or {}).items()})
    return Sheet(data["assignment"], data["title"], str(path), questions, forms, declared, dict(data))
