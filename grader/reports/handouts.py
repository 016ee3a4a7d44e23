"""Problem sheets: one per student, with their own numbers and an answer file to fill in.

``grade handout mlp-random --roster roster.csv --out handouts/`` reads the roster (our CSV, a
Canvas gradebook export or a Moodle export), draws each student's numbers exactly as grading
will, and writes ``<id>.md`` (the sheet: Markdown with LaTeX) and ``<id>.answers.yaml`` (the
answer file, every question id present and empty).
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import yaml

from grader.course.assignment import Assignment
from grader.keys.catalog import Catalog
from grader.errors import ConfigError
from grader.keys.key_text import conventions_text
from grader.io.outputs import OutputSet
from grader.io.roster import Student, roster_problems
from grader.course.salt_rule import require_salt
from grader.shown_text import shown
from grader.keys.worked_solution import tex_matrix, tex_name, tex_number

def answer_template(assignment: Assignment, student: Student) -> str:
    """The answer file to fill in: every question id, each answer empty."""
    header = (f"# Answer file for {assignment.id}: write each answer after its colon, e.g. [0.1, -0.2] or\n"
              f"# [[1, 2], [3, 4]]; check it with `grade check FILE` before you hand it in.\n")
    data = {"assignment": assignment.id, "student": {"id": student.student_id, "name": student.name}}
    plain = all(shown(v) == v for v in (student.student_id, student.name))  # else escaped: "\u202e", not raw
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=plain, width=200)
    return header + body + "answers:\n" + "".join(f"  {q.id}:\n" for q in assignment.questions)


def problem_sheet(assignment: Assignment, student: Student) -> str:
    """One student's problem sheet (Markdown with LaTeX): their numbers and the questions."""
    out = [f"# {assignment.title}\n", f"*Assignment `{assignment.id}` for {_escape(student.name) or 'student'} "
           f"(`{_escape(student.student_id)}`)."
           + (" These numbers are yours: another student's differ." if assignment.variant else "") + "*\n"]
    if assignment.description:
        out.append(assignment.description.strip() + "\n")
    out.append(conventions_text(assignment) + "\n")
    for name in assignment.scenario_order():
        s = assignment.scenarios[name]
        graph = assignment.graphs[s.network]
        out.append(f"\n## Part `{name}`: network `{s.network}`\n")
        if s.random is not None:  # no numbers: sizes are symbols, answers are expressions
            out.append(symbols_text(assignment, name, graph))
        elif s.params_from:
            out.append(f"Start from the parameters after the update of part `{s.params_from}`.\n")
        else:
            for p in graph.params:
                out.append(f"$${tex_name(p)} = {tex_matrix(_param(assignment, s, p))}$$\n")
        for i, example in enumerate(s.examples):
            label = f"Example {i + 1}: " if len(s.examples) > 1 else ""
            values = ", \\quad ".join(f"{tex_name(k)} = {tex_matrix(np.array([[float(v)] for v in vec]))}"
                                      for k, vec in example.items())
            out.append(f"{label}$${values}$$\n")
        if s.learning_rate is not None:
            out.append(f"Learning rate $\\eta = {tex_number(float(s.learning_rate))}$.\n")
        questions = [q for q in assignment.questions if q.scenario == name]
        if questions:
            out.append("\n| question id | asks for |\n|---|---|")
            out += [f"| `{q.id}` | {q.text or q.quantity} |" for q in questions]
            out.append("")
    out.append("\n## Answer file\n\nFill in the file handed out with this sheet (the same answers as below) "
               "and check it with `grade check`.\n")
    out.append("```yaml\n" + answer_template(assignment, student) + "```\n")
    return "\n".join(out)


def symbols_text(assignment: Assignment, scenario: str, graph) -> str:
    """A part without numbers (a derivation): the shapes of its network's data and parameters,
    and how its sizes, functions and quantities may be written in an answer."""
    def spelled(spellings) -> str:
        return ", ".join(f"`{x}`" for x in spellings)

    shapes = [f"`{name}` {rows} × {cols}" for name, (rows, cols) in graph.shapes.items()]
    out = ["No numbers in this part: sizes are symbols and every answer is an expression.\n",
           "Shapes: " + ", ".join(shapes) + ".\n"]
    sizes = [f"{name} ({spelled(spellings)})" for name, (_, spellings) in assignment.sizes.items()]
    if sizes:
        out.append("Sizes: " + "; ".join(sizes) + ".\n")
    functions = [f"{name} ({spelled(spellings)})" for name, spellings in assignment.functions.items()]
    if functions:
        out.append("Functions: " + "; ".join(functions) + ".\n")
    symbols = assignment.symbols.get(scenario, {})
    if symbols:
        out.append("\n| quantity | write it as |\n|---|---|")
        out += [f"| `{b.quantity}` | {spelled(b.spellings)} |" for b in symbols.values()]
        out.append("")
    return "\n".join(out)


def _param(assignment: Assignment, scenario, p: str) -> np.ndarray:
    from grader.engine.autodiff import FLOAT
    from grader.keys.answer_key import initial_params
    return np.asarray(initial_params(assignment, scenario, FLOAT, {})[p], dtype=float)


def _escape(text: str) -> str:
    """Student-supplied text shown in Markdown: no markup, no HTML."""
    return re.sub(r"([\\`*_{}\[\]()<>#|!])", r"\\\1", shown(text.replace("\n", " ")))


def write_handouts(catalog: Catalog, assignment_id: str, students: list[Student], out: Path) -> list[Path]:
    """Each student's sheet and answer file in ``out`` (created); returns the files written.
    A student whose numbers cannot be drawn stops the run (ConfigError: the assignment's fault).
    ``out`` is checked before any number is drawn (OutputError), and the files are put in place
    together at the end: a run that fails leaves the folder as it was."""
    problems = roster_problems(list(enumerate(students, start=1)))  # a caller's list: row = position
    if problems:
        raise ConfigError(f"{len(problems)} student(s) refused, nothing written: " + "; ".join(problems[:20]))
    template = catalog.assignment(assignment_id)
    require_salt(template, salt=catalog.salt, unsalted=catalog.unsalted)  # before any file is written
    with OutputSet() as outputs:
        outputs.folder(out)
        written = []
        for student in students:  # ids checked above: each is its own file name, unique on any disk
            mine = catalog.for_student(template, student.student_id)
            stem = student.student_id
            for path, text in ((out / f"{stem}.md", problem_sheet(mine, student)),
                               (out / f"{stem}.answers.yaml", answer_template(mine, student))):
                outputs.write(path, text)
                written.append(path)
        outputs.commit()
    return written
